package io.pureremote.spi;

import io.pureremote.spi.BlobStore.StoredBlob;
import io.pureremote.spi.BlobStore.BlobContent;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicLong;

/** A real store wrapped to count each operation by name, for request-count assertions. */
public final class CountingBlobStore implements BlobStore {
  private final BlobStore delegate;
  private final Map<String, AtomicLong> counts = new ConcurrentHashMap<>();
  private final List<Thread> getThreads = new java.util.concurrent.CopyOnWriteArrayList<>();

  public CountingBlobStore(BlobStore delegate) {
    this.delegate = delegate;
  }

  /** Operations so far, by name (get, putIfAbsent, put, exists, list, delete). */
  public Map<String, Long> counts() {
    Map<String, Long> out = new java.util.TreeMap<>();
    counts.forEach((k, v) -> out.put(k, v.get()));
    return out;
  }

  /** The thread of each {@code get} so far, in order. */
  public List<Thread> getThreads() {
    return List.copyOf(getThreads);
  }

  public void reset() {
    counts.clear();
    getThreads.clear();
  }

  private void count(String op) {
    counts.computeIfAbsent(op, k -> new AtomicLong()).incrementAndGet();
  }

  @Override
  public String root() {
    return delegate.root();
  }

  @Override
  public Optional<StoredBlob> get(String key) {
    count("get");
    getThreads.add(Thread.currentThread());
    return delegate.get(key);
  }

  @Override
  public Optional<String> putIfAbsent(String key, BlobContent content) {
    count("putIfAbsent");
    return delegate.putIfAbsent(key, content);
  }

  @Override
  public String put(String key, BlobContent content, String expectedVersion) {
    count("put");
    return delegate.put(key, content, expectedVersion);
  }

  @Override
  public boolean exists(String key) {
    count("exists");
    return delegate.exists(key);
  }

  @Override
  public List<String> list(String prefix) {
    count("list");
    return delegate.list(prefix);
  }

  @Override
  public boolean delete(String key) {
    count("delete");
    return delegate.delete(key);
  }

  @Override
  public Map<String, String> remoteSettings() {
    return delegate.remoteSettings();
  }

  @Override
  public void close() {
    delegate.close();
  }
}
