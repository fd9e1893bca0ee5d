package io.pureremote.k8s.pool;

import io.fabric8.kubernetes.client.KubernetesClient;
import io.fabric8.kubernetes.client.LocalPortForward;
import io.pureremote.ShellException;
import io.pureremote.k8s.InCluster;
import io.pureremote.spi.Shell.Launch;
import io.pureremote.spi.Shell.LaunchRequest;
import io.pureremote.spi.Shell.Outcome;
import io.pureremote.spi.Shell;
import io.pureremote.spi.Shell.WorkerConnection;
import java.io.IOException;
import java.net.InetSocketAddress;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicLong;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The shell {@code pool:<name>}: sends each call to a ready worker of a Kubernetes worker pool
 * ({@link WorkerPools}) with a free slot, over {@code pureremote-worker/1} with the pool's token.
 * The worker commits {@code result} or {@code error} to the store as a Job would; the shell only
 * learns how the run ended.
 *
 * <ul>
 *   <li><b>Dispatch.</b> The ready workers are re-read every {@link PoolShellOptions#refreshInterval()};
 *       a call goes to the one with the most free slots; when all are full it waits for a slot.
 *   <li><b>A worker lost mid-call.</b> When the connection breaks (the pod died, was deleted, the
 *       network failed) the call goes to another worker, up to {@link PoolShellOptions#maxDispatches()}
 *       workers; the caller's lease and the write-once commit keep it to one result. A worker that
 *       drains hands its calls back; they are sent elsewhere without counting.
 *   <li><b>Cancel</b> interrupts the call on its worker.
 *   <li><b>Pool gone.</b> Calls fail with a {@link ShellException} of reason {@code PoolNotFound}
 *       naming the pool and namespace, or {@code PoolUnavailable} when it has no ready worker.
 *   <li><b>Fallback.</b> With a fallback shell ({@link #PoolShell(KubernetesClient, PoolShellOptions,
 *       Shell)}, or {@code fallback = "kubernetes"} in the pool's settings), those calls run on it
 *       instead: typically a Kubernetes Job each, with the team's pod settings. While the pool cannot
 *       serve, new calls go straight to the fallback; the pool is asked again every {@link
 *       PoolShellOptions#refreshInterval()} and takes calls again once it has a ready worker.
 * </ul>
 */
public final class PoolShell implements Shell {
  private static final Logger log = LoggerFactory.getLogger(PoolShell.class);

  private final KubernetesClient client;
  private final PoolShellOptions options;
  private final WorkerPools pools;
  private final Map<String, Worker> workers = new ConcurrentHashMap<>();
  private final AtomicLong ids = new AtomicLong();
  private final Object slotFreed = new Object();
  private volatile long refreshedAt;
  private volatile String namespace;
  private volatile byte[] token;
  private volatile boolean closed;
  private final boolean ownsClient;
  /** Where calls go while the pool cannot serve; null: they fail. */
  private final Shell fallback;
  private final boolean ownsFallback;
  /** Why the pool cannot serve, while it cannot (only tracked with a fallback); null while it serves. */
  private volatile ShellException down;
  private volatile long downCheckedAt;

  /** A shell for the pool of {@code options} through {@code client} (not closed by the shell). */
  public PoolShell(KubernetesClient client, PoolShellOptions options) {
    this(client, options, null, false, false);
  }

  /**
   * A shell for the pool of {@code options} through {@code client} that runs the calls the pool
   * cannot serve (reasons {@code PoolNotFound} and {@code PoolUnavailable}) on {@code fallback},
   * e.g. a {@link io.pureremote.k8s.KubernetesShell}: a Job per call instead of an error. Neither
   * the client nor the fallback is closed by the shell.
   */
  public PoolShell(KubernetesClient client, PoolShellOptions options, Shell fallback) {
    this(client, options, java.util.Objects.requireNonNull(fallback, "fallback"), false, false);
  }

  PoolShell(KubernetesClient client, PoolShellOptions options, Shell fallback, boolean ownsClient,
      boolean ownsFallback) {
    this.client = client;
    this.options = options;
    this.pools = new WorkerPools(client);
    this.ownsClient = ownsClient;
    this.fallback = fallback;
    this.ownsFallback = ownsFallback;
  }

  /**
   * A shell with a client of its own from the kubeconfig ({@code kubeContext} or the current
   * context; in a pod, its service account), closed with the shell.
   */
  public static PoolShell fromKubeConfig(PoolShellOptions options, java.util.Optional<String> kubeContext) {
    return new PoolShell(client(kubeContext), options, null, true, false);
  }

  /** A client from the kubeconfig ({@code kubeContext} or the current context; in a pod, its service account). */
  static KubernetesClient client(java.util.Optional<String> kubeContext) {
    return new io.fabric8.kubernetes.client.KubernetesClientBuilder()
        .withConfig(io.pureremote.k8s.KubeConfigs.forShell(kubeContext)).build();
  }

  /** The shell that runs what the pool cannot serve, if any. */
  public Optional<Shell> fallback() {
    return Optional.ofNullable(fallback);
  }

  @Override
  public String name() {
    return "pool:" + options.pool();
  }

  /** False: its workers are pods, which cannot read this machine's folders. */
  @Override
  public boolean readsCallerFolders() {
    return false;
  }

  /** One worker pod and the connection to it. */
  private final class Worker {
    final String pod;
    final WorkerConnection connection;
    final LocalPortForward forward;
    final int slots;
    final AtomicInteger inFlight = new AtomicInteger();
    volatile boolean ready = true;

    Worker(String pod, WorkerConnection connection, LocalPortForward forward, int slots) {
      this.pod = pod;
      this.connection = connection;
      this.forward = forward;
      this.slots = slots;
    }

    int free() {
      return slots - inFlight.get();
    }

    void close() {
      connection.close();
      if (forward != null) {
        try {
          forward.close();
        } catch (IOException e) {
          // Closing.
        }
      }
    }
  }

  @Override
  public Launch launch(LaunchRequest request) {
    CompletableFuture<Outcome> completion = new CompletableFuture<>();
    PoolLaunch launch = new PoolLaunch(request, completion);
    Thread.ofVirtual().name("pureremote-pool-call-" + request.shortLabel()).start(launch::run);
    return launch;
  }

  private final class PoolLaunch implements Launch {
    final LaunchRequest request;
    final CompletableFuture<Outcome> completion;
    volatile boolean cancelled;
    volatile Worker current;
    volatile String currentId;
    /** The fallback's launch, once the call went there. */
    volatile Launch delegated;

    PoolLaunch(LaunchRequest request, CompletableFuture<Outcome> completion) {
      this.request = request;
      this.completion = completion;
    }

    void run() {
      int dispatches = 0;
      boolean tokenReread = false;
      String lastFailure = null;
      try {
        while (!cancelled && !closed) {
          Worker w;
          try {
            w = acquire();
          } catch (ShellException e) {
            if (fallback == null || !isPoolDown(e)) {
              throw e;
            }
            toFallback();
            return;
          }
          String id = "c" + ids.incrementAndGet();
          current = w;
          currentId = id;
          try {
            int code = w.connection.run(id, request.memoUri(), request.holder()).get();
            completion.complete(Outcome.exited(code, "worker pod " + w.pod + " of pool " + options.pool()));
            return;
          } catch (ExecutionException e) {
            Throwable cause = e.getCause();
            if (cause instanceof WorkerConnection.Refused r) {
              switch (r.reason()) {
                case "Busy", "Draining", "HandedBack" -> {
                  if (!r.reason().equals("Busy")) {
                    w.ready = false;
                  } else {
                    Thread.sleep(20); // another caller fills it: try again, maybe elsewhere
                  }
                  continue;
                }
                case "Unauthorized" -> {
                  if (!tokenReread) { // the pool was stopped and created again under the same name: a new token
                    tokenReread = true;
                    rereadToken(w);
                    continue;
                  }
                  throw new ShellException("WorkerRefused", null, r.getMessage() + " (pool " + options.pool()
                      + " in namespace " + namespace + ", also with the token read again from its Secret)", false);
                }
                default -> throw new ShellException("WorkerRefused", null, r.getMessage() + " (pool " + options.pool()
                    + " in namespace " + namespace + ")", false);
              }
            }
            dispatches++;
            lastFailure = "worker pod " + w.pod + ": " + cause.getMessage();
            log.warn("pool {}: {} lost call {} ({}); {}", options.pool(), w.pod, request.shortLabel(), cause.getMessage(),
                dispatches < options.maxDispatches() ? "sending it to another worker" : "giving up");
            forget(w);
            if (dispatches >= options.maxDispatches()) {
              throw new ShellException("WorkerDied", null, "Call " + request.shortLabel() + " lost " + dispatches
                  + " workers of pool " + options.pool() + " in a row; the last: " + lastFailure, true);
            }
          } finally {
            w.inFlight.decrementAndGet();
            synchronized (slotFreed) {
              slotFreed.notifyAll();
            }
          }
        }
        completion.complete(new Outcome("Cancelled", null, closed ? "the pool shell closed" : "cancelled"));
      } catch (ShellException e) {
        completion.completeExceptionally(e);
      } catch (InterruptedException e) {
        completion.complete(new Outcome("Cancelled", null, "interrupted"));
      } catch (RuntimeException e) {
        completion.completeExceptionally(new ShellException("LaunchFailed", "pool " + options.pool() + ": " + e, e));
      }
    }

    /** Runs the call on the fallback shell; its outcome is this launch's. */
    private void toFallback() {
      Launch inner = fallback.launch(request);
      delegated = inner;
      if (cancelled) {
        inner.cancel();
      }
      inner.completion().whenComplete((outcome, failure) -> {
        if (failure != null) {
          completion.completeExceptionally(failure);
        } else {
          completion.complete(outcome);
        }
      });
    }

    @Override
    public CompletableFuture<Outcome> completion() {
      return completion;
    }

    @Override
    public boolean queued() {
      Launch inner = delegated;
      return inner != null && inner.queued();
    }

    @Override
    public void cancel() {
      cancelled = true;
      Launch inner = delegated;
      if (inner != null) {
        inner.cancel();
        return;
      }
      Worker w = current;
      String id = currentId;
      if (w != null && id != null) {
        w.connection.cancel(id);
      }
    }

    @Override
    public String description() {
      Launch inner = delegated;
      if (inner != null) {
        return inner.description() + " (pool " + options.pool() + " cannot serve)";
      }
      Worker w = current;
      return "pool " + options.pool() + (w == null ? "" : " worker pod " + w.pod);
    }
  }

  /** A ready worker with a free slot, its slot taken; waits for one. */
  private Worker acquire() throws InterruptedException {
    long noneSince = 0;
    while (!closed) {
      try {
        refreshIfDue();
      } catch (ShellException e) {
        if (fallback != null && isPoolDown(e)) {
          markDown(e);
        }
        throw e;
      }
      Optional<Worker> best;
      synchronized (workers) {
        best = workers.values().stream().filter(w -> w.ready && w.connection.isOpen() && w.free() > 0)
            .max(Comparator.comparingInt(Worker::free));
        best.ifPresent(w -> w.inFlight.incrementAndGet());
      }
      if (best.isPresent()) {
        return best.get();
      }
      boolean anyReady = workers.values().stream().anyMatch(w -> w.ready && w.connection.isOpen());
      if (!anyReady) {
        ShellException known = down;
        if (known != null) {
          throw known; // already known to be down: straight to the fallback, the pool is asked again when due
        }
        noneSince = noneSince == 0 ? System.nanoTime() : noneSince;
        if (System.nanoTime() - noneSince > 3 * options.refreshInterval().toNanos() + options.connectTimeout().toNanos()) {
          ShellException unavailable = new ShellException("PoolUnavailable", null, "Worker pool " + options.pool() + " in namespace "
              + namespace + " has no ready worker (kubectl -n " + namespace + " get pods -l " + WorkerPools.POOL_LABEL
              + "=" + options.pool() + "; scale it with pureremote pool scale " + options.pool() + ")", true);
          if (fallback != null) {
            markDown(unavailable);
          }
          throw unavailable;
        }
        refreshedAt = 0;
      } else {
        noneSince = 0;
      }
      synchronized (slotFreed) {
        slotFreed.wait(Math.max(1, Math.min(50, options.refreshInterval().toMillis())));
      }
    }
    throw new InterruptedException("closed");
  }

  private static boolean isPoolDown(ShellException e) {
    return e.reason().equals("PoolNotFound") || e.reason().equals("PoolUnavailable");
  }

  /** Notes that the pool cannot serve: new calls go to the fallback without waiting; logged once per outage. */
  private synchronized void markDown(ShellException why) {
    if (down == null) {
      log.warn("pool {}: cannot serve ({}: {}); calls go to the {} shell until it has a ready worker again",
          options.pool(), why.reason(), why.getMessage(), fallback.name());
    }
    down = why;
  }

  /** Drops the token and every connection opened with it; the next refresh reads the Secret again. */
  private synchronized void rereadToken(Worker refusing) {
    log.info("pool {}: worker pod {} refused the token; reading the pool's Secret again", options.pool(), refusing.pod);
    token = null;
    for (Worker w : new ArrayList<>(workers.values())) {
      forget(w);
    }
    refreshedAt = 0;
  }

  private void forget(Worker w) {
    w.ready = false;
    workers.remove(w.pod, w);
    w.close();
  }

  private synchronized void refreshIfDue() {
    if (System.nanoTime() - refreshedAt < options.refreshInterval().toNanos() && refreshedAt != 0) {
      return;
    }
    ShellException stillDown = down;
    if (stillDown != null && System.nanoTime() - downCheckedAt < options.refreshInterval().toNanos()) {
      throw stillDown; // asked less than a refresh ago: still down
    }
    downCheckedAt = System.nanoTime();
    WorkerPool pool;
    try {
      pool = pools.connect(options.pool(), options.namespace()); // PoolNotFound names the pool
    } catch (ShellException e) {
      if (e.reason().equals("PoolNotFound")) {
        token = null; // a pool created again under this name has a new token
      }
      throw e;
    }
    namespace = pool.namespace();
    if (token == null) {
      token = pools.token(pool);
    }
    Set<String> ready = new HashSet<>();
    for (WorkerPool.ReadyWorker rw : pool.ready()) {
      ready.add(rw.pod());
      Worker known = workers.get(rw.pod());
      if (known != null && known.connection.isOpen()) {
        known.ready = true;
        continue;
      }
      try {
        Worker w = open(rw, pool.slots());
        workers.put(rw.pod(), w);
      } catch (IOException | RuntimeException e) {
        log.warn("pool {}: cannot reach worker pod {}: {}", options.pool(), rw.pod(), e.getMessage());
      }
    }
    for (Worker w : new ArrayList<>(workers.values())) {
      if (!ready.contains(w.pod)) {
        w.ready = false; // draining or gone: no new calls; its connection ends its running ones
        if (w.inFlight.get() == 0) {
          workers.remove(w.pod, w);
          w.close();
        }
      }
    }
    refreshedAt = System.nanoTime();
    if (down != null && workers.values().stream().anyMatch(w -> w.ready && w.connection.isOpen())) {
      log.info("pool {}: serves again ({} ready workers); calls go to it, not the {} shell", options.pool(),
          workers.size(), fallback.name());
      down = null;
    }
  }

  private Worker open(WorkerPool.ReadyWorker rw, int slots) throws IOException {
    PoolShellOptions.Addressing mode = options.addressing();
    if (mode == PoolShellOptions.Addressing.AUTO) {
      mode = InCluster.namespace().isPresent() ? PoolShellOptions.Addressing.POD_IP : PoolShellOptions.Addressing.PORT_FORWARD;
    }
    LocalPortForward forward = null;
    InetSocketAddress address;
    switch (mode) {
      case POD_IP -> address = new InetSocketAddress(rw.ip(), WorkerPools.WORKER_PORT);
      case PORT_FORWARD -> {
        forward = client.pods().inNamespace(namespace).withName(rw.pod()).portForward(WorkerPools.WORKER_PORT);
        address = new InetSocketAddress("127.0.0.1", forward.getLocalPort());
      }
      default -> address = options.addresses().apply(rw.pod())
          .orElseThrow(() -> new IOException("no address for worker pod " + rw.pod() + " yet"));
    }
    try {
      WorkerConnection c = WorkerConnection.open(address.getHostString(), address.getPort(), token, options.connectTimeout());
      log.info("pool {}: connected to worker pod {} ({} slots)", options.pool(), rw.pod(), slots);
      return new Worker(rw.pod(), c, forward, slots);
    } catch (IOException e) {
      if (forward != null) {
        forward.close();
      }
      throw e;
    }
  }

  /** Closes the connections (and port-forwards); calls still running fail over to nothing and end cancelled. */
  @Override
  public void close() {
    closed = true;
    workers.values().forEach(Worker::close);
    workers.clear();
    synchronized (slotFreed) {
      slotFreed.notifyAll();
    }
    if (ownsFallback) {
      fallback.close();
    }
    if (ownsClient) {
      client.close();
    }
  }
}
