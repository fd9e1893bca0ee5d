package io.pureremote.testing.kubernetes;

import io.fabric8.kubernetes.api.model.ConfigMapBuilder;
import io.fabric8.kubernetes.api.model.EnvVarBuilder;
import io.fabric8.kubernetes.api.model.GenericKubernetesResource;
import io.fabric8.kubernetes.api.model.OwnerReference;
import io.fabric8.kubernetes.api.model.OwnerReferenceBuilder;
import io.fabric8.kubernetes.api.model.Pod;
import io.fabric8.kubernetes.api.model.PodBuilder;
import io.fabric8.kubernetes.api.model.PodConditionBuilder;
import io.fabric8.kubernetes.api.model.PodStatusBuilder;
import io.fabric8.kubernetes.api.model.PodTemplateSpec;
import io.fabric8.kubernetes.api.model.ServiceBuilder;
import io.fabric8.kubernetes.api.model.apiextensions.v1.CustomResourceDefinition;
import io.fabric8.kubernetes.api.model.apiextensions.v1.CustomResourceDefinitionBuilder;
import io.fabric8.kubernetes.api.model.batch.v1.Job;
import io.fabric8.kubernetes.api.model.batch.v1.JobBuilder;
import io.fabric8.kubernetes.api.model.batch.v1.JobCondition;
import io.fabric8.kubernetes.client.KubernetesClient;
import io.fabric8.kubernetes.client.KubernetesClientException;
import io.fabric8.kubernetes.client.dsl.base.ResourceDefinitionContext;
import io.fabric8.kubernetes.client.informers.ResourceEventHandler;
import io.fabric8.kubernetes.client.informers.SharedIndexInformer;
import io.fabric8.kubernetes.client.utils.KubernetesSerialization;
import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Instant;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Queue;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Plays the Kubeflow MPI Operator ({@code kubeflow.org/v2beta1}) against the mock API server, the
 * way the real controller behaves ({@code kubeflow/mpi-operator} {@code mpi_job_controller.go}):
 * for each MPIJob in its namespace it sets {@code Created}, creates the headless Service {@code
 * <name>}, the ConfigMap {@code <name>-config} with {@code hostfile} and {@code discover_hosts.sh},
 * the worker pods {@code <name>-worker-<i>} and the launcher Job {@code <name>-launcher} (at once,
 * or once every worker is ready under {@code WaitForWorkersReady}), with the operator's labels
 * ({@code training.kubeflow.org/job-name}, {@code job-role}, {@code operator-name}, {@code
 * replica-index}) and launcher env ({@code K_MPI_JOB_ROLE}, {@code OMPI_MCA_orte_default_hostfile},
 * {@code OMPI_MCA_orte_keep_fqdn_hostnames}); then {@code Running}, and {@code Succeeded} when the
 * launcher Job is Complete or {@code Failed} with the Job's reason. Deleting the MPIJob deletes
 * what it made.
 *
 * <p>The launcher Job is run by a {@link FakeKubelet} (as a local process). Worker pods are marked
 * Running and Ready without a process: on one machine the ranks are the local processes {@code
 * mpirun} starts from the hostfile, which lists {@code localhost} with every slot (the operator's
 * {@code /etc/mpi} mount is that file on disk, named by {@code OMPI_MCA_orte_default_hostfile}).
 *
 * <p>Each new MPIJob takes the next queued {@link Behaviour}.
 */
public final class FakeMpiOperator implements AutoCloseable {
  private static final Logger log = LoggerFactory.getLogger(FakeMpiOperator.class);
  /** The CRD's name. */
  public static final String CRD_NAME = "mpijobs.kubeflow.org";
  static final ResourceDefinitionContext MPIJOBS = new ResourceDefinitionContext.Builder()
      .withGroup("kubeflow.org").withVersion("v2beta1").withKind("MPIJob").withPlural("mpijobs").withNamespaced(true).build();
  private static final String JOB_NAME = "training.kubeflow.org/job-name";
  private static final String JOB_ROLE = "training.kubeflow.org/job-role";
  private static final String OPERATOR = "training.kubeflow.org/operator-name";
  private static final String INDEX = "training.kubeflow.org/replica-index";

  /** What happens to the next MPIJob. */
  public enum Behaviour {
    /** Run it. */
    NORMAL,
    /** Evict worker 0 once the job runs: the operator fails the job with reason MPIJobEvicted. */
    EVICT_WORKER,
    /** The workers never schedule (PodScheduled=False, Unschedulable). */
    WORKERS_UNSCHEDULABLE
  }

