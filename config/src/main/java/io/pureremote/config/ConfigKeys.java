package io.pureremote.config;

import io.pureremote.CallOptions.ExceptionPolicy;
import io.pureremote.RuntimeOptions.Progress;
import io.pureremote.RuntimeOptions;
import io.pureremote.k8s.values.KubernetesSettings;
import io.pureremote.k8s.values.KubernetesValues;
import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.TreeSet;

/**
 * Every configuration key: where it lives, its type, default and environment variable, and what it
 * means. The one list the TOML reader, the environment reader and the documentation table
 * (docs/configuration.md, checked by a test) are made from.
 */
final class ConfigKeys {
  /** Where a key lives: the top level (and {@code [kubernetes]}), a team section, or a function section. */
  enum Scope { ROOT, TEAM, FUNCTION }

  /**
   * One key.
   *
   * @param scope where it lives
   * @param name its dotted name inside the scope, e.g. {@code kubernetes.resources.cpu}
   * @param kind its type
   * @param env its environment variable, or {@code null} (team and function keys have none)
   * @param defaultText the default, as the documentation states it
   * @param description what it does
   */
  record KeySpec(Scope scope, String name, Kind kind, String env, String defaultText, String description) {
    /** The key as a TOML path, with placeholders for team and function names. */
    String path() {
      return switch (scope) {
        case ROOT -> name;
        case TEAM -> "teams.<team>." + name;
        case FUNCTION -> "functions.\"<function>\"." + name;
      };
    }
  }

  /** Default of {@code call-concurrency}: the core runtime's own default. */
  static final int DEFAULT_CALL_CONCURRENCY = RuntimeOptions.builder().build().maxConcurrentCalls();

  /** Prefix of every variable; blob settings use {@code PUREREMOTE_STORE_<NAME>}, as remote processes do. */
  static final String ENV_PREFIX = "PUREREMOTE_";
  static final String BLOB_SETTINGS = "blob-settings";
  static final String TEAMS = "teams";
  static final String FUNCTIONS = "functions";

  /** Shell names every installation has; backend modules add theirs through ServiceLoader. */
  static final Set<String> BUILT_IN_SHELLS = Set.of("in-process", "local", PureRemoteConfig.KUBERNETES_SHELL);

  /** Blob root schemes of the core and the store modules, accepted even when a module is not on the class path. */
  static final Set<String> BUILT_IN_SCHEMES = Set.of("file", "s3", "abfss", "adls");
  /** The Kubernetes pool shell's provider name; {@code shell = "pool:<name>"} selects the pool of that name. */
  static final String POOL_SHELL = "pool";
  /** {@code pool:}, the prefix of a shell name that names a Kubernetes pool. */
  static final String POOL_SHELL_PREFIX = POOL_SHELL + ":";
  /** {@code [pools.<name>]}: the settings of the pool shell for the pool of that name. */
  static final String POOLS = "pools";

  private static final Kind NAMESPACE = Kind.text("namespace name", KubernetesValues::namespaceProblem);
  private static final Kind BLOB_ROOT = Kind.blobRoot();
  private static final Kind REGISTRY = Kind.text("registry host", KubernetesValues::registryProblem);
  private static final Kind IMAGE = Kind.text("image reference", KubernetesValues::imageProblem);
  private static final Kind SERVICE_ACCOUNT = Kind.text("service account name", KubernetesValues::serviceAccountProblem);
  private static final Kind CLIENT_ID = Kind.text("GUID", KubernetesValues::azureClientIdProblem);
  private static final Kind CLOUD = Kind.choice(clouds());
  private static final Kind EXCEPTION_POLICY = Kind.choice(exceptionPolicies());
  private static final Kind TIMEOUT = Kind.duration(Duration.ZERO, "duration");
  private static final Kind QUEUE = Kind.text("Kueue LocalQueue name", KubernetesSettings::queueProblem);
  private static final Kind QUEUE_PRIORITY = Kind.text("Kueue WorkloadPriorityClass name", KubernetesSettings::queuePriorityProblem);

