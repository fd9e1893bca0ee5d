package io.pureremote.testing.fns;

import io.pureremote.PureRemote;
import java.util.concurrent.atomic.AtomicInteger;

/** A function for the extension's tests; {@link #RUNS} counts runs in this JVM. */
public interface Squares {
  AtomicInteger RUNS = new AtomicInteger();

  @PureRemote(version = "1")
  long square(long x);

  /** The implementation. */
  final class Impl implements Squares {
    @Override
    public long square(long x) {
      RUNS.incrementAndGet();
      return x * x;
    }
  }
}
