package io.pureremote.orchestrator;

import io.fabric8.kubernetes.api.model.EnvVar;
import io.fabric8.kubernetes.api.model.HasMetadata;
import io.fabric8.kubernetes.api.model.Quantity;
import io.fabric8.kubernetes.api.model.ServiceAccount;
import io.fabric8.kubernetes.api.model.ServiceAccountBuilder;
import io.fabric8.kubernetes.api.model.batch.v1.Job;
import io.fabric8.kubernetes.api.model.batch.v1.JobBuilder;
import io.fabric8.kubernetes.api.model.rbac.PolicyRuleBuilder;
import io.fabric8.kubernetes.api.model.rbac.Role;
import io.fabric8.kubernetes.api.model.rbac.RoleBinding;
import io.fabric8.kubernetes.api.model.rbac.RoleBindingBuilder;
import io.fabric8.kubernetes.api.model.rbac.RoleBuilder;
import io.fabric8.kubernetes.client.utils.Serialization;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * The Kubernetes objects of an orchestrator pod: its Job, and the service account, Role and
 * RoleBinding that let the driver inside run its calls as Jobs in its own namespace (and nowhere
 * else). Pure functions; thread-safe.
 *
 * <pre>{@code
 * Job job = OrchestratorManifests.job(spec);
 * String yaml = OrchestratorManifests.yaml(OrchestratorManifests.rbac("ml-team", "pureremote-orchestrator"));
 * }</pre>
 */
public final class OrchestratorManifests {
  /** Label on every object Pure Remote creates. */
  public static final String MANAGED_BY = "app.kubernetes.io/managed-by";
  /** Value of {@link #MANAGED_BY}. */
  public static final String MANAGER = "pureremote";
  /** Label telling orchestrator Jobs from the Jobs of calls. */
  public static final String COMPONENT = "app.kubernetes.io/component";
  /** Value of {@link #COMPONENT} on orchestrator Jobs and pods. */
  public static final String ORCHESTRATOR = "orchestrator";
  /** Label carrying the orchestrator's name. */
  public static final String NAME_LABEL = "pureremote.io/orchestrator";
  /** Annotation: the driver's main class. */
  public static final String MAIN_ANNOTATION = "pureremote.io/main";
  /** Annotation: the configuration team the orchestrator was started for. */
  public static final String TEAM_ANNOTATION = "pureremote.io/team";
  /** The driver's container. */
  public static final String CONTAINER = "driver";
  /** Name of the Role (and prefix of the RoleBinding). */
  public static final String ROLE = "pureremote-orchestrator";

  private OrchestratorManifests() {}

  /**
   * The Job: one pod ({@code backoffLimit: 0}, {@code restartPolicy: Never}) running the driver;
   * evictions and preemptions do not count as failures (the replacement driver finds the finished
   * calls in the memo).
   */
  public static Job job(OrchestratorSpec spec) {
    Map<String, String> labels = labels(spec.name());
    Map<String, String> podLabels = new LinkedHashMap<>(labels);
    if (spec.workloadIdentity()) {
      podLabels.put("azure.workload.identity/use", "true");
    }
    Map<String, String> annotations = new LinkedHashMap<>();
    annotations.put(MAIN_ANNOTATION, spec.mainClass());
    spec.team().ifPresent(t -> annotations.put(TEAM_ANNOTATION, t));
    Map<String, Quantity> requests = new LinkedHashMap<>();
    Map<String, Quantity> limits = new LinkedHashMap<>();
    spec.cpu().ifPresent(c -> requests.put("cpu", new Quantity(c)));
    spec.memory().ifPresent(m -> {
      requests.put("memory", new Quantity(m));
      limits.put("memory", new Quantity(m));
    });
    List<EnvVar> env = spec.env().entrySet().stream()
        .map(e -> new EnvVar(e.getKey(), e.getValue(), null)).toList();
    return new JobBuilder()
        .withNewMetadata()
          .withName(spec.name()).withNamespace(spec.namespace()).withLabels(labels).withAnnotations(annotations)
        .endMetadata()
        .withNewSpec()
          .withBackoffLimit(0).withCompletions(1).withParallelism(1)
          .withTtlSecondsAfterFinished((int) Math.min(Integer.MAX_VALUE, spec.ttlAfterFinished().toSeconds()))
          .withNewPodFailurePolicy()
            .addNewRule().withAction("Ignore")
              .addNewOnPodCondition().withType("DisruptionTarget").withStatus("True").endOnPodCondition()
            .endRule()
          .endPodFailurePolicy()
          .withNewTemplate()
            .withNewMetadata().withLabels(podLabels).withAnnotations(annotations).endMetadata()
            .withNewSpec()
              .withRestartPolicy("Never")
              .withServiceAccountName(spec.serviceAccount())
              .addNewContainer()
                .withName(CONTAINER).withImage(spec.image()).withImagePullPolicy("Always")
                .withCommand(spec.containerCommand()).withArgs(spec.args())
                .withEnv(env)
                .withNewResources().withRequests(requests.isEmpty() ? null : requests)
                  .withLimits(limits.isEmpty() ? null : limits).endResources()
              .endContainer()
            .endSpec()
          .endTemplate()
        .endSpec()
        .build();
  }

