package io.pureremote.assembly;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.fabric8.kubernetes.api.model.Container;
import io.fabric8.kubernetes.api.model.EnvVar;
import io.fabric8.kubernetes.api.model.PodSpec;
import io.fabric8.kubernetes.api.model.Quantity;
import io.fabric8.kubernetes.api.model.batch.v1.Job;
import io.fabric8.kubernetes.client.Config;
import io.fabric8.kubernetes.client.ConfigBuilder;
import io.fabric8.kubernetes.client.KubernetesClient;
import io.fabric8.kubernetes.client.KubernetesClientBuilder;
import io.fabric8.kubernetes.client.utils.Serialization;
import io.pureremote.FunctionId;
import io.pureremote.ShellException;
import io.pureremote.config.ConfigException;
import io.pureremote.config.ConfigLoader;
import io.pureremote.config.KubernetesConfig;
import io.pureremote.config.PureRemoteConfig;
import io.pureremote.k8s.KubeConfigs;
import io.pureremote.k8s.KubernetesShell;
import io.pureremote.k8s.KubernetesShellProvider;
import io.pureremote.k8s.KubernetesShellOptions;
import io.pureremote.spi.Shell;
import io.pureremote.assembly.testfns.Greeter;
import io.pureremote.assembly.testfns.GreeterImpl;
import io.pureremote.spi.Shell.LaunchRequest;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Map;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.stream.Collectors;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Assembly from configuration: the shells each function gets, and the Job specs they emit. The
 * sample configuration (docs/pureremote.example.toml) and the Jobs it produces are printed for the
 * issue note.
 */
class ConfiguredRuntimeTest {
  static final Path SAMPLE = Path.of("..", "docs", "pureremote.example.toml").toAbsolutePath().normalize();
  static final String FIT = "com.acme.forecast.Forecasts#fit";
  static final String SUMMARIZE = "com.acme.forecast.Forecasts#summarize";
  static final String BACKTEST = "com.acme.forecast.Forecasts#backtest";
  static final String HASH = "9f86d081884c7d659a2feaa0c55ad015a3bf4f1b2b0b822cd15d6c15b0f00a08";

  // Never contacted: building shells and their Job specs needs a client but no server.
  static KubernetesClient client;

  @TempDir
  Path tmp;

  @BeforeAll
  static void client() {
    client = new KubernetesClientBuilder()
        .withConfig(new ConfigBuilder(Config.empty()).withMasterUrl("https://127.0.0.1:1").build())
        .build();
  }

  @AfterAll
  static void closeClient() {
    client.close();
  }

  static PureRemoteConfig sample(Map<String, String> env) {
    return ConfigLoader.builder().environment(env).userName("yu").build().read(SAMPLE);
  }

  /**
   * The sample's runtime with a scratch blob store instead of the team's ADLS account, declared
   * shared since the Kubernetes shell would refuse a folder otherwise (no pod runs here).
   */
  ConfiguredRuntime assemble(PureRemoteConfig config) {
    return ConfiguredRuntime.builder(config)
        .shellProvider(KubernetesShellProvider.withClient(client))
        .runtime(b -> b.blobRoot(tmp.resolve("memo").toUri().toString()).sharedFolder(true))
        .build();
  }

  static LaunchRequest request(PureRemoteConfig config, String function) {
    String memo = config.blobRoot() + "/pureremote/v1/" + config.pipelineId() + "/" + function.replace("#", "%23")
        + "@3/" + HASH;
    return new LaunchRequest(memo, new FunctionId(function, "3"), HASH, Map.of());
  }

  static Job job(ConfiguredRuntime remote, String function) {
    return ((KubernetesShell) remote.shellFor(function)).job(request(remote.config(), function));
  }

  static Map<String, String> amounts(Map<String, Quantity> quantities) {
    return quantities == null ? Map.of() : quantities.entrySet().stream()
        .collect(Collectors.toMap(Map.Entry::getKey, e -> e.getValue().toString()));
  }

