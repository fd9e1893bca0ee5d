package io.pureremote.config;

import io.pureremote.k8s.values.KubernetesSettings;
import io.pureremote.k8s.values.KubernetesValues;
import io.pureremote.spi.Shell;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;
import java.util.Set;

/**
 * Effective settings of the {@code kubernetes} shell: {@code [kubernetes]} with the selected team's
 * values laid over it, then the environment. Immutable; build with {@link #builder()}. The
 * orchestrator turns it into the Kubernetes shell's options.
 *
 * @param namespace where Jobs are created; a DNS-1123 label
 * @param kubeContext the kubeconfig context to connect with; empty means the current context (or
 *     the in-cluster service account)
 * @param cloud the cluster's cloud, which decides what toleration {@code spot} means
 * @param registry registry that unqualified images are prefixed with
 * @param image the application image whose entrypoint runs {@code io.pureremote.RemoteMain}
 * @param imagePullPolicy {@code Always}, {@code IfNotPresent} or {@code Never}
 * @param serviceAccount the pods' service account; empty means the namespace's default
 * @param resources container requests and limits
 * @param tolerations pod tolerations
 * @param ttlAfterFinished how long finished Jobs are kept
 * @param backoffLimit pod retries by the Job controller
 * @param activeDeadline longest run of a Job; empty for none
 * @param pendingTimeout how long a pod may stay unschedulable before the call fails
 * @param imagePullBound how long an image pull may keep failing before the call fails
 * @param maxEvictionRetries how many evictions (spot reclaims, drains) one call survives
 * @param logStreaming whether pod logs follow to the caller's log
 * @param logSampleFraction the fraction of calls whose logs are followed, in [0, 1]
 * @param launchConcurrency how many Job creations may be in flight at once
 * @param workloadIdentity whether pods use Azure workload identity in {@link #namespace()} even
 *     when it is not in {@link #workloadIdentityNamespaces()} (set by a team)
 * @param workloadIdentityNamespaces namespaces where pods use Azure workload identity: they get
 *     the label {@code azure.workload.identity/use: "true"} and need a service account
 * @param workloadIdentityClientId the Azure managed identity's client id, given to pods as {@code
 *     AZURE_CLIENT_ID} where workload identity applies
 * @param queue the Kueue LocalQueue the Jobs are labelled for ({@code kueue.x-k8s.io/queue-name})
 * @param queuePriority the Kueue WorkloadPriorityClass of the Jobs ({@code kueue.x-k8s.io/priority-class})
 * @param batching whether misses of one function launched together run as one Indexed Job per batch
 * @param batchSize the most calls in one batch Job
 */
