package io.pureremote.config;

import static org.assertj.core.api.Assertions.assertThat;
import static org.junit.jupiter.api.DynamicTest.dynamicTest;

import io.pureremote.CallOptions.ExceptionPolicy;
import io.pureremote.RuntimeOptions.Progress;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Set;
import java.util.TreeSet;
import java.util.function.Function;
import java.util.stream.Collectors;
import java.util.stream.Stream;
import org.junit.jupiter.api.DynamicTest;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestFactory;

/**
 * Every {@code PUREREMOTE_*} variable reaches its setting and beats the file's value for it: a file
 * sets every key, then each variable is set alone (and the same value as a code override).
 */
class EnvironmentMappingTest {
  static final String EVERY_KEY = """
      blob-root = "file:///file/memo"
      pipeline-id = "file"
      shell = "local"
      team = "other"
      timeout = "1m"
      exception-policy = "rerun"
      call-concurrency = 8
      progress = "log"
      shared-folder = false
      allow-packages = ["com.file"]
      [blob-settings]
      region = "file-region"
      [kubernetes]
      namespace = "file-ns"
      kube-context = "file-ctx"
      cloud = "aks"
      registry = "file.io"
      image = "file/app:1"
      image-pull-policy = "Never"
      service-account = "file-sa"
      tolerations = ["spot-eks"]
      ttl-after-finished = "1m"
      backoff-limit = 1
      active-deadline = "1h"
      pending-timeout = "1m"
      image-pull-timeout = "1m"
      max-eviction-retries = 1
      log-streaming = true
      log-sample-fraction = 0.5
      launch-concurrency = 1
      queue = "file-queue"
      queue-priority = "file-priority"
      batching = true
      batch-size = 50
      [kubernetes.resources]
      cpu = "1"
      cpu-limit = "8"
      memory = "1Gi"
      memory-limit = "8Gi"
      ephemeral-storage = "1Gi"
      gpus = 1
      [kubernetes.workload-identity]
      namespaces = ["file"]
      client-id = "00000000-0000-0000-0000-00000000000f"
      [teams.other]
      [teams.fc]
      """;

  record Case(String variable, String value, Function<PureRemoteConfig, Object> get, Object fromFile, Object fromEnv) {}

  static Function<PureRemoteConfig, Object> k(Function<KubernetesConfig, Object> f) {
    return c -> f.apply(c.kubernetes());
  }

