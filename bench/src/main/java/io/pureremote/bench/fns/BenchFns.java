package io.pureremote.bench.fns;

import io.pureremote.BlobRef;
import io.pureremote.PureRemote;
import java.util.List;

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

  /** The array's length: a call whose cost on the caller is its large argument (scenario 4). */
  long length(double[] values);

  /** The list's size: a call whose argument is many small records (scenario 4). */
  int count(List<Trade> trades);
}
