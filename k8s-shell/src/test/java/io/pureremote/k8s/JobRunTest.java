package io.pureremote.k8s;

import static org.assertj.core.api.Assertions.assertThat;

import io.fabric8.kubernetes.api.model.ContainerStatus;
import io.fabric8.kubernetes.api.model.ContainerStatusBuilder;
import io.fabric8.kubernetes.api.model.Pod;
import io.fabric8.kubernetes.api.model.PodBuilder;
import io.fabric8.kubernetes.api.model.PodConditionBuilder;
import io.fabric8.kubernetes.api.model.batch.v1.Job;
import io.fabric8.kubernetes.api.model.batch.v1.JobBuilder;
import io.fabric8.kubernetes.api.model.batch.v1.JobConditionBuilder;
import io.pureremote.ShellException;
import io.pureremote.spi.Shell.Outcome;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletionException;
import org.junit.jupiter.api.Test;

/**
 * The Job state machine on its own: events in, decisions and actions out, with no API server. The
 * cluster side is {@link RecordedActions}, which only writes down what the run asked for; the
 * end-to-end behaviour on the mock cluster is in {@link KubernetesShellTest}.
 */
class JobRunTest {
  private static final String NAME = "job-a";
  private static final String UID = "uid-1";

  private final RecordedActions actions = new RecordedActions();
  private final KubernetesShellOptions options = KubernetesShellOptions.builder()
      .namespace("ml").image("app:1").memory("512Mi")
      .imagePullBound(Duration.ofSeconds(30)).pendingTimeout(Duration.ofSeconds(60))
      .watchSilenceBound(Duration.ofSeconds(20)).maxEvictionRetries(1)
      .build();

  private JobRun newRun(boolean followLogs) {
    return new JobRun(actions, options, JobFactoryTest.REQUEST, NAME, followLogs);
  }

  private JobRun createdRun(boolean followLogs) {
    JobRun run = newRun(followLogs);
    assertThat(run.onCreated(NAME, UID)).isTrue();
    return run;
  }

  @Test
  void aCompleteJobEndsTheRunWithExitZeroAndUntracksIt() {
    JobRun run = createdRun(false);
    assertThat(run.phase()).isEqualTo(JobRun.Phase.RUNNING);

    run.onJob(job(NAME, UID, "Complete"));

    assertThat(run.completion()).isCompletedWithValue(Outcome.exited(0, ""));
    assertThat(run.phase()).isEqualTo(JobRun.Phase.DONE);
    assertThat(actions.log).containsExactly("untrack " + NAME);
    run.onJob(job(NAME, UID, "Failed")); // nothing changes once done
    assertThat(actions.log).containsExactly("untrack " + NAME);
  }

  @Test
  void successCriteriaMetIsTheOutcomeWithoutWaitingForComplete() {
    // 1.31+: the controller adds Complete only once every pod has terminated; the result is in the
    // store already, so the call must not wait for the pods to go.
    JobRun run = createdRun(false);
    run.onJob(job(NAME, UID, "SuccessCriteriaMet"));
    assertThat(run.completion()).isCompletedWithValue(Outcome.exited(0, ""));
  }

  @Test
  void failureTargetIsTheOutcomeWithoutWaitingForFailed() {
    JobRun run = createdRun(false);
    run.onPod(pod(NAME, UID, "p1", terminated("Error", 3)));
    run.onJob(job(NAME, UID, "FailureTarget"));

    Outcome outcome = run.completion().join();
    assertThat(outcome.reason()).isEqualTo("Exited");
    assertThat(outcome.exitCode()).isEqualTo(3);
    assertThat(outcome.detail()).contains("BackoffLimitExceeded");
  }

  @Test
  void eventsThatArriveWhileCreatingAreReplayedOnceTheCreateReturns() {
    JobRun run = newRun(false);
    run.onJob(job(NAME, UID, "Complete"));
    assertThat(run.completion()).isNotDone();

    run.onCreated(NAME, UID);

    assertThat(run.completion()).isCompletedWithValue(Outcome.exited(0, ""));
  }

