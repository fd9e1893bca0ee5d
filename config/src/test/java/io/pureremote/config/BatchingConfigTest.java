package io.pureremote.config;

import static io.pureremote.config.Fixtures.parse;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.pureremote.k8s.values.KubernetesSettings;
import org.junit.jupiter.api.Test;

/** Batched fan-outs in TOML: on by default, a batch size runtime-wide, off per function, down to the shell settings. */
class BatchingConfigTest {
  static final String TOML = """
      shell = "kubernetes"
      [kubernetes]
      image = "base/app:1"
      batch-size = 250
      [functions."com.acme.Fns#oneJobEach"]
      batching = false
      [functions."com.acme.Fns#fit"]
      image = "gpu/app:1"
      """;

  @Test
  void batchingIsOnByDefaultWithBatchesOfAHundred() {
    KubernetesConfig k = parse("[kubernetes]\nimage = \"a/b:1\"\n").kubernetes();
    assertThat(k.batching()).isTrue();
    assertThat(k.batchSize()).isEqualTo(KubernetesSettings.BATCH_SIZE).isEqualTo(100);
    assertThat(k.toShellSettings("test").bool("batching")).contains(true);
  }

  @Test
  void aFunctionTurnsBatchingOffForItsOwnCallsOnly() {
    PureRemoteConfig config = parse(TOML);
    assertThat(config.shellSettings("com.acme.Fns#oneJobEach").bool("batching")).contains(false);
    assertThat(config.shellSettings("com.acme.Fns#oneJobEach").integer("batch-size")).contains(250);
    assertThat(config.shellSettings("com.acme.Fns#fit").bool("batching")).contains(true);
    assertThat(config.shellSettings("").bool("batching")).contains(true);
  }

  @Test
  void aBatchSizeBeyondTheLimitIsRefusedWithTheKey() {
    assertThatThrownBy(() -> parse("[kubernetes]\nimage = \"a/b:1\"\nbatch-size = 20000\n"))
        .hasMessageContaining("batch-size").hasMessageContaining("10000");
  }
}