  static Map<String, String> env(Container c) {
    return c.getEnv().stream().filter(e -> e.getValue() != null)
        .collect(Collectors.toMap(EnvVar::getName, EnvVar::getValue));
  }

  @Test
  void eachFunctionOverrideGetsItsOwnShellAndTheRestShareTheDefault() {
    try (ConfiguredRuntime remote = assemble(sample(Map.of()))) {
      assertThat(remote.runtime().shell()).as("a routing shell").isNotSameAs(remote.shellFor(SUMMARIZE));
      assertThat(remote.shellFor(SUMMARIZE)).extracting(Shell::name).isEqualTo("in-process");
      assertThat(remote.shellFor(FIT)).isInstanceOf(KubernetesShell.class);
      assertThat(remote.shellFor(BACKTEST)).isInstanceOf(KubernetesShell.class).isNotSameAs(remote.shellFor(FIT));
      assertThat(remote.shellFor("any.Other#fn")).isSameAs(remote.shellFor(BACKTEST));

      KubernetesShellOptions fit = ((KubernetesShell) remote.shellFor(FIT)).options();
      assertThat(fit.pod().resourceRequests()).isEqualTo(Map.of("cpu", "8", "memory", "32Gi", "nvidia.com/gpu", "1"));
      assertThat(fit.pod().tolerations()).isEmpty();
      KubernetesShellOptions other = ((KubernetesShell) remote.shellFor(BACKTEST)).options();
      assertThat(other.pod().resourceRequests()).isEqualTo(Map.of("cpu", "1", "memory", "4Gi"));
      assertThat(other.pod().tolerations()).extracting(t -> t.getKey() + "=" + t.getValue())
          .containsExactly("kubernetes.azure.com/scalesetpriority=spot");
    }
  }

  @Test
  void theSampleEmitsTheseJobs() {
    PureRemoteConfig config = sample(Map.of());
    try (ConfiguredRuntime remote = assemble(config)) {
      Job fit = job(remote, FIT);
      Job backtest = job(remote, BACKTEST);
      System.out.println("# Job for " + FIT + " (team forecasting)\n" + Serialization.asYaml(fit));
      System.out.println("# Job for " + BACKTEST + " (team forecasting, no function section)\n"
          + Serialization.asYaml(backtest));

      assertThat(fit.getMetadata().getNamespace()).isEqualTo("forecasting");
      PodSpec pod = fit.getSpec().getTemplate().getSpec();
      Container c = pod.getContainers().getFirst();
      assertThat(c.getImage()).isEqualTo("forecastingacr.azurecr.io/forecasting/pipeline:2026.11.3");
      assertThat(c.getImagePullPolicy()).isEqualTo("IfNotPresent");
      assertThat(c.getArgs()).containsExactly("run", request(config, FIT).memoUri());
      assertThat(amounts(c.getResources().getRequests()))
          .isEqualTo(Map.of("cpu", "8", "memory", "32Gi", "nvidia.com/gpu", "1"));
      assertThat(amounts(c.getResources().getLimits())).isEqualTo(Map.of("memory", "32Gi", "nvidia.com/gpu", "1"));
      assertThat(pod.getTolerations()).isNullOrEmpty();
      assertThat(pod.getServiceAccountName()).isEqualTo("forecasting-runner");
      assertThat(fit.getSpec().getTemplate().getMetadata().getLabels()).containsEntry("azure.workload.identity/use", "true");
      assertThat(env(c)).containsEntry("AZURE_CLIENT_ID", "6f1c2a9e-3b7d-4c1a-9e55-0d2f8a7b4c31");
      assertThat(fit.getSpec().getActiveDeadlineSeconds()).isEqualTo(6 * 3600L);
      assertThat(fit.getSpec().getTtlSecondsAfterFinished()).isEqualTo(1800);
      assertThat(fit.getSpec().getBackoffLimit()).isZero();

      PodSpec backtestPod = backtest.getSpec().getTemplate().getSpec();
      assertThat(amounts(backtestPod.getContainers().getFirst().getResources().getRequests()))
          .isEqualTo(Map.of("cpu", "1", "memory", "4Gi"));
      assertThat(backtestPod.getTolerations()).singleElement()
          .satisfies(t -> assertThat(t.getKey() + "=" + t.getValue() + ":" + t.getEffect())
              .isEqualTo("kubernetes.azure.com/scalesetpriority=spot:NoSchedule"));
    }
  }

