package io.pureremote.torch;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.fabric8.kubernetes.api.model.GenericKubernetesResource;
import io.fabric8.kubernetes.client.utils.KubernetesSerialization;
import io.pureremote.FunctionId;
import io.pureremote.k8s.EnvReference;
import io.pureremote.k8s.PodTemplateOptions;
import io.pureremote.k8s.Tolerations;
import io.pureremote.spi.Shell.LaunchRequest;
import io.pureremote.testing.kubernetes.CrdSchema;
import io.pureremote.testing.kubernetes.SharedCrds;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

/**
 * Every PyTorchJob and TrainJob the shell emits is checked against the operators' own CRD schemas
 * (../shared/crds/), and seed 003's {@code nProcPerNode} spelling is shown refused by that check
 * (a real API server prunes it silently unless the object is sent with strict field validation,
 * which the shell always asks for).
 */
class OperatorJobSchemaTest {
  static final KubernetesSerialization JSON = new KubernetesSerialization();
  static final LaunchRequest REQUEST = new LaunchRequest(
      "s3://ml-memo/pureremote/v1/ml/com.acme.Train%23fit@1/" + "ab".repeat(32),
      new FunctionId("com.acme.Train#fit", "1"), "ab".repeat(32), Map.of("PUREREMOTE_STORE_REGION", "eu-west-1"));

  /** Seed 003's settings: Master + 1 Worker, two processes per pod, one GPU each. */
  static TorchShellOptions seed003() {
    return TorchShellOptions.builder()
        .namespace("kubeflow")
        .pod(PodTemplateOptions.builder().image("registry.cern.ch/itwinai/dist-ml/itwinai-slim:0.0.7").gpus(1).build())
        .nodes(2)
        .processesPerNode("2")
        .build();
  }

  static TorchShellOptions everything() {
    PodTemplateOptions pod = PodTemplateOptions.builder().image("acme/train:1").memory("8Gi").cpu("2", "4").gpus(1)
        .toleration(Tolerations.spotAks()).nodeSelector("pool", "gpu").requireNodeLabel("zone", "a", "b")
        .serviceAccount("trainer").env("NCCL_DEBUG", "INFO").envReference(EnvReference.secretKey("WANDB_KEY", "wandb", "key"))
        .label("team", "vision").annotation("note", "x").build();
    return TorchShellOptions.builder().namespace("ml").pod(pod).nodes(4).processesPerNode("4").masterPort(29400)
        .activeDeadline(Duration.ofHours(4)).ttlAfterFinished(Duration.ofMinutes(30)).backoffLimitPerIndex(1).build();
  }

  static CrdSchema schema(String file, String version) throws Exception {
    return CrdSchema.load(OperatorBackendsTest.crd(file), version);
  }

  @SuppressWarnings("unchecked")
  static Map<String, Object> tree(GenericKubernetesResource r) {
    return JSON.unmarshal(JSON.asJson(r), Map.class);
  }

  @Test
  void thePyTorchJobsMatchTheTrainingOperatorsSchema() throws Exception {
    CrdSchema schema = schema(SharedCrds.PYTORCHJOB, "v1");
    GenericKubernetesResource seed = TorchShell.pytorchJob(seed003(), REQUEST);
    assertThat(schema.problems(seed)).isEmpty();
    assertThat(schema.problems(TorchShell.pytorchJob(everything(), REQUEST))).isEmpty();
    String yaml = JSON.asYaml(seed);
    Files.writeString(Path.of("target/seed003-pytorchjob.yaml"), yaml);
    assertThat(yaml).contains("nprocPerNode: \"2\"").contains("Master:").contains("Worker:").contains("name: \"pytorch\"")
        .contains("name: \"pytorchjob-port\"").contains("cleanPodPolicy: \"Running\"").contains("restartPolicy: \"Never\"")
        .contains("nvidia.com/gpu: \"1\"").contains("value: \"pytorchjob\"").doesNotContain("elasticPolicy")
        .doesNotContain("RANK");
    Map<String, Object> spec = (Map<String, Object>) tree(seed).get("spec");
    Map<String, Object> replicas = (Map<String, Object>) spec.get("pytorchReplicaSpecs");
    assertThat(((Map<String, Object>) replicas.get("Master")).get("replicas")).isEqualTo(1);
    assertThat(((Map<String, Object>) replicas.get("Worker")).get("replicas")).isEqualTo(1);
    // One node: the Master alone, no Worker replica spec.
    assertThat((Map<String, Object>) ((Map<String, Object>) tree(TorchShell.pytorchJob(seed003().toBuilder().nodes(1).build(),
        REQUEST)).get("spec")).get("pytorchReplicaSpecs")).containsOnlyKeys("Master");
  }

  @Test
  @SuppressWarnings("unchecked")
  void seed003sNProcPerNodeSpellingIsRefusedByTheSchemaCheck() throws Exception {
    CrdSchema schema = schema(SharedCrds.PYTORCHJOB, "v1");
    Map<String, Object> job = tree(TorchShell.pytorchJob(seed003(), REQUEST));
    Map<String, Object> spec = (Map<String, Object>) job.get("spec");
    spec.put("nProcPerNode", spec.remove("nprocPerNode"));   // the seed's manifest spelling
    assertThat(schema.problems(job)).containsExactly(
        ".spec.nProcPerNode: unknown field (the API server would reject it under strict validation, or prune it)");
    // nprocPerNode is a string in the CRD: a number is refused too (the seed quotes "2" for that reason).
    spec.remove("nProcPerNode");
    spec.put("nprocPerNode", 2);
    assertThat(schema.problems(job)).singleElement().satisfies(p -> assertThat(p).startsWith(".spec.nprocPerNode: expected a string"));
  }

