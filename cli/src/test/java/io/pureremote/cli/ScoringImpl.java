package io.pureremote.cli;

import java.util.concurrent.atomic.AtomicInteger;

/** Counts its runs: the in-process shell shares the JVM, so a test can tell a hit from a run. */
public final class ScoringImpl implements Scoring {
  public static final AtomicInteger RUNS = new AtomicInteger();
  /** Opened by a test to let {@link #hold} return. */
  public static volatile java.util.concurrent.CountDownLatch GATE = new java.util.concurrent.CountDownLatch(0);
  /** Counted down when {@link #hold} has started. */
  public static volatile java.util.concurrent.CountDownLatch HOLDING = new java.util.concurrent.CountDownLatch(1);

  @Override
  public String score(String model, Features features) {
    RUNS.incrementAndGet();
    double sum = features.weights().values().stream().mapToDouble(Double::doubleValue).sum();
    return model + ":" + features.name() + "=" + sum;
  }

  @Override
  public int fail(String why) {
    RUNS.incrementAndGet();
    throw new IllegalStateException(why);
  }

  @Override
  public String hold(String why) {
    HOLDING.countDown();
    try {
      GATE.await();
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
    }
    return why;
  }
}
