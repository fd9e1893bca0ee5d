package io.pureremote.config;

import io.pureremote.k8s.values.KubernetesValues;
import static io.pureremote.config.Fixtures.parse;
import static org.assertj.core.api.Assertions.assertThat;

import java.util.Map;
import java.util.Set;
import org.junit.jupiter.api.Test;

/** Team selection (file, environment, code), what a team replaces, and where the namespace comes from. */
class TeamsAndNamespacesTest {
  static final String TWO_TEAMS = """
      team = "forecasting"
      blob-root = "file:///shared/memo"
      [kubernetes]
      namespace = "shared"
      image = "base/app:1"
      registry = "shared.example.com"
      service-account = "shared-runner"
      tolerations = ["spot"]
      cloud = "gke"
      [kubernetes.workload-identity]
      client-id = "00000000-0000-0000-0000-000000000001"
      [teams.forecasting]
      namespace = "fc"
      kube-context = "aks-prod"
      blob-root = "abfss://memo@fc.dfs.core.windows.net/x"
      registry = "fc.azurecr.io"
      image = "fc/app:7"
      service-account = "fc-runner"
      workload-identity = true
      azure-client-id = "00000000-0000-0000-0000-0000000000fc"
      cloud = "aks"
      [teams.ranking]
      cloud = "eks"
      [teams."Data Science"]
      """;

  @Test
  void theFileSelectsATeamWhoseValuesReplaceTheRuntimeWideOnes() {
    PureRemoteConfig config = parse(TWO_TEAMS);
    KubernetesConfig k = config.kubernetes();

    assertThat(config.team()).contains("forecasting");
    assertThat(config.selectedTeam().map(TeamConfig::name)).contains("forecasting");
    assertThat(config.blobRoot()).isEqualTo("abfss://memo@fc.dfs.core.windows.net/x");
    assertThat(k.namespace()).isEqualTo("fc");
    assertThat(k.kubeContext()).contains("aks-prod");
    assertThat(k.registry()).contains("fc.azurecr.io");
    assertThat(k.image()).contains("fc/app:7");
    assertThat(k.serviceAccount()).contains("fc-runner");
    assertThat(k.cloud()).contains(Cloud.AKS);
    assertThat(k.tolerations()).containsExactly(TolerationConfig.spot(Cloud.AKS));
    assertThat(k.workloadIdentity()).isTrue();
    assertThat(k.workloadIdentityApplies()).isTrue();
    assertThat(k.workloadIdentityClientId()).contains("00000000-0000-0000-0000-0000000000fc");
    assertThat(config.teams()).containsOnlyKeys("forecasting", "ranking", "Data Science");
  }

  @Test
  void theEnvironmentSelectsAnotherTeamAndTheRuntimeWideValuesFillWhatItLeavesOut() {
    PureRemoteConfig config = parse(TWO_TEAMS, Map.of("PUREREMOTE_TEAM", "ranking"));
    KubernetesConfig k = config.kubernetes();

    assertThat(config.team()).contains("ranking");
    assertThat(config.blobRoot()).isEqualTo("file:///shared/memo");
    assertThat(k.namespace()).isEqualTo("ranking");
    assertThat(k.image()).contains("base/app:1");
    assertThat(k.registry()).contains("shared.example.com");
    assertThat(k.serviceAccount()).contains("shared-runner");
    assertThat(k.kubeContext()).isEmpty();
    assertThat(k.tolerations()).containsExactly(TolerationConfig.spot(Cloud.EKS));
    assertThat(k.workloadIdentityApplies()).isFalse();
    assertThat(k.workloadIdentityClientId()).contains("00000000-0000-0000-0000-000000000001");
  }

  @Test
  void codeSelectsATeamOverTheEnvironment() {
    PureRemoteConfig config = ConfigLoader.builder()
        .environment(Map.of("PUREREMOTE_TEAM", "ranking"))
        .override("team", "forecasting")
        .build().parse(TWO_TEAMS, "teams.toml");

    assertThat(config.team()).contains("forecasting");
    assertThat(config.kubernetes().namespace()).isEqualTo("fc");
  }

  @Test
  void environmentValuesBeatTheTeam() {
    PureRemoteConfig config = parse(TWO_TEAMS, Map.of(
        "PUREREMOTE_KUBERNETES_IMAGE", "hotfix/app:7.1",
        "PUREREMOTE_KUBERNETES_CLOUD", "gke",
        "PUREREMOTE_BLOB_ROOT", "file:///tmp/memo"));

    assertThat(config.kubernetes().image()).contains("hotfix/app:7.1");
    assertThat(config.kubernetes().tolerations()).containsExactly(TolerationConfig.spot(Cloud.GKE));
    assertThat(config.blobRoot()).isEqualTo("file:///tmp/memo");
  }

