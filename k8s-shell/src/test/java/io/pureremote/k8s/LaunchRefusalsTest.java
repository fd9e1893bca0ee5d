package io.pureremote.k8s;

import static io.pureremote.testing.kubernetes.MockKubernetes.SHELL;
import static org.assertj.core.api.Assertions.assertThat;

import io.fabric8.kubernetes.api.model.batch.v1.JobBuilder;
import io.pureremote.FunctionId;
import io.pureremote.ShellException;
import io.pureremote.spi.Shell.Launch;
import io.pureremote.spi.Shell.LaunchRequest;
import io.pureremote.testing.kubernetes.MockKubernetes;
import java.util.Map;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.function.UnaryOperator;
import org.assertj.core.api.Assertions;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/** Launches the shell refuses or fails before a pod runs, on the mock API server (no kubelet). */
class LaunchRefusalsTest {
  static final String NS = "refusals";
  static final LaunchRequest REQUEST = new LaunchRequest("file:///store/pureremote/v1/p/fn@1/" + "cd".repeat(32),
      new FunctionId("io.acme.Fn#run", "1"), "cd".repeat(32), Map.of(), "caller-a");

  MockKubernetes cluster = new MockKubernetes();
  KubernetesShell shell;

  @AfterEach
  void stop() {
    cluster.quiesce();
    if (shell != null) {
      shell.close();
    }
    cluster.close();
  }

  ShellException failure(UnaryOperator<KubernetesShellOptions.Builder> tweak) throws Exception {
    shell = new KubernetesShell(cluster.client(SHELL), tweak.apply(KubernetesShellOptions.builder().namespace(NS)
        .image("acme/app:1").batching(false).logStreaming(false)).build());
    Launch launch = shell.launch(REQUEST);
    try {
      launch.completion().get(60, TimeUnit.SECONDS);
    } catch (ExecutionException e) {
      return (ShellException) e.getCause();
    }
    throw new AssertionError("the launch did not fail");
  }

  @Test
  void aCustomizerThatBreaksTheJobIsInvalidJob() throws Exception {
    ShellException e = failure(b -> b.customizer(j -> new JobBuilder(j).editMetadata().withName("renamed").endMetadata().build()));
    assertThat(e.reason()).isEqualTo("InvalidJob");
    assertThat(e.getMessage()).contains("Cannot build the Job for " + REQUEST.shortLabel());
    assertThat(cluster.count(SHELL, "create jobs")).isZero();
  }

  @Test
  void watchesRefusedForLackOfRbacAreWatchFailed() throws Exception {
    cluster.failNext("GET", "/jobs?", 403, 1000);
    ShellException e = failure(b -> b);
    assertThat(e.reason()).isEqualTo("WatchFailed");
    assertThat(e.getMessage()).contains("Cannot watch Jobs in namespace '" + NS + "' (HTTP 403")
        .contains("needs RBAC get/list/watch on jobs and pods");
    Assertions.assertThat(e.isRetryable()).isFalse();
  }
}
