package io.pureremote.mpi;

import io.fabric8.kubernetes.api.model.EnvVar;
import io.fabric8.kubernetes.api.model.EnvVarBuilder;
import io.fabric8.kubernetes.api.model.GenericKubernetesResource;
import io.fabric8.kubernetes.api.model.ObjectMetaBuilder;
import io.fabric8.kubernetes.api.model.PodSpecBuilder;
import io.fabric8.kubernetes.api.model.PodTemplateSpec;
import io.fabric8.kubernetes.api.model.PodTemplateSpecBuilder;
import io.fabric8.kubernetes.api.model.Quantity;
import io.fabric8.kubernetes.client.utils.KubernetesSerialization;
import io.pureremote.Distributed;
import io.pureremote.k8s.PodSpecs;
import io.pureremote.k8s.PodTemplateOptions;
import io.pureremote.spi.Shell.LaunchRequest;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;

/**
 * Turns a {@link LaunchRequest} and the options into a {@code kubeflow.org/v2beta1} MPIJob: the
 * launcher (1 replica, container {@value #CONTAINER} running the image's entrypoint with {@code run
 * <memo uri>}) and the workers (container {@value #CONTAINER} running the worker command), both
 * built by {@link PodSpecs} from their {@link PodTemplateOptions}. Stateless; thread-safe.
 */
final class MpiJobFactory {
  static final String API_VERSION = "kubeflow.org/v2beta1";
  static final String KIND = "MPIJob";
  /** The container name in both replicas (the Job shell's, so pod status helpers find it). */
  static final String CONTAINER = "fn";
  /** Labels the operator puts on the pods it creates. */
  static final String JOB_NAME_LABEL = "training.kubeflow.org/job-name";
  static final String JOB_ROLE_LABEL = "training.kubeflow.org/job-role";
  static final String ANNOTATION_ATTEMPT = "pureremote.io/attempt";

  private static final KubernetesSerialization SERIALIZATION = new KubernetesSerialization();

  private final MpiShellOptions options;

  MpiJobFactory(MpiShellOptions options) {
    this.options = Objects.requireNonNull(options, "options");
  }

  /** The MPIJob for {@code request}, named {@code name}; {@code attempt} counts re-creations after evictions. */
  GenericKubernetesResource create(LaunchRequest request, String name, int attempt) {
    PodSpecs.environmentProblem(request, "PodTemplateOptions").ifPresent(p -> {
      throw new IllegalArgumentException(p);
    });
    Map<String, String> labels = PodSpecs.callLabels(options.launcher(), request);
    Map<String, String> annotations = new LinkedHashMap<>(options.launcher().annotations());
    annotations.put(PodSpecs.memoUriAnnotation(), request.memoUri());
    annotations.put(ANNOTATION_ATTEMPT, Integer.toString(attempt));

    Map<String, Object> runPolicy = new LinkedHashMap<>();
    runPolicy.put("cleanPodPolicy", options.cleanPodPolicy().value());
    runPolicy.put("ttlSecondsAfterFinished", options.ttlAfterFinished().getSeconds());
    options.activeDeadline().ifPresent(d -> runPolicy.put("activeDeadlineSeconds", d.getSeconds()));
    runPolicy.put("backoffLimit", options.backoffLimit());
    if (options.hasSchedulingPolicy()) {
      Map<String, Object> scheduling = new LinkedHashMap<>();
      options.schedulingMinAvailable().ifPresent(n -> scheduling.put("minAvailable", n));
      options.schedulingQueue().ifPresent(q -> scheduling.put("queue", q));
      options.schedulingPriorityClass().ifPresent(c -> scheduling.put("priorityClass", c));
      options.scheduleTimeout().ifPresent(t -> scheduling.put("scheduleTimeoutSeconds", t.getSeconds()));
      runPolicy.put("schedulingPolicy", scheduling);
    }

    Map<String, Object> replicas = new LinkedHashMap<>();
    replicas.put("Launcher", replica(1, options.launcherRestartPolicy(),
        template(options.launcher(), request, name, "launcher", List.of(), request.remoteMainArgs())));
    replicas.put("Worker", replica(options.workers(), options.workerRestartPolicy(),
        template(options.worker(), request, name, "worker", options.workerCommand(), List.of())));

    Map<String, Object> spec = new LinkedHashMap<>();
    spec.put("slotsPerWorker", options.slotsPerWorker());
    if (options.runLauncherAsWorker()) {
      spec.put("runLauncherAsWorker", true);
    }
    options.sshAuthMountPath().ifPresent(p -> spec.put("sshAuthMountPath", p));
    spec.put("mpiImplementation", options.mpiImplementation().value());
    spec.put("launcherCreationPolicy", options.launcherCreationPolicy().value());
    spec.put("runPolicy", runPolicy);
    spec.put("mpiReplicaSpecs", replicas);

    GenericKubernetesResource job = new GenericKubernetesResource();
    job.setApiVersion(API_VERSION);
    job.setKind(KIND);
    job.setMetadata(new ObjectMetaBuilder().withName(name).withNamespace(options.namespace())
        .withLabels(labels).withAnnotations(annotations).build());
    job.setAdditionalProperty("spec", spec);
    return job;
  }

