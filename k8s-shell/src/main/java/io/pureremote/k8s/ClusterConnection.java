package io.pureremote.k8s;

import io.fabric8.kubernetes.client.KubernetesClient;
import io.fabric8.kubernetes.client.KubernetesClientBuilder;
import io.pureremote.k8s.values.KubernetesSettings;
import java.time.Duration;
import java.util.Objects;

/**
 * What a multi-pod cluster shell (MPI, torch) holds from its construction to its {@link
 * #close(Runnable)}: the client (given, or its own from the kubeconfig, closed with it), the API
 * budget ({@link ApiGate}), the first contact ({@link ClusterProbe}), the requests about its
 * objects ({@link ClusterObjects}) and its threads ({@link ShellThreads}, ticking the shell's
 * watchdog). The one definition of how such a shell is set up and torn down; public for the MPI
 * and torch shells, which live in modules of their own. Thread-safe.
 *
 * <pre>{@code
 * public MpiShell(KubernetesClient client, MpiShellOptions options) {
 *   this(options, ClusterConnection.given(client));
 * }
 * public static MpiShell fromKubeConfig(MpiShellOptions options) {
 *   return new MpiShell(options, ClusterConnection.fromKubeConfig());
 * }
 * private MpiShell(MpiShellOptions options, ClusterConnection.Factory connect) {
 *   this.cluster = connect.open("mpi", options, this::tick);
 * }
 * }</pre>
 */
public final class ClusterConnection {
  /** Retries of one API request of a cluster shell (its objects are few and each matters). */
  static final int API_RETRIES = 5;
  private static final Duration TICK = Duration.ofMillis(250);

  private final KubernetesClient client;
  private final boolean ownsClient;
  private final ApiGate gate;
  private final ClusterProbe probe;
  private final ClusterObjects objects;
  private final ShellThreads threads;
  private volatile boolean closed;

  /** How a shell's constructor opens its connection once it can hand over its watchdog tick. */
  @FunctionalInterface
  public interface Factory {
    /**
     * The connection of shell {@code shell} (names its threads) with {@code options}' namespace,
     * whose watchdog runs {@code tick} every 250 ms until it is closed.
     */
    ClusterConnection open(String shell, ClusterShellOptions options, Runnable tick);
  }

  private ClusterConnection(KubernetesClient client, boolean ownsClient, KubeConfigs.Source source, String shell,
      ClusterShellOptions options, Runnable tick) {
    this.client = Objects.requireNonNull(client, "client");
    this.ownsClient = ownsClient;
    this.gate = new ApiGate(KubernetesSettings.API_QPS, KubernetesSettings.API_BURST, API_RETRIES);
    this.probe = new ClusterProbe(client, gate, source);
    this.objects = new ClusterObjects(client, gate, options.namespace());
    this.threads = new ShellThreads(shell, TICK, tick);
  }

  /** Connections through {@code client}, which they do not close (its own namespace setting is ignored). */
  public static Factory given(KubernetesClient client) {
    Objects.requireNonNull(client, "client");
    return (shell, options, tick) -> new ClusterConnection(client, false, KubeConfigs.Source.givenClient(), shell,
        options, tick);
  }

  /**
   * Connections with a client of their own, configured like {@code kubectl} (kubeconfig with the
   * options' kube context, else in-cluster), closed with the connection.
   */
  public static Factory fromKubeConfig() {
    return (shell, options, tick) -> {
      KubernetesClient client = new KubernetesClientBuilder().withConfig(KubeConfigs.forShell(options.kubeContext())).build();
      return new ClusterConnection(client, true, KubeConfigs.sourceOf(client), shell, options, tick);
    };
  }

  /** The client of the target cluster. */
  public KubernetesClient client() {
    return client;
  }

  /** The API budget every request of the shell goes through. */
  public ApiGate gate() {
    return gate;
  }

  /** The first contact with the API server: its version, asked once and bounded. */
  public ClusterProbe probe() {
    return probe;
  }

  /** The requests about the shell's objects in its namespace. */
  public ClusterObjects objects() {
    return objects;
  }

  /** The shell's background threads and watchdog. */
  public ShellThreads threads() {
    return threads;
  }

  /** Whether {@link #close(Runnable)} was called. */
  public boolean isClosed() {
    return closed;
  }

  /**
   * Closes once: runs {@code stop} (the shell cancels its runs and closes its informers), then
   * stops the threads (bounded), then closes the client if it is the connection's own. Later calls
   * do nothing.
   */
  public synchronized void close(Runnable stop) {
    if (closed) {
      return;
    }
    closed = true;
    stop.run();
    threads.close();
    if (ownsClient) {
      client.close();
    }
  }
}
