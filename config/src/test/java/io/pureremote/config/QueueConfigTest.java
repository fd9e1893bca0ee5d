package io.pureremote.config;

import static io.pureremote.config.Fixtures.parse;
import static org.assertj.core.api.Assertions.assertThat;

import java.util.Map;
import org.junit.jupiter.api.Test;

/** The Kueue keys: runtime-wide, per team and per function, from the file and the environment, down to the shell settings. */
class QueueConfigTest {
  static final String TOML = """
      team = "forecasting"
      shell = "kubernetes"
      [kubernetes]
      image = "base/app:1"
      queue = "shared-queue"
      queue-priority = "batch-low"
      [teams.forecasting]
      queue = "fc-queue"
      [teams.ranking]
      [functions."com.acme.Fns#fit"]
      queue = "gpu-queue"
      queue-priority = "urgent"
      [functions."com.acme.Fns#cheap"]
      shell = "kubernetes"
      """;

  @Test
  void aTeamsQueueReplacesTheRuntimeWideOneAndKeepsItsPriority() {
    KubernetesConfig k = parse(TOML).kubernetes();
    assertThat(k.queue()).contains("fc-queue");
    assertThat(k.queuePriority()).contains("batch-low");
  }

  @Test
  void aTeamWithoutAQueueUsesTheRuntimeWideOne() {
    KubernetesConfig k = parse(TOML, Map.of("PUREREMOTE_TEAM", "ranking")).kubernetes();
    assertThat(k.queue()).contains("shared-queue");
  }

  @Test
  void aFunctionsQueueAndPriorityReplaceThoseOfTheTeam() {
    PureRemoteConfig config = parse(TOML);
    assertThat(config.kubernetesFor("com.acme.Fns#fit").queue()).contains("gpu-queue");
    assertThat(config.kubernetesFor("com.acme.Fns#fit").queuePriority()).contains("urgent");
    assertThat(config.kubernetesFor("com.acme.Fns#cheap").queue()).contains("fc-queue");
    assertThat(config.shellSettings("com.acme.Fns#fit").string("queue")).contains("gpu-queue");
    assertThat(config.shellSettings("com.acme.Fns#fit").string("queue-priority")).contains("urgent");
  }

  @Test
  void theEnvironmentBeatsTheFile() {
    KubernetesConfig k = parse(TOML, Map.of("PUREREMOTE_KUBERNETES_QUEUE", "env-queue",
        "PUREREMOTE_KUBERNETES_QUEUE_PRIORITY", "env-priority")).kubernetes();
    assertThat(k.queue()).contains("env-queue");
    assertThat(k.queuePriority()).contains("env-priority");
  }

  @Test
  void withoutQueueKeysNoQueueIsSet() {
    KubernetesConfig k = parse("[kubernetes]\nimage = \"a/b:1\"\n").kubernetes();
    assertThat(k.queue()).isEmpty();
    assertThat(k.queuePriority()).isEmpty();
    assertThat(k.toShellSettings("test").keys()).doesNotContain("queue", "queue-priority");
  }
}
