package io.pureremote.mpi;

import io.fabric8.kubernetes.client.KubernetesClient;
import io.pureremote.PureRemoteException;
import io.pureremote.k8s.KubernetesShellOptions;
import io.pureremote.k8s.KubernetesShellProvider;
import io.pureremote.spi.Shell;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Set;

/**
 * Provides the {@code mpi} shell ({@link MpiShell}) from its settings (the {@code
 * [functions."<name>".mpi]} table or team defaults).
 *
 * <p>The launcher pod takes the Kubernetes shell's pod keys ({@code namespace}, {@code
 * kube-context}, {@code image}, {@code resources.*}, {@code tolerations}, {@code service-account},
 * {@code env}, ...), read by {@link KubernetesShellProvider#options} so the mapping and its checks
 * exist once; the workers take the launcher's keys with the same keys prefixed {@code worker.} laid over them.
 * MPI keys: {@code workers}, {@code slots-per-worker}, {@code run-launcher-as-worker}, {@code
 * clean-pod-policy} ({@code All|Running|None}), {@code ttl-after-finished}, {@code active-deadline},
 * {@code backoff-limit}, {@code ssh-auth-mount-path}, {@code mpi-implementation} ({@code
 * OpenMPI|Intel|MPICH}), {@code launcher-creation-policy} ({@code AtStartup|WaitForWorkersReady}),
 * {@code memory-limit-env}, {@code launcher-restart-policy}, {@code worker-restart-policy}, {@code
 * run-as-user}, {@code operator-pickup-bound}, {@code pending-timeout}, {@code
 * max-eviction-retries}, {@code scheduling.min-available}, {@code scheduling.queue}, {@code
 * scheduling.priority-class}, {@code scheduling.timeout}. Unknown keys and refused values fail
 * with every key and what was expected.
 */
