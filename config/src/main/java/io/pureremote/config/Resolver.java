package io.pureremote.config;

import io.pureremote.CallOptions;
import io.pureremote.CallOptions.ExceptionPolicy;
import io.pureremote.RuntimeOptions.Progress;
import io.pureremote.RuntimeOptions;
import io.pureremote.config.Kind.TolerationItem;
import io.pureremote.config.Layer.Setting;
import io.pureremote.spi.BlobStore;
import io.pureremote.k8s.values.KubernetesValues;
import io.pureremote.spi.Shell;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;
import java.util.OptionalInt;
import java.util.Set;

/**
 * Combines the layers into the effective configuration: code overrides beat environment variables,
 * which beat the selected team's section, which beats the rest of the file, which beats the
 * built-in defaults. Then checks what only the combination can tell (an unknown team, {@code spot}
 * without a cloud, the kubernetes shell without an image, workload identity without a service
 * account, requests above limits). Problems go to the {@link Reading}; one resolver per load.
 */
final class Resolver {
  private static final String DEFAULTS = "built-in defaults";
  private static final List<String> RESOURCE_KEYS =
      List.of("cpu", "cpu-limit", "memory", "memory-limit", "ephemeral-storage", "gpus");

  private final Layer file;
  private final Layer env;
  private final Layer code;
  private final Reading reading;
  private final Map<String, Setting> team;
  private final String teamName;
  private final Origin teamOrigin;

  private Resolver(Layer file, Layer env, Layer code, Reading reading, String noFileHint) {
    this.file = file;
    this.env = env;
    this.code = code;
    this.reading = reading;
    Setting selected = first(code.root.get("team"), env.root.get("team"), file.root.get("team"));
    String name = selected == null ? null : (String) selected.value();
    if (name != null && !file.teams.containsKey(name)) {
      String known = file.teams.isEmpty()
          ? (noFileHint != null ? "no configuration file was found, so no teams are defined (" + noFileHint + ")"
              : file.source + " defines no [teams.<name>] sections")
          : "teams in " + file.source + ": " + String.join(", ", file.teams.keySet())
              + Values.didYouMean(name, file.teams.keySet());
      reading.add(selected.origin(), "unknown team \"" + name + "\"; " + known);
      name = null;
    }
    this.teamName = name;
    this.team = name == null ? Map.of() : file.teams.get(name);
    this.teamOrigin = name == null ? null : file.teamOrigins.get(name);
  }

  /**
   * The effective configuration, or {@code null} when a problem was found (then {@code reading}
   * holds every problem).
   *
   * @param noFileHint where files were looked for, when none was found; {@code null} otherwise
   */
  static PureRemoteConfig resolve(Optional<Path> source, Layer file, Layer env, Layer code, Path home,
      String userName, String noFileHint, Reading reading) {
    return resolve(source, file, env, code, home, userName, noFileHint, reading, null);
  }

  /** As above; when the configuration is valid, also puts every key's winning value and origin in {@code sources}. */
  static PureRemoteConfig resolve(Optional<Path> source, Layer file, Layer env, Layer code, Path home,
      String userName, String noFileHint, Reading reading, List<ConfigLoader.Source> sources) {
    Resolver resolver = new Resolver(file, env, code, reading, noFileHint);
    PureRemoteConfig config = resolver.build(source, home, userName);
    if (config != null && sources != null) {
      sources.addAll(resolver.sources(config, userName));
    }
    return config;
  }