  @Test
  void anOlderJobWithTheSameNameIsIgnored() {
    JobRun run = createdRun(false);
    run.onJob(job(NAME, "someone-elses-uid", "Complete"));
    assertThat(run.completion()).isNotDone();
  }

  @Test
  void cancelWhileCreatingLeavesTheDeleteToTheCreator() {
    JobRun run = newRun(false);
    run.cancel();
    assertThat(run.completion().join().reason()).isEqualTo("Cancelled");
    assertThat(actions.log).containsExactly("untrack " + NAME);
    assertThat(run.onCreated(NAME, UID)).as("the creator deletes a Job nobody wants").isFalse();
  }

  @Test
  void cancelAfterCreationDeletesTheJob() {
    JobRun run = createdRun(false);
    run.cancel();
    assertThat(run.completion().join().reason()).isEqualTo("Cancelled");
    assertThat(actions.log).containsExactly("untrack " + NAME, "delete " + NAME + " (cancelled)");
  }

  @Test
  void anOomKilledPodNamesTheLimitAndAdvisesMore() {
    JobRun run = createdRun(false);
    run.onPod(pod(NAME, UID, "p1", terminated("OOMKilled", 137)));
    run.onJob(job(NAME, UID, "Failed"));

    Outcome outcome = run.completion().join();
    assertThat(outcome.reason()).isEqualTo("OOMKilled");
    assertThat(outcome.exitCode()).isEqualTo(137);
    assertThat(outcome.detail()).contains("memory limit 512Mi").contains("memory(\"1024Mi\")");
  }

  @Test
  void aFailureWithoutPodFactsWaitsThenRefreshesThePodsThenDecides() {
    JobRun run = createdRun(false);
    run.onJob(job(NAME, UID, "Failed"));
    assertThat(run.completion()).as("waits for the pod's final state").isNotDone();

    run.tick(System.nanoTime() + JobRun.POD_FACTS_GRACE.toNanos() + 1);
    assertThat(actions.log).containsExactly("refreshPods " + NAME);

    run.decideFailureNow(); // the refresh found no pod
    assertThat(run.completion().join().reason()).isEqualTo("BackoffLimitExceeded");
  }

  @Test
  void aSilentWatchIsCheckedWithOneGet() {
    JobRun run = createdRun(false);
    run.tick(System.nanoTime() + Duration.ofSeconds(21).toNanos());
    assertThat(actions.log).containsExactly("verify " + NAME);

    run.onVanished(NAME, null, "a GET found no such Job");
    assertThat(run.completion().join().reason()).isEqualTo("JobDeleted");
  }

  @Test
  void aDisruptedPodRecreatesTheJobUnderANewNameThenGivesUp() {
    JobRun run = createdRun(false);
    run.onPod(disruptedPod(NAME, UID, "p1"));
    run.onJob(job(NAME, UID, "Failed"));

    assertThat(run.phase()).isEqualTo(JobRun.Phase.CREATING);
    String next = run.jobName();
    assertThat(next).endsWith("-r1");
    // Each disrupted pod is recorded in the call's runs/ (once, however often its events repeat).
    assertThat(actions.log).containsExactly("recordDisruption " + NAME + "/p1 PreemptionByScheduler: preempted",
        "retrack " + NAME + " -> " + next, "create " + next + " #1");

    run.onCreated(next, "uid-2");
    run.onPod(disruptedPod(next, "uid-2", "p2"));
    run.onPod(disruptedPod(next, "uid-2", "p2"));

    assertThat(run.completion()).isCompletedExceptionally();
    assertThat(failure(run).reason()).isEqualTo("Evicted");
    assertThat(actions.log).filteredOn(l -> l.startsWith("recordDisruption")).hasSize(2);
    assertThat(actions.log).endsWith("untrack " + next, "delete " + next + " (evicted too often)");
  }

  @Test
  void aHopelessImageFailsAtOnceAndDeletesTheJob() {
    JobRun run = createdRun(false);
    run.onPod(pod(NAME, UID, "p1", waiting("InvalidImageName")));

    assertThat(failure(run).reason()).isEqualTo("ImagePullBackOff");
    assertThat(failure(run).getMessage()).contains("app:1");
    assertThat(actions.log).containsExactly("untrack " + NAME, "delete " + NAME + " (image cannot be pulled)");
  }

