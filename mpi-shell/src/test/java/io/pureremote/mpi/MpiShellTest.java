package io.pureremote.mpi;

import static io.pureremote.testing.kubernetes.MockKubernetes.SHELL;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.fabric8.kubernetes.api.model.ConfigMap;
import io.fabric8.kubernetes.api.model.GenericKubernetesResource;
import io.fabric8.kubernetes.client.KubernetesClient;
import io.pureremote.FunctionId;
import io.pureremote.RemoteFunctionException;
import io.pureremote.RemoteRuntime;
import io.pureremote.ShellException;
import io.pureremote.k8s.PodTemplateOptions;
import io.pureremote.spi.BlobStore;
import io.pureremote.mpi.testfns.Ranks;
import io.pureremote.mpi.testfns.RanksImpl;
import io.pureremote.spi.Shell.LaunchRequest;
import io.pureremote.spi.Shell.Outcome;
import io.pureremote.testing.kubernetes.CrdSchema;
import io.pureremote.testing.kubernetes.FakeKubelet;
import io.pureremote.testing.kubernetes.FakeMpiOperator;
import io.pureremote.testing.kubernetes.MockKubernetes;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.TimeUnit;
import java.util.function.UnaryOperator;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * End to end: real {@code @PureRemote} calls through {@link RemoteRuntime} and {@link MpiShell},
 * MPIJobs in the fabric8 mock API server with the operator's CRD, {@link FakeMpiOperator} playing
 * the MPI Operator and {@link FakeKubelet} running the launcher as a child JVM.
 */
class MpiShellTest {
  static final String NS = "khiops";
  static final String IMAGE = "acme/mpi-app:1";

  @TempDir Path dir;
  MockKubernetes cluster;
  KubernetesClient client;
  FakeKubelet kubelet;
  FakeMpiOperator operator;
  MpiShell shell;
  RemoteRuntime runtime;
  Ranks ranks;
  final List<String> launcherLog = new CopyOnWriteArrayList<>();
  String kubernetesVersion = MockKubernetes.DEFAULT_VERSION;

  enum Crd { V2BETA1, V1_ONLY, NONE }

  void start(Crd crd, boolean runOperator, UnaryOperator<MpiShellOptions.Builder> tweak) {
    cluster = new MockKubernetes().kubernetesVersion(kubernetesVersion);
    client = cluster.client(SHELL);
    switch (crd) {
      case V2BETA1 -> FakeMpiOperator.installCrd(cluster, MpiJobSchemaTest.mpiJobCrd());
      case V1_ONLY -> FakeMpiOperator.installV1OnlyCrd(cluster);
      case NONE -> { }
    }
    kubelet = new FakeKubelet(cluster, NS).image(IMAGE, FakeKubelet.javaEntrypoint()).start();
    operator = new FakeMpiOperator(cluster, NS);
    if (runOperator) {
      operator.start();
    }
    PodTemplateOptions launcher = PodTemplateOptions.builder().image(IMAGE).memory("512Mi")
        // Open MPI refuses root without these; the tests may run as root in a container.
        .env("OMPI_ALLOW_RUN_AS_ROOT", "1").env("OMPI_ALLOW_RUN_AS_ROOT_CONFIRM", "1").build();
    MpiShellOptions options = tweak.apply(MpiShellOptions.builder().namespace(NS).launcher(launcher)
        .workers(2).slotsPerWorker(2)).build();
    shell = new MpiShell(client, options);
    shell.logSink((prefix, line) -> launcherLog.add(prefix + line));
    runtime = RemoteRuntime.builder().sharedFolder(true).blobStore(BlobStore.folder(dir)).shell(shell).pipelineId("mpi").build();
    ranks = runtime.create(Ranks.class, RanksImpl.class);
  }

  void start() {
    start(Crd.V2BETA1, true, b -> b);
  }

  @AfterEach
  void stop() {
    if (runtime != null) {
      cluster.quiesce();
      runtime.close();
      shell.close();
      operator.close();
      kubelet.close();
      cluster.close();
    }
  }

  List<GenericKubernetesResource> mpiJobs() {
    return client.genericKubernetesResources(MpiShell.MPIJOBS).inNamespace(NS).list().getItems();
  }

