package io.pureremote.torch;

import static org.assertj.core.api.Assertions.assertThat;

import io.fabric8.kubernetes.api.model.EnvVar;
import io.fabric8.kubernetes.api.model.Service;
import io.fabric8.kubernetes.api.model.batch.v1.Job;
import io.fabric8.kubernetes.client.utils.KubernetesSerialization;
import io.pureremote.FunctionId;
import io.pureremote.k8s.PodTemplateOptions;
import io.pureremote.spi.Shell.LaunchRequest;
import io.pureremote.testing.kubernetes.ApiServerJobRules;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

/** The Indexed Job and its Service, per server version, against the API server's rules. */
class IndexedJobFactoryTest {
  static final LaunchRequest REQUEST = new LaunchRequest("s3://ml-memo/pureremote/v1/p/Train%23fit@1/" + "cd".repeat(32),
      new FunctionId("com.acme.Train#fit", "1"), "cd".repeat(32), Map.of("PUREREMOTE_S3_REGION", "eu-west-1"));

  static TorchShellOptions options(int nodes) {
    return TorchShellOptions.builder().namespace("ml").nodes(nodes).processesPerNode(2).masterPort(29500)
        .pod(PodTemplateOptions.builder().image("acme/train:1").gpus(1).build()).build();
  }

  private static String env(Job job, String name) {
    return job.getSpec().getTemplate().getSpec().getContainers().getFirst().getEnv().stream()
        .filter(e -> e.getName().equals(name)).map(e -> e.getValue() != null ? e.getValue()
            : e.getValueFrom().getFieldRef().getFieldPath()).findFirst().orElse(null);
  }

  @Test
  void onCurrentServersTheJobHasASuccessPolicyOnIndexZeroAndPerIndexBackoff() {
    Job job = TorchShell.indexedJob(options(4), REQUEST, 34);
    assertThat(ApiServerJobRules.jobProblems(job)).isEmpty();
    var spec = job.getSpec();
    assertThat(spec.getCompletionMode()).isEqualTo("Indexed");
    assertThat(spec.getCompletions()).isEqualTo(4);
    assertThat(spec.getParallelism()).isEqualTo(4);
    assertThat(spec.getSuccessPolicy().getRules()).singleElement().satisfies(r -> assertThat(r.getSucceededIndexes()).isEqualTo("0"));
    assertThat(spec.getBackoffLimitPerIndex()).isZero();
    assertThat(spec.getMaxFailedIndexes()).isZero();
    assertThat(spec.getBackoffLimit()).isNull();
    assertThat(spec.getPodReplacementPolicy()).isEqualTo("Failed");
    String name = job.getMetadata().getName();
    assertThat(spec.getTemplate().getSpec().getSubdomain()).isEqualTo(name);
    assertThat(env(job, "MASTER_ADDR")).isEqualTo(name + "-0." + name);
    assertThat(env(job, "PET_MASTER_ADDR")).isEqualTo(name + "-0." + name);
    assertThat(env(job, "MASTER_PORT")).isEqualTo("29500");
    assertThat(env(job, "PET_NNODES")).isEqualTo("4");
    assertThat(env(job, "PET_NPROC_PER_NODE")).isEqualTo("2");
    assertThat(env(job, "WORLD_SIZE")).isEqualTo("8");
    assertThat(env(job, "RANK")).isEqualTo("metadata.annotations['batch.kubernetes.io/job-completion-index']");
    assertThat(env(job, "PUREREMOTE_TORCH_BACKEND")).isEqualTo("indexed-job");
    assertThat(env(job, "PUREREMOTE_S3_REGION")).isEqualTo("eu-west-1");
    assertThat(spec.getTemplate().getSpec().getContainers().getFirst().getResources().getLimits()).containsKey("nvidia.com/gpu");
    assertThat(spec.getTemplate().getSpec().getContainers().getFirst().getArgs())
        .containsExactly("run", REQUEST.memoUri());
  }

  /** The documented fallback: no successPolicy (the shell watches node 0) and backoffLimit = per node × nodes. */
  @Test
  void beforeOneThirtyThreeTheFallbackFieldsAreUsed() {
    Job job = TorchShell.indexedJob(options(3).toBuilder().backoffLimitPerIndex(2).build(), REQUEST, 32);
    assertThat(ApiServerJobRules.jobProblems(job)).isEmpty();
    assertThat(job.getSpec().getSuccessPolicy()).isNull();
    assertThat(job.getSpec().getBackoffLimitPerIndex()).isNull();
    assertThat(job.getSpec().getMaxFailedIndexes()).isNull();
    assertThat(job.getSpec().getBackoffLimit()).isEqualTo(6);
  }

  @Test
  void theServiceIsHeadlessSelectsTheJobsPodsAndIsOwnedByIt() {
    Service service = TorchShell.indexedJobService(options(2), REQUEST, "5f1c-uid");
    assertThat(ApiServerJobRules.serviceProblems(service)).isEmpty();
    Job job = TorchShell.indexedJob(options(2), REQUEST, 34);
    assertThat(service.getMetadata().getName()).isEqualTo(job.getMetadata().getName());
    assertThat(service.getSpec().getSelector()).containsExactly(Map.entry("batch.kubernetes.io/job-name", job.getMetadata().getName()));
    assertThat(service.getSpec().getPublishNotReadyAddresses()).isTrue();
    assertThat(service.getMetadata().getOwnerReferences()).singleElement().satisfies(o -> {
      assertThat(o.getApiVersion()).isEqualTo("batch/v1");
      assertThat(o.getKind()).isEqualTo("Job");
      assertThat(o.getUid()).isEqualTo("5f1c-uid");
      assertThat(o.getController()).isTrue();
    });
  }

  /** The longest name the shell derives still leaves the last pod's hostname a DNS label (1000 nodes). */
  @Test
  void aLongFunctionNameStillGivesValidHostnames() {
    LaunchRequest longName = new LaunchRequest(REQUEST.memoUri(), new FunctionId("com.acme.VeryLongTrainingPipelineName#"
        + "fitTheWholeModelOnEveryShardWithCheckpointing", "1"), REQUEST.argsHash(), Map.of());
    Job job = TorchShell.indexedJob(options(1000), longName, 34);
    assertThat(ApiServerJobRules.jobProblems(job)).isEmpty();
  }

  @Test
  void theRulesCatchWhatAServerRefuses() {
    Job job = TorchShell.indexedJob(options(2), REQUEST, 34);
    job.getSpec().setPodReplacementPolicy("TerminatingOrFailed");
    job.getSpec().getSuccessPolicy().getRules().getFirst().setSucceededIndexes("0-5");
    job.getSpec().getTemplate().getSpec().setRestartPolicy("OnFailure");
    job.getSpec().getTemplate().getSpec().getContainers().getFirst().getEnv()
        .add(new EnvVar("RANK2", null, new io.fabric8.kubernetes.api.model.EnvVarSourceBuilder().withNewFieldRef()
            .withFieldPath("metadata.generation").endFieldRef().build()));
    assertThat(ApiServerJobRules.jobProblems(job)).hasSize(4);
  }

  @Test
  void printsAsYaml() {
    String yaml = new KubernetesSerialization().asYaml(TorchShell.indexedJob(options(2), REQUEST, 34));
    System.out.println(yaml);
    for (String expected : List.of("completionMode: \"Indexed\"", "succeededIndexes: \"0\"", "backoffLimitPerIndex: 0",
        "subdomain: ", "podReplacementPolicy: \"Failed\"")) {
      assertThat(yaml).contains(expected);
    }
  }
}
