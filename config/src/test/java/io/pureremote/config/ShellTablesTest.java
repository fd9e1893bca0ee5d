package io.pureremote.config;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.pureremote.spi.Shell;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

/**
 * Tables of shells beyond the built-in ones ({@code [mpi]}, {@code [teams.<t>.mpi]}, {@code
 * [functions."<f>".mpi]}): read with their TOML types, layered, and handed to the shell's provider
 * on top of the pod keys of {@code [kubernetes]}.
 */
class ShellTablesTest {
  /**
   * Sees a provider named {@code mpi} (test resources' shell-tables/META-INF/services), as a class
   * path with the mpi-shell module does; the other tests keep the built-in shells only.
   */
  static final ClassLoader WITH_MPI = withMpi();

  private static ClassLoader withMpi() {
    try {
      java.net.URL dir = ShellTablesTest.class.getClassLoader().getResource("shell-tables/");
      return new java.net.URLClassLoader(new java.net.URL[] {dir}, ShellTablesTest.class.getClassLoader());
    } catch (RuntimeException e) {
      throw new IllegalStateException("test resources shell-tables/ missing", e);
    }
  }

  static PureRemoteConfig parse(String toml) {
    return ConfigLoader.builder().userName("yu").classLoader(WITH_MPI).build().parse(toml, "test.toml");
  }

  /** Registers the name {@code mpi}, as the mpi-shell module does. */
  public static final class MpiNamedProvider implements Shell.Provider {
    @Override
    public String name() {
      return "mpi";
    }

    @Override
    public Shell create(Shell.Settings settings) {
      throw new UnsupportedOperationException("configuration tests never create shells");
    }
  }

  static final String TOML = """
      shell = "local"
      team = "hpc"

      [kubernetes]
      namespace = "batch"
      image = "acme/khiops:10"
      launch-concurrency = 7

      [kubernetes.resources]
      memory = "4Gi"

      [mpi]
      workers = 2
      ttl-after-finished = "1h"
      clean-pod-policy = "Running"

      [mpi.scheduling]
      queue = "research"

      [teams.hpc]
      namespace = "hpc"

      [teams.hpc.mpi]
      workers = 8

      [functions."com.acme.Khiops#train"]
      shell = "mpi"
      image = "acme/khiops:11"

      [functions."com.acme.Khiops#train".mpi]
      slots-per-worker = 4
      run-launcher-as-worker = true
      memory-limit-env = "KHIOPS_MEMORY_LIMIT"
      env = { KHIOPS_LOG = "debug" }
      worker.resources.memory = "8Gi"
      """;

  @Test
  void aFunctionOnAPodShellGetsThePodKeysThenTheShellsTableTheTeamsAndItsOwn() {
    PureRemoteConfig config = parse(TOML);
    Shell.Settings s = config.shellSettings("com.acme.Khiops#train");

    assertThat(s.string("namespace")).hasValue("hpc");               // the team's namespace
    assertThat(s.string("image")).hasValue("acme/khiops:11");        // the function's image
    assertThat(s.string("resources.memory")).hasValue("4Gi");
    assertThat(s.keys()).doesNotContain("launch-concurrency", "log-streaming", "backoff-limit");
    assertThat(s.integer("workers")).hasValue(8);                    // [teams.hpc.mpi] over [mpi]
    assertThat(s.integer("slots-per-worker")).hasValue(4);
    assertThat(s.bool("run-launcher-as-worker")).hasValue(true);
    assertThat(s.duration("ttl-after-finished")).hasValue(Duration.ofHours(1));
    assertThat(s.string("scheduling.queue")).hasValue("research");
    assertThat(s.string("worker.resources.memory")).hasValue("8Gi");
    assertThat(s.table("env")).isEqualTo(Map.of("KHIOPS_LOG", "debug"));
    assertThat(s.source()).isEqualTo("test.toml [kubernetes] pod keys + [mpi] + [functions.\"com.acme.Khiops#train\".mpi]");

    // The default shell stays local and gets nothing; the runtime-wide table has the team laid over.
    assertThat(config.shellSettings("")).isEqualTo(Shell.Settings.empty());
    assertThat(config.shellTables().get("mpi").integer("workers")).hasValue(8);
  }

  @Test
  void aTableForAShellTheFunctionDoesNotRunOnIsAProblemWithItsLine() {
    String toml = """
        [functions."com.acme.F#f"]
        timeout = "1h"

        [functions."com.acme.F#f".mpi]
        workers = 2
        """;
    assertThatThrownBy(() -> parse(toml)).isInstanceOf(ConfigException.class)
        .hasMessageContaining("test.toml:5")
        .hasMessageContaining("holds settings of the mpi shell, but the function runs on the local shell")
        .hasMessageContaining("set shell = \"mpi\" in [functions.\"com.acme.F#f\"]");
  }

  @Test
  void valuesAShellTableCannotHoldAreProblemsWithTheirPosition() {
    String toml = """
        [mpi]
        workers = 2026-01-01
        big = 9999999999
        mixed = ["a", { b = "c" }]
        """;
    assertThatThrownBy(() -> parse(toml)).isInstanceOf(ConfigException.class)
        .hasMessageContaining("test.toml:2").hasMessageContaining("mpi.workers")
        .hasMessageContaining("an integer within 32 bits")
        .hasMessageContaining("a list of text values or a list of tables, not both");
  }

  @Test
  void aTableNamedAfterNoShellIsStillAnUnknownKey() {
    assertThatThrownBy(() -> parse("[torchx]\nworkers = 2\n")).isInstanceOf(ConfigException.class)
        .hasMessageContaining("unknown key");
  }

  @Test
  void configShowListsTheShellTables(@org.junit.jupiter.api.io.TempDir java.nio.file.Path dir) {
    java.nio.file.Path file = Fixtures.write(dir.resolve("p.toml"), TOML);
    List<ConfigLoader.Source> sources = Fixtures.loader(dir, Map.of()).classLoader(WITH_MPI).build().explain(file);
    assertThat(sources).anySatisfy(src -> {
      assertThat(src.key()).isEqualTo("mpi.workers");
      assertThat(src.value()).isEqualTo("8");
      assertThat(src.from()).contains("teams.hpc.mpi.workers");
    });
    assertThat(sources).anySatisfy(src -> assertThat(src.key())
        .isEqualTo("functions.\"com.acme.Khiops#train\".mpi.slots-per-worker"));
  }
}
