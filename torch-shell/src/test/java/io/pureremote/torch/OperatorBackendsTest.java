package io.pureremote.torch;

import static io.pureremote.testing.kubernetes.MockKubernetes.SHELL;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import io.fabric8.kubernetes.api.model.GenericKubernetesResource;
import io.fabric8.kubernetes.client.KubernetesClient;
import io.fabric8.kubernetes.client.utils.KubernetesSerialization;
import io.pureremote.RemoteFunctionException;
import io.pureremote.RemoteRuntime;
import io.pureremote.ShellException;
import io.pureremote.k8s.PodTemplateOptions;
import io.pureremote.spi.BlobStore;
import io.pureremote.testing.kubernetes.CrdSchema;
import io.pureremote.testing.kubernetes.FakeKubelet;
import io.pureremote.testing.kubernetes.FakeTrainer;
import io.pureremote.testing.kubernetes.FakeTrainingOperator;
import io.pureremote.testing.kubernetes.MockKubernetes;
import io.pureremote.testing.kubernetes.SharedCrds;
import io.pureremote.torch.testfns.AllReduce;
import io.pureremote.torch.testfns.AllReduceImpl;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.function.UnaryOperator;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * End to end on the operator backends and discovery: real {@code @PureRemote} calls through {@link
 * TorchShell}; PyTorchJobs played by {@link FakeTrainingOperator} (bare pods, the operator's env,
 * its conditions), TrainJobs by {@link FakeTrainer} (a JobSet-shaped Indexed Job run by {@link
 * FakeKubelet}); every node a child JVM, the nodes meeting at MASTER_ADDR:MASTER_PORT over
 * loopback, so a wrong rank or world size fails. The CRDs come from ../shared/crds/.
 */
class OperatorBackendsTest {
  static final String NS = "ml";
  static final String IMAGE = "acme/train:1";
  static final KubernetesSerialization JSON = new KubernetesSerialization();

  /** Trainer's shipped torch runtime, as an admin installs it (its node container runs the image's entrypoint). */
  static final String TORCH_DISTRIBUTED = """
      apiVersion: trainer.kubeflow.org/v1alpha1
      kind: ClusterTrainingRuntime
      metadata:
        name: torch-distributed
        labels:
          trainer.kubeflow.org/framework: torch
      spec:
        mlPolicy:
          numNodes: 1
          torch: {}
        template:
          spec:
            replicatedJobs:
              - name: node
                template:
                  metadata:
                    labels:
                      trainer.kubeflow.org/trainjob-ancestor-step: trainer
                  spec:
                    backoffLimit: 0
                    template:
                      spec:
                        restartPolicy: Never
                        containers:
                          - name: node
                            image: pytorch/pytorch:2.7.1-cuda12.8-cudnn9-runtime
      """;

  @TempDir Path dir;
  MockKubernetes cluster;
  KubernetesClient client;
  FakeKubelet kubelet;
  FakeTrainingOperator operator;
  FakeTrainer trainer;
  TorchShell shell;
  RemoteRuntime runtime;
  BlobStore store;
  AllReduce fns;
  final List<String> rankZeroLog = new CopyOnWriteArrayList<>();

  static Path crd(String file) {
    Path crd = SharedCrds.find(file).orElse(null);
    assumeTrue(crd != null, SharedCrds.absence(file));
    return crd;
  }

  static GenericKubernetesResource torchDistributed() {
    return JSON.unmarshal(TORCH_DISTRIBUTED, GenericKubernetesResource.class);
  }

