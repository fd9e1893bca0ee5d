package io.pureremote.bench;

import io.pureremote.CallOptions;
import io.pureremote.RemoteRuntime;
import io.pureremote.bench.fns.BenchFns;
import io.pureremote.bench.fns.BenchFnsImpl;
import io.pureremote.k8s.KubernetesShell;
import io.pureremote.k8s.KubernetesShellOptions;
import io.pureremote.spi.BlobStore;
import io.pureremote.spi.Shell;
import java.lang.management.ManagementFactory;
import java.lang.management.MemoryMXBean;
import java.lang.management.ThreadMXBean;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.concurrent.atomic.AtomicLong;
import java.util.stream.LongStream;

/**
 * Scenarios 2 and 3: calls through {@link KubernetesShell} against a fake cluster in its own JVM
 * (the fabric8 mock API server; k8s-shell's fake kubelet completing Jobs for scenario 2, a fast
 * one-write-per-Job controller for scenario 3; each Job's {@code RemoteMain} runs in that JVM, see
 * {@link BenchClusterMain}), so what is measured is the shell's API traffic and
 * the caller's resources, not pod start-up.
 */
final class KubernetesScenarios {
  /** Where the fake kubelet (the process-kubelet fixture: pods, status transitions) runs Jobs: scenario 2. */
  static final String KUBELET_NAMESPACE = "bench";

  /** Where the fast Job controller (one status write per Job) runs Jobs: scenario 3. */
  static final String FAST_NAMESPACE = "bench-fast";

  /** The baseline's poll interval: Metaflow's first interval (shared/reference/peers.md). */
  static final Duration NAIVE_POLL = Duration.ofMillis(500);

  /**
   * The shell's API rate limit (requests per second, and burst) in scenario 2: above the default
   * 20/s, and about what the fake kubelet sustains on 2 cores. Faster, its own requests time out
   * and it drops Jobs (it does not retry), which would hang the calls.
   */
  static final int API_QPS = 60;

  /** The same for scenario 3, whose fast fixture costs the mock server a third as much per Job. */
  static final int FAN_OUT_QPS = 100;

  /** Calls in flight at once in scenario 2, for the shell and the baseline alike. */
  static final int API_LOAD_CONCURRENCY = 50;

  /**
   * A call that has not ended by then fails (a Job the fixture dropped), so the run cannot hang;
   * generous, as the fan-out's last Job is created only after n ÷ (the fixture's rate) seconds.
   */
  static final Duration CALL_TIMEOUT = Duration.ofMinutes(30);

  private KubernetesScenarios() {}

  /**
   * The shell's settings for the bench: the fixtures' in-process image; an API rate from above;
   * finished Jobs deleted after 5 s (by the fake cluster's TTL controller), as a big fan-out would
   * set it, so the mock's store stays small; pod logs followed for 1% of calls, as the shell's
   * docs advise for big fan-outs (the logs are empty here, but following them is API traffic).
   * One Job per call (batching off): scenario 2's batched row turns it on for a shell of its own.
   */
  static KubernetesShellOptions options(String namespace, int qps) {
    return KubernetesShellOptions.builder().namespace(namespace).image(FakeCluster.IN_PROCESS_IMAGE)
        .apiRate(qps, qps).ttlAfterFinished(Duration.ofSeconds(5)).logSampleFraction(0.01).batching(false).build();
  }

  private static RemoteRuntime runtime(BlobStore store, Shell shell, int maxConcurrentCalls) {
    return RemoteRuntime.builder().sharedFolder(true).blobStore(store).shell(shell).pipelineId("bench")
        .maxConcurrentCalls(maxConcurrentCalls).defaults(CallOptions.builder().timeout(CALL_TIMEOUT).build()).build();
  }

