package io.pureremote.k8s;

import static io.pureremote.testing.kubernetes.MockKubernetes.SHELL;
import static org.assertj.core.api.Assertions.assertThat;

import io.fabric8.kubernetes.api.model.batch.v1.Job;
import io.pureremote.RemoteRuntime;
import io.pureremote.k8s.testfns.Work;
import io.pureremote.k8s.testfns.WorkImpl;
import io.pureremote.spi.BlobStore;
import io.pureremote.testing.kubernetes.FakeKubelet;
import io.pureremote.testing.kubernetes.FakeKueue;
import io.pureremote.testing.kubernetes.MockKubernetes;
import java.nio.file.Path;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import java.util.function.BooleanSupplier;
import java.util.function.UnaryOperator;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The Job shell behind Kueue ({@link FakeKueue}: suspend on create through the queue label, admit
 * by unsuspending within quota, preempt by suspending again), with {@link FakeKubelet} playing a
 * Job controller that honours {@code suspend}: a queued or preempted Job is "queued", never a
 * failure nor a spent retry, and the shell never sets {@code suspend} itself.
 */
class KueueTest {
  static final String NS = "team-q";
  static final String IMAGE = "acme/app:1";
  static final String IN_PROCESS = "acme/app:inproc";

  @TempDir Path dir;
  MockKubernetes cluster;
  FakeKubelet kubelet;
  FakeKueue kueue;
  KubernetesShell shell;
  RemoteRuntime runtime;
  Work work;

  void start(String image, UnaryOperator<KubernetesShellOptions.Builder> tweak) {
    cluster = new MockKubernetes();
    kubelet = new FakeKubelet(cluster, NS).image(IMAGE, FakeKubelet.javaEntrypoint()).inProcess(IN_PROCESS).start();
    kueue = new FakeKueue(cluster, NS).localQueue("team-q-queue", 1).start();
    shell = new KubernetesShell(cluster.client(SHELL), tweak.apply(KubernetesShellOptions.builder().namespace(NS).image(image).batching(false)
        .queueName("team-q-queue")).build());
    shell.logSink((prefix, line) -> { });
    runtime = RemoteRuntime.builder().sharedFolder(true).blobStore(BlobStore.folder(dir)).shell(shell).pipelineId("kueue").build();
    work = runtime.create(Work.class, WorkImpl.class);
  }

  @AfterEach
  void stop() {
    if (runtime != null) {
      cluster.quiesce();
      runtime.close();
      shell.close();
      kueue.close();
      kubelet.close();
      cluster.close();
    }
  }

  /** The statuses of every run record of {@code method}, oldest first per call. */
  List<String> runStatuses(String method) {
    try (BlobStore store = BlobStore.folder(dir)) {
      return io.pureremote.MemoEntry.list(store, "kueue", Work.class.getName() + "#" + method, "1").stream()
          .flatMap(entry -> entry.runs().stream()).map(run -> String.valueOf(run.status())).toList();
    }
  }

  /** Waits until the queue admitted the only Job and its container runs; returns the Job's name. */
  String admittedAndRunning() throws InterruptedException {
    await("the Job is admitted", () -> kueue.admissions().size() == 1);
    String name = kueue.admissions().getFirst();
    await("its container runs", kubelet::anyProcessAlive);
    return name;
  }

  Job job(String name) {
    return cluster.client("test").batch().v1().jobs().inNamespace(NS).withName(name).get();
  }

  static void await(String what, BooleanSupplier condition) throws InterruptedException {
    long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(60);
    while (!condition.getAsBoolean()) {
      if (System.nanoTime() > deadline) {
        throw new AssertionError("timed out waiting until " + what);
      }
      Thread.sleep(25);
    }
  }

  @Test
  void queuedJobsRunOneAtATimeWithinTheQuotaAndAllSucceed() {
    start(IN_PROCESS, b -> b);
    assertThat(runtime.map(List.of(2L, 3L, 4L), work::square)).containsExactly(4L, 9L, 16L);

    assertThat(kueue.suspendedOnCreate()).as("every Job went through the queue").hasSize(3);
    assertThat(kueue.admissions()).hasSize(3).doesNotHaveDuplicates();
    assertThat(kueue.mostAdmittedAtOnce()).as("quota 1").isEqualTo(1);
    assertThat(kubelet.jobsSeen()).as("no Job re-created").hasSize(3);
    // The shell sent no suspend: the webhook set it.
    assertThat(cluster.requests()).filteredOn(r -> r.actor().equals(SHELL) && r.kind().equals("create jobs")).hasSize(3);
    Job first = job(kubelet.jobsSeen().getFirst());
    assertThat(first.getMetadata().getLabels()).containsEntry(FakeKueue.QUEUE_LABEL, "team-q-queue");
    assertThat(first.getStatus().getConditions()).extracting(c -> c.getType() + "=" + c.getStatus())
        .contains("Suspended=False", "SuccessCriteriaMet=True");
  }

