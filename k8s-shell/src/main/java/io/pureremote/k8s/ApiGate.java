package io.pureremote.k8s;

import io.fabric8.kubernetes.client.KubernetesClientException;
import java.io.IOException;
import java.io.InterruptedIOException;
import java.time.Duration;
import java.util.concurrent.ThreadLocalRandom;
import java.util.concurrent.TimeUnit;
import java.util.function.Supplier;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Every API request the shell makes itself goes through here: a token bucket bounds the rate, and
 * 429s, 5xx and connection errors are retried with exponential backoff and jitter. Informer
 * list/watch traffic does not pass here (it is a constant two streams per namespace).
 * Thread-safe. Public so the other cluster shells (MPI) share the one definition of rate limit,
 * retry and error wording.
 */
public final class ApiGate {
  private static final Logger log = LoggerFactory.getLogger(ApiGate.class);
  private static final Duration FIRST_BACKOFF = Duration.ofMillis(200);
  private static final Duration MAX_BACKOFF = Duration.ofSeconds(10);

  private final double qps;
  private final int burst;
  private final int retries;
  private double tokens;
  private long refilledAt = System.nanoTime();

  /**
   * A gate allowing {@code qps} requests per second with bursts of {@code burst}, retrying each
   * transient failure up to {@code retries} times.
   */
  public ApiGate(double qps, int burst, int retries) {
    this.qps = qps;
    this.burst = burst;
    this.retries = retries;
    this.tokens = burst;
  }

  /**
   * Runs {@code request} under the rate limit, retrying transient failures.
   *
   * @param what a description for logs and errors, e.g. {@code create Job ns/name}
   * @throws KubernetesClientException the last failure, when it is not transient or retries ran out
   * @throws InterruptedException when interrupted while waiting for a token or a backoff
   */
  public <T> T call(String what, Supplier<T> request) throws InterruptedException {
    Duration backoff = FIRST_BACKOFF;
    for (int attempt = 0; ; attempt++) {
      acquire();
      try {
        return request.get();
      } catch (KubernetesClientException e) {
        if (attempt >= retries || !isTransient(e)) {
          throw e;
        }
        long jittered = backoff.toMillis() / 2 + ThreadLocalRandom.current().nextLong(backoff.toMillis() / 2 + 1);
        log.debug("{} failed ({}); retry {} of {} in {} ms", what, describe(e), attempt + 1, retries, jittered);
        Thread.sleep(jittered);
        backoff = backoff.multipliedBy(2).compareTo(MAX_BACKOFF) > 0 ? MAX_BACKOFF : backoff.multipliedBy(2);
      }
    }
  }

  /** Takes one token, sleeping until the bucket has one. */
  void acquire() throws InterruptedException {
    long waitNanos = reserve();
    if (waitNanos > 0) {
      TimeUnit.NANOSECONDS.sleep(waitNanos);
    }
  }

  // Reservation style: the token is taken now (the bucket may go negative) and the caller sleeps
  // off the debt outside the lock, so waiting callers are served in arrival order.
  private synchronized long reserve() {
    long now = System.nanoTime();
    tokens = Math.min(burst, tokens + (now - refilledAt) / 1e9 * qps);
    refilledAt = now;
    tokens -= 1;
    return tokens >= 0 ? 0 : (long) (-tokens / qps * 1e9);
  }

  /** 429 (throttled), 5xx, and failures without an HTTP status (connection refused/reset, timeouts). */
  public static boolean isTransient(KubernetesClientException e) {
    int code = e.getCode();
    if (code == 429 || code == 500 || code == 502 || code == 503 || code == 504) {
      return true;
    }
    if (code > 0) {
      return false;
    }
    for (Throwable t = e.getCause(); t != null; t = t.getCause()) {
      if (t instanceof InterruptedIOException && !(t instanceof java.net.SocketTimeoutException)) {
        return false;
      }
      if (t instanceof IOException) {
        return true;
      }
    }
    return false;
  }

  /** The HTTP status and the server's message, for error texts. */
  public static String describe(KubernetesClientException e) {
    String status = e.getStatus() != null && e.getStatus().getMessage() != null ? e.getStatus().getMessage() : e.getMessage();
    if (e.getCode() > 0) {
      return "HTTP " + e.getCode() + ": " + status;
    }
    // No HTTP answer: fabric8 says only "An error has occurred."; the root cause says what happened.
    Throwable root = e;
    while (root.getCause() != null && root.getCause() != root) {
      root = root.getCause();
    }
    if (root == e) {
      return status;
    }
    String what = switch (root) {
      case java.net.UnknownHostException u -> "unknown host " + u.getMessage();
      case java.net.ConnectException c -> "connection refused" + (c.getMessage() == null ? "" : " (" + c.getMessage() + ")");
      default -> root.getClass().getSimpleName() + (root.getMessage() == null ? "" : ": " + root.getMessage());
    };
    return status == null || status.equals("An error has occurred.") ? what : status + ": " + what;
  }
}
