package io.pureremote.k8s;

import io.fabric8.kubernetes.api.model.GenericKubernetesResource;
import io.fabric8.kubernetes.client.KubernetesClient;
import io.fabric8.kubernetes.client.KubernetesClientException;
import io.fabric8.kubernetes.client.dsl.base.ResourceDefinitionContext;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.atomic.AtomicBoolean;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Reads why Kueue suspended a Job it had admitted. Kueue says it only on the Job's {@code
 * Workload} ({@code kueue.x-k8s.io}, found by the label {@value #JOB_UID_LABEL}): condition {@code
 * Evicted=True} with reason {@code Preempted} (or {@code PodsReadyTimeout}, {@code
 * ClusterQueueStopped}, ...) and, for a preemption, {@code Preempted=True} with where it was
 * decided ({@code InClusterQueue}, {@code InCohortReclamation}, ...); the Job itself only gets
 * {@code suspend: true}. Best effort and read once per preemption: a cluster whose RBAC does not
 * let the shell list Workloads (the permission is optional) gives empty, said once in the log.
 */
final class KueueWorkloads {
  private static final Logger log = LoggerFactory.getLogger(KueueWorkloads.class);
  /** The label Kueue puts on a Workload with the uid of the Job it stands for. */
  static final String JOB_UID_LABEL = "kueue.x-k8s.io/job-uid";
  /** Served versions, newest first: v1beta2 since Kueue 0.15, v1beta1 before. */
  private static final List<String> VERSIONS = List.of("v1beta2", "v1beta1");

  private final KubernetesClient client;
  private final ApiGate gate;
  private final AtomicBoolean refusalLogged = new AtomicBoolean();

  KueueWorkloads(KubernetesClient client, ApiGate gate) {
    this.client = client;
    this.gate = gate;
  }

  /**
   * Why Kueue evicted a Workload: its name, the {@code Evicted} condition's reason and message, and
   * the {@code Preempted} condition's reason when it is a preemption (else null).
   */
  record Eviction(String workload, String reason, String message, String preemptedIn) {
    /** {@code Workload ns/name: Evicted Preempted (InClusterQueue): <message>}. */
    String describe(String namespace) {
      return "Workload " + namespace + "/" + workload + ": Evicted " + reason
          + (preemptedIn == null ? "" : " (" + preemptedIn + ")") + (message == null || message.isBlank() ? "" : ": " + message);
    }

    boolean preempted() {
      return "Preempted".equals(reason);
    }
  }

  /** The eviction of the Workload of Job {@code jobUid} in {@code namespace}, if Kueue says one. */
  Optional<Eviction> eviction(String namespace, String jobUid) throws InterruptedException {
    if (jobUid == null) {
      return Optional.empty();
    }
    for (String version : VERSIONS) {
      try {
        List<GenericKubernetesResource> found = gate.call("list Kueue Workloads of Job uid " + jobUid,
            () -> client.genericKubernetesResources(context(version)).inNamespace(namespace)
                .withLabel(JOB_UID_LABEL, jobUid).list().getItems());
        return found.stream().map(KueueWorkloads::eviction).flatMap(Optional::stream).findFirst();
      } catch (KubernetesClientException e) {
        if (e.getCode() == 404) {
          continue; // this version is not served; try the older one
        }
        if ((e.getCode() == 403 || e.getCode() == 401) && refusalLogged.compareAndSet(false, true)) {
          log.info("Cannot list Kueue Workloads in namespace {} ({}); run records of preempted calls will not say"
              + " Kueue's reason. Grant list on workloads (API group kueue.x-k8s.io) for it (docs/kubernetes.md, Permissions).",
              namespace, ApiGate.describe(e));
        } else if (e.getCode() != 403 && e.getCode() != 401) {
          log.debug("Reading the Kueue Workload of Job uid {} failed: {}", jobUid, ApiGate.describe(e));
        }
        return Optional.empty();
      }
    }
    return Optional.empty();
  }

  private static ResourceDefinitionContext context(String version) {
    return new ResourceDefinitionContext.Builder().withGroup("kueue.x-k8s.io").withVersion(version)
        .withKind("Workload").withPlural("workloads").withNamespaced(true).build();
  }

  @SuppressWarnings("unchecked")
  private static Optional<Eviction> eviction(GenericKubernetesResource workload) {
    Object status = workload.getAdditionalProperties().get("status");
    Object conditions = status instanceof Map<?, ?> s ? s.get("conditions") : null;
    if (!(conditions instanceof List<?> list)) {
      return Optional.empty();
    }
    Map<String, Object> evicted = trueCondition(list, "Evicted");
    if (evicted == null) {
      return Optional.empty();
    }
    Map<String, Object> preempted = trueCondition(list, "Preempted");
    return Optional.of(new Eviction(workload.getMetadata().getName(), text(evicted.get("reason")),
        text(evicted.get("message")), preempted == null ? null : text(preempted.get("reason"))));
  }

  @SuppressWarnings("unchecked")
  private static Map<String, Object> trueCondition(List<?> conditions, String type) {
    for (Object c : conditions) {
      if (c instanceof Map<?, ?> m && type.equals(m.get("type")) && "True".equals(m.get("status"))) {
        return (Map<String, Object>) m;
      }
    }
    return null;
  }

  private static String text(Object value) {
    return value == null ? null : value.toString();
  }
}
