package io.pureremote.k8s;

import io.pureremote.k8s.values.KubernetesValues;
import static io.pureremote.testing.kubernetes.MockKubernetes.SHELL;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.fabric8.kubernetes.api.model.EnvVar;
import io.fabric8.kubernetes.api.model.batch.v1.Job;
import io.fabric8.kubernetes.client.KubernetesClient;
import io.pureremote.RemoteRuntime;
import io.pureremote.ShellException;
import io.pureremote.k8s.testfns.Work;
import io.pureremote.k8s.testfns.WorkImpl;
import io.pureremote.spi.BlobStore;
import io.pureremote.testing.kubernetes.FakeKubelet;
import io.pureremote.testing.kubernetes.MockKubernetes;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.function.UnaryOperator;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Every way into a pod's environment goes through {@link KubernetesValues#plainEnvProblem}: a
 * credential-looking name never reaches the API server as a plain {@code value}, whether it comes
 * from the runtime's {@code remoteEnvironment}, the shell's {@code env(...)} or the provider's
 * settings (the TOML path). Real Jobs on the fabric8 mock server.
 */
class PodEnvironmentTest {
  static final String NS = "team-a";
  static final String IMAGE = "acme/app:1";

  @TempDir Path dir;
  MockKubernetes cluster;
  KubernetesClient client;
  FakeKubelet kubelet;
  KubernetesShell shell;

  KubernetesShell start(UnaryOperator<KubernetesShellOptions.Builder> tweak) {
    cluster = new MockKubernetes();
    client = cluster.client(SHELL);
    kubelet = new FakeKubelet(cluster, NS).image(IMAGE, FakeKubelet.javaEntrypoint()).start();
    shell = new KubernetesShell(client, tweak.apply(KubernetesShellOptions.builder().namespace(NS).image(IMAGE)).build());
    return shell;
  }

  @AfterEach
  void stop() {
    if (cluster != null) {
      cluster.quiesce();
      shell.close();
      kubelet.close();
      cluster.close();
    }
  }

  /** Every plain variable of every Job in the namespace, by name. */
  List<String> plainNamesInJobs() {
    return client.batch().v1().jobs().inNamespace(NS).list().getItems().stream()
        .map(Job::getSpec).flatMap(s -> s.getTemplate().getSpec().getContainers().stream())
        .flatMap(c -> c.getEnv().stream()).filter(e -> e.getValue() != null).map(EnvVar::getName).toList();
  }

  @Test
  void aCredentialInTheRuntimesRemoteEnvironmentNeverReachesAJob() {
    start(b -> b);
    for (String name : List.of("AWS_SECRET_ACCESS_KEY", "DB_PASS", "SMTP_PWD", "HF_TOKEN", "AZURE_STORAGE_SAS",
        "SERVICEBUS_CONNECTION_STRING", "SIGNING_KEY")) {
      try (RemoteRuntime runtime = RemoteRuntime.builder().sharedFolder(true).blobStore(BlobStore.folder(dir.resolve(name))).shell(shell)
          .pipelineId("env").remoteEnvironment(name, "hunter2").build()) {
        Work work = runtime.create(Work.class, WorkImpl.class);
        assertThatThrownBy(() -> work.square(3)).as(name)
            .isInstanceOf(ShellException.class)
            .matches(e -> ((ShellException) e).reason().equals("CredentialInEnvironment"), "reason CredentialInEnvironment")
            .hasMessageContaining("'" + name + "' looks like a credential")
            .hasMessageContaining("EnvReference.secretKey(\"" + name + "\"")
            .hasMessageContaining("workload identity");
      }
    }
    assertThat(cluster.count(SHELL, "create jobs")).as("refused before any Job is created").isZero();
    assertThat(shell.job(new io.pureremote.spi.Shell.LaunchRequest("file:///m", new io.pureremote.FunctionId("com.acme.Work#square", "1"),
        "0".repeat(64), Map.of("MODEL", "bert"))).getSpec().getTemplate().getSpec().getContainers().getFirst().getEnv())
        .as("a plain name still goes in as a plain value").anyMatch(e -> e.getName().equals("MODEL") && "bert".equals(e.getValue()));
  }

