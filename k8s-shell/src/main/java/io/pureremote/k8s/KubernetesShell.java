package io.pureremote.k8s;

import io.fabric8.kubernetes.api.model.DeletionPropagation;
import io.fabric8.kubernetes.api.model.Pod;
import io.fabric8.kubernetes.api.model.batch.v1.Job;
import io.fabric8.kubernetes.api.model.batch.v1.JobList;
import io.fabric8.kubernetes.client.Config;
import io.fabric8.kubernetes.client.KubernetesClient;
import io.fabric8.kubernetes.client.KubernetesClientBuilder;
import io.fabric8.kubernetes.client.KubernetesClientException;
import io.fabric8.kubernetes.client.dsl.FieldValidateable.Validation;
import io.fabric8.kubernetes.client.dsl.LogWatch;
import io.fabric8.kubernetes.client.dsl.NonNamespaceOperation;
import io.fabric8.kubernetes.client.dsl.ScalableResource;
import io.pureremote.FunctionId;
import io.pureremote.ShellException;
import io.pureremote.spi.Shell.Launch;
import io.pureremote.spi.Shell.LaunchGroup;
import io.pureremote.spi.Shell.Outcome;
import io.pureremote.spi.Shell.LaunchRequest;
import io.pureremote.spi.Shell;
import java.security.SecureRandom;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.RejectedExecutionException;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.Semaphore;
import java.util.concurrent.TimeUnit;
import java.util.function.BiConsumer;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Runs each call as a Kubernetes {@code batch/v1} Job whose single container runs the
 * application image's entrypoint ({@code io.pureremote.RemoteMain}) with {@code run <memo uri>}.
 * The Job only says how the run ended; the value always comes from the blob store.
 *
 * <pre>{@code
 * try (KubernetesClient client = new KubernetesClientBuilder().build();
 *      KubernetesShell shell = new KubernetesShell(client, KubernetesShellOptions.builder()
 *          .namespace("ml-team").image("myregistry.azurecr.io/scoring/app:42").memory("4Gi").build());
 *      RemoteRuntime runtime = RemoteRuntime.builder().blobRoot("s3://bucket/memo").shell(shell).build()) {
 *   Scoring scoring = runtime.create(Scoring.class, ScoringImpl.class);
 *   double s = scoring.score(cohort, params);      // a Job on a miss; a memo hit creates nothing
 * }
 * }</pre>
 *
 * <p>How it waits: one shared Job informer and one shared Pod informer per namespace (label
 * {@code app.kubernetes.io/managed-by=pureremote}) feed every in-flight call; there is no
 * per-Job polling. A Job that vanishes, or goes quiet for {@link
 * KubernetesShellOptions#watchSilenceBound()}, gets one GET. How calls end:
 *
 * <ul>
 *   <li>Complete → exit 0; the pipeline reads {@code result}. Failed with exit code 42 (the
 *       function threw; the pod failure policy fails the Job at once) → the pipeline reads {@code
 *       error}.
 *   <li>{@code OOMKilled}, {@code DeadlineExceeded}, other exit codes, {@code JobDeleted} → an
 *       outcome with that reason; with nothing in the store the caller gets a {@link
 *       ShellException} carrying it.
 *   <li>Image pull failing past {@link KubernetesShellOptions#imagePullBound()} ({@code
 *       ImagePullBackOff}) or unschedulable past {@link KubernetesShellOptions#pendingTimeout()}
 *       ({@code Unschedulable}) → the Job is deleted and the call fails at once, not retryable.
 *   <li>Evicted / preempted / node lost → the Job is re-created (name suffix {@code -r1},
 *       {@code -r2}, ...) without spending the caller's retries, up to {@link
 *       KubernetesShellOptions#maxEvictionRetries()}; then {@code Evicted}, retryable.
 * </ul>
 *
 * <p>{@link Launch#cancel()} and {@link #close()} delete Jobs with foreground propagation. Job
 * creation is bounded by {@link KubernetesShellOptions#launchConcurrency()}; every request the
 * shell makes goes through a token bucket ({@link KubernetesShellOptions#apiQps()}) and is
 * retried on 429, 5xx and connection errors. Pod logs follow to the SLF4J logger {@code
 * io.pureremote.k8s.pods} at INFO, prefixed {@code [job/pod]}.
 *
 * <p>Batched fan-outs ({@link KubernetesShellOptions#batching()}, on by default): misses of one
 * function that reach their launch together ({@link #grouping}) run as one Indexed Job per batch
 * of at most {@link KubernetesShellOptions#batchSize()} calls ({@link #launchGroup}); index
 * {@code i} runs member {@code i} of the batch manifest, and each call still ends, fails and is
 * cancelled on its own. On servers without per-index backoff (before 1.33) each call gets its own
 * Job.
 *
 * <p>Per-function options: {@link #withOptions} makes sibling shells that share the client, the
 * informers, the API budget and the launch slots, so any number of option sets still cost one
 * Job and one Pod watch per namespace.
 *
 * <p>Thread-safe; {@link #launch} never blocks. The client passed in stays the caller's to close;
 * one built by {@link #fromKubeConfig} is closed with the shell (the last sibling).
 */
public final class KubernetesShell implements Shell {
  private static final Logger log = LoggerFactory.getLogger(KubernetesShell.class);
  private static final Logger podLog = LoggerFactory.getLogger("io.pureremote.k8s.pods");
  private static final long TICK_MILLIS = 250;
  private static final long CLOSE_WAIT_SECONDS = 15;
  private static final Duration FIRST_SYNC_WAIT = Duration.ofSeconds(30);
  private static final SecureRandom RANDOM = new SecureRandom();

  private final Shared shared;
  private final KubernetesClient client;
  private final KubernetesShellOptions options;
  private final JobFactory factory;
  private final ApiGate gate;
  private final Set<JobRun> inFlight = ConcurrentHashMap.newKeySet();
  private final Set<BatchRun> batches = ConcurrentHashMap.newKeySet();
  private final BatchRun.Actions batchActions = new ShellBatchActions();
  private final java.util.concurrent.atomic.AtomicBoolean fallbackLogged = new java.util.concurrent.atomic.AtomicBoolean();
  private final JobActions jobActions = new ShellJobActions();
  private final DisruptionRecords disruptions = new DisruptionRecords();
  private final KueueWorkloads workloads;
  private volatile BiConsumer<String, String> logSink = (prefix, line) -> podLog.info("{}{}", prefix, line);
  private volatile boolean closed;

  /**
   * A shell that creates Jobs through {@code client}, which it does not close.
   *
   * @param client a client for the target cluster (its own namespace setting is ignored)
   * @param options where and how Jobs run
   */
  public KubernetesShell(KubernetesClient client, KubernetesShellOptions options) {
    this(new Shared(Objects.requireNonNull(client, "client"), false, Objects.requireNonNull(options, "options"),
        KubeConfigs.Source.givenClient()), options);
  }

  private KubernetesShell(Shared shared, KubernetesShellOptions options) {
    this.shared = shared;
    this.client = shared.client;
    this.gate = shared.gate;
    this.workloads = new KueueWorkloads(client, gate);
    this.options = Objects.requireNonNull(options, "options");
    this.factory = new JobFactory(options);
    shared.join(this);
  }

  /**
   * A shell with its own client, configured like {@code kubectl}: kubeconfig ({@code $KUBECONFIG}
   * or {@code ~/.kube/config}) with {@link KubernetesShellOptions#kubeContext()} (or the current
   * context), else the in-cluster service account. The client is closed with the shell.
   */
  public static KubernetesShell fromKubeConfig(KubernetesShellOptions options) {
    Config config = KubeConfigs.forShell(options.kubeContext());
    KubernetesClient client = new KubernetesClientBuilder().withConfig(config).build();
    return new KubernetesShell(new Shared(client, true, options, KubeConfigs.sourceOf(client)), options);
  }

  /**
   * A sibling shell with other Job options (e.g. per-function resources) that shares this one's
   * client, informers (still one pair per namespace), API rate limit and launch slots. The shared
   * parts stop when the last sibling is closed; each sibling's {@link #close()} cancels only its
   * own calls. The rate limit and launch concurrency are the first shell's.
   *
   * @throws IllegalStateException when this shell is closed
   */
  public KubernetesShell withOptions(KubernetesShellOptions options) {
    if (closed) {
      throw new IllegalStateException("The Kubernetes shell is closed; create siblings before closing it");
    }
    return new KubernetesShell(shared, options);
  }

  @Override
  public String name() {
    return "kubernetes";
  }

  /** False: its calls run in pods, which cannot read this machine's folders. */
  @Override
  public boolean readsCallerFolders() {
    return false;
  }

  /** The options this shell runs with. */
  public KubernetesShellOptions options() {
    return options;
  }

  /**
   * The Job the shell would create first for {@code request} (before any re-creation), without
   * creating it: for inspection, dry runs and tests.
   */
  public Job job(LaunchRequest request) {
    return factory.build(request, JobFactory.baseName(request), 0);
  }

  @Override
  public Launch launch(LaunchRequest request) {
    Objects.requireNonNull(request, "request");
    String name = JobFactory.baseName(request);
    JobRun run = new JobRun(jobActions, options, request, name, sampled(request));
    // Refused before anything reaches the API server: no Job ever holds a plain credential.
    Optional<ShellException> refusal = PodSpecs.launchRefusal("Kubernetes", closed, request, "KubernetesShellOptions");
    if (refusal.isPresent()) {
      run.fail(refusal.get());
      return run;
    }
    inFlight.add(run);
    // Track before creating, so no event for the new Job can be missed; the informers start once
    // the server answered (createJob), so a missing cluster is one clear error, not endless retries.
    watch().track(name, run);
    jobActions.create(run, name, 0);
    return run;
  }

  /**
   * Misses of one function are collected for {@link KubernetesShellOptions#batchWindow()}, up to
   * {@link KubernetesShellOptions#batchSize()} calls, when batching is on and the server is not
   * known to lack per-index backoff; else none are.
   */
  @Override
  public LaunchGroup.Policy grouping(FunctionId function) {
    if (!options.batches() || closed || shared.probe.known().map(f -> !f.perIndexBackoff()).orElse(false)) {
      return LaunchGroup.Policy.NONE;
    }
    return new LaunchGroup.Policy(options.batchWindow(), options.batchSize());
  }

  /**
   * Runs the group as Indexed Jobs of at most {@link KubernetesShellOptions#batchSize()} calls
   * each (one API write per batch), or one Job per call when batching is off, the group has one
   * call, or the server serves no per-index backoff (before 1.33; said once in the log). Returns
   * at once; the manifest is written and the Job created in the background.
   */
  @Override
  public List<Launch> launchGroup(LaunchGroup group) {
    List<LaunchRequest> requests = group.requests();
    if (!options.batches() || requests.size() == 1 || closed) {
      return requests.stream().map(this::launch).toList();
    }
    List<Launch> launches = new ArrayList<>();
    for (int from = 0; from < requests.size(); from += options.batchSize()) {
      List<LaunchRequest> chunk = requests.subList(from, Math.min(requests.size(), from + options.batchSize()));
      List<Deferred> deferred = chunk.stream().map(Deferred::new).toList();
      launches.addAll(deferred);
      submit(() -> launchBatch(group, List.copyOf(chunk), deferred));
    }
    return launches;
  }

  private void launchBatch(LaunchGroup group, List<LaunchRequest> chunk, List<Deferred> deferred) {
    ClusterFeatures features;
    try {
      features = shared.probe.requireSupported();
    } catch (ShellException e) {
      deferred.forEach(d -> d.fail(BatchRun.copyOf(e)));
      return;
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      ShellException failure = new ShellException("LaunchFailed", "Interrupted while launching a batch", e);
      deferred.forEach(d -> d.fail(BatchRun.copyOf(failure)));
      return;
    }
    if (chunk.size() == 1 || !features.perIndexBackoff()) {
      if (chunk.size() > 1 && fallbackLogged.compareAndSet(false, true)) {
        log.info("Kubernetes {} serves no backoffLimitPerIndex (1.33+), without which one failing call of a batch Job"
            + " would fail its neighbours: batching is off, one Job per call", features.gitVersion());
      }
      for (Deferred d : deferred) {
        d.bind(launch(d.request));
      }
      return;
    }
    Optional<String> envProblem = JobFactory.environmentProblem(chunk.getFirst());
    if (envProblem.isPresent()) {
      ShellException e = new ShellException("CredentialInEnvironment", null, envProblem.get(), false);
      deferred.forEach(d -> d.fail(BatchRun.copyOf(e)));
      return;
    }
    String manifest;
    try {
      manifest = group.writeManifest(chunk);
    } catch (RuntimeException e) {
      ShellException failure = new ShellException("LaunchFailed", "Cannot write the batch manifest for " + chunk.size()
          + " calls of " + group.function() + ": " + e.getMessage(), e);
      deferred.forEach(d -> d.fail(BatchRun.copyOf(failure)));
      return;
    }
    BatchRun run = new BatchRun(batchActions, options, chunk, manifest, JobFactory.batchName(chunk.getFirst(), manifest));
    if (closed) {
      run.fail(new ShellException("ShellClosed", null, "The Kubernetes shell is closed; cannot run a batch of "
          + group.function(), false));
    } else {
      batches.add(run);
      watch().track(run.jobName, run);
    }
    for (int i = 0; i < deferred.size(); i++) {
      deferred.get(i).bind(run.members.get(i));
    }
    if (!closed) {
      createBatchJob(run);
    }
  }

  /**
   * Deletes the Jobs of this shell's calls still running (foreground propagation); when it is the
   * last of its siblings, also stops the informers and threads (and closes an owned client).
   */
  @Override
  public void close() {
    if (closed) {
      return;
    }
    closed = true;
    List<Future<?>> deletions = new ArrayList<>();
    for (JobRun run : List.copyOf(inFlight)) {
      Optional<String> name = run.cancelForClose();
      name.ifPresent(n -> deletions.add(shared.executor.submit(() -> deleteJob(n, "shell closed"))));
    }
    for (BatchRun run : List.copyOf(batches)) {
      boolean created = run.phase() == JobRun.Phase.RUNNING;
      run.fail(new ShellException("ShellClosed", null, "The Kubernetes shell was closed while batch Job "
          + options.namespace() + "/" + run.jobName + " ran; the Job was deleted", true));
      if (created) {
        deletions.add(shared.executor.submit(() -> deleteJob(run.jobName, "shell closed")));
      }
    }
    long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(CLOSE_WAIT_SECONDS);
    for (Future<?> f : deletions) {
      try {
        f.get(Math.max(0, deadline - System.nanoTime()), TimeUnit.NANOSECONDS);
      } catch (Exception e) {
        log.warn("Deleting a Job while closing the shell failed: {}", e.toString());
      }
    }
    disruptions.close();
    shared.leave(this);
  }

  // ---- package-private: used by NamespaceWatch and tests ----

  KubernetesClient client() {
    return client;
  }

  boolean isClosed() {
    return closed;
  }

  NamespaceWatch watch() {
    return shared.watch(options.namespace());
  }

  /** Replaces where pod log lines go (tests capture them). */
  void logSink(BiConsumer<String, String> sink) {
    this.logSink = Objects.requireNonNull(sink, "sink");
  }

  /**
   * The cluster side of this shell's runs: each {@link JobRun} decides, this carries its decisions
   * out on the shared executor (and is all a run knows of the shell).
   */
  private final class ShellJobActions implements JobActions {
    @Override
    public void untrack(JobRun run) {
      inFlight.remove(run);
      watch().untrack(run.jobName(), run);
    }

    @Override
    public void retrack(JobRun run, String from, String to) {
      NamespaceWatch watch = watch();
      watch.track(to, run);
      watch.untrack(from, run);
    }

    @Override
    public void create(JobRun run, String name, int attempt) {
      submit(() -> createJob(run, name, attempt));
    }

    @Override
    public void delete(String name, String why) {
      submit(() -> deleteJob(name, why));
    }

    /** One GET of the Job; absent means it vanished. */
    @Override
    public void verify(JobRun run, String name) {
      verifyJob(run, name);
    }

    /** Lists the Job's pods once (label job-name) so a failure can be explained, then decides. */
    @Override
    public void refreshPods(JobRun run, String name) {
      submit(() -> {
        try {
          List<Pod> pods = gate.call("list pods of Job " + name,
              () -> client.pods().inNamespace(options.namespace()).withLabel(JobFactory.JOB_NAME_LABEL, name).list().getItems());
          pods.forEach(run::onPod);
        } catch (KubernetesClientException e) {
          log.debug("Listing pods of Job {}/{} failed: {}", options.namespace(), name, ApiGate.describe(e));
        } catch (InterruptedException e) {
          Thread.currentThread().interrupt();
        }
        run.decideFailureNow();
      });
    }

    @Override
    public void recordDisruption(JobRun run, String job, Pod pod, String reason) {
      submit(() -> disruptions.record(run.request, job, null, pod, reason));
    }

    @Override
    public void recordRequeue(JobRun run, String job, String jobUid, List<Pod> pods) {
      recordRequeued(job, jobUid, pods.stream().map(p -> new StoppedPod(run.request, null, p)).toList());
    }

    @Override
    public void followLogs(JobRun run, String job, String pod) {
      submit(new PodLogFollower(KubernetesShell.this::isClosed, shared.logWatches, client, gate, options.namespace(),
          run::podFinished, run::isDone, run::logLine, job, pod, logSink));
    }
  }

  /** One GET of Job {@code name} for a run of either kind; absent means it vanished. */
  private void verifyJob(TrackedRun run, String name) {
    submit(() -> {
      try {
        Job job = gate.call("get Job " + options.namespace() + "/" + name, () -> jobs().withName(name).get());
        if (job == null) {
          run.onVanished(name, null, "a GET found no such Job");
        } else {
          run.onJob(job);
        }
      } catch (KubernetesClientException e) {
        log.debug("Checking Job {}/{} failed: {}", options.namespace(), name, ApiGate.describe(e));
      } catch (InterruptedException e) {
        Thread.currentThread().interrupt();
      }
    });
  }

  /** What a batch asks of the cluster, carried out on the shared executor. */
  private final class ShellBatchActions implements BatchRun.Actions {
    @Override
    public void create(BatchRun run) {
      submit(() -> createBatchJob(run));
    }

    @Override
    public void delete(String name, String why) {
      submit(() -> deleteJob(name, why));
    }

    @Override
    public void verify(BatchRun run, String name) {
      verifyJob(run, name);
    }

    @Override
    public void followLogs(BatchRun run, int index, String pod) {
      // Sampled by call, as a single-call Job's pod is; a batch keeps no log tail (each call's
      // log is stored under its runs/).
      if (sampled(run.members.get(index).request)) {
        submit(new PodLogFollower(KubernetesShell.this::isClosed, shared.logWatches, client, gate, options.namespace(),
            run::podFinished, run::isDone, line -> { }, run.jobName, pod, logSink));
      }
    }

    @Override
    public void recordDisruption(BatchRun run, int index, Pod pod, String reason) {
      submit(() -> disruptions.record(run.members.get(index).request, run.jobName, index, pod, reason));
    }

    @Override
    public void recordRequeue(BatchRun run, String jobUid, Map<Integer, Pod> podByIndex) {
      recordRequeued(run.jobName, jobUid, podByIndex.entrySet().stream()
          .map(e -> new StoppedPod(run.members.get(e.getKey()).request, e.getKey(), e.getValue())).toList());
    }

    @Override
    public void untrack(BatchRun run) {
      batches.remove(run);
      watch().untrack(run.jobName, run);
    }
  }

  /**
   * A batch member's launch before its batch exists: the shell binds it to the batch's member (or,
   * on a server without per-index backoff, to the call's own Job) once the manifest is written.
   */
  private static final class Deferred implements Launch {
    final LaunchRequest request;
    private final CompletableFuture<Outcome> completion = new CompletableFuture<>();
    // Guarded by this.
    private Launch bound;
    private boolean cancelled;

    Deferred(LaunchRequest request) {
      this.request = request;
    }

    void bind(Launch launch) {
      boolean cancelNow;
      synchronized (this) {
        bound = launch;
        cancelNow = cancelled;
      }
      launch.completion().whenComplete((outcome, error) -> {
        if (error != null) {
          completion.completeExceptionally(error);
        } else {
          completion.complete(outcome);
        }
      });
      if (cancelNow) {
        launch.cancel();
      }
    }

    void fail(ShellException e) {
      completion.completeExceptionally(e);
    }

    @Override
    public CompletableFuture<Outcome> completion() {
      return completion;
    }

    @Override
    public void cancel() {
      Launch launch;
      synchronized (this) {
        cancelled = true;
        launch = bound;
      }
      if (launch != null) {
        launch.cancel();
      } else {
        completion.complete(new Outcome("Cancelled", null, "cancelled by the caller before its batch Job was created"));
      }
    }

    @Override
    public synchronized String description() {
      return bound == null ? request.shortLabel() + " (batch being created)" : bound.description();
    }

    @Override
    public boolean queued() {
      Launch launch;
      synchronized (this) {
        launch = bound;
      }
      return launch != null && launch.queued();
    }
  }

  /** This shell's batches in flight (tests). */
  List<BatchRun> batchRuns() {
    return List.copyOf(batches);
  }

  /** This shell's calls in flight (tests). */
  List<JobRun> runs() {
    return List.copyOf(inFlight);
  }

  /** Restarts of the shared informers so far (tests). */
  int informerRestarts() {
    return watch().restarts();
  }

  // ---- internals ----

  private boolean sampled(LaunchRequest request) {
    if (!options.logStreaming() || options.logSampleFraction() <= 0) {
      return false;
    }
    if (options.logSampleFraction() >= 1) {
      return true;
    }
    // By call, not at random: re-running the same calls follows the same pods.
    long bucket = Long.parseLong(JobFactory.memoHash(request).substring(0, 8), 16);
    return bucket < options.logSampleFraction() * 0x1_0000_0000L;
  }

  private NonNamespaceOperation<Job, JobList, ScalableResource<Job>> jobs() {
    return client.batch().v1().jobs().inNamespace(options.namespace());
  }

  /** A pod stopped by its Job's re-suspension: the call it ran, its index in a batch (or null). */
  private record StoppedPod(LaunchRequest request, Integer index, Pod pod) {}

  /**
   * Records in each call's runs that its pod ended because the queue suspended Job {@code job}
   * again after admitting it, with Kueue's reason from the Job's Workload when it is readable
   * (one list of Workloads per re-suspension, in the background).
   */
  private void recordRequeued(String job, String jobUid, List<StoppedPod> stopped) {
    submit(() -> {
      Optional<KueueWorkloads.Eviction> eviction;
      try {
        eviction = workloads.eviction(options.namespace(), jobUid);
      } catch (InterruptedException e) {
        Thread.currentThread().interrupt();
        eviction = Optional.empty();
      }
      String queue = options.queueName().map(q -> "LocalQueue " + q).orElse("its queue");
      String why = eviction.map(e -> (e.preempted() ? "preempted by Kueue (" : "evicted by Kueue (") + e.describe(options.namespace()) + ")")
          .orElse("the queue suspended Job " + options.namespace() + "/" + job + " after admitting it (a Kueue preemption or eviction)")
          + "; the Job waits in " + queue + " to be admitted again, spending none of the call's retries";
      Map<String, String> details = new java.util.LinkedHashMap<>();
      options.queueName().ifPresent(q -> details.put("queue", q));
      eviction.ifPresent(e -> {
        details.put("workload", e.workload());
        details.put("evictedReason", e.reason());
        if (e.message() != null) {
          details.put("evictedMessage", e.message());
        }
        if (e.preemptedIn() != null) {
          details.put("preemptedIn", e.preemptedIn());
        }
      });
      for (StoppedPod s : stopped) {
        disruptions.recordRequeued(s.request(), job, s.index(), s.pod(), why, details);
      }
    });
  }

  private void submit(Runnable task) {
    try {
      shared.executor.execute(task);
    } catch (RejectedExecutionException e) {
      log.debug("Shell closed; dropped a background task");
    }
  }

  /** Called by the shared watchdog about every {@value #TICK_MILLIS} ms. */
  void tick(long now) {
    for (JobRun run : inFlight) {
      run.tick(now);
    }
    for (BatchRun run : batches) {
      run.tick(now);
    }
  }

  private void createJob(JobRun run, String firstName, int attempt) {
    String ns = options.namespace();
    try {
      shared.launchSlots.acquire();
    } catch (InterruptedException e) {
      run.fail(new ShellException("LaunchFailed", "Interrupted while waiting to create Job " + ns + "/" + firstName, e));
      return;
    }
    String name = firstName;
    try {
      if (!run.wants(name)) {
        return;
      }
      // The version first: an unreachable server fails the call within a bound, not after the sync wait.
      try {
        shared.probe.requireSupported();
      } catch (ShellException e) {
        run.fail(e);
        return;
      }
      try {
        watch().start();
      } catch (RuntimeException e) {
        run.fail(new ShellException("WatchFailed", "Cannot start watching Jobs in namespace " + ns + ": " + e, e));
        return;
      }
      // Create once the watches are in place: then every event of the new Job is seen, and the
      // first list needs no follow-up GETs. A slow list only delays, it never blocks a launch.
      if (!watch().awaitFirstSync(FIRST_SYNC_WAIT)) {
        log.debug("Informers in {} not synced after {}; creating {} anyway", ns, FIRST_SYNC_WAIT, name);
      }
      Job job;
      try {
        job = factory.create(run.request, name, attempt);
      } catch (RuntimeException e) {
        run.fail(new ShellException("InvalidJob", "Cannot build the Job for " + run.request.shortLabel() + ": " + e.getMessage(), e));
        return;
      }
      String uid;
      for (int collisions = 0; ; collisions++) {
        Job toCreate = job;
        try {
          // Strict: a field the server does not know is an error, not silently dropped.
          uid = gate.call("create Job " + ns + "/" + name,
              () -> jobs().resource(toCreate).fieldValidation(Validation.STRICT).create()).getMetadata().getUid();
          break;
        } catch (KubernetesClientException e) {
          if (e.getCode() != 409 || collisions >= 3) {
            throw e;
          }
          String taken = name;
          Job existing = gate.call("get Job " + ns + "/" + taken, () -> jobs().withName(taken).get());
          if (existing != null && isThisInvocation(existing, run.request)) {
            // A retried create whose first attempt went through (its answer was lost): that Job is
            // this call's, whatever its state; its events end the call.
            log.info("Job {}/{} for {} already exists and is this call's; following it", ns, taken, run.request.shortLabel());
            uid = existing.getMetadata().getUid();
            break;
          }
          name = KubernetesNames.jobName(run.request.function(), run.memoHash, "-x" + randomSuffix());
          log.info("Job name {}/{} is taken by {}; creating {} for {}", ns, taken, whoseJob(existing, run.request), name,
              run.request.shortLabel());
          run.renamed(taken, name);
          jobActions.retrack(run, taken, name);
          job = factory.create(run.request, name, attempt);
        }
      }
      if (run.onCreated(name, uid)) {
        log.debug("created Job {}/{} for {}", ns, name, run.request.shortLabel());
      } else {
        deleteJob(name, "cancelled while being created");
      }
    } catch (KubernetesClientException e) {
      run.fail(launchFailed(e, name));
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      run.fail(new ShellException("LaunchFailed", "Interrupted while creating Job " + ns + "/" + name, e));
    } finally {
      shared.launchSlots.release();
    }
  }

  private void createBatchJob(BatchRun run) {
    String ns = options.namespace();
    String name = run.jobName;
    try {
      shared.launchSlots.acquire();
    } catch (InterruptedException e) {
      run.fail(new ShellException("LaunchFailed", "Interrupted while waiting to create batch Job " + ns + "/" + name, e));
      return;
    }
    try {
      try {
        watch().start();
      } catch (RuntimeException e) {
        run.fail(new ShellException("WatchFailed", "Cannot start watching Jobs in namespace " + ns + ": " + e, e));
        return;
      }
      if (!watch().awaitFirstSync(FIRST_SYNC_WAIT)) {
        log.debug("Informers in {} not synced after {}; creating {} anyway", ns, FIRST_SYNC_WAIT, name);
      }
      List<LaunchRequest> requests = run.members.stream().map(m -> m.request).toList();
      Job job;
      try {
        job = factory.createBatch(requests, run.manifestUri, name);
      } catch (RuntimeException e) {
        run.fail(new ShellException("InvalidJob", "Cannot build the batch Job for " + requests.size() + " calls of "
            + requests.getFirst().function() + ": " + e.getMessage(), e));
        return;
      }
      String uid = gate.call("create Job " + ns + "/" + name,
          () -> jobs().resource(job).fieldValidation(Validation.STRICT).create()).getMetadata().getUid();
      if (run.onCreated(uid)) {
        log.debug("created batch Job {}/{} for {} calls of {} (manifest {})", ns, name, requests.size(),
            requests.getFirst().function(), run.manifestUri);
      } else {
        deleteJob(name, "every call of the batch was cancelled while it was being created");
      }
    } catch (KubernetesClientException e) {
      run.fail(launchFailed(e, name));
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      run.fail(new ShellException("LaunchFailed", "Interrupted while creating batch Job " + ns + "/" + name, e));
    } finally {
      shared.launchSlots.release();
    }
  }

  /**
   * Whether {@code existing}, found under the name a create was refused for (409), is provably
   * this invocation's Job: the same memo URI and the same lease holder (the caller's lease this
   * launch runs under). A Job for the same memo entry under another holder is not adopted: it is
   * an earlier caller's whose lease was taken over, and its pod refuses to run or commit for a
   * holder that no longer holds the entry (exit 75), so waiting for it would end the call with
   * nothing in the store. A call without a lease (no holder to compare) adopts a Job for its memo
   * URI only while it still runs.
   */
  static boolean isThisInvocation(Job existing, LaunchRequest request) {
    Map<String, String> annotations = existing.getMetadata().getAnnotations();
    if (annotations == null || !request.memoUri().equals(annotations.get(JobFactory.ANNOTATION_MEMO_URI))
        || KubeStatus.isBeingDeleted(existing)) {
      return false;
    }
    if (request.holder() != null) {
      return request.holder().equals(annotations.get(JobFactory.ANNOTATION_LEASE_HOLDER));
    }
    return annotations.get(JobFactory.ANNOTATION_LEASE_HOLDER) == null && !KubeStatus.isComplete(existing)
        && KubeStatus.failure(existing).isEmpty();
  }

  /** Whose Job holds a name, for the log line of a 409. */
  private static String whoseJob(Job existing, LaunchRequest request) {
    if (existing == null) {
      return "a Job that was gone when looked up";
    }
    Map<String, String> annotations = existing.getMetadata().getAnnotations();
    String memo = annotations == null ? null : annotations.get(JobFactory.ANNOTATION_MEMO_URI);
    if (!request.memoUri().equals(memo)) {
      return "an unrelated Job";
    }
    if (KubeStatus.isBeingDeleted(existing)) {
      return "a Job of the same call that is being deleted";
    }
    String holder = annotations.get(JobFactory.ANNOTATION_LEASE_HOLDER);
    return holder != null && !holder.equals(request.holder())
        ? "a Job of the same memo entry for lease holder " + holder + " (an earlier caller's; it cannot commit for this one)"
        : "a finished Job of the same call";
  }

  private ShellException launchFailed(KubernetesClientException e, String name) {
    String ns = options.namespace();
    String why = ApiGate.describe(e);
    String message = switch (e.getCode()) {
      case 401, 403 -> "Not allowed to create Job " + ns + "/" + name + " (" + why + "). The kube context needs RBAC "
          + "create/get/list/watch/delete on jobs and get/list/watch on pods and pods/log in namespace '" + ns + "'.";
      case 404 -> "Cannot create Job " + ns + "/" + name + " (" + why + "): does namespace '" + ns + "' exist? "
          + "Create it or set KubernetesShellOptions.namespace.";
      case 400 -> "The API server rejected Job " + ns + "/" + name + " (" + why + "). The shell creates Jobs with "
          + "strict field validation, so a field this server does not know (from the Job customizer, or a feature "
          + "newer than the server) is an error instead of being dropped: remove the field or upgrade the cluster.";
      case 422 -> "The API server rejected Job " + ns + "/" + name + " as invalid (" + why + "). Check the shell "
          + "options and the Job customizer.";
      default -> "Cannot create Job " + ns + "/" + name + " (" + why + ").";
    };
    ShellException failure = new ShellException("LaunchFailed", null, message, ApiGate.isTransient(e));
    failure.initCause(e);
    return failure;
  }

  private void deleteJob(String name, String why) {
    try {
      gate.call("delete Job " + options.namespace() + "/" + name,
          () -> jobs().withName(name).withPropagationPolicy(DeletionPropagation.FOREGROUND).delete());
      log.info("deleted Job {}/{} ({})", options.namespace(), name, why);
    } catch (KubernetesClientException e) {
      if (e.getCode() != 404) {
        log.warn("Could not delete Job {}/{} ({}): {}. Delete it with `kubectl delete job -n {} {}`.",
            options.namespace(), name, why, ApiGate.describe(e), options.namespace(), name);
      }
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
    }
  }

  private static String randomSuffix() {
    String alphabet = "abcdefghijklmnopqrstuvwxyz0123456789";
    StringBuilder sb = new StringBuilder();
    for (int i = 0; i < 4; i++) {
      sb.append(alphabet.charAt(RANDOM.nextInt(alphabet.length())));
    }
    return sb.toString();
  }

  /**
   * What sibling shells share: the client, one {@link NamespaceWatch} per namespace, the API rate
   * limit, the launch slots and the threads. Closed with the last sibling.
   */
  private static final class Shared {
    final KubernetesClient client;
    final boolean ownsClient;
    final ApiGate gate;
    final Semaphore launchSlots;
    final ExecutorService executor = Executors.newThreadPerTaskExecutor(Thread.ofVirtual().name("pureremote-k8s-", 0).factory());
    final ScheduledExecutorService scheduler = Executors.newSingleThreadScheduledExecutor(r -> {
      Thread t = new Thread(r, "pureremote-k8s-watchdog");
      t.setDaemon(true);
      return t;
    });
    final Map<String, NamespaceWatch> watches = new ConcurrentHashMap<>();
    final ClusterProbe probe;
    final Set<LogWatch> logWatches = ConcurrentHashMap.newKeySet();
    private final Set<KubernetesShell> members = ConcurrentHashMap.newKeySet();
    private boolean closed;

    Shared(KubernetesClient client, boolean ownsClient, KubernetesShellOptions options, KubeConfigs.Source source) {
      this.client = client;
      this.ownsClient = ownsClient;
      this.gate = new ApiGate(options.apiQps(), options.apiBurst(), options.apiRetries());
      this.probe = new ClusterProbe(client, gate, source);
      this.launchSlots = new Semaphore(options.launchConcurrency(), true);
      scheduler.scheduleWithFixedDelay(this::tick, TICK_MILLIS, TICK_MILLIS, TimeUnit.MILLISECONDS);
    }

    NamespaceWatch watch(String namespace) {
      return watches.computeIfAbsent(namespace, ns -> new NamespaceWatch(client, ns, scheduler));
    }

    synchronized void join(KubernetesShell shell) {
      if (closed) {
        throw new IllegalStateException("The Kubernetes shell is closed");
      }
      members.add(shell);
    }

    synchronized void leave(KubernetesShell shell) {
      members.remove(shell);
      if (!members.isEmpty() || closed) {
        return;
      }
      closed = true;
      watches.values().forEach(NamespaceWatch::close);
      logWatches.forEach(LogWatch::close);
      scheduler.shutdownNow();
      // Let deletions and checks already under way finish; log followers stop on their own.
      executor.shutdown();
      try {
        if (!executor.awaitTermination(2, TimeUnit.SECONDS)) {
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

    private void tick() {
      try {
        long now = System.nanoTime();
        watches.values().forEach(NamespaceWatch::checkHealth);
        for (KubernetesShell shell : members) {
          shell.tick(now);
        }
      } catch (RuntimeException e) {
        log.warn("Kubernetes shell watchdog failed: {}", e.toString(), e);
      }
    }
  }
}
