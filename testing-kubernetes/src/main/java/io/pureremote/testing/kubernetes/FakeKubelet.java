package io.pureremote.testing.kubernetes;

import io.pureremote.spi.Shell.LaunchRequest;
import io.pureremote.spi.Shell;
import io.fabric8.kubernetes.api.model.Container;
import io.fabric8.kubernetes.api.model.ContainerStatus;
import io.fabric8.kubernetes.api.model.ContainerStatusBuilder;
import io.fabric8.kubernetes.api.model.EnvVar;
import io.fabric8.kubernetes.api.model.OwnerReferenceBuilder;
import io.fabric8.kubernetes.api.model.Pod;
import io.fabric8.kubernetes.api.model.PodBuilder;
import io.fabric8.kubernetes.api.model.PodCondition;
import io.fabric8.kubernetes.api.model.PodConditionBuilder;
import io.fabric8.kubernetes.api.model.PodStatus;
import io.fabric8.kubernetes.api.model.PodStatusBuilder;
import io.fabric8.kubernetes.api.model.Secret;
import io.fabric8.kubernetes.api.model.batch.v1.Job;
import io.fabric8.kubernetes.api.model.batch.v1.JobCondition;
import io.fabric8.kubernetes.api.model.batch.v1.JobConditionBuilder;
import io.fabric8.kubernetes.api.model.batch.v1.PodFailurePolicyRule;
import io.fabric8.kubernetes.client.KubernetesClient;
import io.fabric8.kubernetes.client.KubernetesClientException;
import io.fabric8.kubernetes.client.informers.ResourceEventHandler;
import io.fabric8.kubernetes.client.informers.SharedIndexInformer;
import io.fabric8.mockwebserver.http.MockResponse;
import io.fabric8.mockwebserver.http.RecordedRequest;
import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStreamReader;
import java.net.URLDecoder;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Base64;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Queue;
import java.util.Set;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.ThreadLocalRandom;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import java.util.function.UnaryOperator;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Plays kubelet and Job controller against the mock API server, which has neither. It watches
 * Jobs in one namespace; for each it creates a Pod (labels {@code job-name}, {@code
 * controller-uid}, owner reference), marks it Running, runs the container — {@code image → command}
 * as a local child JVM with the container's args and env, or {@code RemoteMain.run} on a virtual
 * thread for in-process images — and writes the pod's and then the Job's status through the
 * status subresource: Succeeded/Complete, or Failed with the exit code, honouring {@code
 * podFailurePolicy} (FailJob on an exit code, Ignore on disruptions), {@code backoffLimit} and
 * {@code activeDeadlineSeconds}. Deleting a Job kills its process and deletes its pods. It plays
 * the Job controller of the version {@link MockKubernetes#kubernetesVersion} reports: from 1.31
 * {@code SuccessCriteriaMet}/{@code FailureTarget} first and {@code Complete}/{@code Failed} after
 * the pods ended; before 1.31 the terminal condition at once. It honours {@code spec.suspend} as
 * the controller does (no pods and {@code Suspended=True} while suspended; on a suspension the
 * active pods are deleted and count as no failure; resuming resets {@code startTime}), which is
 * how {@link FakeKueue} queues, admits and preempts Jobs. Indexed Jobs (the torch shell's and the
 * Job shell's batches) run like the controller runs them: a pod per index with hostname, index
 * annotation, label and {@code JOB_COMPLETION_INDEX}, at most {@code parallelism} at once,
 * per-index backoff with {@code status.completedIndexes}/{@code failedIndexes}, {@code
 * maxFailedIndexes}, FailIndex rules and a success policy; one created suspended gets no pods
 * until it is resumed (Kueue's admission), and one suspended while its pods run (Kueue's
 * preemption) has them deleted, counted as no failure, and its indexes not yet done start again
 * when it is resumed.
 *
 * <p>Each new Job takes the next queued {@link Behaviour} ({@link #then}); without one it runs
 * normally. Pod logs are kept per pod with timestamps and served through {@link MockKubernetes}.
 *
 * <pre>{@code
 * try (MockKubernetes cluster = new MockKubernetes();
 *      FakeKubelet kubelet = new FakeKubelet(cluster, "ml").inProcess("app:1").start()) {
 *   KubernetesClient client = cluster.client(MockKubernetes.SHELL);   // give it to the shell
 *   kubelet.then(FakeKubelet.Behaviour.OOM_KILL);                      // the next Job's pod is OOM-killed
 * }
 * }</pre>
 *
 * <p>It is a fixture, not a cluster: no scheduling, quotas, admission or field validation, and
 * one container per pod.
 */
public final class FakeKubelet implements AutoCloseable {
  private static final Logger log = LoggerFactory.getLogger(FakeKubelet.class);

  /** What happens to the next Job's pod. */
  public enum Behaviour {
    /** Run the container; report its exit. */
    NORMAL,
    /** Kill the container with SIGKILL after {@link #disruptAfter}; report OOMKilled, exit 137. */
    OOM_KILL,
    /** The image never pulls: ErrImagePull, then ImagePullBackOff, forever. */
    IMAGE_PULL_FAILURE,
    /** The pod never schedules (PodScheduled=False, Unschedulable). */
    UNSCHEDULABLE,
    /** Evict the first pod; the Job controller then replaces it (podFailurePolicy Ignore) and it runs normally. */
    EVICT_THEN_REPLACE,
    /** Evict the pod and fail the Job (a cluster without the Ignore rule): the shell must re-create it. */
    EVICT_AND_FAIL_JOB,
    /** Someone deletes the Job while it runs. */
    DELETE_JOB_MID_RUN,
    /** Drop the shell's watch connections (and answer its next watch with 410 Gone) while it runs. */
    DROP_WATCHES_MID_RUN,
    /** Swallow the shell's watch events while it runs; they stay muted until the test unmutes. */
    MUTE_WATCHES_MID_RUN,
    /** Mark the pod Running and never start or finish it. */
    HANG
  }

  private final MockKubernetes cluster;
  private final KubernetesClient client;
  private final String namespace;
  private final Map<String, List<String>> commands = new ConcurrentHashMap<>();
  private final Set<String> inProcessImages = ConcurrentHashMap.newKeySet();
  private final Queue<Behaviour> behaviours = new ConcurrentLinkedQueue<>();
  private final Map<String, Simulation> simulations = new ConcurrentHashMap<>();
  private final Map<String, List<LogLine>> logs = new ConcurrentHashMap<>();
  private final List<String> jobsSeen = new CopyOnWriteArrayList<>();
  /** Evictions asked for by {@link #evict}, by pod name, until the pod's loop plays them. */
  private final Map<String, Eviction> evictions = new ConcurrentHashMap<>();
  private final ExecutorService threads = Executors.newThreadPerTaskExecutor(Thread.ofVirtual().name("fake-kubelet-", 0).factory());
  private volatile Duration disruptAfter = Duration.ofMillis(800);
  /** How long past {@link #disruptAfter} a disruption waits for a container that has printed nothing yet. */
  private static final Duration FIRST_OUTPUT_WAIT = Duration.ofSeconds(30);
  private volatile boolean holdTerminal;
  private SharedIndexInformer<Job> informer;
  private volatile boolean closed;

  private record LogLine(Instant at, String text) {}

  private record PodEnd(int exitCode, String kind) {
    static final String EXITED = "exited";
    static final String DISRUPTED = "disrupted";
    static final String DEADLINE = "deadline";
    static final String STOPPED = "stopped";
    static final String SUSPENDED = "suspended";
  }

  /** A kubelet for Jobs in {@code namespace} of {@code cluster}; {@link #start()} starts it. It serves the cluster's pod logs. */
  public FakeKubelet(MockKubernetes cluster, String namespace) {
    this.cluster = cluster;
    this.client = cluster.client("kubelet");
    this.namespace = namespace;
    cluster.logSource(this::serveLog);
  }

  /** The command a container of {@code image} runs, before its args (its entrypoint). */
  public FakeKubelet image(String image, List<String> entrypoint) {
    commands.put(image, List.copyOf(entrypoint));
    return this;
  }

  /** Containers of {@code image} run {@code RemoteMain.run(args)} in this JVM on a virtual thread. */
  public FakeKubelet inProcess(String image) {
    inProcessImages.add(image);
    return this;
  }

  /** The next Job created gets {@code behaviour} (queued in order). */
  public FakeKubelet then(Behaviour behaviour) {
    behaviours.add(behaviour);
    return this;
  }

  /**
   * While held, Jobs of a 1.31+ server keep their interim condition ({@code SuccessCriteriaMet} or
   * {@code FailureTarget}) and never get the terminal one, as when pods take long to terminate.
   */
  public FakeKubelet holdTerminalConditions(boolean hold) {
    this.holdTerminal = hold;
    return this;
  }

  /** Whether this kubelet plays a 1.31+ Job controller: the server's version decides. */
  boolean interimConditions() {
    return cluster.kubernetesMinor() >= 31;
  }

  /**
   * How long a disrupting behaviour lets the container run first; an OOM kill also waits until the
   * container has printed a line (at most 30 s more), as a loaded machine may start a JVM slowly.
   */
  public FakeKubelet disruptAfter(Duration after) {
    this.disruptAfter = after;
    return this;
  }

  /**
   * Evicts running pod {@code pod} the way the cluster does it (the Eviction API, a scheduler's
   * preemption, a node drain or the taint manager): the pod first gets condition {@code
   * DisruptionTarget=True} with {@code reason} and {@code message} while it still runs, then its
   * container is killed (exit 137) and the pod fails with the condition kept. The Job controller
   * then applies the pod failure policy ({@code Ignore} on {@code DisruptionTarget}: a replacement
   * pod for the same index, counted as no failure). Real reasons: {@code EvictionByEvictionAPI},
   * {@code PreemptionByScheduler}, {@code DeletionByTaintManager}, {@code TerminationByKubelet}.
   *
   * @return whether {@code pod} is a pod of this kubelet whose container still runs (false: nothing
   *     is evicted)
   */
  public boolean evict(String pod, String reason, String message) {
    boolean known = simulations.values().stream().anyMatch(s -> !s.stopped && s.processes.containsKey(pod)
        && s.processes.get(pod).isAlive());
    if (known) {
      evictions.put(pod, new Eviction(reason, message));
    }
    return known;
  }

  private record Eviction(String reason, String message) {}

  /** A child JVM running {@code io.pureremote.RemoteMain} on this JVM's class path: the "image". */
  public static List<String> javaEntrypoint() {
    List<String> cmd = new ArrayList<>();
    cmd.add(ProcessHandle.current().info().command().orElse(System.getProperty("java.home") + "/bin/java"));
    if (Runtime.version().feature() >= 24) {
      cmd.add("--sun-misc-unsafe-memory-access=allow");
    }
    cmd.addAll(List.of("-XX:TieredStopAtLevel=1", "-XX:+UseSerialGC", "-Xshare:auto"));
    cmd.addAll(List.of("-cp", System.getProperty("java.class.path"), LaunchRequest.MAIN_CLASS));
    return cmd;
  }

  /** Starts watching Jobs; returns this. */
  public FakeKubelet start() {
    informer = client.batch().v1().jobs().inNamespace(namespace).inform(new ResourceEventHandler<Job>() {
      @Override
      public void onAdd(Job job) {
        onJob(job);
      }

      @Override
      public void onUpdate(Job old, Job job) {
        onJob(job);
      }

      @Override
      public void onDelete(Job job, boolean unknown) {
        Simulation sim = simulations.get(job.getMetadata().getName());
        if (sim != null && sim.uid.equals(job.getMetadata().getUid())) {
          sim.stop("Job deleted");
        }
      }
    }, 0);
    return this;
  }

  /** Names of the Jobs this kubelet saw created, in order. */
  public List<String> jobsSeen() {
    return List.copyOf(jobsSeen);
  }

  /** Whether any container process this kubelet started still runs. */
  public boolean anyProcessAlive() {
    return simulations.values().stream().anyMatch(Simulation::processAlive);
  }

  @Override
  public void close() {
    closed = true;
    if (informer != null) {
      informer.close();
    }
    simulations.values().forEach(s -> s.stop(null));
    threads.shutdownNow();
  }

  private void onJob(Job job) {
    if (closed) {
      return;
    }
    String name = job.getMetadata().getName();
    if (job.getMetadata().getDeletionTimestamp() != null) {
      Simulation sim = simulations.get(name);
      if (sim != null) {
        sim.stop("Job being deleted");
      }
      return;
    }
    Simulation existing = simulations.get(name);
    if (existing != null && existing.uid.equals(job.getMetadata().getUid())) {
      existing.observe(job);
      return;
    }
    Behaviour behaviour = behaviours.poll();
    Simulation sim = new Simulation(job, behaviour == null ? Behaviour.NORMAL : behaviour);
    simulations.put(name, sim);
    jobsSeen.add(name);
    threads.execute(sim::run);
  }

  // ---- logs (the API server proxies them from the kubelet; here the dispatcher asks us) ----

  private MockResponse serveLog(RecordedRequest request) {
    String path = request.getPath();
    String bare = path.contains("?") ? path.substring(0, path.indexOf('?')) : path;
    String[] seg = bare.split("/");
    String pod = seg[seg.length - 2];
    Map<String, String> query = new LinkedHashMap<>();
    if (path.contains("?")) {
      for (String kv : path.substring(path.indexOf('?') + 1).split("&")) {
        int eq = kv.indexOf('=');
        query.put(eq < 0 ? kv : kv.substring(0, eq), eq < 0 ? "" : URLDecoder.decode(kv.substring(eq + 1), StandardCharsets.UTF_8));
      }
    }
    List<LogLine> lines = logs.get(pod);
    if (lines == null) {
      return MockKubernetes.status(404, "NotFound", "pods \\\"" + pod + "\\\" not found");
    }
    Instant since = query.containsKey("sinceTime") ? Instant.parse(query.get("sinceTime")) : Instant.MIN;
    boolean stamps = "true".equals(query.get("timestamps"));
    StringBuilder body = new StringBuilder();
    for (LogLine line : List.copyOf(lines)) {
      if (!line.at().isBefore(since)) {
        body.append(stamps ? line.at() + " " : "").append(line.text()).append('\n');
      }
    }
    // A real follow stream stays open until the container ends; the mock answers with what there
    // is so far, which exercises the shell's re-attach path.
    return new MockResponse().setResponseCode(200).setHeader("Content-Type", "text/plain").setBody(body.toString());
  }

  /** One Job, played from creation to its final status. */
  private final class Simulation {
    final String jobName;
    final String uid;
    final Job job;
    volatile boolean stopped;
    final Map<String, Process> processes = new ConcurrentHashMap<>();
    volatile CompletableFuture<Integer> exit;
    final List<String> pods = new CopyOnWriteArrayList<>();
    final Map<String, Pod> podObjects = new ConcurrentHashMap<>();
    Job current;
    Behaviour behaviour;
    volatile Path hostsFile;
    // spec.suspend as last seen (Kueue sets and clears it); the controller acts on changes.
    volatile boolean suspended;
    private boolean everSuspended;

    Simulation(Job job, Behaviour behaviour) {
      this.job = job;
      this.current = job;
      this.jobName = job.getMetadata().getName();
      this.uid = job.getMetadata().getUid();
      this.behaviour = behaviour;
      this.suspended = Boolean.TRUE.equals(job.getSpec().getSuspend());
    }

    /** A later version of the Job: only {@code spec.suspend} may change (the rest is immutable). */
    void observe(Job job) {
      suspended = Boolean.TRUE.equals(job.getSpec().getSuspend());
    }

    void run() {
      if ("Indexed".equals(job.getSpec().getCompletionMode())) {
        runIndexed();
        return;
      }
      try {
        Instant started = null;
        int failedPods = 0;
        while (!stopped) {
          if (suspended || started == null) {
            // A suspended Job has no pods and a Suspended condition; resuming resets startTime
            // (and with it the activeDeadlineSeconds timer), as the Job controller does.
            if (suspended && !holdWhileSuspended()) {
              return;
            }
            Instant now = Instant.now();
            started = now;
            updateJob(s -> (everSuspended ? withCondition(s, "Suspended", "False", "JobResumed", "Job resumed", now.toString()) : s)
                .withActive(1).withStartTime(now.toString()));
          }
          PodEnd end = runPod(started);
          if (stopped || end.kind().equals(PodEnd.STOPPED)) {
            return;
          }
          switch (end.kind()) {
            case PodEnd.SUSPENDED -> {
              continue; // pods removed for a suspension count as no failure
            }
            case PodEnd.DISRUPTED -> {
              if (behaviour == Behaviour.EVICT_AND_FAIL_JOB) {
                failJob("BackoffLimitExceeded", "Job has reached the specified backoff limit", 1);
                return;
              }
              behaviour = Behaviour.NORMAL; // podFailurePolicy Ignore: a replacement pod, not counted
              continue;
            }
            case PodEnd.DEADLINE -> {
              failJob("DeadlineExceeded", "Job was active longer than specified deadline", 1);
              return;
            }
            default -> { }
          }
          int code = end.exitCode();
          if (code == 0) {
            succeedJob();
            return;
          }
          int rule = failJobRule(code);
          if (rule >= 0) {
            failJob("PodFailurePolicy", "Container " + job.getSpec().getTemplate().getSpec().getContainers().getFirst().getName() + " for pod " + namespace + "/" + pods.getLast()
                + " failed with exit code " + code + " matching FailJob rule at index " + rule, failedPods + 1);
            return;
          }
          failedPods++;
          Integer backoffLimit = job.getSpec().getBackoffLimit();
          if (failedPods > (backoffLimit == null ? 6 : backoffLimit)) {
            failJob("BackoffLimitExceeded", "Job has reached the specified backoff limit", failedPods);
            return;
          }
          behaviour = Behaviour.NORMAL;
        }
      } catch (KubernetesClientException e) {
        if (!stopped) {
          log.warn("fake kubelet: Job {} failed: {}", jobName, e.toString());
        }
      } catch (InterruptedException e) {
        Thread.currentThread().interrupt();
      } catch (RuntimeException e) {
        log.warn("fake kubelet: Job {} crashed", jobName, e);
      }
    }

    // ---- Indexed Jobs: one pod per completion index, all at once ----

    private record IndexEnd(int index, String pod, PodEnd end) {}

    /**
     * The Job controller for an Indexed Job: at most {@code parallelism} pods at once, the next
     * index started when one is done; per-index backoff ({@code backoffLimitPerIndex}: an index
     * whose pods failed more often is failed, listed in {@code status.failedIndexes}, and the
     * others go on; {@code maxFailedIndexes} exceeded fails the Job), else the Job-wide {@code
     * backoffLimit}; pod failure policy actions FailJob, FailIndex, Ignore and Count; once every
     * index is done the Job succeeds, or fails with reason {@code FailedIndexes} when one failed.
     * A Job created suspended gets no pods until it is resumed; suspended once its pods run, its
     * pods are deleted (no failure) and the indexes not done start again on resume.
     */
    private void runIndexed() {
      try {
        int n = job.getSpec().getCompletions() == null ? 1 : job.getSpec().getCompletions();
        Integer parallelismSpec = job.getSpec().getParallelism();
        int parallelism = parallelismSpec == null ? n : Math.max(1, Math.min(n, parallelismSpec));
        // Created suspended (Kueue holds it until admitted): admission clears suspend and the indexes start.
        if (suspended && !holdWhileSuspended()) {
          return;
        }
        Instant started = Instant.now();
        updateJob(s -> (everSuspended ? withCondition(s, "Suspended", "False", "JobResumed", "Job resumed", started.toString()) : s)
            .withActive(parallelism).withStartTime(started.toString()));
        String subdomain = job.getSpec().getTemplate().getSpec().getSubdomain();
        if (subdomain != null) {
          hostsFile = writeHosts(subdomain, n);
        }
        java.util.concurrent.BlockingQueue<IndexEnd> ends = new java.util.concurrent.LinkedBlockingQueue<>();
        Map<Integer, String> running = new ConcurrentHashMap<>();
        Map<Integer, Integer> failures = new LinkedHashMap<>();
        java.util.Set<Integer> succeeded = new java.util.TreeSet<>();
        java.util.Set<Integer> failedIndexes = new java.util.TreeSet<>();
        java.util.Deque<Integer> waiting = new java.util.ArrayDeque<>();
        for (int i = 0; i < n; i++) {
          waiting.add(i);
        }
        int totalFailures = 0;
        Behaviour first = behaviour;
        java.util.function.IntFunction<Behaviour> behaviourOf = i -> i == n - 1 ? first
            : (first == Behaviour.UNSCHEDULABLE || first == Behaviour.HANG ? first : Behaviour.NORMAL);
        while (running.size() < parallelism && !waiting.isEmpty()) {
          int i = waiting.poll();
          startIndex(i, behaviourOf.apply(i), running, ends);
        }
        awaitAllRunning(running, running.size());
        while (!stopped) {
          if (suspended && running.isEmpty()) {
            // Suspended while it ran (Kueue preempted it): its pods are gone; the indexes not done
            // start again once it is resumed, which resets startTime as it does at admission.
            if (!holdWhileSuspended()) {
              return;
            }
            while (running.size() < parallelism && !waiting.isEmpty()) {
              int i = waiting.poll();
              startIndex(i, Behaviour.NORMAL, running, ends);
            }
            Instant resumed = Instant.now();
            int active = running.size();
            updateJob(s -> withCondition(s, "Suspended", "False", "JobResumed", "Job resumed", resumed.toString())
                .withActive(active).withStartTime(resumed.toString()));
            continue;
          }
          IndexEnd e = ends.poll(50, TimeUnit.MILLISECONDS);
          if (e == null) {
            continue;
          }
          running.remove(e.index(), e.pod());
          if (e.end().kind().equals(PodEnd.STOPPED)) {
            return;
          }
          if (e.end().kind().equals(PodEnd.SUSPENDED)) {
            waiting.addFirst(e.index()); // removed for the suspension: no failure, runs again on resume
            continue;
          }
          if (e.end().kind().equals(PodEnd.DEADLINE)) {
            stopIndexes(running);
            failJob("DeadlineExceeded", "Job was active longer than specified deadline", totalFailures + 1);
            return;
          }
          int code = e.end().exitCode();
          boolean disrupted = e.end().kind().equals(PodEnd.DISRUPTED);
          boolean indexDone;
          if (code == 0 && !disrupted) {
            succeeded.add(e.index());
            int done = succeeded.size();
            updateJob(s -> s.withSucceeded(done).withActive(running.size()).withReady(running.size())
                .withCompletedIndexes(ranges(succeeded)));
            if (successPolicyMet(succeeded)) {
              stopIndexes(running);
              succeedJob("SuccessPolicy", "Matched rules at index 0");
              return;
            }
            indexDone = true;
          } else {
            String action = policyAction(code, disrupted);
            if ("Ignore".equals(action)) {
              startIndex(e.index(), Behaviour.NORMAL, running, ends); // not counted: a replacement pod
              continue;
            }
            totalFailures++;
            int failedSoFar = totalFailures;
            if ("FailJob".equals(action)) {
              stopIndexes(running);
              failJob("PodFailurePolicy", failJobRule(code, disrupted, e.pod()), totalFailures);
              return;
            }
            Integer perIndex = job.getSpec().getBackoffLimitPerIndex();
            if (perIndex != null) {
              int failedHere = failures.merge(e.index(), 1, Integer::sum);
              indexDone = "FailIndex".equals(action) || failedHere > perIndex;
              if (indexDone) {
                failedIndexes.add(e.index());
                String failedText = ranges(failedIndexes);
                updateJob(s -> s.withFailed(failedSoFar).withFailedIndexes(failedText).withActive(running.size()));
                Integer maxFailed = job.getSpec().getMaxFailedIndexes();
                if (maxFailed != null && failedIndexes.size() > maxFailed) {
                  stopIndexes(running);
                  failJob("MaxFailedIndexesExceeded", "Job has exceeded the specified maximal number of failed indexes",
                      totalFailures);
                  return;
                }
              } else {
                updateJob(s -> s.withFailed(failedSoFar));
              }
              // With per-index backoff the Job-wide backoffLimit applies only when set explicitly.
              Integer limit = job.getSpec().getBackoffLimit();
              if (limit != null && totalFailures > limit) {
                stopIndexes(running);
                failJob("BackoffLimitExceeded", "Job has reached the specified backoff limit", totalFailures);
                return;
              }
            } else {
              Integer limit = job.getSpec().getBackoffLimit();
              if (totalFailures > (limit == null ? 6 : limit)) {
                stopIndexes(running);
                failJob("BackoffLimitExceeded", "Job has reached the specified backoff limit", totalFailures);
                return;
              }
              updateJob(s -> s.withFailed(failedSoFar));
              indexDone = false;
            }
            if (!indexDone) {
              startIndex(e.index(), Behaviour.NORMAL, running, ends);
              continue;
            }
          }
          if (succeeded.size() + failedIndexes.size() == n) {
            if (failedIndexes.isEmpty()) {
              succeedJob("CompletionsReached", "Reached expected number of succeeded pods");
            } else {
              failJob("FailedIndexes", "Job has failed indexes", totalFailures);
            }
            return;
          }
          while (running.size() < parallelism && !waiting.isEmpty() && !suspended) {
            int i = waiting.poll();
            startIndex(i, behaviourOf.apply(i), running, ends);
          }
        }
      } catch (KubernetesClientException e) {
        if (!stopped) {
          log.warn("fake kubelet: Indexed Job {} failed: {}", jobName, e.toString());
        }
      } catch (InterruptedException e) {
        Thread.currentThread().interrupt();
      } catch (RuntimeException e) {
        log.warn("fake kubelet: Indexed Job {} crashed", jobName, e);
      }
    }

    private void startIndex(int index, Behaviour b, Map<Integer, String> running, java.util.Queue<IndexEnd> ends) {
      String pod = jobName + "-" + index + "-" + random5();
      running.put(index, pod);
      threads.execute(() -> {
        PodEnd end;
        try {
          end = runIndexPod(index, pod, b);
        } catch (InterruptedException e) {
          Thread.currentThread().interrupt();
          end = new PodEnd(-1, PodEnd.STOPPED);
        } catch (RuntimeException e) {
          log.warn("fake kubelet: pod {} crashed", pod, e);
          end = new PodEnd(-1, PodEnd.STOPPED);
        }
        ends.add(new IndexEnd(index, pod, end));
      });
    }

    /** Marks the Job ready once every index runs (the pods have no readiness probe: Running is ready). */
    private void awaitAllRunning(Map<Integer, String> running, int n) throws InterruptedException {
      for (int waited = 0; waited < 600 && !stopped; waited++) {
        long up = running.values().stream().map(podObjects::get)
            .filter(p -> p != null && p.getStatus() != null && !"Pending".equals(p.getStatus().getPhase())).count();
        if (up == n) {
          updateJob(s -> s.withReady(n));
          return;
        }
        Thread.sleep(50);
      }
    }

    /** The controller's pod of one index: hostname {@code <job>-<index>}, the index as annotation, label and env. */
    private PodEnd runIndexPod(int index, String pod, Behaviour b) throws InterruptedException {
      pods.add(pod);
      logs.put(pod, new CopyOnWriteArrayList<>());
      Map<String, String> labels = new LinkedHashMap<>(job.getSpec().getTemplate().getMetadata().getLabels());
      labels.put("job-name", jobName);
      labels.put("batch.kubernetes.io/job-name", jobName);
      labels.put("controller-uid", uid);
      labels.put("batch.kubernetes.io/controller-uid", uid);
      labels.put(COMPLETION_INDEX, Integer.toString(index));
      Map<String, String> annotations = new LinkedHashMap<>();
      if (job.getSpec().getTemplate().getMetadata().getAnnotations() != null) {
        annotations.putAll(job.getSpec().getTemplate().getMetadata().getAnnotations());
      }
      annotations.put(COMPLETION_INDEX, Integer.toString(index));
      io.fabric8.kubernetes.api.model.PodSpec spec = new io.fabric8.kubernetes.api.model.PodSpecBuilder(
          job.getSpec().getTemplate().getSpec()).withHostname(jobName + "-" + index).build();
      for (Container c : spec.getContainers()) {
        List<EnvVar> env = new ArrayList<>(c.getEnv() == null ? List.of() : c.getEnv());
        env.add(new io.fabric8.kubernetes.api.model.EnvVarBuilder().withName("JOB_COMPLETION_INDEX").withNewValueFrom()
            .withNewFieldRef().withFieldPath("metadata.annotations['" + COMPLETION_INDEX + "']").endFieldRef().endValueFrom().build());
        c.setEnv(env);
      }
      Pod created = new PodBuilder()
          .withNewMetadata().withName(pod).withNamespace(namespace).withLabels(labels).withAnnotations(annotations)
            .withOwnerReferences(new OwnerReferenceBuilder().withApiVersion("batch/v1").withKind("Job").withName(jobName)
                .withUid(uid).withController(true).withBlockOwnerDeletion(true).build())
          .endMetadata()
          .withSpec(spec)
          .withNewStatus().withPhase("Pending").endStatus()
          .build();
      podObjects.put(pod, createPod(created));
      Container container = spec.getContainers().getFirst();
      if (b == Behaviour.UNSCHEDULABLE) {
        podStatus(pod, new PodStatusBuilder().withPhase("Pending").withConditions(new PodConditionBuilder()
            .withType("PodScheduled").withStatus("False").withReason("Unschedulable")
            .withMessage("0/3 nodes are available: 3 Insufficient nvidia.com/gpu.").build()).build());
        awaitStop();
        return new PodEnd(-1, PodEnd.STOPPED);
      }
      Instant podStarted = Instant.now();
      podStatus(pod, running(container, podStarted));
      if (b == Behaviour.HANG) {
        awaitStop();
        return new PodEnd(-1, PodEnd.STOPPED);
      }
      CompletableFuture<Integer> done = startContainer(container, pod);
      boolean evicts = b == Behaviour.EVICT_THEN_REPLACE || b == Behaviour.EVICT_AND_FAIL_JOB;
      Instant disruptAt = podStarted.plus(disruptAfter);
      Long deadlineSeconds = job.getSpec().getActiveDeadlineSeconds();
      Instant deadline = deadlineSeconds == null ? null : podStarted.plusSeconds(deadlineSeconds);
      while (true) {
        if (stopped) {
          kill(pod);
          return new PodEnd(-1, PodEnd.STOPPED);
        }
        try {
          int code = done.get(50, TimeUnit.MILLISECONDS);
          if (!stopped) {
            podStatus(pod, terminated(container, podStarted, code, code == 0 ? "Completed" : "Error", null));
          }
          return new PodEnd(code, PodEnd.EXITED);
        } catch (TimeoutException e) {
          // still running
        } catch (java.util.concurrent.ExecutionException e) {
          podStatus(pod, terminated(container, podStarted, 128, "ContainerCannotRun", e.getCause().toString()));
          return new PodEnd(128, PodEnd.EXITED);
        }
        if (deadline != null && Instant.now().isAfter(deadline)) {
          kill(pod);
          return new PodEnd(137, PodEnd.DEADLINE);
        }
        if (suspended) {
          return removeForSuspension(pod, container, podStarted);
        }
        Eviction eviction = evictions.remove(pod);
        if (eviction != null) {
          return evicted(pod, container, podStarted, eviction);
        }
        if (evicts && Instant.now().isAfter(disruptAt)) {
          kill(pod);
          podStatus(pod, new PodStatusBuilder(terminated(container, podStarted, 137, "Error", null))
              .withReason("Evicted").withMessage("The node was low on resource: memory.")
              .addToConditions(new PodConditionBuilder().withType("DisruptionTarget").withStatus("True")
                  .withReason("TerminationByKubelet").withMessage("The node was low on resource: memory.")
                  .withLastTransitionTime(Instant.now().toString()).build())
              .build());
          return new PodEnd(137, PodEnd.DISRUPTED);
        }
      }
    }

    /** Plays {@link #evict}: DisruptionTarget while running, then the kill, then Failed with the condition kept. */
    private PodEnd evicted(String pod, Container container, Instant podStarted, Eviction eviction) {
      PodCondition target = new PodConditionBuilder().withType("DisruptionTarget").withStatus("True")
          .withReason(eviction.reason()).withMessage(eviction.message()).withLastTransitionTime(Instant.now().toString()).build();
      log.info("fake kubelet: evicting pod {} of Job {} ({}: {})", pod, jobName, eviction.reason(), eviction.message());
      podStatus(pod, new PodStatusBuilder(running(container, podStarted)).addToConditions(target).build());
      kill(pod);
      podStatus(pod, new PodStatusBuilder(terminated(container, podStarted, 137, "Error", null)).addToConditions(target).build());
      return new PodEnd(137, PodEnd.DISRUPTED);
    }

    /** The controller terminates the pods still running (a success policy met, or the Job failed): SIGTERM, exit 143. */
    private void stopIndexes(Map<Integer, String> running) {
      for (String pod : List.copyOf(running.values())) {
        kill(pod);
        Pod p = podObjects.get(pod);
        if (p != null && p.getSpec() != null) {
          podStatus(pod, terminated(p.getSpec().getContainers().getFirst(), Instant.now(), 143, "Error", null));
        }
      }
      running.clear();
    }

    private boolean successPolicyMet(java.util.Set<Integer> succeeded) {
      var policy = job.getSpec().getSuccessPolicy();
      if (policy == null || policy.getRules() == null) {
        return false;
      }
      for (var rule : policy.getRules()) {
        java.util.Set<Integer> wanted = rule.getSucceededIndexes() == null ? null : parseRanges(rule.getSucceededIndexes());
        java.util.Set<Integer> matched = new java.util.TreeSet<>(succeeded);
        if (wanted != null) {
          matched.retainAll(wanted);
        }
        boolean indexesOk = wanted == null || matched.containsAll(wanted) || rule.getSucceededCount() != null;
        boolean countOk = rule.getSucceededCount() == null || matched.size() >= rule.getSucceededCount();
        if (indexesOk && countOk) {
          return true;
        }
      }
      return false;
    }

    /** The FailJob rule's message, as the controller writes it, or null. */
    private String failJobRule(int code, boolean disrupted, String pod) {
      var policy = job.getSpec().getPodFailurePolicy();
      if (policy == null || policy.getRules() == null) {
        return null;
      }
      List<PodFailurePolicyRule> rules = policy.getRules();
      for (int i = 0; i < rules.size(); i++) {
        PodFailurePolicyRule rule = rules.get(i);
        boolean exitMatch = !disrupted && rule.getOnExitCodes() != null && "In".equals(rule.getOnExitCodes().getOperator())
            && rule.getOnExitCodes().getValues().contains(code);
        boolean conditionMatch = disrupted && rule.getOnPodConditions() != null
            && rule.getOnPodConditions().stream().anyMatch(c -> "DisruptionTarget".equals(c.getType()));
        if (exitMatch || conditionMatch) {
          if (!"FailJob".equals(rule.getAction())) {
            return null;
          }
          return exitMatch
              ? "Container " + job.getSpec().getTemplate().getSpec().getContainers().getFirst().getName() + " for pod "
                  + namespace + "/" + pod + " failed with exit code " + code + " matching FailJob rule at index " + i
              : "Pod " + namespace + "/" + pod + " has condition DisruptionTarget matching FailJob rule at index " + i;
        }
      }
      return null;
    }

    /**
     * The action of the first pod failure policy rule matching a failed pod (FailJob, FailIndex,
     * Ignore, Count), or null when none matches; unknown actions are skipped, as the API says.
     */
    private String policyAction(int code, boolean disrupted) {
      var policy = job.getSpec().getPodFailurePolicy();
      if (policy == null || policy.getRules() == null) {
        return null;
      }
      for (PodFailurePolicyRule rule : policy.getRules()) {
        boolean exitMatch = !disrupted && rule.getOnExitCodes() != null && (rule.getOnExitCodes().getContainerName() == null
            || rule.getOnExitCodes().getContainerName().equals(job.getSpec().getTemplate().getSpec().getContainers().getFirst().getName()))
            && ("In".equals(rule.getOnExitCodes().getOperator()) == rule.getOnExitCodes().getValues().contains(code));
        boolean conditionMatch = disrupted && rule.getOnPodConditions() != null
            && rule.getOnPodConditions().stream().anyMatch(c -> "DisruptionTarget".equals(c.getType()));
        if ((exitMatch || conditionMatch) && java.util.Set.of("FailJob", "FailIndex", "Ignore", "Count").contains(rule.getAction())) {
          return rule.getAction();
        }
      }
      return null;
    }

    /**
     * Plays cluster DNS for a headless Service: once Service {@code subdomain} exists and selects
     * this Job's pods, {@code <job>-<i>.<subdomain>} (and its {@code .<ns>.svc[.cluster.local]}
     * forms) resolve to loopback, where every "pod" of this kubelet listens. Without the Service
     * the names do not resolve, as in a cluster.
     */
    private Path writeHosts(String subdomain, int n) throws InterruptedException {
      io.fabric8.kubernetes.api.model.Service service = null;
      for (int waited = 0; waited < 100 && !stopped; waited++) {
        service = client.services().inNamespace(namespace).withName(subdomain).get();
        if (service != null) {
          break;
        }
        Thread.sleep(50);
      }
      StringBuilder hosts = new StringBuilder("127.0.0.1 localhost\n");
      try {
        hosts.append("127.0.0.1 ").append(java.net.InetAddress.getLocalHost().getHostName()).append('\n');
      } catch (java.net.UnknownHostException e) {
        // this machine's own name does not resolve either; nothing to copy
      }
      Map<String, String> selector = service == null || service.getSpec() == null ? null : service.getSpec().getSelector();
      boolean selects = selector != null && !selector.isEmpty() && selector.entrySet().stream().allMatch(e ->
          (e.getKey().equals("batch.kubernetes.io/job-name") || e.getKey().equals("job-name")) && e.getValue().equals(jobName)
              || e.getValue().equals(job.getSpec().getTemplate().getMetadata().getLabels().get(e.getKey())));
      if (selects) {
        for (int i = 0; i < n; i++) {
          String host = jobName + "-" + i + "." + subdomain;
          hosts.append("127.0.0.1 ").append(host).append(' ').append(host).append('.').append(namespace).append(".svc ")
              .append(host).append('.').append(namespace).append(".svc.cluster.local\n");
        }
      } else {
        log.info("fake kubelet: no Service {} selecting the pods of Job {}; their hostnames do not resolve", subdomain, jobName);
      }
      try {
        Path file = java.nio.file.Files.createTempFile("fake-kubelet-hosts-" + jobName, ".txt");
        java.nio.file.Files.writeString(file, hosts);
        file.toFile().deleteOnExit();
        return file;
      } catch (IOException e) {
        throw new java.io.UncheckedIOException(e);
      }
    }

    private PodEnd runPod(Instant jobStarted) throws InterruptedException {
      String pod = jobName + "-" + random5();
      pods.add(pod);
      logs.put(pod, new CopyOnWriteArrayList<>());
      Map<String, String> labels = new LinkedHashMap<>(job.getSpec().getTemplate().getMetadata().getLabels());
      labels.put("job-name", jobName);
      labels.put("batch.kubernetes.io/job-name", jobName);
      labels.put("controller-uid", uid);
      labels.put("batch.kubernetes.io/controller-uid", uid);
      Pod created = new PodBuilder()
          .withNewMetadata().withName(pod).withNamespace(namespace).withLabels(labels)
            .withOwnerReferences(new OwnerReferenceBuilder().withApiVersion("batch/v1").withKind("Job").withName(jobName)
                .withUid(uid).withController(true).withBlockOwnerDeletion(true).build())
          .endMetadata()
          .withSpec(job.getSpec().getTemplate().getSpec())
          .withNewStatus().withPhase("Pending").endStatus()
          .build();
      podObjects.put(pod, createPod(created));
      Container container = job.getSpec().getTemplate().getSpec().getContainers().getFirst();

      if (behaviour == Behaviour.IMAGE_PULL_FAILURE) {
        podStatus(pod, pending(waiting(container, "ErrImagePull",
            "rpc error: code = NotFound desc = failed to pull and unpack image \"" + container.getImage() + "\": not found")));
        Thread.sleep(200);
        podStatus(pod, pending(waiting(container, "ImagePullBackOff", "Back-off pulling image \"" + container.getImage() + "\"")));
        return awaitStopOrSuspension(pod, container, null);
      }
      if (behaviour == Behaviour.UNSCHEDULABLE) {
        podStatus(pod, new PodStatusBuilder().withPhase("Pending").withConditions(new PodConditionBuilder()
            .withType("PodScheduled").withStatus("False").withReason("Unschedulable")
            .withMessage("0/3 nodes are available: 3 Insufficient nvidia.com/gpu. preemption: 0/3 nodes are available.")
            .build()).build());
        return awaitStopOrSuspension(pod, container, null);
      }
      Instant podStarted = Instant.now();
      podStatus(pod, running(container, podStarted));
      if (behaviour == Behaviour.HANG) {
        return awaitStopOrSuspension(pod, container, podStarted);
      }
      if (behaviour == Behaviour.DROP_WATCHES_MID_RUN) {
        cluster.goneOnNextShellWatches(1);
        int dropped = cluster.dropShellWatches();
        log.info("fake kubelet: dropped {} shell watch connection(s) while {} runs", dropped, jobName);
      }
      if (behaviour == Behaviour.MUTE_WATCHES_MID_RUN) {
        cluster.muteShellWatches(true);
      }
      exit = startContainer(container, pod);
      Long deadlineSeconds = job.getSpec().getActiveDeadlineSeconds();
      Instant deadline = deadlineSeconds == null ? null : jobStarted.plusSeconds(deadlineSeconds);
      boolean disrupts = behaviour == Behaviour.OOM_KILL || behaviour == Behaviour.EVICT_THEN_REPLACE
          || behaviour == Behaviour.EVICT_AND_FAIL_JOB || behaviour == Behaviour.DELETE_JOB_MID_RUN;
      Instant disruptAt = podStarted.plus(disruptAfter);
      while (true) {
        if (stopped) {
          kill();
          return new PodEnd(-1, PodEnd.STOPPED);
        }
        if (suspended) {
          return removeForSuspension(pod, container, podStarted);
        }
        try {
          int code = exit.get(50, TimeUnit.MILLISECONDS);
          podStatus(pod, terminated(container, podStarted, code, code == 0 ? "Completed" : "Error", null));
          return new PodEnd(code, PodEnd.EXITED);
        } catch (TimeoutException e) {
          // still running
        } catch (java.util.concurrent.ExecutionException e) {
          podStatus(pod, terminated(container, podStarted, 128, "ContainerCannotRun", e.getCause().toString()));
          return new PodEnd(128, PodEnd.EXITED);
        }
        Eviction eviction = evictions.remove(pod);
        if (eviction != null) {
          return evicted(pod, container, podStarted, eviction);
        }
        Instant now = Instant.now();
        if (deadline != null && now.isAfter(deadline)) {
          kill();
          podStatus(pod, new PodStatusBuilder(terminated(container, podStarted, 137, "Error", null))
              .withReason("DeadlineExceeded").withMessage("Pod was active on the node longer than the specified deadline").build());
          return new PodEnd(137, PodEnd.DEADLINE);
        }
        // An OOM kill waits for the container's first output line too (bounded), so a test that
        // checks what the container printed before it died does not race a slow JVM start.
        boolean printed = behaviour != Behaviour.OOM_KILL || !logs.getOrDefault(pod, List.of()).isEmpty()
            || now.isAfter(disruptAt.plus(FIRST_OUTPUT_WAIT));
        if (disrupts && now.isAfter(disruptAt) && printed) {
          switch (behaviour) {
            case OOM_KILL -> {
              kill();
              podStatus(pod, terminated(container, podStarted, 137, "OOMKilled", null));
              return new PodEnd(137, PodEnd.EXITED);
            }
            case DELETE_JOB_MID_RUN -> {
              disrupts = false;
              log.info("fake kubelet: someone deletes Job {}", jobName);
              client.batch().v1().jobs().inNamespace(namespace).withName(jobName).delete();
            }
            default -> {
              kill();
              PodStatus evicted = new PodStatusBuilder(terminated(container, podStarted, 137, "Error", null))
                  .withReason("Evicted").withMessage("The node was low on resource: memory. Threshold quantity: 100Mi.")
                  .addToConditions(new PodConditionBuilder().withType("DisruptionTarget").withStatus("True")
                      .withReason("TerminationByKubelet").withMessage("The node was low on resource: memory.")
                      .withLastTransitionTime(now.toString()).build())
                  .build();
              podStatus(pod, evicted);
              return new PodEnd(137, PodEnd.DISRUPTED);
            }
          }
        }
      }
    }

    private CompletableFuture<Integer> startContainer(Container container, String pod) {
      List<String> args = container.getArgs() == null ? List.of() : container.getArgs();
      CompletableFuture<Integer> done = new CompletableFuture<>();
      if (inProcessImages.contains(container.getImage())) {
        // This JVM's environment with the pod's over it (JOB_COMPLETION_INDEX for an Indexed Job).
        Map<String, String> environment = new LinkedHashMap<>(System.getenv());
        environment.putAll(env(container, pod));
        threads.execute(() -> {
          try {
            done.complete(Shell.runRemoteMain(args, environment));
          } catch (Throwable t) {
            done.completeExceptionally(t);
          }
        });
        return done;
      }
      List<String> entrypoint = commands.get(container.getImage());
      if (entrypoint == null) {
        done.completeExceptionally(new IllegalStateException("no command for image " + container.getImage()));
        return done;
      }
      List<String> cmd = new ArrayList<>(entrypoint);
      cmd.addAll(args);
      ProcessBuilder pb = new ProcessBuilder(cmd).redirectErrorStream(true);
      pb.environment().putAll(env(container, pod));
      Path hosts = hostsFile;
      if (hosts != null) {
        // Cluster DNS for the pod's subdomain: the JVM resolves names from this file instead.
        pb.environment().merge("JDK_JAVA_OPTIONS", "-Djdk.net.hosts.file=" + hosts, (a, b) -> a + " " + b);
      }
      try {
        Process p = pb.start();
        processes.put(pod, p);
        List<LogLine> sink = logs.get(pod);
        threads.execute(() -> {
          try (BufferedReader r = new BufferedReader(new InputStreamReader(p.getInputStream(), StandardCharsets.UTF_8))) {
            String line;
            while ((line = r.readLine()) != null) {
              sink.add(new LogLine(Instant.now(), line));
            }
          } catch (IOException e) {
            // process killed
          }
        });
        p.onExit().thenAccept(ph -> done.complete(ph.exitValue()));
      } catch (IOException e) {
        done.completeExceptionally(e);
      }
      return done;
    }

    private Map<String, String> env(Container container, String pod) {
      Map<String, String> env = new LinkedHashMap<>();
      for (EnvVar var : container.getEnv() == null ? List.<EnvVar>of() : container.getEnv()) {
        if (var.getValue() != null) {
          env.put(var.getName(), var.getValue());
        } else if (var.getValueFrom() != null && var.getValueFrom().getFieldRef() != null) {
          String value = fieldRef(var.getValueFrom().getFieldRef().getFieldPath(), pod);
          if (value != null) {
            env.put(var.getName(), value);
          }
        } else if (var.getValueFrom() != null && var.getValueFrom().getSecretKeyRef() != null) {
          var ref = var.getValueFrom().getSecretKeyRef();
          Secret secret = client.secrets().inNamespace(namespace).withName(ref.getName()).get();
          if (secret != null && secret.getData() != null && secret.getData().get(ref.getKey()) != null) {
            env.put(var.getName(), new String(Base64.getDecoder().decode(secret.getData().get(ref.getKey())), StandardCharsets.UTF_8));
          }
        }
      }
      return env;
    }

    /** A downward-API field of pod {@code pod}: its name, or one annotation or label. */
    private String fieldRef(String path, String pod) {
      if ("metadata.name".equals(path)) {
        return pod;
      }
      Pod p = podObjects.get(pod);
      java.util.regex.Matcher m = java.util.regex.Pattern.compile("metadata\\.(annotations|labels)\\['([^']+)'\\]").matcher(path);
      if (p == null || !m.matches()) {
        return null;
      }
      Map<String, String> values = m.group(1).equals("labels") ? p.getMetadata().getLabels() : p.getMetadata().getAnnotations();
      return values == null ? null : values.get(m.group(2));
    }

    boolean processAlive() {
      return processes.values().stream().anyMatch(Process::isAlive);
    }

    void stop(String why) {
      if (stopped) {
        return;
      }
      stopped = true;
      kill();
      if (why == null || closed) {
        return; // the kubelet itself is closing
      }
      log.info("fake kubelet: stopping Job {} ({})", jobName, why);
      threads.execute(() -> {
        for (String pod : pods) {
          try {
            client.pods().inNamespace(namespace).withName(pod).delete();
          } catch (KubernetesClientException e) {
            // already gone
          }
        }
      });
    }

    private void kill() {
      processes.keySet().forEach(this::kill);
    }

    private void kill(String pod) {
      Process p = processes.get(pod);
      if (p != null) {
        p.descendants().forEach(ProcessHandle::destroyForcibly);
        p.destroyForcibly();
        try {
          p.waitFor(5, TimeUnit.SECONDS);
        } catch (InterruptedException e) {
          Thread.currentThread().interrupt();
        }
      }
    }

    private PodEnd awaitStopOrSuspension(String pod, Container container, Instant podStarted) throws InterruptedException {
      while (!stopped && !suspended) {
        Thread.sleep(50);
      }
      return stopped ? new PodEnd(-1, PodEnd.STOPPED) : removeForSuspension(pod, container, podStarted);
    }

    /** Until the Job is stopped; an Indexed Job's pods do not yet react to a suspension. */
    private void awaitStop() throws InterruptedException {
      while (!stopped) {
        Thread.sleep(50);
      }
    }

    /**
     * A suspended Job as the Job controller plays it: no pods and {@code Suspended=True} until it
     * is resumed; false when the kubelet stopped meanwhile.
     */
    private boolean holdWhileSuspended() throws InterruptedException {
      everSuspended = true;
      String at = Instant.now().toString();
      updateJob(s -> withCondition(s.withActive(0).withReady(0), "Suspended", "True", "JobSuspended", "Job suspended", at));
      awaitResumeOrStop();
      return !stopped;
    }

    private void awaitResumeOrStop() throws InterruptedException {
      while (!stopped && suspended) {
        Thread.sleep(50);
      }
    }

    /**
     * The Job was suspended (Kueue preempted it): the controller deletes its active pods, whose
     * containers get SIGTERM (exit 143); they count as no failure.
     */
    private PodEnd removeForSuspension(String pod, Container container, Instant podStarted) {
      kill(pod);
      log.info("fake kubelet: Job {} suspended; deleting pod {}", jobName, pod);
      podStatus(pod, terminated(container, podStarted == null ? Instant.now() : podStarted, 143, "Error", null));
      try {
        client.pods().inNamespace(namespace).withName(pod).delete();
      } catch (KubernetesClientException e) {
        // already gone
      }
      return new PodEnd(143, PodEnd.SUSPENDED);
    }

    private int failJobRule(int code) {
      var policy = job.getSpec().getPodFailurePolicy();
      if (policy == null || policy.getRules() == null) {
        return -1;
      }
      List<PodFailurePolicyRule> rules = policy.getRules();
      for (int i = 0; i < rules.size(); i++) {
        PodFailurePolicyRule rule = rules.get(i);
        if ("FailJob".equals(rule.getAction()) && rule.getOnExitCodes() != null
            && "In".equals(rule.getOnExitCodes().getOperator()) && rule.getOnExitCodes().getValues().contains(code)) {
          return i;
        }
      }
      return -1;
    }

    // Since 1.31 the controller first sets the interim condition (the outcome), and adds the
    // terminal one only once every pod has terminated; before, the terminal one came at once
    // (with FailureTarget beside Failed when a pod failure policy decided).
    private void succeedJob() {
      succeedJob("CompletionsReached", "Reached expected number of succeeded pods");
    }

    private void succeedJob(String reason, String message) {
      String now = Instant.now().toString();
      if (!interimConditions()) {
        updateJob(s -> s.withActive(0).withSucceeded(Math.max(1, s.getSucceeded() == null ? 0 : s.getSucceeded())).withReady(0).withCompletionTime(now)
            .addToConditions(condition("Complete", reason, message, now)));
        return;
      }
      updateJob(s -> s.withActive(0).withSucceeded(Math.max(1, s.getSucceeded() == null ? 0 : s.getSucceeded())).withReady(0)
          .addToConditions(condition("SuccessCriteriaMet", reason, message, now)));
      awaitPodsTerminated();
      String freed = Instant.now().toString();
      updateJob(s -> s.withCompletionTime(freed).addToConditions(condition("Complete", reason, message, freed)));
    }

    private void failJob(String reason, String message, int failed) {
      String now = Instant.now().toString();
      if (!interimConditions()) {
        updateJob(s -> s.withActive(0).withFailed(failed).withReady(0).addAllToConditions(reason.equals("PodFailurePolicy")
            ? List.of(condition("FailureTarget", reason, message, now), condition("Failed", reason, message, now))
            : List.of(condition("Failed", reason, message, now))));
        return;
      }
      updateJob(s -> s.withActive(0).withFailed(failed).withReady(0).addToConditions(condition("FailureTarget", reason, message, now)));
      awaitPodsTerminated();
      String freed = Instant.now().toString();
      updateJob(s -> s.addToConditions(condition("Failed", reason, message, freed)));
    }

    /** Pods end at once here, unless a test holds them "terminating" ({@link #holdTerminalConditions}). */
    private void awaitPodsTerminated() {
      while (holdTerminal && !stopped && !closed) {
        try {
          Thread.sleep(50);
        } catch (InterruptedException e) {
          Thread.currentThread().interrupt();
          return;
        }
      }
    }

    private synchronized void updateJob(UnaryOperator<io.fabric8.kubernetes.api.model.batch.v1.JobStatusBuilder> change) {
      if (stopped) {
        return;
      }
      // One PUT of the status subresource with the last resourceVersion we wrote (no GET first);
      // after a failed attempt, read the Job again (a timed-out PUT may have landed after all).
      current = retrying("update the status of Job " + jobName, attempt -> {
        if (attempt > 1) {
          Job fresh = client.batch().v1().jobs().inNamespace(namespace).withName(jobName).get();
          if (fresh == null) {
            throw new KubernetesClientException("Job " + jobName + " is gone", 404, null);
          }
          current = fresh;
        }
        var status = current.getStatus() == null
            ? new io.fabric8.kubernetes.api.model.batch.v1.JobStatusBuilder()
            : new io.fabric8.kubernetes.api.model.batch.v1.JobStatusBuilder(current.getStatus());
        Job next = new io.fabric8.kubernetes.api.model.batch.v1.JobBuilder(current).withStatus(change.apply(status).build()).build();
        return client.batch().v1().jobs().inNamespace(namespace).resource(next).updateStatus();
      });
    }

    private void podStatus(String pod, PodStatus status) {
      if (stopped) {
        return;
      }
      podObjects.put(pod, retrying("update the status of pod " + pod, attempt -> {
        Pod base = podObjects.get(pod);
        if (attempt > 1) {
          base = client.pods().inNamespace(namespace).withName(pod).get();
          if (base == null) {
            throw new KubernetesClientException("pod " + pod + " is gone", 404, null);
          }
        }
        return client.pods().inNamespace(namespace).resource(new PodBuilder(base).withStatus(status).build()).updateStatus();
      }));
    }

    /**
     * Creates {@code pod}, retried like every kubelet request. A create that timed out may have
     * landed after all, so a retry first looks for the pod (else its 409 would read as a crash).
     */
    private Pod createPod(Pod pod) {
      String name = pod.getMetadata().getName();
      return retrying("create pod " + name, attempt -> {
        if (attempt > 1) {
          Pod existing = client.pods().inNamespace(namespace).withName(name).get();
          if (existing != null) {
            return existing;
          }
        }
        return client.pods().inNamespace(namespace).resource(pod).create();
      });
    }

    /**
     * Runs a request, retrying timeouts, conflicts and server errors a few times as a kubelet
     * would: the mock server can stall for ~30 s after watch connections close (a mock quirk), and
     * a Job whose status write was dropped would never finish.
     */
    private <T> T retrying(String what, java.util.function.IntFunction<T> request) {
      for (int attempt = 1; ; attempt++) {
        try {
          return request.apply(attempt);
        } catch (KubernetesClientException e) {
          int code = e.getCode();
          boolean retryable = code <= 0 || code == 409 || code == 429 || code >= 500;
          if (stopped || !retryable || attempt >= 6) {
            throw e;
          }
          log.info("fake kubelet: {} failed ({}); retrying", what, e.getMessage());
          try {
            Thread.sleep(250L * attempt);
          } catch (InterruptedException interrupted) {
            Thread.currentThread().interrupt();
            throw e;
          }
        }
      }
    }
  }

  /** The Job controller's label and annotation with a pod's completion index. */
  private static final String COMPLETION_INDEX = "batch.kubernetes.io/job-completion-index";

  /** Indexes as the API writes them: {@code 0,2-4}. */
  static String ranges(java.util.Set<Integer> indexes) {
    List<String> parts = new ArrayList<>();
    Integer start = null;
    Integer last = null;
    for (int i : new java.util.TreeSet<>(indexes)) {
      if (last != null && i == last + 1) {
        last = i;
        continue;
      }
      if (start != null) {
        parts.add(start.equals(last) ? start.toString() : start + "-" + last);
      }
      start = i;
      last = i;
    }
    if (start != null) {
      parts.add(start.equals(last) ? start.toString() : start + "-" + last);
    }
    return String.join(",", parts);
  }

  static java.util.Set<Integer> parseRanges(String text) {
    java.util.Set<Integer> out = new java.util.TreeSet<>();
    for (String part : text.split(",")) {
      String p = part.trim();
      if (p.isEmpty()) {
        continue;
      }
      int dash = p.indexOf('-');
      int from = Integer.parseInt(dash < 0 ? p : p.substring(0, dash));
      int to = dash < 0 ? from : Integer.parseInt(p.substring(dash + 1));
      for (int i = from; i <= to; i++) {
        out.add(i);
      }
    }
    return out;
  }

  /** {@code status} with condition {@code type} set to {@code value} (replacing an earlier one of that type). */
  private static io.fabric8.kubernetes.api.model.batch.v1.JobStatusBuilder withCondition(
      io.fabric8.kubernetes.api.model.batch.v1.JobStatusBuilder status, String type, String value, String reason, String message,
      String at) {
    List<JobCondition> conditions = new ArrayList<>(status.buildConditions() == null ? List.of() : status.buildConditions());
    conditions.removeIf(c -> type.equals(c.getType()));
    conditions.add(new JobConditionBuilder().withType(type).withStatus(value).withReason(reason).withMessage(message)
        .withLastProbeTime(at).withLastTransitionTime(at).build());
    return status.withConditions(conditions);
  }

  private static JobCondition condition(String type, String reason, String message, String at) {
    return new JobConditionBuilder().withType(type).withStatus("True").withReason(reason).withMessage(message)
        .withLastProbeTime(at).withLastTransitionTime(at).build();
  }

  private static PodStatus pending(ContainerStatus waiting) {
    return new PodStatusBuilder().withPhase("Pending")
        .withConditions(new PodConditionBuilder().withType("PodScheduled").withStatus("True").build())
        .withContainerStatuses(waiting).build();
  }

  private static ContainerStatus waiting(Container c, String reason, String message) {
    return new ContainerStatusBuilder().withName(c.getName()).withImage(c.getImage()).withReady(false).withRestartCount(0)
        .withNewState().withNewWaiting().withReason(reason).withMessage(message).endWaiting().endState().build();
  }

  private static PodStatus running(Container c, Instant started) {
    return new PodStatusBuilder().withPhase("Running").withPodIP("10.244.0.7").withHostIP("10.0.0.4")
        .withStartTime(started.toString())
        .withConditions(scheduled(), ready("True"))
        .withContainerStatuses(new ContainerStatusBuilder().withName(c.getName()).withImage(c.getImage()).withReady(true)
            .withStarted(true).withRestartCount(0)
            .withNewState().withNewRunning().withStartedAt(started.toString()).endRunning().endState().build())
        .build();
  }

  private static PodStatus terminated(Container c, Instant started, int code, String reason, String message) {
    return new PodStatusBuilder().withPhase(code == 0 ? "Succeeded" : "Failed").withPodIP("10.244.0.7")
        .withStartTime(started.toString())
        .withConditions(scheduled(), ready("False"))
        .withContainerStatuses(new ContainerStatusBuilder().withName(c.getName()).withImage(c.getImage()).withReady(false)
            .withStarted(false).withRestartCount(0)
            .withNewState().withNewTerminated().withExitCode(code).withReason(reason).withMessage(message)
            .withStartedAt(started.toString()).withFinishedAt(Instant.now().toString()).endTerminated().endState().build())
        .build();
  }

  private static PodCondition scheduled() {
    return new PodConditionBuilder().withType("PodScheduled").withStatus("True").build();
  }

  private static PodCondition ready(String status) {
    return new PodConditionBuilder().withType("Ready").withStatus(status).build();
  }

  private static String random5() {
    String alphabet = "bcdfghjklmnpqrstvwxz2456789";
    StringBuilder sb = new StringBuilder();
    for (int i = 0; i < 5; i++) {
      sb.append(alphabet.charAt(ThreadLocalRandom.current().nextInt(alphabet.length())));
    }
    return sb.toString();
  }
}
