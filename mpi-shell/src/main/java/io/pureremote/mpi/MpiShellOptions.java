package io.pureremote.mpi;

import io.pureremote.k8s.values.Ranges;
import io.pureremote.k8s.ClusterShellOptions;
import io.pureremote.k8s.PodTemplateOptions;
import io.pureremote.k8s.values.KubernetesValues;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Objects;
import java.util.Optional;
import java.util.OptionalInt;
import java.util.OptionalLong;
import java.util.Set;

/**
 * How the MPI shell runs a call as a {@code kubeflow.org/v2beta1} MPIJob: the launcher and worker
 * pods (each a {@link PodTemplateOptions}, the same vocabulary and checks as the Job shell), the
 * number of workers and their MPI slots, and the MPIJob's own fields ({@code runPolicy}, {@code
 * sshAuthMountPath}, {@code mpiImplementation}, {@code launcherCreationPolicy}, {@code
 * runLauncherAsWorker}).
 *
 * <pre>{@code
 * MpiShellOptions options = MpiShellOptions.builder()
 *     .namespace("khiops")
 *     .launcher(PodTemplateOptions.builder().image("acme/khiops-app:1").memory("1Gi").build())
 *     .worker(PodTemplateOptions.builder().image("khiopsml/khiops-kubernetes:10.3.0").cpu("4", "4").memory("4Gi").build())
 *     .workers(2).slotsPerWorker(4)
 *     .cleanPodPolicy(MpiShellOptions.CleanPodPolicy.RUNNING).ttlAfterFinished(Duration.ofHours(1))
 *     .sshAuthMountPath("/home/ubuntu/.ssh").runAsUser(1000L)
 *     .memoryLimitEnv("KHIOPS_MEMORY_LIMIT")
 *     .build();
 * }</pre>
 *
 * <p>The namespace, kube context, TTL, deadline, pending timeout and re-creations after evictions
 * are the settings every cluster shell shares ({@link ClusterShellOptions}).
 *
 * <p>Immutable and thread-safe; each setter checks its value and throws at once, {@link
 * Builder#build()} checks what needs several values.
 */
public final class MpiShellOptions extends ClusterShellOptions {
  /** {@code runPolicy.cleanPodPolicy}: which pods the operator deletes when the job ends. */
  public enum CleanPodPolicy {
    /** Delete every pod. */
    ALL("All"),
    /** Delete the pods still running (the operator's default). */
    RUNNING("Running"),
    /** Keep every pod. */
    NONE("None");

    private final String value;

    CleanPodPolicy(String value) {
      this.value = value;
    }

    /** The value in the MPIJob. */
    public String value() {
      return value;
    }
  }

  /** {@code spec.mpiImplementation}. */
  public enum MpiImplementation {
    /** Open MPI (the operator's default). */
    OPEN_MPI("OpenMPI"),
    /** Intel MPI. */
    INTEL("Intel"),
    /** MPICH. */
    MPICH("MPICH");

    private final String value;

    MpiImplementation(String value) {
      this.value = value;
    }

    /** The value in the MPIJob. */
    public String value() {
      return value;
    }
  }

  /** {@code spec.launcherCreationPolicy}: when the operator creates the launcher. */
  public enum LauncherCreationPolicy {
    /** With the workers; the launcher may start before their DNS and sshd are up. */
    AT_STARTUP("AtStartup"),
    /** Once every worker is ready (this shell's default: no "Could not resolve hostname"). */
    WAIT_FOR_WORKERS_READY("WaitForWorkersReady");

    private final String value;

    LauncherCreationPolicy(String value) {
      this.value = value;
    }

    /** The value in the MPIJob. */
    public String value() {
      return value;
    }
  }

  /** The replica restart policies the operator accepts. */
  static final Set<String> RESTART_POLICIES = Set.of("Always", "OnFailure", "Never", "ExitCode");

  /** What a worker runs unless told otherwise: the ssh daemon mpirun connects to. */
  public static final List<String> DEFAULT_WORKER_COMMAND = List.of("/usr/sbin/sshd", "-De");

