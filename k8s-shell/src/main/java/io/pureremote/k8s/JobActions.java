package io.pureremote.k8s;

/**
 * What a {@link JobRun} asks of the cluster: the only way out of its state machine. The Kubernetes
 * shell implements it with API calls on its executor; tests implement it by recording the requests,
 * so every decision of a run can be checked without an API server.
 *
 * <p>Every action is asynchronous: it may call back into the run (with {@link JobRun#onJob},
 * {@link JobRun#onPod}, {@link JobRun#onVanished}, {@link JobRun#decideFailureNow} or
 * {@link JobRun#fail}) later, on another thread, but never from inside the call.
 */
interface JobActions {
  /** Creates Job {@code name} for {@code run} (attempt 0 first, then one per re-creation). */
  void create(JobRun run, String name, int attempt);

  /** Deletes Job {@code name}; {@code why} goes to the log. */
  void delete(String name, String why);

  /** Lists the pods of Job {@code name} once, feeds them to the run, then asks it to decide. */
  void refreshPods(JobRun run, String name);

  /** One GET of Job {@code name}: the run hears of it, or that it vanished. */
  void verify(JobRun run, String name);

  /** Follows the log of pod {@code pod} of Job {@code job} into the run's tail and the log sink. */
  void followLogs(JobRun run, String job, String pod);

  /**
   * Pod {@code pod} of Job {@code job} was disrupted ({@code reason}: eviction, preemption, a lost
   * node): record it in the call's {@code runs/}, since the pod was killed before it could.
   */
  void recordDisruption(JobRun run, String job, io.fabric8.kubernetes.api.model.Pod pod, String reason);

  /**
   * The queue suspended Job {@code job} (uid {@code jobUid}) again after admitting it, stopping
   * {@code pods}: record in the call's {@code runs/} that they were requeued, with Kueue's reason
   * when its Workload says one.
   */
  void recordRequeue(JobRun run, String job, String jobUid, java.util.List<io.fabric8.kubernetes.api.model.Pod> pods);

  /** The run is over: stop sending it events. */
  void untrack(JobRun run);

  /** The run moved from Job {@code from} to Job {@code to}: route the new name's events to it. */
  void retrack(JobRun run, String from, String to);
}