  /** A cluster with what {@code installs} says: "pytorchjob", "trainjob" (CRDs and controller), "runtime". */
  void start(List<String> installs, UnaryOperator<TorchShellOptions.Builder> tweak) {
    cluster = new MockKubernetes();
    client = cluster.client(SHELL);
    kubelet = new FakeKubelet(cluster, NS).image(IMAGE, FakeKubelet.javaEntrypoint()).start();
    if (installs.contains("pytorchjob")) {
      FakeTrainingOperator.installCrd(cluster, crd(SharedCrds.PYTORCHJOB));
      operator = new FakeTrainingOperator(cluster, NS).image(IMAGE, FakeKubelet.javaEntrypoint()).start();
    }
    if (installs.contains("trainjob")) {
      FakeTrainer.installCrd(cluster, crd(SharedCrds.TRAINJOB));
      FakeTrainer.installCrd(cluster, crd(SharedCrds.CLUSTER_TRAINING_RUNTIME));
      trainer = new FakeTrainer(cluster, NS).masterPort(TorchShellTest.freePort()).start();
    }
    if (installs.contains("runtime")) {
      FakeTrainer.installRuntime(cluster, torchDistributed());
    }
    TorchShellOptions options = tweak.apply(TorchShellOptions.builder().namespace(NS)
        .pod(PodTemplateOptions.builder().image(IMAGE).memory("512Mi").build())
        .nodes(3).masterPort(TorchShellTest.freePort())).build();
    shell = new TorchShell(client, options);
    shell.logSink((prefix, line) -> rankZeroLog.add(prefix + line));
    store = BlobStore.folder(dir);
    runtime = RemoteRuntime.builder().sharedFolder(true).blobStore(store).shell(shell).pipelineId("torch").build();
    fns = runtime.create(AllReduce.class, AllReduceImpl.class);
  }

  @AfterEach
  void stop() {
    if (runtime != null) {
      cluster.quiesce();
      runtime.close();
      shell.close();
      if (operator != null) {
        operator.close();
      }
      if (trainer != null) {
        trainer.close();
      }
      kubelet.close();
      cluster.close();
    }
  }

  List<String> runRecords() {
    return store.list("pureremote/v1/torch/").stream().filter(k -> k.contains("/runs/") && k.endsWith(".json"))
        .map(k -> new String(store.getBytes(k).orElseThrow(), StandardCharsets.UTF_8)).toList();
  }

  boolean createdStrictly(String plural) {
    return cluster.requests().stream().anyMatch(r -> r.actor().equals(SHELL) && r.method().equals("POST")
        && r.path().contains("/" + plural) && r.path().contains("fieldValidation=Strict"));
  }

  @Test
  void onAPyTorchJobThreeNodesMeetAtTheMasterAndTheSecondCallIsAMemoHit() throws Exception {
    start(List.of("pytorchjob"), b -> b);
    assertThat(fns.sumOfSquares(10)).isEqualTo(10 * (1 + 4 + 9));
    assertThat(shell.backend()).contains(TorchBackend.PYTORCH_JOB);
    assertThat(operator.pytorchJobsSeen()).hasSize(1);
    assertThat(kubelet.jobsSeen()).as("no Indexed Job").isEmpty();
    String name = operator.pytorchJobsSeen().getFirst();
    assertThat(runRecords()).hasSize(3)
        .anyMatch(r -> r.contains("\"status\":\"succeeded\"") && r.contains("\"nodeRank\":0") && r.contains("\"backend\":\"pytorchjob\""))
        .anyMatch(r -> r.contains("\"status\":\"node-succeeded\"") && r.contains("\"nodeRank\":1"))
        .anyMatch(r -> r.contains("\"status\":\"node-succeeded\"") && r.contains("\"nodeRank\":2"));
    assertThat(rankZeroLog).anyMatch(l -> l.startsWith("[" + name + "/" + name + "-master-0] ")
        && l.contains("all-reduce: ranks 0 and [1, 2] gave 140"));
    assertThat(createdStrictly("pytorchjobs")).isTrue();
    // Deleted once the call succeeded (workers still running would hold quota, trainer#1982).
    TorchShellTest.awaitDeleted(() -> client.genericKubernetesResources(OperatorJobFactory.PYTORCHJOBS).inNamespace(NS)
        .withName(name).get());
    assertThat(client.genericKubernetesResources(OperatorJobFactory.PYTORCHJOBS).inNamespace(NS).withName(name).get()).isNull();
    assertThat(fns.sumOfSquares(10)).isEqualTo(140);
    assertThat(operator.pytorchJobsSeen()).as("the second call is a memo hit").hasSize(1);
    System.out.println("rendezvous (pytorchjob): " + rankZeroLog.stream().filter(l -> l.contains("all-reduce")).toList());
  }

