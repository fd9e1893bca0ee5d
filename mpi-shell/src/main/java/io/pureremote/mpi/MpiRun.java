package io.pureremote.mpi;

import io.fabric8.kubernetes.api.model.ContainerStateTerminated;
import io.fabric8.kubernetes.api.model.ContainerStatus;
import io.fabric8.kubernetes.api.model.GenericKubernetesResource;
import io.fabric8.kubernetes.api.model.Pod;
import io.pureremote.ShellException;
import io.pureremote.k8s.ClusterRun;
import io.pureremote.spi.Shell.LaunchRequest;
import io.pureremote.spi.Shell.Outcome;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;

/**
 * One call's MPIJob, from creation to its outcome: reads the MPIJob's conditions from the shared
 * informer, re-creates it after {@code MPIJobEvicted}, runs the pick-up and pending watchdogs on
 * the shell's ticks, and follows the launcher pod's log. What every cluster run does alike
 * (ending once, cancel, re-creation, the common outcomes) is {@link ClusterRun}'s. Thread-safe:
 * state is guarded by {@code this}; cluster requests run on the shell's executor, never under the
 * lock.
 */
final class MpiRun extends ClusterRun<GenericKubernetesResource> {
  static final String EVICTED = "MPIJobEvicted";

  private final MpiShell shell;
  private final String baseName;

  MpiRun(MpiShell shell, LaunchRequest request, String name) {
    super(shell.runActions(), request, name, new Spec("MPIJob", shell.options().namespace(), "MpiShellOptions",
        shell.options().maxEvictionRetries(), shell.options().pendingTimeout(), "Last launcher log lines"));
    this.shell = shell;
    this.baseName = name;
  }

  @Override
  public String description() {
    return "mpijob " + spec().namespace() + "/" + name();
  }

  /** An MPIJob event from the informer. */
  @Override
  public void onObject(GenericKubernetesResource job) {
    String failedReason = null;
    String failedMessage = null;
    boolean succeeded = false;
    synchronized (this) {
      Phase phase = phase();
      if (phase == Phase.DONE || phase == Phase.ENDING || !job.getMetadata().getName().equals(name())) {
        return;
      }
      Map<String, Object> status = status(job);
      boolean created = condition(status, "Created").isPresent() || status.get("startTime") != null;
      if (created && phase == Phase.CREATED) {
        phase(Phase.STARTED);
      }
      if (condition(status, "Running").isPresent()) {
        phase(Phase.RUNNING);
      }
      Optional<Map<String, Object>> done = condition(status, "Succeeded");
      Optional<Map<String, Object>> failed = condition(status, "Failed");
      if (done.isPresent()) {
        succeeded = true;
        phase(Phase.ENDING);
      } else if (failed.isPresent()) {
        failedReason = String.valueOf(failed.get().getOrDefault("reason", "Failed"));
        failedMessage = String.valueOf(failed.get().getOrDefault("message", ""));
        if (EVICTED.equals(failedReason) && mayRecreate()) {
          recreate("failed with " + failedReason + " (" + failedMessage + ")");
          return;
        }
        phase(Phase.ENDING);
      } else {
        return;
      }
    }
    String ended = name();
    if (succeeded) {
      actions().submit(() -> succeed(ended, "MPIJob " + ended + " succeeded", false));
      return;
    }
    String reason = failedReason;
    String message = failedMessage;
    actions().submit(() -> {
      followLog();
      if (EVICTED.equals(reason)) {
        fail(disruptedTooOften("MPIJob " + spec().namespace() + "/" + ended + " was evicted " + (attempt() + 1)
            + " times (" + message + ");"));
        return;
      }
      Optional<Integer> exit = launcherExitCode(ended);
      String detail = "MPIJob " + ended + " failed: " + reason + (message.isEmpty() ? "" : " (" + message + ")") + tailText();
      finish(exit.map(code -> Outcome.exited(code, detail)).orElseGet(() -> new Outcome(reason, null, detail)));
    });
  }

  /** The shell's watchdog tick: the operator's pick-up bound, the pending timeout, the launcher's log. */
  @Override
  public void tick(long now) {
    synchronized (this) {
      Phase p = phase();
      long age = now - createdAt();
      if (p == Phase.CREATED && age > shell.options().operatorPickupBound().toNanos()) {
        String ns = spec().namespace();
        String stuck = name();
        actions().submit(() -> actions().delete(stuck, "not picked up by the MPI Operator"));
        fail(new ShellException("OperatorNotRunning", null, "MPIJob " + ns + "/" + stuck + " got no Created condition and "
            + "no startTime within " + shell.options().operatorPickupBound().toSeconds() + " s: the MPI Operator is not "
            + "running or does not watch namespace '" + ns + "'. Check `kubectl get pods -n mpi-operator` and its logs, or "
            + "raise MpiShellOptions.operatorPickupBound.", false));
        return;
      }
      if ((p == Phase.STARTED || p == Phase.CREATED) && age > spec().pendingTimeout().toNanos()) {
        phase(Phase.ENDING);
        String stuck = name();
        actions().submit(() -> {
          List<Pod> pods = new ArrayList<>(shell.pods(stuck, "worker"));
          pods.addAll(shell.pods(stuck, "launcher"));
          failPending(stuck, "start running", pods);
        });
        return;
      }
      if ((p != Phase.STARTED && p != Phase.RUNNING) || !pollDue(now)) {
        return;
      }
    }
    poll(this::followLog);
  }

  /** Reads the launcher pod's log and passes on the lines not seen yet. */
  @Override
  protected void followLog() {
    String job = name();
    tail().follow(job, () -> shell.pods(job, "launcher"), shell::podLog, shell.logSink());
  }

  private Optional<Integer> launcherExitCode(String job) {
    Integer code = null;
    for (Pod pod : shell.pods(job, "launcher")) {
      if (pod.getStatus() == null || pod.getStatus().getContainerStatuses() == null) {
        continue;
      }
      for (ContainerStatus s : pod.getStatus().getContainerStatuses()) {
        if (!MpiJobFactory.CONTAINER.equals(s.getName())) {
          continue;
        }
        ContainerStateTerminated t = s.getState() != null && s.getState().getTerminated() != null ? s.getState().getTerminated()
            : s.getLastState() != null ? s.getLastState().getTerminated() : null;
        if (t != null && t.getExitCode() != null) {
          code = t.getExitCode();
        }
      }
    }
    return Optional.ofNullable(code);
  }

  @Override
  public String toString() {
    return description() + " (" + baseName + ")";
  }
}
