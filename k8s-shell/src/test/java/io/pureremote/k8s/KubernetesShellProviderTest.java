package io.pureremote.k8s;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.pureremote.spi.Shell;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

class KubernetesShellProviderTest {
  @Test
  void isFoundByNameAndBuildsItsOwnClient() {
    // Building a client does not connect, so this works without a cluster.
    try (Shell shell = Shell.create("kubernetes", settings(Map.of("image", "team/app:1", "namespace", "dev")),
        getClass().getClassLoader())) {
      assertThat(shell).isInstanceOf(KubernetesShell.class);
      assertThat(shell.name()).isEqualTo("kubernetes");
      assertThat(((KubernetesShell) shell).options().namespace()).isEqualTo("dev");
    }
  }

  @Test
  void settingsMapToOptions() {
    KubernetesShellOptions o = KubernetesShellProvider.options(settings(Map.ofEntries(
        Map.entry("namespace", "ml-team"), Map.entry("kube-context", "aks-prod"), Map.entry("image", "scoring/app:42"),
        Map.entry("registry", "myregistry.azurecr.io"), Map.entry("image-pull-policy", "IfNotPresent"),
        Map.entry("service-account", "ml-runner"), Map.entry("resources.cpu", "2"), Map.entry("resources.cpu-limit", "4"),
        Map.entry("resources.memory", "8Gi"), Map.entry("resources.gpus", 1), Map.entry("resources.ephemeral-storage", "10Gi"),
        Map.entry("tolerations", List.of(Map.of("spot", "aks"), Map.of("spot", "gke"))), Map.entry("backoff-limit", 2),
        Map.entry("active-deadline", Duration.ofHours(2)),
        Map.entry("ttl-after-finished", Duration.ofMinutes(30)), Map.entry("workload-identity", true),
        Map.entry("workload-identity.namespaces", List.of("ml-team", "risk")),
        Map.entry("workload-identity.client-id", "00000000-0000-0000-0000-000000000001"),
        Map.entry("image-pull-timeout", Duration.ofSeconds(90)),
        Map.entry("pending-timeout", Duration.ofMinutes(15)), Map.entry("max-eviction-retries", 5), Map.entry("launch-concurrency", 8),
        Map.entry("api-qps", 50.0), Map.entry("api-burst", 100), Map.entry("api-retries", 2),
        Map.entry("log-streaming", false), Map.entry("log-sample-fraction", 0.1),
        Map.entry("watch-silence-bound", Duration.ofMillis(500)),
        Map.entry("queue", "ml-team-queue"), Map.entry("queue-priority", "batch-low"),
        Map.entry("batching", false), Map.entry("batch-size", 250), Map.entry("batch-window", Duration.ofSeconds(1)),
        Map.entry("batch-parallelism", 20)))).build();
    assertThat(o.queueName()).contains("ml-team-queue");
    assertThat(o.batching()).isFalse();
    assertThat(o.batchSize()).isEqualTo(250);
    assertThat(o.batchWindow()).isEqualTo(Duration.ofSeconds(1));
    assertThat(o.batchParallelism()).isEqualTo(20);
    assertThat(o.workloadPriorityClass()).contains("batch-low");
    assertThat(o.namespace()).isEqualTo("ml-team");
    assertThat(o.kubeContext()).contains("aks-prod");
    assertThat(o.pod().qualifiedImage()).isEqualTo("myregistry.azurecr.io/scoring/app:42");
    assertThat(o.pod().imagePullPolicy()).isEqualTo("IfNotPresent");
    assertThat(o.pod().serviceAccount()).contains("ml-runner");
    assertThat(o.pod().resourceRequests()).containsEntry("cpu", "2").containsEntry("memory", "8Gi").containsEntry("nvidia.com/gpu", "1")
        .containsEntry("ephemeral-storage", "10Gi");
    assertThat(o.pod().resourceLimits()).containsEntry("cpu", "4").containsEntry("memory", "8Gi");
    assertThat(o.pod().tolerations()).extracting(t -> t.getKey())
        .containsExactly("kubernetes.azure.com/scalesetpriority", "cloud.google.com/gke-spot");
    assertThat(o.backoffLimit()).isEqualTo(2);
    assertThat(o.activeDeadline()).contains(Duration.ofHours(2));
    assertThat(o.ttlAfterFinished()).isEqualTo(Duration.ofMinutes(30));
    assertThat(o.workloadIdentity()).isTrue();
    assertThat(o.workloadIdentityNamespaces()).containsExactly("ml-team", "risk");
    assertThat(o.imagePullBound()).isEqualTo(Duration.ofSeconds(90));
    assertThat(o.pendingTimeout()).isEqualTo(Duration.ofMinutes(15));
    assertThat(o.maxEvictionRetries()).isEqualTo(5);
    assertThat(o.launchConcurrency()).isEqualTo(8);
    assertThat(o.apiQps()).isEqualTo(50.0);
    assertThat(o.apiBurst()).isEqualTo(100);
    assertThat(o.apiRetries()).isEqualTo(2);
    assertThat(o.logStreaming()).isFalse();
    assertThat(o.logSampleFraction()).isEqualTo(0.1);
    assertThat(o.watchSilenceBound()).isEqualTo(Duration.ofMillis(500));
  }

