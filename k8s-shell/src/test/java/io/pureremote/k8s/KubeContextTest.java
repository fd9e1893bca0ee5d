package io.pureremote.k8s;

import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** An unknown kube context is refused rather than silently replaced by the current one. */
class KubeContextTest {
  @TempDir Path dir;

  @Test
  void unknownContextIsRefusedWithTheKnownOnes() throws Exception {
    Path kubeconfig = Files.writeString(dir.resolve("config"), """
        apiVersion: v1
        kind: Config
        clusters:
        - name: dev
          cluster: {server: "https://127.0.0.1:6443"}
        users:
        - name: dev
          user: {token: "t"}
        contexts:
        - name: dev
          context: {cluster: dev, user: dev, namespace: team}
        current-context: dev
        """);
    String previous = System.getProperty("kubeconfig");
    System.setProperty("kubeconfig", kubeconfig.toString());
    try {
      KubernetesShellOptions options = KubernetesShellOptions.builder().namespace("team").image("acme/app:1")
          .kubeContext("prod").build();
      assertThatThrownBy(() -> KubernetesShell.fromKubeConfig(options))
          .isInstanceOf(IllegalArgumentException.class)
          .hasMessageContaining("kube context \"prod\" is not in the kubeconfig, whose contexts are [dev]");
    } finally {
      if (previous == null) {
        System.clearProperty("kubeconfig");
      } else {
        System.setProperty("kubeconfig", previous);
      }
    }
  }
}
