package io.pureremote.k8s;

import static io.pureremote.testing.kubernetes.MockKubernetes.SHELL;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.fabric8.kubernetes.api.model.batch.v1.Job;
import io.fabric8.kubernetes.client.KubernetesClient;
import io.pureremote.CallOptions;
import io.pureremote.FunctionId;
import io.pureremote.RemoteFunctionException;
import io.pureremote.RemoteRuntime;
import io.pureremote.RemoteTimeoutException;
import io.pureremote.ShellException;
import io.pureremote.testing.kubernetes.FakeKubelet.Behaviour;
import io.pureremote.k8s.testfns.Work;
import io.pureremote.k8s.testfns.WorkImpl;
import io.pureremote.spi.BlobStore;
import io.pureremote.spi.Shell.Launch;
import io.pureremote.spi.Shell.LaunchRequest;
import io.pureremote.testing.kubernetes.FakeKubelet;
import io.pureremote.testing.kubernetes.MockKubernetes;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.function.BooleanSupplier;
import java.util.function.UnaryOperator;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * End to end: real {@code @PureRemote} calls through {@link RemoteRuntime} and {@link
 * KubernetesShell}, real Job objects in the fabric8 mock API server, and {@link FakeKubelet}
 * running {@code RemoteMain} in child JVMs against a file blob store.
 */
class KubernetesShellTest {
  static final String NS = "team-a";
  static final String IMAGE = "acme/app:1";
  static final String IN_PROCESS = "acme/app:inproc";

  @TempDir Path dir;
  MockKubernetes cluster;
  KubernetesClient client;
  FakeKubelet kubelet;
  BlobStore store;
  KubernetesShell shell;
  RemoteRuntime runtime;
  Work work;
  final List<String> podLog = new CopyOnWriteArrayList<>();

  void start(UnaryOperator<KubernetesShellOptions.Builder> tweak) {
    start(tweak, CallOptions.DEFAULTS);
  }

  void start(UnaryOperator<KubernetesShellOptions.Builder> tweak, CallOptions callOptions) {
    cluster = new MockKubernetes();
    client = cluster.client(SHELL);
    kubelet = new FakeKubelet(cluster, NS).image(IMAGE, FakeKubelet.javaEntrypoint()).inProcess(IN_PROCESS).start();
    store = BlobStore.folder(dir);
    KubernetesShellOptions options = tweak.apply(KubernetesShellOptions.builder().namespace(NS).image(IMAGE)
        .memory("512Mi").watchSilenceBound(Duration.ofMinutes(1))).build();
    shell = new KubernetesShell(client, options);
    shell.logSink((prefix, line) -> podLog.add(prefix + line));
    runtime = RemoteRuntime.builder().sharedFolder(true).blobStore(store).shell(shell).pipelineId("k8s").defaults(callOptions).build();
    work = runtime.create(Work.class, WorkImpl.class);
  }

  @AfterEach
  void stop() {
    if (runtime != null) {
      cluster.quiesce();
      runtime.close();
      shell.close();
      kubelet.close();
      // Server first: it closes its websockets while the clients can still answer the close.
      cluster.close();
    }
  }

  /** Runs of {@code method} that recorded themselves (not the disruptions the shell recorded for killed pods). */
  long executions(String method) {
    return runStatuses(method).stream().filter(status -> !status.startsWith("disrupted: ")).count();
  }

  /** The statuses of every run record of {@code method}, the shell's disruption records included. */
  List<String> runStatuses(String method) {
    return io.pureremote.MemoEntry.list(store, "k8s", Work.class.getName() + "#" + method, "1").stream()
        .flatMap(entry -> entry.runs().stream()).map(run -> String.valueOf(run.status())).toList();
  }

  int jobsCreated() {
    return cluster.count(SHELL, "create jobs");
  }

  /**
   * The Job, read by the test's own client. Closing watch connections can stall the mock server's
   * event loop for ~30 s (a mock server quirk, seen on a loaded machine), so a request that times
   * out is retried for up to a minute rather than failing the test.
   */
  Job job(String name) {
    long deadline = System.nanoTime() + Duration.ofSeconds(60).toNanos();
    while (true) {
      try {
        return client.batch().v1().jobs().inNamespace(NS).withName(name).get();
      } catch (io.fabric8.kubernetes.client.KubernetesClientException e) {
        boolean stalled = String.valueOf(e.getMessage()).contains("timeout period");
        if (!stalled || System.nanoTime() > deadline) {
          throw e;
        }
      }
    }
  }

