package io.pureremote.k8s;

import io.fabric8.kubernetes.api.model.Container;
import io.fabric8.kubernetes.api.model.EnvVar;
import io.fabric8.kubernetes.api.model.ObjectMeta;
import io.fabric8.kubernetes.api.model.PodSpec;
import io.fabric8.kubernetes.api.model.PodSpecBuilder;
import io.fabric8.kubernetes.api.model.PodTemplateSpec;
import io.fabric8.kubernetes.api.model.batch.v1.Job;
import io.fabric8.kubernetes.api.model.batch.v1.JobBuilder;
import io.fabric8.kubernetes.api.model.batch.v1.JobSpec;
import io.fabric8.kubernetes.api.model.batch.v1.JobSpecBuilder;
import io.fabric8.kubernetes.api.model.batch.v1.PodFailurePolicy;
import io.fabric8.kubernetes.api.model.batch.v1.PodFailurePolicyBuilder;
import io.pureremote.spi.Shell.LaunchRequest;
import io.pureremote.spi.Shell.Outcome;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;

/**
 * Turns a {@link LaunchRequest} and the shell options into a {@code batch/v1} Job: one container
 * {@value #CONTAINER} running the image's entrypoint with {@code run <memo uri>}, restart policy
 * Never, the options' resources, placement, identity and policies, then the customizer. Stateless
 * apart from the options; thread-safe.
 */
final class JobFactory {
  /** The container's name; the pod failure policy and log streaming refer to it. */
  static final String CONTAINER = "fn";

  static final String MANAGED_BY = "app.kubernetes.io/managed-by";
  static final String MANAGER = "pureremote";
  static final String LABEL_PREFIX = "pureremote.io/";
  static final String LABEL_FUNCTION = LABEL_PREFIX + "function";
  static final String LABEL_VERSION = LABEL_PREFIX + "function-version";
  static final String LABEL_MEMO_HASH = LABEL_PREFIX + "memo-hash";
  static final String ANNOTATION_MEMO_URI = LABEL_PREFIX + "memo-uri";
  static final String ANNOTATION_FUNCTION = LABEL_PREFIX + "function";
  static final String ANNOTATION_ATTEMPT = LABEL_PREFIX + "attempt";
  /** The caller's lease holder id the Job runs for (absent when the call holds no lease). */
  static final String ANNOTATION_LEASE_HOLDER = LABEL_PREFIX + "lease-holder";

  /** Label of a batch Job and its pods: 10 hex digits of the SHA-256 of its manifest URI. */
  static final String LABEL_BATCH = LABEL_PREFIX + "batch";
  static final String ANNOTATION_BATCH_MANIFEST = LABEL_PREFIX + "batch-manifest";
  static final String ANNOTATION_BATCH_SIZE = LABEL_PREFIX + "batch-size";

  /** Set by the Job controller on the pods of an Indexed Job: the pod's completion index. */
  static final String COMPLETION_INDEX = "batch.kubernetes.io/job-completion-index";

  /** Set by the Job controller on its pods; the shell finds a Job's pods by it. */
  static final String JOB_NAME_LABEL = "job-name";

  /** Set by the Job controller on its pods: the uid of the Job that owns them. */
  static final String CONTROLLER_UID_LABEL = "controller-uid";

  /** Replacement pods only after the old one reached Failed (no overlap; GA 1.34, beta on since 1.29). */
  static final String POD_REPLACEMENT_POLICY = "Failed";

  private final KubernetesShellOptions options;

  /**
   * The parts of a single-call Job that depend only on the options, built once; null when the
   * options have a customizer, which may change the objects it is given (then every Job is built
   * whole, as {@link #build} does).
   */
  private final Shared shared;

  /**
   * What the Jobs of one factory share by reference: the pod spec and container as built from the
   * options (with no args or env), the environment's tail (the pod name and the Secret/ConfigMap
   * references, after the plain values) and the pod failure policy.
   */
  private record Shared(PodSpec pod, Container container, List<EnvVar> envTail, PodFailurePolicy failurePolicy) {}

  JobFactory(KubernetesShellOptions options) {
    this.options = Objects.requireNonNull(options, "options");
    this.shared = options.customizer() == IDENTITY ? shared(options) : null;
  }