  @Test
  void aPlainVariableFromTheRuntimeStillRunsAndPwdIsNoCredential() {
    start(b -> b.env("PWD", "/work"));
    try (RemoteRuntime runtime = RemoteRuntime.builder().sharedFolder(true).blobStore(BlobStore.folder(dir)).shell(shell)
        .pipelineId("env").remoteEnvironment("MODEL_NAME", "bert").build()) {
      assertThat(runtime.create(Work.class, WorkImpl.class).square(3)).isEqualTo(9);
    }
    assertThat(plainNamesInJobs()).contains("MODEL_NAME", "PWD");
  }

  @Test
  void theShellsOwnEnvAndTheProvidersSettingsRefuseTheSameNames() {
    for (String name : List.of("AWS_SECRET_ACCESS_KEY", "DB_PASS", "SMTP_PWD", "HF_TOKEN", "AZURE_STORAGE_SAS", "SIGNING_KEY")) {
      assertThatThrownBy(() -> KubernetesShellOptions.builder().namespace(NS).image(IMAGE).env(name, "x").build()).as(name)
          .hasMessageContaining("'" + name + "' looks like a credential");
      assertThatThrownBy(() -> KubernetesShellProvider.options(KubernetesShellProviderTest.settings(Map.of("image", IMAGE, "env", Map.of(name, "x")))).build()).as(name)
          .hasMessageContaining("'" + name + "' looks like a credential");
    }
  }

  @Test
  void aCredentialValueUnderAnInnocentNameNeverReachesAJobAndIsNeverShown() {
    String sas = "https://acme.blob.core.windows.net/c?sv=2022-11-02&sig=c2VjcmV0c2VjcmV0";
    start(b -> b);
    try (RemoteRuntime runtime = RemoteRuntime.builder().sharedFolder(true).blobStore(BlobStore.folder(dir)).shell(shell)
        .pipelineId("env").remoteEnvironment("STORE_URL", sas).build()) {
      Work work = runtime.create(Work.class, WorkImpl.class);
      assertThatThrownBy(() -> work.square(3)).isInstanceOf(ShellException.class)
          .hasMessageContaining("the value of 'STORE_URL' looks like a credential")
          .hasMessageContaining("EnvReference.secretKey(\"STORE_URL\"")
          .hasMessageNotContaining("c2VjcmV0");
    }
    assertThat(cluster.count(SHELL, "create jobs")).as("refused before any Job is created").isZero();
    for (String value : List.of(sas, "postgres://app:hunter2@db:5432/x", "AccountName=a;AccountKey=c2VjcmV0")) {
      assertThatThrownBy(() -> KubernetesShellOptions.builder().namespace(NS).image(IMAGE).env("STORE", value).build())
          .hasMessageContaining("the value of 'STORE' looks like a credential").hasMessageNotContaining(value);
      assertThatThrownBy(() -> KubernetesShellProvider.options(KubernetesShellProviderTest.settings(
          Map.of("image", IMAGE, "env", Map.of("STORE", value)))).build())
          .hasMessageContaining("the value of 'STORE' looks like a credential").hasMessageNotContaining(value);
      assertThatThrownBy(() -> PodTemplateOptions.builder().annotation("acme.io/store", value))
          .hasMessageContaining("looks like a credential").hasMessageNotContaining(value);
    }
  }

  @Test
  void theWidenedNamesAreRefusedOnEveryPath() {
    for (String name : List.of("AWS_SESSION_TOKEN", "STORAGE_KEY_1", "AZURE_STORAGE_ACCOUNTKEY", "CLIENTSECRETS")) {
      assertThatThrownBy(() -> KubernetesShellOptions.builder().namespace(NS).image(IMAGE).env(name, "x").build()).as(name)
          .hasMessageContaining("'" + name + "' looks like a credential");
      assertThat(JobFactory.environmentProblem(new io.pureremote.spi.Shell.LaunchRequest("file:///m",
          new io.pureremote.FunctionId("com.acme.Work#square", "1"), "0".repeat(64), Map.of(name, "x")))).as(name)
          .hasValueSatisfying(p -> assertThat(p).contains("'" + name + "' looks like a credential"));
    }
  }
}
