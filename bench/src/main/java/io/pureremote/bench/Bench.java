package io.pureremote.bench;

import io.pureremote.k8s.KubernetesShell;
import io.pureremote.k8s.KubernetesShellOptions;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * What every scenario gets: the sizes of this run, the table to add rows to, a scratch folder,
 * and the S3Proxy shared by the S3 scenarios (started on first use).
 */
final class Bench implements AutoCloseable {
  final Sizes sizes;
  final Table table;
  final Path scratch;
  private S3ProxyServer s3;
  private FakeCluster cluster;
  private CompletableFuture<FakeCluster> clusterStarting;
  private final Map<String, KubernetesShell> k8sShells = new LinkedHashMap<>();
  private int buckets;
  private final AtomicInteger clusters = new AtomicInteger();

  Bench(Sizes sizes, Table table, Path scratch) {
    this.sizes = sizes;
    this.table = table;
    this.scratch = scratch;
  }

  /** A new empty folder under the scratch folder. */
  Path folder(String name) {
    try {
      return Files.createDirectories(scratch.resolve(name));
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }

  /** The shared S3Proxy, started on first use. */
  synchronized S3ProxyServer s3() throws Exception {
    if (s3 == null) {
      s3 = S3ProxyServer.start(folder("s3proxy"));
    }
    return s3;
  }

  /**
   * Starts the fake cluster's JVM in the background, for the smoke run, where nothing is timed and
   * its start-up would otherwise be a third of the run.
   */
  synchronized void prestartCluster() {
    if (cluster == null && clusterStarting == null) {
      clusterStarting = CompletableFuture.supplyAsync(() -> {
        try {
          return startCluster();
        } catch (IOException e) {
          throw new UncheckedIOException(e);
        }
      });
    }
  }

  private FakeCluster startCluster() throws IOException {
    return FakeCluster.start(this, KubernetesScenarios.KUBELET_NAMESPACE, KubernetesScenarios.FAST_NAMESPACE, "3g");
  }

  /** The fake Kubernetes cluster, started on first use. */
  synchronized FakeCluster cluster() throws Exception {
    if (cluster == null) {
      cluster = clusterStarting != null ? clusterStarting.join() : startCluster();
      clusterStarting = null;
    }
    return cluster;
  }

  /**
   * A fake cluster no earlier scenario has used: the one in use (and its shells) is stopped first.
   * Scenario 3 needs it: after scenario 2's thousands of Jobs the API server could miss the
   * shell's 10 s version probe, and its leftover Jobs and watches would be billed to scenario 3.
   */
  synchronized FakeCluster freshCluster() throws Exception {
    stopCluster();
    return cluster();
  }

  /**
   * The number of the next fake cluster this run starts, for its log's name. Not synchronized: a
   * prestarted cluster asks for it while {@link #cluster} waits for that start holding the lock.
   */
  int nextClusterNumber() {
    return clusters.incrementAndGet();
  }

  /**
   * A Kubernetes shell with {@code options} on the shared fake cluster, one per namespace. They are
   * closed only at the end, after the cluster stopped sending watch events: closing a shell closes
   * its watches, and the mock server can stall when a watch closes while it sends events.
   */
  synchronized KubernetesShell k8sShell(KubernetesShellOptions options) throws Exception {
    KubernetesShell shell = k8sShells.get(options.namespace());
    if (shell == null) {
      shell = new KubernetesShell(cluster().shellClient(), options);
      k8sShells.put(options.namespace(), shell);
    }
    return shell;
  }

  /** A new bucket on the shared S3Proxy. */
  synchronized String newBucket() throws Exception {
    String name = "bench-" + (++buckets);
    s3().createBucket(name);
    return name;
  }

  void row(String scenario, String metric, double pureRemote, double baseline, String baselineLabel) {
    table.add(new Row(scenario, metric, pureRemote, baseline, baselineLabel));
  }

  /** Keeps a result alive so the JIT cannot drop the work that made it. */
  static void sink(Object value) {
    sunk = value;
  }

  private static volatile Object sunk;

  static void log(String format, Object... args) {
    System.err.println(String.format(format, args));
  }

  /** Collects garbage between phases so one phase's garbage is not billed to the next. */
  static void settle() {
    System.gc();
    try {
      Thread.sleep(20);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
    }
  }

  @Override
  public void close() throws Exception {
    if (clusterStarting != null) {
      cluster = clusterStarting.join(); // started but never used: stop it all the same
      clusterStarting = null;
    }
    stopCluster();
    if (s3 != null) {
      s3.close();
    }
  }

  /** Stops the fake cluster in use, if any, after its shells; a prestarted unused one is kept. */
  private synchronized void stopCluster() throws Exception {
    if (cluster != null) {
      try {
        cluster.quiesce();
      } catch (Exception e) {
        log("fake cluster: %s", e);
      }
      k8sShells.values().forEach(KubernetesShell::close);
      k8sShells.clear();
      cluster.close();
      cluster = null;
    }
  }
}
