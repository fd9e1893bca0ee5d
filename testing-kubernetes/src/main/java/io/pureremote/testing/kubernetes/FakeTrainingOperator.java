package io.pureremote.testing.kubernetes;

import io.fabric8.kubernetes.api.model.ContainerStatusBuilder;
import io.fabric8.kubernetes.api.model.EnvVar;
import io.fabric8.kubernetes.api.model.GenericKubernetesResource;
import io.fabric8.kubernetes.api.model.OwnerReference;
import io.fabric8.kubernetes.api.model.OwnerReferenceBuilder;
import io.fabric8.kubernetes.api.model.Pod;
import io.fabric8.kubernetes.api.model.PodBuilder;
import io.fabric8.kubernetes.api.model.PodConditionBuilder;
import io.fabric8.kubernetes.api.model.PodStatus;
import io.fabric8.kubernetes.api.model.PodStatusBuilder;
import io.fabric8.kubernetes.api.model.PodTemplateSpec;
import io.fabric8.kubernetes.api.model.ServiceBuilder;
import io.fabric8.kubernetes.client.KubernetesClient;
import io.fabric8.kubernetes.client.KubernetesClientException;
import io.fabric8.kubernetes.client.dsl.base.ResourceDefinitionContext;
import io.fabric8.kubernetes.client.informers.ResourceEventHandler;
import io.fabric8.kubernetes.client.informers.SharedIndexInformer;
import io.fabric8.kubernetes.client.utils.KubernetesSerialization;
import java.nio.file.Path;
import java.time.Instant;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Queue;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Plays the Kubeflow training operator's PyTorchJob controller ({@code kubeflow.org/v1},
 * training-operator v1.9: {@code pkg/controller.v1/pytorch}) against the mock API server, the way
 * the real one behaves, for PyTorchJobs in one namespace:
 *
 * <ul>
 *   <li>{@code Created} (reason {@code PyTorchJobCreated}); a headless Service per replica pod
 *       ({@code <name>-master-0}, {@code <name>-worker-<i>}, on the master container's {@code
 *       pytorchjob-port}, default 23456) and the pods of the same names, with the operator's labels
 *       ({@code training.kubeflow.org/job-name}, {@code operator-name: pytorchjob-controller},
 *       {@code replica-type: master|worker}, {@code replica-index}, {@code job-role: master}) and
 *       env, appended to every container as the operator does: {@code PYTHONUNBUFFERED}, {@code
 *       MASTER_ADDR}/{@code PET_MASTER_ADDR} = {@code <name>-master-0}, {@code MASTER_PORT}/{@code
 *       PET_MASTER_PORT}, {@code WORLD_SIZE} (replicas × {@code nprocPerNode}, 1 when not a number),
 *       {@code RANK} = {@code PET_NODE_RANK} (master 0, worker {@code i + 1}), {@code
 *       PET_NPROC_PER_NODE}, {@code PET_NNODES};
 *   <li>{@code Running} (reason {@code PyTorchJobRunning}) once every pod runs; a container that
 *       fails under {@code restartPolicy: OnFailure} is restarted in place and the job is {@code
 *       Restarting} (reason {@code PyTorchJobRestarting}) meanwhile, up to {@code
 *       runPolicy.backoffLimit};
 *   <li>{@code Succeeded} (reason {@code PyTorchJobSucceeded}) when the master succeeded, {@code
 *       Failed} (reason {@code PyTorchJobFailed}, "... is failed because 1 Worker replica(s)
 *       failed.") when a replica failed for good; {@code Running} turns False; then {@code
 *       runPolicy.cleanPodPolicy} ({@code Running}: the pods still running are deleted, {@code All},
 *       {@code None}). Deleting the PyTorchJob deletes its pods and Services.
 * </ul>
 *
 * <p>Every container runs as a local process of its image's entrypoint ({@link #image}); the
 * Services' names resolve to loopback in those processes (a hosts file), as cluster DNS would
 * resolve them to the pods. The worker's {@code init-pytorch} init container (an {@code alpine}
 * {@code nslookup} of the master) is not played. Each new PyTorchJob takes the next queued {@link
 * Behaviour}.
 */