  /**
   * Each top-level and {@code [kubernetes]} key with the value that won and where it came from,
   * then the blob settings, then each function section's keys: what {@code pureremote config show}
   * prints.
   */
  private List<ConfigLoader.Source> sources(PureRemoteConfig config, String userName) {
    List<ConfigLoader.Source> out = new ArrayList<>();
    for (ConfigKeys.KeySpec spec : ConfigKeys.byName(ConfigKeys.Scope.ROOT).values()) {
      String name = spec.name();
      Setting s = name.equals("kubernetes.namespace") ? namespace(userName) : get(name);
      if (name.equals("blob-root") && s == null) {
        out.add(new ConfigLoader.Source(name, config.blobRoot(), DEFAULTS));
      } else if (s == null) {
        out.add(new ConfigLoader.Source(name, spec.defaultText().replace("`", ""), DEFAULTS));
      } else {
        out.add(new ConfigLoader.Source(name, render(s.value()), describe(s.origin())));
      }
    }
    effectiveBlobSettings().forEach((k, v) -> out.add(new ConfigLoader.Source(ConfigKeys.BLOB_SETTINGS + "." + k, render(v.value()),
        describe(v.origin()))));
    Map<String, Map<String, Setting>> shells = new LinkedHashMap<>();
    file.shellTables.forEach((shell, table) -> shells.computeIfAbsent(shell, k -> new LinkedHashMap<>()).putAll(table));
    if (teamName != null) {
      file.teamShellTables.getOrDefault(teamName, Map.of())
          .forEach((shell, table) -> shells.computeIfAbsent(shell, k -> new LinkedHashMap<>()).putAll(table));
    }
    shells.forEach((shell, table) -> table.forEach((k, v) ->
        out.add(new ConfigLoader.Source(shell + "." + k, render(v.value()), describe(v.origin())))));
    file.functionShellTables.forEach((function, tables) -> tables.forEach((shell, table) -> table.forEach((k, v) ->
        out.add(new ConfigLoader.Source(ConfigKeys.FUNCTIONS + "." + Origin.tomlKey(function) + "." + shell + "." + k,
            render(v.value()), describe(v.origin()))))));
    file.functions.forEach((function, settings) -> settings.forEach((k, v) -> out.add(new ConfigLoader.Source(
        ConfigKeys.FUNCTIONS + "." + Origin.tomlKey(function) + "." + k, render(v.value()), describe(v.origin())))));
    return out;
  }

  private static String describe(Origin o) {
    return switch (o.source()) {
      case Origin.ENVIRONMENT -> "environment variable " + o.key();
      case Origin.CODE -> "override in code (" + o.key() + ")";
      case DEFAULTS -> DEFAULTS + (o.key().equals("kubernetes.namespace") ? " (the user name as a DNS-1123 label)" : "");
      default -> o.source() + (o.line() > 0 ? ":" + o.line() + ":" + o.column() : "") + " " + o.key();
    };
  }

  private static String render(Object value) {
    if (value instanceof List<?> list) {
      return list.stream().map(Resolver::render).collect(java.util.stream.Collectors.joining(", ", "[", "]"));
    }
    if (value instanceof TolerationItem item) {
      return String.valueOf(item.item());
    }
    if (value instanceof Enum<?> e) {
      return e.name().toLowerCase(java.util.Locale.ROOT).replace('_', '-'); // as the file writes it
    }
    if (value instanceof Duration d) {
      return Values.formatDuration(d);
    }
    return String.valueOf(value);
  }

  private PureRemoteConfig build(Optional<Path> source, Path home, String userName) {
    Optional<Cloud> cloud = value("kubernetes.cloud", Cloud.class);
    KubernetesConfig kubernetes = kubernetes(cloud, userName);
    Map<String, FunctionConfig> functions = functions(cloud, kubernetes);
    String shell = value("shell", String.class).orElse(RuntimeOptions.DEFAULT_SHELL);
    if (kubernetes != null && !reading.hasProblems()) {
      // After other problems a missing image or service account is often their echo (a dropped
      // value, an unknown team); report it once the rest is fixed.
      checkKubernetesUse(shell, kubernetes, functions);
    }
    Setting root = get("blob-root");
    if (root != null) {
      checkStoreSettings((String) root.value(), root.origin(), effectiveBlobSettings());
    }
    file.teams.forEach((name, settings) -> {
      Setting teamRoot = settings.get("blob-root");
      if (teamRoot != null && !name.equals(teamName)) { // the selected team's were checked just above, with overrides
        checkStoreSettings((String) teamRoot.value(), teamRoot.origin(), file.teamBlobSettings.getOrDefault(name, Map.of()));
      }
    });
    if (reading.hasProblems()) {
      return null;
    }
    try {
      PureRemoteConfig.Builder b = PureRemoteConfig.builder()
          .source(source.orElse(null))
          .blobRoot(value("blob-root", String.class).orElseGet(() -> home.resolve(".pureremote").toUri().toString()))
          .pipelineId(value("pipeline-id", String.class).orElse(RuntimeOptions.DEFAULT_PIPELINE_ID))
          .shell(shell)
          .team(teamName)
          .callDefaults(CallOptions.builder().timeout(value("timeout", Duration.class).orElse(Duration.ZERO))
              .exceptionPolicy(value("exception-policy", ExceptionPolicy.class).orElse(ExceptionPolicy.RERUN)).build())
          .maxConcurrentCalls(value("call-concurrency", Integer.class).orElse(ConfigKeys.DEFAULT_CALL_CONCURRENCY))
          .progress(value("progress", Progress.class).orElse(Progress.AUTO))
          .sharedFolder(value("shared-folder", Boolean.class).orElse(false))
          .allowedPackages(new LinkedHashSet<>(this.<String>list("allow-packages")))
          .kubernetes(kubernetes);
      strings(effectiveBlobSettings()).forEach(b::blobSetting);
      shellTables().forEach(b::shellTable);
      file.teams.keySet().forEach(t -> b.team(team(t)));
      functions.values().forEach(b::function);
      return b.build();
    } catch (IllegalArgumentException e) {
      // The checks above mirror the records' own; this only catches a rule they miss.
      reading.add(new Origin(file.source, "", 0, 0), e.getMessage());
      return null;
    }
  }

