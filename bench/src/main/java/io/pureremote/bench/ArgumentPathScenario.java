package io.pureremote.bench;

import io.pureremote.Keys;
import io.pureremote.bench.fns.Trade;
import io.pureremote.internal.KryoCodec;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.ObjectOutputStream;
import java.io.OutputStream;
import java.io.UncheckedIOException;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.Arrays;
import java.util.HexFormat;
import java.util.List;
import java.util.Locale;
import java.util.SplittableRandom;
import java.util.function.Supplier;

/**
 * Scenario 4, the argument path of a miss on the caller: the canonical key ({@link
 * io.pureremote.Keys#argsHash}) and the Kryo payload ({@link KryoCodec#write(Object, java.io.OutputStream)}, streamed, and
 * spooled as a call does) of a large {@code double[]}
 * and of a list of small records, against the JDK's raw SHA-256 over the very bytes the key
 * hashes, and against java.io serialization of the same arguments.
 */
final class ArgumentPathScenario {
  private ArgumentPathScenario() {}

  static void run(Bench b) {
    KryoCodec codec = new KryoCodec(List.of(Trade.class.getPackageName()), ArgumentPathScenario.class.getClassLoader());
    // JIT warm-up on small inputs, so the big ones time compiled code.
    for (int i = 0; i < b.sizes.warmUps(3, 0); i++) {
      measure(null, "warm-up", new Object[] {doubles(512 * 1024)}, codec, 1);
      measure(null, "warm-up", new Object[] {Trade.sample(20_000, 7)}, codec, 1);
    }
    Bench.settle();
    long bytes = b.sizes.doubleArrayBytes();
    measure(b, "4. args · double[] " + Sizes.bytes(bytes),
        new Object[] {doubles((int) (bytes / Double.BYTES))}, codec, b.sizes.repeats());
    Bench.settle();
    int n = b.sizes.records();
    measure(b, "4. args · " + Sizes.count(n) + " small records (List<Trade>)", new Object[] {Trade.sample(n, 11)},
        codec, b.sizes.repeats());
    Bench.settle();
  }

  private static double[] doubles(int n) {
    SplittableRandom random = new SplittableRandom(3);
    double[] a = new double[n];
    for (int i = 0; i < n; i++) {
      a[i] = random.nextDouble();
    }
    return a;
  }

  /**
   * Times key, raw SHA-256, Kryo and java.io for {@code args}, each the best of {@code repeats};
   * adds rows unless {@code b} is null (warm-up). Drops each large buffer before the next step so
   * the heap holds at most the argument, one buffer being grown and its copy.
   *
   * @return whether {@link KryoCodec#write} failed (its row then says why)
   */
  private static boolean measure(Bench b, String scenario, Object[] args, KryoCodec codec, int repeats) {
    // The bytes the key hashes, produced once outside the timing, in an exactly-sized buffer.
    byte[][] encoding = {canonicalEncoding(args)};
    String[] key = new String[1];
    double keyMs = best(repeats, () -> key[0] = Keys.argsHash(args));
    byte[][] digest = new byte[1][];
    double shaMs = best(repeats, () -> digest[0] = sha256().digest(encoding[0]));
    if (!HexFormat.of().formatHex(digest[0]).equals(key[0])) {
      throw new IllegalStateException("the canonical key is not the SHA-256 of the canonical encoding");
    }
    long encodedBytes = encoding[0].length;
    encoding[0] = null;
    digest[0] = null;
    Bench.settle();
    if (b != null) {
      b.row(scenario, "canonical key (Keys.argsHash), ms", keyMs, shaMs,
          String.format(Locale.ROOT, "MessageDigest SHA-256 of the same %,d encoded bytes", encodedBytes));
    }
    return !measureSerialization(b, scenario, args, codec, repeats);
  }

