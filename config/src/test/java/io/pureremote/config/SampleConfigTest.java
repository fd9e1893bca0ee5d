package io.pureremote.config;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.pureremote.CallOptions;
import io.pureremote.CallOptions.ExceptionPolicy;
import io.pureremote.RuntimeOptions;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.function.Supplier;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.Test;

/**
 * docs/pureremote.example.toml loads for both teams; docs/configuration.md lists every key, its TOML
 * examples load, and its error example is what the loader says.
 */
class SampleConfigTest {
  static final String FIT = "com.acme.forecast.Forecasts#fit";
  static final String SUMMARIZE = "com.acme.forecast.Forecasts#summarize";

  static final Supplier<String> GUIDE_TEXT = () -> {
    try {
      return Files.readString(Path.of("..", "docs", "configuration.md"));
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  };

  static PureRemoteConfig sample(Map<String, String> env) {
    return ConfigLoader.builder().environment(env).userName("yu").build().read(Fixtures.SAMPLE);
  }

  @Test
  void theSampleSelectsForecastingOnAksWithWorkloadIdentityAndSpot() {
    PureRemoteConfig config = sample(Map.of());
    KubernetesConfig k = config.kubernetes();

    System.out.println("# " + Fixtures.SAMPLE + "\n" + Fixtures.sample());
    assertThat(config.source()).contains(Fixtures.SAMPLE);
    assertThat(config.team()).contains("forecasting");
    assertThat(config.shell()).isEqualTo("kubernetes");
    assertThat(config.blobRoot()).isEqualTo("abfss://memo@forecastingsa.dfs.core.windows.net/forecasting");
    assertThat(config.blobSettings()).isEqualTo(Map.of("account", "forecastingsa"));
    assertThat(k.namespace()).isEqualTo("forecasting");
    assertThat(k.kubeContext()).contains("aks-westeurope-prod");
    assertThat(k.cloud()).contains(Cloud.AKS);
    assertThat(k.registry()).contains("forecastingacr.azurecr.io");
    assertThat(k.image()).contains("forecasting/pipeline:2026.11.3");
    assertThat(k.imagePullPolicy()).isEqualTo("IfNotPresent");
    assertThat(k.serviceAccount()).contains("forecasting-runner");
    assertThat(k.tolerations()).containsExactly(TolerationConfig.spot(Cloud.AKS));
    assertThat(k.resources()).isEqualTo(Resources.builder().cpu("1").memory("4Gi").build());
    assertThat(k.ttlAfterFinished()).isEqualTo(Duration.ofMinutes(30));
    assertThat(k.activeDeadline()).contains(Duration.ofHours(6));
    assertThat(k.pendingTimeout()).isEqualTo(Duration.ofMinutes(15));
    assertThat(k.logSampleFraction()).isEqualTo(0.25);
    assertThat(k.workloadIdentityApplies()).isTrue();
    assertThat(k.workloadIdentityNamespaces()).containsExactly("forecasting", "demand-planning");
    assertThat(k.workloadIdentityClientId()).contains("6f1c2a9e-3b7d-4c1a-9e55-0d2f8a7b4c31");

    KubernetesConfig fit = config.kubernetesFor(FIT);
    assertThat(fit.resources()).isEqualTo(Resources.builder().cpu("8").memory("32Gi").gpus(1).build());
    assertThat(fit.tolerations()).isEmpty();
    assertThat(fit.image()).isEqualTo(k.image());
    assertThat(config.shellFor(SUMMARIZE)).isEqualTo("in-process");
    assertThat(config.shellFor(FIT)).isEqualTo("kubernetes");
  }

  @Test
  void theSampleMapsToTheseRuntimeOptions() {
    RuntimeOptions options = sample(Map.of()).toRuntimeOptions();

    assertThat(options.blobRoot()).isEqualTo("abfss://memo@forecastingsa.dfs.core.windows.net/forecasting");
    assertThat(options.pipelineId()).isEqualTo("weekly-forecast");
    assertThat(options.shell()).isEqualTo("kubernetes");
    assertThat(options.callDefaults()).isEqualTo(CallOptions.builder().timeout(Duration.ofHours(2)).exceptionPolicy(ExceptionPolicy.RERUN).build());
    assertThat(options.functions()).isEqualTo(Map.of(FIT, CallOptions.builder().timeout(Duration.ofHours(4)).exceptionPolicy(ExceptionPolicy.MEMOIZE).build()));
    assertThat(options.callOptions(SUMMARIZE)).isEqualTo(options.callDefaults());
    assertThat(options.allowedPackages()).isEqualTo(Set.of("com.acme.model"));
    assertThat(options.blobSettings()).isEqualTo(Map.of("account", "forecastingsa"));
  }

  @Test
  void theSampleSelectsRankingOnEksFromTheEnvironment() {
    PureRemoteConfig config = sample(Map.of("PUREREMOTE_TEAM", "ranking"));
    KubernetesConfig k = config.kubernetes();

    assertThat(config.blobRoot()).isEqualTo("s3://acme-ml-memo/ranking");
    assertThat(config.blobSettings()).isEqualTo(Map.of("region", "us-east-1"));
    assertThat(k.namespace()).isEqualTo("ranking");
    assertThat(k.kubeContext()).contains("eks-us-east-1-prod");
    assertThat(k.tolerations()).containsExactly(TolerationConfig.spot(Cloud.EKS));
    assertThat(k.image()).contains("ranking/app:41");
    assertThat(k.workloadIdentityApplies()).isFalse();
  }

  /** The fenced blocks of one info string in docs/configuration.md, in order. */
  static List<String> guideBlocks(String info) throws IOException {
    List<String> blocks = new ArrayList<>();
    Matcher m = Pattern.compile("(?m)^```" + info + "\\n(.*?)^```$", Pattern.DOTALL).matcher(GUIDE_TEXT.get());
    while (m.find()) {
      blocks.add(m.group(1));
    }
    return blocks;
  }

  private static final ClassLoader WITH_MPI_AND_POOL = PoolConfigTest.withPoolOver(ShellTablesTest.WITH_MPI);

  @Test
  void everyTomlBlockOfTheGuideLoads() throws IOException {
    List<String> blocks = guideBlocks("toml");
    assertThat(blocks).hasSizeGreaterThanOrEqualTo(4);
    for (String toml : blocks) {
      if (!toml.contains("docs:invalid")) {
        // The guide shows [mpi] and [pools] tables; a class path with those shells (here stand-ins) reads them.
        ConfigLoader.builder().userName("yu").classLoader(WITH_MPI_AND_POOL).build().parse(toml, "docs/configuration.md");
      }
    }
  }

  @Test
  void theGuidesErrorExampleIsWhatTheLoaderSays() throws IOException {
    String broken = guideBlocks("toml").stream().filter(b -> b.contains("docs:invalid")).findFirst().orElseThrow();
    String shown = guideBlocks("text").getFirst().strip();

    assertThatThrownBy(() -> ConfigLoader.builder().environment(Map.of("PUREREMOTE_TEAM", "forcasting")).build()
        .parse(broken, "/home/yu/.pureremote.toml"))
        .isInstanceOf(ConfigException.class)
        .hasMessage(shown);
  }

  @Test
  void theGuideHasOneTableOfEveryKey() throws IOException {
    String guide = GUIDE_TEXT.get();
    String table = ConfigKeys.markdownTable();

    assertThat(guide)
        .as("docs/configuration.md must contain the key table exactly as ConfigKeys.markdownTable() prints it:%n%s", table)
        .contains(table);
    assertThat(guide.split("\\| Key \\| Type \\| Default \\|", -1)).as("one key table").hasSize(2);
  }
}
