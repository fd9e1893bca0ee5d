package io.pureremote.k8s;

import io.fabric8.kubernetes.api.model.Quantity;
import io.fabric8.kubernetes.api.model.Toleration;
import io.fabric8.kubernetes.api.model.TolerationBuilder;
import io.fabric8.kubernetes.api.model.batch.v1.Job;
import java.math.BigDecimal;
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
import java.util.function.UnaryOperator;

/**
 * Settings of a {@link KubernetesShell}: where Jobs run, what they look like, and how the shell
 * waits for them. Immutable and thread-safe; build with {@link #builder()}. Every value is
 * validated when built, and one exception lists every problem found.
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
 * @param namespace where Jobs are created; a DNS-1123 label
 * @param kubeContext the kubeconfig context a shell built from configuration connects with; empty
 *     means the current context (or in-cluster config)
 * @param image the application image whose entrypoint runs {@code io.pureremote.RemoteMain}
 * @param registry a registry the image is qualified with (see {@link Images#qualify})
 * @param imagePullPolicy {@code Always}, {@code IfNotPresent} or {@code Never}
 * @param resourceRequests container resource requests by resource name ({@code cpu}, {@code
 *     memory}, {@code ephemeral-storage}, {@code nvidia.com/gpu}, ...)
 * @param resourceLimits container resource limits by resource name
 * @param tolerations pod tolerations (see {@link Tolerations})
 * @param nodeSelector pod node selector
 * @param requiredNodeLabels required node affinity: each label must have one of the values
 * @param serviceAccount the pod's service account; empty means the namespace default
 * @param env plain environment variables (never credentials: see {@link EnvReference})
 * @param envReferences variables read from Secrets and ConfigMaps
 * @param labels extra labels on the Job and its pods
 * @param annotations extra annotations on the Job and its pods
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
 */
