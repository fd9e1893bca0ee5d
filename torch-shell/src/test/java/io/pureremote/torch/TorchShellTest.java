package io.pureremote.torch;

import static io.pureremote.testing.kubernetes.MockKubernetes.SHELL;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.fabric8.kubernetes.api.model.Pod;
import io.fabric8.kubernetes.api.model.Service;
import io.fabric8.kubernetes.api.model.batch.v1.Job;
import io.fabric8.kubernetes.client.KubernetesClient;
import io.pureremote.FunctionId;
import io.pureremote.RemoteFunctionException;
import io.pureremote.RemoteRuntime;
import io.pureremote.ShellException;
import io.pureremote.k8s.PodSpecs;
import io.pureremote.k8s.PodTemplateOptions;
import io.pureremote.spi.BlobStore;
import io.pureremote.spi.Shell.Launch;
import io.pureremote.spi.Shell.LaunchRequest;
import io.pureremote.testing.kubernetes.FakeKubelet;
import io.pureremote.testing.kubernetes.MockKubernetes;
import io.pureremote.torch.testfns.AllReduce;
import io.pureremote.torch.testfns.AllReduceImpl;
import java.io.IOException;
import java.net.ServerSocket;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.function.UnaryOperator;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * End to end: real {@code @PureRemote} calls through {@link RemoteRuntime} and {@link TorchShell},
 * Indexed Jobs and Services in the fabric8 mock API server, {@link FakeKubelet} playing the Job
 * controller (one pod per index, completion index env and hostname, success policy, per-index
 * backoff, pod failure policy) and cluster DNS for the headless Service, every node a child JVM.
 * The nodes meet at MASTER_ADDR:MASTER_PORT over loopback, so a wrong rank or world size fails.
 */
class TorchShellTest {
  static final String NS = "ml";
  static final String IMAGE = "acme/train:1";

  @TempDir Path dir;
  MockKubernetes cluster;
  KubernetesClient client;
  FakeKubelet kubelet;
  TorchShell shell;
  RemoteRuntime runtime;
  BlobStore store;
  AllReduce fns;
  final List<String> rankZeroLog = new CopyOnWriteArrayList<>();

  void start(String version, UnaryOperator<TorchShellOptions.Builder> tweak) {
    cluster = new MockKubernetes().kubernetesVersion(version);
    client = cluster.client(SHELL);
    kubelet = new FakeKubelet(cluster, NS).image(IMAGE, FakeKubelet.javaEntrypoint()).start();
    TorchShellOptions options = tweak.apply(TorchShellOptions.builder().namespace(NS)
        .pod(PodTemplateOptions.builder().image(IMAGE).memory("512Mi").build())
        .nodes(3).masterPort(freePort())).build();
    shell = new TorchShell(client, options);
    shell.logSink((prefix, line) -> rankZeroLog.add(prefix + line));
    store = BlobStore.folder(dir);
    runtime = RemoteRuntime.builder().sharedFolder(true).blobStore(store).shell(shell).pipelineId("torch").build();
    fns = runtime.create(AllReduce.class, AllReduceImpl.class);
  }

  /**
   * Waits up to 10 s for {@code get} to find nothing: the shell deletes a run's object right after
   * the call's outcome is known, so the caller may get its value a moment before the delete.
   */
  /**
   * Waits up to 30 s for {@code get} to answer null (the shell deletes a finished object from a
   * background task, not before the call returns). A request that fails on its way (the mock
   * server answering slowly on a loaded 2-core CI machine: one GET timed out after 10 s there) is
   * asked again within the deadline instead of failing the test.
   */
  static void awaitDeleted(java.util.function.Supplier<?> get) throws InterruptedException {
    long deadline = System.nanoTime() + java.util.concurrent.TimeUnit.SECONDS.toNanos(30);
    while (System.nanoTime() < deadline) {
      try {
        if (get.get() == null) {
          return;
        }
      } catch (io.fabric8.kubernetes.client.KubernetesClientException e) {
        if (e.getCode() > 0) { // a client-side timeout has no HTTP code (0 or -1)
          throw e; // an answer from the server, not a slow one
        }
      }
      Thread.sleep(50);
    }
  }

  static int freePort() {
    try (ServerSocket s = new ServerSocket(0)) {
      return s.getLocalPort();
    } catch (IOException e) {
      throw new java.io.UncheckedIOException(e);
    }
  }

  @AfterEach
  void stop() {
    if (runtime != null) {
      cluster.quiesce();
      runtime.close();
      shell.close();
      kubelet.close();
      cluster.close();
    }
  }

