package io.pureremote.bench;

import io.pureremote.spi.Shell.LaunchRequest;
import io.pureremote.RemoteRuntime;
import io.pureremote.bench.fns.BenchFns;
import io.pureremote.bench.fns.BenchFnsImpl;
import io.pureremote.spi.BlobStore;
import io.pureremote.spi.Shell;
import java.io.IOException;
import java.lang.management.ManagementFactory;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;

/**
 * Scenario 5, miss overhead for small arguments: (a) through the in-process shell, against the
 * least I/O any blob-store memo needs for a miss (write the invocation, write the result, read it
 * back) done with plain {@code java.nio.file} calls and the same bytes; (b) through the child-JVM
 * shell, against a bare {@code java -cp <same class path> io.pureremote.RemoteMain} start that exits
 * at once (64, bad usage): the difference is the library's work beyond starting a JVM.
 */
final class MissOverheadScenario {
  private MissOverheadScenario() {}

  static void run(Bench b) throws Exception {
    inProcess(b);
    subprocess(b);
  }

  private static void inProcess(Bench b) throws Exception {
    String scenario = "5. miss · in-process shell, FileBlobStore";
    int n = b.sizes.inProcessMisses();
    BlobStore raw = BlobStore.folder(b.folder("miss-inprocess"));
    CountingBlobStore store = new CountingBlobStore(raw);
    Path plain = b.folder("miss-inprocess-plain");
    try (Shell shell = Shell.inProcess(store);
        RemoteRuntime runtime = RemoteRuntime.builder().blobStore(store).shell(shell).pipelineId("bench").build()) {
      BenchFns fns = runtime.create(BenchFns.class, BenchFnsImpl.class);
      // Warm-up misses on keys the timed part never uses.
      for (int i = 1; i <= b.sizes.warmUps(Math.max(50, n / 5), 5); i++) {
        fns.square(-i);
      }
      // The baseline writes the very bytes a miss writes: a real invocation and result.
      String someInvocation = raw.list("pureremote/v1/bench/").stream().filter(k -> k.endsWith("/invocation"))
          .findFirst().orElseThrow();
      byte[] invocation = raw.getBytes(someInvocation).orElseThrow();
      byte[] result = raw.getBytes(someInvocation.replace("/invocation", "/result")).orElseThrow();
      for (int i = 0; i < b.sizes.warmUps(50, 5); i++) {
        plainMiss(plain.resolve("w" + i), invocation, result);
      }
      Bench.settle();
      store.reset();
      Samples calls = new Samples(n);
      Samples baseline = new Samples(n);
      long sink = 0;
      for (int i = 1; i <= n; i++) {
        long t0 = System.nanoTime();
        sink += fns.square(i);
        long t1 = System.nanoTime();
        sink += plainMiss(plain.resolve(Integer.toString(i)), invocation, result);
        long t2 = System.nanoTime();
        calls.add(t1 - t0);
        baseline.add(t2 - t1);
      }
      Bench.sink(sink);
      Bench.log("    store requests over %d misses (caller + in-process executor): %s", n, store.snapshot());
      String label = "java.nio.file: write invocation, write result, read result";
      b.row(scenario, "time per call p50 (µs)", Samples.micros(calls.percentile(50)), Samples.micros(baseline.percentile(50)), label);
      b.row(scenario, "time per call p99 (µs)", Samples.micros(calls.percentile(99)), Samples.micros(baseline.percentile(99)), label);
      b.row(scenario, "store requests per miss (caller + executor)", (double) store.requests() / n, 3,
          "write + write + read");
    }
  }

  /** The least a blob-store memo must do for a miss: store the invocation and the result, read it. */
  private static long plainMiss(Path dir, byte[] invocation, byte[] result) throws IOException {
    Files.createDirectories(dir);
    Files.write(dir.resolve("invocation"), invocation);
    Files.write(dir.resolve("result"), result);
    return Files.readAllBytes(dir.resolve("result")).length;
  }