  private static final java.util.function.UnaryOperator<Job> IDENTITY = java.util.function.UnaryOperator.identity();

  private static Shared shared(KubernetesShellOptions options) {
    PodSpec pod = PodSpecs.podSpec(options.pod(), CONTAINER, List.of(), List.of(), List.of())
        .withRestartPolicy("Never").build();
    return new Shared(pod, pod.getContainers().getFirst(), PodSpecs.env(options.pod(), Map.of()),
        podFailurePolicy());
  }

  /** SHA-256 of the memo URI: identifies the call across pipelines and roots. */
  static String memoHash(LaunchRequest request) {
    return PodSpecs.memoHash(request);
  }

  /** The first Job name for {@code request}: readable prefix + 10 hex digits of the memo hash. */
  static String baseName(LaunchRequest request) {
    return PodSpecs.callName(request);
  }

  /**
   * The Job for {@code request}, named {@code name}; {@code attempt} counts shell re-creations.
   *
   * <p>Without a customizer, the Job is assembled from the factory's {@link Shared} parts: new
   * objects for what differs per call (metadata, env, args, the spec and template around them),
   * the rest shared by reference. It serializes to the very JSON {@link #build} gives
   * (JobFactoryTest checks that). Why: the fabric8 builders copy the whole pod template, its
   * resources, env and failure policy for every Job (about 128 KiB allocated per Job), and a
   * fan-out of 10,000 calls builds 10,000 Jobs. The Jobs it returns go to the API server and are
   * not changed after; {@link KubernetesShell#job} returns a Job built whole.
   */
  Job create(LaunchRequest request, String name, int attempt) {
    if (shared == null) {
      return build(request, name, attempt);
    }
    Map<String, String> labels = labels(request);
    Map<String, String> podLabels = new LinkedHashMap<>(labels);
    if (options.workloadIdentityApplies()) {
      podLabels.put(KubernetesShellOptions.AZURE_WORKLOAD_IDENTITY_LABEL, "true");
    }
    Map<String, String> annotations = annotations(request, attempt);

    Map<String, String> plain = plainEnv(request, options.namespace(), name);
    List<EnvVar> env = new ArrayList<>(plain.size() + shared.envTail().size());
    plain.forEach((k, v) -> env.add(new EnvVar(k, v, null)));
    env.addAll(shared.envTail());

    Container from = shared.container();
    Container container = new Container();
    container.setName(from.getName());
    container.setImage(from.getImage());
    container.setImagePullPolicy(from.getImagePullPolicy());
    container.setCommand(from.getCommand());
    container.setArgs(new ArrayList<>(request.remoteMainArgs()));
    container.setEnv(env);
    container.setEnvFrom(from.getEnvFrom());
    container.setResources(from.getResources());

    PodSpec fromPod = shared.pod();
    PodSpec pod = new PodSpec();
    pod.setContainers(List.of(container));
    pod.setRestartPolicy(fromPod.getRestartPolicy());
    pod.setTolerations(fromPod.getTolerations());
    pod.setServiceAccountName(fromPod.getServiceAccountName());
    pod.setNodeSelector(fromPod.getNodeSelector());
    pod.setAffinity(fromPod.getAffinity());

    ObjectMeta podMeta = new ObjectMeta();
    podMeta.setLabels(podLabels);
    if (!options.pod().annotations().isEmpty()) {
      podMeta.setAnnotations(new LinkedHashMap<>(options.pod().annotations()));
    }
    JobSpec spec = new JobSpec();
    spec.setCompletions(1);
    spec.setParallelism(1);
    spec.setBackoffLimit(options.backoffLimit());
    spec.setPodReplacementPolicy(POD_REPLACEMENT_POLICY);
    spec.setTtlSecondsAfterFinished((int) options.ttlAfterFinished().getSeconds());
    spec.setTemplate(new PodTemplateSpec(podMeta, pod));
    options.activeDeadline().ifPresent(d -> spec.setActiveDeadlineSeconds(d.getSeconds()));
    if (options.podFailurePolicy()) {
      spec.setPodFailurePolicy(shared.failurePolicy());
    }

    ObjectMeta meta = new ObjectMeta();
    meta.setName(name);
    meta.setNamespace(options.namespace());
    meta.setLabels(jobLabels(labels));
    meta.setAnnotations(annotations);
    Job job = new Job();
    job.setMetadata(meta);
    job.setSpec(spec);
    return job;
  }