  /** Scenario 2: N calls through the shell vs the same N through a naive per-Job poll loop. */
  static void apiLoad(Bench b) throws Exception {
    int n = b.sizes.k8sCalls();
    int concurrency = Math.min(n, API_LOAD_CONCURRENCY);
    String scenario = "2. Kubernetes API load · " + Sizes.count(n) + " calls, " + concurrency + " at a time";
    FakeCluster cluster = b.cluster();
    KubernetesShell k8s = b.k8sShell(options(KUBELET_NAMESPACE, API_QPS));
    Traffic shell = traffic(b, cluster, k8s, "k8s-api-shell", 0, n, concurrency);
    // The naive loop creates the very Jobs the shell would (same spec), through a client of its own.
    Traffic naive = traffic(b, cluster, new NaivePollingShell(cluster.shellClient(), k8s, NAIVE_POLL),
        "k8s-api-naive", 10_000_000, n, concurrency);
    Bench.log("    API requests, KubernetesShell: %s", shell.counts);
    Bench.log("    API requests, naive poll loop: %s", naive.counts);
    String label = "naive: create, then GET every " + NAIVE_POLL.toMillis() + " ms";
    b.row(scenario, "API writes per call (create/update/delete)", shell.perCall("create", "update", "delete"),
        naive.perCall("create", "update", "delete"), label);
    b.row(scenario, "API reads per call (get/list/log)", shell.perCall("get", "list", "log"),
        naive.perCall("get", "list", "log"), label);
    b.row(scenario, "API watches per call (watch requests)", shell.perCall("watch"), naive.perCall("watch"), label);
    b.row(scenario, "all API requests per call", shell.total() / (double) shell.calls(),
        naive.total() / (double) naive.calls(), label);
    b.row(scenario, "wall time, all calls (s)", shell.seconds, naive.seconds, label);

    // Batched: the same number of calls, all at once (a runtime.map over n misses), through a shell
    // of its own (its own watches, counted) that runs them as Indexed Jobs of at most 100 calls.
    KubernetesShellOptions batchedOptions = options(KUBELET_NAMESPACE, API_QPS).toBuilder().batching(true).build();
    Traffic batched;
    try (KubernetesShell batchedShell = new KubernetesShell(cluster.shellClient(), batchedOptions)) {
      batched = traffic(b, cluster, batchedShell, "k8s-api-batched", 20_000_000, n, n);
    }
    Bench.log("    API requests, KubernetesShell batched: %s", batched.counts);
    String perCallJob = "one Job per call (rows above), " + concurrency + " at a time";
    String batchedScenario = "2. Kubernetes API load · " + Sizes.count(n) + " calls batched (Indexed Jobs of <= "
        + batchedOptions.batchSize() + "), all at once";
    b.row(batchedScenario, "API writes per call (create/update/delete)", batched.perCall("create", "update", "delete"),
        shell.perCall("create", "update", "delete"), perCallJob);
    b.row(batchedScenario, "API reads per call (get/list/log)", batched.perCall("get", "list", "log"),
        shell.perCall("get", "list", "log"), perCallJob);
    b.row(batchedScenario, "API watches per call (watch requests)", batched.perCall("watch"), shell.perCall("watch"),
        perCallJob);
    b.row(batchedScenario, "wall time, all calls (s)", batched.seconds, shell.seconds, perCallJob);
  }

  /** The shell's API requests and the wall time of {@code n} concurrent calls through {@code shell}. */
  private record Traffic(Map<String, Integer> counts, double seconds, int calls) {
    double perCall(String... verbs) {
      int sum = 0;
      for (Map.Entry<String, Integer> e : counts.entrySet()) {
        for (String verb : verbs) {
          if (e.getKey().startsWith(verb + " ")) {
            sum += e.getValue();
          }
        }
      }
      return sum / (double) calls;
    }

    int total() {
      return counts.values().stream().mapToInt(Integer::intValue).sum();
    }
  }

  /**
   * Counts every API request {@code shell} makes from its first call on (watches start then), over
   * two warm-up calls and {@code n} timed ones; the wall time is the timed calls'.
   */
  private static Traffic traffic(Bench b, FakeCluster cluster, Shell shell, String folder, long firstInput, int n,
      int concurrency) throws Exception {
    BlobStore store = BlobStore.folder(b.folder(folder));
    try (RemoteRuntime runtime = runtime(store, shell, concurrency)) {
      BenchFns fns = runtime.create(BenchFns.class, BenchFnsImpl.class);
      cluster.clear();
      List<Long> warmUp = List.of(-firstInput - 1, -firstInput - 2);
      check(warmUp, runtime.map(warmUp, fns::square));
      List<Long> inputs = LongStream.range(firstInput, firstInput + n).boxed().toList();
      long t0 = System.nanoTime();
      List<Long> out = runtime.map(inputs, fns::square);
      double seconds = (System.nanoTime() - t0) / 1e9;
      check(inputs, out);
      return new Traffic(cluster.counts(), seconds, n + warmUp.size());
    }
  }

