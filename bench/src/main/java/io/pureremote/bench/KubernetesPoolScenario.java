package io.pureremote.bench;

import io.fabric8.kubernetes.client.KubernetesClient;
import io.pureremote.RemoteRuntime;
import io.pureremote.bench.fns.BenchFns;
import io.pureremote.bench.fns.BenchFnsImpl;
import io.pureremote.k8s.KubernetesShell;
import io.pureremote.k8s.KubernetesShellOptions;
import io.pureremote.k8s.PodTemplateOptions;
import io.pureremote.k8s.pool.PoolShell;
import io.pureremote.k8s.pool.PoolShellOptions;
import io.pureremote.k8s.pool.WorkerPoolSpec;
import io.pureremote.k8s.pool.WorkerPools;
import io.pureremote.spi.BlobStore;
import io.pureremote.testing.kubernetes.FakeDeployments;
import io.pureremote.testing.kubernetes.FakeKubelet;
import io.pureremote.testing.kubernetes.MockKubernetes;
import java.time.Duration;

/**
 * Scenario 8, the Kubernetes pool on the fake cluster (issue 15): call→result of a trivial miss
 * through a 2-worker pool against a Job per call, in the same run, on one mock API server in this
 * JVM. {@link FakeDeployments} runs each worker pod and {@link FakeKubelet} each Job's pod as a
 * local JVM (the same entry point, C1 only), so the pool's figure is a warm worker's round trip
 * and the Job's a pod start as the fake kubelet does it (a JVM start; a real pod start adds the
 * scheduler, the image and the container runtime). The mock cannot port-forward: the pool shell
 * reaches each worker where FakeDeployments says it listens, as the k8s-shell tests do.
 */
final class KubernetesPoolScenario {
  private static final String IMAGE = "bench/worker:1";
  private static final String JOBS_NS = "bench-jobs";

  private KubernetesPoolScenario() {}

  static void run(Bench b) throws Exception {
    String scenario = "8. miss · Kubernetes pool (2 workers) on the fake cluster, FileBlobStore";
    int poolN = b.sizes.subprocessMisses() * 10;
    int jobN = b.sizes.subprocessMisses();
    String poolNs = WorkerPoolSpec.defaultNamespace("bench");
    BlobStore store = BlobStore.folder(b.folder("k8s-pool"));
    try (MockKubernetes cluster = new MockKubernetes();
        FakeDeployments deployments = new FakeDeployments(cluster, poolNs).image(IMAGE, FakeKubelet.javaEntrypoint()).start();
        FakeKubelet kubelet = new FakeKubelet(cluster, JOBS_NS).image(IMAGE, FakeKubelet.javaEntrypoint()).start()) {
      KubernetesClient client = cluster.client(MockKubernetes.SHELL);
      WorkerPools pools = new WorkerPools(client);
      pools.create(WorkerPoolSpec.builder().name("bench").storeRoot(store.root()).workers(2).slots(4)
          .readyTimeout(Duration.ofMinutes(2)).pod(PodTemplateOptions.builder().image(IMAGE).build()).build());
      try (PoolShell poolShell = new PoolShell(client, PoolShellOptions.of("bench").withAddresses(deployments::address));
          KubernetesShell jobShell = new KubernetesShell(client,
              KubernetesShellOptions.builder().namespace(JOBS_NS).image(IMAGE).batching(false).build());
          RemoteRuntime viaPool = RemoteRuntime.builder().sharedFolder(true).blobStore(store).shell(poolShell).pipelineId("bench-pool").build();
          RemoteRuntime viaJobs = RemoteRuntime.builder().sharedFolder(true).blobStore(store).shell(jobShell).pipelineId("bench-jobs").build()) {
        BenchFns pool = viaPool.create(BenchFns.class, BenchFnsImpl.class);
        BenchFns jobs = viaJobs.create(BenchFns.class, BenchFnsImpl.class);
        for (int i = 1; i <= b.sizes.warmUps(200, 5); i++) {
          pool.square(-i); // warms the workers on keys the timed part never uses
        }
        jobs.square(-1);
        Bench.settle();
        Samples poolCalls = new Samples(poolN);
        Samples jobCalls = new Samples(jobN);
        long sink = 0;
        for (int i = 1; i <= poolN; i++) {
          long t0 = System.nanoTime();
          sink += pool.square(i);
          poolCalls.add(System.nanoTime() - t0);
          if (i <= jobN) {
            long t1 = System.nanoTime();
            sink += jobs.square(i);
            jobCalls.add(System.nanoTime() - t1);
          }
        }
        Bench.sink(sink);
        String jobLabel = "a Job per call (KubernetesShell), same run, " + jobN + " calls";
        b.row(scenario, "call→result p50 (ms) vs a Job per call", Samples.millis(poolCalls.percentile(50)),
            Samples.millis(jobCalls.percentile(50)), jobLabel);
        b.row(scenario, "call→result p99 (ms) vs a Job per call", Samples.millis(poolCalls.percentile(99)),
            Samples.millis(jobCalls.percentile(99)), jobLabel);
      } finally {
        pools.stop("bench", null);
        cluster.quiesce();
      }
    }
  }
}
