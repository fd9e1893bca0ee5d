package io.pureremote.internal;

import io.pureremote.RuntimeOptions.Progress;
import java.time.Duration;
import java.util.Optional;
import java.util.concurrent.atomic.AtomicLong;
import java.util.function.LongSupplier;

/**
 * Counts the calls of a runtime and decides when to show them. Calls report through {@link
 * #submitted()}, {@link #started()} and {@link #finished}: a few atomic increments, no lock. Only a
 * burst's edges (the runtime going from idle to busy and back) and {@link #tick()}, which a timer
 * calls, take the lock.
 *
 * <p>A burst runs from a call submitted while none is outstanding to the moment none is again; its
 * counts are the counters minus their values when it began. Counters are read done-first, then
 * started, then submitted, so every snapshot has done ≤ started ≤ submitted and "idle" (submitted =
 * done) is never seen while a call is in between.
 *
 * <p>The clock is monotonic milliseconds and the sink is injectable, so tests drive it without
 * sleeping. Thread-safe.
 */
final class ProgressTracker {
  /** How a sink is fed: a live terminal line, or sparse log lines. */
  enum Style {
    /** Redraw up to four times a second once a burst is a second old. */
    TERMINAL(Duration.ofMillis(250), Duration.ofSeconds(1)),
    /**
     * Once a burst is 10 s old, a line; then one when 10 s have passed and either another 10 % of
     * the calls are done or a minute has passed.
     */
    LOG(Duration.ofSeconds(1), Duration.ofSeconds(10));

    final Duration tickEvery;
    final Duration showAfter;

    Style(Duration tickEvery, Duration showAfter) {
      this.tickEvery = tickEvery;
      this.showAfter = showAfter;
    }
  }

  static final long LOG_MIN_GAP_MS = 10_000;
  static final long LOG_HEARTBEAT_MS = 60_000;

  /** How a call ended, for the counts. */
  enum End { CACHED, RAN, FAILED }

  private final AtomicLong submitted = new AtomicLong();
  private final AtomicLong started = new AtomicLong();
  private final AtomicLong cached = new AtomicLong();
  private final AtomicLong ran = new AtomicLong();
  private final AtomicLong failed = new AtomicLong();
  private final AtomicLong outstanding = new AtomicLong();

  private final Style style;
  private final ProgressSink sink;
  private final LongSupplier clock;
  private volatile LongSupplier inClusterQueue = () -> 0;

  // Guarded by this.
  private Snapshot base = new Snapshot(0, 0, 0, 0, 0);
  private boolean active;
  private long burstStart;
  private boolean shown;
  private long lastLineAt;
  private long lastLineDone;

  /**
   * @param style how often to show; {@code sink} may be null for counting only
   * @param clock monotonic milliseconds
   */
  ProgressTracker(Style style, ProgressSink sink, LongSupplier clock) {
    this.style = style;
    this.sink = sink;
    this.clock = clock;
  }

  /**
   * The style {@code mode} resolves to, or empty for {@link Progress#OFF}. {@code AUTO} is a
   * terminal when there is a console that is a terminal and {@code TERM} is set and not {@code dumb}.
   */
  static Optional<Style> style(Progress mode, boolean console, String term) {
    return switch (mode) {
      case OFF -> Optional.empty();
      case TERMINAL -> Optional.of(Style.TERMINAL);
      case LOG -> Optional.of(Style.LOG);
      case AUTO -> Optional.of(console && term != null && !term.isBlank() && !term.equalsIgnoreCase("dumb")
          ? Style.TERMINAL : Style.LOG);
    };
  }

  Style style() {
    return style;
  }

  /** How many running calls wait in a cluster queue right now; asked only when a line is shown. */
  void inClusterQueue(LongSupplier count) {
    this.inClusterQueue = count;
  }

  /** A call was submitted. */
  void submitted() {
    submitted.incrementAndGet();
    if (outstanding.getAndIncrement() == 0 && sink != null) {
      busy();
    }
  }

  /**
   * Keeps the burst open until {@link #release()}, as if one more call were outstanding: a fan-out
   * holds it while it submits, so calls finishing faster than the next ones arrive do not split it.
   */
  void hold() {
    if (outstanding.getAndIncrement() == 0 && sink != null) {
      busy();
    }
  }

  /** Ends a {@link #hold()}. */
  void release() {
    if (outstanding.decrementAndGet() == 0 && sink != null) {
      idle();
    }
  }

  /** A submitted call got its concurrency slot (or joined an identical call). */
  void started() {
    started.incrementAndGet();
  }

  /** A call ended; it must have been reported {@link #started()} before. */
  void finished(End end) {
    (switch (end) {
      case CACHED -> cached;
      case RAN -> ran;
      case FAILED -> failed;
    }).incrementAndGet();
    if (outstanding.decrementAndGet() == 0 && sink != null) {
      idle();
    }
  }

  private synchronized void busy() {
    if (!active) {
      active = true;
      burstStart = clock.getAsLong();
      shown = false;
      lastLineAt = burstStart;
      lastLineDone = 0;
    }
  }

  private synchronized void idle() {
    Snapshot now = snapshot();
    if (now.submitted() != now.done()) {
      return; // a call came in meanwhile: the burst goes on
    }
    if (active) {
      long elapsed = clock.getAsLong() - burstStart;
      if (shown || elapsed >= style.showAfter.toMillis() || sink.everyBurst()) {
        sink.finish(ProgressLine.summary(now.minus(base), elapsed));
      }
      active = false;
    }
    base = now;
  }

  /** Shows the burst in progress, if it is old enough and the style says a line is due. */
  synchronized void tick() {
    if (!active || sink == null) {
      return;
    }
    long now = clock.getAsLong();
    long age = now - burstStart;
    if (age < style.showAfter.toMillis()) {
      return;
    }
    ProgressLine.Counts counts = snapshot().minus(base);
    if (style == Style.LOG && shown) {
      long gap = now - lastLineAt;
      boolean tenPercent = (counts.done() - lastLineDone) * 10 >= counts.submitted();
      if (gap < LOG_MIN_GAP_MS || (!tenPercent && gap < LOG_HEARTBEAT_MS)) {
        return;
      }
    }
    sink.update(ProgressLine.live(counts, inClusterQueue.getAsLong(), ProgressLine.eta(counts, age)));
    shown = true;
    lastLineAt = now;
    lastLineDone = counts.done();
  }

  /** Ends a burst still shown when the runtime closes, so a terminal line gets its newline. */
  synchronized void close() {
    if (active && shown && sink != null) {
      sink.finish(ProgressLine.summary(snapshot().minus(base), clock.getAsLong() - burstStart));
      active = false;
    }
  }

  /** The counts of the burst in progress (or of none: all zero). */
  synchronized ProgressLine.Counts current() {
    return active ? snapshot().minus(base) : new ProgressLine.Counts(0, 0, 0, 0, 0);
  }

  private Snapshot snapshot() {
    long c = cached.get();
    long r = ran.get();
    long f = failed.get();
    long s = started.get();
    return new Snapshot(submitted.get(), s, c, r, f);
  }

  /** Raw counter values, read done-first. */
  private record Snapshot(long submitted, long started, long cached, long ran, long failed) {
    long done() {
      return cached + ran + failed;
    }

    ProgressLine.Counts minus(Snapshot b) {
      long c = cached - b.cached;
      long r = ran - b.ran;
      long f = failed - b.failed;
      return new ProgressLine.Counts(submitted - b.submitted, c, r, f, (started - b.started) - (c + r + f));
    }
  }
}