  private KubernetesConfig kubernetes(Optional<Cloud> cloud, String userName) {
    KubernetesConfig.Builder b = KubernetesConfig.builder()
        .namespace((String) namespace(userName).value())
        .cloud(cloud.orElse(null))
        .kubeContext(value("kubernetes.kube-context", String.class).orElse(null))
        .registry(value("kubernetes.registry", String.class).orElse(null))
        .image(value("kubernetes.image", String.class).orElse(null))
        .serviceAccount(value("kubernetes.service-account", String.class).orElse(null))
        .workloadIdentity(teamValue("workload-identity", Boolean.class).orElse(false))
        .workloadIdentityNamespaces(new LinkedHashSet<>(this.<String>list("kubernetes.workload-identity.namespaces")))
        .workloadIdentityClientId(value("kubernetes.workload-identity.client-id", String.class).orElse(null))
        .queue(value("kubernetes.queue", String.class).orElse(null))
        .queuePriority(value("kubernetes.queue-priority", String.class).orElse(null));
    value("kubernetes.image-pull-policy", String.class).ifPresent(b::imagePullPolicy);
    value("kubernetes.ttl-after-finished", Duration.class).ifPresent(b::ttlAfterFinished);
    value("kubernetes.backoff-limit", Integer.class).ifPresent(b::backoffLimit);
    value("kubernetes.active-deadline", Duration.class).ifPresent(b::activeDeadline);
    value("kubernetes.pending-timeout", Duration.class).ifPresent(b::pendingTimeout);
    value("kubernetes.image-pull-timeout", Duration.class).ifPresent(b::imagePullBound);
    value("kubernetes.max-eviction-retries", Integer.class).ifPresent(b::maxEvictionRetries);
    value("kubernetes.log-streaming", Boolean.class).ifPresent(b::logStreaming);
    value("kubernetes.log-sample-fraction", Double.class).ifPresent(b::logSampleFraction);
    value("kubernetes.launch-concurrency", Integer.class).ifPresent(b::launchConcurrency);
    value("kubernetes.batching", Boolean.class).ifPresent(b::batching);
    value("kubernetes.batch-size", Integer.class).ifPresent(b::batchSize);

    Map<String, Setting> resources = new LinkedHashMap<>();
    for (String k : RESOURCE_KEYS) {
      Setting s = get("kubernetes.resources." + k);
      if (s != null) {
        resources.put(k, s);
      }
    }
    Resources r = resources(resources, resources);
    Setting tolerations = get("kubernetes.tolerations");
    List<TolerationConfig> t = tolerations == null ? List.of() : tolerations(tolerations, cloud);
    if (r == null || t == null) {
      return null;
    }
    return b.resources(r).tolerations(t).buildRead(); // each value was checked when read, with its line
  }

  private Map<String, FunctionConfig> functions(Optional<Cloud> cloud, KubernetesConfig kubernetes) {
    Map<String, FunctionConfig> result = new LinkedHashMap<>();
    file.functions.forEach((name, settings) -> {
      FunctionConfig.Builder b = FunctionConfig.builder(name)
          .shell(typed(settings.get("shell"), String.class))
          .timeout(typed(settings.get("timeout"), Duration.class))
          .exceptionPolicy(typed(settings.get("exception-policy"), ExceptionPolicy.class))
          .image(typed(settings.get("image"), String.class))
          .queue(typed(settings.get("queue"), String.class))
          .queuePriority(typed(settings.get("queue-priority"), String.class))
          .batching(typed(settings.get("batching"), Boolean.class));
      Map<String, Setting> own = new LinkedHashMap<>();
      Map<String, Setting> merged = new LinkedHashMap<>();
      for (String k : RESOURCE_KEYS) {
        Setting s = settings.get("resources." + k);
        if (s != null) {
          own.put(k, s);
        }
        Setting m = s != null ? s : (kubernetes == null ? null : get("kubernetes.resources." + k));
        if (m != null) {
          merged.put(k, m);
        }
      }
      // The function's values are checked as they will be used: laid over [kubernetes.resources].
      boolean ok = own.isEmpty() || resources(merged, own) != null;
      Resources r = ok ? resourcesUnchecked(own) : null;
      Setting tolerations = settings.get("tolerations");
      List<TolerationConfig> t = tolerations == null ? null : tolerations(tolerations, cloud);
      if (r == null || (tolerations != null && t == null)) {
        return;
      }
      Shell.Settings shellTable = functionShellTable(name, settings);
      try {
        result.put(name, b.resources(r).tolerations(t).shellTable(shellTable).build());
      } catch (IllegalArgumentException e) {
        reading.add(file.functionOrigins.get(name), e.getMessage());
      }
    });
    return result;
  }

