package io.pureremote.k8s;

import io.pureremote.PureRemoteException;
import io.pureremote.spi.Shell;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;
import java.util.Set;
import java.util.function.Supplier;

/**
 * Reads a multi-pod cluster shell's settings (the MPI and torch shells' TOML tables) the one way
 * both do: the shell's own keys and the keys every cluster shell shares ({@link #SHARED_KEYS}, into
 * {@link ClusterShellOptions}); optionally keys under a prefix laid over the pod keys (the MPI
 * workers' {@code worker.*}); keys of the Job shell that mean nothing here refused by name; every
 * other key a pod key, read by {@link KubernetesShellProvider#options} so the pod mapping and its
 * checks exist once. Problems are collected, not thrown one by one: {@link #check()} throws them
 * all, each with its key.
 *
 * <p>Public for the MPI and torch shells' providers, which live in modules of their own. Not
 * thread-safe: one reader per provider call.
 */
public final class ClusterShellSettings {
  /** The keys of {@link ClusterShellOptions}, the same for every cluster shell. */
  public static final Set<String> SHARED_KEYS = Set.of("ttl-after-finished", "active-deadline", "pending-timeout",
      "max-eviction-retries");
  /** Keys of the Job shell that mean nothing for a multi-pod shell's pods (unless the shell has them itself). */
  private static final Set<String> JOB_ONLY_KEYS = Set.of("image-pull-timeout", "image-pull-bound", "log-streaming", "log-sample-fraction",
      "launch-concurrency", "api-qps", "api-burst", "api-retries", "watch-silence-bound", "backoff-limit");

  private final Shell.Settings settings;
  private final String name;
  private final String overlayPrefix;
  private final Map<String, Object> podKeys = new LinkedHashMap<>();
  private final Map<String, Object> overlayKeys = new LinkedHashMap<>();
  private final Map<String, Object> ownKeys = new LinkedHashMap<>();
  private final List<String> problems = new ArrayList<>();

  /**
   * Sorts the keys of {@code settings} for shell {@code name}.
   *
   * @param label how messages name the shell ({@code "MPI"})
   * @param own the shell's own keys (besides {@link #SHARED_KEYS})
   * @param overlayPrefix keys under it are laid over the pod keys by {@link #overlaidPod}; null: none
   * @param hints what to say after a refused Job shell key, by key (e.g. the key to use instead)
   */
  public ClusterShellSettings(Shell.Settings settings, String name, String label, Set<String> own, String overlayPrefix,
      Map<String, String> hints) {
    this.settings = Objects.requireNonNull(settings, "settings");
    this.name = Objects.requireNonNull(name, "name");
    this.overlayPrefix = overlayPrefix;
    settings.values().forEach((k, v) -> {
      if (own.contains(k) || SHARED_KEYS.contains(k)) {
        ownKeys.put(k, v);
      } else if (overlayPrefix != null && k.startsWith(overlayPrefix)) {
        overlayKeys.put(k.substring(overlayPrefix.length()), v);
      } else if (JOB_ONLY_KEYS.contains(k)) {
        problems.add(k + ": a Kubernetes Job shell setting; the " + label + " shell has no such setting"
            + Optional.ofNullable(hints.get(k)).map(h -> " (" + h + ")").orElse(""));
      } else {
        podKeys.put(k, v);
      }
    });
  }

  /**
   * The pod the pod keys describe, with namespace and kube context; empty (and a problem
   * {@code "the <role>: ..."}) when they are refused.
   */
  public Optional<KubernetesShellOptions> pod(String role) {
    return read(podKeys, " (" + role + ")", "the " + role + ": ");
  }

  /**
   * The pod the pod keys describe with the prefixed keys laid over them; empty when there are no
   * prefixed keys (the pod is then {@link #pod}'s) or they are refused (a problem {@code
   * "<prefix>* (the <role>): ..."}).
   */
  public Optional<KubernetesShellOptions> overlaidPod(String role) {
    if (overlayKeys.isEmpty()) {
      return Optional.empty();
    }
    Map<String, Object> keys = new LinkedHashMap<>(podKeys);
    keys.putAll(overlayKeys);
    return read(keys, " (" + overlayPrefix + ")", overlayPrefix + "* (the " + role + "): ");
  }

  private Optional<KubernetesShellOptions> read(Map<String, Object> keys, String sourceSuffix, String problemPrefix) {
    try {
      return Optional.of(KubernetesShellProvider.options(Shell.Settings.builder(settings.source() + sourceSuffix)
          .putAll(keys).build()).build());
    } catch (IllegalArgumentException e) {
      problems.add(problemPrefix + e.getMessage().replace("\n  - ", "\n      "));
      return Optional.empty();
    }
  }

  /** The shell's own keys and the shared ones, to read values from (with {@link #step}). */
  public Shell.Settings own() {
    return Shell.Settings.builder(settings.source()).putAll(ownKeys).build();
  }

  /** The raw value of one of the shell's own keys, if set. */
  public Optional<Object> raw(String key) {
    return Optional.ofNullable(ownKeys.get(key));
  }

  /**
   * Sets the shared part of {@code b}: the namespace and kube context of {@code pod} (the pod keys'
   * {@code namespace} and {@code kube-context}; none when the pod keys were refused) and the {@link
   * #SHARED_KEYS}.
   */
  public void shared(ClusterShellOptions.Builder<?> b, Optional<KubernetesShellOptions> pod) {
    pod.ifPresent(p -> {
      step("namespace", () -> b.namespace(p.namespace()));
      p.kubeContext().ifPresent(context -> step("kube-context", () -> b.kubeContext(context)));
    });
    Shell.Settings s = own();
    step("ttl-after-finished", () -> s.duration("ttl-after-finished").ifPresent(b::ttlAfterFinished));
    step("active-deadline", () -> s.duration("active-deadline").ifPresent(b::activeDeadline));
    step("pending-timeout", () -> s.duration("pending-timeout").ifPresent(b::pendingTimeout));
    step("max-eviction-retries", () -> s.integer("max-eviction-retries").ifPresent(b::maxEvictionRetries));
  }

  /** Runs {@code read}, which sets {@code key}'s value; a refused value becomes a problem naming the key. */
  public void step(String key, Runnable read) {
    try {
      read.run();
    } catch (IllegalArgumentException e) {
      problems.add(key + ": " + e.getMessage());
    }
  }

  /**
   * Throws every problem found so far.
   *
   * @throws IllegalArgumentException {@code "Invalid <name> shell settings from <source>:"} and each problem
   */
  public void check() {
    if (!problems.isEmpty()) {
      throw new IllegalArgumentException("Invalid " + name + " shell settings from " + settings.source() + ":\n  - "
          + String.join("\n  - ", problems));
    }
  }

  /**
   * The shell {@code fromKubeConfig} makes; a client that cannot be set up is a {@link
   * PureRemoteException} naming the shell ({@code label}), refused options stay {@link
   * IllegalArgumentException}s.
   */
  public static <S extends Shell> S fromKubeConfig(String label, Supplier<S> fromKubeConfig) {
    try {
      return fromKubeConfig.get();
    } catch (IllegalArgumentException e) {
      throw e;
    } catch (RuntimeException e) {
      throw new PureRemoteException("Cannot set up a Kubernetes client for the " + label + " shell: " + e, e);
    }
  }
}
