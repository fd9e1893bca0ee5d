package io.pureremote.k8s;

import io.fabric8.kubernetes.api.model.Toleration;
import io.fabric8.kubernetes.api.model.batch.v1.Job;
import io.pureremote.k8s.values.KubernetesSettings;
import io.pureremote.k8s.values.Ranges;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Collections;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;
import java.util.Set;
import java.util.function.Consumer;
import java.util.function.UnaryOperator;

/**
 * Settings of a {@link KubernetesShell}: where Jobs run, what their pod looks like ({@link
 * #pod()}, a {@link PodTemplateOptions}), and how the shell waits for them. Immutable and
 * thread-safe; build with {@link #builder()}. Every value is validated when built, and one
 * exception lists every problem found.
 *
 * <pre>{@code
 * KubernetesShellOptions options = KubernetesShellOptions.builder()
 *     .namespace("ml-team")
 *     .registry("myregistry.azurecr.io")
 *     .image("scoring/app:42")                        // → myregistry.azurecr.io/scoring/app:42
 *     .cpu("2", null).memory("8Gi")                   // request 2 cores, 8Gi request = limit
 *     .toleration(Tolerations.spotAks())
 *     .activeDeadline(Duration.ofHours(2))
 *     .serviceAccount("ml-runner").workloadIdentity(true)
 *     .build();
 * }</pre>
 *
 * <p>The pod setters of the {@link Builder} ({@code image}, {@code cpu}, {@code env}, ...) are
 * those of {@link PodTemplateOptions.Builder}, reached through {@link Builder#pod(Consumer)}; only
 * the Job's own settings live here.
 *
 * @param namespace where Jobs are created; a DNS-1123 label
 * @param kubeContext the kubeconfig context a shell built from configuration connects with; empty
 *     means the current context (or in-cluster config)
 * @param pod what the Job's pod looks like: image, resources, placement, identity, environment
 * @param ttlAfterFinished how long a finished Job is kept ({@code ttlSecondsAfterFinished})
 * @param backoffLimit pod retries by the Job controller ({@code backoffLimit})
 * @param activeDeadline longest run of the Job ({@code activeDeadlineSeconds}); empty for none
 * @param podFailurePolicy whether Jobs carry the pod failure policy: fail at once on the
 *     function-failed exit code 42, ignore disruptions
 * @param workloadIdentity whether pods use Azure workload identity in every namespace
 * @param workloadIdentityNamespaces namespaces in which pods use Azure workload identity
 * @param customizer applied last to every Job; must keep its name, namespace and labels
 * @param imagePullBound how long an image pull may keep failing before the call fails
 * @param pendingTimeout how long a pod may stay unschedulable before the call fails
 * @param maxEvictionRetries how many evictions/preemptions a call survives
 * @param launchConcurrency how many Job creations may be in flight at once
 * @param apiQps steady API request rate of this shell (requests per second)
 * @param apiBurst API requests that may go out at once before {@code apiQps} applies
 * @param apiRetries retries of one API request after 429, 5xx or connection errors
 * @param logStreaming whether pod logs follow to the caller's log
 * @param logSampleFraction the fraction of calls whose logs are followed, in [0, 1]
 * @param watchSilenceBound after this long without an event for a Job, the shell GETs it once
 * @param queueName the Kueue LocalQueue Jobs go to; empty for none
 * @param workloadPriorityClass Kueue's WorkloadPriorityClass for the Jobs; empty for none
 * @param batching whether misses of one function launched together run as one Indexed Job per
 *     batch (on servers that serve per-index backoff, 1.33+; else one Job per call)
 * @param batchSize the most calls in one batch Job ({@value #MAX_BATCH_SIZE} at most)
 * @param batchWindow a batch is launched once no miss of its function joined it for this long (at
 *     most 8 windows after its first miss)
 * @param batchParallelism the most pods of one batch Job running at once; 0: the whole batch
 */