  @Test
  void theRankingTeamEmitsEksJobsWithoutWorkloadIdentity() {
    PureRemoteConfig config = sample(Map.of("PUREREMOTE_TEAM", "ranking"));
    try (ConfiguredRuntime remote = assemble(config)) {
      Job job = job(remote, BACKTEST);
      System.out.println("# Job for " + BACKTEST + " (PUREREMOTE_TEAM=ranking)\n" + Serialization.asYaml(job));

      assertThat(job.getMetadata().getNamespace()).isEqualTo("ranking");
      PodSpec pod = job.getSpec().getTemplate().getSpec();
      Container c = pod.getContainers().getFirst();
      assertThat(c.getImage()).isEqualTo("123456789012.dkr.ecr.us-east-1.amazonaws.com/ranking/app:41");
      assertThat(pod.getTolerations()).singleElement()
          .satisfies(t -> assertThat(t.getKey() + "=" + t.getValue()).isEqualTo("karpenter.sh/capacity-type=spot"));
      assertThat(pod.getServiceAccountName()).isEqualTo("ranking-runner");
      assertThat(job.getSpec().getTemplate().getMetadata().getLabels()).doesNotContainKey("azure.workload.identity/use");
      assertThat(env(c)).doesNotContainKey("AZURE_CLIENT_ID");
    }
  }

  @Test
  void functionsWithEqualSettingsShareOneShell() {
    PureRemoteConfig config = ConfigLoader.builder().userName("yu").build().parse("""
        shell = "kubernetes"
        [kubernetes]
        image = "team/app:1"
        [functions."a.Fns#one"]
        resources = { memory = "8Gi" }
        [functions."a.Fns#two"]
        resources = { memory = "8Gi" }
        [functions."a.Fns#three"]
        resources = { memory = "16Gi" }
        [functions."a.Fns#timeoutOnly"]
        timeout = "5m"
        """, "shared.toml");
    try (ConfiguredRuntime remote = assemble(config)) {
      assertThat(remote.shellFor("a.Fns#one")).isSameAs(remote.shellFor("a.Fns#two"));
      assertThat(remote.shellFor("a.Fns#three")).isNotSameAs(remote.shellFor("a.Fns#one"));
      assertThat(remote.shellFor("a.Fns#timeoutOnly")).isSameAs(remote.shellFor("unconfigured#fn"));
      assertThat(remote.runtime().options().callOptions("a.Fns#timeoutOnly").timeout()).hasMinutes(5);
    }
  }

  @Test
  void codeBeatsConfiguration() {
    PureRemoteConfig config = sample(Map.of());
    try (ConfiguredRuntime remote = ConfiguredRuntime.builder(config)
        .shellProvider(KubernetesShellProvider.withClient(client)
            .customize(k -> k.namespace("yu-sandbox").label("cost-center", "4711")))
        .runtime(b -> b.blobRoot(tmp.toUri().toString()).sharedFolder(true).pipelineId("backfill-2026"))
        .build()) {
      assertThat(remote.runtime().options().pipelineId()).isEqualTo("backfill-2026");
      Job job = job(remote, FIT);
      assertThat(job.getMetadata().getNamespace()).isEqualTo("yu-sandbox");
      assertThat(job.getMetadata().getLabels()).containsEntry("cost-center", "4711");
    }
    // The typed configuration can be changed in code before assembly, too.
    PureRemoteConfig changed = config.toBuilder()
        .kubernetes(config.kubernetes().toBuilder().image("hotfix/pipeline:2026.11.4").build())
        .build();
    try (ConfiguredRuntime remote = assemble(changed)) {
      assertThat(job(remote, BACKTEST).getSpec().getTemplate().getSpec().getContainers().getFirst().getImage())
          .isEqualTo("forecastingacr.azurecr.io/hotfix/pipeline:2026.11.4");
    }
  }

