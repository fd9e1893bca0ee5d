package io.pureremote.torch;

import io.fabric8.kubernetes.api.model.DeletionPropagation;
import io.fabric8.kubernetes.api.model.Pod;
import io.fabric8.kubernetes.api.model.Service;
import io.fabric8.kubernetes.api.model.batch.v1.Job;
import io.fabric8.kubernetes.client.KubernetesClient;
import io.fabric8.kubernetes.client.KubernetesClientBuilder;
import io.fabric8.kubernetes.client.KubernetesClientException;
import io.fabric8.kubernetes.client.dsl.FieldValidateable.Validation;
import io.fabric8.kubernetes.client.informers.ResourceEventHandler;
import io.fabric8.kubernetes.client.informers.SharedIndexInformer;
import io.pureremote.ShellException;
import io.pureremote.k8s.ApiGate;
import io.pureremote.k8s.ClusterFeatures;
import io.pureremote.k8s.KubeConfigs;
import io.pureremote.k8s.PodSpecs;
import io.pureremote.spi.Launch;
import io.pureremote.spi.LaunchRequest;
import io.pureremote.spi.Shell;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.RejectedExecutionException;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import java.util.function.BiConsumer;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Runs each call on {@link TorchShellOptions#nodes()} pods at once, the way distributed PyTorch
 * runs: every node runs the function ({@code RemoteMain run <memo uri>}), reads its place from
 * {@link io.pureremote.TorchDistributed} (node rank, nodes, master address and port) and may start
 * {@code torchrun}; only node rank 0 commits the result or error. The Job only says how the run
 * ended; the value always comes from the blob store.
 *
 * <p>This version runs the no-operator backend ({@code indexed-job}): an Indexed {@code batch/v1}
 * Job with a headless Service owned by it, which every cluster has; the operators' PyTorchJob and
 * TrainJob are not used yet (docs/torch.md). At the first launch the shell reads the server
 * version (once): older than 1.{@value ClusterFeatures#OLDEST_MINOR} is refused; 1.33+ gets
 * {@code successPolicy} and {@code backoffLimitPerIndex}, older servers the fallback the factory
 * describes. Objects are created with strict server-side field validation and followed through
 * one shared Job informer per namespace.
 *
 * <ul>
 *   <li>{@code SuccessCriteriaMet} or {@code Complete} (or, before 1.33, node 0's pod Succeeded) →
 *       exit 0, and the Job is deleted at once: nodes still running would hold their quota.
 *   <li>{@code FailureTarget} or {@code Failed} → the first node that failed: node 0's exit code
 *       (42: the function threw, its error is stored), or {@code NodeFailed} with that node's exit
 *       code and last log lines.
 *   <li>A disruption (eviction, preemption: pod condition {@code DisruptionTarget}) fails the Job
 *       through its pod failure policy; the shell re-creates the run ({@code -r1}, ...) without
 *       spending the caller's retries, up to {@link TorchShellOptions#maxEvictionRetries()}.
 *   <li>Pods pending past {@link TorchShellOptions#pendingTimeout()} → {@code PodsPending} with each
 *       pod's reason.
 * </ul>
 *
 * <p>Node 0's log goes to the SLF4J logger {@code io.pureremote.torch.pods} at INFO, prefixed
 * {@code [job/pod]}; every node's {@code RemoteMain} stores its own log and run record beside the
 * memo entry. {@link Launch#cancel()} and {@link #close()} delete the Job with foreground
 * propagation (its Service goes with it). Thread-safe; {@link #launch} never blocks. The client
 * passed in stays the caller's to close.
 */
public final class TorchShell implements Shell {
  private static final Logger log = LoggerFactory.getLogger(TorchShell.class);
  private static final Logger podLog = LoggerFactory.getLogger("io.pureremote.torch.pods");
  private static final long TICK_MILLIS = 250;

  private final KubernetesClient client;
  private final boolean ownsClient;
  private final TorchShellOptions options;
  private final IndexedJobFactory factory;
  private final ApiGate gate = new ApiGate(20, 40, 5);
  private final Map<String, TorchRun> runs = new ConcurrentHashMap<>();
  private final Map<String, SharedIndexInformer<Job>> informers = new ConcurrentHashMap<>();
  private final ExecutorService executor = Executors.newThreadPerTaskExecutor(Thread.ofVirtual().name("pureremote-torch-", 0).factory());
  private final ScheduledExecutorService scheduler = Executors.newSingleThreadScheduledExecutor(r -> {
    Thread t = new Thread(r, "pureremote-torch-watchdog");
    t.setDaemon(true);
    return t;
  });
  private volatile ClusterFeatures features;
  private volatile BiConsumer<String, String> logSink = (prefix, line) -> podLog.info("{}{}", prefix, line);
  private volatile boolean closed;

  /**
   * A shell that creates Jobs through {@code client}, which it does not close.
   *
   * @param client a client for the target cluster (its own namespace setting is ignored)
   * @param options where and how the nodes run
   */
  public TorchShell(KubernetesClient client, TorchShellOptions options) {
    this(client, false, options);
  }

  private TorchShell(KubernetesClient client, boolean ownsClient, TorchShellOptions options) {
    this.client = Objects.requireNonNull(client, "client");
    this.ownsClient = ownsClient;
    this.options = Objects.requireNonNull(options, "options");
    this.factory = new IndexedJobFactory(options);
    scheduler.scheduleWithFixedDelay(this::tick, TICK_MILLIS, TICK_MILLIS, TimeUnit.MILLISECONDS);
  }

  /**
   * A shell with its own client, configured like {@code kubectl} (kubeconfig with {@link
   * TorchShellOptions#kubeContext()}, else in-cluster); the client is closed with the shell.
   */
  public static TorchShell fromKubeConfig(TorchShellOptions options) {
    return new TorchShell(new KubernetesClientBuilder().withConfig(KubeConfigs.forContext(options.kubeContext())).build(), true,
        options);
  }

  @Override
  public String name() {
    return "torch";
  }

  /** The options this shell runs with. */
  public TorchShellOptions options() {
    return options;
  }

  /** The backend this shell runs calls on: {@code indexed-job} (also logged and in every node's run record). */
  public String backend() {
    return IndexedJobFactory.BACKEND;
  }

  /**
   * The Indexed Job a shell with {@code options} would create first for {@code request} on a
   * server of version {@code 1.<minor>}, without a cluster: for dry runs, reviews and docs (e.g.
   * {@code new KubernetesSerialization().asYaml(job)}).
   */
  public static Job indexedJob(TorchShellOptions options, LaunchRequest request, int minor) {
    return new IndexedJobFactory(options).job(request, PodSpecs.callName(request), 0,
        new ClusterFeatures(1, minor, "v1." + minor + ".0"));
  }

  /** The headless Service created beside {@link #indexedJob} (owned by the Job with uid {@code jobUid}). */
  public static Service indexedJobService(TorchShellOptions options, LaunchRequest request, String jobUid) {
    IndexedJobFactory f = new IndexedJobFactory(options);
    String name = PodSpecs.callName(request);
    return f.service(name, jobUid, f.job(request, name, 0, new ClusterFeatures(1, 33, "v1.33.0")).getMetadata().getLabels());
  }

  @Override
  public Launch launch(LaunchRequest request) {
    Objects.requireNonNull(request, "request");
    TorchRun run = new TorchRun(this, request, PodSpecs.callName(request));
    if (closed) {
      run.fail(new ShellException("ShellClosed", null, "The torch shell is closed; cannot run " + request.shortLabel(), false));
      return run;
    }
    var envProblem = PodSpecs.environmentProblem(request, "PodTemplateOptions");
    if (envProblem.isPresent()) {
      run.fail(new ShellException("CredentialInEnvironment", null, envProblem.get(), false));
      return run;
    }
    submit(() -> create(run, run.name(), 0));
    return run;
  }

  /** Deletes the Jobs of calls still running (foreground), stops the informers and threads. */
  @Override
  public void close() {
    if (closed) {
      return;
    }
    closed = true;
    for (TorchRun run : List.copyOf(runs.values())) {
      run.cancel();
    }
    scheduler.shutdownNow();
    informers.values().forEach(SharedIndexInformer::close);
    executor.shutdown();
    try {
      if (!executor.awaitTermination(10, TimeUnit.SECONDS)) {
        executor.shutdownNow();
      }
    } catch (InterruptedException e) {
      executor.shutdownNow();
      Thread.currentThread().interrupt();
    }
    if (ownsClient) {
      client.close();
    }
  }

  /** Replaces where node 0's log lines go (tests capture them). */
  void logSink(BiConsumer<String, String> sink) {
    this.logSink = Objects.requireNonNull(sink, "sink");
  }

  BiConsumer<String, String> logSink() {
    return logSink;
  }

  /** What the server supports; null before the first launch asked. */
  ClusterFeatures features() {
    return features;
  }

  // ---- actions a run asks for ----

  void submit(Runnable task) {
    try {
      executor.execute(task);
    } catch (RejectedExecutionException e) {
      log.debug("torch shell closed; dropped a background task");
    }
  }

  void untrack(TorchRun run) {
    runs.remove(run.name(), run);
  }

  /** Tracks the run under its new name (after an eviction). */
  void rename(TorchRun run, String from, String to) {
    runs.put(to, run);
    runs.remove(from, run);
  }

  /** Creates the Job {@code name} and its Service for {@code run} ({@code attempt} counts re-creations). */
  void create(TorchRun run, String name, int attempt) {
    String ns = options.namespace();
    try {
      ClusterFeatures found = discover();
      var refusal = found.refusal(client.getMasterUrl().toString());
      if (refusal.isPresent()) {
        run.fail(new ShellException("ClusterTooOld", null, refusal.get().replace("the Kubernetes shell", "the torch shell"), false));
        return;
      }
      Job job;
      try {
        job = factory.job(run.request(), name, attempt, found);
      } catch (RuntimeException e) {
        run.fail(new ShellException("InvalidJob", "Cannot build the Indexed Job for " + run.request().shortLabel() + ": "
            + e.getMessage(), e));
        return;
      }
      runs.put(name, run);
      startInformer(ns);
      Job created = gate.call("create Job " + ns + "/" + name,
          () -> client.batch().v1().jobs().inNamespace(ns).resource(job).fieldValidation(Validation.STRICT).create());
      Service service = factory.service(name, created.getMetadata().getUid(), job.getMetadata().getLabels());
      try {
        gate.call("create Service " + ns + "/" + name,
            () -> client.services().inNamespace(ns).resource(service).fieldValidation(Validation.STRICT).create());
      } catch (KubernetesClientException e) {
        delete(name, "its Service could not be created");
        run.fail(launchFailed(e, "Service", name));
        return;
      }
      log.info("created Indexed Job {}/{} + headless Service for {} (backend {}: {} node(s) × {} process(es), master {}:{}; {})",
          ns, name, run.request().shortLabel(), IndexedJobFactory.BACKEND, options.nodes(), options.processesPerNode(),
          IndexedJobFactory.masterAddress(name), options.masterPort(),
          found.successPolicy() ? "successPolicy index 0, backoffLimitPerIndex" : "no successPolicy before 1.33: the shell "
              + "ends the call when node 0 succeeded; backoffLimit per node × nodes");
      if (!run.onCreated(name)) {
        delete(name, "cancelled while being created");
      }
    } catch (KubernetesClientException e) {
      run.fail(launchFailed(e, "Job", name));
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      run.fail(new ShellException("LaunchFailed", "Interrupted while creating Job " + ns + "/" + name, e));
    }
  }

  void delete(String name, String why) {
    String ns = options.namespace();
    try {
      gate.call("delete Job " + ns + "/" + name, () -> client.batch().v1().jobs().inNamespace(ns).withName(name)
          .withPropagationPolicy(DeletionPropagation.FOREGROUND).delete());
      log.info("deleted Job {}/{} ({})", ns, name, why);
    } catch (KubernetesClientException e) {
      if (e.getCode() != 404) {
        log.warn("Could not delete Job {}/{} ({}): {}. Delete it with `kubectl delete job -n {} {}`.", ns, name, why,
            ApiGate.describe(e), ns, name);
      }
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
    }
  }

  /** The pods of Job {@code name}; empty on errors. */
  List<Pod> pods(String name) {
    try {
      return gate.call("list pods of Job " + name, () -> client.pods().inNamespace(options.namespace())
          .withLabel(IndexedJobFactory.JOB_NAME_LABEL, name).list().getItems());
    } catch (KubernetesClientException e) {
      log.debug("Listing the pods of Job {} failed: {}", name, ApiGate.describe(e));
      return List.of();
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      return List.of();
    }
  }

  /** The log of {@code pod}'s container so far; null when it cannot be read (yet). */
  String podLog(String pod) {
    try {
      return gate.call("get log of " + pod, () -> client.pods().inNamespace(options.namespace()).withName(pod)
          .inContainer(IndexedJobFactory.CONTAINER).getLog());
    } catch (KubernetesClientException e) {
      return null;
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      return null;
    }
  }

  /** The server's version, asked once (a failed request is not kept). */
  private ClusterFeatures discover() throws InterruptedException {
    ClusterFeatures known = features;
    if (known != null) {
      return known;
    }
    ClusterFeatures found = ClusterFeatures.of(gate.call("get /version", client::getKubernetesVersion));
    log.info("torch shell: {}", found.describe());
    features = found;
    return found;
  }

  private void startInformer(String ns) {
    informers.computeIfAbsent(ns, n -> client.batch().v1().jobs().inNamespace(n)
        .withLabel(IndexedJobFactory.BACKEND_LABEL, IndexedJobFactory.BACKEND)
        .inform(new ResourceEventHandler<>() {
          @Override
          public void onAdd(Job job) {
            dispatch(job, false);
          }

          @Override
          public void onUpdate(Job old, Job job) {
            dispatch(job, false);
          }

          @Override
          public void onDelete(Job job, boolean unknown) {
            dispatch(job, true);
          }
        }, 0));
  }

  private void dispatch(Job job, boolean deleted) {
    TorchRun run = runs.get(job.getMetadata().getName());
    if (run == null) {
      return;
    }
    if (deleted) {
      run.onDeleted(job.getMetadata().getName());
    } else {
      run.onJob(job);
    }
  }

  private void tick() {
    try {
      long now = System.nanoTime();
      for (TorchRun run : Set.copyOf(runs.values())) {
        run.tick(now);
      }
    } catch (RuntimeException e) {
      log.warn("torch shell watchdog failed: {}", e.toString(), e);
    }
  }

  private ShellException launchFailed(KubernetesClientException e, String kind, String name) {
    String ns = options.namespace();
    String why = ApiGate.describe(e);
    String message = switch (e.getCode()) {
      case 401, 403 -> "Not allowed to create " + kind + " " + ns + "/" + name + " (" + why + "). The kube context needs RBAC "
          + "create/get/list/watch/delete on jobs.batch, create on services and get/list on pods and pods/log in namespace '"
          + ns + "'.";
      case 404 -> "Cannot create " + kind + " " + ns + "/" + name + " (" + why + "): does namespace '" + ns + "' exist?";
      case 400 -> "The API server rejected " + kind + " " + ns + "/" + name + " (" + why + "). The shell creates it with strict "
          + "field validation, so a field this server does not know is an error instead of being dropped: upgrade the "
          + "cluster or drop the option.";
      case 422 -> "The API server rejected " + kind + " " + ns + "/" + name + " as invalid (" + why + "). Check the torch "
          + "shell options.";
      default -> "Cannot create " + kind + " " + ns + "/" + name + " (" + why + ").";
    };
    ShellException failure = new ShellException("LaunchFailed", null, message, ApiGate.isTransient(e));
    failure.initCause(e);
    return failure;
  }
}
