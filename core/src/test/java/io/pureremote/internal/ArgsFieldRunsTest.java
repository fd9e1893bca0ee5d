package io.pureremote.internal;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.catchThrowableOfType;

import io.pureremote.ArgumentKeyException;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;

/**
 * The encoder's fast path over records and plain objects ({@link ArgsSlotWriters}, {@link
 * ArgsFields#flat()}, the path stack) writes the very bytes the per-value walk wrote before it: the
 * keys below were computed by that walk and are memo addresses. Many values of one class are
 * encoded, so the run handles are also exercised after the JVM has customized and compiled them.
 */
class ArgsFieldRunsTest {
  /** Every primitive and a string, in one run. */
  record Prims(
      boolean z, byte b, short s, char c, int i, long j, float f, double d, String text) {}

  /** Runs split by object fields; a null, a primitive array and a nested record among them. */
  static final class Mixed {
    final String name;
    final double[] xs;
    final List<String> tags;
    final int n;
    final Prims inner;
    final String missing;
    final long id;
    final Object any;

    Mixed(String name, double[] xs, List<String> tags, int n, Prims inner, long id, Object any) {
      this.name = name;
      this.xs = xs;
      this.tags = tags;
      this.n = n;
      this.inner = inner;
      this.missing = null;
      this.id = id;
      this.any = any;
    }
  }

  record Holder(int a, double b, Object value) {}

  private static final String[] TEXTS = {
    "", "SYM1", "memo ✓", "naïve", "\uD83D\uDE00 emoji", "lone \uD800 surrogate", null
  };

  static Object[] sample(int n) {
    List<Prims> prims = new ArrayList<>(n);
    List<Mixed> mixed = new ArrayList<>(n);
    for (int k = 0; k < n; k++) {
      float f = k % 7 == 0 ? Float.NaN : k % 11 == 0 ? -0.0f : k * 0.5f;
      double d = k % 5 == 0 ? Double.NaN : k % 13 == 0 ? -0.0 : k * 1.25;
      Prims p =
          new Prims(
              k % 2 == 0,
              (byte) (k - 128),
              (short) (k * 31),
              (char) ('a' + k % 26),
              k * 1_000_003,
              k * 10_000_000_019L,
              f,
              d,
              TEXTS[k % TEXTS.length]);
      prims.add(p);
      mixed.add(
          new Mixed(
              TEXTS[(k + 3) % TEXTS.length],
              new double[] {k, d},
              List.of("t" + k % 3),
              -k,
              p,
              k,
              k % 3 == 0 ? null : k % 3 == 1 ? (Object) ("s" + k) : (Object) k));
    }
    return new Object[] {prims, mixed, new Holder(1, 2.0, "three")};
  }

  static Object[] arrays(int n) {
    float[] fs = new float[n];
    double[] ds = new double[n];
    for (int k = 0; k < n; k++) {
      fs[k] = k % 7 == 0 ? Float.intBitsToFloat(0x7f800000 | k) : k % 11 == 0 ? -0.0f : k / 3f;
      ds[k] =
          k % 5 == 0 ? Double.longBitsToDouble(0xfff8000000000000L | k) : k % 13 == 0 ? -0.0 : k / 3.0;
    }
    return new Object[] {fs, ds};
  }

  @Test
  void manyRecordsAndObjectsKeepTheKeysOfTheWalkBeforeIt() {
    // Hashes computed with the encoder as it was before the field runs (commit 4a6b13a).
    assertThat(ArgsEncoder.hash(sample(7)))
        .isEqualTo("99e0e5ee71afa51830dcc718cc3ca18407a1488cd566c14f2bea9a78d6766f3b");
    assertThat(ArgsEncoder.hash(sample(5_000)))
        .isEqualTo("3297c92b777cdc03d08166f481eb1e79efa119c1a1190a6f05153f81d1def16e");
  }

  @Test
  void floatAndDoubleArraysAcrossManyChunksKeepTheirKeys() {
    // Each NaN is written as the one NaN of floatToIntBits / doubleToLongBits; 20,000 elements
    // span several 64 KiB chunks of the digest's buffer. Pinned by the encoder of commit 4a6b13a,
    // which copied arrays in bulk and rewrote NaNs after.
    assertThat(ArgsEncoder.hash(arrays(20_000)))
        .isEqualTo("0d09cea7da8ca4d7813774be588ed75535226dcde5dd2f01316ea9f291943e0b");
  }

  @Test
  void aRefusedValueAfterARunIsNamedByItsPath() {
    List<Holder> holders = new ArrayList<>();
    for (int k = 0; k < 300; k++) {
      holders.add(new Holder(k, k, "fine"));
    }
    holders.add(new Holder(-1, -1, new Object()));
    ArgumentKeyException e =
        catchThrowableOfType(
            ArgumentKeyException.class, () -> ArgsEncoder.hash(new Object[] {"x", holders}));
    assertThat(e.path()).isEqualTo("args[1][300].value");
    assertThat(e.getMessage()).contains("java.lang.Object at args[1][300].value is a bare");
  }

  @Test
  void aCycleThroughAnObjectFieldIsStillFound() {
    List<Object> loop = new ArrayList<>();
    loop.add(new Holder(1, 2, loop));
    ArgumentKeyException e =
        catchThrowableOfType(ArgumentKeyException.class, () -> ArgsEncoder.hash(new Object[] {loop}));
    assertThat(e.path()).isEqualTo("args[0][0].value");
    assertThat(e.getMessage())
        .contains("is reachable from itself (the same object is being encoded at args[0])");
  }
}
