package io.pureremote.k8s.pool;

import java.util.Objects;
import io.pureremote.k8s.values.Ranges;
import java.net.InetSocketAddress;
import java.time.Duration;
import java.util.Optional;
import java.util.function.Function;

/**
 * How a {@link PoolShell} reaches a pool: its name and namespace, how it addresses workers, how
 * often it re-reads the pool, how many workers one call may be sent to.
 *
 * @param pool the pool's name
 * @param namespace the pool's namespace; null for its own {@code pureremote-pool-<name>}
 * @param addressing how workers are reached
 * @param maxDispatches workers one call may be sent to when connections break under it
 * @param refreshInterval how often the ready workers are re-read
 * @param connectTimeout bound on opening a connection to a worker
 * @param addresses for {@link Addressing#GIVEN}: a ready worker's pod name → where it listens
 */
public record PoolShellOptions(String pool, String namespace, Addressing addressing, int maxDispatches,
    Duration refreshInterval, Duration connectTimeout, Function<String, Optional<InetSocketAddress>> addresses) {

  /** How the shell reaches a worker. */
  public enum Addressing {
    /** In a pod of the cluster: the worker pod's IP on {@link WorkerPools#WORKER_PORT} (the Service's endpoints). */
    POD_IP,
    /** From outside the cluster: the API server's port-forward to each worker pod (only a kubeconfig is needed). */
    PORT_FORWARD,
    /** {@link #addresses} says: a test seam (e.g. {@code FakeDeployments::address} for workers run as local processes). */
    GIVEN,
    /** {@link #POD_IP} in a pod, else {@link #PORT_FORWARD}. */
    AUTO
  }

  /** Checks. */
  public PoolShellOptions {
    if (pool == null || pool.isBlank()) {
      throw new IllegalArgumentException("pool: the pool's name is required");
    }
    if (addressing == null) {
      addressing = Addressing.AUTO;
    }
    Ranges.check("maxDispatches:", Ranges.atLeastProblem(1, maxDispatches));
    Ranges.check("refreshInterval:", Ranges.positiveProblem(Objects.requireNonNull(refreshInterval, "refreshInterval")));
    Ranges.check("connectTimeout:", Ranges.positiveProblem(Objects.requireNonNull(connectTimeout, "connectTimeout")));
    if (addressing == Addressing.GIVEN && addresses == null) {
      throw new IllegalArgumentException("addresses: required with Addressing.GIVEN");
    }
  }

  /** The pool {@code pool} in its own namespace, addressed {@link Addressing#AUTO}, 3 dispatches, re-read every second. */
  public static PoolShellOptions of(String pool) {
    return new PoolShellOptions(pool, null, Addressing.AUTO, 3, Duration.ofSeconds(1), Duration.ofSeconds(10), null);
  }

  /** These options in {@code namespace}. */
  public PoolShellOptions inNamespace(String namespace) {
    return new PoolShellOptions(pool, namespace, addressing, maxDispatches, refreshInterval, connectTimeout, addresses);
  }

  /** These options reaching workers where {@code addresses} says (a test seam). */
  public PoolShellOptions withAddresses(Function<String, Optional<InetSocketAddress>> addresses) {
    return new PoolShellOptions(pool, namespace, Addressing.GIVEN, maxDispatches, refreshInterval, connectTimeout, addresses);
  }

  /** These options with {@code addressing}. */
  public PoolShellOptions withAddressing(Addressing addressing) {
    return new PoolShellOptions(pool, namespace, addressing, maxDispatches, refreshInterval, connectTimeout, addresses);
  }
}
