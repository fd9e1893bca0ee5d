package io.pureremote.config;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

/** Keys renamed to follow the naming rule keep working under their old name, with a warning naming the new one. */
class RenamedKeysTest {
  private final List<ConfigProblem> warnings = new ArrayList<>();

  private ConfigLoader.Builder loader(Map<String, String> env) {
    return ConfigLoader.builder().environment(env).userName("yu").warnings(warnings::add);
  }

  private PureRemoteConfig parse(String toml) {
    return loader(Map.of()).build().parse(toml, "test.toml");
  }

  @Test
  void theOldKeysInAFileAreReadAsTheNewOnesWithAWarningNamingTheNewKeyAndTheLine() {
    PureRemoteConfig config = parse("max-concurrent-calls = 8\n[kubernetes]\nimage-pull-bound = \"90s\"\n");

    assertThat(config.maxConcurrentCalls()).isEqualTo(8);
    assertThat(config.kubernetes().imagePullBound()).isEqualTo(Duration.ofSeconds(90));
    assertThat(config.kubernetes().toShellSettings("test").duration("image-pull-timeout")).contains(Duration.ofSeconds(90));
    assertThat(warnings).extracting(ConfigProblem::toString).containsExactly(
        "test.toml:1:1: max-concurrent-calls: deprecated: renamed call-concurrency; read as call-concurrency for now, "
            + "but the old name will stop working in a later release: write call-concurrency instead",
        "test.toml:3:1: kubernetes.image-pull-bound: deprecated: renamed kubernetes.image-pull-timeout; read as "
            + "kubernetes.image-pull-timeout for now, but the old name will stop working in a later release: write "
            + "kubernetes.image-pull-timeout instead");
  }

  @Test
  void theNewKeysGiveNoWarning() {
    PureRemoteConfig config = parse("call-concurrency = 8\n[kubernetes]\nimage-pull-timeout = \"90s\"\n");

    assertThat(config.maxConcurrentCalls()).isEqualTo(8);
    assertThat(config.kubernetes().imagePullBound()).isEqualTo(Duration.ofSeconds(90));
    assertThat(warnings).isEmpty();
  }

  @Test
  void theOldVariablesAndOverridesAreReadWithAWarningNamingTheNewOnes() {
    PureRemoteConfig fromEnv = loader(Map.of("PUREREMOTE_MAX_CONCURRENT_CALLS", "16")).build().parse("", "test.toml");
    PureRemoteConfig fromCode = loader(Map.of()).override("kubernetes.image-pull-bound", "3m").build().parse("", "test.toml");

    assertThat(fromEnv.maxConcurrentCalls()).isEqualTo(16);
    assertThat(fromCode.kubernetes().imagePullBound()).isEqualTo(Duration.ofMinutes(3));
    assertThat(warnings).extracting(ConfigProblem::toString).containsExactly(
        "environment: PUREREMOTE_MAX_CONCURRENT_CALLS: deprecated: renamed PUREREMOTE_CALL_CONCURRENCY; read as "
            + "PUREREMOTE_CALL_CONCURRENCY for now, but the old name will stop working in a later release: write "
            + "PUREREMOTE_CALL_CONCURRENCY instead",
        "code: kubernetes.image-pull-bound: deprecated: renamed kubernetes.image-pull-timeout; read as "
            + "kubernetes.image-pull-timeout for now, but the old name will stop working in a later release: write "
            + "kubernetes.image-pull-timeout instead");
  }

  @Test
  void anOldAndItsNewKeyTogetherAreAProblemAtTheSecond() {
    assertThatThrownBy(() -> parse("call-concurrency = 8\nmax-concurrent-calls = 4\n"))
        .isInstanceOf(ConfigException.class)
        .hasMessageContaining("test.toml:2:1: max-concurrent-calls: also set as call-concurrency (call-concurrency was "
            + "renamed; the old name is still read): keep only call-concurrency");
    assertThatThrownBy(() -> loader(Map.of("PUREREMOTE_CALL_CONCURRENCY", "8", "PUREREMOTE_MAX_CONCURRENT_CALLS", "4"))
        .build().parse("", "test.toml"))
        .hasMessageContaining("environment: PUREREMOTE_MAX_CONCURRENT_CALLS: also set as PUREREMOTE_CALL_CONCURRENCY");
  }

  @Test
  void aWrongValueUnderTheOldNameNamesTheKeyAsWritten() {
    assertThatThrownBy(() -> parse("max-concurrent-calls = 0\n"))
        .hasMessageContaining("test.toml:1:1: max-concurrent-calls: must be >= 1, got 0");
  }
}
