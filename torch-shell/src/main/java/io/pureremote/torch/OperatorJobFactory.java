package io.pureremote.torch;

import io.fabric8.kubernetes.api.model.ContainerPortBuilder;
import io.fabric8.kubernetes.api.model.EnvVar;
import io.fabric8.kubernetes.api.model.GenericKubernetesResource;
import io.fabric8.kubernetes.api.model.ObjectMetaBuilder;
import io.fabric8.kubernetes.api.model.PodSpec;
import io.fabric8.kubernetes.api.model.PodTemplateSpec;
import io.fabric8.kubernetes.api.model.PodTemplateSpecBuilder;
import io.fabric8.kubernetes.api.model.ResourceRequirements;
import io.fabric8.kubernetes.client.dsl.base.ResourceDefinitionContext;
import io.fabric8.kubernetes.client.utils.KubernetesSerialization;
import io.pureremote.k8s.PodSpecs;
import io.pureremote.spi.Shell.LaunchRequest;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * The operator backends' objects: a {@code kubeflow.org/v1} PyTorchJob (Master + Worker, container
 * {@code pytorch}, the spec-level {@code nprocPerNode}, no elastic policy) and a {@code
 * trainer.kubeflow.org/v1alpha1} TrainJob ({@code runtimeRef} to a ClusterTrainingRuntime, {@code
 * trainer} with image, args, env, {@code numNodes}, {@code numProcPerNode}, {@code
 * resourcesPerNode}, and the pod's other fields as a {@code runtimePatches} entry: labels,
 * annotations, service account, node selector, affinity, tolerations; the runtime decides the
 * image pull policy, and whole-Secret env ({@code envFrom}) is refused). Neither sets the
 * rendezvous variables: the operators inject them ({@code RANK}/{@code WORLD_SIZE}/{@code
 * MASTER_*}/{@code PET_*} for PyTorchJob, {@code PET_*} for TrainJob). Stateless.
 */
final class OperatorJobFactory {
  static final ResourceDefinitionContext PYTORCHJOBS = new ResourceDefinitionContext.Builder()
      .withGroup("kubeflow.org").withVersion("v1").withKind("PyTorchJob").withPlural("pytorchjobs").withNamespaced(true).build();
  static final ResourceDefinitionContext TRAINJOBS = new ResourceDefinitionContext.Builder()
      .withGroup("trainer.kubeflow.org").withVersion("v1alpha1").withKind("TrainJob").withPlural("trainjobs")
      .withNamespaced(true).build();
  static final ResourceDefinitionContext RUNTIMES = new ResourceDefinitionContext.Builder()
      .withGroup("trainer.kubeflow.org").withVersion("v1alpha1").withKind("ClusterTrainingRuntime")
      .withPlural("clustertrainingruntimes").withNamespaced(false).build();
  /** The container the training operator looks for (its port, its default container). */
  static final String PYTORCH_CONTAINER = "pytorch";
  /** The port name the training operator reads MASTER_PORT from. */
  static final String PYTORCH_PORT_NAME = "pytorchjob-port";
  /** The runtime patch's manager (who owns the entry). */
  static final String PATCH_MANAGER = "pureremote.io/torch-shell";
  private static final KubernetesSerialization JSON = new KubernetesSerialization();

  private final TorchShellOptions options;

  OperatorJobFactory(TorchShellOptions options) {
    this.options = options;
  }

  /**
   * The object's name: the call's name ({@code <function>-<10 hex><suffix>}) with the function part
   * shortened so that the names the operator derives stay DNS-1123 labels (63 characters): the
   * PyTorchJob's per-replica Services {@code <name>-worker-<i>}, the TrainJob's pod hostnames
   * {@code <name>-node-0-<i>}.
   */
  static String objectName(TorchShellOptions options, TorchBackend backend, LaunchRequest request, String suffix) {
    String name = PodSpecs.callName(request, suffix);
    int derived = (backend == TorchBackend.PYTORCH_JOB ? "-worker-" : "-node-0-").length()
        + Integer.toString(options.nodes()).length();
    int max = 63 - derived;
    if (name.length() <= max) {
      return name;
    }
    String tail = "-" + PodSpecs.memoHash(request).substring(0, 10) + suffix;
    String prefix = name.substring(0, name.length() - tail.length());
    prefix = prefix.substring(0, Math.max(1, max - tail.length())).replaceAll("-+$", "");
    return prefix + tail;
  }