  @Test
  void optionsTheKubernetesShellRefusesFailAsConfigurationErrors() {
    assertThatThrownBy(() -> ConfiguredRuntime.builder(sample(Map.of()))
        .shellProvider(KubernetesShellProvider.withClient(client).customize(k -> k.env("DB_PASSWORD", "hunter2")))
        .build())
        .isInstanceOf(ConfigException.class)
        .hasMessageContaining(SAMPLE + ": kubernetes: the kubernetes shell refuses these settings: "
            + "Invalid Kubernetes shell options:")
        .hasMessageContaining("env: 'DB_PASSWORD' looks like a credential");
  }

  @Test
  void aFolderRootWithTheKubernetesShellIsRefusedUnlessDeclaredShared() throws Exception {
    String root = Files.createDirectories(tmp.resolve("memo")).toUri().toString().replaceAll("/$", "");
    String toml = """
        blob-root = "%s"
        [kubernetes]
        image = "team/app:1"
        [functions."a.Fns#heavy"]
        shell = "kubernetes"
        """.formatted(root);
    PureRemoteConfig routed = ConfigLoader.builder().userName("yu").build().parse(toml, "folder.toml");
    assertThatThrownBy(() -> ConfiguredRuntime.builder(routed).shellProvider(KubernetesShellProvider.withClient(client)).build())
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessageContaining("Blob root " + root + " is a folder on this machine")
        .hasMessageContaining("function a.Fns#heavy on the kubernetes shell")
        .hasMessageContaining("shared-folder = true");

    PureRemoteConfig shared = ConfigLoader.builder().userName("yu").build().parse("shared-folder = true\n" + toml, "folder.toml");
    try (ConfiguredRuntime remote = ConfiguredRuntime.builder(shared).shellProvider(KubernetesShellProvider.withClient(client)).build()) {
      assertThat(remote.shellFor("a.Fns#heavy")).isInstanceOf(KubernetesShell.class);
      assertThat(remote.runtime().options().sharedFolder()).isTrue();
    }
    PureRemoteConfig fromEnv = ConfigLoader.builder().userName("yu").environment(Map.of("PUREREMOTE_SHARED_FOLDER", "true"))
        .build().parse(toml, "folder.toml");
    ConfiguredRuntime.builder(fromEnv).shellProvider(KubernetesShellProvider.withClient(client)).build().close();
  }

  @Test
  void closingStopsTheShellsItBuilt() throws Exception {
    PureRemoteConfig config = sample(Map.of());
    ConfiguredRuntime remote = assemble(config);
    KubernetesShell fit = (KubernetesShell) remote.shellFor(FIT);
    remote.close();

    assertThatThrownBy(() -> fit.launch(request(config, FIT)).completion().get(10, TimeUnit.SECONDS))
        .isInstanceOf(ExecutionException.class)
        .cause().isInstanceOf(ShellException.class).hasMessageContaining("closed");
  }