  @Test
  void aJobWaitingForAdmissionIsQueuedNotFailedAndRunsWhenAdmitted() throws Exception {
    start(IN_PROCESS, b -> b.pendingTimeout(java.time.Duration.ofSeconds(1)).imagePullBound(java.time.Duration.ofSeconds(1)));
    kueue.hold(true);
    CompletableFuture<Long> call = CompletableFuture.supplyAsync(() -> work.square(7));
    await("the Job is created and suspended", () -> !kueue.suspendedOnCreate().isEmpty() && !kubelet.jobsSeen().isEmpty());
    JobRun run = shell.runs().getFirst();
    await("the shell sees it queued", run::queued);
    assertThat(run.description()).contains("(queued: suspended until Kueue admits it from LocalQueue team-q-queue)");
    // Queue time is no pending time: three times the pending bound in the queue fails nothing.
    Thread.sleep(3_000);
    assertThat(call).isNotDone();
    kueue.hold(false);
    assertThat(call.get(60, TimeUnit.SECONDS)).isEqualTo(49L);
    assertThat(kubelet.jobsSeen()).hasSize(1);
  }

  @Test
  void aBatchWaitingForAdmissionIsQueuedNotFailedAndRunsWhenAdmitted() throws Exception {
    start(IN_PROCESS, b -> b.batching(true).pendingTimeout(java.time.Duration.ofSeconds(1))
        .imagePullBound(java.time.Duration.ofSeconds(1)));
    kueue.hold(true);
    CompletableFuture<List<Long>> calls = CompletableFuture.supplyAsync(() -> runtime.map(List.of(2L, 3L, 4L), work::square));
    await("the batch Job is created and suspended", () -> !kueue.suspendedOnCreate().isEmpty() && !kubelet.jobsSeen().isEmpty());
    Job batch = job(kubelet.jobsSeen().getFirst());
    assertThat(batch.getSpec().getCompletionMode()).isEqualTo("Indexed");
    assertThat(batch.getMetadata().getLabels()).containsEntry(FakeKueue.QUEUE_LABEL, "team-q-queue");
    await("the shell sees the batch queued", () -> !shell.batchRuns().isEmpty() && shell.batchRuns().getFirst().queued());
    await("the controller marks it suspended", () -> job(batch.getMetadata().getName()).getStatus() != null
        && job(batch.getMetadata().getName()).getStatus().getConditions() != null
        && job(batch.getMetadata().getName()).getStatus().getConditions().stream()
            .anyMatch(c -> c.getType().equals("Suspended") && c.getStatus().equals("True")));
    // Three times the pending bound in the queue fails nothing, and no pod runs while it is held.
    Thread.sleep(3_000);
    assertThat(calls).isNotDone();
    assertThat(cluster.client("test").pods().inNamespace(NS).list().getItems()).as("no pods while suspended").isEmpty();
    kueue.hold(false);
    assertThat(calls.get(60, TimeUnit.SECONDS)).containsExactly(4L, 9L, 16L);
    assertThat(kubelet.jobsSeen()).as("one batch Job, never re-created: no retry spent").hasSize(1);
    assertThat(cluster.count(SHELL, "create jobs")).isEqualTo(1);
    assertThat(job(batch.getMetadata().getName()).getStatus().getConditions()).extracting(c -> c.getType() + "=" + c.getStatus())
        .contains("Suspended=False");
  }

  @Test
  void aPreemptedJobIsQueuedAgainAndSpendsNoRetry() throws Exception {
    // No disruption allowed: a preemption counted as one would fail the call.
    start(IMAGE, b -> b.maxEvictionRetries(0));
    CompletableFuture<String> call = CompletableFuture.supplyAsync(() -> work.slow("p", 4_000));
    String name = admittedAndRunning();
    kueue.hold(true);
    assertThat(kueue.preempt(name)).isTrue();
    JobRun run = shell.runs().getFirst();
    await("the shell sees it queued again", run::queued);
    await("the controller removed its pod", () -> !kubelet.anyProcessAlive());
    assertThat(call).isNotDone();
    kueue.hold(false);
    assertThat(call.get(90, TimeUnit.SECONDS)).isEqualTo("done p");
    assertThat(kueue.admissions()).as("admitted, preempted, admitted again").containsExactly(name, name);
    assertThat(kubelet.jobsSeen()).as("the same Job resumed, not re-created").containsExactly(name);
    // The preempted pod was killed before it could record its run; the shell did, with Kueue's reason.
    String workload = kueue.workload(name).orElseThrow().getMetadata().getName();
    assertThat(runStatuses("slow")).as("the preempted run, then the run that succeeded").containsExactly(
        "requeued: preempted by Kueue (Workload " + NS + "/" + workload + ": Evicted Preempted (InClusterQueue): Preempted to"
            + " accommodate a workload (UID: " + FakeKueue.PREEMPTOR_UID + ", JobUID: " + FakeKueue.PREEMPTOR_UID + ") due to"
            + " prioritization in the ClusterQueue); the Job waits in LocalQueue team-q-queue to be admitted again,"
            + " spending none of the call's retries",
        "succeeded");
  }

