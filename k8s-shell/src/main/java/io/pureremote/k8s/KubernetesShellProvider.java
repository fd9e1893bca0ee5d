package io.pureremote.k8s;

import io.fabric8.kubernetes.api.model.Toleration;
import io.fabric8.kubernetes.api.model.TolerationBuilder;
import io.fabric8.kubernetes.client.KubernetesClient;
import io.pureremote.PureRemoteException;
import io.pureremote.k8s.values.KubernetesSettings;
import io.pureremote.spi.Shell;
import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;
import java.util.Set;
import java.util.function.Consumer;
import java.util.function.UnaryOperator;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Provides the {@code kubernetes} shell ({@link KubernetesShell}) from its settings: the one
 * mapping from the keys of the {@code [kubernetes]} configuration table to {@link
 * KubernetesShellOptions}.
 *
 * <p>Keys, as in docs/configuration.md: {@code namespace}, {@code kube-context}, {@code cloud},
 * {@code registry}, {@code image}, {@code image-pull-policy}, {@code service-account}, {@code
 * resources.cpu}, {@code resources.cpu-limit}, {@code resources.memory} (request, and limit
 * unless {@code resources.memory-limit}), {@code resources.memory-limit}, {@code
 * resources.ephemeral-storage}, {@code resources.gpus}, {@code tolerations} (tables: {@code
 * {spot = "aks"|"eks"|"gke"}}, or {@code key}, {@code operator}, {@code value}, {@code effect}),
 * {@code ttl-after-finished}, {@code backoff-limit}, {@code active-deadline}, {@code
 * pending-timeout}, {@code image-pull-timeout} (formerly {@code image-pull-bound}, still read with a
 * warning), {@code max-eviction-retries}, {@code
 * log-streaming}, {@code log-sample-fraction}, {@code launch-concurrency}, {@code
 * workload-identity}, {@code workload-identity.namespaces}, {@code workload-identity.client-id},
 * {@code queue} (Kueue LocalQueue), {@code queue-priority} (Kueue WorkloadPriorityClass), {@code
 * batching}, {@code batch-size}, {@code batch-window}, {@code batch-parallelism} (batched
 * fan-outs: one Indexed Job per batch).
 * Code may also set {@code api-qps}, {@code api-burst}, {@code api-retries}, {@code
 * watch-silence-bound} and {@code env} (a table of plain variables; credential-looking names are
 * refused). Unknown keys and refused values fail with every key and what was expected.
 *
 * <p>Shells made by one provider instance share one client (and its watches and API budget) per
 * kube context: the one given to {@link #withClient}, else one built like {@code kubectl} does and
 * closed with the last of its shells. {@link #customize} changes options after the settings have
 * filled them (labels, env references, a Job customizer). Thread-safe.
 */
public final class KubernetesShellProvider implements Shell.Provider {
  private static final Logger log = LoggerFactory.getLogger(KubernetesShellProvider.class);
  /** The old name of {@code image-pull-timeout}, still read (settings from code, older files). */
  private static final String IMAGE_PULL_BOUND = "image-pull-bound";
  static final String IMAGE_PULL_BOUND_RENAMED = "image-pull-bound: deprecated: renamed image-pull-timeout; read as "
      + "image-pull-timeout for now, but the old name will stop working in a later release: write image-pull-timeout instead";

  private static final Set<String> KEYS = Set.of("namespace", "kube-context", "cloud", "registry", "image",
      "image-pull-policy", "service-account", "resources.cpu", "resources.cpu-limit", "resources.memory",
      "resources.memory-limit", "resources.ephemeral-storage", "resources.gpus", "tolerations", "ttl-after-finished",
      "backoff-limit", "active-deadline", "pending-timeout", "image-pull-timeout", IMAGE_PULL_BOUND, "max-eviction-retries", "log-streaming",
      "log-sample-fraction", "launch-concurrency", "workload-identity", "workload-identity.namespaces",
      "workload-identity.client-id", "queue", "queue-priority", "batching", "batch-size", "batch-window", "batch-parallelism", "api-qps", "api-burst", "api-retries", "watch-silence-bound", "env");

  private final KubernetesClient client;
  private final List<UnaryOperator<KubernetesShellOptions.Builder>> customizers;
  /** The first live shell per kube context; later ones are its siblings. Guarded by {@code this}. */
  private final Map<Optional<String>, KubernetesShell> families = new LinkedHashMap<>();

  /** The provider {@code ServiceLoader} finds: clients built from the kubeconfig. */
  public KubernetesShellProvider() {
    this(null, List.of());
  }

  private KubernetesShellProvider(KubernetesClient client, List<UnaryOperator<KubernetesShellOptions.Builder>> customizers) {
    this.client = client;
    this.customizers = List.copyOf(customizers);
  }

  /** A provider whose shells all use {@code client}; the caller keeps it and closes it. */
  public static KubernetesShellProvider withClient(KubernetesClient client) {
    return new KubernetesShellProvider(Objects.requireNonNull(client, "client"), List.of());
  }

  /**
   * A provider like this one that also applies {@code customizer} to the options of every shell,
   * after the settings: code beats configuration.
   */
  public KubernetesShellProvider customize(UnaryOperator<KubernetesShellOptions.Builder> customizer) {
    List<UnaryOperator<KubernetesShellOptions.Builder>> all = new ArrayList<>(customizers);
    all.add(Objects.requireNonNull(customizer, "customizer"));
    return new KubernetesShellProvider(client, all);
  }

  @Override
  public String name() {
    return "kubernetes";
  }

  /**
   * A shell for {@code settings}, a sibling of this provider's earlier shell for the same kube
   * context if one is still open.
   *
   * @throws IllegalArgumentException naming each unknown key and refused value
   * @throws PureRemoteException when no client can be set up for the kube context
   */
  @Override
  public synchronized Shell create(Shell.Settings settings) {
    KubernetesShellOptions.Builder b = options(settings);
    for (UnaryOperator<KubernetesShellOptions.Builder> c : customizers) {
      b = c.apply(b);
    }
    KubernetesShellOptions options = b.build();
    Optional<String> context = client != null ? Optional.empty() : options.kubeContext();
    KubernetesShell first = families.get(context);
    KubernetesShell shell;
    if (first != null && !first.isClosed()) {
      shell = first.withOptions(options);
    } else {
      shell = client != null ? new KubernetesShell(client, options) : fromKubeConfig(options);
      families.put(context, shell);
    }
    return shell;
  }

  private static KubernetesShell fromKubeConfig(KubernetesShellOptions options) {
    try {
      return KubernetesShell.fromKubeConfig(options);
    } catch (IllegalArgumentException e) {
      throw e;
    } catch (RuntimeException e) {
      throw new PureRemoteException("Cannot set up a Kubernetes client for "
          + options.kubeContext().map(c -> "kube context '" + c + "'").orElse("the current kubeconfig context")
          + ": " + e, e);
    }
  }

  /**
   * A builder holding everything {@code settings} say; refine it before building.
   *
   * @throws IllegalArgumentException naming each unknown key and each refused value
   */
  public static KubernetesShellOptions.Builder options(Shell.Settings settings) {
    KubernetesShellOptions.Builder b = KubernetesShellOptions.builder();
    List<String> problems = new ArrayList<>();
    try {
      settings.unknownKeys(KEYS);
    } catch (IllegalArgumentException e) {
      problems.add(e.getMessage());
    }
    Mapping m = new Mapping(settings, problems);
    m.apply("namespace", s -> s.string("namespace").ifPresent(b::namespace));
    m.apply("kube-context", s -> s.string("kube-context").ifPresent(b::kubeContext));
    m.apply("registry", s -> s.string("registry").ifPresent(b::registry));
    m.apply("image", s -> s.string("image").ifPresent(b::image));
    m.apply("image-pull-policy", s -> s.string("image-pull-policy").ifPresent(b::imagePullPolicy));
    m.apply("service-account", s -> s.string("service-account").ifPresent(b::serviceAccount));
    m.apply("resources.cpu", s -> s.string("resources.cpu").ifPresent(v -> b.resourceRequest("cpu", v)));
    m.apply("resources.cpu-limit", s -> s.string("resources.cpu-limit").ifPresent(v -> b.resourceLimit("cpu", v)));
    m.apply("resources.memory", s -> {
      Optional<String> limit = s.string("resources.memory-limit");
      s.string("resources.memory").ifPresentOrElse(v -> b.memory(v, limit.orElse(v)),
          () -> limit.ifPresent(v -> b.resourceLimit("memory", v)));
    });
    m.apply("resources.ephemeral-storage",
        s -> s.string("resources.ephemeral-storage").ifPresent(v -> b.ephemeralStorage(v, v)));
    m.apply("resources.gpus", s -> s.integer("resources.gpus").ifPresent(b::gpus));
    m.apply("tolerations", s -> {
      Optional<String> cloud = s.string("cloud");
      s.tables("tolerations").forEach(t -> b.toleration(toleration(t, cloud)));
    });
    m.apply("ttl-after-finished", s -> s.duration("ttl-after-finished").ifPresent(b::ttlAfterFinished));
    m.apply("backoff-limit", s -> s.integer("backoff-limit").ifPresent(b::backoffLimit));
    m.apply("active-deadline", s -> s.duration("active-deadline").ifPresent(b::activeDeadline));
    m.apply("pending-timeout", s -> s.duration("pending-timeout").ifPresent(b::pendingTimeout));
    m.apply("image-pull-timeout", s -> {
      Optional<Duration> old = s.duration(IMAGE_PULL_BOUND);
      old.ifPresent(d -> log.warn("{}: {}", settings.source(), IMAGE_PULL_BOUND_RENAMED));
      s.duration("image-pull-timeout").or(() -> old).ifPresent(b::imagePullBound);
    });
    m.apply("max-eviction-retries", s -> s.integer("max-eviction-retries").ifPresent(b::maxEvictionRetries));
    m.apply("log-streaming", s -> s.bool("log-streaming").ifPresent(b::logStreaming));
    m.apply("log-sample-fraction", s -> s.decimal("log-sample-fraction").ifPresent(b::logSampleFraction));
    m.apply("launch-concurrency", s -> s.integer("launch-concurrency").ifPresent(b::launchConcurrency));
    m.apply("queue", s -> s.string("queue").ifPresent(b::queueName));
    m.apply("queue-priority", s -> s.string("queue-priority").ifPresent(b::workloadPriorityClass));
    m.apply("batching", s -> s.bool("batching").ifPresent(b::batching));
    m.apply("batch-size", s -> s.integer("batch-size").ifPresent(b::batchSize));
    m.apply("batch-window", s -> s.duration("batch-window").ifPresent(b::batchWindow));
    m.apply("batch-parallelism", s -> s.integer("batch-parallelism").ifPresent(b::batchParallelism));
    m.apply("api-qps", s -> {
      if (s.keys().contains("api-qps") || s.keys().contains("api-burst")) {
        b.apiRate(s.decimal("api-qps").orElse(KubernetesSettings.API_QPS),
            s.integer("api-burst").orElse(KubernetesSettings.API_BURST));
      }
    });
    m.apply("api-retries", s -> s.integer("api-retries").ifPresent(b::apiRetries));
    m.apply("watch-silence-bound", s -> s.duration("watch-silence-bound").ifPresent(b::watchSilenceBound));
    m.apply("workload-identity", s -> {
      boolean forced = s.bool("workload-identity").orElse(false);
      Set<String> namespaces = new LinkedHashSet<>(s.strings("workload-identity.namespaces"));
      b.workloadIdentity(forced).workloadIdentityNamespaces(namespaces);
      boolean applies = forced || s.string("namespace").map(namespaces::contains).orElse(false);
      if (applies) {
        // A public identifier, not a credential: it selects which federated identity the SDK uses.
        s.string("workload-identity.client-id").ifPresent(id -> b.env(KubeConfigs.AZURE_CLIENT_ID, id));
      }
    });
    // Checked like env(...) itself: a credential-looking name is refused.
    m.apply("env", s -> s.table("env").forEach(b::env));
    if (!problems.isEmpty()) {
      throw new IllegalArgumentException("Invalid kubernetes shell settings from " + settings.source() + ":\n  - "
          + String.join("\n  - ", problems));
    }
    return b;
  }

  /** {@code {spot = "aks"}} (or {@code {spot = ""}} with {@code cloud}) or a taint's fields. */
  private static Toleration toleration(Map<String, String> t, Optional<String> cloud) {
    if (t.containsKey("spot")) {
      String which = t.get("spot").isEmpty() ? cloud.orElse("") : t.get("spot");
      return switch (which) {
        case "aks" -> Tolerations.spotAks();
        case "eks" -> Tolerations.spotEksKarpenter();
        case "gke" -> Tolerations.spotGke();
        default -> throw new IllegalArgumentException("spot toleration needs the cloud aks, eks or gke, got \""
            + which + "\"");
      };
    }
    Set<String> unknown = new LinkedHashSet<>(t.keySet());
    unknown.removeAll(Set.of("key", "operator", "value", "effect"));
    if (!unknown.isEmpty()) {
      throw new IllegalArgumentException("a toleration has key, operator, value and effect, not " + unknown);
    }
    return new TolerationBuilder()
        .withKey(blankToNull(t.get("key")))
        .withOperator(Optional.ofNullable(blankToNull(t.get("operator"))).orElse("Equal"))
        .withValue(blankToNull(t.get("value")))
        .withEffect(blankToNull(t.get("effect")))
        .build();
  }

  private static String blankToNull(String s) {
    return s == null || s.isEmpty() ? null : s;
  }

  /** Applies one key at a time so every refused value is reported, not only the first. */
  private record Mapping(Shell.Settings settings, List<String> problems) {
    void apply(String key, Consumer<Shell.Settings> step) {
      try {
        step.accept(settings);
      } catch (IllegalArgumentException e) {
        problems.add(key + ": " + e.getMessage());
      }
    }
  }
}
