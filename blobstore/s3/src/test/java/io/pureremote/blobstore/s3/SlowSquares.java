package io.pureremote.blobstore.s3;

import io.pureremote.PureRemote;

/** A slow pure function, so concurrent callers overlap in the exactly-once test. */
public interface SlowSquares {
  @PureRemote(name = "s3-slow-squares", version = "1")
  long square(long x);

  /** Sleeps 150 ms, then squares. */
  final class Impl implements SlowSquares {
    /** Created by name on the remote side. */
    public Impl() {}

    @Override
    public long square(long x) {
      try {
        Thread.sleep(150);
      } catch (InterruptedException e) {
        Thread.currentThread().interrupt();
        throw new IllegalStateException("interrupted", e);
      }
      return x * x;
    }
  }
}
