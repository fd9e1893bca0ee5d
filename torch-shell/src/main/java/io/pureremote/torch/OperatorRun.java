package io.pureremote.torch;

import io.fabric8.kubernetes.api.model.GenericKubernetesResource;
import io.fabric8.kubernetes.api.model.Pod;
import io.pureremote.ShellException;
import io.pureremote.k8s.ClusterRun;
import io.pureremote.spi.Shell.LaunchRequest;
import io.pureremote.spi.Shell.Outcome;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.Optional;
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
 * is followed. What every cluster run does alike (ending once, cancel, re-creation, the common
 * outcomes) is {@link ClusterRun}'s. Thread-safe: state is guarded by {@code this}; cluster
 * requests run on the shell's executor, never under the lock.
 */
final class OperatorRun extends ClusterRun<GenericKubernetesResource> {
  private static final Logger log = LoggerFactory.getLogger(OperatorRun.class);
  /** How long the operator may take to create the first pod before the call fails. */
  static final Duration PICKUP_BOUND = Duration.ofSeconds(60);

  private final TorchShell shell;
  private final TorchBackend backend;
  private boolean sawPods;
  private boolean restartingLogged;

  OperatorRun(TorchShell shell, LaunchRequest request, String name, TorchBackend backend) {
    super(shell.operatorRunActions(backend), request, name, new Spec(kind(backend), shell.options().namespace(),
        "TorchShellOptions", shell.options().maxEvictionRetries(), shell.options().pendingTimeout(), "Last lines of node 0"));
    this.shell = shell;
    this.backend = backend;
  }

  /** The object's kind on {@code backend}, as messages name it. */
  static String kind(TorchBackend backend) {
    return backend == TorchBackend.PYTORCH_JOB ? "PyTorchJob" : "TrainJob";
  }

  TorchBackend backend() {
    return backend;
  }

  @Override
  public String description() {
    return "torch " + backend.id() + " " + spec().namespace() + "/" + name() + " (" + shell.options().nodes() + " nodes)";
  }

  @Override
  protected String nameFor(int attempt) {
    return OperatorJobFactory.objectName(shell.options(), backend, request(), "-r" + attempt);
  }

  /** An event for the object from the informer. */
  @Override
  public void onObject(GenericKubernetesResource object) {
    Map<String, Object> failed;
    synchronized (this) {
      Phase phase = phase();
      if (phase == Phase.DONE || phase == Phase.ENDING || phase == Phase.CREATING
          || !object.getMetadata().getName().equals(name())) {
        return;
      }
      Map<String, Object> status = status(object);
      String success = backend == TorchBackend.PYTORCH_JOB ? "Succeeded" : "Complete";
      Optional<Map<String, Object>> succeeded = condition(status, success);
      if (succeeded.isPresent()) {
        phase(Phase.ENDING);
        String ended = name();
        String detail = spec().kind() + " " + ended + " is " + success + " (" + succeeded.get().get("reason") + ")";
        actions().submit(() -> succeed(ended, detail, true));
        return;
      }
      Optional<Map<String, Object>> restarting = condition(status, "Restarting");
      if (restarting.isPresent() && !restartingLogged) {
        restartingLogged = true;
        log.info("{} {}/{} is Restarting ({}): still running", spec().kind(), spec().namespace(), name(),
            restarting.get().get("message"));
      }
      failed = condition(status, "Failed").orElse(null);
      if (failed == null) {
        return;
      }
      phase(Phase.ENDING);
    }
    Map<String, Object> why = failed;
    actions().submit(() -> failFromPods(why));
  }

  private void failFromPods(Map<String, Object> why) {
    followLog();
    String name = name();
    String reason = String.valueOf(why.get("reason"));
    String detail = spec().kind() + " " + spec().namespace() + "/" + name + " failed: " + reason
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
      actions().delete(name, "node " + first.get().index() + " failed");
    }
  }

  /**
   * The job failed because pods were evicted or preempted: a static rendezvous cannot take a
   * replaced node back, so the whole run is re-created ({@code -r1}, ...) without spending the
   * caller's retries, up to {@link TorchShellOptions#maxEvictionRetries()}; then {@code Evicted}.
   */
  private void recreateOrGiveUp(String detail, List<String> disrupted) {
    String old;
    synchronized (this) {
      if (phase() != Phase.ENDING) {
        return;
      }
      if (mayRecreate()) {
        sawPods = false;
        recreate("failed on a disruption (pods " + disrupted + ")");
        return;
      }
      old = name();
    }
    actions().delete(old, "disrupted too often");
    fail(disruptedTooOften(detail + "; pods " + disrupted + " were evicted or preempted, the run was disrupted "
        + (attempt() + 1) + " times and"));
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

  /** The shell's watchdog tick: at most one poll of the pods a second. */
  @Override
  public void tick(long now) {
    synchronized (this) {
      if (phase() != Phase.CREATED && phase() != Phase.RUNNING || !pollDue(now)) {
        return;
      }
    }
    poll(() -> poll(now));
  }

  /** One look at the pods: all running, the operator's pick-up bound, the pending timeout, node 0's log. */
  private void poll(long now) {
    String name = name();
    List<Pod> pods = shell.pods(backend, name);
    boolean allRunning = pods.size() >= shell.options().nodes() && pods.stream().allMatch(p -> p.getStatus() != null
        && List.of("Running", "Succeeded").contains(p.getStatus().getPhase()));
    String why = null;
    synchronized (this) {
      Phase phase = phase();
      if (phase != Phase.CREATED && phase != Phase.RUNNING) {
        return;
      }
      sawPods |= !pods.isEmpty();
      if (allRunning) {
        phase(Phase.RUNNING);
      } else if (phase == Phase.CREATED && !sawPods && now - createdAt() > PICKUP_BOUND.toNanos()) {
        phase(Phase.ENDING);
        why = "pickup";
      } else if (phase == Phase.CREATED && now - createdAt() > spec().pendingTimeout().toNanos()) {
        phase(Phase.ENDING);
        why = "pending";
      }
    }
    if ("pickup".equals(why)) {
      actions().delete(name, "no operator picked it up");
      fail(new ShellException("OperatorNotRunning", null, spec().kind() + " " + spec().namespace() + "/" + name
          + " got no pod within " + PICKUP_BOUND.toSeconds() + " s: its CRD is installed but no "
          + (backend == TorchBackend.PYTORCH_JOB ? "training operator (kubeflow/trainer v1, training-operator)"
              : "Trainer controller (kubeflow/trainer v2, with JobSet)") + " is running. Check with `kubectl get pods -A | "
          + "grep -e training-operator -e trainer-controller`, or force backend indexed-job.", true));
      return;
    }
    if ("pending".equals(why)) {
      failPending(name, "get all " + shell.options().nodes() + " nodes running", pods);
      return;
    }
    followLog();
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
  @Override
  protected void followLog() {
    String job = name();
    tail().follow(job, () -> shell.pods(backend, job).stream().filter(p -> nodeIndex(p) == 0).toList(),
        pod -> shell.podLog(pod, container()), shell.logSink());
  }
}
