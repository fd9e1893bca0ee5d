package io.pureremote.bench;

/**
 * How much work each scenario does: {@code --smoke} (CI: seconds, proves the harness runs),
 * {@code --quick} (under 3 minutes) or the full run (under about 15 minutes on 2 cores).
 *
 * @param name smoke, quick or full
 * @param warmUp whether to warm the JIT up before timing (off for the smoke run only)
 * @param fileHits memo hits timed against FileBlobStore
 * @param s3Hits memo hits timed against S3Proxy
 * @param doubleArrayBytes size of the {@code double[]} argument
 * @param records number of small records in the list argument
 * @param repeats timed repetitions of each argument-path operation (the best is reported)
 * @param inProcessMisses distinct-key misses through the in-process shell
 * @param subprocessMisses misses through the child-JVM shell (and as many bare JVM starts)
 * @param largeInputBytes size of the BlobRef input
 * @param k8sCalls sequential calls through KubernetesShell (scenario 2)
 * @param k8sFanOut concurrent calls through KubernetesShell (scenario 3)
 */
public record Sizes(
    String name,
    boolean warmUp,
    int fileHits,
    int s3Hits,
    long doubleArrayBytes,
    int records,
    int repeats,
    int inProcessMisses,
    int subprocessMisses,
    long largeInputBytes,
    int k8sCalls,
    int k8sFanOut) {

  static final long MIB = 1L << 20;

  /** Tiny sizes for the JUnit smoke test: every row, no meaningful timings. */
  public static Sizes smoke() {
    return new Sizes("smoke", false, 50, 20, MIB, 10_000, 1, 20, 1, 4 * MIB, 10, 50);
  }

  /** The {@code --quick} run. */
  public static Sizes quick() {
    return new Sizes("quick", true, 1_000, 200, 64 * MIB, 100_000, 3, 200, 3, 128 * MIB, 100, 500);
  }

  /** The full run. */
  public static Sizes full() {
    return new Sizes("full", true, 5_000, 1_000, 1024 * MIB, 1_000_000, 2, 1_000, 10, 1024 * MIB, 1_000, 10_000);
  }

  /** Warm-up rounds: {@code rounds} normally, {@code smoke} in the smoke run. */
  int warmUps(int rounds, int smoke) {
    return warmUp ? rounds : smoke;
  }

  /** {@code 64 MiB}, {@code 1 GiB}. */
  static String bytes(long n) {
    if (n >= 1L << 30 && n % (1L << 30) == 0) {
      return (n >> 30) + " GiB";
    }
    if (n >= MIB && n % MIB == 0) {
      return (n >> 20) + " MiB";
    }
    return n + " B";
  }

  /** {@code 1M}, {@code 100k}. */
  static String count(long n) {
    if (n >= 1_000_000 && n % 1_000_000 == 0) {
      return (n / 1_000_000) + "M";
    }
    if (n >= 1_000 && n % 1_000 == 0) {
      return (n / 1_000) + "k";
    }
    return Long.toString(n);
  }
}
