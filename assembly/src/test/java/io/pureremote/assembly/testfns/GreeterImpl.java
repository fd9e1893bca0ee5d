package io.pureremote.assembly.testfns;

import java.util.concurrent.atomic.AtomicInteger;

/** Counts its runs, so a test can tell a memo hit from a run (the in-process shell shares the JVM). */
public final class GreeterImpl implements Greeter {
  public static final AtomicInteger RUNS = new AtomicInteger();

  @Override
  public String greet(String name) {
    RUNS.incrementAndGet();
    return "hello " + name;
  }
}