  static void await(String what, Duration max, BooleanSupplier condition) throws InterruptedException {
    long deadline = System.nanoTime() + max.toNanos();
    while (!condition.getAsBoolean()) {
      if (System.nanoTime() > deadline) {
        throw new AssertionError("timed out after " + max + " waiting for: " + what);
      }
      Thread.sleep(50);
    }
  }

  @Test
  void callRunsAsAJobAndTheSecondCallIsAMemoHit() throws Exception {
    start(b -> b);
    assertThat(work.square(7)).isEqualTo(49);
    assertThat(jobsCreated()).isEqualTo(1);
    String name = kubelet.jobsSeen().getFirst();
    assertThat(name).startsWith("work-square-").hasSize("work-square-".length() + 10);
    Job job = job(name);
    assertThat(job.getMetadata().getLabels()).containsEntry("app.kubernetes.io/managed-by", "pureremote")
        .containsEntry("pureremote.io/function", "io.pureremote.k8s.testfns.Work_square");
    assertThat(job.getSpec().getTemplate().getSpec().getContainers().getFirst().getArgs())
        .as("run <memo uri> --holder <the caller's lease>")
        .startsWith("run", job.getMetadata().getAnnotations().get("pureremote.io/memo-uri"), "--holder").hasSize(4);

    assertThat(work.square(7)).as("memo hit").isEqualTo(49);
    assertThat(jobsCreated()).as("a memo hit creates no Job").isEqualTo(1);
    assertThat(executions("square")).isEqualTo(1);
    await("the pod log line reaches the caller's log", Duration.ofSeconds(10),
        () -> podLog.stream().anyMatch(l -> l.startsWith("[" + name + "/" + name + "-") && l.endsWith("] squaring 7")));
  }

  @Test
  void userExceptionIsARemoteFunctionException() {
    start(b -> b);
    assertThatThrownBy(() -> work.fail("remote boom"))
        .isInstanceOfSatisfying(RemoteFunctionException.class, e -> {
          assertThat(e.remoteClassName()).isEqualTo(WorkImpl.WorkException.class.getName());
          assertThat(e.getCause()).isInstanceOf(WorkImpl.WorkException.class).hasMessage("remote boom");
        });
    Job job = job(kubelet.jobsSeen().getFirst());
    assertThat(job.getStatus().getConditions()).anyMatch(c -> c.getType().equals("Failed") && c.getReason().equals("PodFailurePolicy"));

    // Errors are not memoized by default: the call runs again, and the failed Job still holds
    // the first name, so the new Job gets another one and the old Job's state is not mistaken for it.
    assertThatThrownBy(() -> work.fail("remote boom")).isInstanceOf(RemoteFunctionException.class);
    assertThat(kubelet.jobsSeen()).hasSize(2);
    assertThat(kubelet.jobsSeen().get(1)).startsWith(kubelet.jobsSeen().get(0) + "-x");
    assertThat(executions("fail")).isEqualTo(2);
  }

  @Test
  void oomKilledBecomesAShellExceptionWithMemoryAdvice() {
    start(b -> b);
    kubelet.then(Behaviour.OOM_KILL);
    assertThatThrownBy(() -> work.slow("oom", 30_000))
        .isInstanceOfSatisfying(ShellException.class, e -> {
          assertThat(e.reason()).isEqualTo("OOMKilled");
          assertThat(e.exitCode()).hasValue(137);
          assertThat(e.getMessage()).contains("more memory than its limit (memory limit 512Mi)").contains("memory(\"1024Mi\")");
        });
    assertThat(kubelet.anyProcessAlive()).isFalse();
  }

  @Test
  void imagePullFailureFailsFastAndDeletesTheJob() throws Exception {
    start(b -> b.imagePullBound(Duration.ofSeconds(1)));
    kubelet.then(Behaviour.IMAGE_PULL_FAILURE);
    long started = System.nanoTime();
    assertThatThrownBy(() -> work.square(3))
        .isInstanceOfSatisfying(ShellException.class, e -> {
          assertThat(e.reason()).isEqualTo("ImagePullBackOff");
          assertThat(e.isRetryable()).isFalse();
          assertThat(e.getMessage()).contains("cannot pull image 'acme/app:1'").contains("ImagePullBackOff")
              .contains("imagePullBound=PT1S");
        });
    // Fail-fast, not hang: far below the 10-minute pending timeout, with room for a loaded machine.
    assertThat(Duration.ofNanos(System.nanoTime() - started)).isLessThan(Duration.ofSeconds(60));
    String name = kubelet.jobsSeen().getFirst();
    await("the Job is deleted", Duration.ofSeconds(60), () -> job(name) == null);
  }