  @Test
  void theCommittingNodeReadsThePyTorchJobConvention() {
    start(List.of("pytorchjob"), b -> b.nodes(2));
    assertThat(fns.context()).startsWith("node 0 of 2 × 1 process(es), master ").contains("-master-0:")
        .contains("pytorchjob, backend pytorchjob").endsWith("rank 0 of world size 2");
  }

  @Test
  void aWorkerFailureOnAPyTorchJobFailsTheCallWithThatNodesReason() {
    start(List.of("pytorchjob"), b -> b);
    assertThatThrownBy(() -> fns.failOn(2, "shard 7 is corrupt")).isInstanceOf(ShellException.class)
        .satisfies(e -> assertThat(((ShellException) e).reason()).isEqualTo("NodeFailed"))
        .hasMessageContaining("PyTorchJobFailed").hasMessageContaining("node 2 of 3").hasMessageContaining("exit code 42")
        .hasMessageContaining("shard 7 is corrupt");
    assertThat(store.list("pureremote/v1/torch/")).noneMatch(k -> k.endsWith("/error") || k.endsWith("/result"));
  }

  @Test
  void onATrainJobThreeNodesMeetAtTheMasterAndTheSecondCallIsAMemoHit() throws InterruptedException {
    start(List.of("pytorchjob", "trainjob", "runtime"), b -> b);
    assertThat(fns.sumOfSquares(10)).isEqualTo(140);
    assertThat(shell.backend()).as("TrainJob is preferred when served and the runtime exists").contains(TorchBackend.TRAIN_JOB);
    assertThat(trainer.trainJobsSeen()).hasSize(1);
    assertThat(operator.pytorchJobsSeen()).isEmpty();
    String name = trainer.trainJobsSeen().getFirst();
    assertThat(kubelet.jobsSeen()).as("JobSet's Job for the node replicated job").containsExactly(name + "-node-0");
    assertThat(runRecords()).hasSize(3)
        .anyMatch(r -> r.contains("\"status\":\"succeeded\"") && r.contains("\"nodeRank\":0") && r.contains("\"backend\":\"trainjob\""));
    assertThat(rankZeroLog).anyMatch(l -> l.startsWith("[" + name + "/" + name + "-node-0-0-")
        && l.contains("master " + name + "-node-0-0." + name + " is 127.0.0.1"))
        .anyMatch(l -> l.contains("all-reduce: ranks 0 and [1, 2] gave 140"));
    assertThat(createdStrictly("trainjobs")).isTrue();
    TorchShellTest.awaitDeleted(() -> client.genericKubernetesResources(OperatorJobFactory.TRAINJOBS).inNamespace(NS)
        .withName(name).get());
    assertThat(client.genericKubernetesResources(OperatorJobFactory.TRAINJOBS).inNamespace(NS).withName(name).get()).isNull();
    assertThat(fns.sumOfSquares(10)).isEqualTo(140);
    assertThat(trainer.trainJobsSeen()).as("the second call is a memo hit").hasSize(1);
    System.out.println("rendezvous (trainjob): " + rankZeroLog.stream().filter(l -> l.contains("all-reduce")).toList());
  }

  @Test
  void onATrainJobNodeZerosExceptionIsTheFunctionsError() {
    start(List.of("trainjob", "runtime"), b -> b.nodes(2));
    assertThatThrownBy(() -> fns.failOn(0, "bad learning rate")).isInstanceOf(RemoteFunctionException.class)
        .hasMessageContaining("bad learning rate (node 0)");
  }

