package io.pureremote.k8s;

import io.fabric8.kubernetes.api.model.EnvFromSource;
import io.fabric8.kubernetes.api.model.EnvFromSourceBuilder;
import io.fabric8.kubernetes.api.model.EnvVar;
import io.fabric8.kubernetes.api.model.EnvVarBuilder;
import io.fabric8.kubernetes.api.model.NodeSelectorRequirement;
import io.fabric8.kubernetes.api.model.NodeSelectorRequirementBuilder;
import io.fabric8.kubernetes.api.model.PodSpecBuilder;
import io.fabric8.kubernetes.api.model.Quantity;
import io.pureremote.k8s.values.KubernetesValues;
import io.pureremote.spi.Shell.LaunchRequest;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;

/**
 * Turns a {@link PodTemplateOptions} into the pod spec of one container: image, pull policy,
 * resources, tolerations, node selector and required node labels, service account, the plain
 * environment, the Secret/ConfigMap references. The one place every shell of this library (Job,
 * MPIJob) builds its pods from the pod-template vocabulary; stateless.
 */
public final class PodSpecs {
  private PodSpecs() {}

  /**
   * A pod spec with one container {@code container} running the image's entrypoint with {@code
   * args} (or {@code command} instead of the entrypoint when not empty) and the environment {@code
   * env} (see {@link #env}).
   */
  public static PodSpecBuilder podSpec(PodTemplateOptions pod, String container, List<String> command, List<String> args,
      List<EnvVar> env) {
    Objects.requireNonNull(pod, "pod");
    PodSpecBuilder spec = new PodSpecBuilder()
        .addNewContainer()
          .withName(container)
          .withImage(pod.qualifiedImage())
          .withImagePullPolicy(pod.imagePullPolicy())
          .withArgs(args)
          .withEnv(env)
          .withEnvFrom(envFrom(pod))
          .withNewResources()
            .withRequests(quantities(pod.resourceRequests()))
            .withLimits(quantities(pod.resourceLimits()))
          .endResources()
        .endContainer();
    if (!command.isEmpty()) {
      spec.editFirstContainer().withCommand(command).endContainer();
    }
    if (!pod.tolerations().isEmpty()) {
      spec.withTolerations(pod.tolerations());
    }
    pod.serviceAccount().ifPresent(spec::withServiceAccountName);
    if (!pod.nodeSelector().isEmpty()) {
      spec.withNodeSelector(new LinkedHashMap<>(pod.nodeSelector()));
    }
    if (!pod.requiredNodeLabels().isEmpty()) {
      List<NodeSelectorRequirement> terms = new ArrayList<>();
      pod.requiredNodeLabels().forEach((key, values) -> terms.add(
          new NodeSelectorRequirementBuilder().withKey(key).withOperator("In").withValues(values).build()));
      spec.withNewAffinity().withNewNodeAffinity().withNewRequiredDuringSchedulingIgnoredDuringExecution()
          .addNewNodeSelectorTerm().withMatchExpressions(terms).endNodeSelectorTerm()
          .endRequiredDuringSchedulingIgnoredDuringExecution().endNodeAffinity().endAffinity();
    }
    return spec;
  }

  /**
   * The container environment: {@code plain} (the shell's own variables, in order; the last
   * definition of a name wins in Kubernetes), {@code PUREREMOTE_K8S_POD_NAME} from the pod's name,
   * then the Secret/ConfigMap key references of {@code pod}. Plain values are never credentials:
   * see {@link #environmentProblem}.
   */
  public static List<EnvVar> env(PodTemplateOptions pod, Map<String, String> plain) {
    List<EnvVar> env = new ArrayList<>();
    plain.forEach((k, v) -> env.add(new EnvVarBuilder().withName(k).withValue(v).build()));
    env.add(new EnvVarBuilder().withName("PUREREMOTE_K8S_POD_NAME")
        .withNewValueFrom().withNewFieldRef().withFieldPath("metadata.name").endFieldRef().endValueFrom().build());
    for (EnvReference ref : pod.envReferences()) {
      switch (ref.kind()) {
        case SECRET_KEY -> env.add(new EnvVarBuilder().withName(ref.variable()).withNewValueFrom()
            .withNewSecretKeyRef().withName(ref.source()).withKey(ref.key()).endSecretKeyRef().endValueFrom().build());
        case CONFIG_MAP_KEY -> env.add(new EnvVarBuilder().withName(ref.variable()).withNewValueFrom()
            .withNewConfigMapKeyRef().withName(ref.source()).withKey(ref.key()).endConfigMapKeyRef().endValueFrom().build());
        default -> { }
      }
    }
    return env;
  }

  /**
   * Why a shell refuses {@code request} before anything reaches the API server, or empty to go on:
   * the shell is closed ({@code ShellClosed}), or the runtime's environment holds a credential as a
   * plain value ({@code CredentialInEnvironment}, see {@link #environmentProblem}). The one launch
   * preamble of the Job, MPI and torch shells.
   *
   * @param shell the shell as messages name it, e.g. {@code Kubernetes}, {@code MPI}, {@code torch}
   * @param optionsType the options class whose {@code envReference} is the fix
   */
  public static Optional<io.pureremote.ShellException> launchRefusal(String shell, boolean closed, LaunchRequest request,
      String optionsType) {
    if (closed) {
      return Optional.of(new io.pureremote.ShellException("ShellClosed", null,
          "The " + shell + " shell is closed; cannot run " + request.shortLabel(), false));
    }
    return environmentProblem(request, optionsType)
        .map(p -> new io.pureremote.ShellException("CredentialInEnvironment", null, p, false));
  }

