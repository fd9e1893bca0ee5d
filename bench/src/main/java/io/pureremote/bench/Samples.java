package io.pureremote.bench;

import java.util.Arrays;

/** Latency samples in nanoseconds, with nearest-rank percentiles. Not thread-safe. */
final class Samples {
  private long[] nanos;
  private int n;

  Samples(int expected) {
    nanos = new long[Math.max(expected, 16)];
  }

  void add(long ns) {
    if (n == nanos.length) {
      nanos = Arrays.copyOf(nanos, n * 2);
    }
    nanos[n++] = ns;
  }

  int count() {
    return n;
  }

  /** The {@code p}-th percentile (0–100) in nanoseconds, nearest rank. */
  double percentile(double p) {
    if (n == 0) {
      return Double.NaN;
    }
    long[] sorted = Arrays.copyOf(nanos, n);
    Arrays.sort(sorted);
    int rank = (int) Math.ceil(p / 100.0 * n);
    return sorted[Math.min(Math.max(rank, 1), n) - 1];
  }

  double mean() {
    return n == 0 ? Double.NaN : Arrays.stream(nanos, 0, n).average().orElse(Double.NaN);
  }

  static double micros(double ns) {
    return ns / 1_000.0;
  }

  static double millis(double ns) {
    return ns / 1_000_000.0;
  }
}
