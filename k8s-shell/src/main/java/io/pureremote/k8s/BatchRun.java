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
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.TreeSet;
import java.util.concurrent.CompletableFuture;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * One batch Job (an Indexed Job whose index {@code i} runs member {@code i} of a batch manifest)
 * and its members' outcomes. Each member is a {@link Launch} of its own: it ends when its index
 * shows in the Job's {@code status.completedIndexes} (exit 0) or {@code status.failedIndexes}
 * (with its pod's exit code when known), or when the whole Job ends (a deadline, a deletion);
 * the value, as always, comes from the store. Cancelling a member ends only that member: its
 * index is skipped when its pod starts (the caller released its lease); the Job is deleted once
 * every member is cancelled. A disrupted pod (evicted, preempted) is replaced by the controller;
 * each disruption is recorded in its call's runs and counts against that call's {@code
 * maxEvictionRetries} only. Thread-safe: state is guarded by {@code this}.
 */
final class BatchRun implements TrackedRun {
  private static final Logger log = LoggerFactory.getLogger(BatchRun.class);

  /** What a batch asks of the shell: create, delete and GET its Job, stop tracking it. */
  interface Actions {
    void create(BatchRun run);

    void delete(String name, String why);

    void verify(BatchRun run, String name);

    void untrack(BatchRun run);

    /** Follows the log of the pod of {@code index} to the caller's log (once per pod). */
    void followLogs(BatchRun run, int index, String pod);

    /** Pod {@code pod} of {@code index} was disrupted ({@code reason}): record it in that call's runs. */
    void recordDisruption(BatchRun run, int index, Pod pod, String reason);

    /**
     * The queue suspended the batch Job (uid {@code jobUid}) again after admitting it, stopping
     * {@code podByIndex}: record in those calls' runs that they were requeued.
     */
    void recordRequeue(BatchRun run, String jobUid, Map<Integer, Pod> podByIndex);
  }

  final String jobName;
  final String manifestUri;
  final List<Member> members;
  private final Actions actions;
  private final KubernetesShellOptions options;

  // Guarded by this.
  private JobRun.Phase phase = JobRun.Phase.CREATING;
  private String jobUid;
  private Job earlyJob;
  private final List<Pod> earlyPods = new ArrayList<>();
  private long createdAtNanos;
  private long lastEventNanos = System.nanoTime();
  private boolean queued;
  /** Pods (by uid) whose end by a re-suspension was recorded in their call's runs. */
  private final Set<String> requeuedPods = new java.util.HashSet<>();
  /** The last pod seen of each index. */
  private final Map<Integer, Pod> podByIndex = new HashMap<>();
  private final Set<String> logPods = new java.util.HashSet<>();
  /** The disrupted pods (by uid) of each index: each call survives {@code maxEvictionRetries}. */
  private final Map<Integer, Set<String>> disruptedPods = new HashMap<>();
  /** Failed indexes waiting (at most {@link JobRun#POD_FACTS_GRACE}) for their pod's final state. */
  private final Map<Integer, Long> failedAwaitingPod = new HashMap<>();
  private Long imagePullSince;
  private String imagePullDetail;
  private Long unschedulableSince;
  private String unschedulableDetail;

  BatchRun(Actions actions, KubernetesShellOptions options, List<LaunchRequest> requests, String manifestUri, String jobName) {
    this.actions = actions;
    this.options = options;
    this.manifestUri = manifestUri;
    this.jobName = jobName;
    List<Member> list = new ArrayList<>();
    for (int i = 0; i < requests.size(); i++) {
      list.add(new Member(i, requests.get(i)));
    }
    this.members = List.copyOf(list);
  }

  /** One call of the batch: index {@link #index} of the Job. */
  final class Member implements Launch {
    final int index;
    final LaunchRequest request;
    private final CompletableFuture<Outcome> completion = new CompletableFuture<>();

    Member(int index, LaunchRequest request) {
      this.index = index;
      this.request = request;
    }

    @Override
    public CompletableFuture<Outcome> completion() {
      return completion;
    }

    @Override
    public void cancel() {
      boolean deleteJob;
      synchronized (BatchRun.this) {
        if (completion.isDone()) {
          return;
        }
        completion.complete(new Outcome("Cancelled", null, "cancelled by the caller; index " + index + " of batch Job "
            + options.namespace() + "/" + jobName + " is skipped when its pod starts"));
        deleteJob = allDone() && phase == JobRun.Phase.RUNNING;
        if (allDone()) {
          end();
        }
      }
      if (deleteJob) {
        actions.delete(jobName, "every call of the batch was cancelled");
      }
    }

    @Override
    public String description() {
      synchronized (BatchRun.this) {
        return "job " + options.namespace() + "/" + jobName + " index " + index
            + (phase == JobRun.Phase.CREATING ? " (being created)" : queued ? " (queued: suspended until admitted)" : "");
      }
    }

    @Override
    public boolean queued() {
      synchronized (BatchRun.this) {
        return queued;
      }
    }
  }

  /** The creator reports that the Job exists; false when no member wants it any more (delete it). */
  boolean onCreated(String uid) {
    Job early;
    List<Pod> pods;
    synchronized (this) {
      if (phase != JobRun.Phase.CREATING || allDone()) {
        end();
        return false;
      }
      phase = JobRun.Phase.RUNNING;
      jobUid = uid;
      createdAtNanos = System.nanoTime();
      lastEventNanos = createdAtNanos;
      early = earlyJob;
      pods = List.copyOf(earlyPods);
      earlyJob = null;
      earlyPods.clear();
    }
    if (early != null) {
      onJob(early);
    }
    pods.forEach(this::onPod);
    return true;
  }

  @Override
  public synchronized boolean createdBefore(String name, long nanos) {
    return phase == JobRun.Phase.RUNNING && name.equals(jobName) && createdAtNanos - nanos < 0;
  }

  @Override
  public void verify(String name) {
    actions.verify(this, name);
  }

  @Override
  public synchronized void onJob(Job job) {
    if (phase == JobRun.Phase.DONE || !jobName.equals(job.getMetadata().getName())) {
      return;
    }
    if (phase == JobRun.Phase.CREATING) {
      earlyJob = job;
      return;
    }
    if (!ours(job.getMetadata().getUid())) {
      return;
    }
    lastEventNanos = System.nanoTime();
    boolean suspended = KubeStatus.isSuspended(job);
    if (suspended != queued) {
      queued = suspended;
      imagePullSince = null;
      unschedulableSince = null;
      log.info("batch Job {}/{} ({} calls) is {}", options.namespace(), jobName, members.size(),
          suspended ? "suspended; queued until it is admitted" : "admitted");
      if (suspended) {
        // Suspended after admission (a pod had started): its pods are deleted with no record of
        // their own (SIGTERM), so say in each call's runs why.
        Map<Integer, Pod> stopped = new java.util.TreeMap<>();
        podByIndex.forEach((index, pod) -> {
          if (index < members.size() && !members.get(index).completion.isDone() && KubeStatus.stoppedBySuspension(pod)
              && requeuedPods.add(KubeStatus.podId(pod))) {
            stopped.put(index, pod);
          }
        });
        if (!stopped.isEmpty()) {
          actions.recordRequeue(this, job.getMetadata().getUid(), stopped);
        }
      }
    }
    var status = job.getStatus();
    for (int i : parseRanges(status == null ? null : status.getCompletedIndexes())) {
      finishMember(i, Outcome.exited(Outcome.EXIT_OK, ""));
    }
    for (int i : parseRanges(status == null ? null : status.getFailedIndexes())) {
      if (i >= 0 && i < members.size() && !members.get(i).completion.isDone()) {
        failedAwaitingPod.putIfAbsent(i, System.nanoTime());
        decideFailedIndex(i, false);
      }
    }
    if (condition(job, "SuccessCriteriaMet") || condition(job, "Complete")) {
      // Every index succeeded (the counts are what the controller ends a Job on).
      for (Member m : members) {
        finishMember(m.index, Outcome.exited(Outcome.EXIT_OK, ""));
      }
    } else {
      Optional<JobCondition> failure = KubeStatus.failure(job);
      if (failure.isPresent()) {
        String reason = failure.get().getReason() == null ? "Failed" : failure.get().getReason();
        String detail = "batch Job " + options.namespace() + "/" + jobName + " failed: "
            + KubeStatus.describe(reason, failure.get().getMessage());
        for (Member m : members) {
          if (failedAwaitingPod.containsKey(m.index)) {
            decideFailedIndex(m.index, true);
          } else if (reason.equals("DeadlineExceeded")) {
            finishMember(m.index, new Outcome("DeadlineExceeded", null, detail + ". The batch ran longer than activeDeadline "
                + options.activeDeadline().map(Duration::toString).orElse("(set by the customizer)")
                + ", which bounds the whole batch Job: raise it, or lower batchSize."));
          } else {
            finishMember(m.index, podOutcome(m.index).orElse(new Outcome(reason, null, detail)));
          }
        }
      } else if (KubeStatus.isBeingDeleted(job)) {
        vanished("its deletion was requested by someone else");
      }
    }
    if (allDone()) {
      end();
    }
  }

  @Override
  public synchronized void onPod(Pod pod) {
    var labels = pod.getMetadata().getLabels();
    if (phase == JobRun.Phase.DONE || labels == null || !jobName.equals(labels.get(JobFactory.JOB_NAME_LABEL))) {
      return;
    }
    if (phase == JobRun.Phase.CREATING) {
      earlyPods.add(pod);
      return;
    }
    if (!ours(labels.get(JobFactory.CONTROLLER_UID_LABEL))) {
      return;
    }
    lastEventNanos = System.nanoTime();
    Integer index = index(pod);
    if (index == null) {
      return;
    }
    podByIndex.put(index, pod);
    if (disrupted(index, pod)) {
      if (allDone()) {
        end();
      }
      return;
    }
    if ((KubeStatus.isRunning(pod) || KubeStatus.isFinished(pod)) && logPods.add(pod.getMetadata().getName())) {
      actions.followLogs(this, index, pod.getMetadata().getName());
    }
    long now = System.nanoTime();
    Optional<ContainerStateWaiting> waiting = KubeStatus.waiting(pod);
    if (waiting.isPresent() && KubeStatus.IMAGE_PULL_REASONS.contains(waiting.get().getReason()) && !queued) {
      if (imagePullSince == null) {
        imagePullSince = now;
      }
      imagePullDetail = KubeStatus.describe(waiting.get().getReason(), waiting.get().getMessage());
      if (KubeStatus.IMAGE_PULL_HOPELESS.contains(waiting.get().getReason())) {
        failAll(imagePullFailure(now), "image cannot be pulled");
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
    if (failedAwaitingPod.containsKey(index)) {
      decideFailedIndex(index, false);
      if (allDone()) {
        end();
      }
    }
  }

  @Override
  public synchronized void onVanished(String name, String uid, String how) {
    if (phase != JobRun.Phase.RUNNING || !name.equals(jobName) || !ours(uid)) {
      return;
    }
    vanished(how);
  }

  @Override
  public synchronized void fail(ShellException e) {
    if (phase == JobRun.Phase.DONE) {
      return;
    }
    for (Member m : members) {
      m.completion.completeExceptionally(copyOf(e));
    }
    end();
  }

  /**
   * A copy of {@code e} for one member: callers attach suppressed exceptions to what they get (a
   * map's first failure carries the others), so members must not share one instance.
   */
  static ShellException copyOf(ShellException e) {
    ShellException copy = new ShellException(e.reason(), e.exitCode().isPresent() ? e.exitCode().getAsInt() : null,
        e.getMessage(), e.isRetryable());
    if (e.getCause() != null) {
      copy.initCause(e.getCause());
    }
    return copy;
  }

  /** From the shell's watchdog: time bounds, failed indexes whose pod never reported, silence. */
  void tick(long now) {
    String verify = null;
    String delete = null;
    synchronized (this) {
      if (phase != JobRun.Phase.RUNNING) {
        return;
      }
      if (imagePullSince != null && now - imagePullSince >= options.imagePullBound().toNanos()) {
        failAll(imagePullFailure(now), "image cannot be pulled");
        return;
      }
      if (unschedulableSince != null && now - unschedulableSince >= options.pendingTimeout().toNanos()) {
        failAll(new ShellException("Unschedulable", null, "batch Job " + options.namespace() + "/" + jobName
            + " could not be scheduled for " + Duration.ofNanos(now - unschedulableSince).toSeconds() + " s (pendingTimeout="
            + options.pendingTimeout() + "): " + unschedulableDetail + ". Ask for fewer resources (requests "
            + options.pod().resourceRequests() + "), check the node selector, affinity and tolerations, or raise"
            + " pendingTimeout. The Job was deleted.", false), "unschedulable");
        return;
      }
      for (int i : List.copyOf(failedAwaitingPod.keySet())) {
        if (now - failedAwaitingPod.get(i) >= JobRun.POD_FACTS_GRACE.toNanos()) {
          decideFailedIndex(i, true);
        }
      }
      if (allDone()) {
        end();
        return;
      }
      if (now - lastEventNanos >= options.watchSilenceBound().toNanos()) {
        lastEventNanos = now;
        verify = jobName;
      }
    }
    if (verify != null) {
      actions.verify(this, verify);
    }
  }

  /** Whether the Job is still being created (tests). */
  /** Whether the batch is over (every call ended). */
  synchronized boolean isDone() {
    return phase == JobRun.Phase.DONE;
  }

  /** Whether pod {@code podName} of the batch has finished, or the batch is over. */
  synchronized boolean podFinished(String podName) {
    if (phase == JobRun.Phase.DONE) {
      return true;
    }
    // A pod no index has any more was replaced: it finished.
    return podByIndex.values().stream().filter(p -> podName.equals(p.getMetadata().getName()))
        .allMatch(KubeStatus::isFinished);
  }

  /** Whether the batch Job is suspended: queued until admitted, as every member says (tests). */
  synchronized boolean queued() {
    return queued;
  }

  synchronized JobRun.Phase phase() {
    return phase;
  }

  // ---- callers hold the lock ----

  private boolean ours(String uid) {
    return jobUid == null || uid == null || jobUid.equals(uid);
  }

  private boolean allDone() {
    return members.stream().allMatch(m -> m.completion.isDone());
  }

  private void end() {
    if (phase == JobRun.Phase.DONE) {
      return;
    }
    phase = JobRun.Phase.DONE;
    actions.untrack(this);
  }

  /**
   * A pod of {@code index} disrupted (evicted, preempted, its node drained: {@code
   * DisruptionTarget}): the controller replaces it (the Ignore rule), spending none of the call's
   * retries, but each call survives only {@code maxEvictionRetries} disruptions; past that it fails
   * with {@code Evicted} and its next pod skips it (the caller releases the lease). A pod ended by
   * the queue's preemption (the Job suspended again) is no disruption of the call. True when the
   * call failed here.
   */
  private boolean disrupted(int index, Pod pod) {
    Member member = index >= 0 && index < members.size() ? members.get(index) : null;
    Optional<String> disruption = KubeStatus.disruption(pod);
    if (member == null || member.completion.isDone() || disruption.isEmpty() || queued) {
      return false;
    }
    String podName = pod.getMetadata().getName();
    Set<String> seen = disruptedPods.computeIfAbsent(index, i -> new java.util.LinkedHashSet<>());
    if (!seen.add(KubeStatus.podId(pod))) {
      return false;
    }
    String last = "pod " + podName + " " + disruption.get();
    log.warn("{}: {} (index {} of batch Job {}/{}) was disrupted ({}); {} of {} disruptions allowed",
        member.request.shortLabel(), podName, index, options.namespace(), jobName, disruption.get(), seen.size(),
        options.maxEvictionRetries());
    actions.recordDisruption(this, index, pod, disruption.get());
    if (seen.size() <= options.maxEvictionRetries()) {
      return false;
    }
    failedAwaitingPod.remove(index);
    member.completion.completeExceptionally(new ShellException("Evicted", null, member.request.shortLabel()
        + " (index " + index + " of batch Job " + options.namespace() + "/" + jobName + ") was disrupted " + seen.size()
        + " times (maxEvictionRetries=" + options.maxEvictionRetries() + "); last: " + last + ". Spot or busy nodes"
        + " reclaimed it each time: retry later, raise maxEvictionRetries, or run on on-demand nodes. The batch's"
        + " other calls go on; this call's next pod skips it.", true));
    return true;
  }

  private void finishMember(int index, Outcome outcome) {
    if (index < 0 || index >= members.size()) {
      return;
    }
    failedAwaitingPod.remove(index);
    members.get(index).completion.complete(outcome);
  }

  /** A failed index: its pod's exit (OOMKilled, an exit code), once known or after the grace. */
  private void decideFailedIndex(int index, boolean force) {
    Optional<Outcome> fromPod = podOutcome(index);
    if (fromPod.isPresent()) {
      finishMember(index, fromPod.get());
    } else if (force) {
      finishMember(index, new Outcome("IndexFailed", null, "index " + index + " of batch Job " + options.namespace() + "/"
          + jobName + " failed (status.failedIndexes); its pod's final state was not seen"));
    }
  }

  private Optional<Outcome> podOutcome(int index) {
    Pod pod = podByIndex.get(index);
    Optional<ContainerStateTerminated> t = pod == null ? Optional.empty() : KubeStatus.terminated(pod);
    if (t.isEmpty()) {
      return Optional.empty();
    }
    String podName = pod.getMetadata().getName();
    Integer code = t.get().getExitCode();
    if ("OOMKilled".equals(t.get().getReason())) {
      String limit = options.pod().resourceLimits().get("memory");
      return Optional.of(new Outcome("OOMKilled", code == null ? 137 : code, "Container " + JobFactory.CONTAINER + " of pod "
          + podName + " (index " + index + " of batch Job " + jobName + ") was killed for using more memory than its limit ("
          + (limit == null ? "no limit set in the options" : "memory limit " + limit) + "). Give the function more memory,"
          + " e.g. KubernetesShellOptions.builder().memory(\"" + JobRun.biggerMemory(limit) + "\")."));
    }
    return Optional.of(new Outcome("Exited", code, "index " + index + " of batch Job " + options.namespace() + "/" + jobName
        + ": container " + JobFactory.CONTAINER + " of pod " + podName + " ended: "
        + KubeStatus.describe(t.get().getReason(), t.get().getMessage()) + " (exit code " + code + ")"));
  }

  private void vanished(String how) {
    for (Member m : members) {
      finishMember(m.index, new Outcome("JobDeleted", null, "batch Job " + options.namespace() + "/" + jobName
          + " was deleted before index " + m.index + " reported completion (" + how + "). This process did not delete it:"
          + " look for `kubectl delete`, namespace cleanup or a short ttlAfterFinished."));
    }
    end();
  }

  private ShellException imagePullFailure(long now) {
    long seconds = imagePullSince == null ? 0 : Duration.ofNanos(now - imagePullSince).toSeconds();
    return new ShellException("ImagePullBackOff", null, "batch Job " + options.namespace() + "/" + jobName
        + " cannot pull image '" + options.pod().qualifiedImage() + "' (" + imagePullDetail + ") for " + seconds
        + " s; gave up (imagePullBound=" + options.imagePullBound() + ") and deleted the Job. Check the image name and"
        + " tag, that it was pushed, and that the nodes may pull from the registry.", false);
  }

  private void failAll(ShellException e, String why) {
    for (Member m : members) {
      m.completion.completeExceptionally(copyOf(e));
    }
    end();
    actions.delete(jobName, why);
  }

  private static boolean condition(Job job, String type) {
    return job.getStatus() != null && job.getStatus().getConditions() != null && job.getStatus().getConditions().stream()
        .anyMatch(c -> type.equals(c.getType()) && "True".equals(c.getStatus()));
  }

  private static Integer index(Pod pod) {
    String value = pod.getMetadata().getAnnotations() == null ? null
        : pod.getMetadata().getAnnotations().get(JobFactory.COMPLETION_INDEX);
    if (value == null && pod.getMetadata().getLabels() != null) {
      value = pod.getMetadata().getLabels().get(JobFactory.COMPLETION_INDEX);
    }
    try {
      return value == null ? null : Integer.valueOf(value);
    } catch (NumberFormatException e) {
      return null;
    }
  }

  /** Indexes as the API writes them ({@code 1,3-5}); empty for null or blank. Malformed parts are skipped. */
  static Set<Integer> parseRanges(String text) {
    Set<Integer> out = new TreeSet<>();
    if (text == null || text.isBlank()) {
      return out;
    }
    for (String part : text.split(",")) {
      String p = part.strip();
      try {
        int dash = p.indexOf('-');
        if (dash < 0) {
          out.add(Integer.parseInt(p));
        } else {
          int from = Integer.parseInt(p.substring(0, dash));
          int to = Integer.parseInt(p.substring(dash + 1));
          for (int i = from; i <= to && i - from <= KubernetesShellOptions.MAX_BATCH_SIZE; i++) {
            out.add(i);
          }
        }
      } catch (NumberFormatException e) {
        log.debug("skipping a malformed index range '{}'", p);
      }
    }
    return out;
  }
}