  GenericKubernetesResource pytorchJob(LaunchRequest request, String name, int attempt) {
    String backend = TorchBackend.PYTORCH_JOB.id();
    Map<String, String> labels = IndexedJobFactory.callLabels(options, request, backend);
    List<EnvVar> env = PodSpecs.env(options.pod(), IndexedJobFactory.callEnv(options, request, backend));
    PodSpec pod = PodSpecs.podSpec(options.pod(), PYTORCH_CONTAINER, List.of(), request.remoteMainArgs(), env)
        .editFirstContainer().withPorts(new ContainerPortBuilder().withName(PYTORCH_PORT_NAME)
            .withContainerPort(options.masterPort()).withProtocol("TCP").build()).endContainer()
        .build();
    PodTemplateSpec template = new PodTemplateSpecBuilder()
        .withMetadata(new ObjectMetaBuilder().withLabels(labels)
            .withAnnotations(options.pod().annotations().isEmpty() ? null : new LinkedHashMap<>(options.pod().annotations()))
            .build())
        .withSpec(pod).build();
    Map<String, Object> replicas = new LinkedHashMap<>();
    replicas.put("Master", replica(1, template));
    if (options.nodes() > 1) {
      replicas.put("Worker", replica(options.nodes() - 1, template));
    }
    Map<String, Object> runPolicy = new LinkedHashMap<>();
    // Nodes still running once the master succeeded hold quota (trainer#1982): the operator deletes them.
    runPolicy.put("cleanPodPolicy", "Running");
    runPolicy.put("ttlSecondsAfterFinished", options.ttlAfterFinished().toSeconds());
    runPolicy.put("backoffLimit", options.backoffLimitPerIndex() * options.nodes());
    options.activeDeadline().ifPresent(d -> runPolicy.put("activeDeadlineSeconds", d.toSeconds()));
    Map<String, Object> spec = new LinkedHashMap<>();
    spec.put("nprocPerNode", options.processesPerNode());
    spec.put("runPolicy", runPolicy);
    spec.put("pytorchReplicaSpecs", replicas);
    return resource("kubeflow.org/v1", "PyTorchJob", name, labels, IndexedJobFactory.callAnnotations(options, request, attempt),
        spec);
  }

  /** A replica spec: {@code restartPolicy: Never}, since a static rendezvous cannot take a restarted node back. */
  private static Map<String, Object> replica(int n, PodTemplateSpec template) {
    Map<String, Object> r = new LinkedHashMap<>();
    r.put("replicas", n);
    r.put("restartPolicy", "Never");
    r.put("template", tree(template));
    return r;
  }