public record KubernetesConfig(
    String namespace,
    Optional<String> kubeContext,
    Optional<Cloud> cloud,
    Optional<String> registry,
    Optional<String> image,
    String imagePullPolicy,
    Optional<String> serviceAccount,
    Resources resources,
    List<TolerationConfig> tolerations,
    Duration ttlAfterFinished,
    int backoffLimit,
    Optional<Duration> activeDeadline,
    Duration pendingTimeout,
    Duration imagePullBound,
    int maxEvictionRetries,
    boolean logStreaming,
    double logSampleFraction,
    int launchConcurrency,
    boolean workloadIdentity,
    Set<String> workloadIdentityNamespaces,
    Optional<String> workloadIdentityClientId,
    Optional<String> queue,
    Optional<String> queuePriority,
    boolean batching,
    int batchSize) {

  /**
   * These settings as the {@code kubernetes} shell provider receives them: keyed by their names in
   * {@code [kubernetes]}, absent values left out, tolerations as tables ({@code {spot = "aks"}} or
   * a taint's {@code key}, {@code operator}, {@code value}, {@code effect}).
   *
   * @param source where they come from, for the provider's error messages
   */
  Shell.Settings toShellSettings(String source) {
    Shell.Settings.Builder b = Shell.Settings.builder(source)
        .put("namespace", namespace)
        .put("kube-context", kubeContext.orElse(null))
        .put("cloud", cloud.map(Cloud::id).orElse(null))
        .put("registry", registry.orElse(null))
        .put("image", image.orElse(null))
        .put("image-pull-policy", imagePullPolicy)
        .put("service-account", serviceAccount.orElse(null))
        .put("resources.cpu", resources.cpu().orElse(null))
        .put("resources.cpu-limit", resources.cpuLimit().orElse(null))
        .put("resources.memory", resources.memory().orElse(null))
        .put("resources.memory-limit", resources.memoryLimit().orElse(null))
        .put("resources.ephemeral-storage", resources.ephemeralStorage().orElse(null))
        .put("resources.gpus", resources.gpus().isPresent() ? resources.gpus().getAsInt() : null)
        .put("ttl-after-finished", ttlAfterFinished)
        .put("backoff-limit", backoffLimit)
        .put("active-deadline", activeDeadline.orElse(null))
        .put("pending-timeout", pendingTimeout)
        .put("image-pull-timeout", imagePullBound)
        .put("max-eviction-retries", maxEvictionRetries)
        .put("log-streaming", logStreaming)
        .put("log-sample-fraction", logSampleFraction)
        .put("launch-concurrency", launchConcurrency)
        .put("workload-identity", workloadIdentity)
        .put("workload-identity.namespaces", List.copyOf(workloadIdentityNamespaces))
        .put("workload-identity.client-id", workloadIdentityClientId.orElse(null))
        .put("queue", queue.orElse(null))
        .put("queue-priority", queuePriority.orElse(null))
        .put("batching", batching)
        .put("batch-size", batchSize);
    if (!tolerations.isEmpty()) {
      b.put("tolerations", tolerations.stream().map(KubernetesConfig::table).toList());
    }
    return b.build();
  }

  private static Map<String, String> table(TolerationConfig t) {
    Map<String, String> m = new LinkedHashMap<>();
    switch (t) {
      case TolerationConfig.Spot spot -> m.put("spot", spot.cloud().id());
      case TolerationConfig.Taint taint -> {
        m.put("key", taint.key());
        m.put("operator", taint.operator());
        m.put("value", taint.value());
        m.put("effect", taint.effect());
      }
    }
    return m;
  }

  /**
   * Copies collections and checks for nulls. The values themselves are checked once, where they
   * enter: by {@link Builder#build()} for code, and by the reader for a file, the environment and
   * overrides (each with its key and line); the rules are {@link KubernetesSettings}' and {@link
   * KubernetesValues}', the ones the shell applies to what it receives.
   */
  public KubernetesConfig {
    Objects.requireNonNull(namespace, "namespace");
    Objects.requireNonNull(kubeContext, "kubeContext");
    Objects.requireNonNull(cloud, "cloud");
    Objects.requireNonNull(registry, "registry");
    Objects.requireNonNull(image, "image");
    Objects.requireNonNull(imagePullPolicy, "imagePullPolicy");
    Objects.requireNonNull(serviceAccount, "serviceAccount");
    Objects.requireNonNull(resources, "resources");
    tolerations = List.copyOf(tolerations);
    Objects.requireNonNull(ttlAfterFinished, "ttlAfterFinished");
    Objects.requireNonNull(activeDeadline, "activeDeadline");
    Objects.requireNonNull(pendingTimeout, "pendingTimeout");
    Objects.requireNonNull(imagePullBound, "imagePullBound");
    workloadIdentityNamespaces = Collections.unmodifiableSet(new LinkedHashSet<>(workloadIdentityNamespaces));
    Objects.requireNonNull(workloadIdentityClientId, "workloadIdentityClientId");
    Objects.requireNonNull(queue, "queue");
    Objects.requireNonNull(queuePriority, "queuePriority");
  }

  /** Every problem of these values, each named by its key in {@code [kubernetes]}. */
  private List<String> problems() {
    List<String> problems = new ArrayList<>(KubernetesSettings.jobProblems(key -> key + ":", namespace, ttlAfterFinished,
        backoffLimit, activeDeadline, pendingTimeout, imagePullBound, maxEvictionRetries, logSampleFraction,
        launchConcurrency, workloadIdentityNamespaces, queue, queuePriority, batchSize));
    registry.flatMap(KubernetesValues::registryProblem).ifPresent(p -> problems.add("registry: " + p));
    image.flatMap(KubernetesValues::imageProblem).ifPresent(p -> problems.add("image: " + p));
    KubernetesSettings.imagePullPolicyProblem(imagePullPolicy).ifPresent(p -> problems.add("image-pull-policy: " + p));
    serviceAccount.flatMap(KubernetesValues::serviceAccountProblem).ifPresent(p -> problems.add("service-account: " + p));
    workloadIdentityClientId.flatMap(KubernetesValues::azureClientIdProblem)
        .ifPresent(p -> problems.add("workload-identity.client-id: " + p));
    return problems;
  }

  /** Whether pods use Azure workload identity: forced by the team, or the namespace is listed. */
  public boolean workloadIdentityApplies() {
    return workloadIdentity || workloadIdentityNamespaces.contains(namespace);
  }

  /** A builder with the built-in defaults; the namespace defaults to the user name as a DNS-1123 label. */
  public static Builder builder() {
    return new Builder();
  }

  /** A builder starting from these values. */
  public Builder toBuilder() {
    Builder b = new Builder();
    b.namespace = namespace;
    b.kubeContext = kubeContext.orElse(null);
    b.cloud = cloud.orElse(null);
    b.registry = registry.orElse(null);
    b.image = image.orElse(null);
    b.imagePullPolicy = imagePullPolicy;
    b.serviceAccount = serviceAccount.orElse(null);
    b.resources = resources;
    b.tolerations = tolerations;
    b.ttlAfterFinished = ttlAfterFinished;
    b.backoffLimit = backoffLimit;
    b.activeDeadline = activeDeadline.orElse(null);
    b.pendingTimeout = pendingTimeout;
    b.imagePullBound = imagePullBound;
    b.maxEvictionRetries = maxEvictionRetries;
    b.logStreaming = logStreaming;
    b.logSampleFraction = logSampleFraction;
    b.launchConcurrency = launchConcurrency;
    b.workloadIdentity = workloadIdentity;
    b.workloadIdentityNamespaces = workloadIdentityNamespaces;
    b.workloadIdentityClientId = workloadIdentityClientId.orElse(null);
    b.queue = queue.orElse(null);
    b.queuePriority = queuePriority.orElse(null);
    b.batching = batching;
    b.batchSize = batchSize;
    return b;
  }

  /** Builder for {@link KubernetesConfig}; not thread-safe. Optional values take {@code null} to unset. */
  public static final class Builder {
    private String namespace = KubernetesValues.namespaceFor(System.getProperty("user.name", ""));
    private String kubeContext;
    private Cloud cloud;
    private String registry;
    private String image;
    private String imagePullPolicy = KubernetesSettings.IMAGE_PULL_POLICY;
    private String serviceAccount;
    private Resources resources = Resources.NONE;
    private List<TolerationConfig> tolerations = List.of();
    private Duration ttlAfterFinished = KubernetesSettings.TTL_AFTER_FINISHED;
    private int backoffLimit = KubernetesSettings.BACKOFF_LIMIT;
    private Duration activeDeadline;
    private Duration pendingTimeout = KubernetesSettings.PENDING_TIMEOUT;
    private Duration imagePullBound = KubernetesSettings.IMAGE_PULL_TIMEOUT;
    private int maxEvictionRetries = KubernetesSettings.MAX_EVICTION_RETRIES;
    private boolean logStreaming = KubernetesSettings.LOG_STREAMING;
    private double logSampleFraction = KubernetesSettings.LOG_SAMPLE_FRACTION;
    private int launchConcurrency = KubernetesSettings.LAUNCH_CONCURRENCY;
    private boolean workloadIdentity;
    private Set<String> workloadIdentityNamespaces = Set.of();
    private String workloadIdentityClientId;
    private String queue;
    private String queuePriority;
    private boolean batching = KubernetesSettings.BATCHING;
    private int batchSize = KubernetesSettings.BATCH_SIZE;

    private Builder() {}

    /** The namespace. Defaults to the user name as a DNS-1123 label ({@code Yu_Zhang} → {@code yu-zhang}). */
    public Builder namespace(String namespace) {
      this.namespace = namespace;
      return this;
    }

    /** The kubeconfig context. Defaults to unset (the current context). */
    public Builder kubeContext(String kubeContext) {
      this.kubeContext = kubeContext;
      return this;
    }

    /** The cluster's cloud. Defaults to unset (toleration {@code spot} is then an error). */
    public Builder cloud(Cloud cloud) {
      this.cloud = cloud;
      return this;
    }

    /** The image registry. Defaults to unset. */
    public Builder registry(String registry) {
      this.registry = registry;
      return this;
    }

    /** The application image. Defaults to unset; the kubernetes shell requires one. */
    public Builder image(String image) {
      this.image = image;
      return this;
    }

    /** {@code Always}, {@code IfNotPresent} or {@code Never}. Defaults to {@value KubernetesSettings#IMAGE_PULL_POLICY}. */
    public Builder imagePullPolicy(String imagePullPolicy) {
      this.imagePullPolicy = imagePullPolicy;
      return this;
    }

    /** The pods' service account. Defaults to unset (the namespace's default). */
    public Builder serviceAccount(String serviceAccount) {
      this.serviceAccount = serviceAccount;
      return this;
    }

    /** Container resources. Defaults to {@link Resources#NONE}. */
    public Builder resources(Resources resources) {
      this.resources = Objects.requireNonNull(resources, "resources");
      return this;
    }

    /** Pod tolerations; replaces the list. Defaults to none. */
    public Builder tolerations(List<TolerationConfig> tolerations) {
      this.tolerations = List.copyOf(tolerations);
      return this;
    }

    /** How long finished Jobs are kept. Defaults to {@link KubernetesSettings#TTL_AFTER_FINISHED}. */
    public Builder ttlAfterFinished(Duration ttlAfterFinished) {
      this.ttlAfterFinished = ttlAfterFinished;
      return this;
    }

    /** Pod retries by the Job controller. Defaults to {@value KubernetesSettings#BACKOFF_LIMIT}. */
    public Builder backoffLimit(int backoffLimit) {
      this.backoffLimit = backoffLimit;
      return this;
    }

    /** Longest run of a Job; {@code null} for none. Defaults to none. */
    public Builder activeDeadline(Duration activeDeadline) {
      this.activeDeadline = activeDeadline;
      return this;
    }

    /** How long a pod may stay unschedulable. Defaults to {@link KubernetesSettings#PENDING_TIMEOUT}. */
    public Builder pendingTimeout(Duration pendingTimeout) {
      this.pendingTimeout = pendingTimeout;
      return this;
    }

    /** How long an image pull may keep failing. Defaults to {@link KubernetesSettings#IMAGE_PULL_TIMEOUT}. */
    public Builder imagePullBound(Duration imagePullBound) {
      this.imagePullBound = imagePullBound;
      return this;
    }

    /** Evictions one call survives. Defaults to {@value KubernetesSettings#MAX_EVICTION_RETRIES}. */
    public Builder maxEvictionRetries(int maxEvictionRetries) {
      this.maxEvictionRetries = maxEvictionRetries;
      return this;
    }

    /** Whether pod logs follow to the caller's log. Defaults to true. */
    public Builder logStreaming(boolean logStreaming) {
      this.logStreaming = logStreaming;
      return this;
    }

    /** The fraction of calls whose logs are followed. Defaults to 1.0. */
    public Builder logSampleFraction(double logSampleFraction) {
      this.logSampleFraction = logSampleFraction;
      return this;
    }

    /** Job creations in flight at once. Defaults to {@value KubernetesSettings#LAUNCH_CONCURRENCY}. */
    public Builder launchConcurrency(int launchConcurrency) {
      this.launchConcurrency = launchConcurrency;
      return this;
    }

    /** Workload identity in this namespace whatever the list says. Defaults to false. */
    public Builder workloadIdentity(boolean workloadIdentity) {
      this.workloadIdentity = workloadIdentity;
      return this;
    }

    /** Namespaces where workload identity applies; replaces the set. Defaults to none. */
    public Builder workloadIdentityNamespaces(Set<String> namespaces) {
      this.workloadIdentityNamespaces = new LinkedHashSet<>(namespaces);
      return this;
    }

    /** The Azure managed identity's client id. Defaults to unset. */
    public Builder workloadIdentityClientId(String clientId) {
      this.workloadIdentityClientId = clientId;
      return this;
    }

    /** The Kueue LocalQueue of the Jobs. Defaults to none (no Kueue label). */
    public Builder queue(String queue) {
      this.queue = queue;
      return this;
    }

    /** The Kueue WorkloadPriorityClass of the Jobs. Defaults to none. */
    public Builder queuePriority(String queuePriority) {
      this.queuePriority = queuePriority;
      return this;
    }

    /** Whether misses of one function launched together run as one batch Job. Defaults to true. */
    public Builder batching(boolean batching) {
      this.batching = batching;
      return this;
    }

    /** The most calls in one batch Job. Defaults to {@value KubernetesSettings#BATCH_SIZE}. */
    public Builder batchSize(int batchSize) {
      this.batchSize = batchSize;
      return this;
    }

    /**
     * Builds and checks every value.
     *
     * @throws IllegalArgumentException listing every problem, each named by its key
     */
    public KubernetesConfig build() {
      KubernetesConfig k = buildRead();
      List<String> problems = k.problems();
      if (!problems.isEmpty()) {
        throw new IllegalArgumentException("Invalid kubernetes settings: " + String.join("; ", problems));
      }
      return k;
    }

    /** Builds from values the reader has checked already, each with its key and line. */
    KubernetesConfig buildRead() {
      return new KubernetesConfig(namespace, Optional.ofNullable(kubeContext), Optional.ofNullable(cloud),
          Optional.ofNullable(registry), Optional.ofNullable(image), imagePullPolicy,
          Optional.ofNullable(serviceAccount), resources, tolerations, ttlAfterFinished, backoffLimit,
          Optional.ofNullable(activeDeadline), pendingTimeout, imagePullBound, maxEvictionRetries, logStreaming,
          logSampleFraction, launchConcurrency, workloadIdentity, workloadIdentityNamespaces,
          Optional.ofNullable(workloadIdentityClientId), Optional.ofNullable(queue), Optional.ofNullable(queuePriority),
          batching, batchSize);
    }
  }
}
