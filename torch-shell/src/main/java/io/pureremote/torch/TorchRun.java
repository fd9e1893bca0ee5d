package io.pureremote.torch;

import io.fabric8.kubernetes.api.model.Pod;
import io.fabric8.kubernetes.api.model.batch.v1.Job;
import io.fabric8.kubernetes.api.model.batch.v1.JobCondition;
import io.pureremote.k8s.ClusterRun;
import io.pureremote.spi.Shell.LaunchRequest;
import io.pureremote.spi.Shell.Outcome;
import java.util.Optional;

/**
 * One call's Indexed Job, from creation to its outcome: reads the Job's conditions from the shared
 * informer, plays the success policy itself on servers without one (node 0's pod succeeded),
 * re-creates the run after a disruption, runs the pending watchdog on the shell's ticks and follows
 * node 0's log. What every cluster run does alike (ending once, cancel, re-creation, the common
 * outcomes) is {@link ClusterRun}'s. Thread-safe: state is guarded by {@code this}; cluster
 * requests run on the shell's executor, never under the lock.
 */
final class TorchRun extends ClusterRun<Job> {
  private final TorchShell shell;

  TorchRun(TorchShell shell, LaunchRequest request, String name) {
    super(shell.indexedRunActions(), request, name, new Spec("Job", shell.options().namespace(), "TorchShellOptions",
        shell.options().maxEvictionRetries(), shell.options().pendingTimeout(), "Last lines of node 0"));
    this.shell = shell;
  }

  @Override
  public String description() {
    return "torch indexed-job " + spec().namespace() + "/" + name() + " (" + shell.options().nodes() + " nodes)";
  }

  /** A Job event from the informer. */
  @Override
  public void onObject(Job job) {
    JobCondition failed;
    synchronized (this) {
      if (phase() == Phase.DONE || phase() == Phase.ENDING || !job.getMetadata().getName().equals(name())) {
        return;
      }
      var status = job.getStatus();
      if (status != null && status.getReady() != null && status.getReady() >= shell.options().nodes()) {
        phase(Phase.RUNNING);
      }
      // Since 1.31 the interim condition is the outcome; Complete/Failed follow once the pods ended.
      if (condition(job, "SuccessCriteriaMet").isPresent() || condition(job, "Complete").isPresent()) {
        phase(Phase.ENDING);
        String ended = name();
        actions().submit(() -> succeed(ended, "Job " + ended + " met its success policy (node 0 succeeded)", true));
        return;
      }
      failed = condition(job, "FailureTarget").or(() -> condition(job, "Failed")).orElse(null);
      if (failed == null) {
        return;
      }
      String message = String.valueOf(failed.getMessage());
      if (disruption(failed) && mayRecreate()) {
        recreate("failed on a disruption (" + message + ")");
        return;
      }
      phase(Phase.ENDING);
    }
    String ended = name();
    JobCondition why = failed;
    actions().submit(() -> failFromPods(ended, why));
  }

  /** Whether the Job failed through the pod failure policy's disruption rule (an evicted or preempted node). */
  private static boolean disruption(JobCondition failed) {
    return "PodFailurePolicy".equals(failed.getReason())
        && String.valueOf(failed.getMessage()).contains("rule at index " + IndexedJobFactory.DISRUPTION_RULE);
  }

  private void failFromPods(String ended, JobCondition why) {
    followLog();
    String reason = String.valueOf(why.getReason());
    String jobDetail = "Job " + spec().namespace() + "/" + ended + " failed: " + reason
        + (why.getMessage() == null ? "" : " (" + why.getMessage() + ")");
    if (disruption(why)) {
      fail(disruptedTooOften(jobDetail + "; the run was disrupted " + (attempt() + 1) + " times and"));
      return;
    }
    Optional<NodeFailures.NodeEnd> first = NodeFailures.first(shell.pods(ended), IndexedJobFactory.CONTAINER, TorchRun::index);
    if (first.isEmpty()) {
      finish(new Outcome(reason, null, jobDetail + tailText()));
      return;
    }
    finish(NodeFailures.outcome(first.get(), jobDetail, shell.options().nodes(), tailText(), shell::podLog));
  }

  /** The shell's watchdog tick: the pending timeout, node 0's log and, before 1.33, the success policy. */
  @Override
  public void tick(long now) {
    synchronized (this) {
      Phase phase = phase();
      if (phase != Phase.CREATED && phase != Phase.RUNNING) {
        return;
      }
      if (phase == Phase.CREATED && now - createdAt() > spec().pendingTimeout().toNanos()) {
        phase(Phase.ENDING);
        String stuck = name();
        actions().submit(() -> failPending(stuck, "get all " + shell.options().nodes() + " nodes running",
            shell.pods(stuck)));
        return;
      }
      if (!pollDue(now)) {
        return;
      }
    }
    poll(() -> {
      followLog();
      playSuccessPolicy();
    });
  }

  /** Before 1.33 the Job has no success policy: node 0's pod succeeding ends the call here. */
  private void playSuccessPolicy() {
    if (shell.features() == null || shell.features().successPolicy()) {
      return;
    }
    String job = name();
    boolean rankZeroDone = shell.pods(job).stream()
        .anyMatch(p -> index(p) == 0 && p.getStatus() != null && "Succeeded".equals(p.getStatus().getPhase()));
    if (!rankZeroDone) {
      return;
    }
    synchronized (this) {
      if (phase() == Phase.DONE || phase() == Phase.ENDING || !job.equals(name())) {
        return;
      }
      phase(Phase.ENDING);
    }
    succeed(job, "node 0 of Job " + job + " succeeded (the shell's success policy: the server predates Job successPolicy)",
        true);
  }

  /** Reads node 0's log and passes on the lines not seen yet. */
  @Override
  protected void followLog() {
    String job = name();
    tail().follow(job, () -> shell.pods(job).stream().filter(p -> index(p) == 0).toList(), shell::podLog, shell.logSink());
  }

  /** The pod's completion index (annotation), or -1. */
  static int index(Pod pod) {
    var annotations = pod.getMetadata().getAnnotations();
    String v = annotations == null ? null : annotations.get(IndexedJobFactory.COMPLETION_INDEX);
    try {
      return v == null ? -1 : Integer.parseInt(v);
    } catch (NumberFormatException e) {
      return -1;
    }
  }

  private static Optional<JobCondition> condition(Job job, String type) {
    if (job.getStatus() == null || job.getStatus().getConditions() == null) {
      return Optional.empty();
    }
    return job.getStatus().getConditions().stream().filter(c -> type.equals(c.getType()) && "True".equals(c.getStatus()))
        .findFirst();
  }
}