  private final KubernetesClient client;
  private final String namespace;
  private final Path hostDir;
  private final Queue<Behaviour> behaviours = new ConcurrentLinkedQueue<>();
  private final Map<String, Boolean> active = new ConcurrentHashMap<>();
  private final List<String> seen = new CopyOnWriteArrayList<>();
  private final ExecutorService threads = Executors.newThreadPerTaskExecutor(Thread.ofVirtual().name("fake-mpi-operator-", 0).factory());
  private SharedIndexInformer<GenericKubernetesResource> informer;
  private volatile boolean closed;

  /** An operator for MPIJobs in {@code namespace}; {@link #start()} starts it. */
  public FakeMpiOperator(MockKubernetes cluster, String namespace) {
    this.client = cluster.client("mpi-operator");
    this.namespace = namespace;
    try {
      this.hostDir = Files.createTempDirectory("fake-mpi-operator");
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }

  /** Installs the CRD read from {@code crdYaml} (e.g. the operator's {@code kubeflow.org_mpijobs.v2beta1.yaml}). */
  public static void installCrd(MockKubernetes cluster, Path crdYaml) {
    try (InputStream in = Files.newInputStream(crdYaml)) {
      CustomResourceDefinition crd = new KubernetesSerialization().unmarshal(in, CustomResourceDefinition.class);
      crd.getMetadata().setResourceVersion(null);
      cluster.client("admin").apiextensions().v1().customResourceDefinitions().resource(crd).create();
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }

  /** Installs a CRD {@value #CRD_NAME} that serves only {@code kubeflow.org/v1} (the old training-operator's MPI). */
  public static void installV1OnlyCrd(MockKubernetes cluster) {
    CustomResourceDefinition crd = new CustomResourceDefinitionBuilder()
        .withNewMetadata().withName(CRD_NAME).endMetadata()
        .withNewSpec().withGroup("kubeflow.org").withScope("Namespaced")
          .withNewNames().withKind("MPIJob").withPlural("mpijobs").withSingular("mpijob").withListKind("MPIJobList").endNames()
          .addNewVersion().withName("v1").withServed(true).withStorage(true)
            .withNewSchema().withNewOpenAPIV3Schema().withType("object").withXKubernetesPreserveUnknownFields(true)
            .endOpenAPIV3Schema().endSchema()
          .endVersion()
        .endSpec().build();
    cluster.client("admin").apiextensions().v1().customResourceDefinitions().resource(crd).create();
  }

  /** The next MPIJob gets {@code behaviour}; returns this. */
  public FakeMpiOperator then(Behaviour behaviour) {
    behaviours.add(behaviour);
    return this;
  }

  /** Names of the MPIJobs this operator saw, in order. */
  public List<String> mpiJobsSeen() {
    return List.copyOf(seen);
  }

  /** Starts watching MPIJobs; returns this. */
  public FakeMpiOperator start() {
    informer = client.genericKubernetesResources(MPIJOBS).inNamespace(namespace).inform(new ResourceEventHandler<>() {
      @Override
      public void onAdd(GenericKubernetesResource job) {
        String name = job.getMetadata().getName();
        if (!closed && active.putIfAbsent(name + "/" + job.getMetadata().getUid(), true) == null) {
          seen.add(name);
          Behaviour b = behaviours.poll();
          threads.execute(() -> reconcile(job, b == null ? Behaviour.NORMAL : b));
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

  // ---- the controller ----

  @SuppressWarnings("unchecked")
  private void reconcile(GenericKubernetesResource mpiJob, Behaviour behaviour) {
    String name = mpiJob.getMetadata().getName();
    String key = name + "/" + mpiJob.getMetadata().getUid();
    try {
      Map<String, Object> spec = (Map<String, Object>) mpiJob.getAdditionalProperties().get("spec");
      Map<String, Object> replicas = (Map<String, Object>) spec.get("mpiReplicaSpecs");
      Map<String, Object> launcher = (Map<String, Object>) replicas.get("Launcher");
      Map<String, Object> worker = (Map<String, Object>) replicas.get("Worker");
      int workers = worker == null ? 0 : ((Number) worker.getOrDefault("replicas", 1)).intValue();
      int slots = ((Number) spec.getOrDefault("slotsPerWorker", 1)).intValue();
      boolean launcherAsWorker = Boolean.TRUE.equals(spec.get("runLauncherAsWorker"));
      String policy = String.valueOf(spec.getOrDefault("launcherCreationPolicy", "AtStartup"));
      Map<String, Object> runPolicy = (Map<String, Object>) spec.getOrDefault("runPolicy", Map.of());
      OwnerReference owner = new OwnerReferenceBuilder().withApiVersion("kubeflow.org/v2beta1").withKind("MPIJob")
          .withName(name).withUid(mpiJob.getMetadata().getUid()).withController(true).withBlockOwnerDeletion(true).build();

      String now = Instant.now().toString();
      status(name, List.of(condition("Created", "MPIJobCreated", "MPIJob " + namespace + "/" + name + " is created.")), now);

      client.services().inNamespace(namespace).resource(new ServiceBuilder().withNewMetadata().withName(name)
          .withNamespace(namespace).withOwnerReferences(owner).addToLabels(JOB_NAME, name).endMetadata()
          .withNewSpec().withClusterIP("None").withPublishNotReadyAddresses(true).addToSelector(JOB_NAME, name).endSpec()
          .build()).create();
      // The operator lists each worker's FQDN; on one machine every slot is on localhost.
      StringBuilder hostfile = new StringBuilder();
      int total = workers * slots + (launcherAsWorker ? slots : 0);
      hostfile.append("localhost slots=").append(total).append('\n');
      StringBuilder discover = new StringBuilder("#!/bin/sh\n");
      for (int i = 0; i < workers; i++) {
        discover.append("echo ").append(name).append("-worker-").append(i).append('.').append(name).append('.')
            .append(namespace).append(".svc\n");
      }
      client.configMaps().inNamespace(namespace).resource(new ConfigMapBuilder().withNewMetadata().withName(name + "-config")
          .withNamespace(namespace).withOwnerReferences(owner).addToLabels(JOB_NAME, name).endMetadata()
          .addToData("hostfile", hostfile.toString()).addToData("discover_hosts.sh", discover.toString()).build()).create();
      Path dir = Files.createDirectories(hostDir.resolve(name + "-" + mpiJob.getMetadata().getUid()));
      Path file = dir.resolve("hostfile");
      Files.writeString(file, hostfile.toString());

      if ("AtStartup".equals(policy)) {
        createLauncher(name, launcher, runPolicy, owner, file);
      }
      List<String> workerPods = new ArrayList<>();
      for (int i = 0; i < workers; i++) {
        String pod = name + "-worker-" + i;
        workerPods.add(pod);
        PodTemplateSpec template = template(worker);
        Map<String, String> labels = new LinkedHashMap<>(template.getMetadata() == null || template.getMetadata().getLabels() == null
            ? Map.of() : template.getMetadata().getLabels());
        labels.put(JOB_NAME, name);
        labels.put(JOB_ROLE, "worker");
        labels.put(OPERATOR, "mpi-operator");
        labels.put(INDEX, Integer.toString(i));
        Pod created = client.pods().inNamespace(namespace).resource(new PodBuilder().withNewMetadata().withName(pod)
            .withNamespace(namespace).withLabels(labels).withOwnerReferences(owner).endMetadata()
            .withSpec(template.getSpec()).withNewStatus().withPhase("Pending").endStatus().build()).create();
        if (behaviour == Behaviour.WORKERS_UNSCHEDULABLE) {
          created.setStatus(new PodStatusBuilder().withPhase("Pending").withConditions(new PodConditionBuilder()
              .withType("PodScheduled").withStatus("False").withReason("Unschedulable")
              .withMessage("0/3 nodes are available: 3 Insufficient cpu.").build()).build());
        } else {
          created.setStatus(new PodStatusBuilder().withPhase("Running").withStartTime(Instant.now().toString())
              .withConditions(new PodConditionBuilder().withType("Ready").withStatus("True").build()).build());
        }
        client.pods().inNamespace(namespace).resource(created).updateStatus();
      }
      if (behaviour == Behaviour.WORKERS_UNSCHEDULABLE) {
        return; // stays Created; the launcher waits for ready workers (WaitForWorkersReady) forever
      }
      if (!"AtStartup".equals(policy)) {
        createLauncher(name, launcher, runPolicy, owner, file);
      }
      boolean running = false;
      boolean evicted = false;
      while (!closed && active.containsKey(key)) {
        Job job = client.batch().v1().jobs().inNamespace(namespace).withName(name + "-launcher").get();
        if (job == null) {
          return;
        }
        if (!running && job.getStatus() != null && job.getStatus().getStartTime() != null) {
          running = true;
          status(name, List.of(condition("Created", "MPIJobCreated", "MPIJob is created."),
              condition("Running", "MPIJobRunning", "MPIJob " + namespace + "/" + name + " is running.")), now);
        }
        if (running && behaviour == Behaviour.EVICT_WORKER && !evicted) {
          Thread.sleep(300);
          evicted = true;
          Pod w = client.pods().inNamespace(namespace).withName(workerPods.getFirst()).get();
          w.setStatus(new PodStatusBuilder().withPhase("Failed").withReason("Evicted")
              .withMessage("The node was low on resource: memory.").build());
          client.pods().inNamespace(namespace).resource(w).updateStatus();
          status(name, List.of(condition("Created", "MPIJobCreated", "MPIJob is created."),
              condition("Failed", "MPIJobEvicted", "1/" + workers + " workers are evicted")), now);
          return;
        }
        JobCondition done = terminal(job);
        if (done != null) {
          if ("Complete".equals(done.getType())) {
            status(name, List.of(condition("Created", "MPIJobCreated", "MPIJob is created."),
                condition("Succeeded", "MPIJobSucceeded", "MPIJob " + namespace + "/" + name + " successfully completed.")), now);
          } else {
            status(name, List.of(condition("Created", "MPIJobCreated", "MPIJob is created."),
                condition("Failed", done.getReason(), done.getMessage())), now);
          }
          return;
        }
        Thread.sleep(100);
      }
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
    } catch (IOException | RuntimeException e) {
      if (!closed) {
        log.warn("fake MPI operator: MPIJob {} failed: {}", name, e.toString(), e);
      }
    }
  }

  @SuppressWarnings("unchecked")
  private void createLauncher(String name, Map<String, Object> launcher, Map<String, Object> runPolicy, OwnerReference owner,
      Path hostfile) {
    PodTemplateSpec template = template(launcher);
    Map<String, String> labels = new LinkedHashMap<>(template.getMetadata() == null || template.getMetadata().getLabels() == null
        ? Map.of() : template.getMetadata().getLabels());
    labels.put(JOB_NAME, name);
    labels.put(JOB_ROLE, "launcher");
    labels.put(OPERATOR, "mpi-operator");
    template.getMetadata().setLabels(labels);
    var container = template.getSpec().getContainers().getFirst();
    container.getEnv().add(new EnvVarBuilder().withName("K_MPI_JOB_ROLE").withValue("launcher").build());
    container.getEnv().add(new EnvVarBuilder().withName("OMPI_MCA_orte_default_hostfile").withValue(hostfile.toString()).build());
    container.getEnv().add(new EnvVarBuilder().withName("OMPI_MCA_orte_keep_fqdn_hostnames").withValue("true").build());
    String restart = String.valueOf(launcher.getOrDefault("restartPolicy", "OnFailure"));
    template.getSpec().setRestartPolicy("Never".equals(restart) ? "Never" : "OnFailure");
    JobBuilder job = new JobBuilder().withNewMetadata().withName(name + "-launcher").withNamespace(namespace)
        .withLabels(labels).withOwnerReferences(owner).endMetadata()
        .withNewSpec().withTemplate(template).withPodReplacementPolicy("Failed")
          .withBackoffLimit(((Number) runPolicy.getOrDefault("backoffLimit", 6)).intValue())
        .endSpec();
    if (runPolicy.get("activeDeadlineSeconds") instanceof Number n) {
      job.editSpec().withActiveDeadlineSeconds(n.longValue()).endSpec();
    }
    if (runPolicy.get("ttlSecondsAfterFinished") instanceof Number n) {
      job.editSpec().withTtlSecondsAfterFinished(n.intValue()).endSpec();
    }
    client.batch().v1().jobs().inNamespace(namespace).resource(job.build()).create();
  }

  private static PodTemplateSpec template(Map<String, Object> replica) {
    return new KubernetesSerialization().convertValue(replica.get("template"), PodTemplateSpec.class);
  }

  private static JobCondition terminal(Job job) {
    if (job.getStatus() == null || job.getStatus().getConditions() == null) {
      return null;
    }
    for (JobCondition c : job.getStatus().getConditions()) {
      if (("Complete".equals(c.getType()) || "Failed".equals(c.getType())) && "True".equals(c.getStatus())) {
        return c;
      }
    }
    return null;
  }

  private static Map<String, Object> condition(String type, String reason, String message) {
    Map<String, Object> c = new LinkedHashMap<>();
    c.put("type", type);
    c.put("status", "True");
    c.put("reason", reason);
    c.put("message", message == null ? "" : message);
    c.put("lastTransitionTime", Instant.now().toString());
    return c;
  }

  private void status(String name, List<Map<String, Object>> conditions, String startTime) {
    GenericKubernetesResource job = client.genericKubernetesResources(MPIJOBS).inNamespace(namespace).withName(name).get();
    if (job == null) {
      return;
    }
    Map<String, Object> status = new LinkedHashMap<>();
    status.put("conditions", conditions);
    status.put("startTime", startTime);
    job.setAdditionalProperty("status", status);
    client.genericKubernetesResources(MPIJOBS).inNamespace(namespace).resource(job).updateStatus();
  }

  private void cleanUp(String name) {
    threads.execute(() -> {
      try {
        client.batch().v1().jobs().inNamespace(namespace).withName(name + "-launcher").delete();
        client.pods().inNamespace(namespace).withLabel(JOB_NAME, name).withLabel(JOB_ROLE, "worker").delete();
        client.configMaps().inNamespace(namespace).withName(name + "-config").delete();
        client.services().inNamespace(namespace).withName(name).delete();
      } catch (KubernetesClientException e) {
        log.debug("fake MPI operator: cleaning up {}: {}", name, e.toString());
      }
    });
  }
}
