package io.pureremote.k8s;

import static io.pureremote.testing.kubernetes.MockKubernetes.SHELL;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import io.pureremote.RemoteRuntime;
import io.pureremote.ShellException;
import io.pureremote.k8s.testfns.Work;
import io.pureremote.k8s.testfns.WorkImpl;
import io.pureremote.spi.BlobStore;
import io.pureremote.testing.kubernetes.MockKubernetes;
import java.net.ServerSocket;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.function.Consumer;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * No cluster, no hang: without a kubeconfig, or with an API server that does not answer, a call
 * fails within {@link ClusterProbe#BOUND} with a message naming what was tried and the fix, and no
 * informer is started (no endless {@code listSyncAndWatch failed} lines).
 */
class NoClusterTest {
  @TempDir Path dir;
  private String previousKubeconfig;

  @BeforeEach
  void saveKubeconfig() {
    previousKubeconfig = System.getProperty("kubeconfig");
  }

  @AfterEach
  void restoreKubeconfig() {
    if (previousKubeconfig == null) {
      System.clearProperty("kubeconfig");
    } else {
      System.setProperty("kubeconfig", previousKubeconfig);
    }
  }

  /** Runs one call through a shell built like kubectl would from {@code -Dkubeconfig=kubeconfig}. */
  private void callThrough(Path kubeconfig, KubernetesShellOptions options, Consumer<ShellException> check) {
    System.setProperty("kubeconfig", kubeconfig.toString());
    long started = System.nanoTime();
    try (KubernetesShell shell = KubernetesShell.fromKubeConfig(options);
         RemoteRuntime runtime = RemoteRuntime.builder().sharedFolder(true).blobStore(BlobStore.folder(dir.resolve("store"))).shell(shell).build()) {
      Work work = runtime.create(Work.class, WorkImpl.class);
      assertThatThrownBy(() -> work.square(3)).isInstanceOfSatisfying(ShellException.class, check);
    }
    // A hang guard, not a performance check: the bound plus room for a loaded machine.
    assertThat(Duration.ofNanos(System.nanoTime() - started)).isLessThan(ClusterProbe.BOUND.plusSeconds(20));
  }

  @Test
  void withoutAKubeconfigOutsideAPodTheCallFailsNamingWhatWasLookedForAndTheFix() {
    assumeTrue(InCluster.namespace().isEmpty(), "in a pod the client would use the service account");
    Path absent = dir.resolve("no-such-kubeconfig");
    callThrough(absent, KubernetesShellOptions.builder().namespace("team").image("acme/app:1").build(), e -> {
      assertThat(e.reason()).isEqualTo("ClusterUnreachable");
      assertThat(e.isRetryable()).as("retrying cannot help without a kubeconfig").isFalse();
      assertThat(e.getMessage()).contains("No Kubernetes cluster is configured")
          .contains("no kubeconfig (no file at " + absent + ", $KUBECONFIG")
          .contains("and not in a pod")
          .contains("https://kubernetes.default.svc").contains("unknown host kubernetes.default.svc")
          .contains("Get a kubeconfig for your cluster").contains("point $KUBECONFIG at one")
          .contains("`kubectl version`").contains("another shell")
          .doesNotContain("An error has occurred.");
    });
  }

  @Test
  void anApiServerThatDoesNotAnswerFailsTheCallNamingTheContextAndKubeconfig() throws Exception {
    int closedPort;
    try (ServerSocket socket = new ServerSocket(0)) {
      closedPort = socket.getLocalPort();
    }
    Path kubeconfig = Files.writeString(dir.resolve("config"), """
        apiVersion: v1
        kind: Config
        clusters:
        - name: dev
          cluster: {server: "http://127.0.0.1:%d"}
        users:
        - name: dev
          user: {token: "t"}
        contexts:
        - name: dev
          context: {cluster: dev, user: dev, namespace: team}
        current-context: dev
        """.formatted(closedPort));
    callThrough(kubeconfig, KubernetesShellOptions.builder().namespace("team").image("acme/app:1").apiRetries(1).build(), e -> {
      assertThat(e.reason()).isEqualTo("ClusterUnreachable");
      assertThat(e.isRetryable()).isTrue();
      assertThat(e.getMessage()).contains("Cannot reach the Kubernetes API server http://127.0.0.1:" + closedPort)
          .contains("of kube context \"dev\" of kubeconfig " + kubeconfig)
          .contains("connection refused")
          .contains("`kubectl --context dev version`").contains("kube-context in TOML");
    });
  }

  @Test
  void aFanOutAgainstAServerThatRefusesTheClientAsksOnceAndStartsNoWatch() {
    try (MockKubernetes cluster = new MockKubernetes()) {
      cluster.failNext("GET", "/version", 401, 1_000);
      KubernetesShellOptions options = KubernetesShellOptions.builder().namespace("team").image("acme/app:1").build();
      try (KubernetesShell shell = new KubernetesShell(cluster.client(SHELL), options);
           RemoteRuntime runtime = RemoteRuntime.builder().sharedFolder(true).blobStore(BlobStore.folder(dir.resolve("store"))).shell(shell).build()) {
        Work work = runtime.create(Work.class, WorkImpl.class);
        assertThatThrownBy(() -> runtime.map(List.of(1L, 2L, 3L, 4L, 5L, 6L), work::square))
            .isInstanceOfSatisfying(ShellException.class, e -> {
              assertThat(e.reason()).isEqualTo("ClusterUnreachable");
              assertThat(e.isRetryable()).isFalse();
              assertThat(e.getMessage()).contains("refused this client (HTTP 401")
                  .contains("the credentials of the KubernetesClient given to the shell are missing or expired")
                  .contains("log in again");
              assertThat(e.getSuppressed()).hasSize(5)
                  .allSatisfy(s -> assertThat(((ShellException) s).reason()).isEqualTo("ClusterUnreachable"));
            });
        // One request (a 401 is not retried); the other calls got the kept failure.
        assertThat(cluster.count(SHELL, "get version")).isEqualTo(1);
        assertThat(cluster.counts(SHELL).keySet()).as("no list or watch without a server").containsExactly("get version");
      }
    }
  }
}
