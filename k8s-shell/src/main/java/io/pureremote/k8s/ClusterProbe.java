package io.pureremote.k8s;

import io.fabric8.kubernetes.client.KubernetesClient;
import io.fabric8.kubernetes.client.KubernetesClientException;
import io.fabric8.kubernetes.client.VersionInfo;
import io.pureremote.ShellException;
import java.time.Duration;
import java.util.Objects;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import java.util.concurrent.locks.ReentrantLock;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The first thing a cluster shell asks its API server, before any object: {@code GET /version},
 * once per shell (siblings share it) and kept. It yields the {@link ClusterFeatures} the shell may
 * use, logs them once, and turns every way this first contact can fail into a {@link
 * ShellException} that names the server, the kubeconfig and context tried, and the fix:
 *
 * <ul>
 *   <li>{@code ClusterUnreachable}: no answer within {@link #BOUND} (connection refused, unknown
 *       host, time-outs; retried inside the bound), or 401/403. With no kubeconfig at all outside a
 *       pod it is not retryable (the client fell back to {@code kubernetes.default.svc}).
 *   <li>{@code UnsupportedKubernetes}: a server older than the oldest supported version.
 * </ul>
 *
 * <p>A failure is kept for {@link #FAILURE_KEPT}, so the calls of a fan-out waiting behind the first
 * one fail with it at once instead of each waiting out the bound; after that the next call asks
 * again. Shared by the Job shell and the MPI shell (public for that reason). Thread-safe.
 */
public final class ClusterProbe {
  private static final Logger log = LoggerFactory.getLogger(ClusterProbe.class);
  /** How long the first contact may take, retries included, before the call fails. */
  public static final Duration BOUND = Duration.ofSeconds(20);
  /** How long a failed first contact is the answer for every call, before one asks again. */
  public static final Duration FAILURE_KEPT = Duration.ofSeconds(10);

  private final KubernetesClient client;
  private final ApiGate gate;
  private final KubeConfigs.Source source;
  private final Duration bound;
  private final ReentrantLock lock = new ReentrantLock();
  private volatile ClusterFeatures features;
  // Guarded by lock.
  private ShellException failure;
  private long failedAtNanos;

  /**
   * A probe of {@code client}'s server through {@code gate}, describing {@code source} in its errors.
   *
   * @param source where the client's configuration came from ({@link KubeConfigs#sourceOf}, or
   *     {@link KubeConfigs.Source#givenClient()} for a client the caller built)
   */
  public ClusterProbe(KubernetesClient client, ApiGate gate, KubeConfigs.Source source) {
    this(client, gate, source, BOUND);
  }

  ClusterProbe(KubernetesClient client, ApiGate gate, KubeConfigs.Source source, Duration bound) {
    this.client = Objects.requireNonNull(client, "client");
    this.gate = Objects.requireNonNull(gate, "gate");
    this.source = Objects.requireNonNull(source, "source");
    this.bound = Objects.requireNonNull(bound, "bound");
  }

  /**
   * What the server offers; asks it the first time (within {@link #BOUND}).
   *
   * @throws ShellException {@code ClusterUnreachable} or {@code UnsupportedKubernetes}, as above
   * @throws InterruptedException when interrupted while waiting for the answer
   */
  public ClusterFeatures require() throws InterruptedException {
    ClusterFeatures known = features;
    if (known != null) {
      return known;
    }
    lock.lockInterruptibly();
    try {
      if (features != null) {
        return features;
      }
      if (failure != null && System.nanoTime() - failedAtNanos < FAILURE_KEPT.toNanos()) {
        // A copy per call: callers attach their own suppressed exceptions to what they get.
        ShellException again = new ShellException(failure.reason(), null, failure.getMessage(), failure.isRetryable());
        again.initCause(failure.getCause());
        throw again;
      }
      ClusterFeatures found;
      try {
        found = ClusterFeatures.of(askVersion());
      } catch (ShellException e) {
        failure = e;
        failedAtNanos = System.nanoTime();
        throw e;
      }
      features = found;
      log.info("{} (API server {}, {})", found.describe(), client.getMasterUrl(), source.description());
      // A refusal is kept like the features: the server's version does not change under a shell.
      return found;
    } finally {
      lock.unlock();
    }
  }

  /** What the server offers, if a probe has already found it; never asks. */
  public java.util.Optional<ClusterFeatures> known() {
    return java.util.Optional.ofNullable(features);
  }

  /** {@link #require()}, and a server older than the supported range refused. */
  public ClusterFeatures requireSupported() throws InterruptedException {
    ClusterFeatures found = require();
    var refusal = found.refusal(client.getMasterUrl().toString());
    if (refusal.isPresent()) {
      throw new ShellException("UnsupportedKubernetes", null, refusal.get(), false);
    }
    return found;
  }

  private VersionInfo askVersion() throws InterruptedException {
    CompletableFuture<VersionInfo> answer = new CompletableFuture<>();
    Thread asker = Thread.ofVirtual().name("pureremote-k8s-version").start(() -> {
      try {
        answer.complete(gate.call("get /version", client::getKubernetesVersion));
      } catch (Throwable t) {
        answer.completeExceptionally(t);
      }
    });
    try {
      return answer.get(bound.toMillis(), TimeUnit.MILLISECONDS);
    } catch (TimeoutException e) {
      asker.interrupt(); // stops the gate's retries and the request in flight
      throw unreachable(null, "no answer within " + bound.toSeconds() + " s");
    } catch (ExecutionException e) {
      if (e.getCause() instanceof KubernetesClientException k) {
        throw unreachable(k, ApiGate.describe(k));
      }
      if (e.getCause() instanceof InterruptedException) {
        throw new InterruptedException("interrupted while asking the API server for its version");
      }
      throw unreachable(null, String.valueOf(e.getCause()));
    } catch (InterruptedException e) {
      asker.interrupt();
      throw e;
    }
  }

  /** The first request failed: the API server cannot be reached, or refuses this client. */
  private ShellException unreachable(KubernetesClientException e, String why) {
    String server = client.getMasterUrl().toString();
    String check = "`kubectl" + source.contextName().map(c -> " --context " + c).orElse("") + " version`";
    int code = e == null ? 0 : e.getCode();
    String message;
    boolean retryable;
    if (code == 401 || code == 403) {
      message = "The Kubernetes API server " + server + " refused this client (" + why + "); the credentials of "
          + source.description() + " are missing or expired: log in again (az aks get-credentials / aws eks "
          + "update-kubeconfig / gcloud container clusters get-credentials) and check with " + check + ".";
      retryable = false;
    } else if (source.nothingConfigured()) {
      message = "No Kubernetes cluster is configured: " + source.description() + ", so the client tried the in-cluster "
          + "address " + server + " (" + why + "). Get a kubeconfig for your cluster (az aks get-credentials / aws eks "
          + "update-kubeconfig / gcloud container clusters get-credentials) or point $KUBECONFIG at one, check it with "
          + check + ", or run the function with another shell.";
      retryable = false;
    } else {
      message = "Cannot reach the Kubernetes API server " + server + " of " + source.description() + " (" + why + "). "
          + "Check that the cluster is up and reachable from here (VPN, firewall, proxy) with " + check
          + ", or pick another context (the shell's kubeContext option, kube-context in TOML).";
      retryable = e == null || ApiGate.isTransient(e);
    }
    ShellException failure = new ShellException("ClusterUnreachable", null, message, retryable);
    if (e != null) {
      failure.initCause(e);
    }
    return failure;
  }
}