  private final PodTemplateOptions launcher;
  private final PodTemplateOptions worker;
  private final List<String> workerCommand;
  private final int workers;
  private final int slotsPerWorker;
  private final boolean runLauncherAsWorker;
  private final CleanPodPolicy cleanPodPolicy;
  private final int backoffLimit;
  private final OptionalInt schedulingMinAvailable;
  private final Optional<String> schedulingQueue;
  private final Optional<String> schedulingPriorityClass;
  private final Optional<Duration> scheduleTimeout;
  private final Optional<String> sshAuthMountPath;
  private final MpiImplementation mpiImplementation;
  private final LauncherCreationPolicy launcherCreationPolicy;
  private final Optional<String> memoryLimitEnv;
  private final String memoryLimitResource;
  private final Optional<String> memoryLimitDivisor;
  private final OptionalInt workerReadinessPort;
  private final String launcherRestartPolicy;
  private final String workerRestartPolicy;
  private final OptionalLong runAsUser;
  private final Duration operatorPickupBound;

  private MpiShellOptions(Builder b) {
    super(b);
    launcher = b.launcher;
    worker = b.worker == null ? b.launcher : b.worker;
    workerCommand = List.copyOf(b.workerCommand);
    workers = b.workers;
    slotsPerWorker = b.slotsPerWorker;
    runLauncherAsWorker = b.runLauncherAsWorker;
    cleanPodPolicy = b.cleanPodPolicy;
    backoffLimit = b.backoffLimit;
    schedulingMinAvailable = b.schedulingMinAvailable == null ? OptionalInt.empty() : OptionalInt.of(b.schedulingMinAvailable);
    schedulingQueue = Optional.ofNullable(b.schedulingQueue);
    schedulingPriorityClass = Optional.ofNullable(b.schedulingPriorityClass);
    scheduleTimeout = Optional.ofNullable(b.scheduleTimeout);
    sshAuthMountPath = Optional.ofNullable(b.sshAuthMountPath);
    mpiImplementation = b.mpiImplementation;
    launcherCreationPolicy = b.launcherCreationPolicy;
    memoryLimitEnv = Optional.ofNullable(b.memoryLimitEnv);
    memoryLimitResource = b.memoryLimitResource;
    memoryLimitDivisor = Optional.ofNullable(b.memoryLimitDivisor);
    workerReadinessPort = b.workerReadinessPort == null ? OptionalInt.empty() : OptionalInt.of(b.workerReadinessPort);
    launcherRestartPolicy = b.launcherRestartPolicy;
    workerRestartPolicy = b.workerRestartPolicy;
    runAsUser = b.runAsUser == null ? OptionalLong.empty() : OptionalLong.of(b.runAsUser);
    operatorPickupBound = b.operatorPickupBound;
  }

  /** A builder with the defaults; {@link Builder#launcher} is required. */
  public static Builder builder() {
    return new Builder();
  }

  /** The launcher pod: its image's entrypoint runs {@code RemoteMain run <memo uri>}. */
  public PodTemplateOptions launcher() {
    return launcher;
  }

  /** The worker pods (default: the launcher's template). */
  public PodTemplateOptions worker() {
    return worker;
  }

  /** The worker container's command (default {@link #DEFAULT_WORKER_COMMAND}). */
  public List<String> workerCommand() {
    return workerCommand;
  }

  /** Worker replicas. */
  public int workers() {
    return workers;
  }

  /** {@code spec.slotsPerWorker}: MPI slots (ranks) per worker. */
  public int slotsPerWorker() {
    return slotsPerWorker;
  }

  /** {@code spec.runLauncherAsWorker}: the launcher also hosts {@link #slotsPerWorker()} ranks. */
  public boolean runLauncherAsWorker() {
    return runLauncherAsWorker;
  }

  /** {@code -np} of a full run: workers × slotsPerWorker (+ slotsPerWorker with runLauncherAsWorker). */
  public int totalSlots() {
    return workers * slotsPerWorker + launcherSlots();
  }

  /** Slots on the launcher: slotsPerWorker with runLauncherAsWorker, else 0. */
  public int launcherSlots() {
    return runLauncherAsWorker ? slotsPerWorker : 0;
  }

  /** {@code runPolicy.cleanPodPolicy}. */
  public CleanPodPolicy cleanPodPolicy() {
    return cleanPodPolicy;
  }

  /** {@code runPolicy.backoffLimit}: launcher retries by the launcher Job. */
  public int backoffLimit() {
    return backoffLimit;
  }

  /** {@code runPolicy.schedulingPolicy.minAvailable}. */
  public OptionalInt schedulingMinAvailable() {
    return schedulingMinAvailable;
  }

