package io.pureremote.assembly;

import io.pureremote.PureRemoteException;
import io.pureremote.RemoteRuntime;
import io.pureremote.config.ConfigException;
import io.pureremote.config.ConfigLoader;
import io.pureremote.config.ConfigProblem;
import io.pureremote.config.PureRemoteConfig;
import io.pureremote.k8s.InCluster;
import io.pureremote.spi.Shell;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.function.Consumer;

/**
 * A {@link RemoteRuntime} assembled from configuration, with the shells it names: the assembly
 * point of Pure Remote.
 *
 * <pre>{@code
 * try (ConfiguredRuntime remote = ConfiguredRuntime.fromConfig()) {          // $PUREREMOTE_CONFIG / .pureremote.toml + PUREREMOTE_*
 *   Forecasts forecasts = remote.create(Forecasts.class, ForecastsImpl.class);
 *   Forecast f = forecasts.fit(history, params);               // a Job in the team's namespace
 * }
 *
 * try (ConfiguredRuntime remote = ConfiguredRuntime.builder(ConfigLoader.load())
 *     .runtime(b -> b.pipelineId("backfill-2026"))             // code beats configuration
 *     .shellProvider(new KubernetesShellProvider()             // what configuration has no key for
 *         .customize(k -> k.label("cost-center", "4711")))
 *     .build()) { ... }
 * }</pre>
 *
 * <p>What it builds from a {@link PureRemoteConfig}:
 *
 * <ul>
 *   <li>the blob store: the runtime opens {@code blob-root} with {@code blob-settings} through the
 *       provider registered for its scheme ({@code file}, {@code s3}, {@code abfss}; this module
 *       brings the S3 and ADLS stores);
 *   <li>the shell: every shell, {@code local}, {@code in-process}, {@code kubernetes} or any
 *       other, through its {@link Shell.Provider}, which receives the shell's resolved settings
 *       ({@link PureRemoteConfig#shellSettings}: for {@code kubernetes}, the team, {@code
 *       [kubernetes]} and the function's overrides); the Kubernetes provider shares one client per
 *       kube context among its shells;
 *   <li>per-function settings: one shell per distinct function override (another shell, image,
 *       resources or tolerations), behind a {@linkplain Shell#routing routing shell}; functions with equal settings
 *       share a shell; timeouts and exception policies become per-function call options.
 * </ul>
 *
 * <p>Thread-safe. {@link #close()} closes the runtime, then every shell built here.
 */
public final class ConfiguredRuntime implements AutoCloseable {
  private final PureRemoteConfig config;
  private final RemoteRuntime runtime;
  private final List<Shell> shells;
  private final Shell fallback;
  private final Map<String, Shell> routes;

  private ConfiguredRuntime(PureRemoteConfig config, RemoteRuntime runtime, List<Shell> shells, Shell fallback,
      Map<String, Shell> routes) {
    this.fallback = fallback;
    this.routes = Map.copyOf(routes);
    this.config = config;
    this.runtime = runtime;
    this.shells = List.copyOf(shells);
  }

  /**
   * Loads the configuration of this process ({@link #configLoader()}: the file, then {@code
   * PUREREMOTE_*} variables; in a pod, the pod's namespace by default) and assembles a runtime
   * from it.
   *
   * @throws ConfigException when the configuration is invalid, listing every problem
   */
  public static ConfiguredRuntime fromConfig() {
    return fromConfig(configLoader().build().read());
  }

  /**
   * A {@link ConfigLoader} builder for this process: its environment variables, and, when it runs
   * in a Kubernetes pod ({@link InCluster}), the pod's namespace as the default namespace, so an
   * orchestrator pod starts its Jobs beside itself unless configuration names a namespace.
   * Add overrides before building it.
   */
  public static ConfigLoader.Builder configLoader() {
    ConfigLoader.Builder b = ConfigLoader.builder().environment(System.getenv());
    InCluster.namespace().ifPresent(b::defaultNamespace);
    return b;
  }

  /**
   * Assembles a runtime from {@code config}.
   *
   * @throws ConfigException when the Kubernetes options made from it are invalid
   */
  public static ConfiguredRuntime fromConfig(PureRemoteConfig config) {
    return builder(config).build();
  }

  /** A builder assembling from {@code config}, where code can still override anything. */
  public static Builder builder(PureRemoteConfig config) {
    return new Builder(config);
  }

  /** The runtime: create proxies with it, or use {@link #create}. */
  public RemoteRuntime runtime() {
    return runtime;
  }

  /** The configuration this was assembled from. */
  public PureRemoteConfig config() {
    return config;
  }

  /** {@link RemoteRuntime#create} on {@link #runtime()}. */
  public <T> T create(Class<T> iface, Class<? extends T> implementation) {
    return runtime.create(iface, implementation);
  }

  /**
   * The shell calls of {@code functionName} run on: for inspection, e.g. {@link
   * io.pureremote.k8s.KubernetesShell#job} shows the Job a call would create.
   */
  public Shell shellFor(String functionName) {
    return routes.getOrDefault(functionName, fallback);
  }