  static final List<Case> CASES = List.of(
      new Case("PUREREMOTE_BLOB_ROOT", "s3://b/p", PureRemoteConfig::blobRoot, "file:///file/memo", "s3://b/p"),
      new Case("PUREREMOTE_PIPELINE_ID", "nightly", PureRemoteConfig::pipelineId, "file", "nightly"),
      new Case("PUREREMOTE_SHELL", "in-process", PureRemoteConfig::shell, "local", "in-process"),
      new Case("PUREREMOTE_TEAM", "fc", c -> c.team().orElseThrow(), "other", "fc"),
      new Case("PUREREMOTE_TIMEOUT", "90m", c -> c.callDefaults().timeout(), Duration.ofMinutes(1), Duration.ofMinutes(90)),
      new Case("PUREREMOTE_EXCEPTION_POLICY", "MEMOIZE", c -> c.callDefaults().exceptionPolicy(),
          ExceptionPolicy.RERUN, ExceptionPolicy.MEMOIZE),
      new Case("PUREREMOTE_CALL_CONCURRENCY", "16", PureRemoteConfig::maxConcurrentCalls, 8, 16),
      new Case("PUREREMOTE_PROGRESS", "OFF", PureRemoteConfig::progress, Progress.LOG, Progress.OFF),
      new Case("PUREREMOTE_SHARED_FOLDER", "true", PureRemoteConfig::sharedFolder, false, true),
      new Case("PUREREMOTE_ALLOW_PACKAGES", "com.a, com.b", PureRemoteConfig::allowedPackages,
          Set.of("com.file"), Set.of("com.a", "com.b")),
      new Case("PUREREMOTE_KUBERNETES_NAMESPACE", "ns-x", k(KubernetesConfig::namespace), "other", "ns-x"),
      new Case("PUREREMOTE_KUBERNETES_KUBE_CONTEXT", "ctx", k(x -> x.kubeContext().orElseThrow()), "file-ctx", "ctx"),
      new Case("PUREREMOTE_KUBERNETES_CLOUD", "GKE", k(x -> x.cloud().orElseThrow()), Cloud.AKS, Cloud.GKE),
      new Case("PUREREMOTE_KUBERNETES_REGISTRY", "r.io", k(x -> x.registry().orElseThrow()), "file.io", "r.io"),
      new Case("PUREREMOTE_KUBERNETES_IMAGE", "a/b:1", k(x -> x.image().orElseThrow()), "file/app:1", "a/b:1"),
      new Case("PUREREMOTE_KUBERNETES_IMAGE_PULL_POLICY", "ifnotpresent", k(KubernetesConfig::imagePullPolicy),
          "Never", "IfNotPresent"),
      new Case("PUREREMOTE_KUBERNETES_SERVICE_ACCOUNT", "sa", k(x -> x.serviceAccount().orElseThrow()), "file-sa", "sa"),
      new Case("PUREREMOTE_KUBERNETES_RESOURCES_CPU", "1.5", k(x -> x.resources().cpu().orElseThrow()), "1", "1.5"),
      new Case("PUREREMOTE_KUBERNETES_RESOURCES_CPU_LIMIT", "3", k(x -> x.resources().cpuLimit().orElseThrow()), "8", "3"),
      new Case("PUREREMOTE_KUBERNETES_RESOURCES_MEMORY", "3Gi", k(x -> x.resources().memory().orElseThrow()),
          "1Gi", "3Gi"),
      new Case("PUREREMOTE_KUBERNETES_RESOURCES_MEMORY_LIMIT", "6Gi",
          k(x -> x.resources().memoryLimit().orElseThrow()), "8Gi", "6Gi"),
      new Case("PUREREMOTE_KUBERNETES_RESOURCES_EPHEMERAL_STORAGE", "10Gi",
          k(x -> x.resources().ephemeralStorage().orElseThrow()), "1Gi", "10Gi"),
      new Case("PUREREMOTE_KUBERNETES_RESOURCES_GPUS", "2", k(x -> x.resources().gpus().getAsInt()), 1, 2),
      new Case("PUREREMOTE_KUBERNETES_TOLERATIONS", "spot-aks,spot-gke", k(KubernetesConfig::tolerations),
          List.of(TolerationConfig.spot(Cloud.EKS)), List.of(TolerationConfig.spot(Cloud.AKS), TolerationConfig.spot(Cloud.GKE))),
      new Case("PUREREMOTE_KUBERNETES_TTL_AFTER_FINISHED", "5m", k(KubernetesConfig::ttlAfterFinished),
          Duration.ofMinutes(1), Duration.ofMinutes(5)),
      new Case("PUREREMOTE_KUBERNETES_BACKOFF_LIMIT", "2", k(KubernetesConfig::backoffLimit), 1, 2),
      new Case("PUREREMOTE_KUBERNETES_ACTIVE_DEADLINE", "PT3H", k(x -> x.activeDeadline().orElseThrow()),
          Duration.ofHours(1), Duration.ofHours(3)),
      new Case("PUREREMOTE_KUBERNETES_PENDING_TIMEOUT", "20m", k(KubernetesConfig::pendingTimeout),
          Duration.ofMinutes(1), Duration.ofMinutes(20)),
      new Case("PUREREMOTE_KUBERNETES_IMAGE_PULL_TIMEOUT", "90s", k(KubernetesConfig::imagePullBound),
          Duration.ofMinutes(1), Duration.ofSeconds(90)),
      new Case("PUREREMOTE_KUBERNETES_MAX_EVICTION_RETRIES", "5", k(KubernetesConfig::maxEvictionRetries), 1, 5),
      new Case("PUREREMOTE_KUBERNETES_LOG_STREAMING", "FALSE", k(KubernetesConfig::logStreaming), true, false),
      new Case("PUREREMOTE_KUBERNETES_LOG_SAMPLE_FRACTION", "0.1", k(KubernetesConfig::logSampleFraction), 0.5, 0.1),
      new Case("PUREREMOTE_KUBERNETES_LAUNCH_CONCURRENCY", "4", k(KubernetesConfig::launchConcurrency), 1, 4),
      new Case("PUREREMOTE_KUBERNETES_QUEUE", "env-queue", k(x -> x.queue().orElseThrow()), "file-queue", "env-queue"),
      new Case("PUREREMOTE_KUBERNETES_QUEUE_PRIORITY", "env-priority", k(x -> x.queuePriority().orElseThrow()),
          "file-priority", "env-priority"),
      new Case("PUREREMOTE_KUBERNETES_BATCHING", "false", k(KubernetesConfig::batching), true, false),
      new Case("PUREREMOTE_KUBERNETES_BATCH_SIZE", "500", k(KubernetesConfig::batchSize), 50, 500),
      new Case("PUREREMOTE_KUBERNETES_WORKLOAD_IDENTITY_NAMESPACES", "a, b",
          k(KubernetesConfig::workloadIdentityNamespaces), Set.of("file"), Set.of("a", "b")),
      new Case("PUREREMOTE_KUBERNETES_WORKLOAD_IDENTITY_CLIENT_ID", "11111111-2222-3333-4444-555555555555",
          k(x -> x.workloadIdentityClientId().orElseThrow()), "00000000-0000-0000-0000-00000000000f",
          "11111111-2222-3333-4444-555555555555"),
      new Case("PUREREMOTE_STORE_REGION", "env-region", c -> c.blobSettings().get("region"), "file-region", "env-region"));