  /** Times Kryo and java.io for {@code args} and adds their rows; false when Kryo failed. */
  private static boolean measureSerialization(Bench b, String scenario, Object[] args, KryoCodec codec, int repeats) {
    long[] kryoSize = new long[1];
    double kryoMs;
    String kryoFailure = "";
    try {
      kryoMs = best(repeats, () -> kryoSize[0] = countKryo(codec, args));
    } catch (RuntimeException e) {
      kryoMs = Double.NaN;
      kryoFailure = "fails: " + e.getClass().getSimpleName();
      Bench.log("    KryoCodec.write failed: %s", e);
    }
    Bench.settle();
    double spoolMs = Double.NaN;
    if (kryoFailure.isEmpty()) {
      // What a call does with the payload: spooled (in memory up to the limit, then a temp file)
      // so the frame header can carry its checksum.
      spoolMs = best(repeats, () -> {
        try (io.pureremote.internal.Spool spool = codec.spool(args)) {
          return spool.length();
        }
      });
      Bench.settle();
    }
    long[] javaSize = new long[1];
    double javaMs = best(repeats, () -> javaSize[0] = javaSerialize(args).length);
    Bench.settle();
    if (b == null) {
      return kryoFailure.isEmpty();
    }
    Bench.log("    Kryo %,d bytes, java.io %,d bytes", kryoSize[0], javaSize[0]);
    String label = "java.io ObjectOutputStream";
    b.table.add(new Row(scenario, "serialize (KryoCodec.write, streamed), ms", kryoMs, javaMs, label, kryoFailure));
    b.table.add(new Row(scenario, "serialize + spool with checksum (a call's path), ms", spoolMs, javaMs, label, kryoFailure));
    b.table.add(new Row(scenario, "serialized size, MiB", kryoFailure.isEmpty() ? kryoSize[0] / (double) Sizes.MIB : Double.NaN,
        javaSize[0] / (double) Sizes.MIB, label));
    return kryoFailure.isEmpty();
  }

  /** Best (smallest) wall time of {@code repeats} runs, in milliseconds. */
  private static double best(int repeats, Supplier<?> work) {
    long best = Long.MAX_VALUE;
    for (int i = 0; i < repeats; i++) {
      long t0 = System.nanoTime();
      Object result = work.get();
      long t = System.nanoTime() - t0;
      best = Math.min(best, t);
      Bench.sink(result);
    }
    return best / 1_000_000.0;
  }

  static byte[] canonicalEncoding(Object[] args) {
    ExactSink sink = new ExactSink();
    try {
      Keys.writeCanonical(sink.counting(), args);
      sink.allocate();
      Keys.writeCanonical(sink, args);
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
    return sink.bytes();
  }

  /** Kryo's streaming write into a counter: the serializer's own cost, no buffer. */
  static long countKryo(KryoCodec codec, Object value) {
    long[] count = new long[1];
    codec.write(value, new OutputStream() {
      @Override
      public void write(int b) {
        count[0]++;
      }

      @Override
      public void write(byte[] b, int off, int len) {
        count[0] += len;
      }
    });
    return count[0];
  }

  static byte[] javaSerialize(Object value) {
    ByteArrayOutputStream bytes = new ByteArrayOutputStream();
    try (ObjectOutputStream out = new ObjectOutputStream(bytes)) {
      out.writeObject(value);
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
    return bytes.toByteArray();
  }

  static MessageDigest sha256() {
    try {
      return MessageDigest.getInstance("SHA-256");
    } catch (NoSuchAlgorithmException e) {
      throw new IllegalStateException(e);
    }
  }

  /** Encodes twice: once to count, once into an array of exactly that size (no 2× growth). */
  private static final class ExactSink extends OutputStream {
    private long counted;
    private byte[] buffer;
    private int position;

    OutputStream counting() {
      return new OutputStream() {
        @Override
        public void write(int b) {
          counted++;
        }

        @Override
        public void write(byte[] b, int off, int len) {
          counted += len;
        }
      };
    }

    void allocate() {
      if (counted > Integer.MAX_VALUE - 16) {
        throw new IllegalStateException("encoding of " + counted + " bytes does not fit one array");
      }
      buffer = new byte[(int) counted];
    }

    @Override
    public void write(int b) {
      buffer[position++] = (byte) b;
    }

    @Override
    public void write(byte[] b, int off, int len) {
      System.arraycopy(b, off, buffer, position, len);
      position += len;
    }

    byte[] bytes() {
      return position == buffer.length ? buffer : Arrays.copyOf(buffer, position);
    }
  }
}