  @Test
  void unschedulablePastThePendingTimeoutFails() throws Exception {
    start(b -> b.pendingTimeout(Duration.ofSeconds(1)).gpus(1));
    kubelet.then(Behaviour.UNSCHEDULABLE);
    assertThatThrownBy(() -> work.square(4))
        .isInstanceOfSatisfying(ShellException.class, e -> {
          assertThat(e.reason()).isEqualTo("Unschedulable");
          assertThat(e.getMessage()).contains("Insufficient nvidia.com/gpu").contains("pendingTimeout=PT1S");
        });
    String name = kubelet.jobsSeen().getFirst();
    await("the Job is deleted", Duration.ofSeconds(60), () -> job(name) == null);
  }

  @Test
  void evictedPodIsReplacedByTheJobControllerWithoutANewJob() {
    start(b -> b);
    kubelet.then(Behaviour.EVICT_THEN_REPLACE);
    assertThat(work.slow("spot-a", 1000)).isEqualTo("done spot-a");
    assertThat(jobsCreated()).isEqualTo(1);
    assertThat(executions("slow")).as("the evicted run never committed").isEqualTo(1);
    // The evicted pod could not record its run; the shell did, with the cluster's reason.
    assertThat(runStatuses("slow")).filteredOn(status -> status.startsWith("disrupted: ")).singleElement().asString()
        .contains("Evicted", "TerminationByKubelet");
  }

  @Test
  void evictedJobIsRecreatedByTheShell() {
    start(b -> b);
    kubelet.then(Behaviour.EVICT_AND_FAIL_JOB);
    assertThat(work.slow("spot-b", 1000)).isEqualTo("done spot-b");
    assertThat(jobsCreated()).isEqualTo(2);
    assertThat(kubelet.jobsSeen().get(1)).isEqualTo(kubelet.jobsSeen().get(0) + "-r1");
  }

  @Test
  void evictionsBeyondTheBoundFailRetryable() {
    start(b -> b.maxEvictionRetries(1));
    kubelet.then(Behaviour.EVICT_AND_FAIL_JOB).then(Behaviour.EVICT_AND_FAIL_JOB);
    assertThatThrownBy(() -> work.slow("spot-c", 20_000))
        .isInstanceOfSatisfying(ShellException.class, e -> {
          assertThat(e.reason()).isEqualTo("Evicted");
          assertThat(e.isRetryable()).isTrue();
          assertThat(e.getMessage()).contains("disrupted 2 times (maxEvictionRetries=1)").contains("Evicted (TerminationByKubelet");
        });
    assertThat(jobsCreated()).isEqualTo(2);
  }

  @Test
  void watchDroppedMidRunStillCompletes() {
    start(b -> b);
    kubelet.then(Behaviour.DROP_WATCHES_MID_RUN);
    assertThat(work.slow("drop", 1000)).isEqualTo("done drop");
    assertThat(cluster.count(SHELL, "watch jobs")).as("the Job watch reconnected").isGreaterThanOrEqualTo(2);
  }

  @Test
  void silentWatchIsCheckedWithOneGet() {
    start(b -> b.watchSilenceBound(Duration.ofMillis(1500)));
    kubelet.then(Behaviour.MUTE_WATCHES_MID_RUN);
    try {
      assertThat(work.slow("quiet", 500)).isEqualTo("done quiet");
    } finally {
      cluster.muteShellWatches(false);
    }
    assertThat(cluster.count(SHELL, "get jobs")).isBetween(1, 3);
  }

  @Test
  void stoppedInformerIsRestarted() throws Exception {
    start(b -> b);
    var call = java.util.concurrent.CompletableFuture.supplyAsync(() -> work.slow("restart", 1500));
    await("the Job runs", Duration.ofSeconds(20), () -> !kubelet.jobsSeen().isEmpty());
    shell.watch().stopInformers();
    // Generous bound: closing watch connections can block the mock server's event loop for ~30 s
    // (a mock server quirk), and the relist then waits for the informer's retry backoff.
    assertThat(call.get(180, TimeUnit.SECONDS)).isEqualTo("done restart");
    assertThat(shell.informerRestarts()).isGreaterThanOrEqualTo(2);
  }

  @Test
  void jobDeletedExternallyIsAClearError() throws Exception {
    start(b -> b);
    kubelet.then(Behaviour.DELETE_JOB_MID_RUN);
    assertThatThrownBy(() -> work.slow("deleted", 30_000))
        .isInstanceOfSatisfying(ShellException.class, e -> {
          assertThat(e.reason()).isEqualTo("JobDeleted");
          assertThat(e.getMessage()).contains("was deleted before it reported completion").contains("This process did not delete it");
        });
    await("the container is killed", Duration.ofSeconds(30), () -> !kubelet.anyProcessAlive());
  }