public final class FakeTrainingOperator implements AutoCloseable {
  private static final Logger log = LoggerFactory.getLogger(FakeTrainingOperator.class);
  /** The PyTorchJob CRD's name. */
  public static final String CRD_NAME = "pytorchjobs.kubeflow.org";
  static final ResourceDefinitionContext PYTORCHJOBS = new ResourceDefinitionContext.Builder()
      .withGroup("kubeflow.org").withVersion("v1").withKind("PyTorchJob").withPlural("pytorchjobs").withNamespaced(true).build();
  static final String JOB_NAME = "training.kubeflow.org/job-name";
  static final String REPLICA_TYPE = "training.kubeflow.org/replica-type";
  static final String REPLICA_INDEX = "training.kubeflow.org/replica-index";
  static final String DEFAULT_PORT_NAME = "pytorchjob-port";
  static final int DEFAULT_PORT = 23456;

  /** What happens to the next PyTorchJob. */
  public enum Behaviour {
    /** Run it. */
    NORMAL,
    /** The pods never schedule (PodScheduled=False, Unschedulable); the job stays Created. */
    UNSCHEDULABLE,
    /**
     * Once the pods run, the kubelet evicts worker 0 (its process killed; pod Failed with reason
     * {@code Evicted} and condition {@code DisruptionTarget}); under {@code restartPolicy: Never}
     * the job then fails, as with the real operator.
     */
    EVICT_WORKER
  }

  private final KubernetesClient client;
  private final String namespace;
  private final LocalContainers containers = new LocalContainers();
  private final Queue<Behaviour> behaviours = new ConcurrentLinkedQueue<>();
  private final List<String> seen = new CopyOnWriteArrayList<>();
  private final Map<String, Boolean> active = new ConcurrentHashMap<>();
  private final ExecutorService threads = Executors.newThreadPerTaskExecutor(
      Thread.ofVirtual().name("fake-training-operator-", 0).factory());
  private SharedIndexInformer<GenericKubernetesResource> informer;
  private volatile boolean closed;

  /** An operator for PyTorchJobs in {@code namespace}; it serves its pods' logs; {@link #start()} starts it. */
  public FakeTrainingOperator(MockKubernetes cluster, String namespace) {
    this.client = cluster.client("training-operator");
    this.namespace = namespace;
    cluster.logSource(containers::serveLog);
  }

  /** Installs the PyTorchJob CRD read from {@code crdYaml} ({@code kubeflow.org_pytorchjobs.v1.yaml}). */
  public static void installCrd(MockKubernetes cluster, Path crdYaml) {
    FakeMpiOperator.installCrd(cluster, crdYaml);
  }

  /** The command a container of {@code image} runs before its args, e.g. {@link FakeKubelet#javaEntrypoint()}. */
  public FakeTrainingOperator image(String image, List<String> entrypoint) {
    containers.image(image, entrypoint);
    return this;
  }

  /** The next PyTorchJob gets {@code behaviour}; returns this. */
  public FakeTrainingOperator then(Behaviour behaviour) {
    behaviours.add(behaviour);
    return this;
  }

  /** Names of the PyTorchJobs this operator saw created, in order. */
  public List<String> pytorchJobsSeen() {
    return List.copyOf(seen);
  }

  /** Starts watching PyTorchJobs; returns this. */
  public FakeTrainingOperator start() {
    informer = client.genericKubernetesResources(PYTORCHJOBS).inNamespace(namespace).inform(new ResourceEventHandler<>() {
      @Override
      public void onAdd(GenericKubernetesResource job) {
        String key = job.getMetadata().getName() + "/" + job.getMetadata().getUid();
        if (!closed && active.putIfAbsent(key, true) == null) {
          seen.add(job.getMetadata().getName());
          Behaviour b = behaviours.poll();
          threads.execute(() -> reconcile(job, b == null ? Behaviour.NORMAL : b));
        }
      }

      @Override
      public void onUpdate(GenericKubernetesResource old, GenericKubernetesResource job) {
        if (job.getMetadata().getDeletionTimestamp() != null) {
          cleanUp(job.getMetadata().getName(), "all");
        }
      }

      @Override
      public void onDelete(GenericKubernetesResource job, boolean unknown) {
        active.remove(job.getMetadata().getName() + "/" + job.getMetadata().getUid());
        cleanUp(job.getMetadata().getName(), "all");
      }
    }, 0);
    return this;
  }

