package io.pureremote.blobstore.adls;

import io.pureremote.PureRemote;
import java.util.concurrent.atomic.AtomicInteger;

/** A tiny pure function for the fault run. */
public interface Squares {
  /** {@code x * x}. */
  @PureRemote(name = "adls-test-squares", version = "1")
  long square(long x);

  /** Counts its executions so a test can tell a memo hit from a run. */
  final class Impl implements Squares {
    static final AtomicInteger EXECUTIONS = new AtomicInteger();

    /** Created by name on the remote side. */
    public Impl() {}

    @Override
    public long square(long x) {
      EXECUTIONS.incrementAndGet();
      return x * x;
    }
  }
}
