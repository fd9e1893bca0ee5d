package io.pureremote.internal;

import java.util.OptionalLong;

/**
 * The progress line as text: pure functions of the counts and elapsed time, so every format is
 * tested on exact strings.
 *
 * <pre>{@code
 * pureremote: 812/10000 done (640 cached, 3 failed), 150 running, 9038 queued — ETA 4m12s
 * pureremote: 812/10000 done (640 cached, 3 failed), 150 running (40 waiting in a cluster queue), 9038 queued
 * pureremote: 10000/10000 done (640 cached, 3 failed) in 41m07s
 * }</pre>
 */
final class ProgressLine {
  /** Non-cached completions needed before an ETA is shown: fewer say little about the rate. */
  static final int ETA_MIN_SAMPLES = 5;

  private ProgressLine() {}

  /**
   * The calls of one burst.
   *
   * @param submitted calls submitted
   * @param cached calls answered without a run of their own: memo hits and calls that joined an
   *     identical call in flight
   * @param ran calls that ran and committed a result (memo misses)
   * @param failed calls that ended with an exception
   * @param running calls holding a concurrency slot (or waiting on an identical call) and not done
   */
  record Counts(long submitted, long cached, long ran, long failed, long running) {
    long done() {
      return cached + ran + failed;
    }

    /** Submitted, not yet holding a concurrency slot. */
    long queued() {
      return Math.max(0, submitted - done() - running);
    }
  }

  /** The live line, with an ETA when {@code eta} has one. */
  static String live(Counts c, OptionalLong etaMillis) {
    return live(c, 0, etaMillis);
  }

  /**
   * The live line; {@code inClusterQueue} of the running calls wait in the cluster's queue (their
   * shell says they are not admitted yet, {@link io.pureremote.spi.Shell.Launch#queued()}).
   */
  static String live(Counts c, long inClusterQueue, OptionalLong etaMillis) {
    StringBuilder sb = head(c).append(", ").append(c.running()).append(" running");
    if (inClusterQueue > 0) {
      sb.append(" (").append(Math.min(inClusterQueue, c.running())).append(" waiting in a cluster queue)");
    }
    sb.append(", ").append(c.queued()).append(" queued");
    etaMillis.ifPresent(ms -> sb.append(" — ETA ").append(duration(ms)));
    return sb.toString();
  }

  /** The closing line of a burst. */
  static String summary(Counts c, long elapsedMillis) {
    StringBuilder sb = head(c);
    if (c.running() > 0 || c.queued() > 0) {
      sb.append(", ").append(c.running()).append(" running, ").append(c.queued()).append(" queued");
    }
    return sb.append(" in ").append(duration(elapsedMillis)).toString();
  }

  private static StringBuilder head(Counts c) {
    return new StringBuilder(96).append("pureremote: ").append(c.done()).append('/').append(c.submitted())
        .append(" done (").append(c.cached()).append(" cached, ").append(c.failed()).append(" failed)");
  }

  /**
   * Time left: the calls not done ({@code running + queued}) divided by the rate of non-cached
   * completions (runs and failures) since the burst began. Cached calls finish almost at once, so
   * their rate says nothing about the work left; counting every remaining call as a run makes the
   * estimate an upper bound while hits are still queued. Empty until {@link #ETA_MIN_SAMPLES}
   * non-cached calls have finished, and when nothing is left.
   */
  static OptionalLong eta(Counts c, long elapsedMillis) {
    long nonCached = c.ran() + c.failed();
    long left = c.running() + c.queued();
    if (nonCached < ETA_MIN_SAMPLES || elapsedMillis <= 0 || left == 0) {
      return OptionalLong.empty();
    }
    double perCall = (double) elapsedMillis / nonCached;
    return OptionalLong.of((long) Math.ceil(left * perCall));
  }

  /** {@code 42s}, {@code 4m12s}, {@code 1h02m}, {@code 3d04h}; rounded up to whole seconds. */
  static String duration(long millis) {
    long s = Math.max(0, (millis + 999) / 1000);
    if (s < 60) {
      return s + "s";
    }
    if (s < 3_600) {
      return s / 60 + "m" + two(s % 60) + "s";
    }
    if (s < 86_400) {
      return s / 3_600 + "h" + two(s % 3_600 / 60) + "m";
    }
    return s / 86_400 + "d" + two(s % 86_400 / 3_600) + "h";
  }

  /** {@code line} cut to {@code width} characters, ending in {@code …} when cut; no limit when width ≤ 0. */
  static String fit(String line, int width) {
    if (width <= 0 || line.length() <= width) {
      return line;
    }
    return width == 1 ? "…" : line.substring(0, width - 1) + "…";
  }

  private static String two(long n) {
    return n < 10 ? "0" + n : Long.toString(n);
  }
}
