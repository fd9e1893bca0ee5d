package io.pureremote.bench.fns;

import io.pureremote.BlobRef;
import java.util.List;
import java.util.SplittableRandom;

/** Implementation of {@link BenchFns}; the remote side creates it with its no-arg constructor. */
public final class BenchFnsImpl implements BenchFns {
  @Override
  public double[] series(long seed, int n) {
    SplittableRandom random = new SplittableRandom(seed);
    double[] out = new double[n];
    for (int i = 0; i < n; i++) {
      out[i] = random.nextDouble();
    }
    return out;
  }

  @Override
  public long square(long x) {
    return x * x;
  }

  @Override
  public long size(BlobRef data) {
    return data.size();
  }

  @Override
  public String tag(BlobRef data) {
    return data.sha256().substring(0, 12) + ":" + data.size();
  }

  @Override
  public long length(double[] values) {
    return values.length;
  }

  @Override
  public int count(List<Trade> trades) {
    return trades.size();
  }
}
