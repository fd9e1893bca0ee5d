package io.pureremote.k8s.values;

import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.Set;
import java.util.function.UnaryOperator;

/**
 * The one place of the Kubernetes Job shell's defaults and of the rules its settings follow, for
 * the two layers that hold them: configuration (the {@code [kubernetes]} table, named by TOML key)
 * and the shell's options (named by Java property). Neither keeps a default or a range of its own,
 * so a file that says nothing gives the shell it would have had without a file, and both refuse
 * the same values with the same words ({@link #jobProblems}). Constants and pure functions;
 * thread-safe.
 */
public final class KubernetesSettings {
  /** The image pull policies a container may have. */
  public static final List<String> IMAGE_PULL_POLICIES = List.of("Always", "IfNotPresent", "Never");
  /** Default image pull policy: a re-pushed tag never runs stale code from a node's cache. */
  public static final String IMAGE_PULL_POLICY = "Always";
  /** Default of how long a finished Job is kept ({@code ttlSecondsAfterFinished}). */
  public static final Duration TTL_AFTER_FINISHED = Duration.ofHours(1);
  /** Default pod retries by the Job controller: a pure function that failed fails again. */
  public static final int BACKOFF_LIMIT = 0;
  /** The shortest active deadline ({@code activeDeadlineSeconds} counts whole seconds). */
  public static final Duration MIN_ACTIVE_DEADLINE = Duration.ofSeconds(1);
  /** Default of how long a pod may stay unschedulable: time for a cluster autoscaler to add a node. */
  public static final Duration PENDING_TIMEOUT = Duration.ofMinutes(10);
  /** Default of how long an image pull may keep failing before the call fails. */
  public static final Duration IMAGE_PULL_TIMEOUT = Duration.ofMinutes(2);
  /** Default of how many evictions (spot reclaims, drains) one call survives. */
  public static final int MAX_EVICTION_RETRIES = 3;
  /** Default of how many Job creations may be in flight at once. */
  public static final int LAUNCH_CONCURRENCY = 20;
  /** Default of whether pod logs follow to the caller's log. */
  public static final boolean LOG_STREAMING = true;
  /** Default fraction of calls whose logs are followed. */
  public static final double LOG_SAMPLE_FRACTION = 1.0;
  /** Default of whether misses of one function launched together run as one batch Job. */
  public static final boolean BATCHING = true;
  /** Default of the most calls in one batch Job. */
  public static final int BATCH_SIZE = 100;
  /** The largest batch: the calls one Indexed Job runs (Kubernetes allows 100,000 indexes with per-index backoff). */
  public static final int MAX_BATCH_SIZE = 10_000;
  /** Default of how long a batch waits for another miss of its function. */
  public static final Duration BATCH_WINDOW = Duration.ofMillis(250);
  /** The longest batch window (a call waits up to 8 windows for its batch). */
  public static final Duration MAX_BATCH_WINDOW = Duration.ofMinutes(1);
  /** Default of the most pods of one batch Job running at once; 0: the whole batch. */
  public static final int BATCH_PARALLELISM = 0;
  /** Default steady API request rate of a shell, per second. */
  public static final double API_QPS = 20;
  /** Default API requests that may go out at once before the rate applies. */
  public static final int API_BURST = 40;
  /** Default retries of one API request after 429, 5xx or a connection error. */
  public static final int API_RETRIES = 4;
  /** Default of how long a Job may go without a watch event before the shell GETs it. */
  public static final Duration WATCH_SILENCE_BOUND = Duration.ofMinutes(5);
  /** The Job label that hands a Job to Kueue: the name of a LocalQueue in the Job's namespace. */
  public static final String KUEUE_QUEUE_LABEL = "kueue.x-k8s.io/queue-name";
  /** The Job label naming Kueue's WorkloadPriorityClass for it. */
  public static final String KUEUE_PRIORITY_LABEL = "kueue.x-k8s.io/priority-class";

  private KubernetesSettings() {}

  /** Why {@code policy} is no image pull policy, or empty. */
  public static Optional<String> imagePullPolicyProblem(String policy) {
    return IMAGE_PULL_POLICIES.contains(policy) ? Optional.empty()
        : Optional.of("expected Always, IfNotPresent or Never, got '" + policy + "'");
  }

  /** Why {@code queue} cannot be the Kueue LocalQueue of a Job, or empty. */
  public static Optional<String> queueProblem(String queue) {
    return KubernetesValues.kueueNameProblem(queue, "LocalQueue", KUEUE_QUEUE_LABEL);
  }

  /** Why {@code priorityClass} cannot be the Kueue WorkloadPriorityClass of a Job, or empty. */
  public static Optional<String> queuePriorityProblem(String priorityClass) {
    return KubernetesValues.kueueNameProblem(priorityClass, "WorkloadPriorityClass", KUEUE_PRIORITY_LABEL);
  }

  /**
   * Every problem of the Job settings both layers hold, each as {@code label(key) + " " + problem}
   * where {@code key} is the setting's TOML key ({@code launch-concurrency}) and {@code label}
   * turns it into the caller's name for it (configuration: {@code "launch-concurrency:"}; the
   * shell's options: {@code "launchConcurrency"}).
   */
  public static List<String> jobProblems(UnaryOperator<String> label, String namespace, Duration ttlAfterFinished,
      int backoffLimit, Optional<Duration> activeDeadline, Duration pendingTimeout, Duration imagePullTimeout,
      int maxEvictionRetries, double logSampleFraction, int launchConcurrency, Set<String> workloadIdentityNamespaces,
      Optional<String> queue, Optional<String> queuePriority, int batchSize) {
    List<String> problems = new ArrayList<>();
    Problems p = new Problems(label, problems);
    p.add("namespace", KubernetesValues.namespaceProblem(namespace));
    p.add("ttl-after-finished", required(ttlAfterFinished, d -> Ranges.atLeastProblem(Duration.ZERO, d)));
    p.add("backoff-limit", Ranges.atLeastProblem(0, backoffLimit));
    activeDeadline.ifPresent(d -> p.add("active-deadline", Ranges.atLeastProblem(MIN_ACTIVE_DEADLINE, d)));
    p.add("pending-timeout", required(pendingTimeout, Ranges::positiveProblem));
    p.add("image-pull-timeout", required(imagePullTimeout, Ranges::positiveProblem));
    p.add("max-eviction-retries", Ranges.atLeastProblem(0, maxEvictionRetries));
    p.add("log-sample-fraction", Ranges.betweenProblem(0.0, 1.0, logSampleFraction));
    p.add("launch-concurrency", Ranges.atLeastProblem(1, launchConcurrency));
    workloadIdentityNamespaces.forEach(ns -> p.add("workload-identity.namespaces", KubernetesValues.namespaceProblem(ns)));
    queue.ifPresent(q -> p.add("queue", queueProblem(q)));
    queuePriority.ifPresent(c -> p.add("queue-priority", queuePriorityProblem(c)));
    p.add("batch-size", Ranges.betweenProblem(1, MAX_BATCH_SIZE, batchSize));
    return problems;
  }

  /** {@code is required} for a missing value, else its own rule. */
  static Optional<String> required(Duration d, java.util.function.Function<Duration, Optional<String>> rule) {
    return d == null ? Optional.of("is required") : rule.apply(d);
  }

  private record Problems(UnaryOperator<String> label, List<String> problems) {
    void add(String key, Optional<String> problem) {
      problem.ifPresent(p -> problems.add(label.apply(key) + " " + p));
    }
  }
}
