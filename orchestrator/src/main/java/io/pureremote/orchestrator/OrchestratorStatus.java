package io.pureremote.orchestrator;

import io.fabric8.kubernetes.api.model.ContainerState;
import io.fabric8.kubernetes.api.model.ContainerStateTerminated;
import io.fabric8.kubernetes.api.model.ContainerStateWaiting;
import io.fabric8.kubernetes.api.model.ContainerStatus;
import io.fabric8.kubernetes.api.model.Pod;
import io.fabric8.kubernetes.api.model.batch.v1.Job;
import io.fabric8.kubernetes.api.model.batch.v1.JobCondition;
import java.util.Comparator;
import java.util.List;
import java.util.Optional;
import java.util.Set;

/**
 * Reads an orchestrator's state from its Job and driver pod: a small copy of the Kubernetes
 * shell's reason logic (which is internal to that module and keyed to its own container name).
 * Pure functions; thread-safe.
 */
final class OrchestratorStatus {
  /** Waiting reasons that mean the image cannot be pulled (yet). */
  static final Set<String> IMAGE_PULL = Set.of("ErrImagePull", "ImagePullBackOff", "RegistryUnavailable");
  /** Waiting reasons that never resolve by waiting. */
  static final Set<String> HOPELESS = Set.of("InvalidImageName", "ErrImageNeverPull", "CreateContainerConfigError");

  private OrchestratorStatus() {}

  /** The newest pod of the Job (a disrupted driver is replaced by a newer one). */
  static Optional<Pod> newest(List<Pod> pods) {
    return pods.stream().max(Comparator.comparing((Pod p) -> String.valueOf(p.getMetadata().getCreationTimestamp()))
        .thenComparing(p -> p.getMetadata().getName()));
  }

  static Optional<ContainerStatus> driver(Pod pod) {
    if (pod == null || pod.getStatus() == null || pod.getStatus().getContainerStatuses() == null) {
      return Optional.empty();
    }
    return pod.getStatus().getContainerStatuses().stream()
        .filter(s -> OrchestratorManifests.CONTAINER.equals(s.getName())).findFirst();
  }

  static Optional<ContainerStateTerminated> terminated(Pod pod) {
    return driver(pod).map(ContainerStatus::getState).map(ContainerState::getTerminated);
  }

  static Optional<ContainerStateWaiting> waiting(Pod pod) {
    return driver(pod).map(ContainerStatus::getState).map(ContainerState::getWaiting);
  }

  /** Whether the driver has started (its log exists): running, or ended. */
  static boolean started(Pod pod) {
    if (pod == null || pod.getStatus() == null) {
      return false;
    }
    String phase = pod.getStatus().getPhase();
    return "Running".equals(phase) || "Succeeded".equals(phase) || "Failed".equals(phase)
        || driver(pod).map(ContainerStatus::getState).map(s -> s.getRunning() != null || s.getTerminated() != null)
            .orElse(false);
  }

  static boolean isComplete(Job job) {
    return condition(job, "Complete").isPresent()
        || (job.getStatus() != null && job.getStatus().getSucceeded() != null && job.getStatus().getSucceeded() > 0);
  }

  static Optional<JobCondition> failed(Job job) {
    return condition(job, "Failed");
  }

  private static Optional<JobCondition> condition(Job job, String type) {
    if (job.getStatus() == null || job.getStatus().getConditions() == null) {
      return Optional.empty();
    }
    return job.getStatus().getConditions().stream()
        .filter(c -> type.equals(c.getType()) && "True".equals(c.getStatus())).findFirst();
  }

  /**
   * How the orchestrator ended, if it did: the Job gone or being deleted, complete, or failed
   * (with the driver's exit code and reason when the pod tells them).
   */
  static Optional<Orchestrators.Ending> ending(String name, Job job, Pod pod) {
    if (job == null) {
      return Optional.of(new Orchestrators.Ending(1, "JobDeleted", "the Job " + name
          + " is gone: stopped (pureremote stop), deleted, or removed after its TTL"));
    }
    if (job.getMetadata().getDeletionTimestamp() != null) {
      return Optional.of(new Orchestrators.Ending(1, "Stopped", "the Job " + name + " is being deleted (pureremote stop)"));
    }
    if (isComplete(job)) {
      return Optional.of(new Orchestrators.Ending(0, "Completed", "the driver exited with 0"));
    }
    Optional<JobCondition> failed = failed(job);
    if (failed.isEmpty()) {
      return Optional.empty();
    }
    Optional<ContainerStateTerminated> end = terminated(pod);
    if (end.isPresent() && end.get().getExitCode() != null && end.get().getExitCode() != 0) {
      int code = end.get().getExitCode();
      String reason = end.get().getReason() == null ? "Error" : end.get().getReason();
      String message = "OOMKilled".equals(reason)
          ? "the driver was killed for exceeding its memory limit" + memoryLimit(pod).map(l -> " (" + l + ")").orElse("")
              + "; give it more with --memory, e.g. twice as much"
          : "the driver exited with " + code + describe(end.get().getMessage());
      return Optional.of(new Orchestrators.Ending(code, reason, message));
    }
    JobCondition c = failed.get();
    String reason = c.getReason() == null ? "Failed" : c.getReason();
    return Optional.of(new Orchestrators.Ending(1, reason, "the Job failed" + describe(c.getMessage())));
  }

  /** A one-line status for {@code list}: Pending, Running, Succeeded, Failed (reason), Stopping. */
  static String summary(Job job, Pod pod) {
    if (job.getMetadata().getDeletionTimestamp() != null) {
      return "Stopping";
    }
    if (isComplete(job)) {
      return "Succeeded";
    }
    Optional<Orchestrators.Ending> end = ending(job.getMetadata().getName(), job, pod);
    if (end.isPresent()) {
      Optional<ContainerStateTerminated> t = terminated(pod);
      return "Failed (" + end.get().reason() + (t.isPresent() && t.get().getExitCode() != null
          ? ", exit " + t.get().getExitCode() : "") + ")";
    }
    Optional<ContainerStateWaiting> w = waiting(pod);
    if (w.isPresent() && w.get().getReason() != null) {
      return "Pending (" + w.get().getReason() + ")";
    }
    if (started(pod) || (job.getStatus() != null && job.getStatus().getReady() != null && job.getStatus().getReady() > 0)) {
      return "Running";
    }
    return "Pending";
  }

  /** {@code Reason: message} of a waiting container. */
  static String describe(ContainerStateWaiting w) {
    return (w.getReason() == null ? "Waiting" : w.getReason()) + describe(w.getMessage());
  }

  private static Optional<String> memoryLimit(Pod pod) {
    try {
      return Optional.ofNullable(pod.getSpec().getContainers().getFirst().getResources().getLimits().get("memory"))
          .map(q -> q.getAmount() + (q.getFormat() == null ? "" : q.getFormat()));
    } catch (RuntimeException e) {
      return Optional.empty();
    }
  }

  private static String describe(String message) {
    return message == null || message.isBlank() ? "" : ": " + message.strip();
  }
}
