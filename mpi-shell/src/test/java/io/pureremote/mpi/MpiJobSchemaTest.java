package io.pureremote.mpi;

import static org.assertj.core.api.Assertions.assertThat;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

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
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/** Every MPIJob the shell emits is checked against the MPI Operator's own CRD schema (../shared/crds/). */
class MpiJobSchemaTest {
  static final KubernetesSerialization JSON = new KubernetesSerialization();
  static final LaunchRequest REQUEST = new LaunchRequest(
      "s3://ml-memo/pureremote/v1/khiops/com.acme.Khiops%23train@1/" + "9f".repeat(32),
      new FunctionId("com.acme.Khiops#train", "1"), "9f".repeat(32), Map.of("PUREREMOTE_STORE_REGION", "eu-west-1"));
  static CrdSchema schema;

  @BeforeAll
  static void load() throws Exception {
    schema = CrdSchema.load(mpiJobCrd(), "v2beta1");
  }

  /** The MPI Operator's CRD from ../shared/crds/; the test is skipped where it is absent (under CI=true that fails). */
  static Path mpiJobCrd() {
    Path crd = SharedCrds.find(SharedCrds.MPIJOB).orElse(null);
    assumeTrue(crd != null, SharedCrds.absence(SharedCrds.MPIJOB));
    return crd;
  }

  /** The seed-000 Khiops manifest's settings (docs/mpi.md shows them side by side). */
  static MpiShellOptions khiops() {
    PodTemplateOptions launcher = PodTemplateOptions.builder()
        .image("acme/khiops-app:1").cpu(null, "1").resourceLimit("memory", "512Mi").build();
    PodTemplateOptions worker = PodTemplateOptions.builder()
        .image("khiopsml/khiops-ubuntu").cpu("4", null).resourceRequest("memory", "4Gi").build();
    return MpiShellOptions.builder()
        .namespace("khiops")
        .launcher(launcher)
        .worker(worker)
        .workers(2)
        .slotsPerWorker(4)
        .cleanPodPolicy(MpiShellOptions.CleanPodPolicy.RUNNING)
        .ttlAfterFinished(Duration.ofSeconds(3600))
        .sshAuthMountPath("/home/ubuntu/.ssh")
        .runAsUser(1000)
        .workerCommand(List.of("/usr/sbin/sshd", "-De", "-f", "/home/ubuntu/.sshd_config"))
        .workerReadinessPort(2222)
        .memoryLimitEnv("KHIOPS_MEMORY_LIMIT", "requests.memory", "1Mi")
        .build();
  }

  static Map<?, ?> tree(GenericKubernetesResource job) {
    return JSON.unmarshal(JSON.asJson(job), Map.class);
  }

  @Test
  void theSeed000MpiJobMatchesTheOperatorsSchema() throws Exception {
    GenericKubernetesResource job = MpiShell.mpiJob(khiops(), REQUEST);
    assertThat(schema.problems(tree(job))).isEmpty();
    Path out = Path.of("target/khiops-mpijob.yaml");
    Files.writeString(out, JSON.asYaml(job));
    String yaml = Files.readString(out);
    assertThat(yaml).contains("slotsPerWorker: 4").contains("cleanPodPolicy: \"Running\"").contains("ttlSecondsAfterFinished: 3600")
        .contains("sshAuthMountPath: \"/home/ubuntu/.ssh\"").contains("runAsUser: 1000").contains("KHIOPS_MEMORY_LIMIT")
        .contains("resource: \"requests.memory\"").contains("launcherCreationPolicy: \"WaitForWorkersReady\"");
  }

  @Test
  void everyOptionSetMatchesTheOperatorsSchema() {
    PodTemplateOptions launcher = PodTemplateOptions.builder().image("acme/app:1").memory("2Gi").cpu("1", "2")
        .toleration(Tolerations.spotAks()).nodeSelector("pool", "mpi").requireNodeLabel("zone", "a", "b")
        .serviceAccount("runner").env("A", "1").envReference(EnvReference.secretKey("STORE_KEY", "store", "key"))
        .label("team", "ml").annotation("note", "x").build();
    MpiShellOptions options = MpiShellOptions.builder().namespace("ml").launcher(launcher)
        .worker(launcher.toBuilder().gpus(1).build()).workers(3).slotsPerWorker(2).runLauncherAsWorker(true)
        .cleanPodPolicy(MpiShellOptions.CleanPodPolicy.ALL).ttlAfterFinished(Duration.ofMinutes(5))
        .activeDeadline(Duration.ofHours(2)).backoffLimit(2).schedulingMinAvailable(4).schedulingQueue("q")
        .schedulingPriorityClass("high").scheduleTimeout(Duration.ofMinutes(3))
        .mpiImplementation(MpiShellOptions.MpiImplementation.INTEL)
        .launcherCreationPolicy(MpiShellOptions.LauncherCreationPolicy.AT_STARTUP)
        .memoryLimitEnv("MEM_LIMIT").launcherRestartPolicy("OnFailure").workerRestartPolicy("ExitCode").runAsUser(0)
        .build();
    assertThat(schema.problems(tree(MpiShell.mpiJob(options, REQUEST)))).isEmpty();
    assertThat(options.totalSlots()).isEqualTo(8);
  }

  @Test
  void theCheckCatchesAMisspelledFieldAWrongTypeAndABadEnum() {
    @SuppressWarnings("unchecked")
    Map<String, Object> job = (Map<String, Object>) tree(MpiShell.mpiJob(khiops(), REQUEST));
    @SuppressWarnings("unchecked")
    Map<String, Object> spec = (Map<String, Object>) job.get("spec");
    spec.put("nProcPerNode", 4);
    spec.put("slotsPerWorker", "four");
    spec.put("mpiImplementation", "LAM");
    spec.remove("mpiReplicaSpecs");
    assertThat(schema.problems(job)).anySatisfy(p -> assertThat(p).startsWith(".spec.nProcPerNode: unknown field"))
        .anySatisfy(p -> assertThat(p).startsWith(".spec.slotsPerWorker: expected an integer"))
        .anySatisfy(p -> assertThat(p).startsWith(".spec.mpiImplementation: 'LAM' is not one of"))
        .anySatisfy(p -> assertThat(p).isEqualTo(".spec: required field 'mpiReplicaSpecs' is missing"));
  }
}
