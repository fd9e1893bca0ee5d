package io.pureremote.bench;

import io.pureremote.RemoteRuntime;
import io.pureremote.bench.fns.BenchFns;
import io.pureremote.bench.fns.BenchFnsImpl;
import io.pureremote.spi.BlobStore;
import io.pureremote.spi.Shell;
import java.util.List;
import java.util.Map;
import java.util.stream.LongStream;

/**
 * Scenario 7, warm worker pool (issue 15): call→result of a trivial function (a miss each time)
 * through the local pool, against the child-JVM shell and the in-process shell in the same run;
 * then a fan-out of trivial misses through a 2-worker pool, against the same calls again (hits).
 * Sizes reuse scenario 5's miss counts and scenario 3's fan-out size.
 */
final class LocalPoolScenario {
  private LocalPoolScenario() {}

  static void run(Bench b) throws Exception {
    String scenario = "7. miss · local pool (2 warm workers), FileBlobStore";
    int n = b.sizes.inProcessMisses();
    int childN = b.sizes.subprocessMisses();
    BlobStore poolStore = BlobStore.folder(b.folder("pool-latency"));
    BlobStore childStore = BlobStore.folder(b.folder("pool-child"));
    BlobStore inStore = BlobStore.folder(b.folder("pool-inprocess"));
    try (Shell pool = Shell.create("local-pool", Map.of("workers", 2, "slots", 4, "stream-output", false));
        RemoteRuntime poolRt = RemoteRuntime.builder().blobStore(poolStore).shell(pool).pipelineId("bench").build();
        Shell child = Shell.create("local", Map.of("stream-output", false));
        RemoteRuntime childRt = RemoteRuntime.builder().blobStore(childStore).shell(child).pipelineId("bench").build();
        Shell in = Shell.inProcess(inStore);
        RemoteRuntime inRt = RemoteRuntime.builder().blobStore(inStore).shell(in).pipelineId("bench").build()) {
      BenchFns viaPool = poolRt.create(BenchFns.class, BenchFnsImpl.class);
      BenchFns viaChild = childRt.create(BenchFns.class, BenchFnsImpl.class);
      BenchFns viaIn = inRt.create(BenchFns.class, BenchFnsImpl.class);
      for (int i = 1; i <= b.sizes.warmUps(Math.max(200, n / 2), 5); i++) {
        viaPool.square(-i); // starts the workers and warms their JIT on keys the timed part never uses
        viaIn.square(-i);
      }
      if (b.sizes.warmUp()) {
        viaChild.square(-1);
      }
      Bench.settle();
      Samples poolCalls = new Samples(n);
      Samples inCalls = new Samples(n);
      Samples childCalls = new Samples(childN);
      long sink = 0;
      for (int i = 1; i <= n; i++) {
        long t0 = System.nanoTime();
        sink += viaPool.square(i);
        long t1 = System.nanoTime();
        sink += viaIn.square(i);
        long t2 = System.nanoTime();
        poolCalls.add(t1 - t0);
        inCalls.add(t2 - t1);
        if (i <= childN) {
          long t3 = System.nanoTime();
          sink += viaChild.square(i);
          childCalls.add(System.nanoTime() - t3);
        }
      }
      Bench.sink(sink);
      double poolP50 = Samples.millis(poolCalls.percentile(50));
      double poolP99 = Samples.millis(poolCalls.percentile(99));
      b.row(scenario, "call→result p50 (ms) vs child-JVM shell", poolP50, Samples.millis(childCalls.percentile(50)),
          "child-JVM shell (local), same run, " + childN + " calls");
      b.row(scenario, "call→result p50 (ms) vs in-process shell", poolP50, Samples.millis(inCalls.percentile(50)),
          "in-process shell, same run");
      b.row(scenario, "call→result p99 (ms) vs in-process shell", poolP99, Samples.millis(inCalls.percentile(99)),
          "in-process shell, same run");
    }
    fanOut(b);
  }

  private static void fanOut(Bench b) throws Exception {
    int n = b.sizes.k8sFanOut();
    String scenario = "7. fan-out · " + n + " trivial misses, local pool of 2 workers";
    BlobStore store = BlobStore.folder(b.folder("pool-fanout"));
    try (Shell pool = Shell.create("local-pool", Map.of("workers", 2, "slots", 8, "stream-output", false));
        RemoteRuntime runtime = RemoteRuntime.builder().blobStore(store).shell(pool).pipelineId("bench").build()) {
      BenchFns fns = runtime.create(BenchFns.class, BenchFnsImpl.class);
      fns.square(-1); // the workers start outside the timed part
      List<Long> inputs = LongStream.rangeClosed(1, n).boxed().toList();
      long t0 = System.nanoTime();
      List<Long> out = runtime.map(inputs, fns::square);
      long t1 = System.nanoTime();
      runtime.map(inputs, fns::square);
      long t2 = System.nanoTime();
      if (out.get(n - 1) != (long) n * n) {
        throw new IllegalStateException("square(" + n + ") returned " + out.get(n - 1));
      }
      b.row(scenario, "wall time, all calls (s)", (t1 - t0) / 1e9, (t2 - t1) / 1e9, "the same calls again, memo hits");
    }
  }
}
