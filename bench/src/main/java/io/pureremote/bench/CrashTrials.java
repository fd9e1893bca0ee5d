package io.pureremote.bench;

import io.pureremote.MemoEntry;
import io.pureremote.PureRemote;
import io.pureremote.RemoteRuntime;
import io.pureremote.RuntimeOptions;
import io.pureremote.spi.BlobStore;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Optional;
import java.util.Random;
import java.util.SplittableRandom;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;

/**
 * Crash trials (issue 18), run by {@code bench/crash-trials}, never by the build: N trials, each
 * starting a caller JVM that makes 3 calls through the local shell (a child JVM per call), then
 * killing with {@code kill -9} the caller, one of its remote JVMs, or both, at a random point
 * (while the JVMs start, while a function runs, while a multi-MiB result is written). A fresh
 * caller then makes the same calls; the time it takes is the recovery time, and a caller that
 * has not finished within its deadline is a hang. At the end every memo entry of the root is
 * checked: frames (as {@code pureremote verify} does), and each result decoded and compared with
 * the value its arguments must give. Prints one line of figures; exits 1 when anything was
 * corrupt, wrong, hung or did not recover.
 *
 * <pre>
 *   CrashTrials trials &lt;N&gt; &lt;seed&gt; &lt;root folder&gt;
 *   CrashTrials caller &lt;root folder&gt; &lt;key&gt;...     (one caller; what a trial starts)
 * </pre>
 */
public final class CrashTrials {
  private CrashTrials() {}

  /** The function the trials call: a deterministic blob, after a pause. */
  public interface Blobs {
    /** {@code size} pseudo-random bytes from {@code seed}, after {@code sleepMs} ms. */
    @PureRemote(name = "crash-trials-blob", version = "1")
    byte[] blob(int seed, int sleepMs, int size);
  }

  /** The implementation; the remote side creates it by name. */
  public static final class BlobsImpl implements Blobs {
    /** Created by name on the remote side. */
    public BlobsImpl() {}

    @Override
    public byte[] blob(int seed, int sleepMs, int size) {
      try {
        Thread.sleep(sleepMs);
      } catch (InterruptedException e) {
        Thread.currentThread().interrupt();
      }
      return expected(seed, size);
    }
  }

  static byte[] expected(int seed, int size) {
    byte[] bytes = new byte[size];
    new SplittableRandom(seed).nextBytes(bytes);
    return bytes;
  }

  /** The arguments of key {@code k}: a seed, a pause up to 600 ms, 1 to 4 MiB. */
  static Object[] arguments(int k) {
    Random r = new Random(k * 7919L);
    return new Object[] {k, r.nextInt(600), (1 + r.nextInt(4)) << 20};
  }

  private static final String PIPELINE = "crash-trials";
  private static final Duration CALLER_DEADLINE = Duration.ofMinutes(3);
  private static final int KEYS_PER_TRIAL = 3;

  /** Runs the trials or one caller; see the class comment. */
  public static void main(String[] args) throws Exception {
    if (args.length >= 3 && args[0].equals("caller")) {
      System.exit(caller(Path.of(args[1]), Arrays.stream(args, 2, args.length).mapToInt(Integer::parseInt).toArray()));
    }
    if (args.length == 4 && args[0].equals("trials")) {
      System.exit(trials(Integer.parseInt(args[1]), Long.parseLong(args[2]), Path.of(args[3])) ? 0 : 1);
    }
    System.err.println("usage: CrashTrials trials <N> <seed> <root folder> | caller <root folder> <key>...");
    System.exit(2);
  }

  /** One caller: the keys' calls at once; exit 0 all right, 3 some call failed, 1 a wrong value. */
  private static int caller(Path root, int[] keys) throws Exception {
    try (BlobStore store = BlobStore.folder(root);
        RemoteRuntime runtime = RemoteRuntime.builder().blobStore(store).pipelineId(PIPELINE).shell("local")
            .progress(RuntimeOptions.Progress.OFF).build()) {
      Blobs blobs = runtime.create(Blobs.class, BlobsImpl.class);
      ExecutorService pool = Executors.newFixedThreadPool(keys.length);
      try {
        List<Future<byte[]>> calls = new ArrayList<>();
        for (int k : keys) {
          Object[] a = arguments(k);
          calls.add(pool.submit(() -> blobs.blob((int) a[0], (int) a[1], (int) a[2])));
        }
        int code = 0;
        for (int i = 0; i < keys.length; i++) {
          Object[] a = arguments(keys[i]);
          try {
            byte[] value = calls.get(i).get();
            if (!Arrays.equals(value, expected((int) a[0], (int) a[2]))) {
              System.out.println("WRONG " + keys[i]);
              return 1;
            }
          } catch (java.util.concurrent.ExecutionException e) {
            System.out.println("failed " + keys[i] + ": " + e.getCause());
            code = 3;
          }
        }
        return code;
      } finally {
        pool.shutdownNow();
      }
    }
  }

  private enum Victim { CALLER, REMOTE, BOTH }