  @Test
  void withoutPermissionToListWorkloadsThePreemptedRunIsStillRecordedWithoutKueuesReason() throws Exception {
    start(IMAGE, b -> b.maxEvictionRetries(0));
    CompletableFuture<String> call = CompletableFuture.supplyAsync(() -> work.slow("forbidden", 4_000));
    String name = admittedAndRunning();
    cluster.rejectNext("GET", "/workloads?labelSelector", 403, "Forbidden", "workloads.kueue.x-k8s.io is forbidden: User \"pureremote\""
        + " cannot list resource \"workloads\" in API group \"kueue.x-k8s.io\" in the namespace \"" + NS + "\"");
    assertThat(kueue.preempt(name)).isTrue();
    assertThat(call.get(90, TimeUnit.SECONDS)).isEqualTo("done forbidden");
    assertThat(runStatuses("slow")).containsExactly(
        "requeued: the queue suspended Job " + NS + "/" + name + " after admitting it (a Kueue preemption or eviction);"
            + " the Job waits in LocalQueue team-q-queue to be admitted again, spending none of the call's retries",
        "succeeded");
  }

  @Test
  void aRunningBatchThatTheQueuePreemptsIsQueuedAgainAndResumedWithoutSpendingARetry() throws Exception {
    // Child JVMs, so the suspension really stops the containers; no disruption allowed, so a
    // preemption counted as one would fail the calls.
    start(IMAGE, b -> b.batching(true).maxEvictionRetries(0));
    List<String> tags = List.of("a", "b", "c");
    List<CompletableFuture<String>> calls = tags.stream()
        .map(t -> CompletableFuture.supplyAsync(() -> work.slow(t, 4_000))).toList();
    await("the batch Job is admitted", () -> kueue.admissions().size() == 1);
    String name = kueue.admissions().getFirst();
    assertThat(job(name).getSpec().getCompletionMode()).isEqualTo("Indexed");
    await("its pods run", () -> cluster.client("test").pods().inNamespace(NS).list().getItems().stream()
        .filter(p -> "Running".equals(p.getStatus().getPhase())).count() == 3 && kubelet.anyProcessAlive());
    kueue.hold(true);
    assertThat(kueue.preempt(name)).isTrue();
    BatchRun batch = shell.batchRuns().getFirst();
    await("the shell sees the batch queued again", batch::queued);
    await("the controller removed its pods", () -> !kubelet.anyProcessAlive());
    await("the Job is marked suspended", () -> job(name).getStatus().getConditions().stream()
        .anyMatch(c -> c.getType().equals("Suspended") && c.getStatus().equals("True")));
    assertThat(calls).noneMatch(CompletableFuture::isDone);
    assertThat(cluster.client("test").pods().inNamespace(NS).list().getItems())
        .noneMatch(p -> "Running".equals(p.getStatus().getPhase()));

    kueue.hold(false);
    for (int i = 0; i < tags.size(); i++) {
      assertThat(calls.get(i).get(90, TimeUnit.SECONDS)).isEqualTo("done " + tags.get(i));
    }
    // Each call's preempted pod is in its runs, with Kueue's reason, before the run that succeeded.
    List<String> statuses = runStatuses("slow");
    assertThat(statuses).filteredOn(st -> st.startsWith("requeued: preempted by Kueue (Workload " + NS + "/job-" + name + "-"))
        .hasSize(3).allMatch(st -> st.contains("Evicted Preempted (InClusterQueue)"));
    assertThat(statuses).filteredOn("succeeded"::equals).hasSize(3);
    assertThat(kueue.admissions()).as("admitted, preempted, admitted again").containsExactly(name, name);
    assertThat(kubelet.jobsSeen()).as("the same batch Job resumed, not re-created").containsExactly(name);
    assertThat(cluster.count(SHELL, "create jobs")).isEqualTo(1);
    assertThat(job(name).getStatus().getFailedIndexes()).as("a preemption fails no index").isNullOrEmpty();
  }
}
