package io.pureremote.k8s;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.fabric8.kubernetes.api.model.Container;
import io.fabric8.kubernetes.api.model.EnvVar;
import io.fabric8.kubernetes.api.model.PodSpec;
import io.fabric8.kubernetes.api.model.Quantity;
import io.fabric8.kubernetes.api.model.batch.v1.Job;
import io.fabric8.kubernetes.api.model.batch.v1.JobBuilder;
import io.fabric8.kubernetes.client.utils.Serialization;
import io.pureremote.FunctionId;
import io.pureremote.spi.Shell.LaunchRequest;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.stream.Collectors;
import org.junit.jupiter.api.Test;

/** Every option lands in the right field of the Job; the example Job YAML is written for the docs. */
class JobFactoryTest {
  static final String HASH = "9f86d081884c7d659a2feaa0c55ad015a3bf4f1b2b0b822cd15d6c15b0f00a08";
  static final LaunchRequest REQUEST = new LaunchRequest(
      "s3://ml-memo/pureremote/v1/forecast/com.acme.scoring.Scoring%23score@2/" + HASH,
      new FunctionId("com.acme.scoring.Scoring#score", "2"), HASH,
      Map.of("PUREREMOTE_STORE_REGION", "eu-west-1", "PUREREMOTE_STORE_ENDPOINT_URL", "http://localhost:9000"));

  static KubernetesShellOptions.Builder full() {
    return KubernetesShellOptions.builder()
        .namespace("ml-team")
        .registry("myregistry.azurecr.io")
        .image("scoring/app:42")
        .imagePullPolicy("IfNotPresent")
        .cpu("2", "4")
        .memory("8Gi")
        .ephemeralStorage("10Gi", "20Gi")
        .gpus(1)
        .extendedResource("example.com/fpga", "2")
        .toleration(Tolerations.spotAks())
        .nodeSelector("kubernetes.azure.com/scalesetpriority", "spot")
        .requireNodeLabel("topology.kubernetes.io/zone", "westeurope-1", "westeurope-2")
        .serviceAccount("ml-runner")
        .workloadIdentity(true)
        .env("PUREREMOTE_STORE_ENDPOINT_URL", "http://minio.storage.svc:9000")
        .env("JAVA_TOOL_OPTIONS", "-XX:MaxRAMPercentage=75")
        .envReference(EnvReference.secret("storage-credentials"))
        .envReference(EnvReference.configMap("ml-settings"))
        .envReference(EnvReference.secretKey("AWS_SECRET_ACCESS_KEY", "aws", "secret-key"))
        .envReference(EnvReference.configMapKey("MODEL_BUCKET", "ml-settings", "bucket"))
        .label("team", "forecasting")
        .annotation("cost-center", "4711")
        .ttlAfterFinished(Duration.ofMinutes(30))
        .backoffLimit(1)
        .activeDeadline(Duration.ofHours(2));
  }