public record KubernetesShellOptions(
    String namespace,
    Optional<String> kubeContext,
    String image,
    Optional<String> registry,
    String imagePullPolicy,
    Map<String, String> resourceRequests,
    Map<String, String> resourceLimits,
    List<Toleration> tolerations,
    Map<String, String> nodeSelector,
    Map<String, List<String>> requiredNodeLabels,
    Optional<String> serviceAccount,
    Map<String, String> env,
    List<EnvReference> envReferences,
    Map<String, String> labels,
    Map<String, String> annotations,
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
    Duration watchSilenceBound) {

  static final double DEFAULT_API_QPS = 20;
  static final int DEFAULT_API_BURST = 40;

  /** The GPU resource name {@link Builder#gpus(int)} sets. */
  public static final String NVIDIA_GPU = "nvidia.com/gpu";

  /** The pod label Azure workload identity's webhook looks for. */
  public static final String AZURE_WORKLOAD_IDENTITY_LABEL = "azure.workload.identity/use";

  private static final Set<String> STANDARD_RESOURCES = Set.of("cpu", "memory", "ephemeral-storage");

  /** Validates every value and copies collections; throws one exception listing all problems. */
  public KubernetesShellOptions {
    List<String> problems = new ArrayList<>();
    kubeContext = Objects.requireNonNull(kubeContext, "kubeContext").filter(s -> !s.isBlank());
    registry = Objects.requireNonNull(registry, "registry").filter(s -> !s.isBlank());
    serviceAccount = Objects.requireNonNull(serviceAccount, "serviceAccount").filter(s -> !s.isBlank());
    activeDeadline = Objects.requireNonNull(activeDeadline, "activeDeadline");
    resourceRequests = ordered(resourceRequests);
    resourceLimits = ordered(resourceLimits);
    tolerations = tolerations.stream().map(t -> new TolerationBuilder(t).build()).toList();
    nodeSelector = ordered(nodeSelector);
    Map<String, List<String>> affinity = new LinkedHashMap<>();
    requiredNodeLabels.forEach((k, v) -> affinity.put(k, List.copyOf(v)));
    requiredNodeLabels = Collections.unmodifiableMap(affinity);
    env = ordered(env);
    envReferences = List.copyOf(envReferences);
    labels = ordered(labels);
    annotations = ordered(annotations);
    workloadIdentityNamespaces = Collections.unmodifiableSet(new LinkedHashSet<>(workloadIdentityNamespaces));
    Objects.requireNonNull(customizer, "customizer");

    if (namespace == null || !KubernetesValues.isDnsLabel(namespace)) {
      problems.add("namespace '" + namespace + "' is not a DNS-1123 label (lowercase letters, digits and '-', at most 63); e.g. '"
          + KubernetesValues.dnsLabel(namespace, "my-team") + "'");
    }
    if (image == null || image.isBlank()) {
      problems.add("image is required: the application image whose entrypoint runs io.pureremote.RemoteMain "
          + "(build one with Jib; see docs/kubernetes.md)");
    } else {
      try {
        Images.qualify(registry.orElse(null), image);
      } catch (IllegalArgumentException e) {
        problems.add("image: " + e.getMessage());
      }
    }
    registry.ifPresent(r -> {
      if (r.contains("://") || r.chars().anyMatch(Character::isWhitespace)) {
        problems.add("registry '" + r + "' must be a host[/path] without a scheme, e.g. myregistry.azurecr.io");
      }
    });
    if (!Set.of("Always", "IfNotPresent", "Never").contains(imagePullPolicy)) {
      problems.add("imagePullPolicy '" + imagePullPolicy + "' must be Always, IfNotPresent or Never");
    }
    checkResources("resourceRequests", resourceRequests, problems);
    checkResources("resourceLimits", resourceLimits, problems);
    checkRequestsWithinLimits(resourceRequests, resourceLimits, problems);
    for (int i = 0; i < tolerations.size(); i++) {
      checkToleration(i, tolerations.get(i), problems);
    }
    nodeSelector.forEach((k, v) -> checkLabel("nodeSelector", k, v, problems));
    requiredNodeLabels.forEach((k, values) -> {
      if (values.isEmpty()) {
        problems.add("requiredNodeLabels." + k + " needs at least one value");
      }
      values.forEach(v -> checkLabel("requiredNodeLabels", k, v, problems));
    });
    serviceAccount.ifPresent(sa -> {
      if (!KubernetesValues.isDnsSubdomain(sa)) {
        problems.add("serviceAccount '" + sa + "' is not a valid name (lowercase letters, digits, '-' and '.')");
      }
    });
    env.forEach((name, value) -> checkEnv(name, value, problems));
    labels.forEach((k, v) -> {
      checkLabel("labels", k, v, problems);
      checkNotReserved("labels", k, problems);
    });
    annotations.forEach((k, v) -> {
      if (!KubernetesValues.isQualifiedKey(k)) {
        problems.add("annotations: key '" + k + "' is not a valid annotation key");
      }
      checkNotReserved("annotations", k, problems);
    });
    checkDuration("ttlAfterFinished", ttlAfterFinished, true, problems);
    if (backoffLimit < 0) {
      problems.add("backoffLimit must be >= 0, got " + backoffLimit);
    }
    activeDeadline.ifPresent(d -> {
      if (d.getSeconds() < 1) {
        problems.add("activeDeadline must be at least 1 second, got " + d);
      }
    });
    workloadIdentityNamespaces.forEach(ns -> {
      if (!KubernetesValues.isDnsLabel(ns)) {
        problems.add("workloadIdentityNamespaces: '" + ns + "' is not a namespace name");
      }
    });
    if ((workloadIdentity || workloadIdentityNamespaces.contains(namespace)) && serviceAccount.isEmpty()) {
      problems.add("workload identity is enabled for namespace '" + namespace + "' but no serviceAccount is set: "
          + "Azure workload identity needs a service account annotated with azure.workload.identity/client-id");
    }
    checkDuration("imagePullBound", imagePullBound, false, problems);
    checkDuration("pendingTimeout", pendingTimeout, false, problems);
    checkDuration("watchSilenceBound", watchSilenceBound, false, problems);
    if (maxEvictionRetries < 0) {
      problems.add("maxEvictionRetries must be >= 0, got " + maxEvictionRetries);
    }
    if (launchConcurrency < 1) {
      problems.add("launchConcurrency must be >= 1, got " + launchConcurrency);
    }
    if (!(apiQps > 0) || Double.isInfinite(apiQps)) {
      problems.add("apiQps must be a positive number, got " + apiQps);
    }
    if (apiBurst < 1) {
      problems.add("apiBurst must be >= 1, got " + apiBurst);
    }
    if (apiRetries < 0) {
      problems.add("apiRetries must be >= 0, got " + apiRetries);
    }
    if (!(logSampleFraction >= 0 && logSampleFraction <= 1)) {
      problems.add("logSampleFraction must be in [0, 1], got " + logSampleFraction);
    }
    if (!problems.isEmpty()) {
      throw new IllegalArgumentException("Invalid Kubernetes shell options:\n  - " + String.join("\n  - ", problems));
    }
  }

  /** A builder with the defaults; {@link Builder#image(String)} is required. */
  public static Builder builder() {
    return new Builder();
  }

  /** A builder starting from these values. */
  public Builder toBuilder() {
    return new Builder(this);
  }

  /** The image to run: {@link #image()} qualified with {@link #registry()}. */
  public String qualifiedImage() {
    return Images.qualify(registry.orElse(null), image);
  }

  /** Whether pods use Azure workload identity: enabled everywhere, or for this namespace. */
  public boolean workloadIdentityApplies() {
    return workloadIdentity || workloadIdentityNamespaces.contains(namespace);
  }

  /** Copies of the tolerations (fabric8 model objects are mutable). */
  @Override
  public List<Toleration> tolerations() {
    return tolerations.stream().map(t -> new TolerationBuilder(t).build()).toList();
  }

  private static void checkResources(String field, Map<String, String> resources, List<String> problems) {
    resources.forEach((name, value) -> {
      if (!STANDARD_RESOURCES.contains(name) && !KubernetesValues.isQualifiedKey(name)) {
        problems.add(field + ": '" + name + "' is not a resource name (cpu, memory, ephemeral-storage, or e.g. nvidia.com/gpu)");
      }
      if (!KubernetesValues.isQuantity(value)) {
        problems.add(field + "." + name + ": '" + value + "' is not a Kubernetes quantity (e.g. "
            + (name.equals("cpu") ? "500m, 2" : "512Mi, 4Gi, 1G") + ")");
      } else if (!STANDARD_RESOURCES.contains(name) && !name.startsWith("hugepages-") && !value.matches("\\d+")) {
        problems.add(field + "." + name + ": extended resources take whole numbers, got '" + value + "'");
      }
    });
  }

  private static void checkRequestsWithinLimits(Map<String, String> requests, Map<String, String> limits,
      List<String> problems) {
    requests.forEach((name, request) -> {
      String limit = limits.get(name);
      if (limit == null || !KubernetesValues.isQuantity(request) || !KubernetesValues.isQuantity(limit)) {
        return;
      }
      BigDecimal r = Quantity.getAmountInBytes(new Quantity(request));
      BigDecimal l = Quantity.getAmountInBytes(new Quantity(limit));
      if (r.compareTo(l) > 0) {
        problems.add("resources: " + name + " request " + request + " exceeds its limit " + limit);
      } else if (!STANDARD_RESOURCES.contains(name) && r.compareTo(l) != 0) {
        problems.add("resources: extended resource " + name + " needs request == limit, got " + request + " and " + limit);
      }
    });
  }

  private static void checkToleration(int i, Toleration t, List<String> problems) {
    String op = t.getOperator() == null ? "Equal" : t.getOperator();
    String where = "tolerations[" + i + "]";
    if (!op.equals("Equal") && !op.equals("Exists")) {
      problems.add(where + ": operator '" + op + "' must be Equal or Exists");
    }
    if (op.equals("Exists") && t.getValue() != null && !t.getValue().isEmpty()) {
      problems.add(where + ": operator Exists takes no value, got '" + t.getValue() + "'");
    }
    if ((t.getKey() == null || t.getKey().isEmpty()) && !op.equals("Exists")) {
      problems.add(where + ": an empty key needs operator Exists");
    }
    String effect = t.getEffect() == null ? "" : t.getEffect();
    if (!Set.of("", "NoSchedule", "PreferNoSchedule", "NoExecute").contains(effect)) {
      problems.add(where + ": effect '" + effect + "' must be NoSchedule, PreferNoSchedule or NoExecute");
    }
  }

  private static void checkLabel(String field, String key, String value, List<String> problems) {
    if (!KubernetesValues.isQualifiedKey(key)) {
      problems.add(field + ": key '" + key + "' is not a valid label key");
    }
    if (!KubernetesValues.isLabelValue(value)) {
      problems.add(field + "." + key + ": value '" + value + "' is not a valid label value "
          + "(at most 63 of letters, digits, '-', '_', '.', starting and ending alphanumeric)");
    }
  }

  private static void checkNotReserved(String field, String key, List<String> problems) {
    if (key.startsWith(JobFactory.LABEL_PREFIX) || key.equals(JobFactory.MANAGED_BY)) {
      problems.add(field + ": key '" + key + "' is reserved for the shell's own bookkeeping");
    }
  }

  private static void checkEnv(String name, String value, List<String> problems) {
    KubernetesValues.plainEnvProblem(name, "envReference(EnvReference.secretKey(\"" + name + "\", <secret>, <key>))")
        .ifPresent(p -> problems.add("env: " + p));
    if (value == null) {
      problems.add("env: '" + name + "' has no value");
    }
  }

  private static void checkDuration(String field, Duration d, boolean zeroOk, List<String> problems) {
    if (d == null) {
      problems.add(field + " is required");
    } else if (d.isNegative() || (!zeroOk && d.isZero())) {
      problems.add(field + " must be " + (zeroOk ? ">= 0" : "> 0") + ", got " + d);
    }
  }

  private static <V> Map<String, V> ordered(Map<String, V> map) {
    return Collections.unmodifiableMap(new LinkedHashMap<>(map));
  }

  /** Builder for {@link KubernetesShellOptions}; not thread-safe. */
  public static final class Builder {
    private String namespace = KubernetesNames.defaultNamespace();
    private String kubeContext;
    private String image;
    private String registry;
    private String imagePullPolicy = "Always";
    private final Map<String, String> resourceRequests = new LinkedHashMap<>();
    private final Map<String, String> resourceLimits = new LinkedHashMap<>();
    private final List<Toleration> tolerations = new ArrayList<>();
    private final Map<String, String> nodeSelector = new LinkedHashMap<>();
    private final Map<String, List<String>> requiredNodeLabels = new LinkedHashMap<>();
    private String serviceAccount;
    private final Map<String, String> env = new LinkedHashMap<>();
    private final List<EnvReference> envReferences = new ArrayList<>();
    private final Map<String, String> labels = new LinkedHashMap<>();
    private final Map<String, String> annotations = new LinkedHashMap<>();
    private Duration ttlAfterFinished = Duration.ofHours(1);
    private int backoffLimit = 0;
    private Duration activeDeadline;
    private boolean podFailurePolicy = true;
    private boolean workloadIdentity;
    private final Set<String> workloadIdentityNamespaces = new LinkedHashSet<>();
    private UnaryOperator<Job> customizer = UnaryOperator.identity();
    private Duration imagePullBound = Duration.ofMinutes(2);
    private Duration pendingTimeout = Duration.ofMinutes(10);
    private int maxEvictionRetries = 3;
    private int launchConcurrency = 20;
    private double apiQps = DEFAULT_API_QPS;
    private int apiBurst = DEFAULT_API_BURST;
    private int apiRetries = 4;
    private boolean logStreaming = true;
    private double logSampleFraction = 1.0;
    private Duration watchSilenceBound = Duration.ofMinutes(5);

    private Builder() {}

    private Builder(KubernetesShellOptions o) {
      namespace = o.namespace;
      kubeContext = o.kubeContext.orElse(null);
      image = o.image;
      registry = o.registry.orElse(null);
      imagePullPolicy = o.imagePullPolicy;
      resourceRequests.putAll(o.resourceRequests);
      resourceLimits.putAll(o.resourceLimits);
      tolerations.addAll(o.tolerations());
      nodeSelector.putAll(o.nodeSelector);
      requiredNodeLabels.putAll(o.requiredNodeLabels);
      serviceAccount = o.serviceAccount.orElse(null);
      env.putAll(o.env);
      envReferences.addAll(o.envReferences);
      labels.putAll(o.labels);
      annotations.putAll(o.annotations);
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
     * The application image; its entrypoint must run {@code io.pureremote.RemoteMain} with the
     * container args. Required; no default.
     */
    public Builder image(String image) {
      this.image = image;
      return this;
    }

    /**
     * A registry to qualify unqualified images with ({@code team/app:1} → {@code
     * <registry>/team/app:1}). Defaults to none.
     */
    public Builder registry(String registry) {
      this.registry = registry;
      return this;
    }

    /**
     * {@code Always}, {@code IfNotPresent} or {@code Never}. Defaults to {@code Always}, so a
     * re-pushed tag never runs stale code on a node that cached the old one.
     */
    public Builder imagePullPolicy(String imagePullPolicy) {
      this.imagePullPolicy = imagePullPolicy;
      return this;
    }

    /**
     * CPU request and limit ({@code "500m"}, {@code "2"}); a {@code null} limit means none, which
     * avoids CPU throttling. Defaults to neither (the namespace's LimitRange decides).
     */
    public Builder cpu(String request, String limit) {
      return resource("cpu", request, limit);
    }

    /**
     * Memory request and limit ({@code "512Mi"}, {@code "8Gi"}); {@code null} means unset. Defaults
     * to neither. A JVM should get request == limit: see {@link #memory(String)}.
     */
    public Builder memory(String request, String limit) {
      return resource("memory", request, limit);
    }

    /** Memory request and limit both set to {@code quantity}. Defaults to neither. */
    public Builder memory(String quantity) {
      return memory(quantity, quantity);
    }

    /** Ephemeral (node-local scratch) storage request and limit; {@code null} means unset. Defaults to neither. */
    public Builder ephemeralStorage(String request, String limit) {
      return resource("ephemeral-storage", request, limit);
    }

    /** NVIDIA GPUs ({@value #NVIDIA_GPU}), as request and limit; 0 removes them. Defaults to 0. */
    public Builder gpus(int count) {
      if (count < 0) {
        throw new IllegalArgumentException("gpus must be >= 0, got " + count);
      }
      return count == 0 ? resource(NVIDIA_GPU, null, null) : extendedResource(NVIDIA_GPU, Integer.toString(count));
    }

    /**
     * An extended resource ({@code amd.com/gpu}, {@code example.com/fpga}) as request and limit,
     * which Kubernetes requires to be equal whole numbers. Defaults to none.
     */
    public Builder extendedResource(String name, String quantity) {
      return resource(name, quantity, quantity);
    }

    /** Any resource's request; {@code null} removes it. Defaults to none. */
    public Builder resourceRequest(String name, String quantity) {
      put(resourceRequests, name, quantity);
      return this;
    }

    /** Any resource's limit; {@code null} removes it. Defaults to none. */
    public Builder resourceLimit(String name, String quantity) {
      put(resourceLimits, name, quantity);
      return this;
    }

    private Builder resource(String name, String request, String limit) {
      put(resourceRequests, name, request);
      put(resourceLimits, name, limit);
      return this;
    }

    private static void put(Map<String, String> map, String key, String value) {
      Objects.requireNonNull(key, "resource name");
      if (value == null) {
        map.remove(key);
      } else {
        map.put(key, value.strip());
      }
    }

    /** Adds a toleration, e.g. {@link Tolerations#spotAks()}. Defaults to none. */
    public Builder toleration(Toleration toleration) {
      tolerations.add(new TolerationBuilder(Objects.requireNonNull(toleration, "toleration")).build());
      return this;
    }

    /** Adds a node selector label. Defaults to none. */
    public Builder nodeSelector(String key, String value) {
      nodeSelector.put(Objects.requireNonNull(key, "key"), Objects.requireNonNull(value, "value"));
      return this;
    }

    /**
     * Requires nodes whose label {@code key} has one of {@code values} (required node affinity,
     * operator In). Defaults to none.
     */
    public Builder requireNodeLabel(String key, String... values) {
      requiredNodeLabels.put(Objects.requireNonNull(key, "key"), List.of(values));
      return this;
    }

    /** The pods' service account. Defaults to the namespace's default service account. */
    public Builder serviceAccount(String serviceAccount) {
      this.serviceAccount = serviceAccount;
      return this;
    }

    /**
     * A plain environment variable for every pod. Defaults to none. These override same-named
     * variables from the runtime (e.g. an in-cluster {@code PUREREMOTE_STORE_ENDPOINT_URL}).
     * Names that look like credentials are refused: use {@link #envReference}.
     */
    public Builder env(String name, String value) {
      env.put(Objects.requireNonNull(name, "name"), value);
      return this;
    }

    /** Variables from a Secret or ConfigMap (see {@link EnvReference}). Defaults to none. */
    public Builder envReference(EnvReference reference) {
      envReferences.add(Objects.requireNonNull(reference, "reference"));
      return this;
    }

    /** A label on the Job and its pods. Defaults to none beyond the shell's own. */
    public Builder label(String key, String value) {
      labels.put(Objects.requireNonNull(key, "key"), Objects.requireNonNull(value, "value"));
      return this;
    }

    /** An annotation on the Job and its pods. Defaults to none beyond the shell's own. */
    public Builder annotation(String key, String value) {
      annotations.put(Objects.requireNonNull(key, "key"), Objects.requireNonNull(value, "value"));
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
     * Builds and validates the options.
     *
     * @throws IllegalArgumentException listing every invalid value, each with the field name
     */
    public KubernetesShellOptions build() {
      return new KubernetesShellOptions(namespace, Optional.ofNullable(kubeContext), image,
          Optional.ofNullable(registry), imagePullPolicy, resourceRequests, resourceLimits, tolerations,
          nodeSelector, requiredNodeLabels, Optional.ofNullable(serviceAccount), env, envReferences, labels,
          annotations, ttlAfterFinished, backoffLimit, Optional.ofNullable(activeDeadline), podFailurePolicy,
          workloadIdentity, workloadIdentityNamespaces, customizer, imagePullBound, pendingTimeout,
          maxEvictionRetries, launchConcurrency, apiQps, apiBurst, apiRetries, logStreaming, logSampleFraction,
          watchSilenceBound);
    }
  }
}
