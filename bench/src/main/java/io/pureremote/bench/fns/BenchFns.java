package io.pureremote.bench.fns;

import io.pureremote.BlobRef;
import io.pureremote.PureRemote;

/** The functions the scenarios call: cheap on purpose, so what is timed is the library. */
@PureRemote
public interface BenchFns {
  /** {@code n} pseudo-random doubles from {@code seed}: a small (n × 8 bytes) memoized result. */
  double[] series(long seed, int n);

  /** x²: the smallest possible call, for miss overhead. */
  long square(long x);

  /** The content's size, without reading it: a call whose cost is its BlobRef input's upload. */
  long size(BlobRef data);

  /** A second function over the same content (a miss that must not upload it again). */
  String tag(BlobRef data);
}