  @Test
  void callRunsAsAnMpiJobAndTheLauncherKnowsItsContext() {
    start();
    String context = ranks.context();
    assertThat(context).startsWith("launcher of 2 worker(s) × 2 slot(s)").contains("hostfile");
    assertThat(operator.mpiJobsSeen()).hasSize(1);
    String name = operator.mpiJobsSeen().getFirst();
    assertThat(name).startsWith("ranks-context-");
    GenericKubernetesResource job = mpiJobs().getFirst();
    assertThat(job.getApiVersion()).isEqualTo("kubeflow.org/v2beta1");
    assertThat(job.getMetadata().getLabels()).containsEntry("app.kubernetes.io/managed-by", "pureremote");
    try {
      // What the shell created (and the operator's status on it) fits the operator's own schema.
      assertThat(CrdSchema.load(MpiJobSchemaTest.mpiJobCrd(), "v2beta1").problems(MpiJobSchemaTest.tree(job))).isEmpty();
    } catch (java.io.IOException e) {
      throw new java.io.UncheckedIOException(e);
    }
    assertThat(kubelet.jobsSeen()).containsExactly(name + "-launcher");
    ConfigMap config = client.configMaps().inNamespace(NS).withName(name + "-config").get();
    assertThat(config.getData()).containsEntry("hostfile", "localhost slots=4\n");
    assertThat(client.pods().inNamespace(NS).withName(name + "-worker-1").get()).isNotNull();
    assertThat(launcherLog).anyMatch(l -> l.startsWith("[" + name + "/" + name + "-launcher-") && l.contains("context: launcher"));
    // Second call: a memo hit, no MPIJob.
    assertThat(ranks.context()).isEqualTo(context);
    assertThat(operator.mpiJobsSeen()).hasSize(1);
  }

  @Test
  void userExceptionIsARemoteFunctionExceptionAndNotRetried() {
    start();
    assertThatThrownBy(() -> ranks.fail("rank boom"))
        .isInstanceOfSatisfying(RemoteFunctionException.class, e -> assertThat(e.remoteClassName())
            .isEqualTo(RanksImpl.RanksException.class.getName()));
    assertThat(operator.mpiJobsSeen()).hasSize(1);
    assertThat(kubelet.jobsSeen()).hasSize(1);
  }

  @Test
  void launcherNonZeroExitIsAShellExceptionWithTheExitCode() {
    start();
    assertThatThrownBy(() -> ranks.crash(3))
        .isInstanceOfSatisfying(ShellException.class, e -> {
          assertThat(e.exitCode()).hasValue(3);
          assertThat(e.getMessage()).contains("crashing with 3");
        });
  }

  @Test
  void evictedWorkerIsRetriedWithANewMpiJobWithoutSpendingTheCallersRetries() {
    start();
    operator.then(FakeMpiOperator.Behaviour.EVICT_WORKER);
    assertThat(ranks.slow("spot", 1500)).isEqualTo("done spot");
    List<String> seen = operator.mpiJobsSeen();
    assertThat(seen).hasSize(2);
    assertThat(seen.get(1)).isEqualTo(seen.get(0) + "-r1");
    // One call, one caller attempt: the re-creation is the shell's, not a retry of the call.
    assertThat(kubelet.jobsSeen()).containsExactly(seen.get(0) + "-launcher", seen.get(1) + "-launcher");
  }

  @Test
  void missingOperatorNamesTheMpiOperatorAndHowToCheck() {
    start(Crd.NONE, false, b -> b);
    assertThatThrownBy(() -> ranks.context())
        .isInstanceOfSatisfying(ShellException.class, e -> {
          assertThat(e.reason()).isEqualTo("MpiOperatorMissing");
          assertThat(e.getMessage()).contains("MPI Operator").contains("kubectl get crd mpijobs.kubeflow.org");
        });
    assertThat(cluster.count(SHELL, "create mpijobs")).isZero();
  }

  @Test
  void aServerOlderThanTheSupportedRangeIsRefusedLikeByTheJobShellAndAskedOnce() {
    kubernetesVersion = "1.28";
    start();
    for (int i = 0; i < 2; i++) {
      assertThatThrownBy(() -> ranks.context()).isInstanceOfSatisfying(ShellException.class, e -> {
        assertThat(e.reason()).isEqualTo("UnsupportedKubernetes");
        assertThat(e.isRetryable()).isFalse();
        assertThat(e.getMessage()).contains("runs v1.28.2, older than 1.29").contains("1.29 to 1.35");
      });
    }
    assertThat(cluster.count(SHELL, "get version")).as("the version is asked once per shell").isEqualTo(1);
    assertThat(cluster.count(SHELL, "create mpijobs")).isZero();
    assertThat(cluster.requests()).as("refused before the CRD lookup").filteredOn(r -> r.actor().equals(SHELL))
        .noneMatch(r -> r.path().contains("customresourcedefinitions"));
  }

  @Test
  void v1OnlyClusterSaysV2beta1IsNeededAndWhy() {
    start(Crd.V1_ONLY, false, b -> b);
    assertThatThrownBy(() -> ranks.context())
        .isInstanceOfSatisfying(ShellException.class, e -> {
          assertThat(e.reason()).isEqualTo("MpiOperatorMissing");
          assertThat(e.getMessage()).contains("only in [v1]").contains("v2beta1").contains("training-operator");
        });
  }

  @Test
  void operatorNotRunningFailsAfterThePickupBound() {
    start(Crd.V2BETA1, false, b -> b.operatorPickupBound(Duration.ofSeconds(1)));
    assertThatThrownBy(() -> ranks.context())
        .isInstanceOfSatisfying(ShellException.class, e -> {
          assertThat(e.reason()).isEqualTo("OperatorNotRunning");
          assertThat(e.getMessage()).contains("no Created condition").contains("not running");
        });
  }