public record KubernetesShellOptions(
    String namespace,
    Optional<String> kubeContext,
    PodTemplateOptions pod,
    Duration ttlAfterFinished,
    int backoffLimit,
    Optional<Duration> activeDeadline,
    boolean podFailurePolicy,
    boolean workloadIdentity,
    Set<String> workloadIdentityNamespaces,
    UnaryOperator<Job> customizer,
    Duration imagePullBound,
    Duration pendingTimeout,
    int maxEvictionRetries,
    int launchConcurrency,
    double apiQps,
    int apiBurst,
    int apiRetries,
    boolean logStreaming,
    double logSampleFraction,
    Duration watchSilenceBound,
    Optional<String> queueName,
    Optional<String> workloadPriorityClass,
    boolean batching,
    int batchSize,
    Duration batchWindow,
    int batchParallelism) {

  /** The largest batch: {@link KubernetesSettings#MAX_BATCH_SIZE}. */
  public static final int MAX_BATCH_SIZE = KubernetesSettings.MAX_BATCH_SIZE;

  /** The Job label that hands a Job to Kueue: {@link KubernetesSettings#KUEUE_QUEUE_LABEL}. */
  public static final String KUEUE_QUEUE_LABEL = KubernetesSettings.KUEUE_QUEUE_LABEL;

  /** The Job label naming Kueue's WorkloadPriorityClass for it: {@link KubernetesSettings#KUEUE_PRIORITY_LABEL}. */
  public static final String KUEUE_PRIORITY_LABEL = KubernetesSettings.KUEUE_PRIORITY_LABEL;

  /** The options' names of the settings whose TOML key does not camel-case to them. */
  private static final Map<String, String> NAMES = Map.of("queue", "queueName", "queue-priority", "workloadPriorityClass",
      "image-pull-timeout", "imagePullBound");

  /** The GPU resource name {@link Builder#gpus(int)} sets. */
  public static final String NVIDIA_GPU = PodTemplateOptions.NVIDIA_GPU;

  /** The pod label Azure workload identity's webhook looks for. */
  public static final String AZURE_WORKLOAD_IDENTITY_LABEL = "azure.workload.identity/use";

  /** Validates the Job's own values (the pod template is valid by construction); one exception lists all problems. */
  public KubernetesShellOptions {
    kubeContext = Objects.requireNonNull(kubeContext, "kubeContext").filter(s -> !s.isBlank());
    Objects.requireNonNull(pod, "pod");
    activeDeadline = Objects.requireNonNull(activeDeadline, "activeDeadline");
    workloadIdentityNamespaces = Collections.unmodifiableSet(new LinkedHashSet<>(workloadIdentityNamespaces));
    Objects.requireNonNull(customizer, "customizer");
    queueName = Objects.requireNonNull(queueName, "queueName").filter(s -> !s.isBlank());
    workloadPriorityClass = Objects.requireNonNull(workloadPriorityClass, "workloadPriorityClass").filter(s -> !s.isBlank());
    List<String> problems = problems(namespace, pod.serviceAccount(), ttlAfterFinished, backoffLimit, activeDeadline,
        workloadIdentity, workloadIdentityNamespaces, imagePullBound, pendingTimeout, watchSilenceBound, maxEvictionRetries,
        launchConcurrency, apiQps, apiBurst, apiRetries, logSampleFraction, queueName, workloadPriorityClass, batchSize,
        batchWindow, batchParallelism);
    if (!problems.isEmpty()) {
      throw invalid(problems);
    }
  }

  /** Whether misses are batched: on, with batches of more than one call. */
  public boolean batches() {
    return batching && batchSize > 1;
  }

  /** A builder with the defaults; {@link Builder#image(String)} is required. */
  public static Builder builder() {
    return new Builder();
  }

  /** A builder starting from these values. */
  public Builder toBuilder() {
    return new Builder(this);
  }

  /** Whether pods use Azure workload identity: enabled everywhere, or for this namespace. */
  public boolean workloadIdentityApplies() {
    return workloadIdentity || workloadIdentityNamespaces.contains(namespace);
  }

  private static IllegalArgumentException invalid(List<String> problems) {
    return new IllegalArgumentException("Invalid Kubernetes shell options:\n  - " + String.join("\n  - ", problems));
  }

  /**
   * Every problem of the Job's own values: the rules configuration shares ({@link
   * KubernetesSettings#jobProblems}, named here by property) and the shell's own.
   */
  private static List<String> problems(String namespace, Optional<String> serviceAccount, Duration ttlAfterFinished,
      int backoffLimit, Optional<Duration> activeDeadline, boolean workloadIdentity, Set<String> workloadIdentityNamespaces,
      Duration imagePullBound, Duration pendingTimeout, Duration watchSilenceBound, int maxEvictionRetries,
      int launchConcurrency, double apiQps, int apiBurst, int apiRetries, double logSampleFraction,
      Optional<String> queueName, Optional<String> workloadPriorityClass, int batchSize, Duration batchWindow,
      int batchParallelism) {
    List<String> problems = new ArrayList<>(KubernetesSettings.jobProblems(KubernetesShellOptions::propertyName, namespace,
        ttlAfterFinished, backoffLimit, activeDeadline, pendingTimeout, imagePullBound, maxEvictionRetries,
        logSampleFraction, launchConcurrency, workloadIdentityNamespaces, queueName, workloadPriorityClass, batchSize));
    if ((workloadIdentity || workloadIdentityNamespaces.contains(namespace)) && serviceAccount.isEmpty()) {
      problems.add("workload identity is enabled for namespace '" + namespace + "' but no serviceAccount is set: "
          + "Azure workload identity needs a service account annotated with azure.workload.identity/client-id");
    }
    add(problems, "watchSilenceBound", watchSilenceBound == null ? Optional.of("is required")
        : Ranges.positiveProblem(watchSilenceBound));
    add(problems, "apiQps", Ranges.positiveProblem(apiQps));
    add(problems, "apiBurst", Ranges.atLeastProblem(1, apiBurst));
    add(problems, "apiRetries", Ranges.atLeastProblem(0, apiRetries));
    if (batchWindow == null) {
      problems.add("batchWindow is required");
    } else {
      add(problems, "batchWindow", Ranges.positiveProblem(batchWindow)
          .or(() -> Ranges.atMostProblem(KubernetesSettings.MAX_BATCH_WINDOW, batchWindow)
              .map(p -> p + " (a call waits up to 8 windows for its batch)")));
    }
    add(problems, "batchParallelism", Ranges.atLeastProblem(0, batchParallelism).map(p -> p + " (0: the whole batch at once)"));
    return problems;
  }

  private static void add(List<String> problems, String name, Optional<String> problem) {
    problem.ifPresent(p -> problems.add(name + " " + p));
  }

  /** {@code ttl-after-finished} → {@code ttlAfterFinished}: a TOML key as the property of these options. */
  private static String propertyName(String key) {
    String known = NAMES.get(key);
    if (known != null) {
      return known;
    }
    StringBuilder b = new StringBuilder();
    boolean upper = false;
    for (char c : key.toCharArray()) {
      if (c == '-' || c == '.') {
        upper = true;
      } else {
        b.append(upper ? Character.toUpperCase(c) : c);
        upper = false;
      }
    }
    return b.toString();
  }

  /**
   * Builder for {@link KubernetesShellOptions}; not thread-safe. Unlike {@link
   * PodTemplateOptions.Builder}, whose setters throw, this one collects every problem and {@link
   * #build()} throws one exception that lists them all.
   */
  public static final class Builder {
    private final List<String> podProblems = new ArrayList<>();
    private PodTemplateOptions.Builder pod = PodTemplateOptions.builder();
    private String namespace = KubernetesNames.defaultNamespace();
    private String kubeContext;
    private Duration ttlAfterFinished = KubernetesSettings.TTL_AFTER_FINISHED;
    private int backoffLimit = KubernetesSettings.BACKOFF_LIMIT;
    private Duration activeDeadline;
    private boolean podFailurePolicy = true;
    private boolean workloadIdentity;
    private final Set<String> workloadIdentityNamespaces = new LinkedHashSet<>();
    private UnaryOperator<Job> customizer = UnaryOperator.identity();
    private Duration imagePullBound = KubernetesSettings.IMAGE_PULL_TIMEOUT;
    private Duration pendingTimeout = KubernetesSettings.PENDING_TIMEOUT;
    private int maxEvictionRetries = KubernetesSettings.MAX_EVICTION_RETRIES;
    private int launchConcurrency = KubernetesSettings.LAUNCH_CONCURRENCY;
    private double apiQps = KubernetesSettings.API_QPS;
    private int apiBurst = KubernetesSettings.API_BURST;
    private int apiRetries = KubernetesSettings.API_RETRIES;
    private boolean logStreaming = KubernetesSettings.LOG_STREAMING;
    private double logSampleFraction = KubernetesSettings.LOG_SAMPLE_FRACTION;
    private Duration watchSilenceBound = KubernetesSettings.WATCH_SILENCE_BOUND;
    private String queueName;
    private String workloadPriorityClass;
    private boolean batching = KubernetesSettings.BATCHING;
    private int batchSize = KubernetesSettings.BATCH_SIZE;
    private Duration batchWindow = KubernetesSettings.BATCH_WINDOW;
    private int batchParallelism = KubernetesSettings.BATCH_PARALLELISM;

    private Builder() {}

    private Builder(KubernetesShellOptions o) {
      pod = o.pod.toBuilder();
      namespace = o.namespace;
      kubeContext = o.kubeContext.orElse(null);
      ttlAfterFinished = o.ttlAfterFinished;
      backoffLimit = o.backoffLimit;
      activeDeadline = o.activeDeadline.orElse(null);
      podFailurePolicy = o.podFailurePolicy;
      workloadIdentity = o.workloadIdentity;
      workloadIdentityNamespaces.addAll(o.workloadIdentityNamespaces);
      customizer = o.customizer;
      imagePullBound = o.imagePullBound;
      pendingTimeout = o.pendingTimeout;
      maxEvictionRetries = o.maxEvictionRetries;
      launchConcurrency = o.launchConcurrency;
      apiQps = o.apiQps;
      apiBurst = o.apiBurst;
      apiRetries = o.apiRetries;
      logStreaming = o.logStreaming;
      logSampleFraction = o.logSampleFraction;
      watchSilenceBound = o.watchSilenceBound;
      queueName = o.queueName.orElse(null);
      workloadPriorityClass = o.workloadPriorityClass.orElse(null);
      batching = o.batching;
      batchSize = o.batchSize;
      batchWindow = o.batchWindow;
      batchParallelism = o.batchParallelism;
    }

    /**
     * Changes the pod template: {@code b -> b.cpu("2", null).toleration(Tolerations.spotAks())}. A
     * value the template's builder refuses is kept as a problem that {@link #build()} reports
     * with all the others.
     */
    public Builder pod(Consumer<PodTemplateOptions.Builder> change) {
      try {
        change.accept(pod);
      } catch (IllegalArgumentException e) {
        podProblems.add(e.getMessage());
      }
      return this;
    }

    /** Replaces the pod template, e.g. one shared with other shells. */
    public Builder pod(PodTemplateOptions template) {
      pod = Objects.requireNonNull(template, "template").toBuilder();
      return this;
    }

    /** {@link PodTemplateOptions.Builder#image}. Required; no default. */
    public Builder image(String image) {
      return pod(b -> b.image(image));
    }

    /** {@link PodTemplateOptions.Builder#registry}. Defaults to none. */
    public Builder registry(String registry) {
      return pod(b -> b.registry(registry));
    }

    /** {@link PodTemplateOptions.Builder#imagePullPolicy}. Defaults to {@code Always}. */
    public Builder imagePullPolicy(String imagePullPolicy) {
      return pod(b -> b.imagePullPolicy(imagePullPolicy));
    }

    /** {@link PodTemplateOptions.Builder#cpu}. Defaults to neither. */
    public Builder cpu(String request, String limit) {
      return pod(b -> b.cpu(request, limit));
    }

    /** {@link PodTemplateOptions.Builder#memory(String, String)}. Defaults to neither. */
    public Builder memory(String request, String limit) {
      return pod(b -> b.memory(request, limit));
    }

    /** {@link PodTemplateOptions.Builder#memory(String)}: request and limit both {@code quantity}. */
    public Builder memory(String quantity) {
      return pod(b -> b.memory(quantity));
    }

    /** {@link PodTemplateOptions.Builder#ephemeralStorage}. Defaults to neither. */
    public Builder ephemeralStorage(String request, String limit) {
      return pod(b -> b.ephemeralStorage(request, limit));
    }

    /** {@link PodTemplateOptions.Builder#gpus}: NVIDIA GPUs as request and limit. Defaults to 0. */
    public Builder gpus(int count) {
      return pod(b -> b.gpus(count));
    }

    /** {@link PodTemplateOptions.Builder#extendedResource}. Defaults to none. */
    public Builder extendedResource(String name, String quantity) {
      return pod(b -> b.extendedResource(name, quantity));
    }

    /** {@link PodTemplateOptions.Builder#resourceRequest}. Defaults to none. */
    public Builder resourceRequest(String name, String quantity) {
      return pod(b -> b.resourceRequest(name, quantity));
    }

    /** {@link PodTemplateOptions.Builder#resourceLimit}. Defaults to none. */
    public Builder resourceLimit(String name, String quantity) {
      return pod(b -> b.resourceLimit(name, quantity));
    }

    /** {@link PodTemplateOptions.Builder#toleration}, e.g. {@link Tolerations#spotAks()}. Defaults to none. */
    public Builder toleration(Toleration toleration) {
      return pod(b -> b.toleration(toleration));
    }

    /** {@link PodTemplateOptions.Builder#nodeSelector}. Defaults to none. */
    public Builder nodeSelector(String key, String value) {
      return pod(b -> b.nodeSelector(key, value));
    }

    /** {@link PodTemplateOptions.Builder#requireNodeLabel}. Defaults to none. */
    public Builder requireNodeLabel(String key, String... values) {
      return pod(b -> b.requireNodeLabel(key, values));
    }

    /** {@link PodTemplateOptions.Builder#serviceAccount}. Defaults to the namespace's default. */
    public Builder serviceAccount(String serviceAccount) {
      return pod(b -> b.serviceAccount(serviceAccount));
    }

    /** {@link PodTemplateOptions.Builder#env}: a plain variable; credential-looking names are refused. */
    public Builder env(String name, String value) {
      return pod(b -> b.env(name, value));
    }

    /** {@link PodTemplateOptions.Builder#envReference}. Defaults to none. */
    public Builder envReference(EnvReference reference) {
      return pod(b -> b.envReference(reference));
    }

    /** {@link PodTemplateOptions.Builder#label}: on the Job and its pods. Defaults to none. */
    public Builder label(String key, String value) {
      return pod(b -> b.label(key, value));
    }

    /** {@link PodTemplateOptions.Builder#annotation}: on the Job and its pods. Defaults to none. */
    public Builder annotation(String key, String value) {
      return pod(b -> b.annotation(key, value));
    }

    /**
     * The namespace Jobs are created in. Defaults, in a pod, to the pod's own namespace ({@link
     * InCluster}), elsewhere to the user name as a DNS-1123 label ({@code Yu_Zhang} → {@code
     * yu-zhang}; {@code pureremote} if nothing is left).
     */
    public Builder namespace(String namespace) {
      this.namespace = namespace;
      return this;
    }
    /**
     * The kubeconfig context used when the shell builds its own client ({@link
     * KubernetesShell#fromKubeConfig}). Defaults to the current context (or in-cluster config).
     */
    public Builder kubeContext(String kubeContext) {
      this.kubeContext = kubeContext;
      return this;
    }
    /**
     * How long finished Jobs are kept before Kubernetes deletes them ({@code
     * ttlSecondsAfterFinished}, whole seconds). Defaults to 1 hour.
     */
    public Builder ttlAfterFinished(Duration ttl) {
      this.ttlAfterFinished = ttl;
      return this;
    }
    /**
     * How often the Job controller re-runs a failed pod ({@code backoffLimit}). Defaults to 0: a
     * pure function that failed fails again; evictions are retried by the shell instead.
     */
    public Builder backoffLimit(int backoffLimit) {
      this.backoffLimit = backoffLimit;
      return this;
    }
    /**
     * Longest run of a Job ({@code activeDeadlineSeconds}, whole seconds); the call then fails
     * with reason {@code DeadlineExceeded}. {@code null} for none. Defaults to none.
     */
    public Builder activeDeadline(Duration activeDeadline) {
      this.activeDeadline = activeDeadline;
      return this;
    }
    /**
     * Whether Jobs carry a {@code podFailurePolicy}: FailJob when container {@code fn} exits with
     * 42 (the function threw; its error is stored, so re-running is pointless) and Ignore pods
     * with a {@code DisruptionTarget} condition (evictions do not count against {@code
     * backoffLimit}). Defaults to true.
     */
    public Builder podFailurePolicy(boolean podFailurePolicy) {
      this.podFailurePolicy = podFailurePolicy;
      return this;
    }
    /**
     * Azure workload identity in every namespace: pods get label {@code
     * azure.workload.identity/use: "true"} and need a {@link #serviceAccount}. Defaults to false.
     */
    public Builder workloadIdentity(boolean workloadIdentity) {
      this.workloadIdentity = workloadIdentity;
      return this;
    }
    /**
     * Namespaces in which pods use Azure workload identity even when {@link
     * #workloadIdentity(boolean)} is false (a team setting). Replaces the set. Defaults to none.
     */
    public Builder workloadIdentityNamespaces(Set<String> namespaces) {
      workloadIdentityNamespaces.clear();
      workloadIdentityNamespaces.addAll(namespaces);
      return this;
    }
    /**
     * Applied last to every Job the shell creates (e.g. add volumes, sidecars, priority class). It
     * must keep the Job's name, namespace and labels. Defaults to identity.
     */
    public Builder customizer(UnaryOperator<Job> customizer) {
      this.customizer = Objects.requireNonNull(customizer, "customizer");
      return this;
    }
    /**
     * How long a pod may sit in ErrImagePull/ImagePullBackOff before the call fails (not
     * retryable) and the Job is deleted. Defaults to 2 minutes.
     */
    public Builder imagePullBound(Duration imagePullBound) {
      this.imagePullBound = imagePullBound;
      return this;
    }
    /**
     * How long a pod may stay unschedulable before the call fails with reason {@code
     * Unschedulable} and the Job is deleted. Defaults to 10 minutes (time for a cluster
     * autoscaler to add a node).
     */
    public Builder pendingTimeout(Duration pendingTimeout) {
      this.pendingTimeout = pendingTimeout;
      return this;
    }
    /**
     * How many evictions/preemptions (spot reclaim, node drain, node loss) one call survives; the
     * shell re-creates the Job without spending the caller's retries, then fails retryable.
     * Defaults to 3.
     */
    public Builder maxEvictionRetries(int maxEvictionRetries) {
      this.maxEvictionRetries = maxEvictionRetries;
      return this;
    }
    /** How many Job creations may be in flight at once; others wait their turn. Defaults to 20. */
    public Builder launchConcurrency(int launchConcurrency) {
      this.launchConcurrency = launchConcurrency;
      return this;
    }
    /**
     * Steady rate of API requests this shell makes (creates, deletes, checks, logs), in requests
     * per second, and the burst allowed above it. Defaults to 20 per second, burst 40.
     */
    public Builder apiRate(double qps, int burst) {
      this.apiQps = qps;
      this.apiBurst = burst;
      return this;
    }
    /**
     * Retries of one API request after 429, 5xx or a connection error, with exponential backoff
     * (on top of the client's own). Defaults to 4.
     */
    public Builder apiRetries(int apiRetries) {
      this.apiRetries = apiRetries;
      return this;
    }
    /** Whether pod logs follow to the caller's log, prefixed {@code [job/pod]}. Defaults to true. */
    public Builder logStreaming(boolean logStreaming) {
      this.logStreaming = logStreaming;
      return this;
    }
    /**
     * The fraction of calls whose pod logs are followed, chosen by call so a re-run samples the
     * same calls; lower it for big fan-outs. Defaults to 1.0 (all).
     */
    public Builder logSampleFraction(double logSampleFraction) {
      this.logSampleFraction = logSampleFraction;
      return this;
    }
    /**
     * After this long without any watch event for a Job or its pods, the shell GETs the Job once
     * (a watch can go quiet without failing). Defaults to 5 minutes.
     */
    public Builder watchSilenceBound(Duration watchSilenceBound) {
      this.watchSilenceBound = watchSilenceBound;
      return this;
    }
    /**
     * Hands every Job to Kueue: the Job gets label {@value #KUEUE_QUEUE_LABEL}{@code =<queueName>}
     * (a LocalQueue in the Job's namespace). Kueue's webhook suspends the Job and unsuspends it on
     * admission; the shell never sets {@code suspend} itself. {@code null} for none. Defaults to none.
     */
    public Builder queueName(String queueName) {
      this.queueName = queueName;
      return this;
    }
    /**
     * Kueue's WorkloadPriorityClass for the Jobs (label {@value #KUEUE_PRIORITY_LABEL}): decides
     * admission order and preemption among Kueue workloads, apart from the pods' scheduling
     * priority. {@code null} for none. Defaults to none.
     */
    public Builder workloadPriorityClass(String workloadPriorityClass) {
      this.workloadPriorityClass = workloadPriorityClass;
      return this;
    }
    /**
     * Whether misses of one function launched together (a {@code runtime.map}, many concurrent
     * calls) run as one Indexed Job per batch instead of one Job per call: one API write per batch.
     * Each call keeps its own lease, result, error, run record and log. Needs a server with
     * per-index backoff (1.33+); on older servers the shell creates one Job per call. Defaults to
     * true; turn it off per function where one Job per call is wanted.
     */
    public Builder batching(boolean batching) {
      this.batching = batching;
      return this;
    }
    /** The most calls in one batch Job, 1 to {@value #MAX_BATCH_SIZE}. Defaults to 100. */
    public Builder batchSize(int batchSize) {
      this.batchSize = batchSize;
      return this;
    }
    /**
     * A batch is launched once no miss of its function has joined it for this long, at most 8
     * windows after its first miss (a full batch goes at once); a lone miss waits one window (kept:
     * the shell cannot tell it from the first miss of a fan-out; for a function called one at a
     * time, latency first, turn {@link #batching(boolean) batching} off or lower the window). At
     * most 1 minute. Defaults to 250 ms.
     */
    public Builder batchWindow(Duration batchWindow) {
      this.batchWindow = batchWindow;
      return this;
    }
    /**
     * The most pods of one batch Job running at once ({@code parallelism}); 0 runs the whole
     * batch at once. Defaults to 0.
     */
    public Builder batchParallelism(int batchParallelism) {
      this.batchParallelism = batchParallelism;
      return this;
    }
    /**
     * Builds and validates the options.
     *
     * @throws IllegalArgumentException listing every invalid value, each with the field name
     */
    public KubernetesShellOptions build() {
      List<String> problems = new ArrayList<>(podProblems);
      problems.addAll(pod.problems());
      Optional<Duration> deadline = Optional.ofNullable(activeDeadline);
      if (!problems.isEmpty()) {
        // The Job's own values are checked by the record; here only when the pod's problems go first.
        problems.addAll(KubernetesShellOptions.problems(namespace, pod.serviceAccount(), ttlAfterFinished, backoffLimit,
            deadline, workloadIdentity, workloadIdentityNamespaces, imagePullBound, pendingTimeout, watchSilenceBound,
            maxEvictionRetries, launchConcurrency, apiQps, apiBurst, apiRetries, logSampleFraction,
            Optional.ofNullable(queueName).filter(q -> !q.isBlank()),
            Optional.ofNullable(workloadPriorityClass).filter(c -> !c.isBlank()), batchSize, batchWindow, batchParallelism));
        throw invalid(problems);
      }
      return new KubernetesShellOptions(namespace, Optional.ofNullable(kubeContext), pod.build(), ttlAfterFinished,
          backoffLimit, deadline, podFailurePolicy, workloadIdentity, workloadIdentityNamespaces, customizer,
          imagePullBound, pendingTimeout, maxEvictionRetries, launchConcurrency, apiQps, apiBurst, apiRetries,
          logStreaming, logSampleFraction, watchSilenceBound, Optional.ofNullable(queueName),
          Optional.ofNullable(workloadPriorityClass), batching, batchSize, batchWindow, batchParallelism);
    }
  }
}