  @Test
  void aJobTheQueueSuspendsIsQueuedAndItsPendingBoundStartsAtAdmission() {
    JobRun run = createdRun(false);
    run.onJob(suspended(true));
    assertThat(run.queued()).isTrue();
    assertThat(run.description()).contains("(queued: suspended until Kueue admits it)");
    // A pod of a preempted admission ends while the Job is suspended again: no disruption spent.
    run.onPod(disruptedPod(NAME, UID, "p0"));
    run.onPod(unschedulablePod("p1"));
    run.tick(System.nanoTime() + Duration.ofSeconds(120).toNanos());
    assertThat(run.completion()).as("queue time is not pending time").isNotDone();

    run.onJob(suspended(false));
    assertThat(run.queued()).isFalse();
    run.onPod(unschedulablePod("p2"));
    long admitted = System.nanoTime();
    run.tick(admitted + Duration.ofSeconds(30).toNanos());
    assertThat(run.completion()).isNotDone();
    run.tick(admitted + Duration.ofSeconds(61).toNanos());
    assertThat(failure(run).reason()).isEqualTo("Unschedulable");
  }

  @Test
  void aPreemptionRecordsThePodsItStoppedOnceAndNotThoseThatEndedOnTheirOwn() {
    JobRun run = createdRun(false);
    run.onJob(suspended(true));
    run.onJob(suspended(false));
    Pod running = new PodBuilder(pod(NAME, UID, "p1", null)).editStatus().withPhase("Running")
        .withStartTime("2026-12-06T10:00:00Z").endStatus().build();
    Pod crashedEarlier = new PodBuilder(pod(NAME, UID, "p0", terminated("Error", 70))).editStatus().withPhase("Failed")
        .withStartTime("2026-12-06T09:00:00Z").endStatus().build();
    run.onPod(crashedEarlier);
    run.onPod(running);

    run.onJob(suspended(true)); // Kueue preempted it: the controller deletes p1
    assertThat(actions.log).containsExactly("recordRequeue " + NAME + " [p1]");
    Pod terminatedBySigterm = new PodBuilder(pod(NAME, UID, "p1", terminated("Error", 143))).editStatus().withPhase("Failed")
        .withStartTime("2026-12-06T10:00:00Z").endStatus().build();
    run.onPod(terminatedBySigterm);
    run.onJob(suspended(false));
    run.onJob(suspended(true)); // preempted again before a new pod started
    assertThat(actions.log).as("p1 once, no disruption spent").containsExactly("recordRequeue " + NAME + " [p1]");
    assertThat(run.completion()).isNotDone();
  }

  private static Job suspended(boolean suspend) {
    return new JobBuilder().withNewMetadata().withName(NAME).withUid(UID).endMetadata()
        .withNewSpec().withSuspend(suspend).endSpec().withNewStatus().endStatus().build();
  }

  private static Pod unschedulablePod(String name) {
    return new PodBuilder(pod(NAME, UID, name, null)).editStatus()
        .addToConditions(new PodConditionBuilder().withType("PodScheduled").withStatus("False")
            .withReason("Unschedulable").withMessage("0/3 nodes are available").build())
        .endStatus().build();
  }

  @Test
  void anUnschedulablePodFailsOnlyAfterThePendingTimeout() {
    JobRun run = createdRun(false);
    run.onPod(new PodBuilder(pod(NAME, UID, "p1", null)).editStatus()
        .addToConditions(new PodConditionBuilder().withType("PodScheduled").withStatus("False")
            .withReason("Unschedulable").withMessage("0/3 nodes are available").build())
        .endStatus().build());

    run.tick(System.nanoTime() + Duration.ofSeconds(30).toNanos());
    assertThat(run.completion()).isNotDone();
    run.tick(System.nanoTime() + Duration.ofSeconds(61).toNanos());

    assertThat(failure(run).reason()).isEqualTo("Unschedulable");
    assertThat(failure(run).getMessage()).contains("0/3 nodes are available");
    // 30 s of silence (> watchSilenceBound) asked for one GET on the way.
    assertThat(actions.log).containsExactly("verify " + NAME, "untrack " + NAME, "delete " + NAME + " (unschedulable)");
  }