  /**
   * Scenario 3: N concurrent calls in this JVM through the shell (each a Job), then the same N
   * again, now memo hits: the library's own floor for N concurrent calls, as the baseline. Peak
   * heap and platform threads are sampled every 20 ms; CPU is this process's (the cluster runs in
   * its own JVM).
   */
  static void fanOut(Bench b) throws Exception {
    int n = b.sizes.k8sFanOut();
    String scenario = "3. fan-out · " + Sizes.count(n) + " concurrent calls";
    FakeCluster cluster = b.freshCluster();
    BlobStore store = BlobStore.folder(b.folder("k8s-fanout"));
    try (RemoteRuntime runtime = runtime(store, b.k8sShell(options(FAST_NAMESPACE, FAN_OUT_QPS)), n)) {
      BenchFns fns = runtime.create(BenchFns.class, BenchFnsImpl.class);
      // Warm-up: watches, connections, code paths.
      runtime.map(List.of(-20_000_001L, -20_000_002L), fns::square);
      cluster.clear();
      List<Long> inputs = LongStream.range(20_000_000, 20_000_000 + n).boxed().toList();
      Footprint misses = footprint(() -> check(inputs, runtime.map(inputs, fns::square)));
      Footprint hits = footprint(() -> check(inputs, runtime.map(inputs, fns::square)));
      Bench.log("    misses: %.1f s; hits: %.1f s; API requests: %s", misses.seconds, hits.seconds, cluster.counts());
      String label = "the same " + Sizes.count(n) + " calls again, memo hits";
      b.row(scenario, "peak heap used (MiB, sampled, incl. garbage)", misses.peakHeapBytes / (double) Sizes.MIB,
          hits.peakHeapBytes / (double) Sizes.MIB, label);
      b.row(scenario, "peak platform threads (whole JVM)", misses.peakThreads, hits.peakThreads, label);
      b.row(scenario, "caller CPU per call (ms)", misses.cpuNanos / 1e6 / n, hits.cpuNanos / 1e6 / n, label);
      b.row(scenario, "wall time, all calls (s)", misses.seconds, hits.seconds, label);
    }
  }

  private record Footprint(long peakHeapBytes, int peakThreads, long cpuNanos, double seconds) {}

  private static Footprint footprint(Runnable calls) throws InterruptedException {
    MemoryMXBean memory = ManagementFactory.getMemoryMXBean();
    ThreadMXBean threads = ManagementFactory.getThreadMXBean();
    com.sun.management.OperatingSystemMXBean os =
        (com.sun.management.OperatingSystemMXBean) ManagementFactory.getOperatingSystemMXBean();
    Bench.settle();
    AtomicLong peakHeap = new AtomicLong();
    AtomicLong peakThreads = new AtomicLong();
    Thread sampler = Thread.ofPlatform().daemon().name("bench-sampler").start(() -> {
      while (!Thread.currentThread().isInterrupted()) {
        peakHeap.accumulateAndGet(memory.getHeapMemoryUsage().getUsed(), Math::max);
        peakThreads.accumulateAndGet(threads.getThreadCount(), Math::max);
        try {
          Thread.sleep(20);
        } catch (InterruptedException e) {
          return;
        }
      }
    });
    long cpu0 = os.getProcessCpuTime();
    long t0 = System.nanoTime();
    calls.run();
    double seconds = (System.nanoTime() - t0) / 1e9;
    long cpu = os.getProcessCpuTime() - cpu0;
    sampler.interrupt();
    sampler.join();
    return new Footprint(peakHeap.get(), (int) peakThreads.get(), cpu, seconds);
  }

  private static void check(List<Long> inputs, List<Long> out) {
    for (int i = 0; i < inputs.size(); i++) {
      long x = inputs.get(i);
      if (out.get(i) != x * x) {
        throw new IllegalStateException("square(" + x + ") returned " + out.get(i));
      }
    }
  }
}
