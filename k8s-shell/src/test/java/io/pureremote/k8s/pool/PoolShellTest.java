package io.pureremote.k8s.pool;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.fabric8.kubernetes.client.KubernetesClient;
import io.pureremote.CallOptions;
import io.pureremote.RemoteFunctionException;
import io.pureremote.RemoteRuntime;
import io.pureremote.RemoteTimeoutException;
import io.pureremote.ShellException;
import io.pureremote.k8s.PodTemplateOptions;
import io.pureremote.k8s.testfns.Work;
import io.pureremote.k8s.testfns.WorkImpl;
import io.pureremote.spi.BlobStore;
import io.pureremote.spi.Shell.WorkerConnection;
import io.pureremote.testing.kubernetes.FakeDeployments;
import io.pureremote.testing.kubernetes.FakeKubelet;
import io.pureremote.testing.kubernetes.MockKubernetes;
import java.net.InetSocketAddress;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.stream.IntStream;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The pool shell on a pool of the mock cluster, its workers local JVMs run by {@link
 * FakeDeployments}. The mock API server cannot port-forward, so the shell reaches each worker
 * where FakeDeployments says it listens ({@link PoolShellOptions#withAddresses}, the test seam).
 */
class PoolShellTest {
  static final String IMAGE = "acme/worker:1";
  static final String NS = WorkerPoolSpec.defaultNamespace("calc");

  @TempDir Path dir;
  MockKubernetes cluster;
  FakeDeployments deployments;
  KubernetesClient client;
  WorkerPools pools;
  BlobStore store;
  PoolShell shell;
  RemoteRuntime runtime;
  Work work;

  @BeforeEach
  void setUp() {
    cluster = new MockKubernetes();
    deployments = new FakeDeployments(cluster, NS).image(IMAGE, FakeKubelet.javaEntrypoint()).start();
    client = cluster.client(MockKubernetes.SHELL);
    pools = new WorkerPools(client);
    store = BlobStore.folder(dir.resolve("memo"));
    pools.create(WorkerPoolSpec.builder().name("calc").storeRoot(store.root()).workers(2).slots(2)
        .readyTimeout(Duration.ofSeconds(60)).pod(PodTemplateOptions.builder().image(IMAGE).build()).build());
    shell = new PoolShell(client, PoolShellOptions.of("calc").withAddresses(deployments::address));
    runtime = RemoteRuntime.builder().sharedFolder(true).blobRoot(store.root()).pipelineId("pool").shell(shell)
        .function("io.pureremote.k8s.testfns.Work#slow", CallOptions.builder().timeout(Duration.ofSeconds(90)).build())
        .build();
    work = runtime.create(Work.class, WorkImpl.class);
  }

  @AfterEach
  void tearDown() {
    runtime.close();
    shell.close();
    pools.stop("calc", null);
    deployments.close();
    cluster.close();
  }

  private List<String> keys(String suffix) {
    return store.list("pureremote/v1/pool/").stream().filter(k -> k.endsWith(suffix)).toList();
  }

  @Test
  void callsRunOnTheWorkersAndRepeatedOnesAreHits() {
    assertThat(work.square(7)).isEqualTo(49);
    assertThat(work.square(7)).isEqualTo(49);
    assertThatThrownBy(() -> work.fail("pool boom")).isInstanceOf(RemoteFunctionException.class)
        .hasRootCauseMessage("pool boom");
    List<CompletableFuture<Long>> fanOut = IntStream.range(0, 20)
        .mapToObj(i -> CompletableFuture.supplyAsync(() -> work.square(i))).toList();
    assertThat(fanOut.stream().map(CompletableFuture::join).toList())
        .isEqualTo(IntStream.range(0, 20).mapToObj(i -> (long) i * i).toList());
    assertThat(keys("/result")).as("one result per distinct call").hasSize(20);
    assertThat(store.list("pureremote/v1/pool/").stream().filter(k -> k.contains("/runs/") && k.endsWith(".json")))
        .as("each distinct call ran once").hasSize(21);
    // The token is in no blob (run records, logs, invocations) and in no worker's pod log.
    String token = new String(pools.token(pools.connect("calc", null)), StandardCharsets.UTF_8);
    for (String key : store.list("")) {
      assertThat(new String(store.getBytes(key).orElseThrow(), StandardCharsets.ISO_8859_1)).as(key).doesNotContain(token);
    }
    for (String pod : deployments.pods()) {
      assertThat(client.pods().inNamespace(NS).withName(pod).getLog()).as(pod).doesNotContain(token).contains("listening");
    }
  }

  @Test
  void aWarmMissCostsMillisecondsNotAPodStart() throws Exception {
    assertThat(work.square(1000)).isEqualTo(1_000_000); // connections open, JIT warm enough
    int n = 100;
    long[] nanos = new long[n];
    for (int i = 0; i < n; i++) {
      long t0 = System.nanoTime();
      assertThat(work.square(2000 + i)).isEqualTo((2000L + i) * (2000L + i));
      nanos[i] = System.nanoTime() - t0;
    }
    java.util.Arrays.sort(nanos);
    double p50 = nanos[n / 2] / 1e6;
    double p99 = nanos[n * 99 / 100] / 1e6;
    String line = String.format(java.util.Locale.ROOT,
        "Kubernetes pool (fake cluster, 2 workers, FileBlobStore): %d sequential misses of a trivial function: p50 %.1f ms, p99 %.1f ms%n",
        n, p50, p99);
    System.out.print(line);
    java.nio.file.Files.writeString(Path.of("target", "pool-latency.txt"), line);
    assertThat(p50).as("a warm miss is no pod start").isLessThan(1000);
  }

  @Test
  void aWorkerPodDeletedMidCallHandsTheCallToAnotherWorkerAndItCompletesOnce() throws Exception {
    CompletableFuture<String> call = CompletableFuture.supplyAsync(() -> work.slow("survivor", 4000));
    String busy = null;
    byte[] token = pools.token(pools.connect("calc", null));
    long until = System.nanoTime() + Duration.ofSeconds(60).toNanos();
    while (busy == null) {
      assertThat(System.nanoTime()).as("the call reached a worker").isLessThan(until);
      for (String pod : deployments.pods()) {
        InetSocketAddress a = deployments.address(pod).orElse(null);
        if (a == null) {
          continue;
        }
        try (WorkerConnection c = WorkerConnection.open(a.getHostString(), a.getPort(), token, Duration.ofSeconds(2))) {
          if (c.status(Duration.ofSeconds(2)).running() > 0) {
            busy = pod;
          }
        } catch (java.io.IOException e) {
          // not up yet
        }
      }
      Thread.sleep(50);
    }
    client.pods().inNamespace(NS).withName(busy).delete();

    assertThat(call.get()).isEqualTo("done survivor");
    assertThat(keys("/result")).hasSize(1);
    assertThat(store.list("pureremote/v1/pool/").stream().filter(k -> k.contains("/runs/") && k.endsWith(".json")))
        .as("the killed worker left no run record; the second run one").hasSize(1);
    assertThat(work.slow("survivor", 4000)).as("a hit now").isEqualTo("done survivor");
  }

  @Test
  void aCallTimeoutCancelsTheCallOnItsWorkerAndKeepsTheWorker() throws Exception {
    try (RemoteRuntime quick = RemoteRuntime.builder().sharedFolder(true).blobRoot(store.root()).pipelineId("pool").shell(shell)
        .defaults(CallOptions.builder().timeout(Duration.ofSeconds(3)).build()).build()) {
      Work w = quick.create(Work.class, WorkImpl.class);
      assertThatThrownBy(() -> w.slow("too long", 60_000)).isInstanceOf(RemoteTimeoutException.class);
    }
    // The cancel interrupted the call on its worker: no worker still runs it (it would for a minute).
    long until = System.nanoTime() + Duration.ofSeconds(20).toNanos();
    while (running() > 0) {
      assertThat(System.nanoTime()).as("the cancelled call stopped on its worker").isLessThan(until);
      Thread.sleep(100);
    }
    assertThat(work.square(5)).as("the workers still serve").isEqualTo(25);
  }

  /** Calls running on all workers, asked over the protocol. */
  private int running() throws Exception {
    byte[] token = pools.token(pools.connect("calc", null));
    int sum = 0;
    for (String pod : deployments.pods()) {
      InetSocketAddress a = deployments.address(pod).orElse(null);
      if (a != null) {
        try (WorkerConnection c = WorkerConnection.open(a.getHostString(), a.getPort(), token, Duration.ofSeconds(2))) {
          sum += c.status(Duration.ofSeconds(2)).running();
        }
      }
    }
    return sum;
  }

  @Test
  void aStoppedPoolFailsCallsWithAnErrorNamingIt() throws Exception {
    assertThat(work.square(2)).isEqualTo(4);
    pools.stop("calc", null);
    long until = System.nanoTime() + Duration.ofSeconds(20).toNanos();
    while (deployments.anyProcessAlive()) { // the workers are gone (a real pod would drain and refuse first)
      assertThat(System.nanoTime()).isLessThan(until);
      Thread.sleep(50);
    }
    long start = System.nanoTime();
    assertThatThrownBy(() -> work.square(3)).satisfies(t -> {
      Throwable e = t;
      while (e != null && !(e instanceof ShellException)) {
        e = e.getCause();
      }
      assertThat(e).isNotNull();
      assertThat(((ShellException) e).reason()).isIn("PoolNotFound", "PoolUnavailable");
      assertThat(e.getMessage()).contains("No worker pool calc in namespace " + NS);
    });
    System.out.println("pool gone: the call failed after " + Duration.ofNanos(System.nanoTime() - start).toMillis() + " ms");
  }
}
