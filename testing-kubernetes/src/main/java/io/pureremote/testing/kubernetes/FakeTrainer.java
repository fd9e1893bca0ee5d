package io.pureremote.testing.kubernetes;

import io.fabric8.kubernetes.api.model.DeletionPropagation;
import io.fabric8.kubernetes.api.model.EnvVar;
import io.fabric8.kubernetes.api.model.EnvVarBuilder;
import io.fabric8.kubernetes.api.model.GenericKubernetesResource;
import io.fabric8.kubernetes.api.model.OwnerReference;
import io.fabric8.kubernetes.api.model.OwnerReferenceBuilder;
import io.fabric8.kubernetes.api.model.PodSpec;
import io.fabric8.kubernetes.api.model.ResourceRequirements;
import io.fabric8.kubernetes.api.model.ServiceBuilder;
import io.fabric8.kubernetes.api.model.batch.v1.Job;
import io.fabric8.kubernetes.api.model.batch.v1.JobBuilder;
import io.fabric8.kubernetes.api.model.batch.v1.JobCondition;
import io.fabric8.kubernetes.api.model.batch.v1.JobTemplateSpec;
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
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Plays Kubeflow Trainer v2's TrainJob controller ({@code trainer.kubeflow.org/v1alpha1}, v2.3)
 * together with the JobSet controller it drives, against the mock API server, for TrainJobs in one
 * namespace that reference a {@code ClusterTrainingRuntime}:
 *
 * <ul>
 *   <li>the runtime's {@code node} replicated Job becomes what JobSet creates: an Indexed Job
 *       {@code <trainjob>-node-0} ({@code completions = parallelism = numNodes}) whose pods carry
 *       the JobSet labels ({@code jobset.sigs.k8s.io/jobset-name}, {@code replicatedjob-name:
 *       node}, {@code job-index}, {@code replicatedjob-replicas}, {@code restart-attempt}) and
 *       {@code trainer.kubeflow.org/trainjob-ancestor-step: trainer}, {@code subdomain:
 *       <trainjob>}, and a headless Service {@code <trainjob>} for their DNS names;
 *   <li>the TrainJob's {@code trainer} overrides the {@code node} container (image, command,
 *       args, env merged by name, {@code resourcesPerNode}), its {@code runtimePatches} the pod
 *       (labels, annotations, service account, node selector, affinity, tolerations, ..., and
 *       container env), and the torch plugin adds {@code PET_NNODES}, {@code PET_NPROC_PER_NODE}
 *       ({@code numProcPerNode}, else {@code auto}), {@code PET_NODE_RANK} (the completion index,
 *       through the downward API), {@code PET_MASTER_ADDR} = {@code <trainjob>-node-0-0.<trainjob>}
 *       and {@code PET_MASTER_PORT} (29400, the controller's fixed port; {@link #masterPort} moves it
 *       for tests on one machine). There is no {@code RANK} or {@code WORLD_SIZE}, as in the real one;
 *   <li>the TrainJob's conditions are the JobSet's, as the jobset plugin copies them: {@code
 *       Complete} (reason {@code AllJobsCompleted}, "jobset completed successfully") once the Job
 *       completed, {@code Failed} (reason {@code FailedJobs}, "jobset failed due to one or more job
 *       failures") once it failed; {@code status.jobsStatus} per replicated Job. Deleting the TrainJob
 *       deletes the Job (foreground) and the Service.
 * </ul>
 *
 * <p>The Job itself is played by a {@link FakeKubelet} on the same namespace (a pod per index, each
 * a local process, the Service's names resolving to loopback). A TrainJob whose runtime does not
 * exist gets no Job, as the real controller only logs and retries.
 */
public final class FakeTrainer implements AutoCloseable {
  private static final Logger log = LoggerFactory.getLogger(FakeTrainer.class);
  /** The TrainJob CRD's name. */
  public static final String CRD_NAME = "trainjobs.trainer.kubeflow.org";
  /** The ClusterTrainingRuntime CRD's name. */
  public static final String RUNTIME_CRD_NAME = "clustertrainingruntimes.trainer.kubeflow.org";
  static final ResourceDefinitionContext TRAINJOBS = new ResourceDefinitionContext.Builder()
      .withGroup("trainer.kubeflow.org").withVersion("v1alpha1").withKind("TrainJob").withPlural("trainjobs")
      .withNamespaced(true).build();
  static final ResourceDefinitionContext RUNTIMES = new ResourceDefinitionContext.Builder()
      .withGroup("trainer.kubeflow.org").withVersion("v1alpha1").withKind("ClusterTrainingRuntime")
      .withPlural("clustertrainingruntimes").withNamespaced(false).build();
  static final String JOBSET_NAME = "jobset.sigs.k8s.io/jobset-name";
  static final String COMPLETION_INDEX = "batch.kubernetes.io/job-completion-index";
  /** The trainer's rendezvous port ({@code constants.ContainerTrainerPort}). */
  public static final int TRAINER_PORT = 29400;

  private final KubernetesClient client;
  private final String namespace;
  private final List<String> seen = new CopyOnWriteArrayList<>();
  private final Map<String, Boolean> active = new ConcurrentHashMap<>();
  private final ExecutorService threads = Executors.newThreadPerTaskExecutor(Thread.ofVirtual().name("fake-trainer-", 0).factory());
  private volatile int masterPort = TRAINER_PORT;
  private SharedIndexInformer<GenericKubernetesResource> informer;
  private volatile boolean closed;

  /** A controller for TrainJobs in {@code namespace}; {@link #start()} starts it. */
  public FakeTrainer(MockKubernetes cluster, String namespace) {
    this.client = cluster.client("trainer");
    this.namespace = namespace;
  }

  /** Installs a CRD read from {@code crdYaml} (the TrainJob's, the ClusterTrainingRuntime's, JobSet's). */
  public static void installCrd(MockKubernetes cluster, Path crdYaml) {
    FakeMpiOperator.installCrd(cluster, crdYaml);
  }

  /** Creates the ClusterTrainingRuntime {@code runtime} (as an admin installs {@code torch-distributed}). */
  public static void installRuntime(MockKubernetes cluster, GenericKubernetesResource runtime) {
    cluster.client("admin").genericKubernetesResources(RUNTIMES).resource(runtime).create();
  }

  /** The rendezvous port the torch plugin gives the nodes (default {@value #TRAINER_PORT}, fixed in the real controller). */
  public FakeTrainer masterPort(int port) {
    this.masterPort = port;
    return this;
  }

  /** Names of the TrainJobs this controller saw created, in order. */
  public List<String> trainJobsSeen() {
    return List.copyOf(seen);
  }

  /** Starts watching TrainJobs; returns this. */
  public FakeTrainer start() {
    informer = client.genericKubernetesResources(TRAINJOBS).inNamespace(namespace).inform(new ResourceEventHandler<>() {
      @Override
      public void onAdd(GenericKubernetesResource job) {
        String key = job.getMetadata().getName() + "/" + job.getMetadata().getUid();
        if (!closed && active.putIfAbsent(key, true) == null) {
          seen.add(job.getMetadata().getName());
          threads.execute(() -> reconcile(job));
        }
      }

      @Override
      public void onUpdate(GenericKubernetesResource old, GenericKubernetesResource job) {
        if (job.getMetadata().getDeletionTimestamp() != null) {
          cleanUp(job.getMetadata().getName());
        }
      }

      @Override
      public void onDelete(GenericKubernetesResource job, boolean unknown) {
        active.remove(job.getMetadata().getName() + "/" + job.getMetadata().getUid());
        cleanUp(job.getMetadata().getName());
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
    threads.shutdownNow();
  }

  @SuppressWarnings("unchecked")
  private void reconcile(GenericKubernetesResource trainJob) {
    String name = trainJob.getMetadata().getName();
    KubernetesSerialization json = client.getKubernetesSerialization();
    try {
      Map<String, Object> spec = (Map<String, Object>) trainJob.getAdditionalProperties().get("spec");
      Map<String, Object> ref = (Map<String, Object>) spec.get("runtimeRef");
      String runtimeName = String.valueOf(ref.get("name"));
      GenericKubernetesResource runtime = client.genericKubernetesResources(RUNTIMES).withName(runtimeName).get();
      if (runtime == null) {
        log.warn("fake trainer: TrainJob {} references ClusterTrainingRuntime {}, which does not exist; no JobSet", name,
            runtimeName);
        return;
      }
      Map<String, Object> rspec = (Map<String, Object>) runtime.getAdditionalProperties().get("spec");
      Map<String, Object> mlPolicy = (Map<String, Object>) rspec.getOrDefault("mlPolicy", Map.of());
      Map<String, Object> jobSetSpec = (Map<String, Object>) ((Map<String, Object>) rspec.get("template")).get("spec");
      Map<String, Object> node = ((List<Map<String, Object>>) jobSetSpec.get("replicatedJobs")).stream()
          .filter(r -> "node".equals(r.get("name"))).findFirst()
          .orElseThrow(() -> new IllegalStateException("runtime " + runtimeName + " has no replicated job 'node'"));
      Map<String, Object> trainer = (Map<String, Object>) spec.getOrDefault("trainer", Map.of());
      int numNodes = ((Number) trainer.getOrDefault("numNodes", mlPolicy.getOrDefault("numNodes", 1))).intValue();
      String nproc = trainer.get("numProcPerNode") == null ? "auto" : String.valueOf(trainer.get("numProcPerNode"));

      // The pod template after the TrainJob's runtimePatches (maps, as the patch is a partial object).
      Map<String, Object> jobTemplate = json.convertValue(node.get("template"), Map.class);
      Map<String, Object> podTemplate = (Map<String, Object>) ((Map<String, Object>) jobTemplate.get("spec")).get("template");
      for (Map<String, Object> patch : (List<Map<String, Object>>) spec.getOrDefault("runtimePatches", List.of())) {
        Map<String, Object> rt = (Map<String, Object>) patch.getOrDefault("trainingRuntimeSpec", Map.of());
        Map<String, Object> t = (Map<String, Object>) rt.getOrDefault("template", Map.of());
        Map<String, Object> ts = (Map<String, Object>) t.getOrDefault("spec", Map.of());
        for (Map<String, Object> rj : (List<Map<String, Object>>) ts.getOrDefault("replicatedJobs", List.of())) {
          if (!"node".equals(rj.get("name")) || rj.get("template") == null) {
            continue;
          }
          Map<String, Object> jts = (Map<String, Object>) ((Map<String, Object>) rj.get("template")).getOrDefault("spec", Map.of());
          Map<String, Object> pt = (Map<String, Object>) jts.getOrDefault("template", Map.of());
          patchPod(podTemplate, pt);
        }
      }
      JobTemplateSpec template = json.convertValue(jobTemplate, JobTemplateSpec.class);
      PodSpec pod = template.getSpec().getTemplate().getSpec();
      String master = name + "-node-0-0." + name;
      for (var c : pod.getContainers()) {
        if (!"node".equals(c.getName())) {
          continue;
        }
        if (trainer.get("image") != null) {
          c.setImage(String.valueOf(trainer.get("image")));
        }
        if (trainer.get("command") != null) {
          c.setCommand((List<String>) trainer.get("command"));
        }
        if (trainer.get("args") != null) {
          c.setArgs((List<String>) trainer.get("args"));
        }
        if (trainer.get("resourcesPerNode") != null) {
          c.setResources(json.convertValue(trainer.get("resourcesPerNode"), ResourceRequirements.class));
        }
        Map<String, EnvVar> env = new LinkedHashMap<>();
        (c.getEnv() == null ? List.<EnvVar>of() : c.getEnv()).forEach(e -> env.put(e.getName(), e));
        for (Object e : (List<Object>) trainer.getOrDefault("env", List.of())) {
          EnvVar v = json.convertValue(e, EnvVar.class);
          env.put(v.getName(), v);
        }
        env.put("PET_NNODES", new EnvVar("PET_NNODES", Integer.toString(numNodes), null));
        env.put("PET_NPROC_PER_NODE", new EnvVar("PET_NPROC_PER_NODE", nproc, null));
        env.put("PET_NODE_RANK", new EnvVarBuilder().withName("PET_NODE_RANK").withNewValueFrom().withNewFieldRef()
            .withFieldPath("metadata.annotations['" + COMPLETION_INDEX + "']").endFieldRef().endValueFrom().build());
        env.put("PET_MASTER_ADDR", new EnvVar("PET_MASTER_ADDR", master, null));
        env.put("PET_MASTER_PORT", new EnvVar("PET_MASTER_PORT", Integer.toString(masterPort), null));
        c.setEnv(new ArrayList<>(env.values()));
      }
      pod.setSubdomain(name);
      Map<String, String> labels = new LinkedHashMap<>();
      if (template.getSpec().getTemplate().getMetadata() != null && template.getSpec().getTemplate().getMetadata().getLabels() != null) {
        labels.putAll(template.getSpec().getTemplate().getMetadata().getLabels());
      }
      labels.put(JOBSET_NAME, name);
      labels.put("jobset.sigs.k8s.io/replicatedjob-name", "node");
      labels.put("jobset.sigs.k8s.io/replicatedjob-replicas", "1");
      labels.put("jobset.sigs.k8s.io/job-index", "0");
      labels.put("jobset.sigs.k8s.io/job-global-index", "0");
      labels.put("jobset.sigs.k8s.io/restart-attempt", "0");
      labels.put("trainer.kubeflow.org/trainjob-ancestor-step", "trainer");
      OwnerReference owner = new OwnerReferenceBuilder().withApiVersion("jobset.x-k8s.io/v1alpha2").withKind("JobSet")
          .withName(name).withUid(trainJob.getMetadata().getUid()).withController(true).withBlockOwnerDeletion(true).build();
      client.services().inNamespace(namespace).resource(new ServiceBuilder()
          .withNewMetadata().withName(name).withNamespace(namespace).addToLabels(JOBSET_NAME, name).withOwnerReferences(owner)
          .endMetadata()
          .withNewSpec().withClusterIP("None").withPublishNotReadyAddresses(true).withSelector(Map.of(JOBSET_NAME, name)).endSpec()
          .build()).create();
      Job job = new JobBuilder()
          .withNewMetadata().withName(name + "-node-0").withNamespace(namespace).withLabels(labels).withOwnerReferences(owner)
          .endMetadata()
          .withSpec(template.getSpec())
          .editSpec()
            .withCompletionMode("Indexed").withCompletions(numNodes).withParallelism(numNodes)
            .editTemplate().editOrNewMetadata().withLabels(labels).endMetadata().withSpec(pod).endTemplate()
          .endSpec()
          .build();
      client.batch().v1().jobs().inNamespace(namespace).resource(job).create();
      follow(name, job.getMetadata().getName());
    } catch (KubernetesClientException e) {
      if (!closed) {
        log.warn("fake trainer: TrainJob {} failed: {}", name, e.toString());
      }
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
    } catch (RuntimeException e) {
      log.warn("fake trainer: TrainJob {} crashed", name, e);
    }
  }

  /** Lays a runtime patch's pod template (metadata labels/annotations, spec fields, container env) over {@code pod}. */
  @SuppressWarnings("unchecked")
  private static void patchPod(Map<String, Object> pod, Map<String, Object> patch) {
    Map<String, Object> pm = (Map<String, Object>) patch.getOrDefault("metadata", Map.of());
    Map<String, Object> meta = (Map<String, Object>) pod.computeIfAbsent("metadata", k -> new LinkedHashMap<>());
    for (String k : List.of("labels", "annotations")) {
      if (pm.get(k) != null) {
        ((Map<String, Object>) meta.computeIfAbsent(k, x -> new LinkedHashMap<>())).putAll((Map<String, Object>) pm.get(k));
      }
    }
    Map<String, Object> ps = (Map<String, Object>) patch.getOrDefault("spec", Map.of());
    Map<String, Object> spec = (Map<String, Object>) pod.get("spec");
    ps.forEach((k, v) -> {
      if (!k.equals("containers") && !k.equals("initContainers")) {
        spec.put(k, v);
      }
    });
    for (Map<String, Object> pc : (List<Map<String, Object>>) ps.getOrDefault("containers", List.of())) {
      for (Map<String, Object> c : (List<Map<String, Object>>) spec.get("containers")) {
        if (c.get("name").equals(pc.get("name")) && pc.get("env") != null) {
          List<Object> env = new ArrayList<>((List<Object>) c.getOrDefault("env", List.of()));
          env.addAll((List<Object>) pc.get("env"));
          c.put("env", env);
        }
      }
    }
  }

  /** Copies the Job's outcome to the TrainJob, as JobSet's conditions reach it through the jobset plugin. */
  private void follow(String name, String jobName) throws InterruptedException {
    while (!closed && active.keySet().stream().anyMatch(k -> k.startsWith(name + "/"))) {
      Job job = client.batch().v1().jobs().inNamespace(namespace).withName(jobName).get();
      if (job == null) {
        return;
      }
      var s = job.getStatus();
      Map<String, Object> jobsStatus = new LinkedHashMap<>();
      jobsStatus.put("name", "node");
      jobsStatus.put("active", s == null || s.getActive() == null ? 0 : s.getActive());
      jobsStatus.put("ready", s == null || s.getReady() == null ? 0 : s.getReady());
      jobsStatus.put("succeeded", s == null || s.getSucceeded() == null ? 0 : s.getSucceeded());
      jobsStatus.put("failed", s == null || s.getFailed() == null ? 0 : s.getFailed());
      jobsStatus.put("suspended", 0);
      if (has(job, "Complete")) {
        status(name, condition("Complete", "AllJobsCompleted", "jobset completed successfully"), jobsStatus);
        return;
      }
      if (has(job, "Failed")) {
        status(name, condition("Failed", "FailedJobs", "jobset failed due to one or more job failures"), jobsStatus);
        return;
      }
      Thread.sleep(100);
    }
  }

  private static boolean has(Job job, String type) {
    return job.getStatus() != null && job.getStatus().getConditions() != null && job.getStatus().getConditions().stream()
        .anyMatch((JobCondition c) -> type.equals(c.getType()) && "True".equals(c.getStatus()));
  }

  private static Map<String, Object> condition(String type, String reason, String message) {
    Map<String, Object> c = new LinkedHashMap<>();
    c.put("type", type);
    c.put("status", "True");
    c.put("reason", reason);
    c.put("message", message);
    c.put("lastTransitionTime", Instant.now().toString());
    return c;
  }

  private void status(String name, Map<String, Object> condition, Map<String, Object> jobsStatus) {
    GenericKubernetesResource job = client.genericKubernetesResources(TRAINJOBS).inNamespace(namespace).withName(name).get();
    if (job == null) {
      return;
    }
    Map<String, Object> status = new LinkedHashMap<>();
    status.put("conditions", List.of(condition));
    status.put("jobsStatus", List.of(jobsStatus));
    job.setAdditionalProperty("status", status);
    client.genericKubernetesResources(TRAINJOBS).inNamespace(namespace).resource(job).updateStatus();
  }

  private void cleanUp(String name) {
    threads.execute(() -> {
      try {
        client.batch().v1().jobs().inNamespace(namespace).withName(name + "-node-0")
            .withPropagationPolicy(DeletionPropagation.FOREGROUND).delete();
        client.services().inNamespace(namespace).withName(name).delete();
      } catch (KubernetesClientException e) {
        log.debug("fake trainer: cleaning up {}: {}", name, e.toString());
      }
    });
  }
}
