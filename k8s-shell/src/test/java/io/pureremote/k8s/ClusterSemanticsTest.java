package io.pureremote.k8s;

import static io.pureremote.testing.kubernetes.MockKubernetes.SHELL;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.fabric8.kubernetes.api.model.batch.v1.Job;
import io.pureremote.RemoteFunctionException;
import io.pureremote.RemoteRuntime;
import io.pureremote.ShellException;
import io.pureremote.k8s.testfns.Work;
import io.pureremote.k8s.testfns.WorkImpl;
import io.pureremote.spi.BlobStore;
import io.pureremote.testing.kubernetes.FakeKubelet;
import io.pureremote.testing.kubernetes.MockKubernetes;
import java.nio.file.Path;
import java.util.List;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The shell against the server versions it supports: version discovery once per shell, refusal of
 * a too-old server, strict field validation on create, and the 1.31+ Job conditions (outcome on
 * {@code SuccessCriteriaMet} before {@code Complete}), with {@link FakeKubelet} playing the Job
 * controller of the version the mock server reports.
 */
class ClusterSemanticsTest {
  static final String NS = "team-b";
  static final String IMAGE = "acme/app:inproc";

  @TempDir Path dir;
  MockKubernetes cluster;
  FakeKubelet kubelet;
  KubernetesShell shell;
  RemoteRuntime runtime;
  Work work;

  void start(String version) {
    cluster = new MockKubernetes().kubernetesVersion(version);
    kubelet = new FakeKubelet(cluster, NS).inProcess(IMAGE).start();
    shell = new KubernetesShell(cluster.client(SHELL), KubernetesShellOptions.builder().namespace(NS).image(IMAGE)
        .batching(false).build()); // one Job per call here; batch Jobs are BatchedFanOutTest's
    shell.logSink((prefix, line) -> { });
    runtime = RemoteRuntime.builder().sharedFolder(true).blobStore(BlobStore.folder(dir)).shell(shell).pipelineId("sem").build();
    work = runtime.create(Work.class, WorkImpl.class);
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

  @Test
  void theVersionIsAskedOnceAndEveryCreateIsStrict() {
    start("1.34");
    assertThat(runtime.map(List.of(1L, 2L, 3L), work::square)).containsExactly(1L, 4L, 9L);

    assertThat(cluster.count(SHELL, "get version")).as("one version request per shell").isEqualTo(1);
    List<MockKubernetes.Request> creates = cluster.requests().stream()
        .filter(r -> r.actor().equals(SHELL) && r.kind().equals("create jobs")).toList();
    assertThat(creates).hasSize(3).allSatisfy(r -> assertThat(r.path()).contains("fieldValidation=Strict"));
    Job job = cluster.client("test").batch().v1().jobs().inNamespace(NS).withName(kubelet.jobsSeen().getFirst()).get();
    assertThat(job.getSpec().getPodReplacementPolicy()).isEqualTo("Failed");
  }

  @Test
  void aServerOlderThanTheSupportedRangeIsRefusedBeforeAnyJob() {
    start("1.28");
    assertThatThrownBy(() -> work.square(5)).isInstanceOfSatisfying(ShellException.class, e -> {
      assertThat(e.reason()).isEqualTo("UnsupportedKubernetes");
      assertThat(e.isRetryable()).isFalse();
      assertThat(e.getMessage()).contains("runs v1.28.2, older than 1.29").contains("1.29 to 1.35")
          .contains("Upgrade the cluster");
    });
    assertThat(cluster.count(SHELL, "create jobs")).isZero();
  }

  @Test
  void aFieldTheServerDoesNotKnowIsAClearErrorNotASilentDrop() {
    start("1.34");
    // What a real API server answers to a create with fieldValidation=Strict and an unknown field.
    cluster.rejectNext("POST", "/jobs", 400, "BadRequest",
        "Job in version \\\"v1\\\" cannot be handled as a Job: strict decoding error: unknown field \\\"spec.podReplacementPolicyy\\\"");
    assertThatThrownBy(() -> work.square(6)).isInstanceOfSatisfying(ShellException.class, e -> {
      assertThat(e.reason()).isEqualTo("LaunchFailed");
      assertThat(e.isRetryable()).isFalse();
      assertThat(e.getMessage()).contains("strict decoding error: unknown field \"spec.podReplacementPolicyy\"")
          .contains("strict field validation").contains("remove the field or upgrade the cluster");
    });
  }

  @Test
  void onCurrentServersSuccessCriteriaMetIsTheOutcomeWhilePodsStillTerminate() {
    start("1.34");
    kubelet.holdTerminalConditions(true); // pods "terminate" forever: Complete never comes
    assertThat(work.square(8)).isEqualTo(64);
    Job job = cluster.client("test").batch().v1().jobs().inNamespace(NS).withName(kubelet.jobsSeen().getFirst()).get();
    assertThat(job.getStatus().getConditions()).extracting(c -> c.getType()).contains("SuccessCriteriaMet").doesNotContain("Complete");
  }

  @Test
  void onOlderServersCompleteAloneIsTheOutcome() {
    start("1.30");
    assertThat(work.square(9)).isEqualTo(81);
    Job job = cluster.client("test").batch().v1().jobs().inNamespace(NS).withName(kubelet.jobsSeen().getFirst()).get();
    assertThat(job.getStatus().getConditions()).extracting(c -> c.getType()).containsExactly("Complete");
  }

  @Test
  void onCurrentServersFailureTargetIsTheOutcomeWhilePodsStillTerminate() {
    start("1.34");
    kubelet.holdTerminalConditions(true); // Failed never comes
    assertThatThrownBy(() -> work.fail("boom")).isInstanceOf(RemoteFunctionException.class).hasMessageContaining("boom");
    Job job = cluster.client("test").batch().v1().jobs().inNamespace(NS).withName(kubelet.jobsSeen().getFirst()).get();
    assertThat(job.getStatus().getConditions()).extracting(c -> c.getType()).containsExactly("FailureTarget");
  }

  @Test
  void onOlderServersFailedIsTheOutcome() {
    start("1.30");
    assertThatThrownBy(() -> work.fail("bang")).isInstanceOf(RemoteFunctionException.class).hasMessageContaining("bang");
    Job job = cluster.client("test").batch().v1().jobs().inNamespace(NS).withName(kubelet.jobsSeen().getFirst()).get();
    // A pod failure policy decided: the old controller sets both at once.
    assertThat(job.getStatus().getConditions()).extracting(c -> c.getType()).containsExactly("FailureTarget", "Failed");
  }
}
