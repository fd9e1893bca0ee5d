package io.pureremote.torch;

import io.fabric8.kubernetes.api.model.GenericKubernetesResource;
import io.fabric8.kubernetes.api.model.Pod;
import io.fabric8.kubernetes.api.model.Service;
import io.fabric8.kubernetes.api.model.batch.v1.Job;
import io.fabric8.kubernetes.client.KubernetesClient;
import io.fabric8.kubernetes.client.KubernetesClientException;
import io.fabric8.kubernetes.client.dsl.base.ResourceDefinitionContext;
import io.fabric8.kubernetes.client.informers.SharedIndexInformer;
import io.pureremote.ShellException;
import io.pureremote.k8s.ApiGate;
import io.pureremote.k8s.ClusterConnection;
import io.pureremote.k8s.ClusterFeatures;
import io.pureremote.k8s.ClusterProbe;
import io.pureremote.k8s.ClusterRun;
import io.pureremote.k8s.ClusterRuns;
import io.pureremote.k8s.PodSpecs;
import io.pureremote.spi.Shell.Launch;
import io.pureremote.spi.Shell.LaunchRequest;
import io.pureremote.spi.Shell;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;
import java.util.concurrent.ConcurrentHashMap;
import java.util.function.BiConsumer;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Runs each call on {@link TorchShellOptions#nodes()} pods at once, the way distributed PyTorch
 * runs: every node runs the function ({@code RemoteMain run <memo uri>}), reads its place from
 * {@link io.pureremote.Distributed.TorchDistributed} (node rank, nodes, master address and port) and may start
 * {@code torchrun}; only node rank 0 commits the result or error. The Job only says how the run
 * ended; the value always comes from the blob store.
 *
 * <p>Three backends ({@link TorchBackend}): a Trainer v2 TrainJob, a training-operator PyTorchJob,
 * or, with no operator, an Indexed {@code batch/v1} Job with a headless Service owned by it. At the
 * first launch the shell reads the server version once ({@link ClusterProbe}: older than 1.{@value
 * ClusterFeatures#OLDEST_MINOR} is refused) and, unless {@link TorchShellOptions#backend()} forces
 * one, discovers the backend: TrainJob when {@code trainjobs.trainer.kubeflow.org} serves {@code
 * v1alpha1} and the ClusterTrainingRuntime {@link TorchShellOptions#runtime()} exists, else
 * PyTorchJob when {@code pytorchjobs.kubeflow.org} serves {@code v1}, else the Indexed Job (1.33+
 * gets {@code successPolicy} and {@code backoffLimitPerIndex}, older servers the fallback the
 * factory describes). The choice is logged and every node's run record names it. Objects are
 * created with strict server-side field validation and followed through one shared informer per
 * namespace and kind.
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
 * <p>For the operator backends the object's conditions decide ({@link OperatorRun}): PyTorchJob
 * {@code Succeeded} / TrainJob {@code Complete} → exit 0 and the object is deleted; {@code Failed}
 * → the first node that failed, as above, or, when a pod was evicted or preempted, the run
 * re-created ({@code -r1}, ...) without spending the caller's retries; PyTorchJob {@code
 * Restarting} is still running; no pod within 60 s → {@code OperatorNotRunning}. Their names are
 * shortened where needed so the names the operators derive ({@code <name>-worker-<i>}, {@code
 * <name>-node-0-<i>}) stay DNS labels.
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

  private final ClusterConnection cluster;
  private final KubernetesClient client;
  private final TorchShellOptions options;
  private final IndexedJobFactory factory;
  private final OperatorJobFactory operatorFactory;
  private final ClusterRuns<Job> runs = new ClusterRuns<>(this::submit, this::create, this::delete);
  /** The PyTorchJob and TrainJob runs, by backend. */
  private final Map<TorchBackend, ClusterRuns<GenericKubernetesResource>> operatorRuns = Map.of(
      TorchBackend.PYTORCH_JOB, newOperatorRuns(TorchBackend.PYTORCH_JOB),
      TorchBackend.TRAIN_JOB, newOperatorRuns(TorchBackend.TRAIN_JOB));
  private final Map<String, SharedIndexInformer<Job>> informers = new ConcurrentHashMap<>();
  private final Map<String, SharedIndexInformer<GenericKubernetesResource>> customInformers = new ConcurrentHashMap<>();
  private volatile ClusterFeatures features;
  private volatile TorchBackend chosen;
  private volatile BiConsumer<String, String> logSink = (prefix, line) -> podLog.info("{}{}", prefix, line);

  /**
   * A shell that creates Jobs through {@code client}, which it does not close.
   *
   * @param client a client for the target cluster (its own namespace setting is ignored)
   * @param options where and how the nodes run
   */
  public TorchShell(KubernetesClient client, TorchShellOptions options) {
    this(options, ClusterConnection.given(client));
  }

  private TorchShell(TorchShellOptions options, ClusterConnection.Factory connect) {
    this.options = Objects.requireNonNull(options, "options");
    this.factory = new IndexedJobFactory(options);
    this.operatorFactory = new OperatorJobFactory(options);
    this.cluster = connect.open("torch", options, this::tick);
    this.client = cluster.client();
  }

  /**
   * A shell with its own client, configured like {@code kubectl} (kubeconfig with {@link
   * TorchShellOptions#kubeContext()}, else in-cluster); the client is closed with the shell.
   */
  public static TorchShell fromKubeConfig(TorchShellOptions options) {
    return new TorchShell(options, ClusterConnection.fromKubeConfig());
  }

  @Override
  public String name() {
    return "torch";
  }

  /** False: its calls run in pods, which cannot read this machine's folders. */
  @Override
  public boolean readsCallerFolders() {
    return false;
  }

  /** The options this shell runs with. */
  public TorchShellOptions options() {
    return options;
  }

  /**
   * The backend this shell runs calls on: the forced one, or the one discovered at the first launch
   * (also logged and in every node's run record); empty while not chosen yet.
   */
  public Optional<TorchBackend> backend() {
    return Optional.ofNullable(chosen).or(options::backend);
  }

  /**
   * The PyTorchJob ({@code kubeflow.org/v1}) a shell with {@code options} would create first for
   * {@code request}, without a cluster: for dry runs, reviews and docs.
   */
  public static GenericKubernetesResource pytorchJob(TorchShellOptions options, LaunchRequest request) {
    return new OperatorJobFactory(options).pytorchJob(request,
        OperatorJobFactory.objectName(options, TorchBackend.PYTORCH_JOB, request, ""), 0);
  }

  /**
   * The TrainJob ({@code trainer.kubeflow.org/v1alpha1}) a shell with {@code options} would create
   * first for {@code request}, without a cluster.
   *
   * @throws IllegalArgumentException when the options cannot be expressed on a TrainJob ({@code
   *     processesPerNode} cpu or gpu)
   */
  public static GenericKubernetesResource trainJob(TorchShellOptions options, LaunchRequest request) {
    return new OperatorJobFactory(options).trainJob(request,
        OperatorJobFactory.objectName(options, TorchBackend.TRAIN_JOB, request, ""), 0);
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
    String name = PodSpecs.callName(request);
    TorchLaunch launch = new TorchLaunch(options.namespace() + "/" + name);
    var refusal = PodSpecs.launchRefusal("torch", cluster.isClosed(), request, "PodTemplateOptions");
    if (refusal.isPresent()) {
      launch.fail(refusal.get());
      return launch;
    }
    submit(() -> start(launch, request, name));
    return launch;
  }

  /** Chooses the backend (once), then creates the call's objects on it. */
  private void start(TorchLaunch launch, LaunchRequest request, String name) {
    TorchBackend backend;
    try {
      backend = chooseBackend();
    } catch (ShellException e) {
      launch.fail(e);
      return;
    } catch (KubernetesClientException e) {
      launch.fail(new ShellException("LaunchFailed", null, "The torch shell could not read which operators the cluster "
          + "serves (" + ApiGate.describe(e) + "); force a backend (TorchShellOptions.backend, backend = ... in TOML) to skip "
          + "discovery.", ApiGate.isTransient(e)));
      return;
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      launch.fail(new ShellException("LaunchFailed", "Interrupted while choosing the torch backend", e));
      return;
    }
    if (backend == TorchBackend.INDEXED_JOB) {
      TorchRun run = new TorchRun(this, request, name);
      if (launch.attach(run)) {
        create(run, name, 0);
      }
    } else {
      OperatorRun run = new OperatorRun(this, request, OperatorJobFactory.objectName(options, backend, request, ""), backend);
      if (launch.attach(run)) {
        createOperatorJob(run, backend, run.name(), 0);
      }
    }
  }

  /**
   * The backend calls run on: the forced one after checking the cluster serves it, else TrainJob
   * (served, and the runtime exists), PyTorchJob (served) or the Indexed Job, in that order. Kept
   * once chosen; a failed check is asked again at the next launch.
   */
  private TorchBackend chooseBackend() throws InterruptedException {
    TorchBackend known = chosen;
    if (known != null) {
      return known;
    }
    ClusterFeatures found = discover();
    var refusal = found.refusal(client.getMasterUrl().toString());
    if (refusal.isPresent()) {
      throw new ShellException("ClusterTooOld", null, refusal.get().replace("the Kubernetes shell", "the torch shell"), false);
    }
    TorchBackend backend;
    String why;
    Optional<TorchBackend> forced = options.backend();
    if (forced.isPresent()) {
      backend = forced.get();
      why = "forced by the options";
      if (backend == TorchBackend.TRAIN_JOB) {
        if (!served(TRAINJOB_CRD, OperatorJobFactory.TRAINJOBS)) {
          throw new ShellException("TrainerMissing", null, "The torch shell is set to backend trainjob, but the cluster does "
              + "not serve trainer.kubeflow.org/v1alpha1 TrainJobs: Kubeflow Trainer v2 is not installed. Check with `kubectl "
              + "get crd " + TRAINJOB_CRD + "`; install Trainer (with JobSet), or use backend pytorchjob or indexed-job.", false);
        }
        if (runtimeExists().equals(Optional.of(false))) {
          throw runtimeMissing();
        }
      } else if (backend == TorchBackend.PYTORCH_JOB && !served(PYTORCHJOB_CRD, OperatorJobFactory.PYTORCHJOBS)) {
        throw new ShellException("TrainingOperatorMissing", null, "The torch shell is set to backend pytorchjob, but the "
            + "cluster does not serve kubeflow.org/v1 PyTorchJobs: the Kubeflow training operator (v1) is not installed. Check "
            + "with `kubectl get crd " + PYTORCHJOB_CRD + "`; install it, or use backend trainjob or indexed-job.", false);
      }
    } else if (served(TRAINJOB_CRD, OperatorJobFactory.TRAINJOBS) && runtimeExists().equals(Optional.of(true))) {
      backend = TorchBackend.TRAIN_JOB;
      why = "the cluster serves TrainJob and ClusterTrainingRuntime " + options.runtime() + " exists";
    } else {
      String trainJob = served(TRAINJOB_CRD, OperatorJobFactory.TRAINJOBS)
          ? "TrainJob is served but ClusterTrainingRuntime " + options.runtime() + " does not exist (or cannot be read)"
          : "TrainJob is not served";
      if (served(PYTORCHJOB_CRD, OperatorJobFactory.PYTORCHJOBS)) {
        backend = TorchBackend.PYTORCH_JOB;
        why = trainJob + "; the cluster serves PyTorchJob";
      } else {
        backend = TorchBackend.INDEXED_JOB;
        why = trainJob + " and PyTorchJob is not served: no operator, an Indexed Job with a headless Service";
      }
    }
    if (backend == TorchBackend.TRAIN_JOB && List.of("cpu", "gpu").contains(options.processesPerNode())) {
      throw new ShellException("InvalidJob", null, "The torch shell chose backend trainjob (" + why + "), but processesPerNode "
          + options.processesPerNode() + " cannot be expressed on a TrainJob (trainer.numProcPerNode is a number): leave it "
          + "auto, give a number, or force backend pytorchjob or indexed-job.", false);
    }
    chosen = backend;
    log.info("torch shell: backend {} ({})", backend.id(), why);
    return backend;
  }

  static final String TRAINJOB_CRD = "trainjobs.trainer.kubeflow.org";
  static final String PYTORCHJOB_CRD = "pytorchjobs.kubeflow.org";
  static final String PYTORCH_JOB_NAME = "training.kubeflow.org/job-name";
  static final String PYTORCH_REPLICA_TYPE = "training.kubeflow.org/replica-type";
  static final String PYTORCH_REPLICA_INDEX = "training.kubeflow.org/replica-index";
  static final String JOBSET_NAME = "jobset.sigs.k8s.io/jobset-name";

  /** Whether {@code crdName} serves {@code kind}'s version (API discovery where reading CRDs is not allowed). */
  private boolean served(String crdName, ResourceDefinitionContext kind) throws InterruptedException {
    return cluster.objects().servedVersions(crdName, kind).contains(kind.getVersion());
  }

  /** Whether the ClusterTrainingRuntime exists; empty when this client may not read it. */
  private Optional<Boolean> runtimeExists() throws InterruptedException {
    try {
      return Optional.of(cluster.gate().call("get ClusterTrainingRuntime " + options.runtime(),
          () -> client.genericKubernetesResources(OperatorJobFactory.RUNTIMES).withName(options.runtime()).get()) != null);
    } catch (KubernetesClientException e) {
      if (e.getCode() == 401 || e.getCode() == 403) {
        log.info("torch shell: may not read ClusterTrainingRuntime {} ({})", options.runtime(), ApiGate.describe(e));
        return Optional.empty();
      }
      throw e;
    }
  }

  private ShellException runtimeMissing() {
    return new ShellException("TrainingRuntimeMissing", null, "The TrainJob would reference ClusterTrainingRuntime '"
        + options.runtime() + "', which does not exist in this cluster. List them with `kubectl get clustertrainingruntimes`; "
        + "install Trainer's runtimes (torch-distributed) or name an existing one (TorchShellOptions.runtime, runtime = ... "
        + "in TOML).", false);
  }

  /** Creates the PyTorchJob or TrainJob {@code name} of {@code run} ({@code attempt} counts re-creations). */
  private void createOperatorJob(ClusterRun<GenericKubernetesResource> run, TorchBackend backend, String name, int attempt) {
    String ns = options.namespace();
    String kind = OperatorRun.kind(backend);
    GenericKubernetesResource object;
    try {
      object = backend == TorchBackend.PYTORCH_JOB ? operatorFactory.pytorchJob(run.request(), name, attempt)
          : operatorFactory.trainJob(run.request(), name, attempt);
    } catch (RuntimeException e) {
      run.fail(new ShellException("InvalidJob", "Cannot build the " + kind + " for " + run.request().shortLabel() + ": "
          + e.getMessage(), e));
      return;
    }
    try {
      operatorRuns.get(backend).track(name, run);
      startCustomInformer(ns, backend);
      cluster.objects().create(kind, client.genericKubernetesResources(context(backend)), object);
      log.info("created {} {}/{} for {} (backend {}: {} node(s) × {} process(es){})", kind, ns, name,
          run.request().shortLabel(), backend.id(), options.nodes(), options.processesPerNode(),
          backend == TorchBackend.TRAIN_JOB ? ", runtime " + options.runtime() : ", master " + name + "-master-0:"
              + options.masterPort());
      if (!run.onCreated(name)) {
        deleteObject(backend, name, "cancelled while being created");
      }
    } catch (KubernetesClientException e) {
      run.fail(launchFailed(e, kind, name));
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      run.fail(new ShellException("LaunchFailed", "Interrupted while creating " + kind + " " + ns + "/" + name, e));
    }
  }

  private static ResourceDefinitionContext context(TorchBackend backend) {
    return backend == TorchBackend.PYTORCH_JOB ? OperatorJobFactory.PYTORCHJOBS : OperatorJobFactory.TRAINJOBS;
  }

  /** Deletes the call's PyTorchJob or TrainJob (foreground: the operator's pods and Services go with it). */
  private void deleteObject(TorchBackend backend, String name, String why) {
    cluster.objects().delete(OperatorRun.kind(backend), context(backend).getPlural(),
        client.genericKubernetesResources(context(backend)), name, why);
  }

  /** The pods of the call's PyTorchJob or TrainJob; empty on errors. */
  List<Pod> pods(TorchBackend backend, String name) {
    return cluster.objects().pods(name, Map.of(backend == TorchBackend.PYTORCH_JOB ? PYTORCH_JOB_NAME : JOBSET_NAME, name));
  }

  private void startCustomInformer(String ns, TorchBackend backend) {
    customInformers.computeIfAbsent(ns + "/" + backend.id(), k -> client.genericKubernetesResources(context(backend))
        .inNamespace(ns).withLabel(IndexedJobFactory.BACKEND_LABEL, backend.id())
        .inform(operatorRuns.get(backend).events(), 0));
  }

  /** Deletes the Jobs of calls still running (foreground), stops the informers and threads. */
  @Override
  public void close() {
    cluster.close(() -> {
      runs.cancelAll();
      operatorRuns.values().forEach(ClusterRuns::cancelAll);
      informers.values().forEach(SharedIndexInformer::close);
      customInformers.values().forEach(SharedIndexInformer::close);
    });
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

  /** What the shell's Indexed Job runs ask of it. */
  ClusterRun.Actions<Job> indexedRunActions() {
    return runs.actions();
  }

  /** What the shell's runs on {@code backend} (PyTorchJob or TrainJob) ask of it. */
  ClusterRun.Actions<GenericKubernetesResource> operatorRunActions(TorchBackend backend) {
    return Objects.requireNonNull(operatorRuns.get(backend), () -> "no operator run on backend " + backend).actions();
  }

  private ClusterRuns<GenericKubernetesResource> newOperatorRuns(TorchBackend backend) {
    return new ClusterRuns<>(this::submit,
        (run, name, attempt) -> createOperatorJob(run, backend, name, attempt), (name, why) -> deleteObject(backend, name, why));
  }

  private void submit(Runnable task) {
    cluster.threads().submit(task);
  }

  /** Creates the Job {@code name} and its Service for {@code run} ({@code attempt} counts re-creations). */
  private void create(ClusterRun<Job> run, String name, int attempt) {
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
      runs.track(name, run);
      startInformer(ns);
      Job created = cluster.objects().create("Job", client.batch().v1().jobs(), job);
      Service service = factory.service(name, created.getMetadata().getUid(), job.getMetadata().getLabels());
      try {
        cluster.objects().create("Service", client.services(), service);
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

  private void delete(String name, String why) {
    cluster.objects().delete("Job", "job", client.batch().v1().jobs(), name, why);
  }

  /** The pods of Job {@code name}; empty on errors. */
  List<Pod> pods(String name) {
    return cluster.objects().pods("Job " + name, Map.of(IndexedJobFactory.JOB_NAME_LABEL, name));
  }

  /** The log of {@code pod}'s node container so far; null when it cannot be read (yet). */
  String podLog(String pod) {
    return podLog(pod, IndexedJobFactory.CONTAINER);
  }

  /** The log of {@code pod}'s {@code container} so far; null when it cannot be read (yet). */
  String podLog(String pod, String container) {
    return cluster.objects().log(pod, container);
  }

  /** The server's version, through the shared first contact ({@link ClusterProbe}: bounded, asked once). */
  private ClusterFeatures discover() throws InterruptedException {
    ClusterFeatures found = cluster.probe().require();
    features = found;
    return found;
  }

  private void startInformer(String ns) {
    informers.computeIfAbsent(ns, n -> client.batch().v1().jobs().inNamespace(n)
        .withLabel(IndexedJobFactory.BACKEND_LABEL, IndexedJobFactory.BACKEND)
        .inform(runs.events(), 0));
  }

  private void tick() {
    long now = System.nanoTime();
    runs.tick(now);
    operatorRuns.values().forEach(r -> r.tick(now));
  }

  private ShellException launchFailed(KubernetesClientException e, String kind, String name) {
    String rbac = "create/get/list/watch/delete on " + switch (kind) {
      case "PyTorchJob" -> "pytorchjobs.kubeflow.org";
      case "TrainJob" -> "trainjobs.trainer.kubeflow.org";
      default -> "jobs.batch, create on services";
    };
    return cluster.objects().createFailed(e, kind, name, "torch", rbac, "", "upgrade the cluster or drop the option");
  }
}
