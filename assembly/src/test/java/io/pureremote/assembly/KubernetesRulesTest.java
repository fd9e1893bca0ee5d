package io.pureremote.assembly;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.pureremote.config.ConfigException;
import io.pureremote.config.ConfigLoader;
import io.pureremote.config.KubernetesConfig;
import io.pureremote.config.PureRemoteConfig;
import io.pureremote.k8s.KubernetesShellOptions;
import io.pureremote.k8s.KubernetesShellProvider;
import io.pureremote.k8s.values.KubernetesSettings;
import io.pureremote.k8s.values.KubernetesValues;
import io.pureremote.spi.Shell;
import java.util.Map;
import org.junit.jupiter.api.Test;

/**
 * Configuration and the Kubernetes shell know the Job settings from one place (k8s-values): the
 * same defaults, and the same rule with the same words for a refused value, wherever it is refused.
 */
class KubernetesRulesTest {
  private static PureRemoteConfig parse(String toml) {
    return ConfigLoader.builder().environment(Map.of()).userName("yu").build().parse(toml, "test.toml");
  }

  @Test
  void aBadNamespaceIsRefusedWithTheSameWordsInTomlInCodeAndByTheShell() {
    String rule = KubernetesValues.namespaceProblem("Bad_NS").orElseThrow();

    assertThatThrownBy(() -> parse("shell = \"kubernetes\"\n[kubernetes]\nimage = \"a/b:1\"\nnamespace = \"Bad_NS\"\n"))
        .isInstanceOf(ConfigException.class)
        .hasMessageContaining("test.toml:4:1: kubernetes.namespace: " + rule);
    assertThatThrownBy(() -> KubernetesConfig.builder().namespace("Bad_NS").build())
        .hasMessageContaining("namespace: " + rule);
    Shell.Settings settings = Shell.Settings.builder("code").put("namespace", "Bad_NS").put("image", "a/b:1").build();
    assertThatThrownBy(() -> KubernetesShellProvider.options(settings).build())
        .hasMessageContaining("namespace " + rule);
    assertThatThrownBy(() -> KubernetesShellOptions.builder().namespace("Bad_NS").image("a/b:1").build())
        .hasMessageContaining("namespace " + rule);
  }

  @Test
  void aRangeIsTheSameRuleWithTheSameWordsInConfigurationAndTheShell() {
    assertThatThrownBy(() -> KubernetesConfig.builder().launchConcurrency(0).batchSize(20_000).build())
        .hasMessageContaining("launch-concurrency: must be >= 1, got 0")
        .hasMessageContaining("batch-size: must be between 1 and 10000, got 20000");
    assertThatThrownBy(() -> KubernetesShellOptions.builder().image("a/b:1").launchConcurrency(0).batchSize(20_000).build())
        .hasMessageContaining("launchConcurrency must be >= 1, got 0")
        .hasMessageContaining("batchSize must be between 1 and 10000, got 20000");
  }

  @Test
  void bothLayersStartFromTheOneSetOfDefaults() {
    KubernetesConfig config = KubernetesConfig.builder().build();
    KubernetesShellOptions shell = KubernetesShellOptions.builder().image("a/b:1").build();
    assertThat(config.ttlAfterFinished()).isEqualTo(shell.ttlAfterFinished()).isEqualTo(KubernetesSettings.TTL_AFTER_FINISHED);
    assertThat(config.pendingTimeout()).isEqualTo(shell.pendingTimeout()).isEqualTo(KubernetesSettings.PENDING_TIMEOUT);
    assertThat(config.batchSize()).isEqualTo(shell.batchSize()).isEqualTo(KubernetesSettings.BATCH_SIZE);
    assertThat(config.launchConcurrency()).isEqualTo(shell.launchConcurrency())
        .isEqualTo(KubernetesSettings.LAUNCH_CONCURRENCY);
    assertThat(config.imagePullPolicy()).isEqualTo(shell.pod().imagePullPolicy())
        .isEqualTo(KubernetesSettings.IMAGE_PULL_POLICY);
  }
}
