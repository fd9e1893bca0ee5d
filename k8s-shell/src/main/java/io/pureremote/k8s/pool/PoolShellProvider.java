package io.pureremote.k8s.pool;

import io.fabric8.kubernetes.client.KubernetesClient;
import io.pureremote.k8s.KubernetesShellProvider;
import io.pureremote.spi.Shell;
import java.util.HashSet;
import java.util.Locale;
import java.util.Objects;
import java.util.Optional;
import java.util.Set;

/**
 * Provides the shell {@code pool} ({@link PoolShell}): calls go to a Kubernetes worker pool made
 * with {@code pureremote pool create} or {@link WorkerPools#create}. Settings: {@code name} (the
 * pool, required), {@code namespace} (default {@code pureremote-pool-<name>}), {@code kube-context},
 * {@code addressing} ({@code auto}, {@code pod-ip}, {@code port-forward}), {@code max-dispatches},
 * {@code refresh-interval} and {@code connect-timeout} (durations). In TOML: {@code shell =
 * "pool:<name>"} (at the top or per function) with an optional {@code [pools.<name>]} table, whose
 * settings configuration hands over with {@code name} set; or {@code shell = "pool"} with a {@code
 * [pool]} table naming the pool.
 *
 * <p>{@code fallback = "kubernetes"} runs the calls the pool cannot serve (gone, or no ready
 * worker) as Kubernetes Jobs instead of failing them; the Job shell's settings are the keys
 * prefixed {@value #FALLBACK_PREFIX} ({@code kubernetes.image}, {@code kubernetes.namespace},
 * {@code kubernetes.resources.memory}, ...), which configuration fills from {@code [kubernetes]}
 * with the team's and the function's values. {@code fallback = "none"} (the default) fails them.
 */
public final class PoolShellProvider implements Shell.Provider {
  /** The prefix of the fallback Job shell's settings among the pool shell's. */
  public static final String FALLBACK_PREFIX = "kubernetes.";

  private static final Set<String> KEYS = Set.of("name", "namespace", "kube-context", "addressing", "max-dispatches",
      "refresh-interval", "connect-timeout", "fallback");

  private final KubernetesClient client;

  /** The provider {@code ServiceLoader} finds: a client per shell from the kubeconfig. */
  public PoolShellProvider() {
    this.client = null;
  }

  private PoolShellProvider(KubernetesClient client) {
    this.client = Objects.requireNonNull(client, "client");
  }

  /** A provider whose shells (and their fallback Job shells) use {@code client}; the caller keeps it and closes it. */
  public static PoolShellProvider withClient(KubernetesClient client) {
    return new PoolShellProvider(client);
  }

  @Override
  public String name() {
    return "pool";
  }

  /**
   * A pool shell for {@code settings}, with a fallback Job shell when they ask for one.
   *
   * @throws IllegalArgumentException naming an unknown key or a refused value, the fallback's included
   */
  @Override
  public Shell create(Shell.Settings settings) {
    PoolShellOptions options = options(settings);
    Optional<Shell.Settings> jobs = fallbackSettings(settings);
    KubernetesClient c = client != null ? client : PoolShell.client(settings.string("kube-context"));
    Shell fallback;
    try {
      fallback = jobs.map(j -> (client != null ? KubernetesShellProvider.withClient(client)
          : new KubernetesShellProvider()).create(j)).orElse(null);
    } catch (IllegalArgumentException e) {
      if (client == null) {
        c.close();
      }
      throw new IllegalArgumentException("fallback = \"kubernetes\": " + e.getMessage(), e);
    } catch (RuntimeException e) {
      if (client == null) {
        c.close();
      }
      throw e;
    }
    return new PoolShell(c, options, fallback, client == null, fallback != null);
  }

  /**
   * The settings of the fallback Job shell: the {@value #FALLBACK_PREFIX} keys without their
   * prefix, when {@code fallback = "kubernetes"}; empty for {@code fallback = "none"} or none given.
   *
   * @throws IllegalArgumentException for another fallback, or Job settings without {@code fallback = "kubernetes"}
   */
  public static Optional<Shell.Settings> fallbackSettings(Shell.Settings settings) {
    String fallback = settings.string("fallback").orElse("none").toLowerCase(Locale.ROOT);
    if (!fallback.equals("none") && !fallback.equals("kubernetes")) {
      throw new IllegalArgumentException("fallback: '" + settings.string("fallback").orElseThrow()
          + "' is not kubernetes or none (" + settings.source() + ")");
    }
    Shell.Settings.Builder b = Shell.Settings.builder(settings.source() + " (" + FALLBACK_PREFIX + "*)");
    settings.values().forEach((k, v) -> {
      if (k.startsWith(FALLBACK_PREFIX)) {
        b.put(k.substring(FALLBACK_PREFIX.length()), v);
      }
    });
    Shell.Settings jobs = b.build();
    if (fallback.equals("none")) {
      if (!jobs.isEmpty()) {
        throw new IllegalArgumentException("settings " + new java.util.TreeSet<>(jobs.keys()).stream()
            .map(k -> FALLBACK_PREFIX + k).toList() + " in " + settings.source()
            + " are for the fallback Job shell: add fallback = \"kubernetes\" or remove them");
      }
      return Optional.empty();
    }
    return Optional.of(jobs);
  }

  /** The one mapping from settings to {@link PoolShellOptions}; the fallback's {@value #FALLBACK_PREFIX} keys are left to {@link #fallbackSettings}. */
  public static PoolShellOptions options(Shell.Settings settings) {
    Set<String> known = new HashSet<>(KEYS);
    settings.keys().stream().filter(k -> k.startsWith(FALLBACK_PREFIX)).forEach(known::add);
    settings.unknownKeys(known);
    String name = settings.string("name").orElseThrow(() -> new IllegalArgumentException(
        "name: the pool's name is required (" + settings.source() + ")"));
    PoolShellOptions base = PoolShellOptions.of(name);
    PoolShellOptions.Addressing addressing = settings.string("addressing")
        .map(a -> switch (a.toLowerCase(Locale.ROOT)) {
          case "auto" -> PoolShellOptions.Addressing.AUTO;
          case "pod-ip" -> PoolShellOptions.Addressing.POD_IP;
          case "port-forward" -> PoolShellOptions.Addressing.PORT_FORWARD;
          default -> throw new IllegalArgumentException("addressing: '" + a + "' is not auto, pod-ip or port-forward");
        }).orElse(PoolShellOptions.Addressing.AUTO);
    return new PoolShellOptions(name, settings.string("namespace").orElse(null), addressing,
        settings.integer("max-dispatches").orElse(base.maxDispatches()),
        settings.duration("refresh-interval").orElse(base.refreshInterval()),
        settings.duration("connect-timeout").orElse(base.connectTimeout()), null);
  }
}