  /** {@code [<shell>]} with the selected team's {@code [teams.<team>.<shell>]} laid over, key by key. */
  private Map<String, Shell.Settings> shellTables() {
    Map<String, Map<String, Setting>> merged = new LinkedHashMap<>();
    file.shellTables.forEach((shell, table) -> merged.computeIfAbsent(shell, k -> new LinkedHashMap<>()).putAll(table));
    if (teamName != null) {
      file.teamShellTables.getOrDefault(teamName, Map.of())
          .forEach((shell, table) -> merged.computeIfAbsent(shell, k -> new LinkedHashMap<>()).putAll(table));
    }
    Map<String, Shell.Settings> out = new LinkedHashMap<>();
    merged.forEach((shell, table) -> {
      Shell.Settings.Builder b = Shell.Settings.builder(file.source + " [" + shell + "]"
          + (teamName != null && file.teamShellTables.getOrDefault(teamName, Map.of()).containsKey(shell)
              ? " with [teams." + Origin.tomlKey(teamName) + "." + shell + "]" : ""));
      table.forEach((k, v) -> b.put(k, v.value()));
      out.put(shell, b.build());
    });
    return out;
  }

  /**
   * The function's {@code [functions."<name>".<shell>]} table, or null; a table for a shell the
   * function does not run on is a problem (its settings would be silently unused).
   */
  private Shell.Settings functionShellTable(String function, Map<String, Setting> settings) {
    Map<String, Map<String, Setting>> tables = file.functionShellTables.getOrDefault(function, Map.of());
    if (tables.isEmpty()) {
      return null;
    }
    String runsOn = Optional.ofNullable(typed(settings.get("shell"), String.class))
        .orElseGet(() -> value("shell", String.class).orElse(RuntimeOptions.DEFAULT_SHELL));
    Shell.Settings result = null;
    for (Map.Entry<String, Map<String, Setting>> e : tables.entrySet()) {
      String shell = e.getKey();
      if (!shell.equals(runsOn)) {
        Origin at = e.getValue().values().stream().findFirst().map(Setting::origin)
            .orElse(file.functionOrigins.get(function));
        reading.add(at, "[functions." + Origin.tomlKey(function) + "." + shell + "] holds settings of the " + shell
            + " shell, but the function runs on the " + runsOn + " shell: set shell = \"" + shell
            + "\" in [functions." + Origin.tomlKey(function) + "], or remove the table");
        continue;
      }
      Shell.Settings.Builder b = Shell.Settings.builder(file.source + " [functions." + Origin.tomlKey(function) + "." + shell + "]");
      e.getValue().forEach((k, v) -> b.put(k, v.value()));
      result = b.build();
    }
    return result;
  }

