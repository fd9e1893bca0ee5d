package io.pureremote.mpi;

import io.fabric8.kubernetes.api.model.GenericKubernetesResource;
import io.fabric8.kubernetes.api.model.Pod;
import io.fabric8.kubernetes.client.KubernetesClient;
import io.fabric8.kubernetes.client.KubernetesClientException;
import io.fabric8.kubernetes.client.dsl.base.ResourceDefinitionContext;
import io.fabric8.kubernetes.client.informers.SharedIndexInformer;
import io.pureremote.ShellException;
import io.pureremote.k8s.ClusterProbe;
import io.pureremote.k8s.ClusterConnection;
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
 * Runs each call as a Kubeflow MPI Operator {@code kubeflow.org/v2beta1} MPIJob: the launcher runs
 * the application image's entrypoint ({@code io.pureremote.RemoteMain}) with {@code run <memo
 * uri>}, so the function runs there and calls {@code mpirun} through {@link
 * io.pureremote.Distributed}; the workers give it {@code workers × slotsPerWorker} MPI slots. The
 * MPIJob only says how the run ended; the value always comes from the blob store.
 *
 * <pre>{@code
 * try (MpiShell shell = MpiShell.fromKubeConfig(MpiShellOptions.builder().namespace("khiops")
 *         .launcher(PodTemplateOptions.builder().image("acme/khiops-app:1").build())
 *         .workers(2).slotsPerWorker(4).build());
 *      RemoteRuntime runtime = RemoteRuntime.builder().blobRoot("s3://bucket/memo").shell(shell).build()) {
 *   Khiops khiops = runtime.create(Khiops.class, KhiopsImpl.class);
 *   Report r = khiops.train(dataset);          // an MPIJob on a miss; a memo hit creates nothing
 * }
 * }</pre>
 *
 * <p>At the first launch the shell asks the API server's version once ({@link ClusterProbe}, shared
 * with the Job shell: a server older than the supported range, or none reachable, fails the call
 * with what to do), then which versions of {@code mpijobs.kubeflow.org} the
 * server serves: none (the MPI Operator is not installed) or only {@code v1} (the old
 * training-operator's MPI) fail the call with what to do. It then creates the MPIJob with strict
 * server-side field validation and follows it through one shared MPIJob informer per namespace
 * (label {@code app.kubernetes.io/managed-by=pureremote}):
 *
 * <ul>
 *   <li>{@code Succeeded} → exit 0. {@code Failed} → the launcher's exit code (42: the function
 *       threw, the pipeline reads its error; no retry) or the operator's reason (e.g. {@code
 *       DeadlineExceeded}); the blob store decides what the caller sees.
 *   <li>{@code Failed} with reason {@code MPIJobEvicted} → the MPIJob is re-created (suffix {@code
 *       -r1}, ...) without spending the caller's retries, up to {@link
 *       MpiShellOptions#maxEvictionRetries()}.
 *   <li>No {@code Created} condition nor {@code startTime} within {@link
 *       MpiShellOptions#operatorPickupBound()} → {@code OperatorNotRunning}; pods pending past
 *       {@link MpiShellOptions#pendingTimeout()} → {@code PodsPending} with each pod's reason.
 * </ul>
 *
 * <p>The launcher pod's log (mpirun forwards every rank there) goes to the SLF4J logger {@code
 * io.pureremote.mpi.pods} at INFO, prefixed {@code [mpijob/pod]}; the launcher's {@code RemoteMain}
 * stores its own log beside the memo entry. {@link Launch#cancel()} and {@link #close()} delete the
 * MPIJob with foreground propagation. Thread-safe; {@link #launch} never blocks. The client passed
 * in stays the caller's to close.
 */
public final class MpiShell implements Shell {
  private static final Logger log = LoggerFactory.getLogger(MpiShell.class);
  private static final Logger podLog = LoggerFactory.getLogger("io.pureremote.mpi.pods");
  /** The CustomResourceDefinition the MPI Operator installs. */
  public static final String CRD_NAME = "mpijobs.kubeflow.org";
  /** The version this shell emits. */
  public static final String VERSION = "v2beta1";
  static final ResourceDefinitionContext MPIJOBS = new ResourceDefinitionContext.Builder()
      .withGroup("kubeflow.org").withVersion(VERSION).withKind(MpiJobFactory.KIND).withPlural("mpijobs").withNamespaced(true)
      .build();

  private final ClusterConnection cluster;
  private final KubernetesClient client;
  private final MpiShellOptions options;
  private final MpiJobFactory factory;
  private final ClusterRuns<GenericKubernetesResource> runs = new ClusterRuns<>(this::submit, this::create, this::delete);
  private final Map<String, SharedIndexInformer<GenericKubernetesResource>> informers = new ConcurrentHashMap<>();
  private volatile Optional<String> discovered;
  private volatile BiConsumer<String, String> logSink = (prefix, line) -> podLog.info("{}{}", prefix, line);

  /**
   * A shell that creates MPIJobs through {@code client}, which it does not close.
   *
   * @param client a client for the target cluster (its own namespace setting is ignored)
   * @param options where and how MPIJobs run
   */
  public MpiShell(KubernetesClient client, MpiShellOptions options) {
    this(options, ClusterConnection.given(client));
  }

  private MpiShell(MpiShellOptions options, ClusterConnection.Factory connect) {
    this.options = Objects.requireNonNull(options, "options");
    this.factory = new MpiJobFactory(options);
    this.cluster = connect.open("mpi", options, this::tick);
    this.client = cluster.client();
  }

  /**
   * A shell with its own client, configured like {@code kubectl} (kubeconfig with {@link
   * MpiShellOptions#kubeContext()}, else in-cluster); the client is closed with the shell.
   */
  public static MpiShell fromKubeConfig(MpiShellOptions options) {
    return new MpiShell(options, ClusterConnection.fromKubeConfig());
  }

  @Override
  public String name() {
    return "mpi";
  }

  /** False: its calls run in pods, which cannot read this machine's folders. */
  @Override
  public boolean readsCallerFolders() {
    return false;
  }

  /** The options this shell runs with. */
  public MpiShellOptions options() {
    return options;
  }

  /** The MPIJob the shell would create first for {@code request}, without creating it (dry runs, docs, tests). */
  public GenericKubernetesResource mpiJob(LaunchRequest request) {
    return factory.create(request, PodSpecs.callName(request), 0);
  }

  /**
   * The MPIJob a shell with {@code options} would create first for {@code request}, without a
   * cluster: for dry runs, reviews and docs (e.g. {@code new KubernetesSerialization().asYaml(job)}).
   */
  public static GenericKubernetesResource mpiJob(MpiShellOptions options, LaunchRequest request) {
    return new MpiJobFactory(options).create(request, PodSpecs.callName(request), 0);
  }

  @Override
  public Launch launch(LaunchRequest request) {
    Objects.requireNonNull(request, "request");
    MpiRun run = new MpiRun(this, request, PodSpecs.callName(request));
    Optional<ShellException> refusal = PodSpecs.launchRefusal("MPI", cluster.isClosed(), request, "PodTemplateOptions");
    if (refusal.isPresent()) {
      run.fail(refusal.get());
      return run;
    }
    cluster.threads().submit(() -> create(run, run.name(), 0));
    return run;
  }

  /** Deletes the MPIJobs of calls still running (foreground), stops the informers and threads. */
  @Override
  public void close() {
    cluster.close(() -> {
      runs.cancelAll();
      informers.values().forEach(SharedIndexInformer::close);
    });
  }

  /** Replaces where launcher log lines go (tests capture them). */
  void logSink(BiConsumer<String, String> sink) {
    this.logSink = Objects.requireNonNull(sink, "sink");
  }

  BiConsumer<String, String> logSink() {
    return logSink;
  }

  // ---- actions a run asks for ----

  /** What this shell's runs ask of it. */
  ClusterRun.Actions<GenericKubernetesResource> runActions() {
    return runs.actions();
  }

  private void submit(Runnable task) {
    cluster.threads().submit(task);
  }

  /** Creates the MPIJob {@code name} for {@code run} (attempt counts re-creations after evictions). */
  private void create(ClusterRun<GenericKubernetesResource> run, String name, int attempt) {
    String ns = options.namespace();
    try {
      // The same first contact as the Job shell: version gate, bounded, and a clear error without a cluster.
      try {
        cluster.probe().requireSupported();
      } catch (ShellException e) {
        run.fail(e);
        return;
      }
      Optional<String> refusal = discover();
      if (refusal.isPresent()) {
        run.fail(new ShellException("MpiOperatorMissing", null, refusal.get(), false));
        return;
      }
      GenericKubernetesResource job;
      try {
        job = factory.create(run.request(), name, attempt);
      } catch (RuntimeException e) {
        run.fail(new ShellException("InvalidMpiJob", "Cannot build the MPIJob for " + run.request().shortLabel() + ": "
            + e.getMessage(), e));
        return;
      }
      runs.track(name, run);
      startInformer(ns);
      cluster.objects().create("MPIJob", client.genericKubernetesResources(MPIJOBS), job);
      log.info("created MPIJob {}/{} for {} ({} worker(s) × {} slot(s))", ns, name, run.request().shortLabel(),
          options.workers(), options.slotsPerWorker());
      if (!run.onCreated(name)) {
        delete(name, "cancelled while being created");
      }
    } catch (KubernetesClientException e) {
      run.fail(launchFailed(e, name));
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      run.fail(new ShellException("LaunchFailed", "Interrupted while creating MPIJob " + ns + "/" + name, e));
    }
  }

  private void delete(String name, String why) {
    cluster.objects().delete("MPIJob", "mpijob", client.genericKubernetesResources(MPIJOBS), name, why);
  }

  /** The pods the operator made for MPIJob {@code name} with {@code role} (launcher or worker); empty on errors. */
  List<Pod> pods(String name, String role) {
    return cluster.objects().pods(role + "s of MPIJob " + name, Map.of(MpiJobFactory.JOB_NAME_LABEL, name,
        MpiJobFactory.JOB_ROLE_LABEL, role));
  }

  /** The log of {@code pod}'s container so far; null when it cannot be read (yet). */
  String podLog(String pod) {
    return cluster.objects().log(pod, MpiJobFactory.CONTAINER);
  }

  /**
   * Which served versions of {@value #CRD_NAME} allow this shell, asked once: empty when v2beta1
   * is served, else why not (and what to do). A failed request is not kept.
   */
  private Optional<String> discover() throws InterruptedException {
    Optional<String> known = discovered;
    if (known != null) {
      return known;
    }
    List<String> served = cluster.objects().servedVersions(CRD_NAME, MPIJOBS);
    Optional<String> refusal;
    if (served.contains(VERSION)) {
      refusal = Optional.empty();
      log.info("{} serves {} (MPI Operator found)", CRD_NAME, served);
    } else if (served.isEmpty()) {
      refusal = Optional.of("The cluster " + client.getMasterUrl() + " has no " + CRD_NAME + ": the Kubeflow MPI Operator "
          + "(v0.5 or newer) is not installed. Check with `kubectl get crd " + CRD_NAME + "`; install it with `kubectl apply "
          + "--server-side -f https://raw.githubusercontent.com/kubeflow/mpi-operator/v0.8.2/deploy/v2beta1/mpi-operator.yaml`"
          + " or ask the cluster's administrators, or run the function with another shell.");
    } else {
      refusal = Optional.of("The cluster " + client.getMasterUrl() + " serves " + CRD_NAME + " only in " + served
          + ", not " + VERSION + ". That is the MPI of the old Kubeflow training-operator (v1), which has no "
          + "launcherCreationPolicy, runLauncherAsWorker or per-launcher Job retries and is no longer developed; the MPI shell "
          + "needs the MPI Operator v0.5+ (kubeflow.org/" + VERSION + "). Check with `kubectl get crd " + CRD_NAME
          + " -o jsonpath='{.spec.versions[*].name}'`; both operators ship the same CRD name, so run training-operator with "
          + "--enable-scheme excluding mpijob and install the MPI Operator.");
    }
    discovered = refusal;
    return refusal;
  }

  private void startInformer(String ns) {
    informers.computeIfAbsent(ns, n -> {
      Map.Entry<String, String> managed = PodSpecs.managedBy();
      return client.genericKubernetesResources(MPIJOBS).inNamespace(n).withLabel(managed.getKey(), managed.getValue())
          .inform(runs.events(), 0);
    });
  }

  private void tick() {
    long now = System.nanoTime();
    runs.tick(now);
  }

  private ShellException launchFailed(KubernetesClientException e, String name) {
    return cluster.objects().createFailed(e, "MPIJob", name, "MPI", "create/get/list/watch/delete on mpijobs.kubeflow.org",
        ", and is the MPI Operator's CRD installed (`kubectl get crd " + CRD_NAME + "`)",
        "upgrade the MPI Operator (v0.5+ for launcherCreationPolicy and runLauncherAsWorker) or drop the option");
  }
}
