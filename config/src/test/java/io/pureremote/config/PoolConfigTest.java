package io.pureremote.config;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.pureremote.spi.Shell;
import java.time.Duration;
import org.junit.jupiter.api.Test;

/** {@code shell = "pool:<name>"} and {@code [pools.<name>]}: a Kubernetes pool by name, its settings from its table. */
class PoolConfigTest {
  /** Sees a provider named {@code pool} (test resources' pool-shell/META-INF/services), as k8s-shell registers it. */
  static final ClassLoader WITH_POOL = withPoolOver(PoolConfigTest.class.getClassLoader());

  /** {@code parent} and the stand-in {@code pool} provider. */
  static ClassLoader withPoolOver(ClassLoader parent) {
    java.net.URL dir = PoolConfigTest.class.getClassLoader().getResource("pool-shell/");
    return new java.net.URLClassLoader(new java.net.URL[] {dir}, parent);
  }

  /** Registers the name {@code pool}, as the k8s-shell module does. */
  public static final class PoolNamedProvider implements Shell.Provider {
    @Override
    public String name() {
      return "pool";
    }

    @Override
    public Shell create(Shell.Settings settings) {
      throw new UnsupportedOperationException("configuration tests never create shells");
    }
  }

  static PureRemoteConfig parse(String toml, ClassLoader loader) {
    return ConfigLoader.builder().userName("yu").classLoader(loader).build().parse(toml, "test.toml");
  }

  @Test
  void aPoolByNameGetsItsTableAndItsName() {
    PureRemoteConfig config = parse("""
        shell = "pool:linalg"

        [pools.linalg]
        namespace = "ml-team"
        max-dispatches = 5
        refresh-interval = "500ms"

        [pools.gpu]
        addressing = "pod-ip"

        [functions."com.acme.Train#fit"]
        shell = "pool:gpu"
        """, WITH_POOL);

    assertThat(config.shell()).isEqualTo("pool:linalg");
    Shell.Settings s = config.shellSettings("");
    assertThat(s.string("name")).hasValue("linalg");
    assertThat(s.string("namespace")).hasValue("ml-team");
    assertThat(s.integer("max-dispatches")).hasValue(5);
    assertThat(s.duration("refresh-interval")).hasValue(Duration.ofMillis(500));
    assertThat(config.shellFor("com.acme.Train#fit")).isEqualTo("pool:gpu");
    Shell.Settings fit = config.shellSettings("com.acme.Train#fit");
    assertThat(fit.string("name")).hasValue("gpu");
    assertThat(fit.string("addressing")).hasValue("pod-ip");
    assertThat(fit.keys()).doesNotContain("namespace");
    // A pool without a table is the pool of that name with the shell's defaults.
    assertThat(parse("shell = \"pool:other\"", WITH_POOL).shellSettings("").values()).containsOnlyKeys("name");
  }

  @Test
  void aTeamsShellNamesItsPoolAndAFunctionsShellBeatsIt() {
    String toml = """
        shell = "local"
        team = "ml"

        [teams.ml]
        shell = "pool:linalg"

        [teams.web]

        [pools.linalg]
        namespace = "ml-team"

        [functions."com.acme.Train#fit"]
        shell = "in-process"
        """;
    PureRemoteConfig config = parse(toml, WITH_POOL);

    assertThat(config.shell()).isEqualTo("pool:linalg");
    assertThat(config.shellSettings("").string("name")).hasValue("linalg");
    assertThat(config.shellSettings("").string("namespace")).hasValue("ml-team");
    assertThat(config.shellFor("com.acme.Other#run")).isEqualTo("pool:linalg");
    assertThat(config.shellFor("com.acme.Train#fit")).isEqualTo("in-process");
    // Another team without a shell keeps the runtime-wide one.
    assertThat(parse(toml.replace("team = \"ml\"", "team = \"web\""), WITH_POOL).shell()).isEqualTo("local");
    assertThatThrownBy(() -> parse("team = \"ml\"\n[teams.ml]\nshell = \"pool:Bad_Name\"", WITH_POOL))
        .isInstanceOf(ConfigException.class).hasMessageContaining("test.toml:3")
        .hasMessageContaining("the pool name must be a DNS label");
  }

  @Test
  void aPoolThatFallsBackToJobsGetsTheTeamsKubernetesSettingsUnderItsPrefix() {
    String toml = """
        team = "ml"

        [kubernetes]
        image = "acme/app:1"
        resources.memory = "2Gi"

        [teams.ml]
        shell = "pool:linalg"
        image = "acme/ml:7"

        [pools.linalg]
        fallback = "kubernetes"
        kubernetes.backoff-limit = 2          # the pool's own Job settings beat [kubernetes]

        [pools.gpu]

        [functions."com.acme.Train#fit"]
        shell = "pool:gpu"
        """;
    PureRemoteConfig config = parse(toml, WITH_POOL);

    Shell.Settings s = config.shellSettings("");
    assertThat(s.string("fallback")).hasValue("kubernetes");
    assertThat(s.string("kubernetes.image")).as("the team's image").hasValue("acme/ml:7");
    assertThat(s.string("kubernetes.namespace")).as("the team's namespace").hasValue("ml");
    assertThat(s.string("kubernetes.resources.memory")).hasValue("2Gi");
    assertThat(s.integer("kubernetes.backoff-limit")).hasValue(2);
    // A pool without fallback gets no Job settings.
    assertThat(config.shellSettings("com.acme.Train#fit").keys()).noneMatch(k -> k.startsWith("kubernetes."));
  }

  @Test
  void badPoolNamesAndAMissingPoolShellAreProblemsWithTheirLine() {
    assertThatThrownBy(() -> parse("shell = \"pool:Bad_Name\"", WITH_POOL)).isInstanceOf(ConfigException.class)
        .hasMessageContaining("test.toml:1").hasMessageContaining("the pool name must be a DNS label");
    assertThatThrownBy(() -> parse("shell = \"pool:linalg\"\n[pools.linalg]\nnamespace = \"x\"\n",
        PoolConfigTest.class.getClassLoader())).isInstanceOf(ConfigException.class)
        .hasMessageContaining("needs the pool shell: add pureremote-k8s-shell to the class path");
  }
}