  @Test
  void jobDeletedWhileTheInformerWasDownIsFoundByTheRelist() throws Exception {
    start(b -> b);
    kubelet.then(Behaviour.HANG);
    var call = java.util.concurrent.CompletableFuture.supplyAsync(() -> work.slow("gone", 30_000));
    await("the Job runs", Duration.ofSeconds(20), () -> !kubelet.jobsSeen().isEmpty());
    String name = kubelet.jobsSeen().getFirst();
    shell.watch().stopInformers();
    deleteRetryingSlowAnswers(name);
    // See stoppedInformerIsRestarted for why the bound is generous.
    assertThatThrownBy(() -> call.get(180, TimeUnit.SECONDS)).isInstanceOf(ExecutionException.class)
        .cause().isInstanceOfSatisfying(ShellException.class, e -> assertThat(e.reason()).isEqualTo("JobDeleted"));
  }

  @Test
  void watchRefusedForLongIsRestartedAndRelisted() throws Exception {
    // No silence check within the test: only the watch-gap restart can see the completion.
    start(b -> b.watchSilenceBound(Duration.ofMinutes(10)));
    var call = java.util.concurrent.CompletableFuture.supplyAsync(() -> work.slow("refused", 2000));
    await("the Job runs", Duration.ofSeconds(60), () -> !kubelet.jobsSeen().isEmpty());
    // A bare 410 on the watch request itself: fabric8 retries it from the same resourceVersion forever.
    cluster.refuseNextShellWatches(Integer.MAX_VALUE, 410);
    try {
      cluster.dropShellWatches();
      assertThat(call.get(120, TimeUnit.SECONDS)).isEqualTo("done refused");
    } finally {
      cluster.refuseNextShellWatches(0, 410);
    }
    assertThat(shell.informerRestarts()).as("restarted after %s without a watch", NamespaceWatch.WATCH_GAP).isPositive();
    assertThat(cluster.count(SHELL, "list jobs")).as("the restart relisted").isGreaterThanOrEqualTo(2);
  }

  @Test
  void jobDeletedWhileTheWatchWasDownIsReportedWhenItResumes() throws Exception {
    start(b -> b.watchSilenceBound(Duration.ofMinutes(10)));
    kubelet.then(Behaviour.HANG);
    var call = java.util.concurrent.CompletableFuture.supplyAsync(() -> work.slow("resumed", 30_000));
    await("the Job runs", Duration.ofSeconds(60), () -> !kubelet.jobsSeen().isEmpty());
    String name = kubelet.jobsSeen().getFirst();
    cluster.refuseNextShellWatches(Integer.MAX_VALUE, 503);
    try {
      cluster.dropShellWatches();
      deleteRetryingSlowAnswers(name);
    } finally {
      cluster.refuseNextShellWatches(0, 503);
    }
    // The informer resumes its watch from the version before the deletion: the server answers 410
    // (as a real one does past its watch window) and the informer relists, finding the Job gone.
    assertThatThrownBy(() -> call.get(120, TimeUnit.SECONDS)).isInstanceOf(ExecutionException.class)
        .cause().isInstanceOfSatisfying(ShellException.class, e -> assertThat(e.reason()).isEqualTo("JobDeleted"));
    assertThat(cluster.expiredResumes()).as("a resumed watch was told it expired").isPositive();
  }

  /**
   * Deletes the Job, asking again when the answer is slow: right after watch connections close the
   * mock server can stall for up to 30 s (a mock quirk; one DELETE timed out after 10 s in CI).
   */
  private void deleteRetryingSlowAnswers(String name) throws InterruptedException {
    long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(90);
    for (int attempt = 1; ; attempt++) {
      try {
        client.batch().v1().jobs().inNamespace(NS).withName(name).delete();
        return;
      } catch (io.fabric8.kubernetes.client.KubernetesClientException e) {
        if (e.getCode() == 404 && attempt > 1) {
          return; // the DELETE that timed out landed after all
        }
        // A client-side timeout has no HTTP code (fabric8 gives it 0 or -1); any code is the server's answer.
        if (e.getCode() > 0 || System.nanoTime() > deadline) {
          throw e; // an answer from the server, or slow for too long
        }
        Thread.sleep(200);
      }
    }
  }

