package io.pureremote.bench;

import java.util.Map;
import java.util.TreeMap;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.LongAdder;
import software.amazon.awssdk.core.interceptor.Context;
import software.amazon.awssdk.core.interceptor.ExecutionAttributes;
import software.amazon.awssdk.core.interceptor.ExecutionInterceptor;
import software.amazon.awssdk.core.interceptor.SdkExecutionAttribute;

/**
 * Counts HTTP requests an S3 client sends (every attempt, retries included) by operation name;
 * the wire-level count beside {@link CountingBlobStore}'s store-level one. Thread-safe.
 */
public final class HttpRequestCounter implements ExecutionInterceptor {
  private final Map<String, LongAdder> counts = new ConcurrentHashMap<>();

  @Override
  public void beforeTransmission(Context.BeforeTransmission context, ExecutionAttributes attributes) {
    String operation = attributes.getAttribute(SdkExecutionAttribute.OPERATION_NAME);
    counts.computeIfAbsent(operation, k -> new LongAdder()).increment();
  }

  /** All requests since the last reset. */
  public long total() {
    return counts.values().stream().mapToLong(LongAdder::sum).sum();
  }

  /** Requests of one operation, e.g. {@code GetObject}. */
  public long count(String operation) {
    LongAdder n = counts.get(operation);
    return n == null ? 0 : n.sum();
  }

  /** Counts by operation, sorted. */
  public Map<String, Long> snapshot() {
    Map<String, Long> m = new TreeMap<>();
    counts.forEach((k, v) -> m.put(k, v.sum()));
    return m;
  }

  /** Zeroes the counts. */
  public void reset() {
    counts.clear();
  }
}
