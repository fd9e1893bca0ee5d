package io.pureremote.internal;

import java.io.Console;
import java.lang.reflect.Method;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/** The real surroundings of a {@link ProgressTracker}: terminal detection, sinks, clock and timer. */
final class ProgressOutput {
  /** The logger of {@link ProgressTracker.Style#LOG} lines; silence it to silence progress. */
  static final Logger LOG = LoggerFactory.getLogger("io.pureremote.progress");

  private ProgressOutput() {}

  /**
   * Whether this JVM talks to an interactive terminal: a console exists and, on Java 22 and later
   * (where {@code System.console()} is non-null even when redirected), {@code Console.isTerminal()}.
   */
  static boolean interactive() {
    Console console = System.console();
    if (console == null) {
      return false;
    }
    try {
      Method isTerminal = Console.class.getMethod("isTerminal");
      return (Boolean) isTerminal.invoke(console);
    } catch (NoSuchMethodException e) {
      return true; // Java 21: a non-null console is a terminal
    } catch (ReflectiveOperationException | RuntimeException e) {
      return false;
    }
  }

  static ProgressSink sink(ProgressTracker.Style style) {
    return style == ProgressTracker.Style.TERMINAL ? ProgressSink.terminal(System.err, columns()) : ProgressSink.log(LOG);
  }

  /** The terminal width from {@code COLUMNS}, or 0 when unknown. */
  static int columns() {
    try {
      String c = System.getenv("COLUMNS");
      return c == null ? 0 : Math.max(0, Integer.parseInt(c.strip()));
    } catch (NumberFormatException e) {
      return 0;
    }
  }

  static long monotonicMillis() {
    return System.nanoTime() / 1_000_000;
  }

  /** A daemon timer calling {@link ProgressTracker#tick()} at the style's rate. */
  static ScheduledExecutorService startTicker(ProgressTracker tracker) {
    ScheduledExecutorService timer = Executors.newSingleThreadScheduledExecutor(
        Thread.ofPlatform().daemon().name("pureremote-progress").factory());
    long every = tracker.style().tickEvery.toMillis();
    timer.scheduleAtFixedRate(() -> {
      try {
        tracker.tick();
      } catch (RuntimeException e) {
        LOG.debug("progress line failed", e); // never stop the timer over a display problem
      }
    }, every, every, TimeUnit.MILLISECONDS);
    return timer;
  }
}