  /**
   * The Job's annotations: the pod options' own, then what names the invocation (memo URI,
   * function, attempt, lease holder), so a Job found under the name can be told apart.
   */
  private Map<String, String> annotations(LaunchRequest request, int attempt) {
    Map<String, String> annotations = new LinkedHashMap<>(options.pod().annotations());
    annotations.put(ANNOTATION_MEMO_URI, request.memoUri());
    annotations.put(ANNOTATION_FUNCTION, request.function().toString());
    annotations.put(ANNOTATION_ATTEMPT, Integer.toString(attempt));
    if (request.holder() != null) {
      annotations.put(ANNOTATION_LEASE_HOLDER, request.holder());
    }
    return annotations;
  }

  /**
   * The Job for {@code request} built whole with fabric8's builders, then customized: what {@link
   * #create} gives, sharing nothing with other Jobs.
   */
  Job build(LaunchRequest request, String name, int attempt) {
    String namespace = options.namespace();
    Map<String, String> labels = labels(request);
    Map<String, String> podLabels = new LinkedHashMap<>(labels);
    if (options.workloadIdentityApplies()) {
      podLabels.put(KubernetesShellOptions.AZURE_WORKLOAD_IDENTITY_LABEL, "true");
    }
    Map<String, String> annotations = annotations(request, attempt);

    PodSpecBuilder pod = PodSpecs.podSpec(options.pod(), CONTAINER, List.of(), request.remoteMainArgs(),
        env(request, namespace, name)).withRestartPolicy("Never");

    JobSpecBuilder spec = new JobSpecBuilder()
        .withCompletions(1)
        .withParallelism(1)
        .withBackoffLimit(options.backoffLimit())
        // A replacement pod starts only once the failed one has fully terminated, so one call never
        // runs twice at once (the server forces this with a podFailurePolicy; set it for every Job).
        .withPodReplacementPolicy(POD_REPLACEMENT_POLICY);
    return finish(spec, podLabels, pod, podFailurePolicy(), name, labels, annotations);
  }

  /** The name of the batch Job running the members of {@code manifestUri}: prefix + 10 hex digits of its hash + {@code -b}. */
  static String batchName(LaunchRequest first, String manifestUri) {
    return KubernetesNames.jobName(first.function(), KubernetesNames.sha256Hex(manifestUri), "-b");
  }

