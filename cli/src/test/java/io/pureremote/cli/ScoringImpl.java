package io.pureremote.cli;

import java.util.concurrent.atomic.AtomicInteger;

/** Counts its runs: the in-process shell shares the JVM, so a test can tell a hit from a run. */
public final class ScoringImpl implements Scoring {
  public static final AtomicInteger RUNS = new AtomicInteger();

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
}
