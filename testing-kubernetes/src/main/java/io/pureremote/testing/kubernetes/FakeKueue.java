package io.pureremote.testing.kubernetes;

import io.fabric8.kubernetes.api.model.GenericKubernetesResource;
import io.fabric8.kubernetes.api.model.batch.v1.Job;
import io.fabric8.kubernetes.api.model.batch.v1.JobCondition;
import io.fabric8.kubernetes.client.KubernetesClient;
import io.fabric8.kubernetes.client.KubernetesClientException;
import io.fabric8.kubernetes.client.dsl.base.PatchContext;
import io.fabric8.kubernetes.client.dsl.base.PatchType;
import io.fabric8.kubernetes.client.dsl.base.ResourceDefinitionContext;
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
 *   <li><b>Workloads</b>: each queued Job gets a {@code kueue.x-k8s.io/v1beta2} {@code Workload}
 *       {@code job-<job>-<5 hex of its uid>}, labelled {@value #JOB_UID_LABEL} with the Job's uid and
 *       owned by it, whose conditions say what Kueue decided: {@code QuotaReserved} and {@code
 *       Admitted} on admission; on a preemption {@code Evicted=True} (reason {@code Preempted}) and
 *       {@code Preempted=True} (reason {@code InClusterQueue}), set before the Job is suspended, as
 *       Kueue evicts the Workload first; on the next admission both turn {@code False} with the
 *       message {@code Previously: ...}.
 *   <li><b>Preemption</b> ({@link #preempt}): an admitted Job is suspended again and requeued;
 *       the Job controller ({@link FakeKubelet}) deletes its pods, which counts as no failure.
 * </ul>
 *
 * <p>Not played: the Workload's full spec (it holds the queue name and one pod set with the Job's
 * count, not the pod template), ResourceFlavor node selectors injected on admission, fair sharing,
 * cohorts and borrowing.
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
  /** The label Kueue puts on a Workload with the uid of its Job. */
  public static final String JOB_UID_LABEL = "kueue.x-k8s.io/job-uid";
  /** Kueue's Workloads, as served since Kueue 0.15. */
  public static final ResourceDefinitionContext WORKLOADS = new ResourceDefinitionContext.Builder()
      .withGroup("kueue.x-k8s.io").withVersion("v1beta2").withKind("Workload").withPlural("workloads").withNamespaced(true)
      .build();

  private final KubernetesClient client;
  private final String namespace;
  private final Map<String, Integer> quotas = new ConcurrentHashMap<>();
  private final Map<String, Integer> priorities = new ConcurrentHashMap<>();
  private final Set<String> admittedNow = ConcurrentHashMap.newKeySet();
  private final List<String> admissions = new CopyOnWriteArrayList<>();
  private final List<String> suspendedOnCreate = new CopyOnWriteArrayList<>();
  /** Workload names by Job name. */
  private final Map<String, String> workloads = new ConcurrentHashMap<>();
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
    String message = "Preempted to accommodate a workload (UID: " + PREEMPTOR_UID + ", JobUID: " + PREEMPTOR_UID
        + ") due to prioritization in the ClusterQueue";
    workloadConditions(name, Map.of(
        "QuotaReserved", condition("False", "Pending", message),
        "Admitted", condition("False", "NoReservation", "The workload has no reservation"),
        "Evicted", condition("True", "Preempted", message),
        "Preempted", condition("True", "InClusterQueue", message)));
    setSuspend(name, true);
    return true;
  }

  /** The uid the preemption messages name as the workload that took the quota. */
  public static final String PREEMPTOR_UID = "00000000-0000-0000-0000-0000000000aa";

  /** The Workload of Job {@code name}, if Kueue made one. */
  public java.util.Optional<GenericKubernetesResource> workload(String name) {
    return java.util.Optional.ofNullable(workloads.get(name))
        .map(w -> client.genericKubernetesResources(WORKLOADS).inNamespace(namespace).withName(w).get());
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
          ensureWorkload(j, queue);
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
        readmitted(name, queue);
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

  /** Kueue's Workload for a queued Job, created once (no conditions yet: pending). */
  private void ensureWorkload(Job job, String queue) {
    String jobName = job.getMetadata().getName();
    String uid = job.getMetadata().getUid();
    if (uid == null || workloads.containsKey(jobName)) {
      return;
    }
    String name = "job-" + jobName + "-" + uid.replace("-", "").substring(0, 5);
    Map<String, Object> podSet = new LinkedHashMap<>();
    podSet.put("name", "main");
    podSet.put("count", job.getSpec().getParallelism() == null ? 1 : job.getSpec().getParallelism());
    Map<String, Object> spec = new LinkedHashMap<>();
    spec.put("queueName", queue);
    spec.put("podSets", List.of(podSet));
    GenericKubernetesResource workload = new io.fabric8.kubernetes.api.model.GenericKubernetesResourceBuilder()
        .withApiVersion("kueue.x-k8s.io/v1beta2").withKind("Workload")
        .withNewMetadata().withName(name).withNamespace(namespace).addToLabels(JOB_UID_LABEL, uid)
        .addNewOwnerReference().withApiVersion("batch/v1").withKind("Job").withName(jobName).withUid(uid)
        .withController(true).withBlockOwnerDeletion(true).endOwnerReference()
        .endMetadata().build();
    workload.setAdditionalProperty("spec", spec);
    try {
      client.genericKubernetesResources(WORKLOADS).inNamespace(namespace).resource(workload).create();
      workloads.put(jobName, name);
    } catch (KubernetesClientException e) {
      log.info("fake kueue: could not create Workload {}: {}", name, e.getMessage());
    }
  }

  /** On (re-)admission: quota reserved and admitted; an earlier eviction turns False, "Previously: ...". */
  private void readmitted(String jobName, String queue) {
    String message = "Quota reserved in ClusterQueue cluster-" + queue;
    workloadConditions(jobName, Map.of(
        "QuotaReserved", condition("True", "QuotaReserved", message),
        "Admitted", condition("True", "Admitted", "The workload is admitted"),
        "Evicted", condition("False", "QuotaReserved", null),
        "Preempted", condition("False", "QuotaReserved", null)));
  }

  /**
   * Sets conditions of Job {@code jobName}'s Workload by type; a condition with a null message
   * turns an existing one of its type to its status with "Previously: <old message>", and is left
   * out when there is none.
   */
  @SuppressWarnings("unchecked")
  private void workloadConditions(String jobName, Map<String, Map<String, Object>> byType) {
    String name = workloads.get(jobName);
    if (name == null) {
      return;
    }
    try {
      GenericKubernetesResource workload = client.genericKubernetesResources(WORKLOADS).inNamespace(namespace).withName(name).get();
      if (workload == null) {
        return;
      }
      Object status = workload.getAdditionalProperties().get("status");
      Object old = status instanceof Map<?, ?> m ? m.get("conditions") : null;
      Map<String, Map<String, Object>> conditions = new LinkedHashMap<>();
      if (old instanceof List<?> list) {
        for (Object c : list) {
          if (c instanceof Map<?, ?> m) {
            conditions.put((String) m.get("type"), new LinkedHashMap<>((Map<String, Object>) m));
          }
        }
      }
      for (String type : List.of("QuotaReserved", "Admitted", "Evicted", "Preempted")) {
        Map<String, Object> c = byType.get(type);
        if (c == null) {
          continue;
        }
        Map<String, Object> next = new LinkedHashMap<>(c);
        next.put("type", type);
        Map<String, Object> previous = conditions.get(type);
        if (next.get("message") == null) {
          if (previous == null) {
            continue;
          }
          next.put("message", "Previously: " + previous.get("message"));
        }
        conditions.put(type, next);
      }
      workload.setAdditionalProperty("status", Map.of("conditions", List.copyOf(conditions.values())));
      client.genericKubernetesResources(WORKLOADS).inNamespace(namespace).resource(workload).updateStatus();
    } catch (KubernetesClientException e) {
      log.info("fake kueue: could not update Workload {}: {}", name, e.getMessage());
    }
  }

  private static Map<String, Object> condition(String status, String reason, String message) {
    Map<String, Object> c = new LinkedHashMap<>();
    c.put("status", status);
    c.put("reason", reason);
    c.put("message", message);
    c.put("lastTransitionTime", java.time.Instant.now().toString());
    return c;
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
