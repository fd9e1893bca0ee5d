package io.pureremote.k8s;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Map;
import java.util.Optional;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** In-cluster detection against a fake service-account folder. */
class InClusterTest {
  static final Map<String, String> POD_ENV = Map.of(InCluster.SERVICE_HOST_ENV, "10.96.0.1");

  @TempDir
  Path sa;

  void serviceAccount(String namespace) throws IOException {
    Files.writeString(sa.resolve("token"), "eyJhbGciOi.fake.token");
    Files.writeString(sa.resolve("namespace"), namespace);
  }

  @Test
  void aPodIsTheServiceHostPlusATokenAndItsNamespaceIsTheFile() throws IOException {
    serviceAccount("ml-team\n");
    assertThat(InCluster.namespace(sa, POD_ENV)).contains("ml-team");
    // The shell's default namespace is then the pod's own, not the user name.
    assertThat(KubernetesNames.defaultNamespace(InCluster.namespace(sa, POD_ENV), "root")).isEqualTo("ml-team");
  }

  @Test
  void outsideAPodTheUserNameStays() throws IOException {
    serviceAccount("ml-team");
    assertThat(InCluster.namespace(sa, Map.of())).isEmpty();                       // no service host
    assertThat(InCluster.namespace(sa, Map.of(InCluster.SERVICE_HOST_ENV, " "))).isEmpty();
    assertThat(InCluster.namespace(sa.resolve("missing"), POD_ENV)).isEmpty();    // no folder
    assertThat(KubernetesNames.defaultNamespace(Optional.empty(), "Yu_Zhang")).isEqualTo("yu-zhang");
  }

  @Test
  void noTokenOrABadNamespaceFileIsNotAPod() throws IOException {
    Files.writeString(sa.resolve("namespace"), "ml-team");
    assertThat(InCluster.namespace(sa, POD_ENV)).isEmpty();                        // token missing
    serviceAccount("Not A Namespace!");
    assertThat(InCluster.namespace(sa, POD_ENV)).isEmpty();
    Files.delete(sa.resolve("namespace"));
    assertThat(InCluster.namespace(sa, POD_ENV)).isEmpty();
  }
}
