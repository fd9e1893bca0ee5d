package io.pureremote.assembly;

import io.fabric8.kubernetes.client.Config;
import io.fabric8.kubernetes.client.KubernetesClient;
import io.fabric8.kubernetes.client.KubernetesClientBuilder;
import io.pureremote.PureRemoteException;
import io.pureremote.RemoteRuntime;
import io.pureremote.config.ConfigException;
import io.pureremote.config.ConfigLoader;
import io.pureremote.config.ConfigProblem;
import io.pureremote.config.KubernetesConfig;
import io.pureremote.config.PureRemoteConfig;
import io.pureremote.k8s.InCluster;
import io.pureremote.k8s.KubernetesShell;
import io.pureremote.k8s.KubernetesShellOptions;
import io.pureremote.spi.RoutingShell;
import io.pureremote.spi.Shell;
import io.pureremote.spi.Shells;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.function.Consumer;
import java.util.function.UnaryOperator;

/**
 * A {@link RemoteRuntime} assembled from configuration, with the shells and Kubernetes client it
 * needs: the assembly point of Pure Remote.
 *
 * <pre>{@code
 * try (ConfiguredRuntime remote = ConfiguredRuntime.fromConfig()) {          // $PUREREMOTE_CONFIG / .pureremote.toml + PUREREMOTE_*
 *   Forecasts forecasts = remote.create(Forecasts.class, ForecastsImpl.class);
 *   Forecast f = forecasts.fit(history, params);               // a Job in the team's namespace
 * }
 *
 * try (ConfiguredRuntime remote = ConfiguredRuntime.builder(ConfigLoader.load())
 *     .runtime(b -> b.pipelineId("backfill-2026"))             // code beats configuration
 *     .kubernetes(k -> k.label("cost-center", "4711"))         // what configuration has no key for
 *     .build()) { ... }
 * }</pre>
 *
 * <p>What it builds from a {@link PureRemoteConfig}:
 *
 * <ul>
 *   <li>the blob store: the runtime opens {@code blob-root} with {@code blob-settings} through the
 *       provider registered for its scheme ({@code file}, {@code s3}, {@code abfss}; this module
 *       brings the S3 and ADLS stores);
 *   <li>the shell: {@code local}, {@code in-process} or any registered shell by name; {@code
 *       kubernetes} as a {@link KubernetesShell} whose options come from the team, {@code
 *       [kubernetes]} and the workload identity namespaces, on one fabric8 client for the
 *       configured kube context;
 *   <li>per-function settings: one shell per distinct function override (another shell, image,
 *       resources or tolerations), behind a {@link RoutingShell}; functions with equal settings
 *       share a shell; timeouts and exception policies become per-function call options.
 * </ul>
 *
 * <p>Thread-safe. {@link #close()} closes the runtime, then every shell built here, then the
 * client if it was built here.
 */
public final class ConfiguredRuntime implements AutoCloseable {
  private final PureRemoteConfig config;
  private final RemoteRuntime runtime;
  private final List<Shell> shells;
  private final KubernetesClient ownedClient;