  @Test
  void theOldNameOfImagePullTimeoutIsStillRead() {
    // Settings from code or an older file may say image-pull-bound; it is read (with a warning) as image-pull-timeout.
    assertThat(KubernetesShellProvider.options(settings(Map.of("image", "a/b:1", "image-pull-bound", Duration.ofSeconds(45))))
        .build().imagePullBound()).isEqualTo(Duration.ofSeconds(45));
    assertThat(KubernetesShellProvider.options(settings(Map.of("image", "a/b:1", "image-pull-bound", Duration.ofSeconds(45),
        "image-pull-timeout", Duration.ofSeconds(30)))).build().imagePullBound()).isEqualTo(Duration.ofSeconds(30));
    assertThat(KubernetesShellProvider.IMAGE_PULL_BOUND_RENAMED).contains("renamed image-pull-timeout");
  }

  @Test
  void unknownKeysAndBadValuesNameTheKey() {
    assertThatThrownBy(() -> KubernetesShellProvider.options(settings(Map.of("image", "a/b:1", "namspace", "x",
        "resources.gpus", "one", "tolerations", List.of(Map.of("spot", "ibm")), "active-deadline", "soon"))))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessageContaining("from test")
        .hasMessageContaining("unknown setting(s) [namspace] in test; known: [")
        .hasMessageContaining("resources.gpus: resources.gpus in test must be a whole number, got String one")
        .hasMessageContaining("tolerations: spot toleration needs the cloud aks, eks or gke, got \"ibm\"")
        .hasMessageContaining("active-deadline: active-deadline in test: expected a duration such as \"90s\"");
  }

  @Test
  void aBareSpotTolerationTakesTheCloudAndATaintItsFields() {
    KubernetesShellOptions o = KubernetesShellProvider.options(settings(Map.of("image", "a/b:1", "cloud", "eks",
        "tolerations", List.of(Map.of("spot", ""), Map.of("key", "dedicated", "value", "ml", "effect", "NoSchedule")))))
        .build();
    assertThat(o.pod().tolerations()).extracting(t -> t.getKey()).containsExactly("karpenter.sh/capacity-type", "dedicated");
    assertThat(o.pod().tolerations().get(1).getOperator()).isEqualTo("Equal");
  }

  @Test
  void shellsOfOneProviderShareAClientPerKubeContext() {
    KubernetesShellProvider provider = new KubernetesShellProvider();
    try (KubernetesShell a = (KubernetesShell) provider.create(settings(Map.of("image", "a/b:1", "namespace", "one")));
        KubernetesShell b = (KubernetesShell) provider.create(settings(Map.of("image", "a/b:2", "namespace", "two")))) {
      assertThat(b.client()).isSameAs(a.client());
    }
  }

  static Shell.Settings settings(Map<String, ?> values) {
    return Shell.Settings.builder("test").putAll(values).build();
  }
}
