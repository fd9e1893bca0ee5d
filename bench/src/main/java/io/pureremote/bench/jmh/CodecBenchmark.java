package io.pureremote.bench.jmh;

import io.pureremote.bench.fns.Trade;
import io.pureremote.MemoEntry;
import io.pureremote.bench.PayloadProbe;
import java.io.ByteArrayInputStream;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.ObjectInputStream;
import java.io.ObjectOutputStream;
import java.util.ArrayList;
import java.util.List;
import java.util.SplittableRandom;
import java.util.concurrent.TimeUnit;
import java.util.function.Consumer;
import org.openjdk.jmh.annotations.Benchmark;
import org.openjdk.jmh.annotations.BenchmarkMode;
import org.openjdk.jmh.annotations.Fork;
import org.openjdk.jmh.annotations.Measurement;
import org.openjdk.jmh.annotations.Mode;
import org.openjdk.jmh.annotations.OutputTimeUnit;
import org.openjdk.jmh.annotations.Param;
import org.openjdk.jmh.annotations.Scope;
import org.openjdk.jmh.annotations.Setup;
import org.openjdk.jmh.annotations.State;
import org.openjdk.jmh.annotations.TearDown;
import org.openjdk.jmh.annotations.Warmup;

/**
 * The payload (Kryo, with its class allowlist) as a user's call writes it and a reader decodes it,
 * through the public API only, against java.io serialization of the same arguments. {@link
 * #callWrite} is a whole miss on the caller up to its launch ({@link PayloadProbe}: the key, the
 * lookup and the lease, then Kryo streamed through SHA-256 into a spool, into a store that
 * counts the invocation and drops it); {@link #entryRead} decodes a stored invocation's arguments
 * ({@link MemoEntry#arguments}: the frame read from the store, its checksum checked, Kryo); the
 * store is in memory, so neither times a store's I/O.
 * Run with {@code bench/run jmh CodecBenchmark}.
 */
@State(Scope.Benchmark)
@BenchmarkMode(Mode.AverageTime)
@OutputTimeUnit(TimeUnit.MICROSECONDS)
@Warmup(iterations = 3, time = 1)
@Measurement(iterations = 5, time = 1)
@Fork(value = 1, jvmArgsAppend = {"-Xmx2g"})
public class CodecBenchmark {
  /** What the argument is: a double[] of 1 MiB, or a list of 10,000 small records. */
  @Param({"doubles-1MiB", "records-10k"})
  public String shape;

  private PayloadProbe writer;
  private PayloadProbe reader;
  private MemoEntry stored;
  private Consumer<io.pureremote.bench.fns.BenchFns> call;
  private Object[] args;
  private byte[] javaBytes;

  @Setup
  public void setUp() throws IOException {
    args = switch (shape) {
      case "doubles-1MiB" -> {
        SplittableRandom random = new SplittableRandom(1);
        double[] a = new double[(1 << 20) / Double.BYTES];
        for (int i = 0; i < a.length; i++) {
          a[i] = random.nextDouble();
        }
        yield new Object[] {a};
      }
      // ArrayList, not List.copyOf: java.io cannot deserialize every JDK-internal list class.
      case "records-10k" -> new Object[] {new ArrayList<>(Trade.sample(10_000, 5))};
      default -> throw new IllegalArgumentException(shape);
    };
    Object arg = args[0];
    call = arg instanceof double[] values ? fns -> fns.length(values) : fns -> fns.count(trades(arg));
    writer = new PayloadProbe(false);
    reader = new PayloadProbe(true);
    reader.call(call);
    stored = reader.entry();
    javaBytes = javaWrite();
  }

  @SuppressWarnings("unchecked")
  private static List<Trade> trades(Object arg) {
    return (List<Trade>) arg;
  }

  @TearDown
  public void tearDown() {
    writer.close();
    reader.close();
  }

  @Benchmark
  public PayloadProbe.Payload callWrite() {
    return writer.call(call);
  }

  @Benchmark
  public byte[] javaWrite() throws IOException {
    ByteArrayOutputStream bytes = new ByteArrayOutputStream();
    try (ObjectOutputStream out = new ObjectOutputStream(bytes)) {
      out.writeObject(args);
    }
    return bytes.toByteArray();
  }

  @Benchmark
  public Object entryRead() {
    return stored.arguments(CodecBenchmark.class.getClassLoader()).orElseThrow();
  }

  @Benchmark
  public Object javaRead() throws IOException, ClassNotFoundException {
    try (ObjectInputStream in = new ObjectInputStream(new ByteArrayInputStream(javaBytes))) {
      return in.readObject();
    }
  }
}