  static final List<KeySpec> ALL = List.of(
      root("blob-root", BLOB_ROOT, "`file:` URI of `~/.pureremote`",
          "Memo store root: `file:///…`, `s3://bucket/prefix` or `abfss://container@account.dfs.core.windows.net/path`."),
      root("shared-folder", Kind.bool(), "`false`",
          "`true`: a `file:` blob root is a folder every pod also mounts at the same path, so the Kubernetes shells may use it."),
      root("pipeline-id", Kind.text("pipeline id", Values::checkPipelineId), "`default`",
          "Grouping segment of memo paths; never random per run."),
      root("shell", Kind.shell(), "`local`",
          "Where calls run: `in-process` (tests), `local` (a child JVM), `kubernetes` (a Job)."),
      root("team", Kind.nonBlank("team name"), "none",
          "Selects `[teams.<team>]`, whose values replace the runtime-wide ones."),
      root("timeout", TIMEOUT, "none", "Longest wait for one call, launch to result; `0s` means no limit."),
      root("exception-policy", EXCEPTION_POLICY, "`rerun`",
          "`rerun`: a stored error re-runs the call; `memoize`: it is rethrown."),
      root("call-concurrency", Kind.integer(1), Integer.toString(DEFAULT_CALL_CONCURRENCY),
          "Calls in flight at once in one runtime."),
      root("progress", Kind.choice(progressModes()), "`auto`",
          "Fan-out progress: `auto` (a live line on an interactive terminal, else INFO log lines), `terminal`, `log` or `off`."),
      root("allow-packages", Kind.stringList("array of package names", Values::checkPackage), "none",
          "Extra packages whose classes may appear in arguments and results (comma-separated in the variable)."),
      new KeySpec(Scope.ROOT, BLOB_SETTINGS + ".<name>", Kind.stringTable(), ENV_PREFIX + "STORE_<NAME>", "none",
          "Blob store settings such as `endpoint` or `region` (`endpoint` ↔ `PUREREMOTE_STORE_ENDPOINT`); never credentials."),

      team("namespace", NAMESPACE, "the team name as a DNS-1123 label", "The team's namespace."),
      team("kube-context", Kind.nonBlank("kubeconfig context"), "`kubernetes.kube-context`",
          "The kubeconfig context of the team's cluster."),
      team("blob-root", BLOB_ROOT, "`blob-root`", "The team's memo store root."),
      team("shell", Kind.shell(), "`shell`", "Where the team's calls run, e.g. `pool:<name>`; a function's `shell` beats it."),
      new KeySpec(Scope.TEAM, BLOB_SETTINGS + ".<name>", Kind.stringTable(), null, "none",
          "Settings for the team's `blob-root`; used instead of the top-level `[blob-settings]` when the team sets `blob-root`."),
      team("registry", REGISTRY, "`kubernetes.registry`", "The team's image registry."),
      team("image", IMAGE, "`kubernetes.image`", "The team's application image."),
      team("service-account", SERVICE_ACCOUNT, "`kubernetes.service-account`", "The team's service account."),
      team("workload-identity", Kind.bool(), "`false`",
          "Azure workload identity in the team's namespace even if `kubernetes.workload-identity.namespaces` does not list it."),
      team("azure-client-id", CLIENT_ID, "`kubernetes.workload-identity.client-id`",
          "Client id of the team's Azure managed identity."),
      team("cloud", CLOUD, "`kubernetes.cloud`", "The cloud of the team's cluster."),
      team("queue", QUEUE, "`kubernetes.queue`", "The Kueue LocalQueue of the team's Jobs."),
      team("queue-priority", QUEUE_PRIORITY, "`kubernetes.queue-priority`", "The Kueue WorkloadPriorityClass of the team's Jobs."),

      root("kubernetes.namespace", NAMESPACE, "the user name as a DNS-1123 label",
          "Namespace of the Jobs when no team is selected; the variable (or code) beats a team's namespace too."),
      root("kubernetes.kube-context", Kind.nonBlank("kubeconfig context"), "the current context",
          "The kubeconfig context to connect with (in a pod: the service account)."),
      root("kubernetes.cloud", CLOUD, "none",
          "The cluster's cloud; toleration `spot` means `spot-<cloud>`."),
      root("kubernetes.registry", REGISTRY, "none",
          "Registry that unqualified images are prefixed with (`team/app:1` → `<registry>/team/app:1`)."),
      root("kubernetes.image", IMAGE, "none (required by the kubernetes shell)",
          "The application image; its entrypoint runs `io.pureremote.RemoteMain`."),
      root("kubernetes.image-pull-policy", Kind.choice(pullPolicies()), code(KubernetesSettings.IMAGE_PULL_POLICY),
          "The container's image pull policy."),
      root("kubernetes.service-account", SERVICE_ACCOUNT, "the namespace's default", "The pods' service account."),
      root("kubernetes.resources.cpu", Kind.cpu(), "none", "CPU request (`500m`, `2`, `1.5`); no limit unless `cpu-limit`."),
      root("kubernetes.resources.cpu-limit", Kind.cpu(), "none", "CPU limit."),
      root("kubernetes.resources.memory", Kind.bytes(), "none",
          "Memory request, also the limit unless `memory-limit` (`512Mi`, `4Gi`, `1e9`)."),
      root("kubernetes.resources.memory-limit", Kind.bytes(), "`memory`", "Memory limit."),
      root("kubernetes.resources.ephemeral-storage", Kind.bytes(), "none", "Node-local scratch space, request and limit."),
      root("kubernetes.resources.gpus", Kind.integer(0), "0", "NVIDIA GPUs (`nvidia.com/gpu`)."),
      root("kubernetes.tolerations", Kind.tolerations(), "none",
          "`spot`, `spot-aks`, `spot-eks`, `spot-gke`, or `{key, operator, value, effect}` tables (comma-separated names in the variable)."),
      root("kubernetes.ttl-after-finished", TIMEOUT, code(KubernetesSettings.TTL_AFTER_FINISHED), "How long finished Jobs are kept."),
      root("kubernetes.backoff-limit", Kind.integer(0), Integer.toString(KubernetesSettings.BACKOFF_LIMIT),
          "Pod retries by the Job controller."),
      root("kubernetes.active-deadline", Kind.duration(KubernetesSettings.MIN_ACTIVE_DEADLINE, "duration"), "none",
          "Longest run of a Job; then it fails with `DeadlineExceeded`."),
      root("kubernetes.pending-timeout", Kind.duration(Duration.ofSeconds(1), "duration"), code(KubernetesSettings.PENDING_TIMEOUT),
          "How long a pod may stay unschedulable before the call fails."),
      root("kubernetes.image-pull-timeout", Kind.duration(Duration.ofSeconds(1), "duration"), code(KubernetesSettings.IMAGE_PULL_TIMEOUT),
          "How long an image pull may keep failing before the call fails."),
      root("kubernetes.max-eviction-retries", Kind.integer(0), Integer.toString(KubernetesSettings.MAX_EVICTION_RETRIES),
          "Evictions (spot reclaim, drain) one call survives without spending its retries."),
      root("kubernetes.log-streaming", Kind.bool(), code(KubernetesSettings.LOG_STREAMING), "Whether pod logs follow to the caller's log."),
      root("kubernetes.log-sample-fraction", Kind.fraction(), Double.toString(KubernetesSettings.LOG_SAMPLE_FRACTION),
          "Fraction of calls whose logs are followed."),
      root("kubernetes.launch-concurrency", Kind.integer(1), Integer.toString(KubernetesSettings.LAUNCH_CONCURRENCY),
          "Job creations in flight at once."),
      root("kubernetes.queue", QUEUE, "none",
          "Kueue LocalQueue in the namespace: Jobs get label `kueue.x-k8s.io/queue-name`; Kueue suspends and admits them."),
      root("kubernetes.queue-priority", QUEUE_PRIORITY, "none",
          "Kueue WorkloadPriorityClass: Jobs get label `kueue.x-k8s.io/priority-class`."),
      root("kubernetes.batching", Kind.bool(), code(KubernetesSettings.BATCHING),
          "Misses of one function launched together run as one Indexed Job per batch (on Kubernetes 1.33+; before, one Job per call)."),
      root("kubernetes.batch-size", Kind.integer(1, KubernetesSettings.MAX_BATCH_SIZE), Integer.toString(KubernetesSettings.BATCH_SIZE),
          "The most calls in one batch Job (at most " + KubernetesSettings.MAX_BATCH_SIZE + ")."),
      root("kubernetes.workload-identity.namespaces", Kind.stringList("array of namespace names", KubernetesValues::namespaceProblem),
          "none",
          "Namespaces where pods get label `azure.workload.identity/use: \"true\"` and the service account (comma-separated in the variable)."),
      root("kubernetes.workload-identity.client-id", CLIENT_ID, "none",
          "Azure managed identity client id, set as `AZURE_CLIENT_ID` in pods where workload identity applies."),

      function("shell", Kind.shell(), "`shell`", "The function's shell."),
      function("timeout", TIMEOUT, "`timeout`", "The function's call timeout."),
      function("exception-policy", EXCEPTION_POLICY, "`exception-policy`", "The function's exception policy."),
      function("image", IMAGE, "`kubernetes.image`", "The image of the function's Jobs."),
      function("resources.cpu", Kind.cpu(), "`kubernetes.resources.cpu`", "CPU request of the function's Jobs."),
      function("resources.cpu-limit", Kind.cpu(), "`kubernetes.resources.cpu-limit`", "CPU limit."),
      function("resources.memory", Kind.bytes(), "`kubernetes.resources.memory`", "Memory request (and limit)."),
      function("resources.memory-limit", Kind.bytes(), "`kubernetes.resources.memory-limit`", "Memory limit."),
      function("resources.ephemeral-storage", Kind.bytes(), "`kubernetes.resources.ephemeral-storage`",
          "Ephemeral storage."),
      function("resources.gpus", Kind.integer(0), "`kubernetes.resources.gpus`", "NVIDIA GPUs."),
      function("tolerations", Kind.tolerations(), "`kubernetes.tolerations`",
          "Replaces the whole list; `[]` keeps the function off tainted (e.g. spot) nodes."),
      function("queue", QUEUE, "`kubernetes.queue`", "The Kueue LocalQueue of the function's Jobs."),
      function("queue-priority", QUEUE_PRIORITY, "`kubernetes.queue-priority`",
          "The Kueue WorkloadPriorityClass of the function's Jobs."),
      function("batching", Kind.bool(), "`kubernetes.batching`",
          "`false`: one Job per call of this function, never a batch Job."));

