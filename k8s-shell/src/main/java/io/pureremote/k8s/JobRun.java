package io.pureremote.k8s;

import io.fabric8.kubernetes.api.model.ContainerStateTerminated;
import io.fabric8.kubernetes.api.model.ContainerStateWaiting;
import io.fabric8.kubernetes.api.model.Pod;
import io.fabric8.kubernetes.api.model.batch.v1.Job;
import io.fabric8.kubernetes.api.model.batch.v1.JobCondition;
import io.pureremote.ShellException;
import io.pureremote.spi.Shell.Launch;
import io.pureremote.spi.Shell.LaunchRequest;
import io.pureremote.spi.Shell.Outcome;
import java.time.Duration;
import java.util.ArrayDeque;
import java.util.Deque;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.CompletableFuture;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * One call's Job(s), from creation to outcome: the shared informers feed it Job and Pod events,
 * the shell's watchdog ticks it for time bounds, and it decides how the call ended.
 *
 * <p>Outcomes that leave the blob store to decide (Complete, exit codes, OOMKilled,
 * DeadlineExceeded, JobDeleted, Cancelled) complete {@link #completion()} normally; failures where
 * the function cannot have run (image pull, unschedulable, evicted too often, launch failures)
 * complete it exceptionally with a {@link ShellException}. Thread-safe: all state is guarded by
 * {@code this}.
 */
final class JobRun implements Launch, TrackedRun {
  private static final Logger log = LoggerFactory.getLogger(JobRun.class);
  /** How long a Job failure waits for its pod's final state before deciding without it. */
  static final Duration POD_FACTS_GRACE = Duration.ofSeconds(2);
  private static final int TAIL_LINES = 20;
  private static final Pattern EXIT_CODE = Pattern.compile("exit code (\\d+)");

  /**
   * Where the run is. CREATING: the create request for {@link #jobName} is out (events are held
   * until it returns); RUNNING: the Job exists and events drive the run; DONE: the outcome is set
   * and nothing changes any more. A re-creation after a disruption goes back to CREATING.
   */
  enum Phase { CREATING, RUNNING, DONE }

  final LaunchRequest request;
  final String memoHash;
  final boolean followLogs;
  private final JobActions actions;
  private final KubernetesShellOptions options;
  private final CompletableFuture<Outcome> completion = new CompletableFuture<>();

  // Guarded by this.
  private Phase phase = Phase.CREATING;
  private String jobName;
  private int attempt;
  private String jobUid;
  private Job earlyJob;
  private final Map<String, Pod> earlyPodEvents = new LinkedHashMap<>();
  private long createdAtNanos;
  private boolean cancelled;
  private long lastEventNanos = System.nanoTime();
  private final Map<String, Pod> pods = new LinkedHashMap<>();
  private final Set<String> disruptedPods = new HashSet<>();
  private String lastDisruption;
  private boolean lastPodDisrupted;
  private Long imagePullSince;
  private String imagePullDetail;
  private Long unschedulableSince;
  private String unschedulableDetail;
  private Job failedJob;
  private long failedAtNanos;
  private boolean refreshingPods;
  private boolean queued;
  private int admissions;
  /** Pods (by uid) whose end by a re-suspension was recorded in the call's runs. */
  private final Set<String> requeuedPods = new HashSet<>();
  private final Set<String> logPods = new HashSet<>();
  private final Deque<String> tail = new ArrayDeque<>();

  JobRun(JobActions actions, KubernetesShellOptions options, LaunchRequest request, String jobName, boolean followLogs) {
    this.actions = actions;
    this.options = options;
    this.request = request;
    this.memoHash = JobFactory.memoHash(request);
    this.jobName = jobName;
    this.followLogs = followLogs;
  }

  @Override
  public CompletableFuture<Outcome> completion() {
    return completion;
  }

  @Override
  public synchronized String description() {
    return "job " + options.namespace() + "/" + jobName + (phase == Phase.CREATING ? " (being created)"
        : queued ? " (queued: suspended until Kueue admits it" + options.queueName().map(q -> " from LocalQueue " + q).orElse("") + ")"
        : "");
  }

  @Override
  public void cancel() {
    String name;
    boolean wasCreated;
    synchronized (this) {
      if (phase == Phase.DONE) {
        return;
      }
      cancelled = true;
      name = jobName;
      wasCreated = phase == Phase.RUNNING;
      finish(new Outcome("Cancelled", null, "cancelled by the caller; Job " + options.namespace() + "/" + name + " deleted"));
    }
    // A Job still being created is deleted by its creator, which sees the cancel (onCreated).
    if (wasCreated) {
      actions.delete(name, "cancelled");
    }
  }

  /** For shell close: cancels and returns the Job to delete, if one exists. */
  synchronized Optional<String> cancelForClose() {
    if (phase == Phase.DONE) {
      return Optional.empty();
    }
    boolean created = phase == Phase.RUNNING;
    cancelled = true;
    fail(new ShellException("ShellClosed", null, "The Kubernetes shell was closed while " + request.shortLabel()
        + " ran in Job " + options.namespace() + "/" + jobName + "; the Job was deleted", true));
    return created ? Optional.of(jobName) : Optional.empty();
  }

  synchronized boolean isDone() {
    return phase == Phase.DONE;
  }

  synchronized Phase phase() {
    return phase;
  }

  synchronized String jobName() {
    return jobName;
  }

  /** Whether Job {@code name} is the one this call waits for and was created before {@code nanos}. */
  @Override
  public synchronized boolean createdBefore(String name, long nanos) {
    return phase == Phase.RUNNING && name.equals(jobName) && createdAtNanos - nanos < 0;
  }

  /** Whether {@code name} is still the Job this call wants (not cancelled, not replaced). */
  synchronized boolean wants(String name) {
    return phase != Phase.DONE && name.equals(jobName);
  }

  /**
   * The creator reports that Job {@code name} exists. Returns false when the call no longer wants
   * it (cancelled meanwhile), so the creator deletes it.
   */
  boolean onCreated(String name, String uid) {
    Job early;
    List<Pod> earlyPods;
    synchronized (this) {
      if (phase != Phase.CREATING || !name.equals(jobName)) {
        return false;
      }
      phase = Phase.RUNNING;
      jobUid = uid;
      createdAtNanos = System.nanoTime();
      lastEventNanos = createdAtNanos;
      early = earlyJob;
      earlyPods = List.copyOf(earlyPodEvents.values());
      earlyJob = null;
      earlyPodEvents.clear();
    }
    // Events that arrived while the create request was still returning: replay ours.
    if (early != null) {
      onJob(early);
    }
    earlyPods.forEach(this::onPod);
    return true;
  }

  /**
   * Whether an event with Job uid {@code uid} (a Job's own, or a pod's {@code controller-uid}
   * label) is about the Job this call created, not an older Job that had the same name.
   */
  private boolean ours(String uid) {
    return jobUid == null || uid == null || jobUid.equals(uid);
  }

  /** The creator had to pick another name (a different Job held the first one). */
  synchronized void renamed(String from, String to) {
    if (from.equals(jobName)) {
      jobName = to;
    }
  }

  /** A Job event from the informer (or a GET). */
  @Override
  public void onJob(Job job) {
    synchronized (this) {
      if (phase == Phase.DONE || !jobName.equals(job.getMetadata().getName())) {
        return;
      }
      if (phase == Phase.CREATING) {
        // Maybe ours, maybe a finished Job that holds the name; decided once the create returns.
        earlyJob = job;
        return;
      }
      if (!ours(job.getMetadata().getUid())) {
        return;
      }
      lastEventNanos = System.nanoTime();
      queuedState(job);
      if (KubeStatus.isComplete(job)) {
        finish(Outcome.exited(0, ""));
        return;
      }
      Optional<JobCondition> failure = KubeStatus.failure(job);
      if (failure.isPresent()) {
        if (failedJob == null) {
          failedJob = job;
          failedAtNanos = System.nanoTime();
        }
        decideFailure(false);
        return;
      }
      if (KubeStatus.isBeingDeleted(job) && !cancelled) {
        vanished("its deletion was requested by someone else");
      }
    }
  }

  /**
   * Kueue suspends a Job it has not admitted, and re-suspends one it preempts: that is "queued",
   * neither a failure nor a spent retry, and the pending and image-pull bounds count only the
   * time after admission.
   */
  private void queuedState(Job job) {
    boolean suspended = KubeStatus.isSuspended(job);
    if (suspended == queued) {
      return;
    }
    queued = suspended;
    imagePullSince = null;
    unschedulableSince = null;
    if (suspended) {
      log.info("{}: Job {}/{} is suspended{}; queued until it is admitted", request.shortLabel(), options.namespace(), jobName,
          admissions > 0 ? " again (preempted or evicted by the queue)" : "");
      // Suspended after admission (its pod had started): the pod is deleted with no record of its
      // own (SIGTERM), so say in the call's runs why it ended.
      List<Pod> stopped = pods.values().stream()
          .filter(p -> KubeStatus.stoppedBySuspension(p) && requeuedPods.add(KubeStatus.podId(p))).toList();
      if (!stopped.isEmpty()) {
        actions.recordRequeue(this, jobName, job.getMetadata().getUid(), stopped);
      }
    } else {
      admissions++;
      log.info("{}: Job {}/{} admitted{}", request.shortLabel(), options.namespace(), jobName,
          admissions > 1 ? " again (admission " + admissions + ")" : "");
    }
  }

  /** Whether the Job waits in a queue (suspended, e.g. by Kueue): counted apart in progress lines. */
  @Override
  public synchronized boolean queued() {
    return queued;
  }

  /** A Pod event for a pod labelled {@code job-name=<jobName>}. */
  @Override
  public void onPod(Pod pod) {
    synchronized (this) {
      String podJob = pod.getMetadata().getLabels() == null ? null : pod.getMetadata().getLabels().get(JobFactory.JOB_NAME_LABEL);
      if (phase == Phase.DONE || !jobName.equals(podJob)) {
        return;
      }
      if (phase == Phase.CREATING) {
        earlyPodEvents.put(pod.getMetadata().getName(), pod);
        return;
      }
      if (!ours(pod.getMetadata().getLabels().get(JobFactory.CONTROLLER_UID_LABEL))) {
        return;
      }
      lastEventNanos = System.nanoTime();
      String podName = pod.getMetadata().getName();
      pods.put(podName, pod);
      long now = System.nanoTime();

      Optional<String> disruption = KubeStatus.disruption(pod);
      // A pod ended by the queue's preemption (the Job is suspended again) spends no disruption.
      if (disruption.isPresent() && !queued) {
        lastPodDisrupted = true;
        lastDisruption = "pod " + podName + " " + disruption.get();
        if (disruptedPods.add(KubeStatus.podId(pod))) {
          actions.recordDisruption(this, jobName, pod, disruption.get());
          log.warn("{}: {} was disrupted ({}); {} of {} disruptions allowed", request.shortLabel(), podName,
              disruption.get(), disruptedPods.size(), options.maxEvictionRetries());
          if (disruptedPods.size() > options.maxEvictionRetries()) {
            failEvicted();
            return;
          }
        }
      } else if (KubeStatus.terminated(pod).isPresent()) {
        lastPodDisrupted = false;
      }

      Optional<ContainerStateWaiting> waiting = KubeStatus.waiting(pod);
      if (waiting.isPresent() && KubeStatus.IMAGE_PULL_REASONS.contains(waiting.get().getReason()) && !queued) {
        if (imagePullSince == null) {
          imagePullSince = now;
        }
        imagePullDetail = KubeStatus.describe(waiting.get().getReason(), waiting.get().getMessage());
        if (KubeStatus.IMAGE_PULL_HOPELESS.contains(waiting.get().getReason())) {
          failImagePull(now);
          return;
        }
      } else if (KubeStatus.isRunning(pod) || KubeStatus.isFinished(pod)) {
        imagePullSince = null;
      }

      Optional<String> unschedulable = KubeStatus.unschedulable(pod);
      if (unschedulable.isPresent() && !queued) {
        if (unschedulableSince == null) {
          unschedulableSince = now;
        }
        unschedulableDetail = unschedulable.get();
      } else if (pod.getSpec() != null && pod.getSpec().getNodeName() != null) {
        unschedulableSince = null;
      }

      if (followLogs && (KubeStatus.isRunning(pod) || KubeStatus.isFinished(pod)) && logPods.add(podName)) {
        actions.followLogs(this, jobName, podName);
      }
      if (failedJob != null) {
        decideFailure(false);
      }
    }
  }

  /**
   * The Job disappeared: deleted, or gone when a relist or GET looked. {@code uid} is the deleted
   * object's, or null when a GET found nothing.
   */
  @Override
  public synchronized void onVanished(String name, String uid, String how) {
    if (phase != Phase.RUNNING || !name.equals(jobName) || !ours(uid)) {
      return;
    }
    if (failedJob != null && !cancelled) {
      decideFailure(true); // it failed before it went (e.g. a short ttlAfterFinished): say why it failed
    } else {
      vanished(how);
    }
  }

  /** Called by the shell's watchdog several times a second: time bounds and silence. */
  void tick(long now) {
    String verify = null;
    boolean refresh = false;
    synchronized (this) {
      if (phase != Phase.RUNNING) {
        return;
      }
      if (imagePullSince != null && now - imagePullSince >= options.imagePullBound().toNanos()) {
        failImagePull(now);
        return;
      }
      if (unschedulableSince != null && now - unschedulableSince >= options.pendingTimeout().toNanos()) {
        failUnschedulable(now);
        return;
      }
      if (failedJob != null && now - failedAtNanos >= POD_FACTS_GRACE.toNanos() && !refreshingPods) {
        refreshingPods = true;
        refresh = true;
      } else if (now - lastEventNanos >= options.watchSilenceBound().toNanos()) {
        // The watch may have gone quiet without failing: look once, then wait another bound.
        lastEventNanos = now;
        verify = jobName;
      }
    }
    if (refresh) {
      actions.refreshPods(this, jobName());
    } else if (verify != null) {
      actions.verify(this, verify);
    }
  }

  /** One GET of Job {@code name} through this call's shell (after a relist did not show it). */
  @Override
  public void verify(String name) {
    actions.verify(this, name);
  }

  /** After a pod refresh (or when none is possible): decide the failure with what is known. */
  synchronized void decideFailureNow() {
    // The refresh may have triggered a re-creation meanwhile; then there is nothing to decide.
    if (phase == Phase.RUNNING && failedJob != null) {
      decideFailure(true);
    }
  }

  /** A line of the pod's log, kept for failure reports. */
  synchronized void logLine(String line) {
    if (tail.size() == TAIL_LINES) {
      tail.removeFirst();
    }
    tail.addLast(line);
  }

  /** Whether pod {@code podName} of the current Job has finished, as far as the informer knows. */
  synchronized boolean podFinished(String podName) {
    if (phase == Phase.DONE) {
      return true;
    }
    Pod pod = pods.get(podName);
    return pod != null && KubeStatus.isFinished(pod);
  }

  /** A failure to launch or to watch, as a typed exception. */
  @Override
  public synchronized void fail(ShellException e) {
    if (phase == Phase.DONE) {
      return;
    }
    phase = Phase.DONE;
    actions.untrack(this);
    completion.completeExceptionally(e);
  }

  // ---- decisions; callers hold the lock ----

  private void decideFailure(boolean force) {
    JobCondition condition = KubeStatus.failure(failedJob).orElseThrow();
    String reason = condition.getReason() == null ? "Failed" : condition.getReason();
    String jobDetail = "Job " + options.namespace() + "/" + jobName + " failed: " + KubeStatus.describe(reason, condition.getMessage());
    Optional<Map.Entry<String, ContainerStateTerminated>> ended = lastTerminated();

    if (lastPodDisrupted) {
      evictionRetry(jobDetail);
      return;
    }
    if (reason.equals("DeadlineExceeded")) {
      finish(new Outcome("DeadlineExceeded", ended.map(e -> e.getValue().getExitCode()).orElse(null),
          jobDetail + ". The Job ran longer than activeDeadline "
              + options.activeDeadline().map(Duration::toString).orElse("(set by the customizer)")
              + "; raise KubernetesShellOptions.activeDeadline or make the call cheaper." + tailText()));
      return;
    }
    if (ended.isEmpty() && !force) {
      return; // the pod's final state is usually a moment behind the Job's; wait for it (tick forces)
    }
    if (ended.isPresent()) {
      String pod = ended.get().getKey();
      ContainerStateTerminated t = ended.get().getValue();
      Integer code = t.getExitCode();
      if ("OOMKilled".equals(t.getReason())) {
        String limit = options.pod().resourceLimits().get("memory");
        finish(new Outcome("OOMKilled", code == null ? 137 : code,
            "Container " + JobFactory.CONTAINER + " of pod " + pod + " was killed for using more memory than its limit ("
                + (limit == null ? "no limit set in the options; the namespace default applied" : "memory limit " + limit)
                + "). Give the function more memory, e.g. KubernetesShellOptions.builder().memory(\"" + biggerMemory(limit)
                + "\"), or reduce what it holds at once." + tailText()));
        return;
      }
      finish(new Outcome("Exited", code, jobDetail + "; container " + JobFactory.CONTAINER + " of pod " + pod + " ended: "
          + KubeStatus.describe(t.getReason(), t.getMessage()) + " (exit code " + code + ")" + tailText()));
      return;
    }
    Matcher m = EXIT_CODE.matcher(condition.getMessage() == null ? "" : condition.getMessage());
    if (m.find()) {
      finish(new Outcome("Exited", Integer.valueOf(m.group(1)), jobDetail + tailText()));
    } else {
      finish(new Outcome(reason, null, jobDetail + tailText()));
    }
  }

  private void evictionRetry(String jobDetail) {
    if (disruptedPods.size() > options.maxEvictionRetries()) {
      failEvicted();
      return;
    }
    attempt++;
    String old = jobName;
    String next = KubernetesNames.jobName(request.function(), memoHash, "-r" + attempt);
    log.warn("{}: {} after a disruption ({}); re-creating it as {} (disruption {} of {} allowed)", request.shortLabel(),
        jobDetail, lastDisruption, next, disruptedPods.size(), options.maxEvictionRetries());
    jobName = next;
    phase = Phase.CREATING;
    jobUid = null;
    earlyJob = null;
    earlyPodEvents.clear();
    pods.clear();
    logPods.clear();
    lastPodDisrupted = false;
    imagePullSince = null;
    unschedulableSince = null;
    failedJob = null;
    refreshingPods = false;
    actions.retrack(this, old, next);
    actions.create(this, next, attempt);
  }

  private void failEvicted() {
    String name = jobName;
    fail(new ShellException("Evicted", null, request.shortLabel() + " was disrupted " + disruptedPods.size()
        + " times (maxEvictionRetries=" + options.maxEvictionRetries() + "); last: " + lastDisruption
        + ". Spot or busy nodes reclaimed it each time: retry later, raise maxEvictionRetries, or run on on-demand nodes."
        + " Job " + options.namespace() + "/" + name + " was deleted.", true));
    actions.delete(name, "evicted too often");
  }

  private void failImagePull(long now) {
    String name = jobName;
    long seconds = imagePullSince == null ? 0 : Duration.ofNanos(now - imagePullSince).toSeconds();
    fail(new ShellException("ImagePullBackOff", null, "Job " + options.namespace() + "/" + name + " cannot pull image '"
        + options.pod().qualifiedImage() + "' (" + imagePullDetail + ") for " + seconds + " s; gave up (imagePullBound="
        + options.imagePullBound() + ") and deleted the Job. Check the image name and tag, that it was pushed, and that "
        + "the nodes may pull from the registry (imagePullSecrets, registry permissions).", false));
    actions.delete(name, "image cannot be pulled");
  }

  private void failUnschedulable(long now) {
    String name = jobName;
    fail(new ShellException("Unschedulable", null, "Job " + options.namespace() + "/" + name + " could not be scheduled for "
        + Duration.ofNanos(now - unschedulableSince).toSeconds() + " s (pendingTimeout=" + options.pendingTimeout() + "): "
        + unschedulableDetail + ". Ask for fewer resources (requests " + options.pod().resourceRequests() + "), check the node "
        + "selector, affinity and tolerations, or raise pendingTimeout if nodes are being added. The Job was deleted.", false));
    actions.delete(name, "unschedulable");
  }

  private void vanished(String how) {
    if (cancelled) {
      finish(new Outcome("Cancelled", null, "cancelled by the caller"));
      return;
    }
    finish(new Outcome("JobDeleted", null, "Job " + options.namespace() + "/" + jobName + " was deleted before it reported "
        + "completion (" + how + "). This process did not delete it: look for `kubectl delete`, namespace cleanup or a "
        + "short ttlAfterFinished (`kubectl get events -n " + options.namespace() + "`)." + tailText()));
  }

  private void finish(Outcome outcome) {
    if (phase == Phase.DONE) {
      return;
    }
    phase = Phase.DONE;
    actions.untrack(this);
    completion.complete(outcome);
  }

  private Optional<Map.Entry<String, ContainerStateTerminated>> lastTerminated() {
    Map.Entry<String, ContainerStateTerminated> last = null;
    for (Pod pod : pods.values()) {
      Optional<ContainerStateTerminated> t = KubeStatus.terminated(pod);
      if (t.isPresent() && (last == null || compareFinished(t.get(), last.getValue()) >= 0)) {
        last = Map.entry(pod.getMetadata().getName(), t.get());
      }
    }
    return Optional.ofNullable(last);
  }

  private static int compareFinished(ContainerStateTerminated a, ContainerStateTerminated b) {
    String fa = a.getFinishedAt() == null ? "" : a.getFinishedAt();
    String fb = b.getFinishedAt() == null ? "" : b.getFinishedAt();
    return fa.compareTo(fb);
  }

  private String tailText() {
    if (tail.isEmpty()) {
      return "";
    }
    return "\n    last log lines:\n      " + String.join("\n      ", List.copyOf(tail));
  }

  /** Twice the limit, for the advice text; 2Gi when there was none. */
  static String biggerMemory(String limit) {
    if (limit == null) {
      return "2Gi";
    }
    Matcher m = Pattern.compile("(\\d+)(Ki|Mi|Gi|Ti)").matcher(limit);
    if (m.matches()) {
      return Long.parseLong(m.group(1)) * 2 + m.group(2);
    }
    return "more than " + limit;
  }
}