  @Override
  public void close() {
    closed = true;
    if (informer != null) {
      informer.close();
    }
    containers.killAll();
    threads.shutdownNow();
  }

  // ---- the controller ----

  private record Replica(String type, int index, int rank, String pod, Map<String, Object> spec) {}

  @SuppressWarnings("unchecked")
  private void reconcile(GenericKubernetesResource job, Behaviour behaviour) {
    String name = job.getMetadata().getName();
    KubernetesSerialization json = client.getKubernetesSerialization();
    try {
      Map<String, Object> spec = (Map<String, Object>) job.getAdditionalProperties().get("spec");
      Map<String, Object> specs = (Map<String, Object>) spec.get("pytorchReplicaSpecs");
      Map<String, Object> runPolicy = (Map<String, Object>) spec.getOrDefault("runPolicy", Map.of());
      String nproc = String.valueOf(spec.getOrDefault("nprocPerNode", "auto"));
      int nprocNumber = nproc.chars().allMatch(Character::isDigit) && !nproc.isEmpty() ? Integer.parseInt(nproc) : 1;
      List<Replica> replicas = new ArrayList<>();
      for (String type : List.of("Master", "Worker")) {
        Map<String, Object> r = (Map<String, Object>) specs.get(type);
        int n = r == null ? 0 : ((Number) r.getOrDefault("replicas", 1)).intValue();
        for (int i = 0; i < n; i++) {
          int rank = type.equals("Worker") && specs.containsKey("Master") ? i + 1 : i;
          replicas.add(new Replica(type.toLowerCase(Locale.ROOT), i, rank, name + "-" + type.toLowerCase(Locale.ROOT) + "-" + i, r));
        }
      }
      int total = replicas.size();
      Map<String, Object> master = (Map<String, Object>) specs.get("Master");
      int port = master == null ? DEFAULT_PORT : masterPort(json.convertValue(master.get("template"), PodTemplateSpec.class));
      String masterAddr = name + "-master-0";
      OwnerReference owner = new OwnerReferenceBuilder().withApiVersion("kubeflow.org/v1").withKind("PyTorchJob")
          .withName(name).withUid(job.getMetadata().getUid()).withController(true).withBlockOwnerDeletion(true).build();
      List<Map<String, Object>> conditions = new ArrayList<>();
      conditions.add(condition("Created", "True", "PyTorchJobCreated", "PyTorchJob " + name + " is created."));
      status(name, conditions, Map.of());

      for (Replica r : replicas) {
        client.services().inNamespace(namespace).resource(new ServiceBuilder()
            .withNewMetadata().withName(r.pod()).withNamespace(namespace).withLabels(labels(name, r))
              .withOwnerReferences(owner).endMetadata()
            .withNewSpec().withClusterIP("None").withSelector(labels(name, r))
              .addNewPort().withName(DEFAULT_PORT_NAME).withPort(port).endPort().endSpec()
            .build()).create();
      }
      Path hosts = LocalContainers.hostsFile("fake-training-operator-" + name, namespace,
          replicas.stream().map(Replica::pod).toList());
      Map<String, Pod> pods = new LinkedHashMap<>();
      for (Replica r : replicas) {
        PodTemplateSpec template = json.convertValue(r.spec().get("template"), PodTemplateSpec.class);
        Map<String, String> labels = new LinkedHashMap<>(template.getMetadata() == null || template.getMetadata().getLabels() == null
            ? Map.of() : template.getMetadata().getLabels());
        labels.putAll(labels(name, r));
        if (r.rank() == 0) {
          labels.put("training.kubeflow.org/job-role", "master");
        }
        Pod pod = new PodBuilder()
            .withNewMetadata().withName(r.pod()).withNamespace(namespace).withLabels(labels)
              .withAnnotations(template.getMetadata() == null ? null : template.getMetadata().getAnnotations())
              .withOwnerReferences(owner).endMetadata()
            .withSpec(template.getSpec())
            .withNewStatus().withPhase("Pending").endStatus()
            .build();
        String restart = String.valueOf(r.spec().getOrDefault("restartPolicy", "OnFailure"));
        pod.getSpec().setRestartPolicy(restart.equals("ExitCode") ? "Never" : restart);
        for (var c : pod.getSpec().getContainers()) {
          List<EnvVar> env = new ArrayList<>(c.getEnv() == null ? List.of() : c.getEnv());
          env.add(new EnvVar("PYTHONUNBUFFERED", "0", null));
          if (master != null) {
            env.add(new EnvVar("MASTER_PORT", Integer.toString(port), null));
            env.add(new EnvVar("PET_MASTER_PORT", Integer.toString(port), null));
            env.add(new EnvVar("MASTER_ADDR", masterAddr, null));
            env.add(new EnvVar("PET_MASTER_ADDR", masterAddr, null));
            env.add(new EnvVar("WORLD_SIZE", Integer.toString(total * nprocNumber), null));
            env.add(new EnvVar("RANK", Integer.toString(r.rank()), null));
            env.add(new EnvVar("PET_NPROC_PER_NODE", nproc, null));
            env.add(new EnvVar("PET_NODE_RANK", Integer.toString(r.rank()), null));
          }
          env.add(new EnvVar("PET_NNODES", Integer.toString(total), null));
          c.setEnv(env);
        }
        pods.put(r.pod(), client.pods().inNamespace(namespace).resource(pod).create());
      }
      if (behaviour == Behaviour.UNSCHEDULABLE) {
        for (String pod : pods.keySet()) {
          podStatus(pod, new PodStatusBuilder().withPhase("Pending").withConditions(new PodConditionBuilder()
              .withType("PodScheduled").withStatus("False").withReason("Unschedulable")
              .withMessage("0/3 nodes are available: 3 Insufficient nvidia.com/gpu.").build()).build());
        }
        return;
      }
      run(name, replicas, pods, hosts, conditions, runPolicy, behaviour);
    } catch (KubernetesClientException e) {
      if (!closed) {
        log.warn("fake training operator: PyTorchJob {} failed: {}", name, e.toString());
      }
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
    } catch (RuntimeException e) {
      log.warn("fake training operator: PyTorchJob {} crashed", name, e);
    }
  }