  @Test
  void timeoutCancelsAndDeletesTheJob() throws Exception {
    start(b -> b, CallOptions.builder().timeout(Duration.ofSeconds(3)).build());
    assertThatThrownBy(() -> work.slow("cancel", 60_000)).isInstanceOf(RemoteTimeoutException.class);
    String name = kubelet.jobsSeen().getFirst();
    await("the Job is deleted", Duration.ofSeconds(60), () -> job(name) == null);
    assertThat(cluster.requests()).anyMatch(r -> r.actor().equals(SHELL) && r.method().equals("DELETE") && r.path().endsWith("/jobs/" + name));
    await("the container is killed", Duration.ofSeconds(30), () -> !kubelet.anyProcessAlive());
  }

  @Test
  void launchCancelAndShellCloseDeleteJobs() throws Exception {
    start(b -> b);
    kubelet.then(Behaviour.HANG).then(Behaviour.HANG);
    Launch first = shell.launch(request("first"));
    Launch second = shell.launch(request("second"));
    await("both Jobs run", Duration.ofSeconds(20), () -> kubelet.jobsSeen().size() == 2);
    first.cancel();
    assertThat(first.completion().get(5, TimeUnit.SECONDS).reason()).isEqualTo("Cancelled");
    String firstName = JobFactory.baseName(request("first"));
    await("the cancelled Job is deleted", Duration.ofSeconds(60), () -> job(firstName) == null);

    shell.close();
    assertThat(job(JobFactory.baseName(request("second")))).isNull();
    assertThatThrownBy(() -> second.completion().get(5, TimeUnit.SECONDS)).cause()
        .isInstanceOfSatisfying(ShellException.class, e -> assertThat(e.reason()).isEqualTo("ShellClosed"));
  }

  @Test
  void deadlineExceededIsReported() {
    start(b -> b.activeDeadline(Duration.ofSeconds(2)));
    assertThatThrownBy(() -> work.slow("deadline", 30_000))
        .isInstanceOfSatisfying(ShellException.class, e -> {
          assertThat(e.reason()).isEqualTo("DeadlineExceeded");
          assertThat(e.getMessage()).contains("longer than activeDeadline PT2S");
        });
  }

  @Test
  void crashWithoutAResultReportsTheExitCode() {
    start(b -> b);
    assertThatThrownBy(() -> work.crash(7))
        .isInstanceOfSatisfying(ShellException.class, e -> {
          assertThat(e.reason()).isEqualTo("Exited");
          assertThat(e.exitCode()).hasValue(7);
          assertThat(e.getMessage()).contains("BackoffLimitExceeded").contains("exit code 7");
        });
  }

  @Test
  void transientApiErrorsAreRetried() {
    start(b -> b);
    cluster.failNext("POST", "/jobs", 503, 2);
    cluster.failNext("POST", "/jobs", 429, 1);
    assertThat(work.square(5)).isEqualTo(25);
    assertThat(cluster.count(SHELL, "create jobs")).isGreaterThanOrEqualTo(4);
    assertThat(kubelet.jobsSeen()).hasSize(1);
  }

  @Test
  void siblingShellsShareOneWatchPerNamespace() throws Exception {
    start(b -> b.image(IN_PROCESS));
    KubernetesShell big = shell.withOptions(shell.options().toBuilder().memory("2Gi").build());
    try (RemoteRuntime bigRuntime = RemoteRuntime.builder().sharedFolder(true).blobStore(store).shell(big).pipelineId("k8s").build()) {
      Work bigWork = bigRuntime.create(Work.class, WorkImpl.class);
      assertThat(bigWork.square(11)).isEqualTo(121);
      assertThat(work.square(12)).isEqualTo(144);
    }
    Job bigJob = job(kubelet.jobsSeen().get(0));
    assertThat(bigJob.getSpec().getTemplate().getSpec().getContainers().getFirst().getResources().getLimits().get("memory"))
        .hasToString("2Gi");
    big.close();
    assertThat(work.square(13)).as("closing a sibling leaves the shared watches running").isEqualTo(169);
    assertThat(cluster.count(SHELL, "watch jobs")).isEqualTo(1);
    assertThat(cluster.count(SHELL, "watch pods")).isEqualTo(1);
    assertThat(cluster.count(SHELL, "list jobs")).isEqualTo(1);
  }

  LaunchRequest request(String tag) {
    String hash = KubernetesNames.sha256Hex(tag);
    FunctionId fn = new FunctionId("io.pureremote.k8s.testfns.Work#slow", "1");
    return new LaunchRequest(store.root() + "/pureremote/v1/k8s/" + "io.pureremote.k8s.testfns.Work%23slow@1/" + hash,
        fn, hash, Map.of());
  }

}