  /** {@code runPolicy.schedulingPolicy.queue}. */
  public Optional<String> schedulingQueue() {
    return schedulingQueue;
  }

  /** {@code runPolicy.schedulingPolicy.priorityClass}. */
  public Optional<String> schedulingPriorityClass() {
    return schedulingPriorityClass;
  }

  /** {@code runPolicy.schedulingPolicy.scheduleTimeoutSeconds}. */
  public Optional<Duration> scheduleTimeout() {
    return scheduleTimeout;
  }

  /** Whether any scheduling-policy field is set (then {@code schedulingPolicy} is emitted). */
  public boolean hasSchedulingPolicy() {
    return schedulingMinAvailable.isPresent() || schedulingQueue.isPresent() || schedulingPriorityClass.isPresent()
        || scheduleTimeout.isPresent();
  }

  /** {@code spec.sshAuthMountPath} (operator default {@code /root/.ssh}). */
  public Optional<String> sshAuthMountPath() {
    return sshAuthMountPath;
  }

  /** {@code spec.mpiImplementation}. */
  public MpiImplementation mpiImplementation() {
    return mpiImplementation;
  }

  /** {@code spec.launcherCreationPolicy}. */
  public LauncherCreationPolicy launcherCreationPolicy() {
    return launcherCreationPolicy;
  }

  /** The env var that carries each container's memory limit ({@code resourceFieldRef limits.memory}). */
  public Optional<String> memoryLimitEnv() {
    return memoryLimitEnv;
  }

  /** The resource {@link #memoryLimitEnv()} reads: {@code limits.memory} (default) or {@code requests.memory}. */
  public String memoryLimitResource() {
    return memoryLimitResource;
  }

  /** The divisor of {@link #memoryLimitEnv()} (e.g. {@code 1Mi}: the value in MiB); empty: bytes. */
  public Optional<String> memoryLimitDivisor() {
    return memoryLimitDivisor;
  }

  /** The port of the workers' sshd that a TCP readiness probe checks, if set. */
  public OptionalInt workerReadinessPort() {
    return workerReadinessPort;
  }

  /** The launcher replica's restart policy. */
  public String launcherRestartPolicy() {
    return launcherRestartPolicy;
  }

  /** The worker replicas' restart policy. */
  public String workerRestartPolicy() {
    return workerRestartPolicy;
  }

  /** The user id both launcher and workers run as (one value: ssh keys only work for the same user). */
  public OptionalLong runAsUser() {
    return runAsUser;
  }

  /** How long the operator may take to pick a new MPIJob up (Created / startTime) before the call fails. */
  public Duration operatorPickupBound() {
    return operatorPickupBound;
  }

  /** Builds {@link MpiShellOptions}. */
  public static final class Builder extends ClusterShellOptions.Builder<Builder> {
    private PodTemplateOptions launcher;
    private PodTemplateOptions worker;
    private List<String> workerCommand = DEFAULT_WORKER_COMMAND;
    private int workers = 1;
    private int slotsPerWorker = 1;
    private boolean runLauncherAsWorker;
    private CleanPodPolicy cleanPodPolicy = CleanPodPolicy.RUNNING;
    private int backoffLimit;
    private Integer schedulingMinAvailable;
    private String schedulingQueue;
    private String schedulingPriorityClass;
    private Duration scheduleTimeout;
    private String sshAuthMountPath;
    private MpiImplementation mpiImplementation = MpiImplementation.OPEN_MPI;
    private LauncherCreationPolicy launcherCreationPolicy = LauncherCreationPolicy.WAIT_FOR_WORKERS_READY;
    private String memoryLimitEnv;
    private String memoryLimitResource = "limits.memory";
    private String memoryLimitDivisor;
    private Integer workerReadinessPort;
    private String launcherRestartPolicy = "Never";
    private String workerRestartPolicy = "Never";
    private Long runAsUser;
    private Duration operatorPickupBound = Duration.ofSeconds(60);

    private Builder() {
      super(KubernetesValues.namespaceFor(System.getProperty("user.name")));
    }

    @Override
    protected Builder self() {
      return this;
    }

    /** The launcher pod (required): its image runs {@code io.pureremote.RemoteMain} and has {@code mpirun}. */
    public Builder launcher(PodTemplateOptions launcher) {
      this.launcher = Objects.requireNonNull(launcher, "launcher");
      return this;
    }