  private void run(String name, List<Replica> replicas, Map<String, Pod> pods, Path hosts, List<Map<String, Object>> conditions,
      Map<String, Object> runPolicy, Behaviour behaviour) throws InterruptedException {
    int backoffLimit = ((Number) runPolicy.getOrDefault("backoffLimit", 6)).intValue();
    Map<String, CompletableFuture<Integer>> exits = new ConcurrentHashMap<>();
    for (Pod pod : pods.values()) {
      exits.put(pod.getMetadata().getName(), startPod(pod, hosts, 0));
    }
    setCondition(conditions, condition("Running", "True", "PyTorchJobRunning", "PyTorchJob " + name + " is running."));
    status(name, conditions, replicaStatuses(replicas, Map.of()));
    Map<String, String> ended = new LinkedHashMap<>();
    int restarts = 0;
    String evicted = null;
    if (behaviour == Behaviour.EVICT_WORKER) {
      evicted = replicas.stream().filter(r -> r.type().equals("worker")).map(Replica::pod).findFirst().orElse(null);
      if (evicted != null) {
        Thread.sleep(300);
        Pod pod = pods.get(evicted);
        var c = pod.getSpec().getContainers().getFirst();
        podStatus(evicted, new PodStatusBuilder().withPhase("Failed").withReason("Evicted")
            .withMessage("The node was low on resource: memory.")
            .withConditions(new PodConditionBuilder().withType("DisruptionTarget").withStatus("True")
                .withReason("TerminationByKubelet").withMessage("The node was low on resource: memory.").build())
            .withContainerStatuses(new ContainerStatusBuilder().withName(c.getName()).withImage(c.getImage()).withReady(false)
                .withNewState().withNewTerminated().withExitCode(137).withReason("Error").withFinishedAt(Instant.now().toString())
                .endTerminated().endState().build())
            .build());
        containers.kill(evicted);
      }
    }
    while (!closed && active.keySet().stream().anyMatch(k -> k.startsWith(name + "/"))) {
      for (Replica r : replicas) {
        CompletableFuture<Integer> exit = exits.get(r.pod());
        if (ended.containsKey(r.pod()) || !exit.isDone()) {
          continue;
        }
        int code = exit.isCompletedExceptionally() ? 128 : exit.join();
        Pod pod = pods.get(r.pod());
        if (code != 0 && "OnFailure".equals(pod.getSpec().getRestartPolicy()) && restarts < backoffLimit) {
          restarts++;
          setCondition(conditions, condition("Restarting", "True", "PyTorchJobRestarting", "PyTorchJob " + name + " is "
              + "restarting because 1 " + capital(r.type()) + " replica(s) failed."));
          status(name, conditions, replicaStatuses(replicas, ended));
          exits.put(r.pod(), startPod(pod, hosts, restarts));
          setCondition(conditions, condition("Running", "True", "PyTorchJobRunning", "PyTorchJob " + name + " is running."));
          status(name, conditions, replicaStatuses(replicas, ended));
          continue;
        }
        ended.put(r.pod(), code == 0 ? "succeeded" : "failed");
        if (!r.pod().equals(evicted)) {
          podStatus(r.pod(), terminated(pod, code));
        }
        if (code == 0 && r.rank() == 0 && r.type().equals("master")) {
          finish(name, replicas, conditions, ended, condition("Succeeded", "True", "PyTorchJobSucceeded",
              "PyTorchJob " + name + " is successfully completed."), runPolicy);
          return;
        }
        if (code != 0) {
          finish(name, replicas, conditions, ended, condition("Failed", "True", "PyTorchJobFailed", "PyTorchJob " + name
              + " is failed because 1 " + capital(r.type()) + " replica(s) failed."), runPolicy);
          return;
        }
      }
      Thread.sleep(50);
    }
  }