  @Test
  void withoutTheRuntimeDiscoveryFallsBackToPyTorchJob() {
    start(List.of("pytorchjob", "trainjob"), b -> b.nodes(2));
    assertThat(fns.sumOfSquares(1)).isEqualTo(5);
    assertThat(shell.backend()).contains(TorchBackend.PYTORCH_JOB);
    assertThat(trainer.trainJobsSeen()).isEmpty();
  }

  @Test
  void aForcedBackendWinsOverDiscovery() {
    start(List.of("pytorchjob", "trainjob", "runtime"), b -> b.nodes(2).backend(TorchBackend.INDEXED_JOB));
    assertThat(fns.sumOfSquares(1)).isEqualTo(5);
    assertThat(kubelet.jobsSeen()).hasSize(1);
    assertThat(operator.pytorchJobsSeen()).isEmpty();
    assertThat(trainer.trainJobsSeen()).isEmpty();
  }

  @Test
  void aForcedTrainJobWithoutItsRuntimeIsRefusedNamingIt() {
    start(List.of("trainjob"), b -> b.backend(TorchBackend.TRAIN_JOB).runtime("torch-tuned"));
    assertThatThrownBy(() -> fns.sumOfSquares(1)).isInstanceOf(ShellException.class)
        .satisfies(e -> assertThat(((ShellException) e).reason()).isEqualTo("TrainingRuntimeMissing"))
        .hasMessageContaining("'torch-tuned'").hasMessageContaining("kubectl get clustertrainingruntimes");
  }

  @Test
  void aForcedPyTorchJobWithoutTheOperatorIsRefused() {
    start(List.of(), b -> b.backend(TorchBackend.PYTORCH_JOB));
    assertThatThrownBy(() -> fns.sumOfSquares(1)).isInstanceOf(ShellException.class)
        .satisfies(e -> assertThat(((ShellException) e).reason()).isEqualTo("TrainingOperatorMissing"))
        .hasMessageContaining("kubectl get crd pytorchjobs.kubeflow.org");
    assertThat(kubelet.jobsSeen()).isEmpty();
  }

  @Test
  void anEvictedWorkerRecreatesThePyTorchJobWithoutSpendingTheCallersRetries() throws InterruptedException {
    start(List.of("pytorchjob"), b -> b);
    operator.then(FakeTrainingOperator.Behaviour.EVICT_WORKER);
    assertThat(fns.sumOfSquares(3)).isEqualTo(42);
    assertThat(operator.pytorchJobsSeen()).hasSize(2);
    assertThat(operator.pytorchJobsSeen().get(1)).isEqualTo(operator.pytorchJobsSeen().get(0) + "-r1");
    // The evicted object and the finished retry are both deleted (the second from a background task).
    TorchShellTest.awaitDeleted(() -> client.genericKubernetesResources(OperatorJobFactory.PYTORCHJOBS).inNamespace(NS)
        .list().getItems().stream().findAny().orElse(null));
    assertThat(client.genericKubernetesResources(OperatorJobFactory.PYTORCHJOBS).inNamespace(NS).list().getItems()).isEmpty();
  }

  @Test
  void aRunEvictedMoreOftenThanAllowedFailsAsEvicted() {
    start(List.of("pytorchjob"), b -> b.maxEvictionRetries(0));
    operator.then(FakeTrainingOperator.Behaviour.EVICT_WORKER);
    assertThatThrownBy(() -> fns.sumOfSquares(3)).isInstanceOf(ShellException.class)
        .satisfies(e -> assertThat(((ShellException) e).reason()).isEqualTo("Evicted"))
        .hasMessageContaining("-worker-0]").hasMessageContaining("maxEvictionRetries");
  }

