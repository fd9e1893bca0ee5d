package io.pureremote.k8s;

import java.time.Duration;
import java.util.Objects;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.RejectedExecutionException;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The threads of a cluster shell: virtual threads for cluster requests (so a slow API server
 * never blocks a caller or the informer), and one daemon thread that ticks the shell's watchdogs.
 * Shared by the MPI and torch shells (public for that reason). Thread-safe.
 */
public final class ShellThreads implements AutoCloseable {
  private static final Logger log = LoggerFactory.getLogger(ShellThreads.class);
  private static final Duration DRAIN_BOUND = Duration.ofSeconds(10);

  private final String shell;
  private final ExecutorService executor;
  private final ScheduledExecutorService watchdog;

  /**
   * Threads named {@code pureremote-<shell>-<n>} and {@code pureremote-<shell>-watchdog}; {@code
   * tick} runs every {@code every} from now on until {@link #close()}. A tick that throws is
   * logged and the next one runs as usual.
   */
  public ShellThreads(String shell, Duration every, Runnable tick) {
    this.shell = Objects.requireNonNull(shell, "shell");
    Objects.requireNonNull(tick, "tick");
    this.executor = Executors.newThreadPerTaskExecutor(Thread.ofVirtual().name("pureremote-" + shell + "-", 0).factory());
    this.watchdog = Executors.newSingleThreadScheduledExecutor(r -> {
      Thread t = new Thread(r, "pureremote-" + shell + "-watchdog");
      t.setDaemon(true);
      return t;
    });
    watchdog.scheduleWithFixedDelay(() -> {
      try {
        tick.run();
      } catch (RuntimeException e) {
        log.warn("{} shell watchdog failed: {}", shell, e.toString(), e);
      }
    }, every.toMillis(), every.toMillis(), TimeUnit.MILLISECONDS);
  }

  /** Runs {@code task} on a virtual thread; after {@link #close()} the task is dropped (logged at debug). */
  public void submit(Runnable task) {
    try {
      executor.execute(task);
    } catch (RejectedExecutionException e) {
      log.debug("{} shell closed; dropped a background task", shell);
    }
  }

  /** Stops the ticks, then waits up to 10 s for running tasks before interrupting them. */
  @Override
  public void close() {
    watchdog.shutdownNow();
    executor.shutdown();
    try {
      if (!executor.awaitTermination(DRAIN_BOUND.toMillis(), TimeUnit.MILLISECONDS)) {
        executor.shutdownNow();
      }
    } catch (InterruptedException e) {
      executor.shutdownNow();
      Thread.currentThread().interrupt();
    }
  }
}
