package io.pureremote.config;

import static io.pureremote.config.Fixtures.loader;
import static io.pureremote.config.Fixtures.parse;
import static io.pureremote.config.Fixtures.write;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.pureremote.CallOptions;
import io.pureremote.CallOptions.ExceptionPolicy;
import io.pureremote.RuntimeOptions.Progress;
import io.pureremote.RuntimeOptions;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** Where the file is found, and which layer wins: defaults < file < environment < code. */
class ConfigLoaderTest {
  @TempDir
  Path dir;

  @Test
  void withoutAFileTheBuiltInDefaultsApply() {
    PureRemoteConfig config = loader(dir, Map.of()).build().read();

    assertThat(config.source()).isEmpty();
    assertThat(config.blobRoot()).isEqualTo(dir.resolve("home").resolve(".pureremote").toUri().toString());
    assertThat(config.pipelineId()).isEqualTo("default");
    assertThat(config.shell()).isEqualTo("local");
    assertThat(config.team()).isEmpty();
    assertThat(config.callDefaults()).isEqualTo(CallOptions.DEFAULTS);
    assertThat(config.maxConcurrentCalls()).isEqualTo(512);
    assertThat(config.kubernetes().namespace()).isEqualTo("yu");
    assertThat(config.kubernetes().ttlAfterFinished()).isEqualTo(Duration.ofHours(1));
    assertThat(config.functions()).isEmpty();
    assertThat(config.progress()).isEqualTo(Progress.AUTO);
    assertThat(config.toRuntimeOptions().blobRoot()).isEqualTo(config.blobRoot());
  }

  @Test
  void progressReachesTheRuntimeOptions() {
    PureRemoteConfig fromFile = parse("progress = \"off\"\n");
    assertThat(fromFile.toRuntimeOptions().progress()).isEqualTo(Progress.OFF);
    PureRemoteConfig fromEnv = parse("progress = \"off\"\n", Map.of("PUREREMOTE_PROGRESS", "terminal"));
    assertThat(fromEnv.toRuntimeOptions().progress()).isEqualTo(Progress.TERMINAL);
    assertThat(fromEnv.toBuilder().progress(Progress.LOG).build().toRuntimeOptions().progress()).isEqualTo(Progress.LOG);
  }

  @Test
  void builtInDefaultsEqualTheCoreRuntimeDefaults() {
    RuntimeOptions core = RuntimeOptions.builder().build();
    RuntimeOptions fromConfig = PureRemoteConfig.defaults().toRuntimeOptions();

    assertThat(fromConfig).isEqualTo(core);
  }

  @Test
  void theFileIsSearchedUpwardsFromTheWorkingDirectoryThenInHome() {
    Path work = dir.resolve("work");
    Path deep = work.resolve("a/b/c");
    write(deep.resolve("keep"), "");
    write(dir.resolve("home/.pureremote.toml"), "pipeline-id = \"from-home\"\n");
    assertThat(loader(dir, Map.of()).workingDirectory(deep).build().read().pipelineId()).isEqualTo("from-home");

    write(work.resolve("a/.pureremote.toml"), "pipeline-id = \"from-parent\"\n");
    ConfigLoader l = loader(dir, Map.of()).workingDirectory(deep).build();
    assertThat(l.findFile()).contains(work.resolve("a/.pureremote.toml"));
    assertThat(l.read().pipelineId()).isEqualTo("from-parent");
    assertThat(l.read().source()).contains(work.resolve("a/.pureremote.toml"));

    write(deep.resolve(".pureremote.toml"), "pipeline-id = \"from-here\"\n");
    assertThat(loader(dir, Map.of()).workingDirectory(deep).build().read().pipelineId()).isEqualTo("from-here");
  }

  @Test
  void pureremoteConfigNamesTheFileAndBeatsTheSearch() {
    write(dir.resolve("work/.pureremote.toml"), "pipeline-id = \"searched\"\n");
    write(dir.resolve("elsewhere/team.toml"), "pipeline-id = \"named\"\n");

    PureRemoteConfig absolute = loader(dir, Map.of("PUREREMOTE_CONFIG", dir.resolve("elsewhere/team.toml").toString()))
        .build().read();
    PureRemoteConfig relative = loader(dir, Map.of("PUREREMOTE_CONFIG", "../elsewhere/team.toml")).build().read();

    assertThat(absolute.pipelineId()).isEqualTo("named");
    assertThat(relative.pipelineId()).isEqualTo("named");
  }

  @Test
  void pureremoteConfigNamingAMissingFileIsAnError() {
    assertThatThrownBy(() -> loader(dir, Map.of("PUREREMOTE_CONFIG", "/nope/team.toml")).build().read())
        .isInstanceOf(ConfigException.class)
        .hasMessageContaining("environment: PUREREMOTE_CONFIG: names /nope/team.toml, which is not a readable file; "
            + "unset it to search for .pureremote.toml");
  }

  @Test
  void eachLayerBeatsTheOneBelow() {
    String file = "pipeline-id = \"file\"\ntimeout = \"1h\"\n";
    Map<String, String> env = Map.of("PUREREMOTE_PIPELINE_ID", "env", "PUREREMOTE_TIMEOUT", "2h");

    assertThat(PureRemoteConfig.defaults().pipelineId()).isEqualTo("default");
    assertThat(parse(file).pipelineId()).isEqualTo("file");
    assertThat(parse(file, env).pipelineId()).isEqualTo("env");
    assertThat(parse(file, env).callDefaults().timeout()).isEqualTo(Duration.ofHours(2));
    PureRemoteConfig overridden = ConfigLoader.builder().environment(env).override("pipeline-id", "code").build()
        .parse(file, "test.toml");
    assertThat(overridden.pipelineId()).isEqualTo("code");
    assertThat(overridden.callDefaults().timeout()).isEqualTo(Duration.ofHours(2));
    // After loading, code still wins through the records' builders.
    assertThat(overridden.toBuilder().pipelineId("typed").build().pipelineId()).isEqualTo("typed");
  }