  /**
   * Why the runtime's environment for {@code request} cannot go into a pod as plain values (a
   * variable that looks like a credential), or empty; {@code optionsType} names the options class
   * whose {@code envReference} is the fix.
   */
  public static Optional<String> environmentProblem(LaunchRequest request, String optionsType) {
    for (Map.Entry<String, String> e : request.environment().entrySet()) {
      String name = e.getKey();
      Optional<String> problem = KubernetesValues.plainEnvProblem(name, e.getValue(),
          optionsType + ".Builder.envReference(EnvReference.secretKey(\"" + name + "\", <secret>, <key>)) "
              + "instead of RemoteRuntime.Builder.remoteEnvironment");
      if (problem.isPresent()) {
        return Optional.of("The runtime's remote environment cannot go into a Kubernetes pod: " + problem.get());
      }
    }
    return Optional.empty();
  }

  /** SHA-256 (hex) of the call's memo URI: identifies the call across pipelines and roots. */
  public static String memoHash(LaunchRequest request) {
    return KubernetesNames.sha256Hex(request.memoUri());
  }

  /** The first name of the object running {@code request}: readable prefix + 10 hex digits of the memo hash. */
  public static String callName(LaunchRequest request) {
    return callName(request, "");
  }

  /** {@link #callName(LaunchRequest)} with {@code suffix} (e.g. {@code -r1} for a re-creation). */
  public static String callName(LaunchRequest request, String suffix) {
    return KubernetesNames.jobName(request.function(), memoHash(request), suffix);
  }

  /**
   * The labels of every object a shell creates for {@code request}: the user's ({@code pod}), then
   * managed-by, function, version and memo hash (which the user cannot override).
   */
  public static Map<String, String> callLabels(PodTemplateOptions pod, LaunchRequest request) {
    Map<String, String> labels = new LinkedHashMap<>(pod.labels());
    labels.put(JobFactory.MANAGED_BY, JobFactory.MANAGER);
    labels.put(JobFactory.LABEL_FUNCTION, KubernetesNames.labelValue(request.function().name()));
    labels.put(JobFactory.LABEL_VERSION, KubernetesNames.labelValue(request.function().version()));
    labels.put(JobFactory.LABEL_MEMO_HASH, memoHash(request).substring(0, KubernetesNames.LABEL_HASH_DIGITS));
    return labels;
  }

  /** The label and value that mark objects this library manages ({@code app.kubernetes.io/managed-by=pureremote}). */
  public static Map.Entry<String, String> managedBy() {
    return Map.entry(JobFactory.MANAGED_BY, JobFactory.MANAGER);
  }

  /** The annotation that carries the call's memo URI on the objects a shell creates. */
  public static String memoUriAnnotation() {
    return JobFactory.ANNOTATION_MEMO_URI;
  }

  /**
   * Why a pod that has not started is stuck, or empty when nothing says so: the container's
   * waiting reason (e.g. {@code ImagePullBackOff}) or the scheduler's Unschedulable message.
   */
  public static Optional<String> pendingReason(io.fabric8.kubernetes.api.model.Pod pod) {
    Optional<String> unschedulable = KubeStatus.unschedulable(pod);
    if (unschedulable.isPresent()) {
      return Optional.of("Unschedulable: " + unschedulable.get());
    }
    return KubeStatus.waiting(pod).filter(w -> w.getReason() != null && !"ContainerCreating".equals(w.getReason()))
        .map(w -> KubeStatus.describe(w.getReason(), w.getMessage()));
  }

  /**
   * For a pods-pending error: {@code <pod>: <reason>} for each of {@code pods} that is stuck ({@link
   * #pendingReason}), or {@code <pod>: Pending} for a pending pod that says nothing; running and
   * ended pods are left out. The multi-pod shells (MPI, torch) word their {@code PodsPending} with it.
   */
  public static List<String> pendingReasons(List<io.fabric8.kubernetes.api.model.Pod> pods) {
    List<String> reasons = new ArrayList<>();
    for (var pod : pods) {
      Optional<String> r = pendingReason(pod);
      if (r.isPresent()) {
        reasons.add(pod.getMetadata().getName() + ": " + r.get());
      } else if (pod.getStatus() != null && "Pending".equals(pod.getStatus().getPhase())) {
        reasons.add(pod.getMetadata().getName() + ": Pending");
      }
    }
    return reasons;
  }

  private static List<EnvFromSource> envFrom(PodTemplateOptions pod) {
    List<EnvFromSource> from = new ArrayList<>();
    for (EnvReference ref : pod.envReferences()) {
      switch (ref.kind()) {
        case SECRET -> from.add(new EnvFromSourceBuilder().withNewSecretRef().withName(ref.source()).endSecretRef().build());
        case CONFIG_MAP -> from.add(new EnvFromSourceBuilder().withNewConfigMapRef().withName(ref.source()).endConfigMapRef().build());
        default -> { }
      }
    }
    return from;
  }

  private static Map<String, Quantity> quantities(Map<String, String> values) {
    Map<String, Quantity> q = new LinkedHashMap<>();
    values.forEach((k, v) -> q.put(k, new Quantity(v)));
    return q;
  }
}