  @Test
  void namespaceIsExplicitElseTheTeamsElseTheFilesElseTheUsers() {
    // explicit: the environment (or code) beats the team
    assertThat(parse(TWO_TEAMS, Map.of("PUREREMOTE_KUBERNETES_NAMESPACE", "yu-sandbox")).kubernetes().namespace())
        .isEqualTo("yu-sandbox");
    assertThat(ConfigLoader.builder().override("kubernetes.namespace", "from-code").build()
        .parse(TWO_TEAMS, "t.toml").kubernetes().namespace()).isEqualTo("from-code");
    // the team's own, else the team's name as a DNS-1123 label
    assertThat(parse(TWO_TEAMS).kubernetes().namespace()).isEqualTo("fc");
    assertThat(parse(TWO_TEAMS, Map.of("PUREREMOTE_TEAM", "ranking")).kubernetes().namespace()).isEqualTo("ranking");
    assertThat(parse(TWO_TEAMS, Map.of("PUREREMOTE_TEAM", "Data Science")).kubernetes().namespace())
        .isEqualTo("data-science");
    // no team: [kubernetes] namespace, else the user name
    assertThat(parse("[kubernetes]\nnamespace = \"shared\"\n").kubernetes().namespace()).isEqualTo("shared");
    assertThat(ConfigLoader.builder().userName("Yu_Zhang").build().parse("", "t.toml").kubernetes().namespace())
        .isEqualTo("yu-zhang");
  }

  @Test
  void aPodsNamespaceReplacesOnlyTheUserNameDefault() {
    ConfigLoader inPod = ConfigLoader.builder().userName("root").defaultNamespace("ml-team").build();
    assertThat(inPod.parse("", "t.toml").kubernetes().namespace()).isEqualTo("ml-team");
    assertThat(inPod.parse("[kubernetes]\nnamespace = \"shared\"\n", "t.toml").kubernetes().namespace())
        .isEqualTo("shared");
    assertThat(inPod.parse(TWO_TEAMS, "t.toml").kubernetes().namespace()).isEqualTo("fc");
  }

  @Test
  void userNamesBecomeValidNamespaces() {
    assertThat(KubernetesValues.namespaceFor("Yu_Zhang")).isEqualTo("yu-zhang");
    assertThat(KubernetesValues.namespaceFor("  CORP\\Jürgen.Müller ")).isEqualTo("jurgen-muller");
    assertThat(KubernetesValues.namespaceFor("ana.lopez@corp.example.com")).isEqualTo("ana-lopez");
    assertThat(KubernetesValues.namespaceFor("--x--")).isEqualTo("x");
    assertThat(KubernetesValues.namespaceFor("")).isEqualTo("pureremote");
    assertThat(KubernetesValues.namespaceFor("日本")).isEqualTo("pureremote");
    assertThat(KubernetesValues.namespaceFor(null)).isEqualTo("pureremote");
    String longName = "a".repeat(62) + "_b" + "c".repeat(10);
    assertThat(KubernetesValues.namespaceFor(longName)).hasSize(62).matches("a+");
    for (String raw : new String[] {"Yu_Zhang", "x".repeat(200), "a-" + "-".repeat(70) + "b", "ÄÖÜ", "12345"}) {
      assertThat(KubernetesValues.isDnsLabel(KubernetesValues.namespaceFor(raw))).as(raw).isTrue();
    }
  }

  @Test
  void workloadIdentityAppliesInListedNamespacesWithoutATeam() {
    PureRemoteConfig config = parse("""
        [kubernetes]
        namespace = "demand-planning"
        service-account = "dp-runner"
        [kubernetes.workload-identity]
        namespaces = ["forecasting", "demand-planning"]
        client-id = "00000000-0000-0000-0000-000000000002"
        """);

    assertThat(config.kubernetes().workloadIdentity()).isFalse();
    assertThat(config.kubernetes().workloadIdentityNamespaces()).isEqualTo(Set.of("forecasting", "demand-planning"));
    assertThat(config.kubernetes().workloadIdentityApplies()).isTrue();
    assertThat(parse("[kubernetes.workload-identity]\nnamespaces = [\"other\"]\n").kubernetes().workloadIdentityApplies())
        .isFalse();
  }

  @Test
  void aTeamWithItsOwnBlobRootBringsItsOwnBlobSettings() {
    String toml = """
        blob-root = "s3://shared/memo"
        [blob-settings]
        region = "eu-west-1"
        [teams.azure]
        blob-root = "abfss://memo@acct.dfs.core.windows.net/x"
        [teams.azure.blob-settings]
        account = "acct"
        [teams.same-store]
        image = "x/y:1"
        """;

    assertThat(parse(toml).blobSettings()).isEqualTo(Map.of("region", "eu-west-1"));
    assertThat(parse(toml, Map.of("PUREREMOTE_TEAM", "azure")).blobSettings()).isEqualTo(Map.of("account", "acct"));
    assertThat(parse(toml, Map.of("PUREREMOTE_TEAM", "same-store")).blobSettings()).isEqualTo(Map.of("region", "eu-west-1"));
    assertThat(parse(toml).teams().get("azure").blobSettings()).isEqualTo(Map.of("account", "acct"));
  }
}