  @Test
  void environmentBeatsTheFileForKubernetesKeysAndKeepsTheRest() {
    String file = """
        [kubernetes]
        image = "team/app:1"
        launch-concurrency = 5
        [kubernetes.resources]
        cpu = "1"
        memory = "2Gi"
        """;
    PureRemoteConfig config = parse(file, Map.of("PUREREMOTE_KUBERNETES_RESOURCES_CPU", "250m",
        "PUREREMOTE_KUBERNETES_LAUNCH_CONCURRENCY", "7"));

    assertThat(config.kubernetes().resources().cpu()).contains("250m");
    assertThat(config.kubernetes().resources().memory()).contains("2Gi");
    assertThat(config.kubernetes().launchConcurrency()).isEqualTo(7);
    assertThat(config.kubernetes().image()).contains("team/app:1");
  }

  @Test
  void blankEnvironmentVariablesCountAsUnset() {
    PureRemoteConfig config = parse("pipeline-id = \"file\"\n", Map.of("PUREREMOTE_PIPELINE_ID", " ", "PUREREMOTE_TEAM", ""));

    assertThat(config.pipelineId()).isEqualTo("file");
    assertThat(config.team()).isEmpty();
  }

  @Test
  void unrelatedPureremoteVariablesAreIgnored() {
    // Remote processes see variables of their own (PUREREMOTE_MEMO_URI, ...); they are not settings.
    PureRemoteConfig config = parse("", Map.of("PUREREMOTE_MEMO_URI", "file:///x", "PUREREMOTE_FUNCTION", "a#b"));

    assertThat(config).isEqualTo(parse(""));
  }

  @Test
  void blobSettingsMergeKeyByKeyWithPureremoteStoreVariables() {
    PureRemoteConfig config = parse("""
        blob-root = "s3://bucket/memo"
        [blob-settings]
        region = "eu-west-1"
        endpoint = "http://minio:9000"
        """, Map.of("PUREREMOTE_STORE_ENDPOINT", "http://localhost:9000", "PUREREMOTE_STORE_PATH_STYLE", "true"));

    assertThat(config.blobSettings()).containsExactlyInAnyOrderEntriesOf(Map.of(
        "region", "eu-west-1", "endpoint", "http://localhost:9000", "path-style", "true"));
    assertThat(config.toRuntimeOptions().blobSettings()).isEqualTo(config.blobSettings());
  }

  @Test
  void overridesInCodeTakeEnvironmentSyntaxAndUnknownKeysFail() {
    PureRemoteConfig config = ConfigLoader.builder()
        .override("kubernetes.tolerations", "spot-gke, spot-aks")
        .override("kubernetes.log-streaming", "false")
        .override("blob-settings.region", "us-east-2")
        .build().parse("", "test.toml");

    assertThat(config.kubernetes().tolerations())
        .containsExactly(TolerationConfig.spot(Cloud.GKE), TolerationConfig.spot(Cloud.AKS));
    assertThat(config.kubernetes().logStreaming()).isFalse();
    assertThat(config.blobSettings()).containsEntry("region", "us-east-2");
    assertThatThrownBy(() -> ConfigLoader.builder().override("kubernetes.namspace", "x").build().parse("", "t.toml"))
        .isInstanceOf(ConfigException.class)
        .hasMessageContaining("code: kubernetes.namspace: unknown key; overrides take top-level and [kubernetes] keys")
        .hasMessageContaining("(did you mean 'kubernetes.namespace'?)");
  }

  @Test
  void functionSettingsBecomeCallOptionsAndTheirOwnKubernetesSettings() {
    PureRemoteConfig config = parse("""
        timeout = "1h"
        [kubernetes]
        tolerations = ["spot-aks"]
        [kubernetes.resources]
        cpu = "1"
        memory = "4Gi"
        [functions."com.acme.Fns#fit"]
        exception-policy = "memoize"
        image = "team/fit:2"
        tolerations = []
        resources = { cpu = 8, memory-limit = "8Gi" }
        [functions."com.acme.Fns#cheap"]
        shell = "in-process"
        """);

    assertThat(config.callOptions("com.acme.Fns#fit"))
        .isEqualTo(CallOptions.builder().timeout(Duration.ofHours(1)).exceptionPolicy(ExceptionPolicy.MEMOIZE).build());
    assertThat(config.callOptions("com.acme.Fns#other")).isEqualTo(config.callDefaults());
    assertThat(config.toRuntimeOptions().functions()).containsOnlyKeys("com.acme.Fns#fit");
    KubernetesConfig fit = config.kubernetesFor("com.acme.Fns#fit");
    assertThat(fit.image()).contains("team/fit:2");
    assertThat(fit.tolerations()).isEmpty();
    assertThat(fit.resources()).isEqualTo(Resources.builder().cpu("8").memory("4Gi").memoryLimit("8Gi").build());
    assertThat(config.kubernetesFor("com.acme.Fns#cheap")).isEqualTo(config.kubernetes());
    assertThat(config.shellFor("com.acme.Fns#cheap")).isEqualTo("in-process");
    assertThat(config.shellFor("com.acme.Fns#fit")).isEqualTo("local");
    assertThat(config.usesKubernetes()).isFalse();
  }
}
