package com.example.fns;

public final class WorkImpl implements Work {
  @Override
  public long slowSquare(long x, int sleepMs) {
    pause(sleepMs);
    return x * x;
  }

  @Override
  public byte[] slowBlob(int seed, int sleepMs, int size) {
    pause(sleepMs);
    return expectedBlob(seed, size);
  }

  /** What {@link #slowBlob} returns, for checks. */
  public static byte[] expectedBlob(int seed, int size) {
    byte[] b = new byte[size];
    for (int i = 0; i < size; i++) {
      b[i] = (byte) (i * 131 + seed);
    }
    return b;
  }

  private static void pause(int ms) {
    try {
      Thread.sleep(ms);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new IllegalStateException("interrupted", e);
    }
  }
}