  private static boolean trials(int n, long seed, Path root) throws Exception {
    Files.createDirectories(root);
    Random random = new Random(seed);
    int[] victims = new int[Victim.values().length];
    int hangs = 0;
    int notRecovered = 0;
    int killedCalls = 0;
    List<Long> recoveryMs = new ArrayList<>();
    for (int t = 0; t < n; t++) {
      int[] keys = new int[KEYS_PER_TRIAL];
      for (int i = 0; i < keys.length; i++) {
        keys[i] = t * KEYS_PER_TRIAL + i;
      }
      Victim victim = Victim.values()[random.nextInt(3)];
      victims[victim.ordinal()]++;
      int delayMs = random.nextInt(2500);
      Process first = start(root, keys);
      List<ProcessHandle> remotes = kill(first, victim, delayMs, random);
      String firstEnd;
      if (!first.waitFor(CALLER_DEADLINE.toSeconds(), TimeUnit.SECONDS)) {
        hangs++;
        first.destroyForcibly();
        firstEnd = "hung";
      } else {
        firstEnd = first.exitValue() == 0 ? "all calls returned" : "exit " + first.exitValue();
        if (first.exitValue() != 0) {
          killedCalls++;
        }
      }
      // Orphaned remotes (their caller killed) run on; they are not this JVM's children any more.
      Instant started = Instant.now();
      Process again = start(root, keys);
      boolean ended = again.waitFor(CALLER_DEADLINE.toSeconds(), TimeUnit.SECONDS);
      long ms = Duration.between(started, Instant.now()).toMillis();
      if (!ended) {
        hangs++;
        again.destroyForcibly();
        System.out.println("trial " + t + ": the recovering caller hung");
      } else if (again.exitValue() != 0) {
        notRecovered++;
        System.out.println("trial " + t + ": the recovering caller exited " + again.exitValue() + " (see " + log(root)
            + ")");
      } else {
        recoveryMs.add(ms);
      }
      for (ProcessHandle r : remotes) {
        r.onExit().get(CALLER_DEADLINE.toSeconds(), TimeUnit.SECONDS);
      }
      System.out.printf("trial %d: killed %s after %d ms; first caller: %s; the next caller took %d ms%n", t,
          victim.name().toLowerCase(java.util.Locale.ROOT), delayMs, firstEnd, ms);
    }

    // The integrity check: every entry's frames, and every result against its arguments.
    int entries = 0;
    int results = 0;
    int corrupt = 0;
    int wrong = 0;
    int staleLeases = 0;
    ClassLoader loader = CrashTrials.class.getClassLoader();
    try (BlobStore store = BlobStore.folder(root)) {
      for (MemoEntry entry : MemoEntry.all(store, PIPELINE)) {
        entries++;
        for (MemoEntry.Problem p : entry.check().problems()) {
          corrupt++;
          System.out.println("CORRUPT " + entry.uri() + "/" + p.blob() + ": " + p.detail());
        }
        if (entry.leaseStale(Instant.now())) {
          staleLeases++;
        }
        Optional<MemoEntry.Result> result;
        try {
          result = entry.result(loader);
        } catch (RuntimeException e) {
          corrupt++;
          System.out.println("CORRUPT " + entry.uri() + "/result: " + e);
          continue;
        }
        if (result.isPresent()) {
          results++;
          Object[] a = entry.arguments(loader).orElseThrow();
          if (!Arrays.equals((byte[]) result.get().value(), expected((int) a[0], (int) a[2]))) {
            wrong++;
            System.out.println("WRONG " + entry.uri() + "/result");
          }
        }
      }
    }
    List<Long> sorted = recoveryMs.stream().sorted().toList();
    String recovery = sorted.isEmpty() ? "none" : "median " + sorted.get(sorted.size() / 2) + " ms, max "
        + sorted.get(sorted.size() - 1) + " ms";
    System.out.printf("crash trials (seed %d): %d trials (killed: caller %d, remote %d, both %d; %d first callers"
        + " failed or died), %d entries, %d results, %d corrupt, %d wrong, %d hangs, %d not recovered,"
        + " %d stale leases; recovery (a new caller making the same 3 calls): %s%n", seed, n,
        victims[0], victims[1], victims[2], killedCalls, entries, results, corrupt, wrong, hangs, notRecovered,
        staleLeases, recovery);
    return corrupt == 0 && wrong == 0 && hangs == 0 && notRecovered == 0 && results == n * KEYS_PER_TRIAL;
  }

  private static Process start(Path root, int[] keys) throws IOException {
    List<String> command = new ArrayList<>(List.of(ProcessHandle.current().info().command().orElse("java"),
        "-cp", System.getProperty("java.class.path"), "-XX:TieredStopAtLevel=1", "-XX:+UseSerialGC",
        CrashTrials.class.getName(), "caller", root.toString()));
    for (int k : keys) {
      command.add(Integer.toString(k));
    }
    // Callers and their remotes log to one file beside the root, so no pipe fills and blocks them.
    return new ProcessBuilder(command).redirectErrorStream(true)
        .redirectOutput(ProcessBuilder.Redirect.appendTo(log(root).toFile())).start();
  }

  private static Path log(Path root) {
    return root.resolveSibling(root.getFileName() + ".log");
  }

  /**
   * Kills the victim {@code delayMs} after the caller started (a remote: after one appeared, up to
   * 20 s) and returns the caller's remotes that were left running, to wait for.
   */
  private static List<ProcessHandle> kill(Process caller, Victim victim, int delayMs, Random random)
      throws InterruptedException {
    if (victim == Victim.CALLER) {
      Thread.sleep(delayMs);
      List<ProcessHandle> remotes = caller.descendants().toList();
      caller.destroyForcibly();
      return remotes;
    }
    long giveUp = System.nanoTime() + TimeUnit.SECONDS.toNanos(20);
    List<ProcessHandle> remotes = caller.descendants().toList();
    while (remotes.isEmpty() && caller.isAlive() && System.nanoTime() < giveUp) {
      Thread.sleep(5);
      remotes = caller.descendants().toList();
    }
    Thread.sleep(delayMs / 2);
    remotes = caller.descendants().toList();
    if (!remotes.isEmpty()) {
      remotes.get(random.nextInt(remotes.size())).destroyForcibly();
    }
    List<ProcessHandle> left = caller.descendants().toList();
    if (victim == Victim.BOTH) {
      caller.destroyForcibly();
    }
    return left;
  }
}
