package io.pureremote.blobstore.s3;

import io.pureremote.PureRemote;
import java.util.concurrent.atomic.AtomicInteger;

/** A tiny pure function for the end-to-end test. */
public interface Squares {
  /** {@code x * x}. */
  @PureRemote(name = "s3-test-squares", version = "1")
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