  private CompletableFuture<Integer> startPod(Pod pod, Path hosts, int restarts) {
    CompletableFuture<Integer> exit = containers.start(pod, hosts);
    var c = pod.getSpec().getContainers().getFirst();
    podStatus(pod.getMetadata().getName(), new PodStatusBuilder().withPhase("Running").withStartTime(Instant.now().toString())
        .withConditions(new PodConditionBuilder().withType("Ready").withStatus("True").build())
        .withContainerStatuses(new ContainerStatusBuilder().withName(c.getName()).withImage(c.getImage()).withReady(true)
            .withRestartCount(restarts).withNewState().withNewRunning().withStartedAt(Instant.now().toString()).endRunning()
            .endState().build())
        .build());
    return exit;
  }

  private void finish(String name, List<Replica> replicas, List<Map<String, Object>> conditions, Map<String, String> ended,
      Map<String, Object> outcome, Map<String, Object> runPolicy) {
    setCondition(conditions, condition("Running", "False", "PyTorchJobRunning", "PyTorchJob " + name + " is running."));
    setCondition(conditions, outcome);
    status(name, conditions, replicaStatuses(replicas, ended));
    String clean = String.valueOf(runPolicy.getOrDefault("cleanPodPolicy", "None"));
    if (!clean.equals("None")) {
      for (Replica r : replicas) {
        if (!ended.containsKey(r.pod())) {
          containers.kill(r.pod());
        }
      }
      cleanUp(name, clean.equals("All") ? "all" : "running");
    }
  }

  private static Map<String, Object> replicaStatuses(List<Replica> replicas, Map<String, String> ended) {
    Map<String, Object> statuses = new LinkedHashMap<>();
    for (String type : List.of("master", "worker")) {
      List<Replica> of = replicas.stream().filter(r -> r.type().equals(type)).toList();
      if (of.isEmpty()) {
        continue;
      }
      long succeeded = of.stream().filter(r -> "succeeded".equals(ended.get(r.pod()))).count();
      long failed = of.stream().filter(r -> "failed".equals(ended.get(r.pod()))).count();
      statuses.put(capital(type), Map.of("active", of.size() - succeeded - failed, "succeeded", succeeded, "failed", failed));
    }
    return statuses;
  }