  /**
   * The Indexed Job running {@code members} (index = position in the manifest at {@code
   * manifestUri}), named {@code name}: each pod runs {@code RemoteMain batch <manifest uri>} and
   * picks its call by {@code JOB_COMPLETION_INDEX}. Per-index backoff ({@code
   * backoffLimitPerIndex} = the options' backoffLimit, {@code maxFailedIndexes} = every index), so
   * one failing call never fails its neighbours; the pod failure policy fails only the index on
   * exit code 42 (the function threw) or 75 (the call was cancelled or taken over), and ignores
   * disruptions. Needs a server that serves per-index backoff (1.33+).
   */
  Job createBatch(List<LaunchRequest> members, String manifestUri, String name) {
    LaunchRequest first = members.getFirst();
    String namespace = options.namespace();
    int n = members.size();
    Map<String, String> labels = new LinkedHashMap<>(options.pod().labels());
    labels.put(MANAGED_BY, MANAGER);
    labels.put(LABEL_FUNCTION, KubernetesNames.labelValue(first.function().name()));
    labels.put(LABEL_VERSION, KubernetesNames.labelValue(first.function().version()));
    labels.put(LABEL_BATCH, KubernetesNames.sha256Hex(manifestUri).substring(0, KubernetesNames.LABEL_HASH_DIGITS));
    Map<String, String> podLabels = new LinkedHashMap<>(labels);
    if (options.workloadIdentityApplies()) {
      podLabels.put(KubernetesShellOptions.AZURE_WORKLOAD_IDENTITY_LABEL, "true");
    }
    Map<String, String> annotations = new LinkedHashMap<>(options.pod().annotations());
    annotations.put(ANNOTATION_BATCH_MANIFEST, manifestUri);
    annotations.put(ANNOTATION_FUNCTION, first.function().toString());
    annotations.put(ANNOTATION_BATCH_SIZE, Integer.toString(n));

    environmentProblem(first).ifPresent(p -> {
      throw new IllegalArgumentException(p);
    });
    Map<String, String> plain = new LinkedHashMap<>(first.environment());
    plain.putAll(options.pod().env());
    plain.put("PUREREMOTE_FUNCTION", first.function().name());
    plain.put("PUREREMOTE_FUNCTION_VERSION", first.function().version());
    plain.put("PUREREMOTE_BATCH_MANIFEST", manifestUri);
    plain.put("PUREREMOTE_K8S_NAMESPACE", namespace);
    plain.put("PUREREMOTE_K8S_JOB_NAME", name);
    PodSpecBuilder pod = PodSpecs.podSpec(options.pod(), CONTAINER, List.of(),
        io.pureremote.spi.Shell.LaunchGroup.remoteMainArgs(manifestUri), PodSpecs.env(options.pod(), plain))
        .withRestartPolicy("Never");

    int parallelism = options.batchParallelism() == 0 ? n : Math.min(n, options.batchParallelism());
    JobSpecBuilder spec = new JobSpecBuilder()
        .withCompletionMode("Indexed")
        .withCompletions(n)
        .withParallelism(parallelism)
        .withBackoffLimitPerIndex(options.backoffLimit())
        .withMaxFailedIndexes(n)
        .withPodReplacementPolicy(POD_REPLACEMENT_POLICY);
    return finish(spec, podLabels, pod, batchPodFailurePolicy(), name, labels, annotations);
  }

  /**
   * What every Job of this shell shares, whether it runs one call or a batch: the TTL, the pod
   * template (its labels and annotations), the active deadline, the pod failure policy when
   * enabled, and the Kueue labels, which Kueue reads from the Job (not its pods) to suspend and
   * admit it.
   */
  private Job finish(JobSpecBuilder spec, Map<String, String> podLabels, PodSpecBuilder pod,
      PodFailurePolicy failurePolicy, String name,
      Map<String, String> labels, Map<String, String> annotations) {
    spec.withTtlSecondsAfterFinished((int) options.ttlAfterFinished().getSeconds())
        .withNewTemplate()
          .withNewMetadata().withLabels(podLabels).endMetadata()
          .withSpec(pod.build())
        .endTemplate();
    if (!options.pod().annotations().isEmpty()) {
      spec.editTemplate().editMetadata().withAnnotations(new LinkedHashMap<>(options.pod().annotations())).endMetadata().endTemplate();
    }
    options.activeDeadline().ifPresent(d -> spec.withActiveDeadlineSeconds(d.getSeconds()));
    if (options.podFailurePolicy()) {
      spec.withPodFailurePolicy(failurePolicy);
    }
    Job job = new JobBuilder()
        .withNewMetadata()
          .withName(name)
          .withNamespace(options.namespace())
          .withLabels(jobLabels(labels))
          .withAnnotations(annotations)
        .endMetadata()
        .withSpec(spec.build())
        .build();
    return customize(job, name, labels);
  }

  /** The Job's labels: the shell's and the user's, then Kueue's queue and priority class when set. */
  private Map<String, String> jobLabels(Map<String, String> labels) {
    Map<String, String> jobLabels = new LinkedHashMap<>(labels);
    options.queueName().ifPresent(q -> jobLabels.put(KubernetesShellOptions.KUEUE_QUEUE_LABEL, q));
    options.workloadPriorityClass().ifPresent(c -> jobLabels.put(KubernetesShellOptions.KUEUE_PRIORITY_LABEL, c));
    return jobLabels;
  }

  /** A batch's pod failure policy: an index fails at once when its call threw or is not its own; disruptions are ignored. */
  static PodFailurePolicy batchPodFailurePolicy() {
    return new PodFailurePolicyBuilder()
        .addNewRule()
          .withAction("FailIndex")
          .withNewOnExitCodes().withContainerName(CONTAINER).withOperator("In")
            .withValues(Outcome.EXIT_FUNCTION_FAILED, Outcome.EXIT_LEASE_LOST).endOnExitCodes()
        .endRule()
        .addNewRule()
          .withAction("Ignore")
          .addNewOnPodCondition().withType("DisruptionTarget").withStatus("True").endOnPodCondition()
        .endRule()
        .build();
  }