  @TestFactory
  Stream<DynamicTest> eachVariableBeatsTheFile() {
    return CASES.stream().map(c -> dynamicTest(c.variable(), () -> {
      assertThat(c.get().apply(Fixtures.parse(EVERY_KEY))).as("from the file").isEqualTo(c.fromFile());
      PureRemoteConfig withEnv = Fixtures.parse(EVERY_KEY, Map.of(c.variable(), c.value()));
      assertThat(c.get().apply(withEnv)).as("from %s", c.variable()).isEqualTo(c.fromEnv());
      // The same text as a code override, keyed by the TOML name, beats the file as well.
      String key = ConfigKeys.ALL.stream().filter(s -> c.variable().equals(s.env())).map(ConfigKeys.KeySpec::name)
          .findFirst().orElse("blob-settings.region");
      PureRemoteConfig withCode = ConfigLoader.builder().override(key, c.value()).userName("yu").build()
          .parse(EVERY_KEY, "test.toml");
      assertThat(c.get().apply(withCode)).as("from code override %s", key).isEqualTo(c.fromEnv());
    }));
  }

  @Test
  void everyVariableOfTheKeyTableIsCovered() {
    Set<String> documented = ConfigKeys.ALL.stream().map(ConfigKeys.KeySpec::env).filter(Objects::nonNull)
        .map(e -> e.replace("<NAME>", "REGION")).collect(Collectors.toCollection(TreeSet::new));
    Set<String> tested = CASES.stream().map(Case::variable).collect(Collectors.toCollection(TreeSet::new));

    assertThat(tested).isEqualTo(documented);
  }

  @Test
  void variableNamesFollowOneRule() {
    assertThat(ConfigKeys.envName("kubernetes.resources.ephemeral-storage"))
        .isEqualTo("PUREREMOTE_KUBERNETES_RESOURCES_EPHEMERAL_STORAGE");
    assertThat(ConfigKeys.envName("call-concurrency")).isEqualTo("PUREREMOTE_CALL_CONCURRENCY");
  }
}