  private static String capital(String type) {
    return Character.toUpperCase(type.charAt(0)) + type.substring(1);
  }

  private static int masterPort(PodTemplateSpec template) {
    for (var c : template.getSpec().getContainers()) {
      if ("pytorch".equals(c.getName()) && c.getPorts() != null) {
        for (var p : c.getPorts()) {
          if (DEFAULT_PORT_NAME.equals(p.getName())) {
            return p.getContainerPort();
          }
        }
      }
    }
    return DEFAULT_PORT;
  }

  private static Map<String, String> labels(String name, Replica r) {
    Map<String, String> labels = new LinkedHashMap<>();
    labels.put(JOB_NAME, name);
    labels.put("training.kubeflow.org/operator-name", "pytorchjob-controller");
    labels.put(REPLICA_TYPE, r.type());
    labels.put(REPLICA_INDEX, Integer.toString(r.index()));
    return labels;
  }

  private static PodStatus terminated(Pod pod, int code) {
    var c = pod.getSpec().getContainers().getFirst();
    String now = Instant.now().toString();
    return new PodStatusBuilder().withPhase(code == 0 ? "Succeeded" : "Failed")
        .withContainerStatuses(new ContainerStatusBuilder().withName(c.getName()).withImage(c.getImage()).withReady(false)
            .withNewState().withNewTerminated().withExitCode(code).withReason(code == 0 ? "Completed" : "Error")
            .withFinishedAt(now).endTerminated().endState().build())
        .build();
  }

  private void podStatus(String pod, PodStatus status) {
    try {
      Pod current = client.pods().inNamespace(namespace).withName(pod).get();
      if (current != null) {
        current.setStatus(status);
        client.pods().inNamespace(namespace).resource(current).updateStatus();
      }
    } catch (KubernetesClientException e) {
      log.debug("fake training operator: status of pod {}: {}", pod, e.toString());
    }
  }

  private static void setCondition(List<Map<String, Object>> conditions, Map<String, Object> c) {
    conditions.removeIf(old -> old.get("type").equals(c.get("type")));
    conditions.add(c);
  }

  private static Map<String, Object> condition(String type, String status, String reason, String message) {
    Map<String, Object> c = new LinkedHashMap<>();
    String now = Instant.now().toString();
    c.put("type", type);
    c.put("status", status);
    c.put("reason", reason);
    c.put("message", message);
    c.put("lastUpdateTime", now);
    c.put("lastTransitionTime", now);
    return c;
  }

  private void status(String name, List<Map<String, Object>> conditions, Map<String, Object> replicaStatuses) {
    GenericKubernetesResource job = client.genericKubernetesResources(PYTORCHJOBS).inNamespace(namespace).withName(name).get();
    if (job == null) {
      return;
    }
    Map<String, Object> status = new LinkedHashMap<>();
    status.put("conditions", List.copyOf(conditions));
    status.put("replicaStatuses", replicaStatuses);
    status.put("startTime", job.getMetadata().getCreationTimestamp());
    job.setAdditionalProperty("status", status);
    client.genericKubernetesResources(PYTORCHJOBS).inNamespace(namespace).resource(job).updateStatus();
  }

  /** Deletes the job's pods ({@code all}, or only those still {@code running}) and, with all, its Services. */
  private void cleanUp(String name, String which) {
    threads.execute(() -> {
      try {
        for (Pod pod : client.pods().inNamespace(namespace).withLabel(JOB_NAME, name).list().getItems()) {
          String phase = pod.getStatus() == null ? null : pod.getStatus().getPhase();
          if (which.equals("all") || "Running".equals(phase) || "Pending".equals(phase)) {
            containers.kill(pod.getMetadata().getName());
            client.pods().inNamespace(namespace).resource(pod).delete();
          }
        }
        if (which.equals("all")) {
          client.services().inNamespace(namespace).withLabel(JOB_NAME, name).delete();
        }
      } catch (KubernetesClientException e) {
        log.debug("fake training operator: cleaning up {}: {}", name, e.toString());
      }
    });
  }
}