public final class MpiShellProvider implements Shell.Provider {
  private static final Set<String> MPI_KEYS = Set.of("workers", "slots-per-worker", "run-launcher-as-worker",
      "clean-pod-policy", "ttl-after-finished", "active-deadline", "backoff-limit", "ssh-auth-mount-path",
      "mpi-implementation", "launcher-creation-policy", "memory-limit-env", "launcher-restart-policy",
      "worker-restart-policy", "run-as-user", "operator-pickup-bound", "pending-timeout", "max-eviction-retries",
      "scheduling.min-available", "scheduling.queue", "scheduling.priority-class", "scheduling.timeout");
  /** Keys of the Job shell that mean nothing for an MPIJob's pods. */
  private static final Set<String> JOB_ONLY_KEYS = Set.of("image-pull-bound", "log-streaming", "log-sample-fraction",
      "launch-concurrency", "api-qps", "api-burst", "api-retries", "watch-silence-bound");
  private static final String WORKER = "worker.";

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
    if (client != null) {
      return new MpiShell(client, options);
    }
    try {
      return MpiShell.fromKubeConfig(options);
    } catch (IllegalArgumentException e) {
      throw e;
    } catch (RuntimeException e) {
      throw new PureRemoteException("Cannot set up a Kubernetes client for the MPI shell: " + e, e);
    }
  }

  /**
   * A builder holding everything {@code settings} say.
   *
   * @throws IllegalArgumentException naming each unknown key and each refused value
   */
  public static MpiShellOptions.Builder options(Shell.Settings settings) {
    Map<String, Object> launcherKeys = new LinkedHashMap<>();
    Map<String, Object> workerKeys = new LinkedHashMap<>();
    Map<String, Object> mpiKeys = new LinkedHashMap<>();
    List<String> problems = new ArrayList<>();
    settings.values().forEach((k, v) -> {
      if (MPI_KEYS.contains(k)) {
        mpiKeys.put(k, v);
      } else if (k.startsWith(WORKER)) {
        workerKeys.put(k.substring(WORKER.length()), v);
      } else if (JOB_ONLY_KEYS.contains(k)) {
        problems.add(k + ": a Kubernetes Job shell setting; the MPI shell has no such setting");
      } else {
        launcherKeys.put(k, v);
      }
    });
    MpiShellOptions.Builder b = MpiShellOptions.builder();
    KubernetesShellOptions launcher = null;
    try {
      launcher = KubernetesShellProvider.options(Shell.Settings.builder(settings.source() + " (launcher)").putAll(launcherKeys)
          .build()).build();
      b.namespace(launcher.namespace()).launcher(launcher.pod());
      launcher.kubeContext().ifPresent(b::kubeContext);
    } catch (IllegalArgumentException e) {
      problems.add("the launcher pod: " + e.getMessage().replace("\n  - ", "\n      "));
    }
    if (!workerKeys.isEmpty() && launcher != null) {
      // The workers' pods are the launcher's, with the worker.* keys laid over them.
      Map<String, Object> w = new LinkedHashMap<>(launcherKeys);
      w.putAll(workerKeys);
      try {
        b.worker(KubernetesShellProvider.options(Shell.Settings.builder(settings.source() + " (worker.)").putAll(w).build())
            .build().pod());
      } catch (IllegalArgumentException e) {
        problems.add("worker.* (the worker pods): " + e.getMessage().replace("\n  - ", "\n      "));
      }
    }
    Shell.Settings s = Shell.Settings.builder(settings.source()).putAll(mpiKeys).build();
    step(problems, "workers", () -> s.integer("workers").ifPresent(b::workers));
    step(problems, "slots-per-worker", () -> s.integer("slots-per-worker").ifPresent(b::slotsPerWorker));
    step(problems, "run-launcher-as-worker", () -> s.bool("run-launcher-as-worker").ifPresent(b::runLauncherAsWorker));
    step(problems, "clean-pod-policy", () -> s.string("clean-pod-policy").ifPresent(v -> b.cleanPodPolicy(
        pick(MpiShellOptions.CleanPodPolicy.values(), v, MpiShellOptions.CleanPodPolicy::value))));
    step(problems, "ttl-after-finished", () -> s.duration("ttl-after-finished").ifPresent(b::ttlAfterFinished));
    step(problems, "active-deadline", () -> s.duration("active-deadline").ifPresent(b::activeDeadline));
    step(problems, "backoff-limit", () -> s.integer("backoff-limit").ifPresent(b::backoffLimit));
    step(problems, "ssh-auth-mount-path", () -> s.string("ssh-auth-mount-path").ifPresent(b::sshAuthMountPath));
    step(problems, "mpi-implementation", () -> s.string("mpi-implementation").ifPresent(v -> b.mpiImplementation(
        pick(MpiShellOptions.MpiImplementation.values(), v, MpiShellOptions.MpiImplementation::value))));
    step(problems, "launcher-creation-policy", () -> s.string("launcher-creation-policy").ifPresent(v -> b.launcherCreationPolicy(
        pick(MpiShellOptions.LauncherCreationPolicy.values(), v, MpiShellOptions.LauncherCreationPolicy::value))));
    step(problems, "memory-limit-env", () -> s.string("memory-limit-env").ifPresent(b::memoryLimitEnv));
    step(problems, "launcher-restart-policy", () -> s.string("launcher-restart-policy").ifPresent(b::launcherRestartPolicy));
    step(problems, "worker-restart-policy", () -> s.string("worker-restart-policy").ifPresent(b::workerRestartPolicy));
    step(problems, "run-as-user", () -> s.integer("run-as-user").ifPresent(b::runAsUser));
    step(problems, "operator-pickup-bound", () -> s.duration("operator-pickup-bound").ifPresent(b::operatorPickupBound));
    step(problems, "pending-timeout", () -> s.duration("pending-timeout").ifPresent(b::pendingTimeout));
    step(problems, "max-eviction-retries", () -> s.integer("max-eviction-retries").ifPresent(b::maxEvictionRetries));
    step(problems, "scheduling.min-available", () -> s.integer("scheduling.min-available").ifPresent(b::schedulingMinAvailable));
    step(problems, "scheduling.queue", () -> s.string("scheduling.queue").ifPresent(b::schedulingQueue));
    step(problems, "scheduling.priority-class", () -> s.string("scheduling.priority-class").ifPresent(b::schedulingPriorityClass));
    step(problems, "scheduling.timeout", () -> s.duration("scheduling.timeout").ifPresent(b::scheduleTimeout));
    if (!problems.isEmpty()) {
      throw new IllegalArgumentException("Invalid mpi shell settings from " + settings.source() + ":\n  - "
          + String.join("\n  - ", problems));
    }
    return b;
  }

  private static void step(List<String> problems, String key, Runnable r) {
    try {
      r.run();
    } catch (IllegalArgumentException e) {
      problems.add(key + ": " + e.getMessage());
    }
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
