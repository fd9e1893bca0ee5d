package io.pureremote.testing.kubernetes;

import io.fabric8.kubernetes.api.model.GenericKubernetesResource;
import io.fabric8.kubernetes.api.model.batch.v1.Job;
import io.fabric8.kubernetes.api.model.batch.v1.JobCondition;
import io.fabric8.kubernetes.client.KubernetesClient;
import io.fabric8.kubernetes.client.KubernetesClientException;
import io.fabric8.kubernetes.client.dsl.base.PatchContext;
import io.fabric8.kubernetes.client.dsl.base.PatchType;
import io.fabric8.kubernetes.client.informers.SharedIndexInformer;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Plays Kueue's {@code batch/job} integration against {@link MockKubernetes}, as far as a Job's
 * author can see it (Kueue's {@code pkg/controller/jobs/job} and {@code site/.../tasks/run/jobs.md}):
 *
 * <ul>
 *   <li><b>Webhook</b>: a Job created with the label {@value #QUEUE_LABEL} is stored with {@code
 *       spec.suspend: true} (a mutating admission hook on the mock, so no controller ever sees it
 *       unsuspended). Jobs without the label are left alone (Kueue's default {@code
 *       manageJobsWithoutQueueName: false}).
 *   <li><b>Admission</b>: each {@link #localQueue LocalQueue} admits up to its quota of Jobs at
 *       once, highest {@link #priorityClass priority} ({@value #PRIORITY_LABEL}) first, then oldest
 *       first, by setting {@code spec.suspend: false}. A Job naming a LocalQueue that does not exist
 *       stays suspended (its Workload is inadmissible). Quota is freed when the Job is {@code
 *       Complete} or {@code Failed} (its pods have terminated) or deleted.
 *   <li><b>Preemption</b> ({@link #preempt}): an admitted Job is suspended again and requeued;
 *       the Job controller ({@link FakeKubelet}) deletes its pods, which counts as no failure.
 * </ul>
 *
 * <p>Not played: the {@code Workload} objects (and their {@code Admitted} condition), ResourceFlavor
 * node selectors injected on admission, fair sharing, cohorts and borrowing. The shell reads only the
 * Job, so these change nothing it sees.
 *
 * <pre>{@code
 * try (MockKubernetes cluster = new MockKubernetes();
 *      FakeKubelet kubelet = new FakeKubelet(cluster, "ml").inProcess("app:1").start();
 *      FakeKueue kueue = new FakeKueue(cluster, "ml").localQueue("ml-queue", 2).start()) {
 *   // Jobs labelled kueue.x-k8s.io/queue-name=ml-queue run two at a time
 * }
 * }</pre>
 */
public final class FakeKueue implements AutoCloseable {
  private static final Logger log = LoggerFactory.getLogger(FakeKueue.class);
  /** The label that puts a Job in a LocalQueue. */
  public static final String QUEUE_LABEL = "kueue.x-k8s.io/queue-name";
  /** The label naming a Job's WorkloadPriorityClass. */
  public static final String PRIORITY_LABEL = "kueue.x-k8s.io/priority-class";

  private final KubernetesClient client;
  private final String namespace;
  private final Map<String, Integer> quotas = new ConcurrentHashMap<>();
  private final Map<String, Integer> priorities = new ConcurrentHashMap<>();
  private final Set<String> admittedNow = ConcurrentHashMap.newKeySet();
  private final List<String> admissions = new CopyOnWriteArrayList<>();
  private final List<String> suspendedOnCreate = new CopyOnWriteArrayList<>();
  private final ScheduledExecutorService loop = Executors.newSingleThreadScheduledExecutor(r -> {
    Thread t = new Thread(r, "fake-kueue");
    t.setDaemon(true);
    return t;
  });
  private volatile boolean held;
  private volatile int mostAdmittedAtOnce;
  private SharedIndexInformer<Job> informer;

  /** Kueue for Jobs in {@code namespace}; its webhook is installed now, admission runs from {@link #start()}. */
  public FakeKueue(MockKubernetes cluster, String namespace) {
    this.client = cluster.client("kueue");
    this.namespace = Objects.requireNonNull(namespace, "namespace");
    cluster.mutateCreates("jobs", this::suspendOnCreate);
  }

  /** A LocalQueue {@code name} whose ClusterQueue admits up to {@code quota} Jobs at once. */
  public FakeKueue localQueue(String name, int quota) {
    quotas.put(name, quota);
    return this;
  }

  /** A WorkloadPriorityClass {@code name} with {@code value} (higher is admitted first). */
  public FakeKueue priorityClass(String name, int value) {
    priorities.put(name, value);
    return this;
  }

  /** Starts admitting; returns this. */
  public FakeKueue start() {
    informer = client.batch().v1().jobs().inNamespace(namespace).inform();
    loop.scheduleWithFixedDelay(this::admitRound, 50, 50, TimeUnit.MILLISECONDS);
    return this;
  }

  /** While held, nothing is admitted (the ClusterQueue is stopped or full of others' work). */
  public FakeKueue hold(boolean held) {
    this.held = held;
    return this;
  }

  /**
   * Preempts Job {@code name}: suspends it again and requeues it, as Kueue does for a higher-priority
   * workload or a reclaimed quota. Returns whether it was admitted (and so preempted).
   */
  public boolean preempt(String name) {
    if (!admittedNow.remove(name)) {
      return false;
    }
    log.info("fake kueue: preempting Job {}", name);
    setSuspend(name, true);
    return true;
  }

  /** Names of the Jobs admitted so far, in order (a Job admitted again after a preemption appears again). */
  public List<String> admissions() {
    return List.copyOf(admissions);
  }

  /** Names of the Jobs the webhook suspended on create, in order. */
  public List<String> suspendedOnCreate() {
    return List.copyOf(suspendedOnCreate);
  }

  /** The most Jobs that were admitted and not yet finished at one time. */
  public int mostAdmittedAtOnce() {
    return mostAdmittedAtOnce;
  }

  @Override
  public void close() {
    loop.shutdownNow();
    if (informer != null) {
      informer.close();
    }
  }

  @SuppressWarnings("unchecked")
  private GenericKubernetesResource suspendOnCreate(GenericKubernetesResource job) {
    Map<String, String> labels = job.getMetadata().getLabels();
    if (!namespace.equals(job.getMetadata().getNamespace()) && job.getMetadata().getNamespace() != null
        || labels == null || !labels.containsKey(QUEUE_LABEL)) {
      return job;
    }
    Object spec = job.getAdditionalProperties().get("spec");
    Map<String, Object> specMap = spec instanceof Map<?, ?> m ? new LinkedHashMap<>((Map<String, Object>) m) : new LinkedHashMap<>();
    specMap.put("suspend", true);
    job.getAdditionalProperties().put("spec", specMap);
    suspendedOnCreate.add(job.getMetadata().getName());
    return job;
  }

  private void admitRound() {
    try {
      List<Job> jobs = informer.getStore().list();
      Set<String> present = ConcurrentHashMap.newKeySet();
      jobs.forEach(j -> present.add(j.getMetadata().getName()));
      // Quota comes back when a Job is finished (terminal condition: its pods have ended) or gone.
      for (Job j : jobs) {
        if (finished(j)) {
          admittedNow.remove(j.getMetadata().getName());
        }
      }
      admittedNow.retainAll(present);
      if (held) {
        return;
      }
      List<Job> waiting = new ArrayList<>();
      for (Job j : jobs) {
        String queue = label(j, QUEUE_LABEL);
        if (queue != null && Boolean.TRUE.equals(j.getSpec().getSuspend()) && !finished(j)
            && j.getMetadata().getDeletionTimestamp() == null && !admittedNow.contains(j.getMetadata().getName())) {
          waiting.add(j);
        }
      }
      waiting.sort(Comparator.<Job>comparingInt(j -> -priority(j))
          .thenComparing(j -> j.getMetadata().getCreationTimestamp() == null ? "" : j.getMetadata().getCreationTimestamp())
          .thenComparing(j -> j.getMetadata().getName()));
      for (Job j : waiting) {
        String queue = label(j, QUEUE_LABEL);
        Integer quota = quotas.get(queue);
        if (quota == null) {
          continue; // no such LocalQueue: inadmissible, stays suspended
        }
        long inQueue = admittedNow.stream().filter(n -> queue.equals(queueOf(jobs, n))).count();
        if (inQueue >= quota) {
          continue;
        }
        String name = j.getMetadata().getName();
        admittedNow.add(name);
        mostAdmittedAtOnce = Math.max(mostAdmittedAtOnce, admittedNow.size());
        admissions.add(name);
        log.info("fake kueue: admitting Job {} from LocalQueue {}", name, queue);
        setSuspend(name, false);
      }
    } catch (RuntimeException e) {
      log.warn("fake kueue: admission round failed", e);
    }
  }

  private void setSuspend(String name, boolean suspend) {
    try {
      // A merge patch of spec.suspend alone, as Kueue's controller changes only that field.
      client.batch().v1().jobs().inNamespace(namespace).withName(name)
          .patch(PatchContext.of(PatchType.JSON_MERGE), "{\"spec\":{\"suspend\":" + suspend + "}}");
    } catch (KubernetesClientException e) {
      log.info("fake kueue: could not set suspend={} on Job {}: {}", suspend, name, e.getMessage());
      if (!suspend) {
        admittedNow.remove(name);
      }
    }
  }

  private int priority(Job job) {
    String name = label(job, PRIORITY_LABEL);
    return name == null ? 0 : priorities.getOrDefault(name, 0);
  }

  private static String queueOf(List<Job> jobs, String name) {
    return jobs.stream().filter(j -> name.equals(j.getMetadata().getName())).findFirst().map(j -> label(j, QUEUE_LABEL)).orElse(null);
  }

  private static String label(Job job, String key) {
    Map<String, String> labels = job.getMetadata().getLabels();
    return labels == null ? null : labels.get(key);
  }

  private static boolean finished(Job job) {
    if (job.getStatus() == null || job.getStatus().getConditions() == null) {
      return false;
    }
    for (JobCondition c : job.getStatus().getConditions()) {
      if (("Complete".equals(c.getType()) || "Failed".equals(c.getType())) && "True".equals(c.getStatus())) {
        return true;
      }
    }
    return false;
  }
}
