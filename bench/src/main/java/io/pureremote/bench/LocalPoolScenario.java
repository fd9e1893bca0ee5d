package io.pureremote.bench;

import io.pureremote.RemoteRuntime;
import io.pureremote.bench.fns.BenchFns;
import io.pureremote.bench.fns.BenchFnsImpl;
import io.pureremote.local.FileBlobStore;
import io.pureremote.local.InProcessShell;
import io.pureremote.local.LocalPoolOptions;
import io.pureremote.local.LocalPoolShell;
import io.pureremote.local.LocalProcessShell;
import io.pureremote.local.LocalProcessShellOptions;
import java.util.List;
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
    FileBlobStore poolStore = new FileBlobStore(b.folder("pool-latency"));
    FileBlobStore childStore = new FileBlobStore(b.folder("pool-child"));
    FileBlobStore inStore = new FileBlobStore(b.folder("pool-inprocess"));
    LocalPoolOptions poolOptions = LocalPoolOptions.builder().workers(2).slotsPerWorker(4).streamOutput(false).build();
    try (LocalPoolShell pool = new LocalPoolShell(poolOptions);
        RemoteRuntime poolRt = RemoteRuntime.builder().blobStore(poolStore).shell(pool).pipelineId("bench").build();
        LocalProcessShell child = new LocalProcessShell(LocalProcessShellOptions.builder().streamOutput(false).build());
        RemoteRuntime childRt = RemoteRuntime.builder().blobStore(childStore).shell(child).pipelineId("bench").build();
        InProcessShell in = new InProcessShell(inStore);
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
    FileBlobStore store = new FileBlobStore(b.folder("pool-fanout"));
    LocalPoolOptions options = LocalPoolOptions.builder().workers(2).slotsPerWorker(8).streamOutput(false).build();
    try (LocalPoolShell pool = new LocalPoolShell(options);
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
