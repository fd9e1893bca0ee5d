package io.pureremote.bench.jmh;

import io.pureremote.bench.fns.Trade;
import io.pureremote.internal.KryoCodec;
import java.io.ByteArrayInputStream;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.ObjectInputStream;
import java.io.ObjectOutputStream;
import java.util.ArrayList;
import java.util.List;
import java.util.SplittableRandom;
import java.util.concurrent.TimeUnit;
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
import org.openjdk.jmh.annotations.Warmup;

/**
 * {@link KryoCodec} (the payload format, with its class allowlist) against java.io serialization
 * of the same arguments, writing and reading. Run with {@code bench/run jmh CodecBenchmark}.
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

  private KryoCodec codec;
  private Object[] args;
  private byte[] kryoBytes;
  private byte[] javaBytes;

  @Setup
  public void setUp() throws IOException {
    codec = new KryoCodec(List.of(Trade.class.getPackageName()), CodecBenchmark.class.getClassLoader());
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
    kryoBytes = codec.write(args);
    javaBytes = javaWrite();
  }

  @Benchmark
  public byte[] kryoWrite() {
    return codec.write(args);
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
  public Object kryoRead() {
    return codec.read(kryoBytes);
  }

  @Benchmark
  public Object javaRead() throws IOException, ClassNotFoundException {
    try (ObjectInputStream in = new ObjectInputStream(new ByteArrayInputStream(javaBytes))) {
      return in.readObject();
    }
  }
}