    /** The worker pods; default the launcher's template (e.g. {@code launcher.toBuilder().gpus(1).build()}). */
    public Builder worker(PodTemplateOptions worker) {
      this.worker = Objects.requireNonNull(worker, "worker");
      return this;
    }

    /** The worker container's command; default {@code /usr/sbin/sshd -De}. */
    public Builder workerCommand(List<String> command) {
      if (command == null || command.isEmpty()) {
        throw new IllegalArgumentException("workerCommand is empty: workers must run the ssh daemon mpirun connects to, "
            + "e.g. List.of(\"/usr/sbin/sshd\", \"-De\")");
      }
      this.workerCommand = List.copyOf(command);
      return this;
    }

    /** Worker replicas, 1 to 10000. */
    public Builder workers(int workers) {
      this.workers = range("workers", workers, 1, 10_000);
      return this;
    }

    /** MPI slots per worker, 1 to 1024 (Khiops needs at least 2). */
    public Builder slotsPerWorker(int slots) {
      this.slotsPerWorker = range("slotsPerWorker", slots, 1, 1024);
      return this;
    }

    /** Whether the launcher also hosts ranks (operator v0.5+). */
    public Builder runLauncherAsWorker(boolean run) {
      this.runLauncherAsWorker = run;
      return this;
    }

    /** Which pods the operator deletes at the end; default {@link CleanPodPolicy#RUNNING}. */
    public Builder cleanPodPolicy(CleanPodPolicy policy) {
      this.cleanPodPolicy = Objects.requireNonNull(policy, "cleanPodPolicy");
      return this;
    }

    /** Launcher retries by its Job, 0 to 100; default 0 (the caller's retries decide). */
    public Builder backoffLimit(int limit) {
      this.backoffLimit = range("backoffLimit", limit, 0, 100);
      return this;
    }

    /** Gang scheduling (Volcano or scheduler-plugins only): the pods that must be schedulable together. */
    public Builder schedulingMinAvailable(int minAvailable) {
      this.schedulingMinAvailable = range("schedulingMinAvailable", minAvailable, 1, 10_001);
      return this;
    }

    /** Gang scheduling: the scheduler's queue. */
    public Builder schedulingQueue(String queue) {
      this.schedulingQueue = nonBlank("schedulingQueue", queue);
      return this;
    }

    /** Gang scheduling: the priority class. */
    public Builder schedulingPriorityClass(String priorityClass) {
      this.schedulingPriorityClass = nonBlank("schedulingPriorityClass", priorityClass);
      return this;
    }

    /** Gang scheduling: how long the scheduler tries. */
    public Builder scheduleTimeout(Duration timeout) {
      this.scheduleTimeout = seconds("scheduleTimeout", timeout, 1);
      return this;
    }

    /** Where the operator mounts the ssh keys: the image user's {@code ~/.ssh} for non-root images. */
    public Builder sshAuthMountPath(String path) {
      if (path == null || !path.startsWith("/") || path.contains("..") || path.endsWith("/") && path.length() > 1) {
        throw new IllegalArgumentException("sshAuthMountPath must be an absolute path without '..' or a trailing '/', "
            + "e.g. \"/home/ubuntu/.ssh\" for an image whose user is ubuntu; got " + path);
      }
      this.sshAuthMountPath = path;
      return this;
    }

    /** The MPI implementation; default Open MPI. */
    public Builder mpiImplementation(MpiImplementation implementation) {
      this.mpiImplementation = Objects.requireNonNull(implementation, "mpiImplementation");
      return this;
    }

    /** When the launcher starts; default once the workers are ready. */
    public Builder launcherCreationPolicy(LauncherCreationPolicy policy) {
      this.launcherCreationPolicy = Objects.requireNonNull(policy, "launcherCreationPolicy");
      return this;
    }

    /**
     * Exposes each container's memory limit to its program as env var {@code name} (from {@code
     * resourceFieldRef: limits.memory}, in bytes), e.g. Khiops's {@code KHIOPS_MEMORY_LIMIT}.
     * The workers need a memory limit; the launcher gets the variable too when its template has one.
     */
    public Builder memoryLimitEnv(String name) {
      if (name == null || !KubernetesValues.isEnvName(name)) {
        throw new IllegalArgumentException("memoryLimitEnv must be an environment variable name such as "
            + "KHIOPS_MEMORY_LIMIT (letters, digits, '_', not starting with a digit); got " + name);
      }
      this.memoryLimitEnv = name;
      return this;
    }

