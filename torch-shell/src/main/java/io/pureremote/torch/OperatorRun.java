package io.pureremote.torch;

import io.fabric8.kubernetes.api.model.GenericKubernetesResource;
import io.fabric8.kubernetes.api.model.Pod;
import io.pureremote.ShellException;
import io.pureremote.k8s.LogTail;
import io.pureremote.k8s.PodSpecs;
import io.pureremote.spi.Shell.Launch;
import io.pureremote.spi.Shell.LaunchRequest;
import io.pureremote.spi.Shell.Outcome;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * One call's PyTorchJob or TrainJob, from creation to its outcome, read from the object's
 * conditions on the shell's informer:
 *
 * <ul>
 *   <li>PyTorchJob: {@code Succeeded} (the master, node 0, succeeded) → exit 0; {@code Failed} →
 *       the first node that failed; {@code Restarting} is still running (logged), {@code Created}
 *       and {@code Running} are progress;
 *   <li>TrainJob: {@code Complete} → exit 0; {@code Failed} → the first node that failed, or the
 *       condition's reason ({@code DeadlineExceeded}, {@code FailedJobs}).
 * </ul>
 *
 * <p>After success the object is deleted at once (nodes still running hold quota, trainer#1982).
 * A failure with an evicted or preempted pod re-creates the whole run under {@code -r<n>} (see
 * {@code recreateOrGiveUp}).
 * A first node failure is node 0's exit code (42: the function threw, its error is stored) or
 * {@code NodeFailed} with that node's exit code and last log lines. Watchdogs on the shell's ticks:
 * no pod within {@link #PICKUP_BOUND} → {@code OperatorNotRunning}; pods not all running within
 * {@link TorchShellOptions#pendingTimeout()} → {@code PodsPending} with their reasons. Node 0's log
 * is followed. Thread-safe: state is guarded by {@code this}; cluster requests run on the shell's
 * executor, never under the lock.
 */
final class OperatorRun implements Launch {
  private static final Logger log = LoggerFactory.getLogger(OperatorRun.class);
  /** How long the operator may take to create the first pod before the call fails. */
  static final Duration PICKUP_BOUND = Duration.ofSeconds(60);
  private static final long POLL_NANOS = TimeUnit.SECONDS.toNanos(1);
  private static final int TAIL_LINES = 20;

  private enum Phase { CREATING, CREATED, RUNNING, ENDING, DONE }

  private final TorchShell shell;
  private final LaunchRequest request;
  private final TorchBackend backend;
  private volatile String name;
  private volatile int attempt;
  private final CompletableFuture<Outcome> completion = new CompletableFuture<>();
  private final LogTail tail = new LogTail(TAIL_LINES);
  private Phase phase = Phase.CREATING;
  private long createdAt;
  private long lastPoll;
  private boolean pollBusy;
  private boolean sawPods;
  private boolean restartingLogged;
  private boolean cancelled;

  OperatorRun(TorchShell shell, LaunchRequest request, String name, TorchBackend backend) {
    this.shell = shell;
    this.request = request;
    this.name = name;
    this.backend = backend;
  }

  LaunchRequest request() {
    return request;
  }

  String name() {
    return name;
  }

  /** How many times the run was re-created after a disruption (0 for the first object). */
  int attempt() {
    return attempt;
  }

  TorchBackend backend() {
    return backend;
  }

  private String kind() {
    return backend == TorchBackend.PYTORCH_JOB ? "PyTorchJob" : "TrainJob";
  }

  @Override
  public CompletableFuture<Outcome> completion() {
    return completion;
  }

  @Override
  public String description() {
    return "torch " + backend.id() + " " + shell.options().namespace() + "/" + name + " (" + shell.options().nodes() + " nodes)";
  }

  @Override
  public void cancel() {
    boolean delete;
    synchronized (this) {
      if (phase == Phase.DONE) {
        return;
      }
      cancelled = true;
      delete = phase != Phase.CREATING;
      finish(new Outcome("Cancelled", null, "cancelled by the caller; " + kind() + " " + shell.options().namespace() + "/"
          + name + " deleted"));
    }
    if (delete) {
      shell.deleteObject(backend, name, "cancelled");
    }
  }

  /** The object was created; false when the run was cancelled meanwhile (the creator deletes it). */
  synchronized boolean onCreated() {
    if (cancelled || phase == Phase.DONE) {
      return false;
    }
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

  /** An event for the object from the informer. */
  void onObject(GenericKubernetesResource object) {
    Map<String, Object> failed;
    synchronized (this) {
      if (phase == Phase.DONE || phase == Phase.ENDING || phase == Phase.CREATING
          || !object.getMetadata().getName().equals(name)) {
        return;
      }
      String success = backend == TorchBackend.PYTORCH_JOB ? "Succeeded" : "Complete";
      if (condition(object, success).isPresent()) {
        phase = Phase.ENDING;
        String detail = kind() + " " + name + " is " + success + " (" + condition(object, success).get().get("reason") + ")";
        shell.submit(() -> succeed(detail));
        return;
      }
      if (condition(object, "Restarting").isPresent() && !restartingLogged) {
        restartingLogged = true;
        log.info("{} {}/{} is Restarting ({}): still running", kind(), shell.options().namespace(), name,
            condition(object, "Restarting").get().get("message"));
      }
      failed = condition(object, "Failed").orElse(null);
      if (failed == null) {
        return;
      }
      phase = Phase.ENDING;
    }
    Map<String, Object> why = failed;
    shell.submit(() -> failFromPods(why));
  }

  private void succeed(String detail) {
    followLogOnce();
    finish(Outcome.exited(Outcome.EXIT_OK, detail));
    shell.deleteObject(backend, name, "the call succeeded");
  }

  private void failFromPods(Map<String, Object> why) {
    followLogOnce();
    String reason = String.valueOf(why.get("reason"));
    String detail = kind() + " " + shell.options().namespace() + "/" + name + " failed: " + reason
        + (why.get("message") == null ? "" : " (" + why.get("message") + ")");
    List<Pod> pods = shell.pods(backend, name);
    List<String> disrupted = pods.stream().filter(OperatorRun::disrupted).map(p -> p.getMetadata().getName()).toList();
    if (!disrupted.isEmpty()) {
      recreateOrGiveUp(detail, disrupted);
      return;
    }
    Optional<NodeFailures.NodeEnd> first = NodeFailures.first(pods, container(), this::nodeIndex);
    if (first.isEmpty()) {
      finish(new Outcome(reason, null, detail + tailText()));
      return;
    }
    finish(NodeFailures.outcome(first.get(), detail, shell.options().nodes(), tailText(), pod -> shell.podLog(pod, container())));
    if (first.get().index() != 0) {
      shell.deleteObject(backend, name, "node " + first.get().index() + " failed");
    }
  }

  /**
   * The job failed because pods were evicted or preempted: a static rendezvous cannot take a
   * replaced node back, so the whole run is re-created ({@code -r1}, ...) without spending the
   * caller's retries, up to {@link TorchShellOptions#maxEvictionRetries()}; then {@code Evicted}.
   */
  private void recreateOrGiveUp(String detail, List<String> disrupted) {
    String old;
    String next;
    synchronized (this) {
      if (phase != Phase.ENDING) {
        return;
      }
      old = name;
      if (attempt >= shell.options().maxEvictionRetries()) {
        next = null;
      } else {
        attempt++;
        next = OperatorJobFactory.objectName(shell.options(), backend, request, "-r" + attempt);
        name = next;
        phase = Phase.CREATING;
        sawPods = false;
        tail.reset();
      }
    }
    shell.deleteObject(backend, old, next == null ? "disrupted too often" : "disrupted; re-created as " + next);
    if (next == null) {
      failAndKeep(new ShellException("Evicted", null, detail + "; pods " + disrupted + " were evicted or preempted, the run "
          + "was disrupted " + (attempt + 1) + " times and the shell re-creates it at most " + shell.options().maxEvictionRetries()
          + " times (TorchShellOptions.maxEvictionRetries). Nodes are being drained or preempted: use on-demand nodes or retry "
          + "later." + tailText(), true));
      return;
    }
    log.info("{} {}/{} for {} failed on a disruption (pods {}); re-creating the run as {} (disruption {} of {}; the caller's "
        + "retries are not spent)", kind(), shell.options().namespace(), old, request.shortLabel(), disrupted, next, attempt,
        shell.options().maxEvictionRetries());
    shell.rename(this, old, next);
    shell.createOperatorJob(this);
  }

  /** Whether {@code pod} was evicted or preempted (pod condition DisruptionTarget, or the kubelet's reason). */
  static boolean disrupted(Pod pod) {
    if (pod.getStatus() == null) {
      return false;
    }
    if (List.of("Evicted", "Preempted", "Preempting").contains(String.valueOf(pod.getStatus().getReason()))) {
      return true;
    }
    return pod.getStatus().getConditions() != null && pod.getStatus().getConditions().stream()
        .anyMatch(c -> "DisruptionTarget".equals(c.getType()) && "True".equals(c.getStatus()));
  }

  /** The object was deleted before it ended. */
  void onDeleted() {
    synchronized (this) {
      if (phase == Phase.DONE || phase == Phase.ENDING || phase == Phase.CREATING) {
        return;
      }
      finish(new Outcome("JobDeleted", null, kind() + " " + shell.options().namespace() + "/" + name + " was deleted before "
          + "it reported completion; this process did not delete it: look for `kubectl delete`, namespace cleanup or a "
          + "short ttlSecondsAfterFinished." + tailText()));
    }
  }

  /** The shell's watchdog tick. */
  void tick(long now) {
    synchronized (this) {
      if (phase != Phase.CREATED && phase != Phase.RUNNING) {
        return;
      }
      if (pollBusy || now - lastPoll < POLL_NANOS) {
        return;
      }
      pollBusy = true;
      lastPoll = now;
    }
    shell.submit(() -> {
      try {
        poll(now);
      } finally {
        synchronized (this) {
          pollBusy = false;
        }
      }
    });
  }

  private void poll(long now) {
    List<Pod> pods = shell.pods(backend, name);
    boolean allRunning = pods.size() >= shell.options().nodes() && pods.stream().allMatch(p -> p.getStatus() != null
        && List.of("Running", "Succeeded").contains(p.getStatus().getPhase()));
    String why = null;
    synchronized (this) {
      if (phase != Phase.CREATED && phase != Phase.RUNNING) {
        return;
      }
      sawPods |= !pods.isEmpty();
      if (allRunning) {
        phase = Phase.RUNNING;
      } else if (phase == Phase.CREATED && !sawPods && now - createdAt > PICKUP_BOUND.toNanos()) {
        phase = Phase.ENDING;
        why = "pickup";
      } else if (phase == Phase.CREATED && now - createdAt > shell.options().pendingTimeout().toNanos()) {
        phase = Phase.ENDING;
        why = "pending";
      }
    }
    if ("pickup".equals(why)) {
      shell.deleteObject(backend, name, "no operator picked it up");
      failAndKeep(new ShellException("OperatorNotRunning", null, kind() + " " + shell.options().namespace() + "/" + name
          + " got no pod within " + PICKUP_BOUND.toSeconds() + " s: its CRD is installed but no "
          + (backend == TorchBackend.PYTORCH_JOB ? "training operator (kubeflow/trainer v1, training-operator)"
              : "Trainer controller (kubeflow/trainer v2, with JobSet)") + " is running. Check with `kubectl get pods -A | "
          + "grep -e training-operator -e trainer-controller`, or force backend indexed-job.", true));
      return;
    }
    if ("pending".equals(why)) {
      List<String> reasons = PodSpecs.pendingReasons(pods);
      shell.deleteObject(backend, name, "pending too long");
      failAndKeep(new ShellException("PodsPending", null, kind() + " " + shell.options().namespace() + "/" + name
          + " did not get all " + shell.options().nodes() + " nodes running within "
          + shell.options().pendingTimeout().toSeconds() + " s (TorchShellOptions.pendingTimeout); "
          + (reasons.isEmpty() ? "no pod reported a reason" : "pending pods: " + String.join("; ", reasons)), false));
      return;
    }
    followLogOnce();
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

  private String container() {
    return backend == TorchBackend.PYTORCH_JOB ? OperatorJobFactory.PYTORCH_CONTAINER : IndexedJobFactory.CONTAINER;
  }

  /** The node rank of one of this call's pods: master 0 and worker i + 1 (PyTorchJob), the completion index (TrainJob). */
  int nodeIndex(Pod pod) {
    if (backend == TorchBackend.TRAIN_JOB) {
      return TorchRun.index(pod);
    }
    Map<String, String> labels = pod.getMetadata().getLabels();
    String type = labels == null ? null : labels.get(TorchShell.PYTORCH_REPLICA_TYPE);
    String index = labels == null ? null : labels.get(TorchShell.PYTORCH_REPLICA_INDEX);
    try {
      int i = index == null ? -1 : Integer.parseInt(index);
      return "master".equals(type) ? i : "worker".equals(type) && i >= 0 ? i + 1 : -1;
    } catch (NumberFormatException e) {
      return -1;
    }
  }

  /** Reads node 0's log and passes on the lines not seen yet. */
  private void followLogOnce() {
    String job = name;
    tail.follow(job, () -> shell.pods(backend, job).stream().filter(p -> nodeIndex(p) == 0).toList(),
        pod -> shell.podLog(pod, container()), shell.logSink());
  }

  private String tailText() {
    return tail.text("Last lines of node 0");
  }

  @SuppressWarnings("unchecked")
  private static Optional<Map<String, Object>> condition(GenericKubernetesResource object, String type) {
    Object status = object.getAdditionalProperties().get("status");
    if (!(status instanceof Map<?, ?> s) || !(s.get("conditions") instanceof List<?> conditions)) {
      return Optional.empty();
    }
    return conditions.stream().filter(c -> c instanceof Map<?, ?> m && type.equals(m.get("type")) && "True".equals(m.get("status")))
        .map(c -> (Map<String, Object>) c).findFirst();
  }

  @Override
  public String toString() {
    return description();
  }
}