  /**
   * Team keys that replace a runtime-wide key when the team is selected: runtime-wide name → team
   * name. The namespace is handled apart: a team always has one.
   */
  static final Map<String, String> TEAM_OVERLAY = orderedMap(
      "blob-root", "blob-root",
      "shell", "shell",
      "kubernetes.kube-context", "kube-context",
      "kubernetes.registry", "registry",
      "kubernetes.image", "image",
      "kubernetes.service-account", "service-account",
      "kubernetes.cloud", "cloud",
      "kubernetes.workload-identity.client-id", "azure-client-id",
      "kubernetes.queue", "queue",
      "kubernetes.queue-priority", "queue-priority");

  /**
   * Keys renamed to follow the naming rule (docs/configuration.md, "Names"): old name → new name,
   * both top-level. A file, variable or override with the old name is read as the new one, with a
   * warning that names the new key; setting both is a problem.
   */
  static final Map<String, String> RENAMED = orderedMap(
      "max-concurrent-calls", "call-concurrency",
      "kubernetes.image-pull-bound", "kubernetes.image-pull-timeout");

  private ConfigKeys() {}

  /** The warning at an old key (its origin names it, as written: a TOML key or a variable), renamed {@code renamed}. */
  static String renamedWarning(String renamed) {
    return "deprecated: renamed " + renamed + "; read as " + renamed + " for now, but the old name will stop working "
        + "in a later release: write " + renamed + " instead";
  }

