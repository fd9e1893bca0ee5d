package io.pureremote.mpi;

import io.fabric8.kubernetes.client.KubernetesClient;
import io.pureremote.k8s.ClusterShellSettings;
import io.pureremote.k8s.KubernetesShellOptions;
import io.pureremote.spi.Shell;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;
import java.util.Set;

/**
 * Provides the {@code mpi} shell ({@link MpiShell}) from its settings (the {@code
 * [functions."<name>".mpi]} table or team defaults).
 *
 * <p>The launcher pod takes the Kubernetes shell's pod keys ({@code namespace}, {@code
 * kube-context}, {@code image}, {@code resources.*}, {@code tolerations}, {@code service-account},
 * {@code env}, ...), read by {@link io.pureremote.k8s.KubernetesShellProvider#options} so the mapping and its checks
 * exist once; the workers take the launcher's keys with the same keys prefixed {@code worker.} laid over them.
 * MPI keys: {@code workers}, {@code slots-per-worker}, {@code run-launcher-as-worker}, {@code
 * clean-pod-policy} ({@code All|Running|None}), {@code ttl-after-finished}, {@code active-deadline},
 * {@code backoff-limit}, {@code ssh-auth-mount-path}, {@code mpi-implementation} ({@code
 * OpenMPI|Intel|MPICH}), {@code launcher-creation-policy} ({@code AtStartup|WaitForWorkersReady}),
 * {@code memory-limit-env}, {@code launcher-restart-policy}, {@code worker-restart-policy}, {@code
 * run-as-user}, {@code operator-pickup-bound}, {@code pending-timeout}, {@code
 * max-eviction-retries}, {@code scheduling.min-available}, {@code scheduling.queue}, {@code
 * scheduling.priority-class}, {@code scheduling.timeout}. Unknown keys and refused values fail
 * with every key and what was expected. The keys are sorted and the shared ones read by {@link
 * ClusterShellSettings}, as the torch shell's are.
 */
public final class MpiShellProvider implements Shell.Provider {
  private static final Set<String> MPI_KEYS = Set.of("workers", "slots-per-worker", "run-launcher-as-worker",
      "clean-pod-policy", "backoff-limit", "ssh-auth-mount-path", "mpi-implementation", "launcher-creation-policy",
      "memory-limit-env", "launcher-restart-policy", "worker-restart-policy", "run-as-user", "operator-pickup-bound",
      "scheduling.min-available", "scheduling.queue", "scheduling.priority-class", "scheduling.timeout");

  private final KubernetesClient client;

  /** The provider {@code ServiceLoader} finds: clients built from the kubeconfig. */
  public MpiShellProvider() {
    this(null);
  }

  private MpiShellProvider(KubernetesClient client) {
    this.client = client;
  }

  /** A provider whose shells all use {@code client}; the caller keeps it and closes it. */
  public static MpiShellProvider withClient(KubernetesClient client) {
    return new MpiShellProvider(Objects.requireNonNull(client, "client"));
  }

  @Override
  public String name() {
    return "mpi";
  }

  @Override
  public Shell create(Shell.Settings settings) {
    MpiShellOptions options = options(settings).build();
    return client != null ? new MpiShell(client, options)
        : ClusterShellSettings.fromKubeConfig("MPI", () -> MpiShell.fromKubeConfig(options));
  }

  /**
   * A builder holding everything {@code settings} say.
   *
   * @throws IllegalArgumentException naming each unknown key and each refused value
   */
  public static MpiShellOptions.Builder options(Shell.Settings settings) {
    ClusterShellSettings keys = new ClusterShellSettings(settings, "mpi", "MPI", MPI_KEYS, "worker.", Map.of());
    MpiShellOptions.Builder b = MpiShellOptions.builder();
    Optional<KubernetesShellOptions> launcher = keys.pod("launcher pod");
    launcher.ifPresent(l -> {
      b.launcher(l.pod());
      // The workers' pods are the launcher's, with the worker.* keys laid over them.
      keys.overlaidPod("worker pods").ifPresent(w -> b.worker(w.pod()));
    });
    keys.shared(b, launcher);
    Shell.Settings s = keys.own();
    keys.step("workers", () -> s.integer("workers").ifPresent(b::workers));
    keys.step("slots-per-worker", () -> s.integer("slots-per-worker").ifPresent(b::slotsPerWorker));
    keys.step("run-launcher-as-worker", () -> s.bool("run-launcher-as-worker").ifPresent(b::runLauncherAsWorker));
    keys.step("clean-pod-policy", () -> s.string("clean-pod-policy").ifPresent(v -> b.cleanPodPolicy(
        pick(MpiShellOptions.CleanPodPolicy.values(), v, MpiShellOptions.CleanPodPolicy::value))));
    keys.step("backoff-limit", () -> s.integer("backoff-limit").ifPresent(b::backoffLimit));
    keys.step("ssh-auth-mount-path", () -> s.string("ssh-auth-mount-path").ifPresent(b::sshAuthMountPath));
    keys.step("mpi-implementation", () -> s.string("mpi-implementation").ifPresent(v -> b.mpiImplementation(
        pick(MpiShellOptions.MpiImplementation.values(), v, MpiShellOptions.MpiImplementation::value))));
    keys.step("launcher-creation-policy", () -> s.string("launcher-creation-policy").ifPresent(v -> b.launcherCreationPolicy(
        pick(MpiShellOptions.LauncherCreationPolicy.values(), v, MpiShellOptions.LauncherCreationPolicy::value))));
    keys.step("memory-limit-env", () -> s.string("memory-limit-env").ifPresent(b::memoryLimitEnv));
    keys.step("launcher-restart-policy", () -> s.string("launcher-restart-policy").ifPresent(b::launcherRestartPolicy));
    keys.step("worker-restart-policy", () -> s.string("worker-restart-policy").ifPresent(b::workerRestartPolicy));
    keys.step("run-as-user", () -> s.integer("run-as-user").ifPresent(b::runAsUser));
    keys.step("operator-pickup-bound", () -> s.duration("operator-pickup-bound").ifPresent(b::operatorPickupBound));
    keys.step("scheduling.min-available", () -> s.integer("scheduling.min-available").ifPresent(b::schedulingMinAvailable));
    keys.step("scheduling.queue", () -> s.string("scheduling.queue").ifPresent(b::schedulingQueue));
    keys.step("scheduling.priority-class", () -> s.string("scheduling.priority-class").ifPresent(b::schedulingPriorityClass));
    keys.step("scheduling.timeout", () -> s.duration("scheduling.timeout").ifPresent(b::scheduleTimeout));
    keys.check();
    return b;
  }

  private static <E extends Enum<E>> E pick(E[] values, String v, java.util.function.Function<E, String> name) {
    List<String> names = new ArrayList<>();
    for (E e : values) {
      if (name.apply(e).equalsIgnoreCase(v)) {
        return e;
      }
      names.add(name.apply(e));
    }
    throw new IllegalArgumentException("expected one of " + String.join(", ", names) + ", got \"" + v + "\"");
  }
}
