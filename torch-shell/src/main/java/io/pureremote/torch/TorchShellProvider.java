package io.pureremote.torch;

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
 * Provides the {@code torch} shell ({@link TorchShell}) from its settings (the {@code [torch]},
 * {@code [teams.<t>.torch]} or {@code [functions."<name>".torch]} table).
 *
 * <p>The node pod takes the Kubernetes shell's pod keys ({@code namespace}, {@code kube-context},
 * {@code image}, {@code resources.*}, {@code tolerations}, {@code service-account}, {@code env},
 * ...), read by {@link KubernetesShellProvider#options} so the mapping and its checks exist once.
 * Torch keys: {@code nodes}, {@code processes-per-node} (a number, {@code auto}, {@code cpu} or
 * {@code gpu}), {@code master-port}, {@code backoff-limit-per-index}, {@code active-deadline},
 * {@code ttl-after-finished}, {@code pending-timeout}, {@code max-eviction-retries}, {@code backend}
 * ({@code auto}, the default: discovered; or {@code trainjob}, {@code pytorchjob}, {@code
 * indexed-job}: forced, see {@link TorchBackend}) and {@code runtime} (the ClusterTrainingRuntime a
 * TrainJob references, default {@value TorchShellOptions#DEFAULT_RUNTIME}). Unknown keys
 * and refused values fail with every key and what was expected.
 */
public final class TorchShellProvider implements Shell.Provider {
  private static final Set<String> TORCH_KEYS = Set.of("nodes", "processes-per-node", "master-port",
      "backoff-limit-per-index", "active-deadline", "ttl-after-finished", "pending-timeout", "max-eviction-retries", "backend",
      "runtime");
  /** Keys of the Job shell that mean nothing for the torch shell's pods. */
  private static final Set<String> JOB_ONLY_KEYS = Set.of("image-pull-bound", "log-streaming", "log-sample-fraction",
      "launch-concurrency", "api-qps", "api-burst", "api-retries", "watch-silence-bound", "backoff-limit");

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
    if (client != null) {
      return new TorchShell(client, options);
    }
    try {
      return TorchShell.fromKubeConfig(options);
    } catch (IllegalArgumentException e) {
      throw e;
    } catch (RuntimeException e) {
      throw new PureRemoteException("Cannot set up a Kubernetes client for the torch shell: " + e, e);
    }
  }

  /**
   * A builder holding everything {@code settings} say.
   *
   * @throws IllegalArgumentException naming each unknown key and each refused value
   */
  public static TorchShellOptions.Builder options(Shell.Settings settings) {
    Map<String, Object> podKeys = new LinkedHashMap<>();
    Map<String, Object> torchKeys = new LinkedHashMap<>();
    List<String> problems = new ArrayList<>();
    settings.values().forEach((k, v) -> {
      if (TORCH_KEYS.contains(k)) {
        torchKeys.put(k, v);
      } else if (JOB_ONLY_KEYS.contains(k)) {
        problems.add(k + ": a Kubernetes Job shell setting; the torch shell has no such setting"
            + (k.equals("backoff-limit") ? " (use backoff-limit-per-index)" : ""));
      } else {
        podKeys.put(k, v);
      }
    });
    TorchShellOptions.Builder b = TorchShellOptions.builder();
    try {
      KubernetesShellOptions pod = KubernetesShellProvider.options(Shell.Settings.builder(settings.source() + " (node pod)")
          .putAll(podKeys).build()).build();
      b.namespace(pod.namespace()).pod(pod.pod());
      pod.kubeContext().ifPresent(b::kubeContext);
    } catch (IllegalArgumentException e) {
      problems.add("the node pod: " + e.getMessage().replace("\n  - ", "\n      "));
    }
    Shell.Settings s = Shell.Settings.builder(settings.source()).putAll(torchKeys).build();
    step(problems, "nodes", () -> s.integer("nodes").ifPresent(b::nodes));
    step(problems, "processes-per-node", () -> {
      Object raw = torchKeys.get("processes-per-node");
      if (raw != null) {
        b.processesPerNode(String.valueOf(raw));
      }
    });
    step(problems, "master-port", () -> s.integer("master-port").ifPresent(b::masterPort));
    step(problems, "backoff-limit-per-index", () -> s.integer("backoff-limit-per-index").ifPresent(b::backoffLimitPerIndex));
    step(problems, "active-deadline", () -> s.duration("active-deadline").ifPresent(b::activeDeadline));
    step(problems, "ttl-after-finished", () -> s.duration("ttl-after-finished").ifPresent(b::ttlAfterFinished));
    step(problems, "pending-timeout", () -> s.duration("pending-timeout").ifPresent(b::pendingTimeout));
    step(problems, "max-eviction-retries", () -> s.integer("max-eviction-retries").ifPresent(b::maxEvictionRetries));
    step(problems, "backend", () -> {
      Object raw = torchKeys.get("backend");
      if (raw != null) {
        b.backend(TorchBackend.parse(String.valueOf(raw)).orElse(null));
      }
    });
    step(problems, "runtime", () -> {
      Object raw = torchKeys.get("runtime");
      if (raw != null) {
        b.runtime(String.valueOf(raw));
      }
    });
    if (!problems.isEmpty()) {
      throw new IllegalArgumentException("Invalid torch shell settings from " + settings.source() + ":\n  - "
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
}
