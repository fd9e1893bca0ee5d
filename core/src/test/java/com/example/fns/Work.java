package com.example.fns;

import io.pureremote.PureRemote;

/** Slow functions for the exactly-once and crash tests. */
@PureRemote
public interface Work {
  /** Sleeps {@code sleepMs}, then returns x squared. */
  long slowSquare(long x, int sleepMs);

  /** Sleeps {@code sleepMs}, then returns {@code size} deterministic bytes derived from {@code seed}. */
  byte[] slowBlob(int seed, int sleepMs, int size);
}