  /** Closes the runtime, then the shells built here (a Kubernetes client they built goes with them). */
  @Override
  public void close() {
    List<AutoCloseable> all = new ArrayList<>();
    all.add(runtime);
    all.addAll(shells);
    closeAll(all, null);
  }

  private static void closeAll(List<? extends AutoCloseable> resources, Throwable primary) {
    RuntimeException first = null;
    for (AutoCloseable c : resources) {
      try {
        c.close();
      } catch (Exception e) {
        if (primary != null) {
          primary.addSuppressed(e);
        } else if (first == null) {
          first = e instanceof RuntimeException r ? r : new PureRemoteException("Closing " + c + " failed", e);
        } else {
          first.addSuppressed(e);
        }
      }
    }
    if (first != null) {
      throw first;
    }
  }

  /** Builder for {@link ConfiguredRuntime}; not thread-safe. */
  public static final class Builder {
    private final PureRemoteConfig config;
    private final List<Consumer<RemoteRuntime.Builder>> runtimeCustomizers = new ArrayList<>();
    private final Map<String, Shell.Provider> providers = new LinkedHashMap<>();
    private ClassLoader classLoader = Objects.requireNonNullElse(Thread.currentThread().getContextClassLoader(),
        ConfiguredRuntime.class.getClassLoader());

    private Builder(PureRemoteConfig config) {
      this.config = Objects.requireNonNull(config, "config");
    }

    /**
     * Changes the runtime builder after configuration has filled it: code beats configuration
     * ({@code b -> b.pipelineId("x")}, {@code b -> b.blobStore(store)}, {@code b -> b.lease(...)}).
     * Applied in the order given. None by default.
     */
    public Builder runtime(Consumer<RemoteRuntime.Builder> customizer) {
      runtimeCustomizers.add(Objects.requireNonNull(customizer, "customizer"));
      return this;
    }

    /**
     * Uses {@code provider} for shells of its name instead of the one {@link java.util.ServiceLoader}
     * finds: a provider configured in code, e.g. {@code
     * KubernetesShellProvider.withClient(client).customize(k -> k.label("cost-center", "4711"))}
     * for a client of your own and what configuration has no key for. The last one given for a
     * name wins.
     */
    public Builder shellProvider(Shell.Provider provider) {
      Objects.requireNonNull(provider, "provider");
      providers.put(provider.name(), provider);
      return this;
    }

    /** Where shell providers are looked up. Defaults to the context class loader. */
    public Builder classLoader(ClassLoader classLoader) {
      this.classLoader = Objects.requireNonNull(classLoader, "classLoader");
      return this;
    }

    /**
     * Builds the shells and the runtime. On failure, whatever was built is closed again.
     *
     * @throws ConfigException when a shell provider refuses the settings configuration gives it
     * @throws IllegalArgumentException when the runtime refuses its options (e.g. no blob store for
     *     the root's scheme), as {@link RemoteRuntime.Builder#build()} does
     */
    public ConfiguredRuntime build() {
      Map<String, Shell.Provider> available = new LinkedHashMap<>(Shell.providers(classLoader));
      available.putAll(providers);
      Assembly assembly = new Assembly(available);
      try {
        Shell fallback = assembly.shell(config.shell(), config.shellSettings(""), "");
        Map<String, Shell> routes = new LinkedHashMap<>();
        for (String function : config.functions().keySet()) {
          Shell s = assembly.shell(config.shellFor(function), config.shellSettings(function), function);
          if (s != fallback) {
            routes.put(function, s);
          }
        }
        Shell shell = routes.isEmpty() ? fallback : Shell.routing(fallback, routes);
        RemoteRuntime.Builder rb = RemoteRuntime.builder().options(config.toRuntimeOptions()).shell(shell);
        runtimeCustomizers.forEach(c -> c.accept(rb));
        return new ConfiguredRuntime(config, rb.build(), assembly.created, fallback, routes);
      } catch (RuntimeException | Error e) {
        closeAll(assembly.created, e);
        throw e;
      }
    }

    /** The shells of one build: one per shell name and distinct settings, all through the SPI. */
    private final class Assembly {
      final Map<String, Shell.Provider> providers;
      final List<Shell> created = new ArrayList<>();
      final Map<List<Object>, Shell> byNameAndSettings = new LinkedHashMap<>();

      Assembly(Map<String, Shell.Provider> providers) {
        this.providers = providers;
      }

      Shell shell(String name, Shell.Settings settings, String function) {
        List<Object> key = List.of(name, settings);
        Shell existing = byNameAndSettings.get(key);
        if (existing != null) {
          return existing;
        }
        // shell = "pool:<name>": the pool shell's provider, the pool's name among its settings.
        Shell.Provider provider = Shell.provider(name.startsWith("pool:") ? "pool" : name, providers);
        Shell shell;
        try {
          shell = provider.create(settings);
        } catch (IllegalArgumentException e) {
          String source = config.source().map(Object::toString).orElse("configuration");
          String at = function.isEmpty() ? name : "functions.\"" + function + "\"";
          throw new ConfigException(List.of(new ConfigProblem(source, at, 0, 0,
              "the " + name + " shell refuses these settings: " + e.getMessage())));
        }
        created.add(shell);
        byNameAndSettings.put(key, shell);
        return shell;
      }
    }
  }
}
