package com.example.fns;

import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.atomic.AtomicInteger;

public final class CalcImpl implements Calc {
  /** Executions in this JVM (meaningful with the in-process shell). */
  public static final AtomicInteger EXECUTIONS = new AtomicInteger();

  @Override
  public Stats stats(List<Point> points, Map<String, Long> tags) {
    EXECUTIONS.incrementAndGet();
    double sum = 0;
    for (Point p : points) {
      sum += p.x() + p.y();
    }
    return new Stats(points.size(), sum, tags);
  }

  @Override
  public long square(long x) {
    EXECUTIONS.incrementAndGet();
    return x * x;
  }

  @Override
  public CompletableFuture<String> greetAsync(String name) {
    EXECUTIONS.incrementAndGet();
    return CompletableFuture.completedFuture("hello " + name);
  }

  @Override
  public String fail(String message) {
    EXECUTIONS.incrementAndGet();
    throw new CalcException(message, new IllegalStateException("root cause"));
  }

  @Override
  public String sleep(Duration duration) {
    EXECUTIONS.incrementAndGet();
    try {
      Thread.sleep(duration);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new IllegalStateException("interrupted");
    }
    return "slept " + duration;
  }

  @Override
  public CompletableFuture<String> sleepAsync(Duration duration) {
    return CompletableFuture.completedFuture(sleep(duration));
  }

  @Override
  public String nullResult(int x) {
    EXECUTIONS.incrementAndGet();
    return null;
  }

  @Override
  public String crash(int exitCode) {
    System.out.println("about to halt with " + exitCode);
    System.out.flush();
    Runtime.getRuntime().halt(exitCode);
    return "unreachable";
  }

  @Override
  public Object echo(Object value) {
    EXECUTIONS.incrementAndGet();
    return value;
  }

  /** A user exception with the (String, Throwable) shape. */
  public static final class CalcException extends RuntimeException {
    private static final long serialVersionUID = 1L;

    public CalcException(String message) {
      super(message);
    }

    public CalcException(String message, Throwable cause) {
      super(message, cause);
    }
  }
}