  @Test
  void everyOptionLandsInTheRightField() {
    KubernetesShellOptions options = full().build();
    Job job = new JobFactory(options).create(REQUEST, "scoring-score-0123456789", 0);

    assertThat(job.getApiVersion()).isEqualTo("batch/v1");
    assertThat(job.getKind()).isEqualTo("Job");
    assertThat(job.getMetadata().getName()).isEqualTo("scoring-score-0123456789");
    assertThat(job.getMetadata().getNamespace()).isEqualTo("ml-team");
    String memoHash = KubernetesNames.sha256Hex(REQUEST.memoUri());
    assertThat(job.getMetadata().getLabels()).containsExactlyInAnyOrderEntriesOf(Map.of(
        "team", "forecasting",
        "app.kubernetes.io/managed-by", "pureremote",
        "pureremote.io/function", "com.acme.scoring.Scoring_score",
        "pureremote.io/function-version", "2",
        "pureremote.io/memo-hash", memoHash.substring(0, 16)));
    assertThat(job.getMetadata().getAnnotations()).containsEntry("cost-center", "4711")
        .containsEntry("pureremote.io/memo-uri", REQUEST.memoUri())
        .containsEntry("pureremote.io/function", "com.acme.scoring.Scoring#score@2")
        .containsEntry("pureremote.io/attempt", "0");

    var spec = job.getSpec();
    assertThat(spec.getBackoffLimit()).isEqualTo(1);
    assertThat(spec.getCompletions()).isEqualTo(1);
    assertThat(spec.getParallelism()).isEqualTo(1);
    assertThat(spec.getTtlSecondsAfterFinished()).isEqualTo(1800);
    assertThat(spec.getActiveDeadlineSeconds()).isEqualTo(7200L);
    var rules = spec.getPodFailurePolicy().getRules();
    assertThat(rules).hasSize(2);
    assertThat(rules.get(0).getAction()).isEqualTo("FailJob");
    assertThat(rules.get(0).getOnExitCodes().getContainerName()).isEqualTo("fn");
    assertThat(rules.get(0).getOnExitCodes().getOperator()).isEqualTo("In");
    assertThat(rules.get(0).getOnExitCodes().getValues()).containsExactly(42);
    assertThat(rules.get(1).getAction()).isEqualTo("Ignore");
    assertThat(rules.get(1).getOnPodConditions().getFirst().getType()).isEqualTo("DisruptionTarget");

    var template = spec.getTemplate();
    assertThat(template.getMetadata().getLabels()).containsAllEntriesOf(job.getMetadata().getLabels())
        .containsEntry("azure.workload.identity/use", "true");
    assertThat(template.getMetadata().getAnnotations()).containsEntry("cost-center", "4711");
    PodSpec pod = template.getSpec();
    assertThat(pod.getRestartPolicy()).isEqualTo("Never");
    assertThat(pod.getServiceAccountName()).isEqualTo("ml-runner");
    assertThat(pod.getNodeSelector()).containsExactly(Map.entry("kubernetes.azure.com/scalesetpriority", "spot"));
    var terms = pod.getAffinity().getNodeAffinity().getRequiredDuringSchedulingIgnoredDuringExecution().getNodeSelectorTerms();
    assertThat(terms).hasSize(1);
    assertThat(terms.getFirst().getMatchExpressions().getFirst().getKey()).isEqualTo("topology.kubernetes.io/zone");
    assertThat(terms.getFirst().getMatchExpressions().getFirst().getOperator()).isEqualTo("In");
    assertThat(terms.getFirst().getMatchExpressions().getFirst().getValues()).containsExactly("westeurope-1", "westeurope-2");
    assertThat(pod.getTolerations()).singleElement().satisfies(t -> {
      assertThat(t.getKey()).isEqualTo("kubernetes.azure.com/scalesetpriority");
      assertThat(t.getOperator()).isEqualTo("Equal");
      assertThat(t.getValue()).isEqualTo("spot");
      assertThat(t.getEffect()).isEqualTo("NoSchedule");
    });

    Container c = pod.getContainers().getFirst();
    assertThat(pod.getContainers()).hasSize(1);
    assertThat(c.getName()).isEqualTo("fn");
    assertThat(c.getImage()).isEqualTo("myregistry.azurecr.io/scoring/app:42");
    assertThat(c.getImagePullPolicy()).isEqualTo("IfNotPresent");
    assertThat(c.getCommand()).as("the image's entrypoint runs RemoteMain").isEmpty();
    assertThat(c.getArgs()).containsExactly("run", REQUEST.memoUri());
    assertThat(c.getResources().getRequests()).containsExactlyInAnyOrderEntriesOf(Map.of(
        "cpu", new Quantity("2"), "memory", new Quantity("8Gi"), "ephemeral-storage", new Quantity("10Gi"),
        "nvidia.com/gpu", new Quantity("1"), "example.com/fpga", new Quantity("2")));
    assertThat(c.getResources().getLimits()).containsExactlyInAnyOrderEntriesOf(Map.of(
        "cpu", new Quantity("4"), "memory", new Quantity("8Gi"), "ephemeral-storage", new Quantity("20Gi"),
        "nvidia.com/gpu", new Quantity("1"), "example.com/fpga", new Quantity("2")));

    Map<String, String> plain = c.getEnv().stream().filter(e -> e.getValue() != null)
        .collect(Collectors.toMap(EnvVar::getName, EnvVar::getValue, (a, b) -> b, LinkedHashMap::new));
    assertThat(plain).containsEntry("PUREREMOTE_STORE_REGION", "eu-west-1")
        .as("the options override the runtime's store settings (in-cluster endpoint)")
        .containsEntry("PUREREMOTE_STORE_ENDPOINT_URL", "http://minio.storage.svc:9000")
        .containsEntry("JAVA_TOOL_OPTIONS", "-XX:MaxRAMPercentage=75")
        .containsEntry("PUREREMOTE_FUNCTION", "com.acme.scoring.Scoring#score")
        .containsEntry("PUREREMOTE_FUNCTION_VERSION", "2")
        .containsEntry("PUREREMOTE_ARGS_HASH", HASH)
        .containsEntry("PUREREMOTE_MEMO_URI", REQUEST.memoUri())
        .containsEntry("PUREREMOTE_K8S_NAMESPACE", "ml-team")
        .containsEntry("PUREREMOTE_K8S_JOB_NAME", "scoring-score-0123456789");
    assertThat(c.getEnv().stream().map(EnvVar::getName).filter(n -> n.equals("PUREREMOTE_STORE_ENDPOINT_URL")))
        .as("no duplicate names").hasSize(1);
    assertThat(env(c, "PUREREMOTE_K8S_POD_NAME").getValueFrom().getFieldRef().getFieldPath()).isEqualTo("metadata.name");
    var secretKey = env(c, "AWS_SECRET_ACCESS_KEY").getValueFrom().getSecretKeyRef();
    assertThat(secretKey.getName()).isEqualTo("aws");
    assertThat(secretKey.getKey()).isEqualTo("secret-key");
    var cmKey = env(c, "MODEL_BUCKET").getValueFrom().getConfigMapKeyRef();
    assertThat(cmKey.getName()).isEqualTo("ml-settings");
    assertThat(cmKey.getKey()).isEqualTo("bucket");
    assertThat(c.getEnvFrom()).hasSize(2);
    assertThat(c.getEnvFrom().get(0).getSecretRef().getName()).isEqualTo("storage-credentials");
    assertThat(c.getEnvFrom().get(1).getConfigMapRef().getName()).isEqualTo("ml-settings");
  }

