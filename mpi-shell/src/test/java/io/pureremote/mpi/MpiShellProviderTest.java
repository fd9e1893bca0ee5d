package io.pureremote.mpi;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.pureremote.spi.Shell;
import java.time.Duration;
import java.util.List;
import java.util.ServiceLoader;
import org.junit.jupiter.api.Test;

class MpiShellProviderTest {
  @Test
  void serviceLoaderFindsTheMpiProvider() {
    assertThat(ServiceLoader.load(Shell.Provider.class).stream().map(p -> p.get().name())).contains("mpi", "kubernetes");
  }

  @Test
  void settingsFillTheLauncherWorkersAndMpiFields() {
    Shell.Settings settings = Shell.Settings.builder("test.toml [functions.\"train\".mpi]")
        .put("namespace", "khiops").put("image", "acme/khiops-app:1").put("resources.memory", "512Mi")
        .put("worker.image", "khiopsml/khiops-ubuntu").put("worker.resources.memory", "4Gi").put("worker.resources.cpu", "4")
        .put("workers", 2).put("slots-per-worker", 4).put("clean-pod-policy", "Running")
        .put("ttl-after-finished", Duration.ofHours(1)).put("ssh-auth-mount-path", "/home/ubuntu/.ssh")
        .put("run-as-user", 1000).put("memory-limit-env", "KHIOPS_MEMORY_LIMIT")
        .put("launcher-creation-policy", "WaitForWorkersReady").put("mpi-implementation", "OpenMPI").build();
    MpiShellOptions o = MpiShellProvider.options(settings).build();
    assertThat(o.namespace()).isEqualTo("khiops");
    assertThat(o.launcher().image()).isEqualTo("acme/khiops-app:1");
    assertThat(o.worker().image()).isEqualTo("khiopsml/khiops-ubuntu");
    assertThat(o.worker().resourceRequests()).containsEntry("cpu", "4").containsEntry("memory", "4Gi");
    assertThat(o.totalSlots()).isEqualTo(8);
    assertThat(o.sshAuthMountPath()).contains("/home/ubuntu/.ssh");
    assertThat(o.runAsUser()).hasValue(1000);
    assertThat(o.memoryLimitEnv()).contains("KHIOPS_MEMORY_LIMIT");
  }

  @Test
  void everyBadKeyAndValueIsNamed() {
    Shell.Settings settings = Shell.Settings.builder("test.toml").put("image", "acme/app:1").put("slots-per-worker", 0)
        .put("clean-pod-policy", "Sometimes").put("log-streaming", true).put("worker.resources.memory", "lots").build();
    assertThatThrownBy(() -> MpiShellProvider.options(settings))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessageContaining("slots-per-worker: slotsPerWorker must be between 1 and 1024")
        .hasMessageContaining("clean-pod-policy: expected one of All, Running, None")
        .hasMessageContaining("log-streaming: a Kubernetes Job shell setting")
        .hasMessageContaining("worker.* (the worker pods)").hasMessageContaining("'lots' is not a Kubernetes quantity");
  }

  @Test
  void optionsRefuseBadValuesWithTheFix() {
    assertThatThrownBy(() -> MpiShellOptions.builder().build()).hasMessageContaining("launcher is required");
    assertThatThrownBy(() -> MpiShellOptions.builder().sshAuthMountPath("home/ubuntu/.ssh")).hasMessageContaining("absolute path");
    assertThatThrownBy(() -> MpiShellOptions.builder().launcherRestartPolicy("Sometimes")).hasMessageContaining("Always, OnFailure, Never, ExitCode");
    assertThatThrownBy(() -> MpiShellOptions.builder().workerCommand(List.of())).hasMessageContaining("sshd");
    assertThatThrownBy(() -> MpiShellOptions.builder().namespace("Bad_NS")).hasMessageContaining("namespace");
    assertThatThrownBy(() -> MpiShellOptions.builder()
        .launcher(io.pureremote.k8s.PodTemplateOptions.builder().image("a/b:1").build()).memoryLimitEnv("MEM").build())
        .hasMessageContaining("needs limits.memory on the workers");
  }
}
