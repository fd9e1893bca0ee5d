package io.pureremote.bench.jmh;

import io.pureremote.bench.fns.Trade;
import io.pureremote.Keys;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
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
 * The canonical key ({@link Keys#argsHash}) against a raw {@link MessageDigest} SHA-256 over
 * the very bytes the key hashes (the canonical encoding, computed once in setup): what the
 * encoding walk costs on top of hashing. Run with {@code bench/run jmh ArgsHashBenchmark}.
 */
@State(Scope.Benchmark)
@BenchmarkMode(Mode.AverageTime)
@OutputTimeUnit(TimeUnit.MICROSECONDS)
@Warmup(iterations = 3, time = 1)
@Measurement(iterations = 5, time = 1)
@Fork(value = 1, jvmArgsAppend = {"-Xmx2g"})
public class ArgsHashBenchmark {
  /** What the argument is: a double[] of 1 MiB, or a list of 10,000 small records. */
  @Param({"doubles-1MiB", "records-10k"})
  public String shape;

  private Object[] args;
  private byte[] encoding;

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
      case "records-10k" -> new Object[] {List.copyOf(Trade.sample(10_000, 5))};
      default -> throw new IllegalArgumentException(shape);
    };
    ByteArrayOutputStream out = new ByteArrayOutputStream();
    Keys.writeCanonical(out, args);
    encoding = out.toByteArray();
  }

  /** The library's key: encode canonically and hash, streamed through a 64 KiB buffer. */
  @Benchmark
  public String argsEncoderHash() {
    return Keys.argsHash(args);
  }

  /** The floor: SHA-256 of the same bytes, already in one array. */
  @Benchmark
  public byte[] rawSha256() throws NoSuchAlgorithmException {
    return MessageDigest.getInstance("SHA-256").digest(encoding);
  }
}