  @Test
  void defaultsAreMinimal() {
    KubernetesShellOptions options = KubernetesShellOptions.builder().namespace("dev").image("team/app:1").build();
    Job job = new JobFactory(options).create(REQUEST, JobFactory.baseName(REQUEST), 0);
    PodSpec pod = job.getSpec().getTemplate().getSpec();
    assertThat(job.getSpec().getBackoffLimit()).isZero();
    assertThat(job.getSpec().getTtlSecondsAfterFinished()).isEqualTo(3600);
    assertThat(job.getSpec().getActiveDeadlineSeconds()).isNull();
    assertThat(job.getSpec().getPodFailurePolicy()).isNotNull();
    assertThat(pod.getServiceAccountName()).isNull();
    assertThat(pod.getAffinity()).isNull();
    assertThat(pod.getNodeSelector()).isNullOrEmpty();
    assertThat(pod.getTolerations()).isNullOrEmpty();
    assertThat(job.getSpec().getTemplate().getMetadata().getLabels()).doesNotContainKey("azure.workload.identity/use");
    Container c = pod.getContainers().getFirst();
    assertThat(c.getImage()).isEqualTo("team/app:1");
    assertThat(c.getImagePullPolicy()).isEqualTo("Always");
    assertThat(c.getResources().getRequests()).isNullOrEmpty();
    assertThat(c.getEnvFrom()).isNullOrEmpty();
  }

