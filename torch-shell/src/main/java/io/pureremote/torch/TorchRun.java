package io.pureremote.torch;

import io.fabric8.kubernetes.api.model.Pod;
import io.fabric8.kubernetes.api.model.batch.v1.Job;
import io.fabric8.kubernetes.api.model.batch.v1.JobCondition;
import io.pureremote.ShellException;
import io.pureremote.k8s.LogTail;
import io.pureremote.k8s.PodSpecs;
import io.pureremote.spi.Shell.Launch;
import io.pureremote.spi.Shell.LaunchRequest;
import io.pureremote.spi.Shell.Outcome;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * One call's Indexed Job, from creation to its outcome: reads the Job's conditions from the shared
 * informer, plays the success policy itself on servers without one (node 0's pod succeeded),
 * re-creates the run after a disruption, runs the pending watchdog on the shell's ticks and follows
 * node 0's log. Thread-safe: state is guarded by {@code this}; cluster requests run on the shell's
 * executor, never under the lock.
 */
final class TorchRun implements Launch {
  private static final Logger log = LoggerFactory.getLogger(TorchRun.class);
  private static final long POLL_NANOS = TimeUnit.SECONDS.toNanos(1);
  private static final int TAIL_LINES = 20;

  private enum Phase { CREATING, CREATED, RUNNING, ENDING, DONE }

  private final TorchShell shell;
  private final LaunchRequest request;
  private final CompletableFuture<Outcome> completion = new CompletableFuture<>();
  private final LogTail tail = new LogTail(TAIL_LINES);
  private Phase phase = Phase.CREATING;
  private String name;
  private int evictions;
  private long createdAt;
  private long lastPoll;
  private boolean pollBusy;
  private boolean cancelled;

  TorchRun(TorchShell shell, LaunchRequest request, String name) {
    this.shell = shell;
    this.request = request;
    this.name = name;
  }

  LaunchRequest request() {
    return request;
  }

  synchronized String name() {
    return name;
  }

  @Override
  public CompletableFuture<Outcome> completion() {
    return completion;
  }

  @Override
  public synchronized String description() {
    return "torch indexed-job " + shell.options().namespace() + "/" + name + " (" + shell.options().nodes() + " nodes)";
  }

  @Override
  public void cancel() {
    String toDelete;
    synchronized (this) {
      if (phase == Phase.DONE) {
        return;
      }
      cancelled = true;
      toDelete = phase == Phase.CREATING ? null : name;
      finish(new Outcome("Cancelled", null, "cancelled by the caller; Job " + shell.options().namespace() + "/" + name
          + " deleted"));
    }
    if (toDelete != null) {
      shell.delete(toDelete, "cancelled");
    }
  }

  /** The Job was created; false when the run was cancelled meanwhile (the creator deletes it). */
  synchronized boolean onCreated(String created) {
    if (cancelled || phase == Phase.DONE) {
      return false;
    }
    name = created;
    phase = Phase.CREATED;
    createdAt = System.nanoTime();
    return true;
  }

  synchronized void fail(ShellException e) {
    if (phase == Phase.DONE) {
      return;
    }
    phase = Phase.DONE;
    shell.untrack(this);
    completion.completeExceptionally(e);
  }

  /** A Job event from the informer. */
  void onJob(Job job) {
    JobCondition failed;
    synchronized (this) {
      if (phase == Phase.DONE || phase == Phase.ENDING || !job.getMetadata().getName().equals(name)) {
        return;
      }
      var status = job.getStatus();
      if (status != null && status.getReady() != null && status.getReady() >= shell.options().nodes()) {
        phase = Phase.RUNNING;
      }
      // Since 1.31 the interim condition is the outcome; Complete/Failed follow once the pods ended.
      if (condition(job, "SuccessCriteriaMet").isPresent() || condition(job, "Complete").isPresent()) {
        phase = Phase.ENDING;
        String ended = name;
        shell.submit(() -> succeed(ended, "Job " + ended + " met its success policy (node 0 succeeded)"));
        return;
      }
      failed = condition(job, "FailureTarget").or(() -> condition(job, "Failed")).orElse(null);
      if (failed == null) {
        return;
      }
      String message = String.valueOf(failed.getMessage());
      if ("PodFailurePolicy".equals(failed.getReason()) && message.contains("rule at index " + IndexedJobFactory.DISRUPTION_RULE)
          && evictions < shell.options().maxEvictionRetries()) {
        evictions++;
        String old = name;
        String next = PodSpecs.callName(request, "-r" + evictions);
        log.info("Job {}/{} for {} failed on a disruption ({}); re-creating the run as {} (disruption {} of {}; the "
            + "caller's retries are not spent)", shell.options().namespace(), old, request.shortLabel(), message, next,
            evictions, shell.options().maxEvictionRetries());
        name = next;
        phase = Phase.CREATING;
        tail.reset();
        shell.rename(this, old, next);
        int attempt = evictions;
        shell.submit(() -> {
          shell.delete(old, "disrupted; re-created as " + next);
          shell.create(this, next, attempt);
        });
        return;
      }
      phase = Phase.ENDING;
    }
    String ended = name();
    JobCondition why = failed;
    shell.submit(() -> failFromPods(ended, why));
  }

  private void succeed(String ended, String detail) {
    followLogOnce();
    finish(Outcome.exited(Outcome.EXIT_OK, detail));
    // Nodes other than 0 may still run and hold their quota; the result is in the store already.
    shell.delete(ended, "the call succeeded");
  }

  private void failFromPods(String ended, JobCondition why) {
    followLogOnce();
    String reason = String.valueOf(why.getReason());
    String jobDetail = "Job " + shell.options().namespace() + "/" + ended + " failed: " + reason
        + (why.getMessage() == null ? "" : " (" + why.getMessage() + ")");
    if ("PodFailurePolicy".equals(reason) && String.valueOf(why.getMessage()).contains("rule at index "
        + IndexedJobFactory.DISRUPTION_RULE)) {
      failAndKeep(new ShellException("Evicted", null, jobDetail + "; the run was disrupted " + (evictions + 1) + " times and "
          + "the shell re-creates it at most " + shell.options().maxEvictionRetries() + " times "
          + "(TorchShellOptions.maxEvictionRetries). Nodes are being drained or preempted: use on-demand nodes or retry later."
          + tailText(), true));
      return;
    }
    Optional<NodeFailures.NodeEnd> first = NodeFailures.first(shell.pods(ended), IndexedJobFactory.CONTAINER, TorchRun::index);
    if (first.isEmpty()) {
      finish(new Outcome(reason, null, jobDetail + tailText()));
      return;
    }
    finish(NodeFailures.outcome(first.get(), jobDetail, shell.options().nodes(), tailText(), shell::podLog));
  }

  /** The Job was deleted before it ended. */
  void onDeleted(String deleted) {
    synchronized (this) {
      if (phase == Phase.DONE || phase == Phase.ENDING || phase == Phase.CREATING || !deleted.equals(name)) {
        return;
      }
      finish(new Outcome("JobDeleted", null, "Job " + shell.options().namespace() + "/" + deleted + " was deleted before it "
          + "reported completion; this process did not delete it: look for `kubectl delete`, namespace cleanup or a short "
          + "ttlSecondsAfterFinished." + tailText()));
    }
  }

  /** The shell's watchdog tick. */
  void tick(long now) {
    boolean poll = false;
    synchronized (this) {
      if (phase != Phase.CREATED && phase != Phase.RUNNING) {
        return;
      }
      if (phase == Phase.CREATED && now - createdAt > shell.options().pendingTimeout().toNanos()) {
        phase = Phase.ENDING;
        String stuck = name;
        shell.submit(() -> failPending(stuck));
        return;
      }
      if (!pollBusy && now - lastPoll > POLL_NANOS) {
        pollBusy = true;
        lastPoll = now;
        poll = true;
      }
    }
    if (poll) {
      shell.submit(() -> {
        try {
          followLogOnce();
          playSuccessPolicy();
        } finally {
          synchronized (this) {
            pollBusy = false;
          }
        }
      });
    }
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
      if (phase == Phase.DONE || phase == Phase.ENDING || !job.equals(name)) {
        return;
      }
      phase = Phase.ENDING;
    }
    succeed(job, "node 0 of Job " + job + " succeeded (the shell's success policy: the server predates Job successPolicy)");
  }

  private void failPending(String stuck) {
    List<String> reasons = PodSpecs.pendingReasons(shell.pods(stuck));
    shell.delete(stuck, "pending too long");
    failAndKeep(new ShellException("PodsPending", null, "Job " + shell.options().namespace() + "/" + stuck + " did not get all "
        + shell.options().nodes() + " nodes running within " + shell.options().pendingTimeout().toSeconds()
        + " s (TorchShellOptions.pendingTimeout); " + (reasons.isEmpty() ? "no pod reported a reason (`kubectl describe job -n "
            + shell.options().namespace() + " " + stuck + "`)" : "pending pods: " + String.join("; ", reasons)), false));
  }

  private synchronized void failAndKeep(ShellException e) {
    if (completion.isDone()) {
      return;
    }
    phase = Phase.DONE;
    shell.untrack(this);
    completion.completeExceptionally(e);
  }

  private synchronized void finish(Outcome outcome) {
    if (completion.isDone()) {
      return;
    }
    phase = Phase.DONE;
    shell.untrack(this);
    completion.complete(outcome);
  }

  /** Reads node 0's log and passes on the lines not seen yet. */
  private void followLogOnce() {
    String job = name();
    tail.follow(job, () -> shell.pods(job).stream().filter(p -> index(p) == 0).toList(), shell::podLog, shell.logSink());
  }

  private String tailText() {
    return tail.text("Last lines of node 0");
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

  @Override
  public String toString() {
    return description();
  }
}
