package io.pureremote.k8s;

import io.fabric8.kubernetes.api.model.HasMetadata;
import io.fabric8.kubernetes.api.model.Pod;
import io.fabric8.kubernetes.api.model.batch.v1.Job;
import io.fabric8.kubernetes.client.KubernetesClient;
import io.fabric8.kubernetes.client.KubernetesClientException;
import io.fabric8.kubernetes.client.informers.ResourceEventHandler;
import io.fabric8.kubernetes.client.informers.SharedIndexInformer;
import io.pureremote.ShellException;
import java.time.Duration;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionException;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.function.LongConsumer;
import java.util.function.Supplier;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The two shared informers of one namespace: Jobs and Pods labelled {@code
 * app.kubernetes.io/managed-by=pureremote} (equality selectors only). Every in-flight call of the
 * shell in this namespace is fed from them by Job name; nothing polls per Job.
 *
 * <p>fabric8 informers relist on {@code 410 Gone} sent as a watch event (what a real API server
 * sends) and reconnect dropped watches themselves. Two cases they do not recover from are
 * handled here. An informer that stops (it gives up on some errors) is restarted with backoff.
 * An informer that keeps running without a watch for {@link #WATCH_GAP} (its watch requests are
 * refused: a bare {@code 410} on the request, which fabric8 retries from the same stale
 * resourceVersion forever, a proxy's {@code 503}, a server that is down) is restarted too, so it
 * relists instead of waiting: changes made meanwhile (a Job that completed, one that was deleted)
 * are seen from the fresh list. After each restart every tracked Job that the list did not
 * contain is checked with one GET. Thread-safe.
 */
final class NamespaceWatch implements AutoCloseable {
  private static final Logger log = LoggerFactory.getLogger(NamespaceWatch.class);
  private static final Duration FIRST_RESTART = Duration.ofMillis(500);
  private static final Duration MAX_RESTART = Duration.ofSeconds(30);
  /** How long a running informer may go without a watch before it is restarted (a relist). */
  static final Duration WATCH_GAP = Duration.ofSeconds(15);

  final String namespace;
  private final KubernetesClient client;
  private final ScheduledExecutorService scheduler;
  private final Map<String, TrackedRun> runs = new ConcurrentHashMap<>();
  private final Managed<Job> jobs;
  private final Managed<Pod> pods;
  private volatile boolean closed;

  NamespaceWatch(KubernetesClient client, String namespace, ScheduledExecutorService scheduler) {
    this.client = client;
    this.namespace = namespace;
    this.scheduler = scheduler;
    this.jobs = new Managed<>("Jobs",
        () -> client.batch().v1().jobs().inNamespace(namespace).withLabel(JobFactory.MANAGED_BY, JobFactory.MANAGER)
            .runnableInformer(0),
        new ResourceEventHandler<Job>() {
          @Override
          public void onAdd(Job job) {
            TrackedRun run = runs.get(job.getMetadata().getName());
            if (run != null) {
              run.onJob(job);
            }
          }

          @Override
          public void onUpdate(Job old, Job job) {
            onAdd(job);
          }

          @Override
          public void onDelete(Job job, boolean finalStateUnknown) {
            String name = job.getMetadata().getName();
            TrackedRun run = runs.get(name);
            if (run != null) {
              run.onJob(job); // the last known state may already say how it ended
              run.onVanished(name, job.getMetadata().getUid(),
                  finalStateUnknown ? "it was gone when the watch relisted" : "a watch reported it deleted");
            }
          }
        },
        this::afterJobsSynced);
    this.pods = new Managed<>("Pods",
        () -> client.pods().inNamespace(namespace).withLabel(JobFactory.MANAGED_BY, JobFactory.MANAGER).runnableInformer(0),
        new ResourceEventHandler<Pod>() {
          @Override
          public void onAdd(Pod pod) {
            Map<String, String> labels = pod.getMetadata().getLabels();
            TrackedRun run = labels == null ? null : runs.get(labels.getOrDefault(JobFactory.JOB_NAME_LABEL, ""));
            if (run != null) {
              run.onPod(pod);
            }
          }

          @Override
          public void onUpdate(Pod old, Pod pod) {
            onAdd(pod);
          }

          @Override
          public void onDelete(Pod pod, boolean finalStateUnknown) {
            onAdd(pod);
          }
        },
        listedFrom -> { });
  }

  /** Starts both informers if they are not running. */
  void start() {
    jobs.ensureStarted();
    pods.ensureStarted();
  }

  void track(String jobName, TrackedRun run) {
    runs.put(jobName, run);
  }

  void untrack(String jobName, TrackedRun run) {
    runs.remove(jobName, run);
  }

  int tracked() {
    return runs.size();
  }

  /** Restarts of either informer since this watch was created. */
  int restarts() {
    return jobs.restarts.get() + pods.restarts.get();
  }

  /** From the watchdog: restarts an informer that stopped without telling us. */
  void checkHealth() {
    jobs.checkHealth();
    pods.checkHealth();
  }

  /** Stops both informers the way fabric8 does when it gives up, for tests of the restart path. */
  void stopInformers() {
    jobs.stopCurrent();
    pods.stopCurrent();
  }

  @Override
  public void close() {
    closed = true;
    jobs.stopCurrent();
    pods.stopCurrent();
  }

  /**
   * Waits until both informers have listed once (or {@code max} passed), so the first Jobs are
   * created with the watches already in place. Returns whether they synced.
   */
  boolean awaitFirstSync(Duration max) throws InterruptedException {
    try {
      CompletableFuture.allOf(jobs.firstSync, pods.firstSync).get(max.toMillis(), TimeUnit.MILLISECONDS);
      return true;
    } catch (ExecutionException | TimeoutException e) {
      return false;
    }
  }

  private void afterJobsSynced(long listedFrom) {
    // A Job deleted while no informer ran produces no event; one GET per missing Job settles it.
    // Jobs created after the list began may be missing from it without being gone: skip those.
    SharedIndexInformer<Job> informer = jobs.current;
    if (informer == null) {
      return;
    }
    for (Map.Entry<String, TrackedRun> e : runs.entrySet()) {
      String name = e.getKey();
      if (informer.getStore().getByKey(namespace + "/" + name) == null && e.getValue().createdBefore(name, listedFrom)) {
        e.getValue().verify(name);
      }
    }
  }

  private static Throwable unwrap(Throwable t) {
    return t instanceof CompletionException && t.getCause() != null ? t.getCause() : t;
  }

  private static boolean isPermissionProblem(Throwable t) {
    return t instanceof KubernetesClientException k && (k.getCode() == 401 || k.getCode() == 403);
  }

  private void failAll(ShellException e) {
    runs.values().forEach(run -> run.fail(e));
  }

  /** One informer, restarted when it stops while the watch is open. */
  private final class Managed<T extends HasMetadata> {
    private final String kind;
    private final Supplier<SharedIndexInformer<T>> factory;
    private final ResourceEventHandler<T> handler;
    private final LongConsumer afterSync;
    private final CompletableFuture<Void> firstSync = new CompletableFuture<>();
    private final AtomicInteger restarts = new AtomicInteger();
    private volatile SharedIndexInformer<T> current;
    private boolean restartScheduled;
    private Duration backoff = FIRST_RESTART;
    /** When the current informer was first seen synced but not watching; null while it watches. */
    private Long notWatchingSince;

    Managed(String kind, Supplier<SharedIndexInformer<T>> factory, ResourceEventHandler<T> handler,
        LongConsumer afterSync) {
      this.kind = kind;
      this.factory = factory;
      this.handler = handler;
      this.afterSync = afterSync;
    }

    synchronized void ensureStarted() {
      if (closed || restartScheduled || (current != null && current.isRunning())) {
        return;
      }
      SharedIndexInformer<T> informer = factory.get();
      informer.addEventHandler(handler);
      informer.exceptionHandler((started, t) -> {
        // Keep retrying transient list/watch failures; stop on permission problems (reported below).
        // A failed list arrives wrapped in a CompletionException.
        boolean permanent = isPermissionProblem(unwrap(t));
        log.debug("{} informer in {}: {} ({})", kind, namespace, t.toString(), permanent ? "giving up" : "retrying");
        return !permanent;
      });
      current = informer;
      long listedFrom = System.nanoTime();
      informer.stopped().whenComplete((v, t) -> onStopped(informer, t));
      informer.start().whenComplete((v, t) -> {
        if (t == null) {
          synchronized (this) {
            backoff = FIRST_RESTART;
          }
          afterSync.accept(listedFrom);
          firstSync.complete(null);
        }
      });
    }

    private void onStopped(SharedIndexInformer<T> informer, Throwable t) {
      if (closed || informer != current) {
        return;
      }
      Throwable cause = t == null ? null : unwrap(t);
      if (isPermissionProblem(cause) && cause instanceof KubernetesClientException k) {
        failAll(new ShellException("WatchFailed", null, "Cannot watch " + kind + " in namespace '" + namespace + "' (HTTP "
            + k.getCode() + ": " + ApiGate.describe(k) + "). The kube context needs RBAC get/list/watch on jobs and pods there.",
            false));
      } else {
        log.warn("The {} informer in namespace {} stopped ({}); restarting it", kind, namespace,
            cause == null ? "no error given" : cause.toString());
      }
      scheduleRestart();
    }

    synchronized void checkHealth() {
      if (closed || restartScheduled || current == null) {
        return;
      }
      if (!current.isRunning()) {
        log.warn("The {} informer in namespace {} is not running; restarting it", kind, namespace);
        scheduleRestart();
        return;
      }
      if (!current.hasSynced() || current.isWatching()) {
        notWatchingSince = null;
        return;
      }
      long now = System.nanoTime();
      if (notWatchingSince == null) {
        notWatchingSince = now;
      } else if (now - notWatchingSince >= WATCH_GAP.toNanos()) {
        log.warn("The {} informer in namespace {} has had no watch for {} s (the API server refuses or cannot be"
            + " reached); restarting it to relist", kind, namespace, WATCH_GAP.toSeconds());
        notWatchingSince = null;
        scheduleRestart();
      }
    }

    private synchronized void scheduleRestart() {
      if (closed || restartScheduled) {
        return;
      }
      restartScheduled = true;
      Duration wait = backoff;
      backoff = backoff.multipliedBy(2).compareTo(MAX_RESTART) > 0 ? MAX_RESTART : backoff.multipliedBy(2);
      scheduler.schedule(this::restart, wait.toMillis(), TimeUnit.MILLISECONDS);
    }

    private void restart() {
      synchronized (this) {
        restartScheduled = false;
        if (closed) {
          return;
        }
        SharedIndexInformer<T> old = current;
        current = null;
        if (old != null) {
          old.stop();
        }
        restarts.incrementAndGet();
      }
      try {
        ensureStarted();
      } catch (RuntimeException e) {
        log.warn("Restarting the {} informer in namespace {} failed: {}", kind, namespace, e.toString());
        scheduleRestart();
      }
    }

    void stopCurrent() {
      SharedIndexInformer<T> informer = current;
      if (informer != null) {
        informer.stop();
      }
    }
  }
}