  List<String> runRecords() {
    return store.list("pureremote/v1/torch/").stream().filter(k -> k.contains("/runs/") && k.endsWith(".json"))
        .map(k -> new String(store.getBytes(k).orElseThrow(), StandardCharsets.UTF_8)).toList();
  }

  @Test
  void threeNodesMeetAtTheMasterAndRankZerosSumComesBackThenAMemoHit() throws InterruptedException {
    start("1.34", b -> b);
    assertThat(fns.sumOfSquares(10)).isEqualTo(10 * (1 + 4 + 9));
    assertThat(kubelet.jobsSeen()).hasSize(1);
    String name = kubelet.jobsSeen().getFirst();
    assertThat(name).startsWith("all-reduce-sum-of-squares-");
    // Node 0 committed and says so. Every node ran (node 0's all-reduce below got ranks 1 and 2),
    // but the shell deletes the Job as soon as node 0 succeeded (nodes still running hold quota),
    // so a node still writing its own run record may be killed first: theirs are not required.
    List<String> records = runRecords();
    assertThat(records).hasSizeBetween(1, 3)
        .anyMatch(r -> r.contains("\"status\":\"succeeded\"") && r.contains("\"nodeRank\":0") && r.contains("indexed-job"))
        .allMatch(r -> r.contains("\"nodeRank\":0") || r.contains("\"status\":\"node-succeeded\""));
    assertThat(rankZeroLog).anyMatch(l -> l.startsWith("[" + name + "/" + name + "-0-") && l.contains("all-reduce: ranks 0 and [1, 2] gave 140"));
    // The Job is deleted once the call succeeded (nodes still running would hold quota).
    awaitDeleted(() -> client.batch().v1().jobs().inNamespace(NS).withName(name).get());
    assertThat(client.batch().v1().jobs().inNamespace(NS).withName(name).get()).isNull();
    // Second call: a memo hit, no Job.
    assertThat(fns.sumOfSquares(10)).isEqualTo(140);
    assertThat(kubelet.jobsSeen()).hasSize(1);
  }

  @Test
  void theJobIsIndexedWithASuccessPolicyAndItsServiceIsOwnedByIt() {
    start("1.34", b -> b.nodes(2));
    List<Pod> pods = new CopyOnWriteArrayList<>();
    var watch = cluster.client("test").pods().inNamespace(NS).inform(new io.fabric8.kubernetes.client.informers.ResourceEventHandler<Pod>() {
      @Override
      public void onAdd(Pod pod) {
        pods.add(pod);
      }

      @Override
      public void onUpdate(Pod old, Pod pod) { }

      @Override
      public void onDelete(Pod pod, boolean unknown) { }
    }, 0);
    fns.context();
    watch.close();
    String name = kubelet.jobsSeen().getFirst();
    Service service = client.services().inNamespace(NS).withName(name).get();
    assertThat(service.getSpec().getClusterIP()).isEqualTo("None");
    assertThat(service.getMetadata().getOwnerReferences()).singleElement()
        .satisfies(o -> assertThat(o.getKind() + "/" + o.getName()).isEqualTo("Job/" + name));
    assertThat(pods).extracting(p -> p.getSpec().getHostname()).containsExactlyInAnyOrder(name + "-0", name + "-1");
    assertThat(pods).allSatisfy(p -> assertThat(p.getSpec().getSubdomain()).isEqualTo(name));
    assertThat(pods).extracting(p -> p.getMetadata().getAnnotations().get("batch.kubernetes.io/job-completion-index"))
        .containsExactlyInAnyOrder("0", "1");
    // Node 0 found the master through the headless Service's DNS name.
    assertThat(rankZeroLog).anyMatch(l -> l.contains("master " + name + "-0." + name + " is 127.0.0.1"));
    // Both created with strict field validation: an unknown field is an error, not a silent drop.
    assertThat(cluster.requests()).filteredOn(r -> r.actor().equals(SHELL) && r.method().equals("POST"))
        .extracting(MockKubernetes.Request::path)
        .anyMatch(p -> p.contains("/jobs") && p.contains("fieldValidation=Strict"))
        .anyMatch(p -> p.contains("/services") && p.contains("fieldValidation=Strict"));
  }

  @Test
  void theCommittingNodeKnowsItsContext() {
    start("1.34", b -> b.nodes(2).processesPerNode(1));
    assertThat(fns.context()).startsWith("node 0 of 2 × 1 process(es), master ").contains(".")
        .contains("indexed_job, backend indexed-job").endsWith("rank 0 of world size 2");
  }

