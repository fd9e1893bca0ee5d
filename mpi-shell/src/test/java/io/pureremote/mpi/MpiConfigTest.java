package io.pureremote.mpi;

import static org.assertj.core.api.Assertions.assertThat;

import io.pureremote.config.ConfigLoader;
import io.pureremote.config.PureRemoteConfig;
import java.time.Duration;
import org.junit.jupiter.api.Test;

/** {@code shell = "mpi"} in TOML: the configuration's settings for the function fill {@link MpiShellOptions}. */
class MpiConfigTest {
  static final String TOML = """
      shell = "local"
      team = "hpc"

      [kubernetes]
      namespace = "batch"
      image = "acme/khiops:10"
      launch-concurrency = 7

      [kubernetes.resources]
      memory = "4Gi"

      [mpi]
      workers = 2
      ttl-after-finished = "1h"
      clean-pod-policy = "Running"
      scheduling.queue = "research"

      [teams.hpc]
      namespace = "hpc"

      [teams.hpc.mpi]
      workers = 8

      [functions."com.acme.Khiops#train"]
      shell = "mpi"
      image = "acme/khiops:11"

      [functions."com.acme.Khiops#train".mpi]
      slots-per-worker = 4
      run-launcher-as-worker = true
      memory-limit-env = "KHIOPS_MEMORY_LIMIT"
      ssh-auth-mount-path = "/home/ubuntu/.ssh"
      run-as-user = 1000
      env = { KHIOPS_LOG = "debug" }
      worker.image = "khiopsml/khiops-ubuntu"
      worker.resources.memory = "8Gi"
      """;

  @Test
  void aFunctionsMpiTablesBecomeItsShellOptions() {
    PureRemoteConfig config = ConfigLoader.builder().userName("yu").build().parse(TOML, "test.toml");
    MpiShellOptions o = MpiShellProvider.options(config.shellSettings("com.acme.Khiops#train")).build();
    assertThat(o.namespace()).isEqualTo("hpc");
    assertThat(o.launcher().image()).isEqualTo("acme/khiops:11");
    assertThat(o.launcher().resourceLimits()).containsEntry("memory", "4Gi");
    assertThat(o.launcher().env()).containsEntry("KHIOPS_LOG", "debug");
    assertThat(o.worker().image()).isEqualTo("khiopsml/khiops-ubuntu");
    assertThat(o.worker().resourceLimits()).containsEntry("memory", "8Gi");
    assertThat(o.worker().env()).as("the launcher's pod keys, worker.* laid over").containsEntry("KHIOPS_LOG", "debug");
    assertThat(o.workers()).isEqualTo(8);
    assertThat(o.slotsPerWorker()).isEqualTo(4);
    assertThat(o.totalSlots()).isEqualTo(36);
    assertThat(o.ttlAfterFinished()).isEqualTo(Duration.ofHours(1));
    assertThat(o.schedulingQueue()).contains("research");
    assertThat(o.sshAuthMountPath()).contains("/home/ubuntu/.ssh");
    assertThat(o.runAsUser()).hasValue(1000);
    assertThat(o.memoryLimitEnv()).contains("KHIOPS_MEMORY_LIMIT");
  }
}