  @Test
  void theTrainJobsMatchTrainersSchema() throws Exception {
    CrdSchema schema = schema(SharedCrds.TRAINJOB, "v1alpha1");
    GenericKubernetesResource seed = TorchShell.trainJob(seed003(), REQUEST);
    assertThat(schema.problems(seed)).isEmpty();
    GenericKubernetesResource all = TorchShell.trainJob(everything(), REQUEST);
    assertThat(schema.problems(all)).isEmpty();
    String yaml = JSON.asYaml(seed);
    Files.writeString(Path.of("target/seed003-trainjob.yaml"), yaml);
    assertThat(yaml).contains("name: \"torch-distributed\"").contains("kind: \"ClusterTrainingRuntime\"").contains("numNodes: 2")
        .contains("numProcPerNode: 2").contains("nvidia.com/gpu: \"1\"").contains("manager: \"pureremote.io/torch-shell\"")
        .contains("value: \"trainjob\"").doesNotContain("PET_");
    assertThat(JSON.asYaml(all)).contains("serviceAccountName: \"trainer\"").contains("tolerations:").contains("nodeSelector:")
        .contains("affinity:").contains("activeDeadlineSeconds: 14400").contains("secretKeyRef:");
    assertThat(JSON.asYaml(TorchShell.trainJob(seed003().toBuilder().processesPerNode("auto").build(), REQUEST)))
        .doesNotContain("numProcPerNode");
  }

  /** The same options on the no-operator backend, for docs/torch.md's side-by-side (the Job rules are IndexedJobFactoryTest's). */
  @Test
  void theSameOptionsGiveAnIndexedJobWithoutAnOperator() throws Exception {
    String yaml = JSON.asYaml(TorchShell.indexedJob(seed003(), REQUEST, 34));
    Files.writeString(Path.of("target/seed003-indexed-job.yaml"), yaml);
    assertThat(yaml).contains("completionMode: \"Indexed\"").contains("completions: 2").contains("value: \"indexed-job\"")
        .contains("name: \"PET_NPROC_PER_NODE\"").contains("nvidia.com/gpu: \"1\"");
  }

  @Test
  void aLongFunctionNameStillGivesNamesTheOperatorsCanDeriveFrom() throws Exception {
    LaunchRequest longName = new LaunchRequest(REQUEST.memoUri(), new FunctionId("com.acme.VeryLongTrainingPipelineName#"
        + "fitTheWholeModelOnEveryShardWithCheckpointing", "1"), REQUEST.argsHash(), Map.of());
    TorchShellOptions many = seed003().toBuilder().nodes(1000).build();
    String pytorch = TorchShell.pytorchJob(many, longName).getMetadata().getName();
    String train = TorchShell.trainJob(many, longName).getMetadata().getName();
    // The training operator's Service for the last worker, JobSet's hostname for the last node: DNS-1123 labels.
    assertThat(pytorch + "-worker-998").hasSizeLessThanOrEqualTo(63).matches("[a-z]([-a-z0-9]*[a-z0-9])?");
    assertThat(train + "-node-0-999").hasSizeLessThanOrEqualTo(63).matches("[a-z]([-a-z0-9]*[a-z0-9])?");
    assertThat(pytorch).endsWith("-" + io.pureremote.k8s.PodSpecs.memoHash(longName).substring(0, 10));
    assertThat(OperatorJobFactory.objectName(many, TorchBackend.TRAIN_JOB, longName, "-r1")).endsWith("-r1")
        .satisfies(n -> assertThat(n + "-node-0-999").hasSizeLessThanOrEqualTo(63));
    assertThat(schema(SharedCrds.TRAINJOB, "v1alpha1").problems(TorchShell.trainJob(many, longName))).isEmpty();
    // A short name is the call's name as under the other backends.
    assertThat(TorchShell.pytorchJob(seed003(), REQUEST).getMetadata().getName())
        .isEqualTo(io.pureremote.k8s.PodSpecs.callName(REQUEST));
  }

  @Test
  void aProcessCountATrainJobCannotSayIsRefused() {
    assertThatThrownBy(() -> TorchShell.trainJob(seed003().toBuilder().processesPerNode("gpu").build(), REQUEST))
        .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("trainer.numProcPerNode is a number");
    assertThatThrownBy(() -> seed003().toBuilder().processesPerNode("gpu").backend(TorchBackend.TRAIN_JOB).build())
        .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("use backend pytorchjob or indexed-job");
  }

  @Test
  void theCheckWouldCatchAFieldTheTrainJobDoesNotHave() throws Exception {
    CrdSchema schema = schema(SharedCrds.TRAINJOB, "v1alpha1");
    @SuppressWarnings("unchecked")
    Map<String, Object> spec = (Map<String, Object>) tree(TorchShell.trainJob(seed003(), REQUEST)).get("spec");
    Map<String, Object> job = tree(TorchShell.trainJob(seed003(), REQUEST));
    spec.put("podTemplateOverrides", List.of());   // the v2.1 name of runtimePatches
    job.put("spec", spec);
    assertThat(schema.problems(job)).anySatisfy(p -> assertThat(p).startsWith(".spec.podTemplateOverrides: unknown field"));
  }
}