  @Test
  void logsAreFollowedOncePerRunningPodWhenSampled() {
    JobRun run = createdRun(true);
    Pod running = new PodBuilder(pod(NAME, UID, "p1", null)).editStatus().withPhase("Running").endStatus().build();
    run.onPod(running);
    run.onPod(running);
    assertThat(actions.log).containsExactly("followLogs " + NAME + "/p1");
  }

  private static ShellException failure(JobRun run) {
    try {
      run.completion().join();
    } catch (CompletionException e) {
      return (ShellException) e.getCause();
    }
    throw new AssertionError("the run did not fail");
  }

  private static Job job(String name, String uid, String condition) {
    return new JobBuilder().withNewMetadata().withName(name).withUid(uid).endMetadata()
        .withNewStatus().addToConditions(new JobConditionBuilder().withType(condition).withStatus("True")
            .withReason(condition.equals("Failed") || condition.equals("FailureTarget") ? "BackoffLimitExceeded" : null).build())
        .endStatus().build();
  }

  private static Pod pod(String job, String uid, String name, ContainerStatus status) {
    PodBuilder pod = new PodBuilder().withNewMetadata().withName(name).withUid(name + "-uid")
        .addToLabels(JobFactory.JOB_NAME_LABEL, job).addToLabels(JobFactory.CONTROLLER_UID_LABEL, uid).endMetadata()
        .withNewStatus().withPhase("Pending").endStatus();
    if (status != null) {
      pod.editStatus().addToContainerStatuses(status).endStatus();
    }
    return pod.build();
  }

  private static ContainerStatus terminated(String reason, int code) {
    return new ContainerStatusBuilder().withName(JobFactory.CONTAINER).withNewState().withNewTerminated()
        .withReason(reason).withExitCode(code).withFinishedAt("2026-12-06T10:00:00Z").endTerminated().endState().build();
  }

  private static ContainerStatus waiting(String reason) {
    return new ContainerStatusBuilder().withName(JobFactory.CONTAINER).withNewState().withNewWaiting()
        .withReason(reason).withMessage("bad image").endWaiting().endState().build();
  }

  /** A pod the node or the cluster killed: DisruptionTarget=True, as the eviction API leaves it. */
  private static Pod disruptedPod(String job, String uid, String name) {
    return new PodBuilder(pod(job, uid, name, terminated("Error", 143))).editStatus().withPhase("Failed")
        .addToConditions(new PodConditionBuilder().withType("DisruptionTarget").withStatus("True")
            .withReason("PreemptionByScheduler").withMessage("preempted").build())
        .endStatus().build();
  }

  /** The cluster side as a list of requests: what the run asked for, in order. */
  private static final class RecordedActions implements JobActions {
    final List<String> log = new ArrayList<>();

    @Override
    public synchronized void create(JobRun run, String name, int attempt) {
      log.add("create " + name + " #" + attempt);
    }

    @Override
    public synchronized void delete(String name, String why) {
      log.add("delete " + name + " (" + why + ")");
    }

    @Override
    public synchronized void refreshPods(JobRun run, String name) {
      log.add("refreshPods " + name);
    }

    @Override
    public synchronized void verify(JobRun run, String name) {
      log.add("verify " + name);
    }

    @Override
    public synchronized void followLogs(JobRun run, String job, String pod) {
      log.add("followLogs " + job + "/" + pod);
    }

    @Override
    public synchronized void recordDisruption(JobRun run, String job, Pod pod, String reason) {
      log.add("recordDisruption " + job + "/" + pod.getMetadata().getName() + " " + reason);
    }

    @Override
    public synchronized void recordRequeue(JobRun run, String job, String jobUid, List<Pod> pods) {
      log.add("recordRequeue " + job + " " + pods.stream().map(p -> p.getMetadata().getName()).toList());
    }

    @Override
    public synchronized void untrack(JobRun run) {
      log.add("untrack " + run.jobName());
    }

    @Override
    public synchronized void retrack(JobRun run, String from, String to) {
      log.add("retrack " + from + " -> " + to);
    }
  }
}