  @Test
  void aFailureOnANodeOtherThanZeroFailsTheCallWithThatNodesReason() {
    start("1.34", b -> b);
    assertThatThrownBy(() -> fns.failOn(2, "shard 7 is corrupt")).isInstanceOf(ShellException.class)
        .satisfies(e -> assertThat(((ShellException) e).reason()).isEqualTo("NodeFailed"))
        .hasMessageContaining("node 2 of 3").hasMessageContaining("exit code 42").hasMessageContaining("shard 7 is corrupt");
    assertThat(store.list("pureremote/v1/torch/")).noneMatch(k -> k.endsWith("/error") || k.endsWith("/result"));
  }

  @Test
  void aFailureOnNodeZeroIsTheFunctionsError() {
    start("1.34", b -> b.nodes(2));
    assertThatThrownBy(() -> fns.failOn(0, "bad learning rate")).isInstanceOf(RemoteFunctionException.class)
        .hasMessageContaining("bad learning rate (node 0)");
  }

  /** Before 1.33 there is no successPolicy: the shell ends the call itself once node 0 succeeded. */
  @Test
  void onServersWithoutSuccessPolicyTheShellPlaysIt() throws InterruptedException {
    start("1.31", b -> b);
    assertThat(fns.sumOfSquares(2)).isEqualTo(28);
    String name = kubelet.jobsSeen().getFirst();
    awaitDeleted(() -> client.batch().v1().jobs().inNamespace(NS).withName(name).get());
    assertThat(client.batch().v1().jobs().inNamespace(NS).withName(name).get()).isNull();
  }

  @Test
  void aServerOlderThanSupportedIsRefusedBeforeAnyJob() {
    start("1.28", b -> b);
    assertThatThrownBy(() -> fns.sumOfSquares(1)).isInstanceOf(ShellException.class)
        .hasMessageContaining("older than 1.29").hasMessageContaining("torch shell");
    assertThat(kubelet.jobsSeen()).isEmpty();
  }

  @Test
  void aDisruptedRunIsRecreatedWithoutSpendingTheCallersRetries() {
    start("1.34", b -> b);
    kubelet.disruptAfter(Duration.ofMillis(300)).then(FakeKubelet.Behaviour.EVICT_AND_FAIL_JOB);
    assertThat(fns.sumOfSquares(3)).isEqualTo(42);
    assertThat(kubelet.jobsSeen()).hasSize(2);
    assertThat(kubelet.jobsSeen().get(1)).endsWith("-r1");
  }

  @Test
  void podsThatNeverScheduleFailWithTheirReason() {
    start("1.34", b -> b.pendingTimeout(Duration.ofSeconds(2)));
    kubelet.then(FakeKubelet.Behaviour.UNSCHEDULABLE);
    assertThatThrownBy(() -> fns.sumOfSquares(5)).isInstanceOf(ShellException.class)
        .satisfies(e -> assertThat(((ShellException) e).reason()).isEqualTo("PodsPending"))
        .hasMessageContaining("Insufficient nvidia.com/gpu");
  }

  @Test
  void cancelDeletesTheJob() throws Exception {
    start("1.34", b -> b);
    kubelet.then(FakeKubelet.Behaviour.HANG);
    LaunchRequest request = new LaunchRequest(store.uri("pureremote/v1/torch/AllReduce%23hang@1/" + "ab".repeat(32)),
        new FunctionId("AllReduce#hang", "1"), "ab".repeat(32), Map.of());
    String name = PodSpecs.callName(request);
    Launch launch = shell.launch(request);
    for (int i = 0; i < 200 && client.batch().v1().jobs().inNamespace(NS).withName(name).get() == null; i++) {
      Thread.sleep(50);
    }
    assertThat(client.batch().v1().jobs().inNamespace(NS).withName(name).get()).as("the Job was created").isNotNull();
    launch.cancel();
    assertThat(launch.completion().get().reason()).isEqualTo("Cancelled");
    // Cancelled while its Service was still being created, the creator deletes it: either way it goes.
    awaitDeleted(() -> client.batch().v1().jobs().inNamespace(NS).withName(name).get());
    assertThat(client.batch().v1().jobs().inNamespace(NS).withName(name).get()).isNull();
    assertThat(cluster.requests()).anyMatch(r -> r.actor().equals(SHELL) && r.method().equals("DELETE")
        && r.path().contains("/jobs/" + name));
  }
}