  @Test
  void shellPoolNameGoesToThePoolShellWithThatPoolsTable() throws Exception {
    Path memo = Files.createDirectories(tmp.resolve("memo"));
    PureRemoteConfig config = ConfigLoader.builder().userName("yu").build().parse("""
        blob-root = "%s"
        shared-folder = true
        shell = "pool:linalg"
        [pools.linalg]
        namespace = "ml-team"
        kube-context = "never-used"      # no call runs, so the client never connects
        [functions."io.pureremote.assembly.testfns.Greeter#greet"]
        shell = "in-process"
        """.formatted(memo.toUri()), "pools.toml");
    try (ConfiguredRuntime remote = ConfiguredRuntime.fromConfig(config)) {
      assertThat(remote.shellFor("other#fn")).isInstanceOfSatisfying(io.pureremote.k8s.pool.PoolShell.class,
          s -> assertThat(s.name()).isEqualTo("pool:linalg"));
      assertThat(remote.shellFor("io.pureremote.assembly.testfns.Greeter#greet")).extracting(Shell::name).isEqualTo("in-process");
    }
  }

  @Test
  void aPoolThatFallsBackToJobsGetsTheTeamsPodSettings() throws Exception {
    Path memo = Files.createDirectories(tmp.resolve("memo"));
    PureRemoteConfig config = ConfigLoader.builder().userName("yu").build().parse("""
        blob-root = "%s"
        shared-folder = true
        team = "ranking"
        [kubernetes]
        image = "acme/app:1"
        resources.memory = "2Gi"
        [teams.ranking]
        shell = "pool:calc"
        image = "acme/ranking:41"
        service-account = "ranking-runner"
        [pools.calc]
        fallback = "kubernetes"
        """.formatted(memo.toUri()), "pools.toml");
    try (ConfiguredRuntime remote = ConfiguredRuntime.builder(config)
        .shellProvider(io.pureremote.k8s.pool.PoolShellProvider.withClient(client)).build()) {
      io.pureremote.k8s.pool.PoolShell pool = (io.pureremote.k8s.pool.PoolShell) remote.shellFor("other#fn");
      KubernetesShell jobs = (KubernetesShell) pool.fallback().orElseThrow();
      Job job = jobs.job(request(config, "other#fn"));
      assertThat(job.getMetadata().getNamespace()).as("the team's namespace").isEqualTo("ranking");
      Container c = job.getSpec().getTemplate().getSpec().getContainers().getFirst();
      assertThat(c.getImage()).isEqualTo("acme/ranking:41");
      assertThat(amounts(c.getResources().getRequests())).containsEntry("memory", "2Gi");
      assertThat(job.getSpec().getTemplate().getSpec().getServiceAccountName()).isEqualTo("ranking-runner");
    }
  }

  @Test
  void aCallRunsEndToEndFromConfiguration() throws Exception {
    Path memo = Files.createDirectories(tmp.resolve("memo"));
    PureRemoteConfig config = ConfigLoader.builder().userName("yu").build().parse("""
        blob-root = "%s"
        pipeline-id = "e2e"
        [kubernetes]
        kube-context = "never-used"      # nothing runs on Kubernetes, so no client is built
        [functions."io.pureremote.assembly.testfns.Greeter#greet"]
        shell = "in-process"
        timeout = "1m"
        """.formatted(memo.toUri()), "e2e.toml");
    int before = GreeterImpl.RUNS.get();
    try (ConfiguredRuntime remote = ConfiguredRuntime.fromConfig(config)) {
      assertThat(remote.shellFor("io.pureremote.assembly.testfns.Greeter#greet")).extracting(Shell::name).isEqualTo("in-process");
      assertThat(remote.shellFor("other#fn")).extracting(Shell::name).isEqualTo("local");
      Greeter greeter = remote.create(Greeter.class, GreeterImpl.class);

      assertThat(greeter.greet("forecasting")).isEqualTo("hello forecasting");
      assertThat(greeter.greet("forecasting")).isEqualTo("hello forecasting");
      assertThat(GreeterImpl.RUNS.get() - before).as("the second call is a memo hit").isEqualTo(1);
      try (var files = Files.walk(memo)) {
        assertThat(files.map(Path::toString).toList()).anyMatch(p -> p.contains("e2e") && p.endsWith("result"));
      }
    }
  }