    /**
     * Like {@link #memoryLimitEnv(String)}, reading {@code resource} ({@code limits.memory} or
     * {@code requests.memory}) in units of {@code divisor} (e.g. {@code "1Mi"}; null for bytes),
     * as seed 000 passes {@code KHIOPS_MEMORY_LIMIT}.
     */
    public Builder memoryLimitEnv(String name, String resource, String divisor) {
      memoryLimitEnv(name);
      if (!"limits.memory".equals(resource) && !"requests.memory".equals(resource)) {
        throw new IllegalArgumentException("memoryLimitEnv resource must be limits.memory or requests.memory, got " + resource);
      }
      if (divisor != null) {
        KubernetesValues.bytesProblem(divisor).ifPresent(p -> {
          throw new IllegalArgumentException("memoryLimitEnv divisor: " + p);
        });
      }
      this.memoryLimitResource = resource;
      this.memoryLimitDivisor = divisor;
      return this;
    }

    /**
     * A TCP readiness probe on the workers' sshd {@code port} (e.g. 2222 for a non-root sshd), so
     * {@code WaitForWorkersReady} waits for sshd and not only for the container start.
     */
    public Builder workerReadinessPort(int port) {
      this.workerReadinessPort = range("workerReadinessPort", port, 1, 65535);
      return this;
    }

    /** The launcher's restart policy: Always, OnFailure, Never (default) or ExitCode. */
    public Builder launcherRestartPolicy(String policy) {
      this.launcherRestartPolicy = restart("launcherRestartPolicy", policy);
      return this;
    }

    /** The workers' restart policy: Always, OnFailure, Never (default) or ExitCode. */
    public Builder workerRestartPolicy(String policy) {
      this.workerRestartPolicy = restart("workerRestartPolicy", policy);
      return this;
    }

    /**
     * The user id of launcher and workers alike ({@code securityContext.runAsUser}); one value for
     * both, since ssh refuses keys of another user (mpi-operator#472).
     */
    public Builder runAsUser(long uid) {
      Ranges.check("runAsUser", Ranges.atLeastProblem(0, uid).map(p -> p + " (a numeric user id, e.g. 1000)"));
      this.runAsUser = uid;
      return this;
    }

    /** How long the operator may take to pick up an MPIJob before the call fails; default 60 s. */
    public Builder operatorPickupBound(Duration bound) {
      this.operatorPickupBound = positive("operatorPickupBound", bound);
      return this;
    }

    /**
     * The options.
     *
     * @throws IllegalArgumentException naming every missing or conflicting value
     */
    public MpiShellOptions build() {
      List<String> problems = new ArrayList<>();
      if (launcher == null) {
        problems.add("launcher is required: MpiShellOptions.builder().launcher(PodTemplateOptions.builder().image(...).build())");
      }
      if (memoryLimitEnv != null && launcher != null) {
        boolean limits = memoryLimitResource.startsWith("limits");
        PodTemplateOptions w = worker == null ? launcher : worker;
        if (!(limits ? w.resourceLimits() : w.resourceRequests()).containsKey("memory")) {
          problems.add("memoryLimitEnv " + memoryLimitEnv + " needs " + memoryLimitResource + " on the workers "
              + "(PodTemplateOptions.Builder.memory(...))");
        }
      }
      if (schedulingMinAvailable != null && schedulingMinAvailable > workers + 1) {
        problems.add("schedulingMinAvailable " + schedulingMinAvailable + " is more than the job's " + (workers + 1)
            + " pods (workers + launcher)");
      }
      if (!problems.isEmpty()) {
        throw new IllegalArgumentException("Invalid MPI shell options:\n  - " + String.join("\n  - ", problems));
      }
      return new MpiShellOptions(this);
    }

    private static Duration positive(String name, Duration d) {
      Ranges.check(name, Ranges.positiveProblem(Objects.requireNonNull(d, name)));
      return d;
    }

    private static String nonBlank(String name, String value) {
      if (value == null || value.isBlank()) {
        throw new IllegalArgumentException(name + " must not be blank");
      }
      return value;
    }

    private static String restart(String name, String policy) {
      if (policy == null || !RESTART_POLICIES.contains(policy)) {
        throw new IllegalArgumentException(name + " must be one of Always, OnFailure, Never, ExitCode; got " + policy);
      }
      return policy;
    }
  }
}