  /** The kubernetes shell needs an image, and workload identity needs a service account. */
  private void checkKubernetesUse(String shell, KubernetesConfig k, Map<String, FunctionConfig> functions) {
    String imageHint = "set image in " + (teamName != null ? "[teams." + Origin.tomlKey(teamName) + "] or " : "")
        + "[kubernetes], or PUREREMOTE_KUBERNETES_IMAGE";
    boolean defaultOnKubernetes = shell.equals(PureRemoteConfig.KUBERNETES_SHELL);
    if (defaultOnKubernetes && k.image().isEmpty()) {
      reading.add(origin("shell"), "the kubernetes shell needs an application image: " + imageHint);
    }
    boolean used = defaultOnKubernetes;
    for (FunctionConfig f : functions.values()) {
      boolean onKubernetes = f.shell().map(PureRemoteConfig.KUBERNETES_SHELL::equals).orElse(defaultOnKubernetes);
      used |= onKubernetes;
      if (onKubernetes && !defaultOnKubernetes && f.image().isEmpty() && k.image().isEmpty()) {
        reading.add(file.functions.get(f.name()).get("shell").origin(),
            "the kubernetes shell needs an application image: set image in this section, or " + imageHint);
      }
    }
    if (used && k.workloadIdentityApplies() && k.serviceAccount().isEmpty()) {
      Setting forced = team.get("workload-identity");
      Origin at = forced != null && Boolean.TRUE.equals(forced.value()) ? forced.origin()
          : origin("kubernetes.workload-identity.namespaces");
      reading.add(at, "workload identity applies in namespace \"" + k.namespace() + "\" but no service account is set: "
          + "set service-account in " + (teamName != null ? "[teams." + Origin.tomlKey(teamName) + "] or " : "")
          + "[kubernetes] (one annotated with azure.workload.identity/client-id)");
    }
  }

  /** Explicit (code, environment), else the team's (its name if it sets none), else the file's, else the user's. */
  private Setting namespace(String userName) {
    Setting explicit = first(code.root.get("kubernetes.namespace"), env.root.get("kubernetes.namespace"));
    if (explicit != null) {
      return explicit;
    }
    if (teamName != null) {
      Setting own = team.get("namespace");
      return own != null ? own : new Setting(KubernetesValues.namespaceFor(teamName), teamOrigin);
    }
    Setting fromFile = file.root.get("kubernetes.namespace");
    return fromFile != null ? fromFile
        : new Setting(KubernetesValues.namespaceFor(userName), new Origin(DEFAULTS, "kubernetes.namespace", 0, 0));
  }

  private TeamConfig team(String name) {
    Map<String, Setting> s = file.teams.get(name);
    return TeamConfig.builder(name)
        .namespace(typed(s.get("namespace"), String.class))
        .kubeContext(typed(s.get("kube-context"), String.class))
        .blobRoot(typed(s.get("blob-root"), String.class))
        .registry(typed(s.get("registry"), String.class))
        .image(typed(s.get("image"), String.class))
        .serviceAccount(typed(s.get("service-account"), String.class))
        .workloadIdentity(Boolean.TRUE.equals(typed(s.get("workload-identity"), Boolean.class)))
        .azureClientId(typed(s.get("azure-client-id"), String.class))
        .cloud(typed(s.get("cloud"), Cloud.class))
        .queue(typed(s.get("queue"), String.class))
        .queuePriority(typed(s.get("queue-priority"), String.class))
        .blobSettings(strings(file.teamBlobSettings.getOrDefault(name, Map.of())))
        .buildRead();
  }

  /** The blob settings that apply, each with the origin of the layer that set it last. */
  private Map<String, Setting> effectiveBlobSettings() {
    Map<String, Setting> merged = new LinkedHashMap<>();
    // Settings belong to one backend: a team with its own root (maybe another cloud) brings its own.
    boolean teamRoot = team.containsKey("blob-root");
    Map<String, Setting> fromFile = teamRoot ? file.teamBlobSettings.getOrDefault(teamName, Map.of()) : file.blobSettings;
    for (Map<String, Setting> layer : List.of(fromFile, env.blobSettings, code.blobSettings)) {
      merged.putAll(layer);
    }
    return merged;
  }

  /**
   * Asks the root's store provider, when it is on the class path, to check the settings: each one
   * on its own (a problem points at the line that set it), then all together (at the root). A store
   * would refuse the same when opened, later and without a line.
   */
  private void checkStoreSettings(String root, Origin rootOrigin, Map<String, Setting> settings) {
    int colon = root.indexOf(':');
    BlobStore.Provider provider = colon < 0 ? null : reading.stores.get(root.substring(0, colon).toLowerCase(Locale.ROOT));
    if (provider == null) {
      return; // an unknown scheme is reported by the blob-root check; an absent module when the store opens
    }
    boolean each = true;
    for (Map.Entry<String, Setting> e : settings.entrySet()) {
      try {
        provider.checkSetting(root, e.getKey(), (String) e.getValue().value());
      } catch (IllegalArgumentException problem) {
        reading.add(e.getValue().origin(), problem.getMessage());
        each = false;
      }
    }
    if (each) {
      try {
        provider.checkSettings(root, strings(settings));
      } catch (IllegalArgumentException problem) {
        String where = settings.values().stream().map(v -> describe(v.origin()))
            .collect(java.util.stream.Collectors.joining(", "));
        reading.add(rootOrigin, problem.getMessage() + (where.isEmpty() ? "" : " (blob settings from " + where + ")"));
      }
    }
  }

