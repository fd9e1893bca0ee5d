package io.pureremote.config;

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

  /** Default of {@link #imagePullPolicy()}: a re-pushed tag never runs stale code from a node's cache. */
  public static final String DEFAULT_IMAGE_PULL_POLICY = "Always";
  /** Default of {@link #ttlAfterFinished()}. */
  public static final Duration DEFAULT_TTL_AFTER_FINISHED = Duration.ofHours(1);
  /** Default of {@link #backoffLimit()}: a pure function that failed fails again. */
  public static final int DEFAULT_BACKOFF_LIMIT = 0;
  /** Default of {@link #pendingTimeout()}: time for a cluster autoscaler to add a node. */
  public static final Duration DEFAULT_PENDING_TIMEOUT = Duration.ofMinutes(10);
  /** Default of {@link #imagePullBound()}. */
  public static final Duration DEFAULT_IMAGE_PULL_BOUND = Duration.ofMinutes(2);
  /** Default of {@link #maxEvictionRetries()}. */
  public static final int DEFAULT_MAX_EVICTION_RETRIES = 3;
  /** Default of {@link #launchConcurrency()}. */
  public static final int DEFAULT_LAUNCH_CONCURRENCY = 20;
  /** Default of {@link #batchSize()}. */
  public static final int DEFAULT_BATCH_SIZE = 100;
  /** The largest {@link #batchSize()} (the shell's limit). */
  public static final int MAX_BATCH_SIZE = 10_000;

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
        .put("image-pull-bound", imagePullBound)
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

  static final Set<String> PULL_POLICIES = Set.of("Always", "IfNotPresent", "Never");

  /** Validates every value and copies collections; throws one exception listing every problem. */
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

    List<String> problems = new ArrayList<>();
    KubernetesValues.namespaceProblem(namespace).ifPresent(p -> problems.add("namespace: " + p));
    registry.flatMap(KubernetesValues::registryProblem).ifPresent(p -> problems.add("registry: " + p));
    image.flatMap(KubernetesValues::imageProblem).ifPresent(p -> problems.add("image: " + p));
    if (!PULL_POLICIES.contains(imagePullPolicy)) {
      problems.add("image-pull-policy: expected Always, IfNotPresent or Never, got '" + imagePullPolicy + "'");
    }
    serviceAccount.flatMap(KubernetesValues::serviceAccountProblem).ifPresent(p -> problems.add("service-account: " + p));
    if (ttlAfterFinished.isNegative()) {
      problems.add("ttl-after-finished: must be >= 0, got " + ttlAfterFinished);
    }
    if (backoffLimit < 0) {
      problems.add("backoff-limit: must be >= 0, got " + backoffLimit);
    }
    activeDeadline.filter(d -> d.getSeconds() < 1)
        .ifPresent(d -> problems.add("active-deadline: must be at least 1s, got " + d));
    if (!isPositive(pendingTimeout)) {
      problems.add("pending-timeout: must be > 0, got " + pendingTimeout);
    }
    if (!isPositive(imagePullBound)) {
      problems.add("image-pull-bound: must be > 0, got " + imagePullBound);
    }
    if (maxEvictionRetries < 0) {
      problems.add("max-eviction-retries: must be >= 0, got " + maxEvictionRetries);
    }
    if (!(logSampleFraction >= 0 && logSampleFraction <= 1)) {
      problems.add("log-sample-fraction: must be between 0 and 1, got " + logSampleFraction);
    }
    if (launchConcurrency < 1) {
      problems.add("launch-concurrency: must be >= 1, got " + launchConcurrency);
    }
    workloadIdentityNamespaces.forEach(ns -> KubernetesValues.namespaceProblem(ns)
        .ifPresent(p -> problems.add("workload-identity.namespaces: " + p)));
    workloadIdentityClientId.flatMap(KubernetesValues::azureClientIdProblem)
        .ifPresent(p -> problems.add("workload-identity.client-id: " + p));
    queueProblems(queue, queuePriority, problems);
    if (batchSize < 1 || batchSize > MAX_BATCH_SIZE) {
      problems.add("batch-size: must be between 1 and " + MAX_BATCH_SIZE + ", got " + batchSize);
    }
    if (!problems.isEmpty()) {
      throw new IllegalArgumentException("Invalid kubernetes settings: " + String.join("; ", problems));
    }
  }

  /** The Kueue names, checked as the shell checks them (one rule, {@link KubernetesValues#kueueNameProblem}). */
  static void queueProblems(Optional<String> queue, Optional<String> priority, List<String> problems) {
    queue.flatMap(q -> KubernetesValues.kueueNameProblem(q, "LocalQueue", "kueue.x-k8s.io/queue-name"))
        .ifPresent(p -> problems.add("queue: " + p));
    priority.flatMap(c -> KubernetesValues.kueueNameProblem(c, "WorkloadPriorityClass", "kueue.x-k8s.io/priority-class"))
        .ifPresent(p -> problems.add("queue-priority: " + p));
  }

  private static boolean isPositive(Duration d) {
    return !d.isNegative() && !d.isZero();
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
    private String imagePullPolicy = DEFAULT_IMAGE_PULL_POLICY;
    private String serviceAccount;
    private Resources resources = Resources.NONE;
    private List<TolerationConfig> tolerations = List.of();
    private Duration ttlAfterFinished = DEFAULT_TTL_AFTER_FINISHED;
    private int backoffLimit = DEFAULT_BACKOFF_LIMIT;
    private Duration activeDeadline;
    private Duration pendingTimeout = DEFAULT_PENDING_TIMEOUT;
    private Duration imagePullBound = DEFAULT_IMAGE_PULL_BOUND;
    private int maxEvictionRetries = DEFAULT_MAX_EVICTION_RETRIES;
    private boolean logStreaming = true;
    private double logSampleFraction = 1.0;
    private int launchConcurrency = DEFAULT_LAUNCH_CONCURRENCY;
    private boolean workloadIdentity;
    private Set<String> workloadIdentityNamespaces = Set.of();
    private String workloadIdentityClientId;
    private String queue;
    private String queuePriority;
    private boolean batching = true;
    private int batchSize = DEFAULT_BATCH_SIZE;

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

    /** {@code Always}, {@code IfNotPresent} or {@code Never}. Defaults to {@value KubernetesConfig#DEFAULT_IMAGE_PULL_POLICY}. */
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

    /** How long finished Jobs are kept. Defaults to 1 hour. */
    public Builder ttlAfterFinished(Duration ttlAfterFinished) {
      this.ttlAfterFinished = ttlAfterFinished;
      return this;
    }

    /** Pod retries by the Job controller. Defaults to {@value KubernetesConfig#DEFAULT_BACKOFF_LIMIT}. */
    public Builder backoffLimit(int backoffLimit) {
      this.backoffLimit = backoffLimit;
      return this;
    }

    /** Longest run of a Job; {@code null} for none. Defaults to none. */
    public Builder activeDeadline(Duration activeDeadline) {
      this.activeDeadline = activeDeadline;
      return this;
    }

    /** How long a pod may stay unschedulable. Defaults to 10 minutes. */
    public Builder pendingTimeout(Duration pendingTimeout) {
      this.pendingTimeout = pendingTimeout;
      return this;
    }

    /** How long an image pull may keep failing. Defaults to 2 minutes. */
    public Builder imagePullBound(Duration imagePullBound) {
      this.imagePullBound = imagePullBound;
      return this;
    }

    /** Evictions one call survives. Defaults to {@value KubernetesConfig#DEFAULT_MAX_EVICTION_RETRIES}. */
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

    /** Job creations in flight at once. Defaults to {@value KubernetesConfig#DEFAULT_LAUNCH_CONCURRENCY}. */
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

    /** The most calls in one batch Job. Defaults to {@value KubernetesConfig#DEFAULT_BATCH_SIZE}. */
    public Builder batchSize(int batchSize) {
      this.batchSize = batchSize;
      return this;
    }

    /** Builds and validates. */
    public KubernetesConfig build() {
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