  private static void subprocess(Bench b) throws Exception {
    String scenario = "5. miss · child-JVM shell (LocalProcessShell), FileBlobStore";
    int n = b.sizes.subprocessMisses();
    BlobStore store = BlobStore.folder(b.folder("miss-subprocess"));
    // The same command the local shell runs by default (docs/getting-started.md: this JVM's java and
    // class path, plus the Unsafe flag on JDK 24+), without arguments: usage error, exit 64 right
    // after JVM start.
    String java = ProcessHandle.current().info().command()
        .orElseGet(() -> Path.of(System.getProperty("java.home"), "bin", "java").toString());
    String classpath = System.getProperty("java.class.path");
    List<String> bare = new ArrayList<>(List.of(java));
    if (Runtime.version().feature() >= 24) {
      bare.add("--sun-misc-unsafe-memory-access=allow");
    }
    bare.addAll(List.of("-cp", classpath, LaunchRequest.MAIN_CLASS));
    Map<String, Object> options = Map.of("java", java, "classpath", classpath, "stream-output", false);
    Map<String, Object> noArchive = new java.util.HashMap<>(options);
    noArchive.put("class-data-sharing", false);
    com.sun.management.OperatingSystemMXBean os =
        (com.sun.management.OperatingSystemMXBean) ManagementFactory.getOperatingSystemMXBean();
    try (Shell shell = Shell.create("local", options);
        Shell plainShell = Shell.create("local", noArchive);
        RemoteRuntime runtime = RemoteRuntime.builder().blobStore(store).shell(shell).pipelineId("bench").build();
        RemoteRuntime plain = RemoteRuntime.builder().blobStore(store).shell(plainShell).pipelineId("bench-plain")
            .build()) {
      BenchFns fns = runtime.create(BenchFns.class, BenchFnsImpl.class);
      BenchFns plainFns = plain.create(BenchFns.class, BenchFnsImpl.class);
      if (b.sizes.warmUp()) {
        // warm-up: page cache for the class path, the caller's code paths; the first child on a
        // class path of jars also writes the class-data sharing archive the later ones start from
        fns.square(-1);
        plainFns.square(-1);
        bareStart(bare);
      }
      Samples calls = new Samples(n);
      Samples plainCalls = new Samples(n);
      Samples starts = new Samples(n);
      long callCpu = 0;
      long startCpu = 0;
      for (int i = 1; i <= n; i++) {
        long c0 = os.getProcessCpuTime();
        long t0 = System.nanoTime();
        bareStart(bare);
        long t1 = System.nanoTime();
        long c1 = os.getProcessCpuTime();
        long x = fns.square(i);
        long t2 = System.nanoTime();
        long c2 = os.getProcessCpuTime();
        long y = plainFns.square(i);
        long t3 = System.nanoTime();
        if (x != (long) i * i || y != x) {
          throw new IllegalStateException("square(" + i + ") returned " + x + " and " + y);
        }
        starts.add(t1 - t0);
        calls.add(t2 - t1);
        plainCalls.add(t3 - t2);
        startCpu += c1 - c0;
        callCpu += c2 - c1;
      }
      String label = "bare `java -cp <same> RemoteMain` start, exits 64";
      double callP50 = Samples.millis(calls.percentile(50));
      double startP50 = Samples.millis(starts.percentile(50));
      b.row(scenario, "wall time per call p50 (ms)", callP50, startP50, label);
      b.row(scenario, "beyond the JVM start, p50 (ms)", callP50 - startP50,
          Samples.millis(plainCalls.percentile(50)) - startP50, "the same misses with class-data-sharing = false");
      b.row(scenario, "caller CPU per call (ms)", Samples.millis((double) callCpu / n), Samples.millis((double) startCpu / n),
          "caller CPU to spawn and reap the bare start");
    }
  }

  private static void bareStart(List<String> command) throws IOException, InterruptedException {
    Process p = new ProcessBuilder(command).redirectOutput(ProcessBuilder.Redirect.DISCARD)
        .redirectError(ProcessBuilder.Redirect.DISCARD).start();
    int code = p.waitFor();
    if (code != 64) {
      throw new IllegalStateException("bare RemoteMain start exited " + code + ", expected 64 (usage): " + command);
    }
  }
}