  private static Map<String, Object> replica(int count, String restartPolicy, Map<String, Object> template) {
    Map<String, Object> r = new LinkedHashMap<>();
    r.put("replicas", count);
    r.put("restartPolicy", restartPolicy);
    r.put("template", template);
    return r;
  }

  @SuppressWarnings("unchecked")
  private Map<String, Object> template(PodTemplateOptions pod, LaunchRequest request, String name, String role,
      List<String> command, List<String> args) {
    PodSpecBuilder spec = PodSpecs.podSpec(pod, CONTAINER, command, args, env(pod, request, name, role));
    // One user for launcher and workers: ssh refuses keys of another user (mpi-operator#472).
    options.runAsUser().ifPresent(uid -> spec.withNewSecurityContext().withRunAsUser(uid).endSecurityContext());
    if ("worker".equals(role)) {
      options.workerReadinessPort().ifPresent(port -> spec.editFirstContainer().withNewReadinessProbe()
          .withNewTcpSocket().withNewPort(port).endTcpSocket().withInitialDelaySeconds(2).endReadinessProbe().endContainer());
    }
    Map<String, String> podLabels = new LinkedHashMap<>(PodSpecs.callLabels(pod, request));
    PodTemplateSpecBuilder template = new PodTemplateSpecBuilder()
        .withNewMetadata().withLabels(podLabels).endMetadata()
        .withSpec(spec.build());
    if (!pod.annotations().isEmpty()) {
      template.editMetadata().withAnnotations(new LinkedHashMap<>(pod.annotations())).endMetadata();
    }
    PodTemplateSpec built = template.build();
    return SERIALIZATION.convertValue(built, Map.class);
  }

  private List<EnvVar> env(PodTemplateOptions pod, LaunchRequest request, String name, String role) {
    // The runtime's variables first, the user's may override them, the call identity last.
    Map<String, String> plain = new LinkedHashMap<>(request.environment());
    plain.putAll(pod.env());
    plain.put("PUREREMOTE_FUNCTION", request.function().name());
    plain.put("PUREREMOTE_FUNCTION_VERSION", request.function().version());
    plain.put("PUREREMOTE_ARGS_HASH", request.argsHash());
    plain.put("PUREREMOTE_MEMO_URI", request.memoUri());
    plain.put("PUREREMOTE_K8S_NAMESPACE", options.namespace());
    plain.put("PUREREMOTE_MPI_JOB_NAME", name);
    plain.put(Distributed.ENV_ROLE, role);
    plain.put(Distributed.ENV_WORKERS, Integer.toString(options.workers()));
    plain.put(Distributed.ENV_SLOTS_PER_WORKER, Integer.toString(options.slotsPerWorker()));
    plain.put(Distributed.ENV_LAUNCHER_SLOTS, Integer.toString(options.launcherSlots()));
    List<EnvVar> env = new ArrayList<>(PodSpecs.env(pod, plain));
    boolean hasMemory = (options.memoryLimitResource().startsWith("limits") ? pod.resourceLimits() : pod.resourceRequests())
        .containsKey("memory");
    options.memoryLimitEnv().filter(v -> hasMemory).ifPresent(var -> env.add(new EnvVarBuilder().withName(var).withNewValueFrom()
        .withNewResourceFieldRef().withResource(options.memoryLimitResource())
          .withDivisor(options.memoryLimitDivisor().map(Quantity::new).orElse(null))
        .endResourceFieldRef().endValueFrom().build()));
    return env;
  }
}