  @Test
  void aJobFromTheSharedPartsIsTheJsonOfAJobBuiltWhole() {
    List<KubernetesShellOptions> cases = List.of(
        full().build(),
        full().namespace("dev").workloadIdentity(false).ttlAfterFinished(Duration.ofSeconds(5)).build(),
        KubernetesShellOptions.builder().namespace("dev").image("team/app:1").build(),
        KubernetesShellOptions.builder().namespace("dev").image("a/b:1").podFailurePolicy(false)
            .queueName("team-a-queue").workloadPriorityClass("batch-low").build());
    for (KubernetesShellOptions options : cases) {
      JobFactory factory = new JobFactory(options);
      for (int attempt = 0; attempt < 2; attempt++) {
        Job shared = factory.create(REQUEST, "scoring-score-0123456789", attempt);
        Job whole = factory.build(REQUEST, "scoring-score-0123456789", attempt);
        assertThat(Serialization.asJson(shared)).as("options %s", options).isEqualTo(Serialization.asJson(whole));
      }
      // A second call's Job differs only where the call does; the first one is left as it was.
      String first = Serialization.asJson(factory.create(REQUEST, "a", 0));
      LaunchRequest other = new LaunchRequest(REQUEST.memoUri().replace(HASH, "ab" + HASH.substring(2)),
          REQUEST.function(), "ab" + HASH.substring(2), REQUEST.environment());
      Job second = factory.create(other, "b", 1);
      assertThat(Serialization.asJson(second)).isEqualTo(Serialization.asJson(factory.build(other, "b", 1)));
      assertThat(Serialization.asJson(factory.create(REQUEST, "a", 0))).isEqualTo(first);
    }
  }

  @Test
  void podFailurePolicyCanBeTurnedOff() {
    KubernetesShellOptions options = KubernetesShellOptions.builder().namespace("dev").image("a/b:1").podFailurePolicy(false).build();
    assertThat(new JobFactory(options).create(REQUEST, "x", 0).getSpec().getPodFailurePolicy()).isNull();
  }

  @Test
  void replacementPodsWaitForTheFailedOneWithOrWithoutAPodFailurePolicy() {
    for (boolean policy : new boolean[] {true, false}) {
      KubernetesShellOptions options = KubernetesShellOptions.builder().namespace("dev").image("a/b:1").podFailurePolicy(policy).build();
      Job job = new JobFactory(options).create(REQUEST, "x", 0);
      assertThat(job.getSpec().getPodReplacementPolicy()).as("podFailurePolicy=%s", policy).isEqualTo("Failed");
      assertThat(job.getSpec().getSuspend()).as("the shell never sets suspend (Kueue does)").isNull();
    }
  }

  @Test
  void aKueueQueueAndPriorityAreJobLabelsAndTheJobIsNotSuspendedByTheShell() {
    KubernetesShellOptions options = KubernetesShellOptions.builder().namespace("dev").image("a/b:1")
        .queueName("team-a-queue").workloadPriorityClass("batch-low").build();
    Job job = new JobFactory(options).create(REQUEST, "x", 0);
    assertThat(job.getMetadata().getLabels()).containsEntry("kueue.x-k8s.io/queue-name", "team-a-queue")
        .containsEntry("kueue.x-k8s.io/priority-class", "batch-low");
    assertThat(job.getSpec().getTemplate().getMetadata().getLabels()).doesNotContainKey("kueue.x-k8s.io/queue-name");
    assertThat(job.getSpec().getSuspend()).isNull();
    assertThat(options.toBuilder().build().queueName()).hasValue("team-a-queue");
  }

  @Test
  void kueueNamesAreCheckedLikeKubernetesNames() {
    assertThatThrownBy(() -> KubernetesShellOptions.builder().namespace("dev").image("a/b:1").queueName("Team A")
        .workloadPriorityClass("x".repeat(64)).build())
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessageContaining("queueName 'Team A' is not a LocalQueue name usable as the label kueue.x-k8s.io/queue-name")
        .hasMessageContaining("workloadPriorityClass '" + "x".repeat(64) + "' is not a WorkloadPriorityClass name");
  }