  /** The labels of an orchestrator's Job and pod. */
  public static Map<String, String> labels(String name) {
    Map<String, String> labels = new LinkedHashMap<>();
    labels.put(MANAGED_BY, MANAGER);
    labels.put(COMPONENT, ORCHESTRATOR);
    labels.put(NAME_LABEL, name);
    return labels;
  }

  /** The service account, Role and RoleBinding, in that order (the order to apply them in). */
  public static List<HasMetadata> rbac(String namespace, String serviceAccount) {
    return List.of(serviceAccount(namespace, serviceAccount), role(namespace), roleBinding(namespace, serviceAccount));
  }

  /** The orchestrator's service account. */
  public static ServiceAccount serviceAccount(String namespace, String name) {
    return new ServiceAccountBuilder()
        .withNewMetadata().withName(name).withNamespace(namespace).withLabels(rbacLabels()).endMetadata()
        .build();
  }

  /**
   * The Role: create, get, list, watch and delete Jobs; get, list and watch pods and their logs;
   * in {@code namespace} only. This is what the Kubernetes shell needs.
   */
  public static Role role(String namespace) {
    return new RoleBuilder()
        .withNewMetadata().withName(ROLE).withNamespace(namespace).withLabels(rbacLabels()).endMetadata()
        .withRules(
            new PolicyRuleBuilder().withApiGroups("batch").withResources("jobs")
                .withVerbs("create", "get", "list", "watch", "delete").build(),
            new PolicyRuleBuilder().withApiGroups("").withResources("pods", "pods/log")
                .withVerbs("get", "list", "watch").build())
        .build();
  }

  /** Binds the {@link #role Role} to {@code serviceAccount} of {@code namespace}. */
  public static RoleBinding roleBinding(String namespace, String serviceAccount) {
    String name = ROLE.equals(serviceAccount) ? ROLE : ROLE + "-" + serviceAccount;
    return new RoleBindingBuilder()
        .withNewMetadata().withName(name).withNamespace(namespace).withLabels(rbacLabels()).endMetadata()
        .withNewRoleRef().withApiGroup("rbac.authorization.k8s.io").withKind("Role").withName(ROLE).endRoleRef()
        .addNewSubject().withKind("ServiceAccount").withName(serviceAccount).withNamespace(namespace).endSubject()
        .build();
  }

  /** {@code objects} as one YAML stream, each document starting with {@code ---}. */
  public static String yaml(List<? extends HasMetadata> objects) {
    StringBuilder sb = new StringBuilder();
    for (HasMetadata o : objects) {
      String doc = Serialization.asYaml(o);
      sb.append(doc.startsWith("---") ? "" : "---\n").append(doc);
      if (!doc.endsWith("\n")) {
        sb.append('\n');
      }
    }
    return sb.toString();
  }

  private static Map<String, String> rbacLabels() {
    Map<String, String> labels = new LinkedHashMap<>();
    labels.put(MANAGED_BY, MANAGER);
    labels.put(COMPONENT, ORCHESTRATOR);
    return labels;
  }
}
