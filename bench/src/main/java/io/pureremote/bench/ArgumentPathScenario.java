package io.pureremote.bench;

import io.pureremote.Keys;
import io.pureremote.bench.fns.BenchFns;
import io.pureremote.bench.fns.Trade;
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
import java.util.function.Consumer;
import java.util.function.Supplier;

/**
 * Scenario 4, the argument path of a miss on the caller: the canonical key ({@link
 * io.pureremote.Keys#argsHash}) and the Kryo payload of a large {@code double[]} and of a list of
 * small records, against the JDK's raw SHA-256 over the very bytes the key hashes, and against
 * java.io serialization of the same arguments. The payload is timed inside a real call, as a user
 * makes it ({@link PayloadProbe}: serialized, hashed and spooled, up to the invocation's write).
 */
final class ArgumentPathScenario {
  private ArgumentPathScenario() {}

  static void run(Bench b) {
    try (PayloadProbe probe = new PayloadProbe(false)) {
      // JIT warm-up on small inputs, so the big ones time compiled code.
      for (int i = 0; i < b.sizes.warmUps(3, 0); i++) {
        double[] small = doubles(512 * 1024);
        measure(null, "warm-up", new Object[] {small}, fns -> fns.length(small), probe, 1);
        List<Trade> few = Trade.sample(20_000, 7);
        measure(null, "warm-up", new Object[] {few}, fns -> fns.count(few), probe, 1);
      }
      Bench.settle();
      long bytes = b.sizes.doubleArrayBytes();
      double[] values = doubles((int) (bytes / Double.BYTES));
      measure(b, "4. args · double[] " + Sizes.bytes(bytes), new Object[] {values}, fns -> fns.length(values), probe,
          b.sizes.repeats());
      Bench.settle();
      int n = b.sizes.records();
      List<Trade> trades = Trade.sample(n, 11);
      measure(b, "4. args · " + Sizes.count(n) + " small records (List<Trade>)", new Object[] {trades},
          fns -> fns.count(trades), probe, b.sizes.repeats());
      Bench.settle();
    }
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
   * Times key, raw SHA-256, a call's payload and java.io for {@code args}, each the best of {@code
   * repeats}; adds rows unless {@code b} is null (warm-up). {@code call} is the call of a function
   * whose arguments are {@code args}. Drops each large buffer before the next step so the heap
   * holds at most the argument, one buffer being grown and its copy.
   */
  private static void measure(Bench b, String scenario, Object[] args, Consumer<BenchFns> call, PayloadProbe probe,
      int repeats) {
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
    measureSerialization(b, scenario, args, call, probe, repeats);
  }

  /** Times a call's payload and java.io for {@code args} and adds their rows. */
  private static void measureSerialization(Bench b, String scenario, Object[] args, Consumer<BenchFns> call,
      PayloadProbe probe, int repeats) {
    double spoolMs = Double.NaN;
    long invocationBytes = 0;
    String failure = "";
    try {
      // What a call does with its arguments before launching: Kryo, streamed through SHA-256 into a
      // spool (in memory up to its limit, then a temporary file) so the frame header can carry the
      // checksum; timed by the store, from the call's lease to its invocation's put.
      double best = Double.MAX_VALUE;
      for (int i = 0; i < repeats; i++) {
        PayloadProbe.Payload payload = probe.call(call);
        best = Math.min(best, payload.windowMillis());
        invocationBytes = payload.invocationBytes();
        Bench.settle();
      }
      spoolMs = best;
    } catch (RuntimeException e) {
      failure = "fails: " + e.getClass().getSimpleName();
      Bench.log("    the call's payload failed: %s", e);
    }
    Bench.settle();
    long[] javaSize = new long[1];
    double javaMs = best(repeats, () -> javaSize[0] = javaSerialize(args).length);
    Bench.settle();
    if (b == null) {
      return;
    }
    Bench.log("    invocation blob %,d bytes, java.io %,d bytes", invocationBytes, javaSize[0]);
    String label = "java.io ObjectOutputStream";
    b.table.add(new Row(scenario, "serialize + spool with checksum (a call's path), ms", spoolMs, javaMs, label, failure));
    b.table.add(new Row(scenario, "serialized size, MiB", failure.isEmpty() ? invocationBytes / (double) Sizes.MIB : Double.NaN,
        javaSize[0] / (double) Sizes.MIB, label));
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