  GenericKubernetesResource trainJob(LaunchRequest request, String name, int attempt) {
    String backend = TorchBackend.TRAIN_JOB.id();
    String nproc = options.processesPerNode();
    if (nproc.equals("cpu") || nproc.equals("gpu")) {
      throw new IllegalArgumentException("processesPerNode " + nproc + " cannot be expressed on a TrainJob "
          + "(trainer.numProcPerNode is a number): leave it auto, give a number, or force backend pytorchjob or indexed-job");
    }
    Map<String, String> labels = IndexedJobFactory.callLabels(options, request, backend);
    List<EnvVar> env = PodSpecs.env(options.pod(), IndexedJobFactory.callEnv(options, request, backend));
    PodSpec pod = PodSpecs.podSpec(options.pod(), IndexedJobFactory.CONTAINER, List.of(), request.remoteMainArgs(), env).build();
    if (pod.getContainers().getFirst().getEnvFrom() != null && !pod.getContainers().getFirst().getEnvFrom().isEmpty()) {
      throw new IllegalArgumentException("a whole Secret or ConfigMap as env (envFrom) cannot be expressed on a TrainJob "
          + "(trainer.env and runtimePatches take single variables): reference single keys (EnvReference.secretKey / "
          + "configMapKey) or force backend pytorchjob or indexed-job");
    }
    Map<String, Object> trainer = new LinkedHashMap<>();
    trainer.put("image", options.pod().qualifiedImage());
    trainer.put("args", request.remoteMainArgs());
    trainer.put("env", tree(env));
    trainer.put("numNodes", options.nodes());
    if (!nproc.equals("auto")) {
      trainer.put("numProcPerNode", Integer.parseInt(nproc));
    }
    ResourceRequirements resources = pod.getContainers().getFirst().getResources();
    if (resources != null && (resources.getRequests() != null && !resources.getRequests().isEmpty()
        || resources.getLimits() != null && !resources.getLimits().isEmpty())) {
      trainer.put("resourcesPerNode", tree(resources));
    }
    Map<String, Object> spec = new LinkedHashMap<>();
    Map<String, Object> ref = new LinkedHashMap<>();
    ref.put("name", options.runtime());
    ref.put("apiGroup", "trainer.kubeflow.org");
    ref.put("kind", "ClusterTrainingRuntime");
    spec.put("runtimeRef", ref);
    spec.put("trainer", trainer);
    spec.put("runtimePatches", List.of(runtimePatch(pod, labels)));
    options.activeDeadline().ifPresent(d -> spec.put("activeDeadlineSeconds", d.toSeconds()));
    return resource("trainer.kubeflow.org/v1alpha1", "TrainJob", name, labels,
        IndexedJobFactory.callAnnotations(options, request, attempt), spec);
  }

  /** The node pod's labels, annotations and pod-level fields, laid over the runtime's {@code node} replicated job. */
  private Map<String, Object> runtimePatch(PodSpec pod, Map<String, String> labels) {
    Map<String, Object> podSpec = new LinkedHashMap<>();
    if (pod.getServiceAccountName() != null) {
      podSpec.put("serviceAccountName", pod.getServiceAccountName());
    }
    if (pod.getNodeSelector() != null && !pod.getNodeSelector().isEmpty()) {
      podSpec.put("nodeSelector", pod.getNodeSelector());
    }
    if (pod.getAffinity() != null) {
      podSpec.put("affinity", tree(pod.getAffinity()));
    }
    if (pod.getTolerations() != null && !pod.getTolerations().isEmpty()) {
      podSpec.put("tolerations", tree(pod.getTolerations()));
    }
    Map<String, Object> podMeta = new LinkedHashMap<>();
    podMeta.put("labels", labels);
    if (!options.pod().annotations().isEmpty()) {
      podMeta.put("annotations", new LinkedHashMap<>(options.pod().annotations()));
    }
    Map<String, Object> podTemplate = new LinkedHashMap<>();
    podTemplate.put("metadata", podMeta);
    if (!podSpec.isEmpty()) {
      podTemplate.put("spec", podSpec);
    }
    Map<String, Object> node = new LinkedHashMap<>();
    node.put("name", "node");
    node.put("template", Map.of("spec", Map.of("template", podTemplate)));
    Map<String, Object> patch = new LinkedHashMap<>();
    patch.put("manager", PATCH_MANAGER);
    patch.put("trainingRuntimeSpec", Map.of("template", Map.of("spec", Map.of("replicatedJobs", List.of(node)))));
    return patch;
  }

  private GenericKubernetesResource resource(String apiVersion, String kind, String name, Map<String, String> labels,
      Map<String, String> annotations, Map<String, Object> spec) {
    GenericKubernetesResource r = new GenericKubernetesResource();
    r.setApiVersion(apiVersion);
    r.setKind(kind);
    r.setMetadata(new ObjectMetaBuilder().withName(name).withNamespace(options.namespace()).withLabels(labels)
        .withAnnotations(annotations).build());
    r.setAdditionalProperty("spec", spec);
    return r;
  }

  @SuppressWarnings("unchecked")
  private static <T> T tree(Object value) {
    Object converted = JSON.unmarshal(JSON.asJson(value), Object.class);
    return (T) converted;
  }
}
