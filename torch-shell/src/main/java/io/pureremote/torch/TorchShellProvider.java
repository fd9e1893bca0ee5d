package io.pureremote.torch;

import io.fabric8.kubernetes.client.KubernetesClient;
import io.pureremote.k8s.ClusterShellSettings;
import io.pureremote.k8s.KubernetesShellOptions;
import io.pureremote.spi.Shell;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;
import java.util.Set;

/**
 * Provides the {@code torch} shell ({@link TorchShell}) from its settings (the {@code [torch]},
 * {@code [teams.<t>.torch]} or {@code [functions."<name>".torch]} table).
 *
 * <p>The node pod takes the Kubernetes shell's pod keys ({@code namespace}, {@code kube-context},
 * {@code image}, {@code resources.*}, {@code tolerations}, {@code service-account}, {@code env},
 * ...), read by {@link io.pureremote.k8s.KubernetesShellProvider#options} so the mapping and its checks exist once.
 * Torch keys: {@code nodes}, {@code processes-per-node} (a number, {@code auto}, {@code cpu} or
 * {@code gpu}), {@code master-port}, {@code backoff-limit-per-index}, {@code active-deadline},
 * {@code ttl-after-finished}, {@code pending-timeout}, {@code max-eviction-retries}, {@code backend}
 * ({@code auto}, the default: discovered; or {@code trainjob}, {@code pytorchjob}, {@code
 * indexed-job}: forced, see {@link TorchBackend}) and {@code runtime} (the ClusterTrainingRuntime a
 * TrainJob references, default {@value TorchShellOptions#DEFAULT_RUNTIME}). Unknown keys
 * and refused values fail with every key and what was expected. The keys are sorted and the shared
 * ones read by {@link ClusterShellSettings}, as the MPI shell's are.
 */
public final class TorchShellProvider implements Shell.Provider {
  private static final Set<String> TORCH_KEYS = Set.of("nodes", "processes-per-node", "master-port",
      "backoff-limit-per-index", "backend", "runtime");

  private final KubernetesClient client;

  /** The provider {@code ServiceLoader} finds: clients built from the kubeconfig. */
  public TorchShellProvider() {
    this(null);
  }

  private TorchShellProvider(KubernetesClient client) {
    this.client = client;
  }

  /** A provider whose shells all use {@code client}; the caller keeps it and closes it. */
  public static TorchShellProvider withClient(KubernetesClient client) {
    return new TorchShellProvider(Objects.requireNonNull(client, "client"));
  }

  @Override
  public String name() {
    return "torch";
  }

  @Override
  public Shell create(Shell.Settings settings) {
    TorchShellOptions options = options(settings).build();
    return client != null ? new TorchShell(client, options)
        : ClusterShellSettings.fromKubeConfig("torch", () -> TorchShell.fromKubeConfig(options));
  }

  /**
   * A builder holding everything {@code settings} say.
   *
   * @throws IllegalArgumentException naming each unknown key and each refused value
   */
  public static TorchShellOptions.Builder options(Shell.Settings settings) {
    ClusterShellSettings keys = new ClusterShellSettings(settings, "torch", "torch", TORCH_KEYS, null,
        Map.of("backoff-limit", "use backoff-limit-per-index"));
    TorchShellOptions.Builder b = TorchShellOptions.builder();
    Optional<KubernetesShellOptions> pod = keys.pod("node pod");
    pod.ifPresent(p -> b.pod(p.pod()));
    keys.shared(b, pod);
    Shell.Settings s = keys.own();
    keys.step("nodes", () -> s.integer("nodes").ifPresent(b::nodes));
    keys.step("processes-per-node", () -> keys.raw("processes-per-node").ifPresent(v -> b.processesPerNode(String.valueOf(v))));
    keys.step("master-port", () -> s.integer("master-port").ifPresent(b::masterPort));
    keys.step("backoff-limit-per-index", () -> s.integer("backoff-limit-per-index").ifPresent(b::backoffLimitPerIndex));
    keys.step("backend", () -> keys.raw("backend").ifPresent(v -> b.backend(TorchBackend.parse(String.valueOf(v)).orElse(null))));
    keys.step("runtime", () -> keys.raw("runtime").ifPresent(v -> b.runtime(String.valueOf(v))));
    keys.check();
    return b;
  }
}