  @Test
  void aKubeContextMissingFromTheKubeconfigIsAnErrorNotTheCurrentContext() throws Exception {
    Path kubeconfig = Files.writeString(tmp.resolve("kubeconfig"), """
        apiVersion: v1
        kind: Config
        clusters:
        - name: eks
          cluster: {server: "https://eks.example:6443"}
        - name: aks
          cluster: {server: "https://aks.example:6443"}
        users:
        - name: u
          user: {token: "not-a-secret"}
        contexts:
        - name: eks-us-east-1-prod
          context: {cluster: eks, user: u}
        - name: aks-westeurope-prod
          context: {cluster: aks, user: u}
        current-context: eks-us-east-1-prod
        """);
    // fabric8 reads the kubeconfig path from this property before $KUBECONFIG.
    String previous = System.setProperty("kubeconfig", kubeconfig.toString());
    try {
      assertThat(KubeConfigs.forContext(java.util.Optional.of("aks-westeurope-prod")).getMasterUrl())
          .isEqualTo("https://aks.example:6443/");
      assertThat(KubeConfigs.forContext(java.util.Optional.empty()).getMasterUrl())
          .isEqualTo("https://eks.example:6443/");
      PureRemoteConfig config = ConfigLoader.builder().userName("yu")
          .environment(Map.of("PUREREMOTE_KUBERNETES_KUBE_CONTEXT", "aks-prod")).build()
          .parse("shell = \"kubernetes\"\n[kubernetes]\nimage = \"team/app:1\"\n", "/x/.pureremote.toml");
      assertThatThrownBy(() -> ConfiguredRuntime.fromConfig(config))
          .isInstanceOf(ConfigException.class)
          .hasMessageContaining("/x/.pureremote.toml: kubernetes: the kubernetes shell refuses these settings: "
              + "kube context \"aks-prod\" is not in the kubeconfig, "
              + "whose contexts are [aks-westeurope-prod, eks-us-east-1-prod]");
    } finally {
      if (previous == null) {
        System.clearProperty("kubeconfig");
      } else {
        System.setProperty("kubeconfig", previous);
      }
    }
  }

  @Test
  void configDefaultsMatchTheKubernetesShellsDefaults() {
    Shell.Settings config = PureRemoteConfig.builder().shell("kubernetes").build().shellSettings("");
    KubernetesShellOptions shell = KubernetesShellOptions.builder().image("x/y:1").build();
    KubernetesShellOptions mapped = KubernetesShellProvider.options(config).image("x/y:1").build();

    // Same values, so configuration that says nothing changes nothing in the shell's behaviour.
    assertThat(mapped.pod().imagePullPolicy()).isEqualTo(shell.pod().imagePullPolicy());
    assertThat(mapped.ttlAfterFinished()).isEqualTo(shell.ttlAfterFinished());
    assertThat(mapped.backoffLimit()).isEqualTo(shell.backoffLimit());
    assertThat(mapped.activeDeadline()).isEqualTo(shell.activeDeadline());
    assertThat(mapped.pendingTimeout()).isEqualTo(shell.pendingTimeout());
    assertThat(mapped.imagePullBound()).isEqualTo(shell.imagePullBound());
    assertThat(mapped.maxEvictionRetries()).isEqualTo(shell.maxEvictionRetries());
    assertThat(mapped.logStreaming()).isEqualTo(shell.logStreaming());
    assertThat(mapped.logSampleFraction()).isEqualTo(shell.logSampleFraction());
    assertThat(mapped.launchConcurrency()).isEqualTo(shell.launchConcurrency());
    assertThat(mapped.namespace()).isEqualTo(shell.namespace());
    assertThat(mapped.pod().resourceRequests()).isEqualTo(shell.pod().resourceRequests()).isEmpty();
    assertThat(mapped.pod().resourceLimits()).isEqualTo(shell.pod().resourceLimits()).isEmpty();
    assertThat(mapped.pod().tolerations()).isEqualTo(shell.pod().tolerations()).isEmpty();
  }
}