  private ConfiguredRuntime(PureRemoteConfig config, RemoteRuntime runtime, List<Shell> shells, KubernetesClient ownedClient) {
    this.config = config;
    this.runtime = runtime;
    this.shells = List.copyOf(shells);
    this.ownedClient = ownedClient;
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
   * KubernetesShell#job} shows the Job a call would create.
   */
  public Shell shellFor(String functionName) {
    Shell shell = runtime.shell();
    return shell instanceof RoutingShell routing ? routing.shellFor(functionName) : shell;
  }

  /** Closes the runtime, then the shells built here, then the Kubernetes client if built here. */
  @Override
  public void close() {
    List<AutoCloseable> all = new ArrayList<>();
    all.add(runtime);
    all.addAll(shells);
    if (ownedClient != null) {
      all.add(ownedClient);
    }
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
    private final List<UnaryOperator<KubernetesShellOptions.Builder>> kubernetesCustomizers = new ArrayList<>();
    private KubernetesClient client;
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
     * Changes the options of every Kubernetes shell after configuration has filled them: labels,
     * env references, node selectors, a Job customizer, or any configured value. Applied in the
     * order given. None by default.
     */
    public Builder kubernetes(UnaryOperator<KubernetesShellOptions.Builder> customizer) {
      kubernetesCustomizers.add(Objects.requireNonNull(customizer, "customizer"));
      return this;
    }

    /**
     * The client Kubernetes shells use; the caller keeps it and closes it. Defaults to one built
     * like {@code kubectl} does (kubeconfig with the configured {@code kube-context}, else the
     * in-cluster service account), only when a function runs on Kubernetes, and closed with the
     * {@link ConfiguredRuntime}.
     */
    public Builder kubernetesClient(KubernetesClient client) {
      this.client = Objects.requireNonNull(client, "client");
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
     * @throws ConfigException when the Kubernetes options made from the configuration are invalid
     * @throws IllegalArgumentException when the runtime refuses its options (e.g. no blob store for
     *     the root's scheme), as {@link RemoteRuntime.Builder#build()} does
     */
    public ConfiguredRuntime build() {
      Assembly assembly = new Assembly();
      try {
        Shell fallback = assembly.shell(config.shell(), config.kubernetes(), "");
        Map<String, Shell> routes = new LinkedHashMap<>();
        for (String function : config.functions().keySet()) {
          Shell s = assembly.shell(config.shellFor(function), config.kubernetesFor(function), function);
          if (s != fallback) {
            routes.put(function, s);
          }
        }
        Shell shell = routes.isEmpty() ? fallback : new RoutingShell(fallback, routes);
        RemoteRuntime.Builder rb = RemoteRuntime.builder().options(config.toRuntimeOptions()).shell(shell);
        runtimeCustomizers.forEach(c -> c.accept(rb));
        return new ConfiguredRuntime(config, rb.build(), assembly.created, assembly.ownedClient);
      } catch (RuntimeException | Error e) {
        List<AutoCloseable> built = new ArrayList<>(assembly.created);
        if (assembly.ownedClient != null) {
          built.add(assembly.ownedClient);
        }
        closeAll(built, e);
        throw e;
      }
    }

    /** The shells of one build: one per shell name, and one per distinct Kubernetes setting. */
    private final class Assembly {
      final List<Shell> created = new ArrayList<>();
      final Map<String, Shell> byName = new LinkedHashMap<>();
      final Map<KubernetesConfig, Shell> byKubernetes = new LinkedHashMap<>();
      // Siblings of one client share its informers, rate limit and launch slots.
      final Map<KubernetesClient, KubernetesShell> firstByClient = new java.util.IdentityHashMap<>();
      KubernetesClient ownedClient;

      Shell shell(String name, KubernetesConfig kubernetes, String function) {
        if (!name.equals(PureRemoteConfig.KUBERNETES_SHELL)) {
          return byName.computeIfAbsent(name, n -> track(Shells.create(n, Map.of(), classLoader)));
        }
        Shell existing = byKubernetes.get(kubernetes);
        if (existing != null) {
          return existing;
        }
        KubernetesShellOptions options = options(kubernetes, function);
        KubernetesClient k8s = client(kubernetes);
        KubernetesShell first = firstByClient.get(k8s);
        KubernetesShell shell = first == null ? new KubernetesShell(k8s, options) : first.withOptions(options);
        firstByClient.putIfAbsent(k8s, shell);
        track(shell);
        byKubernetes.put(kubernetes, shell);
        return shell;
      }

      private KubernetesShellOptions options(KubernetesConfig kubernetes, String function) {
        KubernetesShellOptions.Builder b = KubernetesShells.options(kubernetes);
        for (UnaryOperator<KubernetesShellOptions.Builder> c : kubernetesCustomizers) {
          b = c.apply(b);
        }
        try {
          return b.build();
        } catch (IllegalArgumentException e) {
          String source = config.source().map(Object::toString).orElse("configuration");
          String key = function.isEmpty() ? "kubernetes" : "functions.\"" + function + "\"";
          throw new ConfigException(List.of(new ConfigProblem(source, key, 0, 0,
              "the Kubernetes shell refuses these settings: " + e.getMessage())));
        }
      }

      private KubernetesClient client(KubernetesConfig kubernetes) {
        if (client != null) {
          return client;
        }
        if (ownedClient == null) {
          Config clientConfig = KubernetesShells.clientConfig(kubernetes.kubeContext(),
              config.source().map(Object::toString).orElse("configuration"));
          try {
            ownedClient = new KubernetesClientBuilder().withConfig(clientConfig).build();
          } catch (RuntimeException e) {
            throw new PureRemoteException("Cannot set up a Kubernetes client for "
                + kubernetes.kubeContext().map(c -> "kube context '" + c + "'").orElse("the current kubeconfig context")
                + ": " + e, e);
          }
        }
        return ownedClient;
      }

      private Shell track(Shell shell) {
        created.add(shell);
        return shell;
      }
    }
  }
}