  @Test
  void podsThatNeverScheduleFailWithTheirReasonAndTheJobIsDeleted() throws InterruptedException {
    start(List.of("pytorchjob"), b -> b.pendingTimeout(java.time.Duration.ofSeconds(2)));
    operator.then(FakeTrainingOperator.Behaviour.UNSCHEDULABLE);
    assertThatThrownBy(() -> fns.sumOfSquares(5)).isInstanceOf(ShellException.class)
        .satisfies(e -> assertThat(((ShellException) e).reason()).isEqualTo("PodsPending"))
        .hasMessageContaining("-master-0: Unschedulable").hasMessageContaining("Insufficient nvidia.com/gpu");
    String name = operator.pytorchJobsSeen().getFirst();
    TorchShellTest.awaitDeleted(() -> client.genericKubernetesResources(OperatorJobFactory.PYTORCHJOBS).inNamespace(NS)
        .withName(name).get());
    assertThat(client.genericKubernetesResources(OperatorJobFactory.PYTORCHJOBS).inNamespace(NS).withName(name).get()).isNull();
  }

  @Test
  void cancelDeletesTheTrainJob() throws Exception {
    start(List.of("trainjob", "runtime"), b -> b);
    var request = new io.pureremote.spi.Shell.LaunchRequest(store.uri("pureremote/v1/torch/AllReduce%23hang@1/" + "cd".repeat(32)),
        new io.pureremote.FunctionId("AllReduce#hang", "1"), "cd".repeat(32), java.util.Map.of());
    kubelet.then(FakeKubelet.Behaviour.HANG);
    var launch = shell.launch(request);
    String name = io.pureremote.k8s.PodSpecs.callName(request);
    var trainJobs = client.genericKubernetesResources(OperatorJobFactory.TRAINJOBS).inNamespace(NS);
    for (int i = 0; i < 200 && trainJobs.withName(name).get() == null; i++) {
      Thread.sleep(50);
    }
    assertThat(trainJobs.withName(name).get()).as("the TrainJob was created").isNotNull();
    launch.cancel();
    assertThat(launch.completion().get().reason()).isEqualTo("Cancelled");
    TorchShellTest.awaitDeleted(() -> trainJobs.withName(name).get());
    assertThat(trainJobs.withName(name).get()).isNull();
    assertThat(cluster.requests()).anyMatch(r -> r.actor().equals(SHELL) && r.method().equals("DELETE")
        && r.path().contains("/trainjobs/" + name));
  }

  /** The first contact is the Kubernetes shells' ClusterProbe: bounded, and worded like theirs. */
  @Test
  void withoutAnApiServerTheCallFailsAsClusterUnreachable() throws Exception {
    int closedPort;
    try (java.net.ServerSocket socket = new java.net.ServerSocket(0)) {
      closedPort = socket.getLocalPort();
    }
    TorchShellOptions options = TorchShellOptions.builder().namespace(NS).pod(PodTemplateOptions.builder().image(IMAGE).build())
        .build();
    try (KubernetesClient unreachable = new io.fabric8.kubernetes.client.KubernetesClientBuilder().withConfig(
            new io.fabric8.kubernetes.client.ConfigBuilder().withMasterUrl("http://127.0.0.1:" + closedPort)
                .withRequestRetryBackoffLimit(0).build()).build();
         TorchShell noCluster = new TorchShell(unreachable, options);
         RemoteRuntime r = RemoteRuntime.builder().sharedFolder(true).blobStore(BlobStore.folder(dir)).shell(noCluster).pipelineId("torch").build()) {
      AllReduce f = r.create(AllReduce.class, AllReduceImpl.class);
      assertThatThrownBy(() -> f.sumOfSquares(1)).isInstanceOf(ShellException.class)
          .satisfies(e -> assertThat(((ShellException) e).reason()).isEqualTo("ClusterUnreachable"))
          .hasMessageContaining("Cannot reach the Kubernetes API server http://127.0.0.1:" + closedPort);
      assertThat(noCluster.backend()).as("nothing was chosen").isEmpty();
    }
  }

  @Test
  void theRuntimeUsedHereMatchesItsCrd() throws Exception {
    CrdSchema schema = CrdSchema.load(crd(SharedCrds.CLUSTER_TRAINING_RUNTIME), "v1alpha1");
    assertThat(schema.problems(torchDistributed())).isEmpty();
    Files.writeString(Path.of("target/torch-distributed-runtime.yaml"), JSON.asYaml(torchDistributed()));
  }
}
