package io.pureremote.torch;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.pureremote.config.ConfigLoader;
import io.pureremote.config.PureRemoteConfig;
import io.pureremote.spi.Shell;
import java.time.Duration;
import org.junit.jupiter.api.Test;

/** {@code shell = "torch"} in TOML: the configuration's settings for the function fill {@link TorchShellOptions}. */
class TorchConfigTest {
  static final String TOML = """
      shell = "local"
      team = "vision"

      [kubernetes]
      namespace = "batch"
      image = "acme/train:1"

      [torch]
      nodes = 2
      ttl-after-finished = "30m"

      [teams.vision.torch]
      nodes = 4
      namespace = "vision"

      [functions."com.acme.Train#fit"]
      shell = "torch"

      [functions."com.acme.Train#fit".torch]
      processes-per-node = "gpu"
      master-port = 29400
      backend = "pytorchjob"
      active-deadline = "4h"
      resources.gpus = 1
      env = { NCCL_DEBUG = "INFO" }
      """;

  @Test
  void aFunctionsTorchTablesBecomeItsShellOptions() {
    PureRemoteConfig config = ConfigLoader.builder().userName("yu").build().parse(TOML, "test.toml");
    TorchShellOptions o = TorchShellProvider.options(config.shellSettings("com.acme.Train#fit")).build();
    assertThat(o.namespace()).isEqualTo("vision");
    assertThat(o.pod().image()).isEqualTo("acme/train:1");
    assertThat(o.pod().resourceLimits()).containsEntry("nvidia.com/gpu", "1");
    assertThat(o.pod().env()).containsEntry("NCCL_DEBUG", "INFO");
    assertThat(o.nodes()).isEqualTo(4);
    assertThat(o.processesPerNode()).isEqualTo("gpu");
    assertThat(o.masterPort()).isEqualTo(29400);
    assertThat(o.activeDeadline()).contains(Duration.ofHours(4));
    assertThat(o.ttlAfterFinished()).isEqualTo(Duration.ofMinutes(30));
    assertThat(o.backend()).contains(TorchBackend.PYTORCH_JOB);
    assertThat(o.runtime()).isEqualTo("torch-distributed");
  }

  @Test
  void theBackendIsDiscoveredUnlessForcedAndARuntimeCanBeNamed() {
    Shell.Settings auto = Shell.Settings.builder("test.toml [torch]").put("image", "acme/train:1").put("backend", "auto")
        .put("runtime", "torch-tuned").build();
    TorchShellOptions o = TorchShellProvider.options(auto).build();
    assertThat(o.backend()).isEmpty();
    assertThat(o.runtime()).isEqualTo("torch-tuned");
    assertThat(TorchShellProvider.options(Shell.Settings.builder("t").put("image", "acme/train:1").put("backend", "TrainJob")
        .build()).build().backend()).contains(TorchBackend.TRAIN_JOB);
    Shell.Settings bad = Shell.Settings.builder("test.toml [torch]").put("image", "acme/train:1").put("backend", "mpijob")
        .put("runtime", "Torch_Distributed").build();
    assertThatThrownBy(() -> TorchShellProvider.options(bad)).isInstanceOf(IllegalArgumentException.class)
        .hasMessageContaining("backend: backend must be auto, trainjob, pytorchjob or indexed-job, got \"mpijob\"")
        .hasMessageContaining("runtime: runtime must name a ClusterTrainingRuntime");
  }

  @Test
  void theProviderIsFoundByNameAndRefusesBadKeysWithAllProblems() {
    assertThat(Shell.providers(getClass().getClassLoader()).get("torch")).isInstanceOf(TorchShellProvider.class);
    Shell.Settings bad = Shell.Settings.builder("test.toml [torch]").put("image", "acme/train:1").put("nodes", 0)
        .put("processes-per-node", "many").put("backoff-limit", 3).build();
    assertThatThrownBy(() -> TorchShellProvider.options(bad)).isInstanceOf(IllegalArgumentException.class)
        .hasMessageContaining("nodes: nodes must be between 1 and 1000").hasMessageContaining("auto, cpu or gpu")
        .hasMessageContaining("use backoff-limit-per-index");
  }
}