  static Map<String, KeySpec> byName(Scope scope) {
    Map<String, KeySpec> m = new LinkedHashMap<>();
    for (KeySpec k : ALL) {
      if (k.scope() == scope && !k.name().startsWith(BLOB_SETTINGS + ".")) {
        m.put(k.name(), k);
      }
    }
    return m;
  }

  /** The names a table at {@code prefix} (empty for the top) may hold in {@code scope}. */
  static Set<String> childrenOf(Scope scope, String prefix) {
    Set<String> children = new TreeSet<>();
    String p = prefix.isEmpty() ? "" : prefix + ".";
    for (KeySpec k : ALL) {
      if (k.scope() == scope && k.name().startsWith(p)) {
        String rest = k.name().substring(p.length());
        int dot = rest.indexOf('.');
        children.add(dot < 0 ? rest : rest.substring(0, dot));
      }
    }
    children.remove("<name>");
    if (scope == Scope.ROOT && prefix.isEmpty()) {
      children.add(TEAMS);
      children.add(FUNCTIONS);
    }
    return children;
  }

  /** {@code kubernetes.resources.cpu} → {@code PUREREMOTE_KUBERNETES_RESOURCES_CPU}. */
  static String envName(String name) {
    return ENV_PREFIX + name.toUpperCase(Locale.ROOT).replace('.', '_').replace('-', '_');
  }

