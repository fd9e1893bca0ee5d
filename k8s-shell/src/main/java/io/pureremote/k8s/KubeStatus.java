package io.pureremote.k8s;

import io.fabric8.kubernetes.api.model.ContainerState;
import io.fabric8.kubernetes.api.model.ContainerStateTerminated;
import io.fabric8.kubernetes.api.model.ContainerStateWaiting;
import io.fabric8.kubernetes.api.model.ContainerStatus;
import io.fabric8.kubernetes.api.model.Pod;
import io.fabric8.kubernetes.api.model.PodCondition;
import io.fabric8.kubernetes.api.model.batch.v1.Job;
import io.fabric8.kubernetes.api.model.batch.v1.JobCondition;
import java.util.List;
import java.util.Optional;
import java.util.Set;

/** Reads what the shell needs from Job and Pod status. Pure functions; thread-safe. */
final class KubeStatus {
  /** Container waiting reasons that mean the image cannot be pulled (yet). */
  static final Set<String> IMAGE_PULL_REASONS =
      Set.of("ErrImagePull", "ImagePullBackOff", "InvalidImageName", "ErrImageNeverPull", "RegistryUnavailable");

  /** Image pull reasons that never resolve by waiting. */
  static final Set<String> IMAGE_PULL_HOPELESS = Set.of("InvalidImageName", "ErrImageNeverPull");

  // Pod status reasons of pods killed by the node or the cluster rather than by their own code.
  private static final Set<String> DISRUPTION_REASONS = Set.of("Evicted", "Preempting", "NodeLost", "Shutdown", "NodeShutdown", "Terminated");

  private KubeStatus() {}

  /**
   * Whether the Job succeeded: {@code SuccessCriteriaMet=True} (1.31+: the outcome, set while pods
   * may still terminate), {@code Complete=True} (older servers set only this), or a succeeded pod.
   */
  static boolean isComplete(Job job) {
    if (hasCondition(job, "SuccessCriteriaMet") || hasCondition(job, "Complete")) {
      return true;
    }
    Integer succeeded = job.getStatus() == null ? null : job.getStatus().getSucceeded();
    return succeeded != null && succeeded > 0;
  }

  /**
   * The Job's failure, if it failed: {@code FailureTarget=True} (the outcome; 1.31+ sets it first
   * and adds {@code Failed} only once every pod has terminated), else {@code Failed=True}.
   */
  static Optional<JobCondition> failure(Job job) {
    Optional<JobCondition> target = trueCondition(job, "FailureTarget");
    return target.isPresent() ? target : trueCondition(job, "Failed");
  }

  /**
   * Whether the Job is suspended ({@code spec.suspend}): with Kueue, not admitted yet, or
   * preempted and requeued. It then has no pods and its failure bounds do not run.
   */
  static boolean isSuspended(Job job) {
    return job.getSpec() != null && Boolean.TRUE.equals(job.getSpec().getSuspend());
  }

  private static Optional<JobCondition> trueCondition(Job job, String type) {
    return conditions(job).stream().filter(c -> type.equals(c.getType()) && "True".equals(c.getStatus())).findFirst();
  }

  private static boolean hasCondition(Job job, String type) {
    return conditions(job).stream().anyMatch(c -> type.equals(c.getType()) && "True".equals(c.getStatus()));
  }

  private static List<JobCondition> conditions(Job job) {
    if (job.getStatus() == null || job.getStatus().getConditions() == null) {
      return List.of();
    }
    return job.getStatus().getConditions();
  }

  /** Whether the Job is being deleted (deletion requested, finalizers pending). */
  static boolean isBeingDeleted(Job job) {
    return job.getMetadata() != null && job.getMetadata().getDeletionTimestamp() != null;
  }

  /** The status of container {@code fn}, if reported. */
  static Optional<ContainerStatus> container(Pod pod) {
    if (pod.getStatus() == null || pod.getStatus().getContainerStatuses() == null) {
      return Optional.empty();
    }
    return pod.getStatus().getContainerStatuses().stream().filter(s -> JobFactory.CONTAINER.equals(s.getName())).findFirst();
  }