  /** Resolves {@code spot} against the cloud; {@code null} when an item cannot be resolved. */
  private List<TolerationConfig> tolerations(Setting setting, Optional<Cloud> cloud) {
    List<TolerationConfig> result = new ArrayList<>();
    boolean ok = true;
    for (Object o : (List<?>) setting.value()) {
      TolerationItem item = (TolerationItem) o;
      if (item.item() instanceof TolerationConfig.Taint taint) {
        result.add(taint);
        continue;
      }
      String name = (String) item.item();
      Optional<Cloud> c = name.equals("spot") ? cloud : Cloud.fromId(name.substring("spot-".length()));
      if (c.isEmpty()) {
        reading.add(item.origin(), "toleration \"spot\" needs the cluster's cloud: set cloud = \"aks\", \"eks\" or \"gke\" in "
            + (teamName != null ? "[teams." + Origin.tomlKey(teamName) + "] or " : "")
            + "[kubernetes] (or PUREREMOTE_KUBERNETES_CLOUD), or write \"spot-aks\", \"spot-eks\" or \"spot-gke\"");
        ok = false;
      } else {
        result.add(TolerationConfig.spot(c.get()));
      }
    }
    return ok ? result : null;
  }

  /**
   * Resources from settings keyed {@code cpu}, {@code memory}, ...; {@code null} after reporting a
   * problem at the {@code preferred} setting involved (a function's own), else at the request.
   */
  private Resources resources(Map<String, Setting> s, Map<String, Setting> preferred) {
    List<String> problems = Resources.problems(str(s, "cpu"), str(s, "cpu-limit"), str(s, "memory"),
        str(s, "memory-limit"), str(s, "ephemeral-storage"), gpus(s));
    if (problems.isEmpty()) {
      return resourcesUnchecked(s);
    }
    for (String p : problems) {
      // Each value was checked when read, so only a request above its limit can fail here.
      String request = p.startsWith("memory") ? "memory" : "cpu";
      Setting at = first(preferred.get(request + "-limit"), preferred.get(request), s.get(request));
      reading.add(at.origin(), p);
    }
    return null;
  }

  private static Resources resourcesUnchecked(Map<String, Setting> s) {
    return new Resources(str(s, "cpu"), str(s, "cpu-limit"), str(s, "memory"), str(s, "memory-limit"),
        str(s, "ephemeral-storage"), gpus(s));
  }

  private static Map<String, String> strings(Map<String, Setting> settings) {
    Map<String, String> m = new LinkedHashMap<>();
    settings.forEach((k, v) -> m.put(k, (String) v.value()));
    return m;
  }

  private static Optional<String> str(Map<String, Setting> s, String key) {
    return Optional.ofNullable(s.get(key)).map(x -> (String) x.value());
  }

  private static OptionalInt gpus(Map<String, Setting> s) {
    Setting g = s.get("gpus");
    return g == null ? OptionalInt.empty() : OptionalInt.of((Integer) g.value());
  }

  /** The winning setting of a runtime-wide key: code, environment, the team's, the file's. */
  private Setting get(String name) {
    Setting s = first(code.root.get(name), env.root.get(name));
    if (s != null) {
      return s;
    }
    String teamKey = ConfigKeys.TEAM_OVERLAY.get(name);
    if (teamKey != null && team.get(teamKey) != null) {
      return team.get(teamKey);
    }
    return file.root.get(name);
  }

  private Origin origin(String name) {
    Setting s = get(name);
    return s != null ? s.origin() : new Origin(DEFAULTS, name, 0, 0);
  }

  private <T> Optional<T> value(String name, Class<T> type) {
    return Optional.ofNullable(get(name)).map(s -> type.cast(s.value()));
  }

  private <T> Optional<T> teamValue(String key, Class<T> type) {
    return Optional.ofNullable(team.get(key)).map(s -> type.cast(s.value()));
  }

  @SuppressWarnings("unchecked")
  private <T> List<T> list(String name) {
    Setting s = get(name);
    return s == null ? List.of() : (List<T>) s.value();
  }

  private static <T> T typed(Setting s, Class<T> type) {
    return s == null ? null : type.cast(s.value());
  }

  private static Setting first(Setting... settings) {
    for (Setting s : settings) {
      if (s != null) {
        return s;
      }
    }
    return null;
  }
}