  /** A default as the documentation table writes it: {@code `1h`}, {@code `true`}. */
  private static String code(Object value) {
    return "`" + (value instanceof Duration d ? Values.formatDuration(d) : value) + "`";
  }

  private static KeySpec root(String name, Kind kind, String defaultText, String description) {
    return new KeySpec(Scope.ROOT, name, kind, envName(name), defaultText, description);
  }

  private static KeySpec team(String name, Kind kind, String defaultText, String description) {
    return new KeySpec(Scope.TEAM, name, kind, null, defaultText, description);
  }

  private static KeySpec function(String name, Kind kind, String defaultText, String description) {
    return new KeySpec(Scope.FUNCTION, name, kind, null, defaultText, description);
  }

  private static Map<String, Cloud> clouds() {
    Map<String, Cloud> m = new LinkedHashMap<>();
    for (Cloud c : Cloud.values()) {
      m.put(c.id(), c);
    }
    return m;
  }

  private static Map<String, ExceptionPolicy> exceptionPolicies() {
    Map<String, ExceptionPolicy> m = new LinkedHashMap<>();
    for (ExceptionPolicy p : ExceptionPolicy.values()) {
      m.put(p.name().toLowerCase(Locale.ROOT), p);
    }
    return m;
  }

  private static Map<String, Progress> progressModes() {
    Map<String, Progress> m = new LinkedHashMap<>();
    for (Progress p : Progress.values()) {
      m.put(p.name().toLowerCase(Locale.ROOT), p);
    }
    return m;
  }

  private static Map<String, String> pullPolicies() {
    Map<String, String> m = new LinkedHashMap<>();
    for (String p : KubernetesSettings.IMAGE_PULL_POLICIES) {
      m.put(p, p);
    }
    return m;
  }

  private static Map<String, String> orderedMap(String... pairs) {
    Map<String, String> m = new LinkedHashMap<>();
    for (int i = 0; i < pairs.length; i += 2) {
      m.put(pairs[i], pairs[i + 1]);
    }
    return java.util.Collections.unmodifiableMap(m);
  }

  /** The documentation table: one row per key, in {@link #ALL}'s order. */
  static String markdownTable() {
    List<String> rows = new ArrayList<>();
    rows.add("| Key | Type | Default | Environment variable | Description |");
    rows.add("|---|---|---|---|---|");
    for (KeySpec k : ALL) {
      rows.add("| `" + k.path() + "` | " + k.kind().type() + " | " + k.defaultText() + " | "
          + Optional.ofNullable(k.env()).map(e -> "`" + e + "`").orElse("—") + " | " + k.description() + " |");
    }
    return String.join("\n", rows) + "\n";
  }
}