  /** How container {@code fn} ended (its current or last state), if it did. */
  static Optional<ContainerStateTerminated> terminated(Pod pod) {
    return container(pod).flatMap(s -> Optional.ofNullable(s.getState()).map(ContainerState::getTerminated)
        .or(() -> Optional.ofNullable(s.getLastState()).map(ContainerState::getTerminated)));
  }

  /** Why container {@code fn} is waiting, if it is. */
  static Optional<ContainerStateWaiting> waiting(Pod pod) {
    return container(pod).map(ContainerStatus::getState).map(ContainerState::getWaiting);
  }

  /** Whether container {@code fn} runs. */
  static boolean isRunning(Pod pod) {
    return container(pod).map(ContainerStatus::getState).map(ContainerState::getRunning).isPresent()
        || (pod.getStatus() != null && "Running".equals(pod.getStatus().getPhase()));
  }

  /** Whether the pod reached a final phase or its container ended. */
  static boolean isFinished(Pod pod) {
    String phase = pod.getStatus() == null ? null : pod.getStatus().getPhase();
    return "Succeeded".equals(phase) || "Failed".equals(phase)
        || container(pod).map(ContainerStatus::getState).map(ContainerState::getTerminated).isPresent();
  }

  /** The pod's uid, or its name when the uid is unknown: what a pod is counted by. */
  static String podId(Pod pod) {
    return pod.getMetadata().getUid() == null ? pod.getMetadata().getName() : pod.getMetadata().getUid();
  }

  /**
   * Whether the pod was running its call when its Job was suspended again (a queue's preemption):
   * it started and still runs, or its container ended by a signal (SIGTERM 143, SIGKILL 137 past
   * the grace period) other than the OOM killer. A pod that ended on its own wrote its own run
   * record, and a disrupted one is recorded as a disruption: neither is one of these.
   */
  static boolean stoppedBySuspension(Pod pod) {
    boolean started = pod.getStatus() != null && pod.getStatus().getStartTime() != null || isRunning(pod);
    if (!started || disruption(pod).isPresent()) {
      return false; // a disrupted pod is recorded as a disruption
    }
    if (!isFinished(pod)) {
      return true;
    }
    return terminated(pod).filter(t -> (t.getExitCode() != null && (t.getExitCode() == 143 || t.getExitCode() == 137))
        && !"OOMKilled".equals(t.getReason())).isPresent();
  }

  /**
   * Why the pod was disrupted (evicted, preempted, node lost or drained), if it was: a {@code
   * DisruptionTarget=True} condition or a disruption status reason.
   */
  static Optional<String> disruption(Pod pod) {
    if (pod.getStatus() == null) {
      return Optional.empty();
    }
    Optional<PodCondition> target = podCondition(pod, "DisruptionTarget").filter(c -> "True".equals(c.getStatus()));
    String reason = pod.getStatus().getReason();
    if (target.isPresent()) {
      String why = describe(target.get().getReason(), target.get().getMessage());
      return Optional.of(reason == null || reason.isBlank() ? why : reason + " (" + why + ")");
    }
    if (reason != null && DISRUPTION_REASONS.contains(reason) && "Failed".equals(pod.getStatus().getPhase())) {
      return Optional.of(describe(reason, pod.getStatus().getMessage()));
    }
    return Optional.empty();
  }

  /** The scheduler's message when the pod cannot be scheduled (PodScheduled=False, Unschedulable). */
  static Optional<String> unschedulable(Pod pod) {
    return podCondition(pod, "PodScheduled")
        .filter(c -> "False".equals(c.getStatus()) && "Unschedulable".equals(c.getReason()))
        .map(c -> c.getMessage() == null ? "Unschedulable" : c.getMessage());
  }

  private static Optional<PodCondition> podCondition(Pod pod, String type) {
    if (pod.getStatus() == null || pod.getStatus().getConditions() == null) {
      return Optional.empty();
    }
    return pod.getStatus().getConditions().stream().filter(c -> type.equals(c.getType())).findFirst();
  }

  static String describe(String reason, String message) {
    String r = reason == null || reason.isBlank() ? "" : reason;
    String m = message == null || message.isBlank() ? "" : message.strip().replaceAll("\\.+$", "");
    if (r.isEmpty()) {
      return m;
    }
    return m.isEmpty() ? r : r + ": " + m;
  }
}