  @Test
  void workloadIdentityAppliesPerListedNamespace() {
    KubernetesShellOptions.Builder b = KubernetesShellOptions.builder().image("a/b:1").serviceAccount("runner")
        .workloadIdentityNamespaces(Set.of("ml-team", "risk"));
    Job listed = new JobFactory(b.namespace("ml-team").build()).create(REQUEST, "x", 0);
    Job other = new JobFactory(b.namespace("dev").build()).create(REQUEST, "x", 0);
    assertThat(listed.getSpec().getTemplate().getMetadata().getLabels()).containsEntry("azure.workload.identity/use", "true");
    assertThat(listed.getSpec().getTemplate().getSpec().getServiceAccountName()).isEqualTo("runner");
    assertThat(other.getSpec().getTemplate().getMetadata().getLabels()).doesNotContainKey("azure.workload.identity/use");
  }

  @Test
  void customizerRunsLastAndMustKeepTheIdentity() {
    KubernetesShellOptions options = KubernetesShellOptions.builder().namespace("dev").image("a/b:1")
        .customizer(job -> new JobBuilder(job).editSpec().editTemplate().editSpec().withPriorityClassName("batch-low")
            .endSpec().endTemplate().endSpec().build())
        .build();
    Job job = new JobFactory(options).create(REQUEST, "x", 0);
    assertThat(job.getSpec().getTemplate().getSpec().getPriorityClassName()).isEqualTo("batch-low");

    KubernetesShellOptions renaming = options.toBuilder()
        .customizer(j -> new JobBuilder(j).editMetadata().withName("other").removeFromLabels("app.kubernetes.io/managed-by").endMetadata().build())
        .build();
    assertThatThrownBy(() -> new JobFactory(renaming).create(REQUEST, "x", 0))
        .isInstanceOf(IllegalStateException.class)
        .hasMessageContaining("changed or removed its name (expected x)")
        .hasMessageContaining("the shell's labels");
  }

  @Test
  void exampleJobYaml() throws Exception {
    // The Job of one call with resources, a spot toleration, a deadline and workload identity.
    KubernetesShellOptions options = KubernetesShellOptions.builder()
        .namespace("ml-team")
        .registry("myregistry.azurecr.io")
        .image("scoring/app:42")
        .cpu("2", null)
        .memory("8Gi")
        .gpus(1)
        .toleration(Tolerations.spotAks())
        .activeDeadline(Duration.ofHours(2))
        .serviceAccount("ml-runner")
        .workloadIdentity(true)
        .build();
    LaunchRequest request = new LaunchRequest(REQUEST.memoUri(), REQUEST.function(), REQUEST.argsHash(),
        Map.of("PUREREMOTE_STORE_REGION", "eu-west-1"));
    Job job = new JobFactory(options).create(request, JobFactory.baseName(request), 0);
    String yaml = Serialization.asYaml(job);
    Path out = Path.of("target", "example-job.yaml");
    Files.createDirectories(out.getParent());
    Files.writeString(out, yaml);

    assertThat(yaml).contains("apiVersion: \"batch/v1\"", "kind: \"Job\"", "name: \"scoring-score-",
        "activeDeadlineSeconds: 7200", "backoffLimit: 0", "ttlSecondsAfterFinished: 3600",
        "restartPolicy: \"Never\"", "serviceAccountName: \"ml-runner\"",
        "azure.workload.identity/use: \"true\"", "key: \"kubernetes.azure.com/scalesetpriority\"",
        "value: \"spot\"", "effect: \"NoSchedule\"", "nvidia.com/gpu: \"1\"", "memory: \"8Gi\"", "cpu: \"2\"",
        "image: \"myregistry.azurecr.io/scoring/app:42\"", "- \"run\"", "- \"" + request.memoUri() + "\"",
        "action: \"FailJob\"", "- 42", "type: \"DisruptionTarget\"", "app.kubernetes.io/managed-by: \"pureremote\"");
    Job back = Serialization.unmarshal(yaml, Job.class);
    assertThat(back).isEqualTo(job);
  }

  private static EnvVar env(Container c, String name) {
    List<EnvVar> matches = c.getEnv().stream().filter(e -> e.getName().equals(name)).toList();
    assertThat(matches).as("env " + name).hasSize(1);
    return matches.getFirst();
  }
}