  @Test
  void pendingWorkersFailWithTheirReasons() {
    start(Crd.V2BETA1, true, b -> b.pendingTimeout(Duration.ofSeconds(2)));
    operator.then(FakeMpiOperator.Behaviour.WORKERS_UNSCHEDULABLE);
    assertThatThrownBy(() -> ranks.context())
        .isInstanceOfSatisfying(ShellException.class, e -> {
          assertThat(e.reason()).isEqualTo("PodsPending");
          assertThat(e.getMessage()).contains("-worker-0: Unschedulable").contains("Insufficient cpu");
        });
  }

  @Test
  void deadlineFailsTheCall() {
    start(Crd.V2BETA1, true, b -> b.activeDeadline(Duration.ofSeconds(3)));
    assertThatThrownBy(() -> ranks.slow("long", 60_000))
        .isInstanceOfSatisfying(ShellException.class, e -> assertThat(e.getMessage()).contains("DeadlineExceeded"));
  }

  @Test
  void cancelDeletesTheMpiJob() throws Exception {
    start();
    operator.then(FakeMpiOperator.Behaviour.WORKERS_UNSCHEDULABLE);
    LaunchRequest request = new LaunchRequest("file:///nowhere/memo", new FunctionId("io.acme.Sim#run", "1"),
        "ab".repeat(32), Map.of());
    var launch = shell.launch(request);
    long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(20);
    while (mpiJobs().isEmpty() && System.nanoTime() < deadline) {
      Thread.sleep(50);
    }
    assertThat(mpiJobs()).hasSize(1);
    launch.cancel();
    Outcome outcome = launch.completion().get(10, TimeUnit.SECONDS);
    assertThat(outcome.reason()).isEqualTo("Cancelled");
    assertThat(cluster.requests()).anyMatch(r -> r.actor().equals(SHELL) && r.kind().equals("delete mpijobs"));
    while (!mpiJobs().isEmpty() && System.nanoTime() < deadline) {
      Thread.sleep(50);
    }
    assertThat(mpiJobs()).isEmpty();
  }

  @Test
  void aCredentialInTheRuntimeEnvironmentNeverReachesAPodSpec() throws Exception {
    start(Crd.V2BETA1, false, b -> b);
    LaunchRequest request = new LaunchRequest("file:///nowhere/memo", new FunctionId("io.acme.Sim#run", "1"),
        "cd".repeat(32), Map.of("AWS_SECRET_ACCESS_KEY", "wJalr"));
    var completion = shell.launch(request).completion();
    assertThatThrownBy(() -> completion.get(10, TimeUnit.SECONDS))
        .hasCauseInstanceOf(ShellException.class).hasMessageContaining("AWS_SECRET_ACCESS_KEY").hasMessageContaining("envReference");
    assertThat(cluster.count(SHELL, "create mpijobs")).isZero();
    assertThatThrownBy(() -> MpiShell.mpiJob(shell.options(), request)).hasMessageContaining("AWS_SECRET_ACCESS_KEY");
  }

  @Test
  void realMpirunAcrossTheHostfileSlots() throws Exception {
    boolean hasMpi = Files.isExecutable(Path.of("/usr/bin/mpirun")) && Files.isExecutable(Path.of("/usr/bin/mpicc"));
    if (!hasMpi && "true".equalsIgnoreCase(System.getenv("CI"))) {
      throw new AssertionError("mpirun/mpicc missing: .ci/run installs openmpi-bin and libopenmpi-dev");
    }
    org.junit.jupiter.api.Assumptions.assumeTrue(hasMpi, "Open MPI (mpirun, mpicc) is not installed; apt-get install openmpi-bin libopenmpi-dev");
    start();
    String source = """
        #include <mpi.h>
        #include <stdio.h>
        int main(int argc, char **argv) {
          int rank, size, square, sum = 0;
          MPI_Init(&argc, &argv);
          MPI_Comm_rank(MPI_COMM_WORLD, &rank);
          MPI_Comm_size(MPI_COMM_WORLD, &size);
          printf("rank %d of %d\\n", rank, size);
          fflush(stdout);
          square = rank * rank;
          MPI_Reduce(&square, &sum, 1, MPI_INT, MPI_SUM, 0, MPI_COMM_WORLD);
          if (rank == 0) { printf("sum=%d\\n", sum); fflush(stdout); }
          MPI_Finalize();
          return 0;
        }
        """;
    String result = ranks.runMpi(source);
    System.out.println("MPI e2e result: " + result + " (MPIJob " + operator.mpiJobsSeen().getFirst() + ")");
    assertThat(result).isEqualTo("np=4 ranks=[0, 1, 2, 3] sum of rank^2=14");
    assertThat(launcherLog).anyMatch(l -> l.contains("[mpirun] rank 3 of 4"));
    assertThat(ranks.runMpi(source)).as("memo hit").isEqualTo(result);
    assertThat(operator.mpiJobsSeen()).as("a memo hit creates no MPIJob").hasSize(1);
  }
}
