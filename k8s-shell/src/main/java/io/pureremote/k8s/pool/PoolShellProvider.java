package io.pureremote.k8s.pool;

import io.pureremote.spi.Shell;
import java.util.Locale;
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
 */
public final class PoolShellProvider implements Shell.Provider {
  @Override
  public String name() {
    return "pool";
  }

  @Override
  public Shell create(Shell.Settings settings) {
    return PoolShell.fromKubeConfig(options(settings), settings.string("kube-context"));
  }

  /** The one mapping from settings to {@link PoolShellOptions}. */
  public static PoolShellOptions options(Shell.Settings settings) {
    settings.unknownKeys(Set.of("name", "namespace", "kube-context", "addressing", "max-dispatches", "refresh-interval",
        "connect-timeout"));
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