  /** The shell's labels plus the user's: managed-by, function, version, memo hash. */
  Map<String, String> labels(LaunchRequest request) {
    return PodSpecs.callLabels(options.pod(), request);
  }

  static PodFailurePolicy podFailurePolicy() {
    return new PodFailurePolicyBuilder()
        // The function threw and RemoteMain stored its error: running it again gives the same error.
        .addNewRule()
          .withAction("FailJob")
          .withNewOnExitCodes().withContainerName(CONTAINER).withOperator("In").withValues(Outcome.EXIT_FUNCTION_FAILED).endOnExitCodes()
        .endRule()
        // Evictions and preemptions are not the function's fault: do not count them against backoffLimit.
        .addNewRule()
          .withAction("Ignore")
          .addNewOnPodCondition().withType("DisruptionTarget").withStatus("True").endOnPodCondition()
        .endRule()
        .build();
  }

  /**
   * Why the runtime's environment for {@code request} cannot go into a Job as plain values, or
   * empty: the same check as the shell's own {@code env(...)}, so {@code
   * RemoteRuntime.Builder.remoteEnvironment} is no way around it.
   */
  static Optional<String> environmentProblem(LaunchRequest request) {
    return PodSpecs.environmentProblem(request, "KubernetesShellOptions");
  }

  private List<EnvVar> env(LaunchRequest request, String namespace, String jobName) {
    return PodSpecs.env(options.pod(), plainEnv(request, namespace, jobName));
  }

  private Map<String, String> plainEnv(LaunchRequest request, String namespace, String jobName) {
    // Order matters for duplicates: the last definition wins in Kubernetes, so the runtime's
    // variables come first, the user's may override them (e.g. an in-cluster store endpoint),
    // and the call identity comes last.
    environmentProblem(request).ifPresent(p -> {
      throw new IllegalArgumentException(p);
    });
    Map<String, String> plain = new LinkedHashMap<>(request.environment());
    plain.putAll(options.pod().env());
    plain.put("PUREREMOTE_FUNCTION", request.function().name());
    plain.put("PUREREMOTE_FUNCTION_VERSION", request.function().version());
    plain.put("PUREREMOTE_ARGS_HASH", request.argsHash());
    plain.put("PUREREMOTE_MEMO_URI", request.memoUri());
    plain.put("PUREREMOTE_K8S_NAMESPACE", namespace);
    plain.put("PUREREMOTE_K8S_JOB_NAME", jobName);
    return plain;
  }

  private Job customize(Job job, String name, Map<String, String> labels) {
    Job customized = options.customizer().apply(job);
    if (customized == null) {
      throw new IllegalStateException("The Job customizer returned null; return the (modified) Job it was given");
    }
    var meta = customized.getMetadata();
    List<String> broken = new ArrayList<>();
    if (meta == null || !name.equals(meta.getName())) {
      broken.add("its name (expected " + name + ")");
    }
    if (meta == null || !options.namespace().equals(meta.getNamespace())) {
      broken.add("its namespace (expected " + options.namespace() + ")");
    }
    if (meta == null || meta.getLabels() == null || !meta.getLabels().entrySet().containsAll(labels.entrySet())) {
      broken.add("the shell's labels " + labels.keySet());
    }
    var template = customized.getSpec() == null || customized.getSpec().getTemplate() == null
        ? null : customized.getSpec().getTemplate();
    boolean hasContainer = template != null && template.getSpec() != null && template.getSpec().getContainers() != null
        && template.getSpec().getContainers().stream().anyMatch(c -> CONTAINER.equals(c.getName()));
    if (!hasContainer) {
      broken.add("container '" + CONTAINER + "'");
    }
    if (!broken.isEmpty()) {
      throw new IllegalStateException("The Job customizer changed or removed " + String.join(", ", broken)
          + "; the shell tracks Jobs by them. Change other fields only.");
    }
    return customized;
  }
}
