package io.pureremote.config;

import io.pureremote.CallOptions;
import io.pureremote.RuntimeOptions.Progress;
import io.pureremote.RuntimeOptions;
import io.pureremote.spi.Shell;
import java.nio.file.Path;
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
 * The effective configuration: built-in defaults, then the TOML file, then {@code PUREREMOTE_*}
 * environment variables, then overrides given in code, with the selected team's values already
 * laid over the runtime-wide ones. Load it with {@link ConfigLoader}; change it in code with
 * {@link #toBuilder()}. Immutable and thread-safe.
 *
 * <pre>{@code
 * PureRemoteConfig config = ConfigLoader.load();              // $PUREREMOTE_CONFIG, ./.pureremote.toml, ~/.pureremote.toml
 * RuntimeOptions options = config.toRuntimeOptions();         // for RemoteRuntime.builder().options(...)
 * KubernetesConfig k8s = config.kubernetesFor("com.acme.Scoring#score");   // with the function's overrides
 * }</pre>
 *
 * @param source the file the configuration came from; empty when none was found
 * @param blobRoot URI of the memo store root
 * @param pipelineId grouping segment of memo paths
 * @param shell the shell calls run on: {@code local}, {@code in-process}, {@code kubernetes} or
 *     another registered shell
 * @param team the selected team, a key of {@link #teams()}
 * @param callDefaults timeout and exception policy of every function without its own
 * @param maxConcurrentCalls upper bound on calls in flight in one runtime
 * @param allowedPackages extra packages whose classes may appear in payloads
 * @param blobSettings backend settings for opening the blob root (endpoint, region); never credentials
 * @param teams every team of the file, by name
 * @param kubernetes the effective settings of the kubernetes shell
 * @param functions per-function settings, by function name
 * @param shellTables the runtime-wide tables of shells beyond the built-in ones ({@code [mpi]}, with
 *     the selected team's {@code [teams.<team>.mpi]} laid over), by shell name
 * @param progress where fan-out progress is reported
 * @param sharedFolder whether a {@code file:} blob root is a folder every pod also mounts at the
 *     same path ({@link RuntimeOptions#sharedFolder()})
 */
public record PureRemoteConfig(
    Optional<Path> source,
    String blobRoot,
    String pipelineId,
    String shell,
    Optional<String> team,
    CallOptions callDefaults,
    int maxConcurrentCalls,
    Set<String> allowedPackages,
    Map<String, String> blobSettings,
    Map<String, TeamConfig> teams,
    KubernetesConfig kubernetes,
    Map<String, FunctionConfig> functions,
    Map<String, Shell.Settings> shellTables,
    Progress progress,
    boolean sharedFolder) {

  /** The name of the Kubernetes shell. */
  public static final String KUBERNETES_SHELL = "kubernetes";

  /** Validates and copies; throws {@link IllegalArgumentException} listing every problem. */
  public PureRemoteConfig {
    Objects.requireNonNull(source, "source");
    Objects.requireNonNull(blobRoot, "blobRoot");
    Objects.requireNonNull(pipelineId, "pipelineId");
    Objects.requireNonNull(shell, "shell");
    Objects.requireNonNull(team, "team");
    Objects.requireNonNull(callDefaults, "callDefaults");
    allowedPackages = Collections.unmodifiableSet(new LinkedHashSet<>(allowedPackages));
    blobSettings = Collections.unmodifiableMap(new LinkedHashMap<>(blobSettings));
    teams = Collections.unmodifiableMap(new LinkedHashMap<>(teams));
    Objects.requireNonNull(kubernetes, "kubernetes");
    functions = Collections.unmodifiableMap(new LinkedHashMap<>(functions));
    shellTables = Collections.unmodifiableMap(new LinkedHashMap<>(shellTables));
    Objects.requireNonNull(progress, "progress");

    List<String> problems = new ArrayList<>();
    Values.checkBlobRoot(blobRoot).ifPresent(p -> problems.add("blob-root: " + p));
    Values.checkPipelineId(pipelineId).ifPresent(p -> problems.add("pipeline-id: " + p));
    if (shell.isBlank()) {
      problems.add("shell: must not be blank");
    }
    Map<String, TeamConfig> allTeams = teams;
    team.filter(t -> !allTeams.containsKey(t))
        .ifPresent(t -> problems.add("team: unknown team '" + t + "'; teams: " + allTeams.keySet()));
    if (maxConcurrentCalls < 1) {
      problems.add("call-concurrency: must be >= 1, got " + maxConcurrentCalls);
    }
    allowedPackages.forEach(p -> Values.checkPackage(p).ifPresent(x -> problems.add("allow-packages: " + x)));
    teams.forEach((k, v) -> {
      if (!k.equals(v.name())) {
        problems.add("teams: key '" + k + "' holds team '" + v.name() + "'");
      }
    });
    functions.forEach((k, v) -> {
      if (!k.equals(v.name())) {
        problems.add("functions: key '" + k + "' holds function '" + v.name() + "'");
      }
    });
    if (!problems.isEmpty()) {
      throw new IllegalArgumentException("Invalid configuration: " + String.join("; ", problems));
    }
  }

  /** The built-in defaults, as if no file and no environment variable were there. */
  public static PureRemoteConfig defaults() {
    return builder().build();
  }

  /** The selected team's section, if a team is selected. */
  public Optional<TeamConfig> selectedTeam() {
    return team.map(teams::get);
  }

  /** The shell {@code functionName} runs on: its own, else {@link #shell()}. */
  public String shellFor(String functionName) {
    FunctionConfig f = functions.get(functionName);
    return f == null ? shell : f.shell().orElse(shell);
  }

  /** Call options of {@code functionName}: its timeout and exception policy, else the defaults. */
  public CallOptions callOptions(String functionName) {
    FunctionConfig f = functions.get(functionName);
    if (f == null) {
      return callDefaults;
    }
    CallOptions.Builder b = callDefaults.toBuilder();
    f.timeout().ifPresent(b::timeout);
    f.exceptionPolicy().ifPresent(b::exceptionPolicy);
    return b.build();
  }

  /**
   * The Kubernetes settings of {@code functionName}'s Jobs: {@link #kubernetes()} with the
   * function's image, resources (value by value), tolerations (the whole list), Kueue queue
   * and priority, and batching.
   */
  public KubernetesConfig kubernetesFor(String functionName) {
    FunctionConfig f = functions.get(functionName);
    if (f == null || !f.shapesJob()) {
      return kubernetes;
    }
    KubernetesConfig.Builder b = kubernetes.toBuilder()
        .resources(kubernetes.resources().overriddenBy(f.resources()));
    f.image().ifPresent(b::image);
    f.tolerations().ifPresent(b::tolerations);
    f.queue().ifPresent(b::queue);
    f.queuePriority().ifPresent(b::queuePriority);
    f.batching().ifPresent(b::batching);
    return b.buildRead(); // the function's values were checked when it was built
  }

  /**
   * Shells that run pods: besides their own table they receive the pod keys of {@code
   * [kubernetes]} (namespace, context, image, service account, resources, tolerations, workload
   * identity) with the team's and the function's values, so a team states its cluster once.
   */
  public static final Set<String> POD_SHELLS = Set.of("mpi", "torch");

  /**
   * The prefix under which a pool shell with {@code fallback = "kubernetes"} receives the Job
   * shell's settings ({@code kubernetes.image}, ...), as the pool shell's provider reads them.
   */
  static final String POOL_FALLBACK_PREFIX = "kubernetes.";

  /** The {@code [kubernetes]} keys a {@linkplain #POD_SHELLS pod shell} receives; the Job-only ones stay behind. */
  private static final Set<String> POD_KEYS = Set.of("namespace", "kube-context", "cloud", "registry", "image",
      "image-pull-policy", "service-account", "resources.cpu", "resources.cpu-limit", "resources.memory",
      "resources.memory-limit", "resources.ephemeral-storage", "resources.gpus", "tolerations", "workload-identity",
      "workload-identity.namespaces", "workload-identity.client-id");

  /**
   * The settings the provider of {@code functionName}'s shell ({@link #shellFor}) receives: for
   * {@code kubernetes}, {@link #kubernetesFor} keyed by the names in {@code [kubernetes]}; for a
   * shell beyond the built-in ones, its table ({@code [mpi]}, the team's {@code [teams.<team>.mpi]}
   * laid over, then the function's {@code [functions."<name>".mpi]}), on top of the pod keys of
   * {@code [kubernetes]} for {@linkplain #POD_SHELLS pod shells}; for {@code local} and {@code
   * in-process}, none.
   *
   * @param functionName a function's name, or {@code ""} for the shell of every other function
   */
  public Shell.Settings shellSettings(String functionName) {
    String shellName = shellFor(functionName);
    String where = source.map(Path::toString).orElse("configuration");
    boolean ownSection = !functionName.isEmpty() && functions.containsKey(functionName);
    if (shellName.equals(KUBERNETES_SHELL)) {
      return kubernetesFor(functionName).toShellSettings(!ownSection
          ? where + " [kubernetes]" : where + " [kubernetes] with [functions.\"" + functionName + "\"]");
    }
    Optional<Shell.Settings> table = Optional.ofNullable(shellTables.get(shellName));
    Optional<Shell.Settings> own = ownSection ? functions.get(functionName).shellTable() : Optional.empty();
    boolean pods = POD_SHELLS.contains(shellName);
    if (!pods && table.isEmpty() && own.isEmpty() && !shellName.startsWith(ConfigKeys.POOL_SHELL_PREFIX)) {
      return Shell.Settings.empty();
    }
    List<String> parts = new ArrayList<>();
    if (pods) {
      parts.add("[kubernetes] pod keys");
    }
    parts.add("[" + shellName + "]");
    own.ifPresent(t -> parts.add("[functions.\"" + functionName + "\"." + shellName + "]"));
    Shell.Settings.Builder b = Shell.Settings.builder(where + " " + String.join(" + ", parts));
    if (pods) {
      kubernetesFor(functionName).toShellSettings(where).values().forEach((k, v) -> {
        if (POD_KEYS.contains(k)) {
          b.put(k, v);
        }
      });
    }
    Object fallback = own.map(t -> t.values().get("fallback"))
        .or(() -> table.map(t -> t.values().get("fallback"))).orElse(null);
    boolean poolFallsBack = shellName.startsWith(ConfigKeys.POOL_SHELL_PREFIX)
        && fallback instanceof String f && f.equalsIgnoreCase("kubernetes");
    if (poolFallsBack) {
      // The Jobs a pool falls back to get the settings a Job of this function would: [kubernetes],
      // the team's, the function's; the pool's own kubernetes.* keys ([pools.<name>.kubernetes]) beat them.
      kubernetesFor(functionName).toShellSettings(where).values().forEach((k, v) -> b.put(POOL_FALLBACK_PREFIX + k, v));
    }
    table.ifPresent(t -> b.putAll(t.values()));
    own.ifPresent(t -> b.putAll(t.values()));
    if (shellName.startsWith(ConfigKeys.POOL_SHELL_PREFIX)) {
      b.put("name", shellName.substring(ConfigKeys.POOL_SHELL_PREFIX.length())); // the pool the shell name names
    }
    return b.build();
  }

  /** Whether any call runs on the kubernetes shell: the default shell or a function's. */
  public boolean usesKubernetes() {
    return shell.equals(KUBERNETES_SHELL)
        || functions.values().stream().anyMatch(f -> f.shell().filter(KUBERNETES_SHELL::equals).isPresent());
  }

  /**
   * The core runtime options: blob root and settings, pipeline id, shell name, call defaults,
   * per-function call options (for functions that set a timeout or exception policy), allowed
   * packages, the concurrency bound, progress reporting and the shared-folder declaration. Lease timing and the remote environment keep their core
   * defaults; set them on the runtime builder.
   */
  public RuntimeOptions toRuntimeOptions() {
    RuntimeOptions.Builder b = RuntimeOptions.builder()
        .blobRoot(blobRoot)
        .pipelineId(pipelineId)
        .shell(shell)
        .callDefaults(callDefaults)
        .maxConcurrentCalls(maxConcurrentCalls)
        .progress(progress)
        .sharedFolder(sharedFolder)
        .allowPackages(allowedPackages.toArray(String[]::new));
    blobSettings.forEach(b::blobSetting);
    functions.values().stream()
        .filter(f -> f.timeout().isPresent() || f.exceptionPolicy().isPresent())
        .forEach(f -> b.function(f.name(), callOptions(f.name())));
    return b.build();
  }

  /** A builder with the built-in defaults. */
  public static Builder builder() {
    return new Builder();
  }

  /** A builder starting from these values: the way code overrides loaded configuration. */
  public Builder toBuilder() {
    Builder b = new Builder();
    b.source = source.orElse(null);
    b.blobRoot = blobRoot;
    b.pipelineId = pipelineId;
    b.shell = shell;
    b.team = team.orElse(null);
    b.callDefaults = callDefaults;
    b.maxConcurrentCalls = maxConcurrentCalls;
    b.allowedPackages.addAll(allowedPackages);
    b.blobSettings.putAll(blobSettings);
    b.teams.putAll(teams);
    b.kubernetes = kubernetes;
    b.functions.putAll(functions);
    b.shellTables.putAll(shellTables);
    b.progress = progress;
    b.sharedFolder = sharedFolder;
    return b;
  }

  /**
   * Builder for {@link PureRemoteConfig}; not thread-safe. It sets final values: selecting another
   * team here does not re-derive the namespace or image from it; load with {@code
   * ConfigLoader.builder().override("team", ...)} for that.
   */
  public static final class Builder {
    private Path source;
    private String blobRoot = RuntimeOptions.defaultBlobRoot();
    private String pipelineId = RuntimeOptions.DEFAULT_PIPELINE_ID;
    private String shell = RuntimeOptions.DEFAULT_SHELL;
    private String team;
    private CallOptions callDefaults = CallOptions.DEFAULTS;
    private int maxConcurrentCalls = ConfigKeys.DEFAULT_CALL_CONCURRENCY;
    private final Set<String> allowedPackages = new LinkedHashSet<>();
    private final Map<String, String> blobSettings = new LinkedHashMap<>();
    private final Map<String, TeamConfig> teams = new LinkedHashMap<>();
    private KubernetesConfig kubernetes;
    private final Map<String, FunctionConfig> functions = new LinkedHashMap<>();
    private final Map<String, Shell.Settings> shellTables = new LinkedHashMap<>();
    private Progress progress = Progress.AUTO;
    private boolean sharedFolder;

    private Builder() {}

    /** Whether a {@code file:} blob root is a folder every pod also mounts. Defaults to false. */
    public Builder sharedFolder(boolean sharedFolder) {
      this.sharedFolder = sharedFolder;
      return this;
    }

    /** Where fan-out progress is reported. Defaults to {@link Progress#AUTO}. */
    public Builder progress(Progress progress) {
      this.progress = Objects.requireNonNull(progress, "progress");
      return this;
    }

    /** The file the values came from. Defaults to none. */
    public Builder source(Path source) {
      this.source = source;
      return this;
    }

    /** The memo store root URI. Defaults to {@code ~/.pureremote} as a file URI. */
    public Builder blobRoot(String blobRoot) {
      this.blobRoot = blobRoot;
      return this;
    }

    /** The pipeline id. Defaults to {@value RuntimeOptions#DEFAULT_PIPELINE_ID}. */
    public Builder pipelineId(String pipelineId) {
      this.pipelineId = pipelineId;
      return this;
    }

    /** The shell name. Defaults to {@value RuntimeOptions#DEFAULT_SHELL}. */
    public Builder shell(String shell) {
      this.shell = shell;
      return this;
    }

    /** The selected team; {@code null} for none. Defaults to none. */
    public Builder team(String team) {
      this.team = team;
      return this;
    }

    /** Timeout and exception policy of every function. Defaults to {@link CallOptions#DEFAULTS}. */
    public Builder callDefaults(CallOptions callDefaults) {
      this.callDefaults = Objects.requireNonNull(callDefaults, "callDefaults");
      return this;
    }

    /** Calls in flight at once. Defaults to the core runtime's default, 512. */
    public Builder maxConcurrentCalls(int maxConcurrentCalls) {
      this.maxConcurrentCalls = maxConcurrentCalls;
      return this;
    }

    /** Replaces the extra packages allowed in payloads. Defaults to none. */
    public Builder allowedPackages(Set<String> packages) {
      allowedPackages.clear();
      allowedPackages.addAll(packages);
      return this;
    }

    /** A blob store setting such as {@code endpoint}. Defaults to none. */
    public Builder blobSetting(String name, String value) {
      blobSettings.put(Objects.requireNonNull(name, "name"), Objects.requireNonNull(value, "value"));
      return this;
    }

    /** Adds or replaces a team. Defaults to none. */
    public Builder team(TeamConfig team) {
      teams.put(team.name(), team);
      return this;
    }

    /** The Kubernetes settings. Defaults to {@link KubernetesConfig#builder()}'s. */
    public Builder kubernetes(KubernetesConfig kubernetes) {
      this.kubernetes = Objects.requireNonNull(kubernetes, "kubernetes");
      return this;
    }

    /** Adds or replaces a function's settings. Defaults to none. */
    public Builder function(FunctionConfig function) {
      functions.put(function.name(), function);
      return this;
    }

    /**
     * The runtime-wide table of a shell beyond the built-in ones ({@code [mpi]}), replacing any
     * earlier one. Defaults to none.
     */
    public Builder shellTable(String shell, Shell.Settings table) {
      shellTables.put(Objects.requireNonNull(shell, "shell"), Objects.requireNonNull(table, "table"));
      return this;
    }

    /** Removes a function's settings. */
    public Builder removeFunction(String name) {
      functions.remove(name);
      return this;
    }

    /** Builds and validates. */
    public PureRemoteConfig build() {
      return new PureRemoteConfig(Optional.ofNullable(source), blobRoot, pipelineId, shell, Optional.ofNullable(team),
          callDefaults, maxConcurrentCalls, allowedPackages, blobSettings, teams,
          kubernetes != null ? kubernetes : KubernetesConfig.builder().build(), functions, shellTables, progress, sharedFolder);
    }
  }
}
