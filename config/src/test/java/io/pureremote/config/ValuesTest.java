package io.pureremote.config;

import io.pureremote.k8s.values.KubernetesValues;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.math.BigDecimal;
import java.time.Duration;
import org.junit.jupiter.api.Test;

/** Durations, quantities and names as the configuration writes them. */
class ValuesTest {
  @Test
  void durationsTakeUnitsSumsAndIso() {
    assertThat(Values.parseDuration("500ms")).isEqualTo(Duration.ofMillis(500));
    assertThat(Values.parseDuration("90s")).isEqualTo(Duration.ofSeconds(90));
    assertThat(Values.parseDuration("10m")).isEqualTo(Duration.ofMinutes(10));
    assertThat(Values.parseDuration("1h30m")).isEqualTo(Duration.ofMinutes(90));
    assertThat(Values.parseDuration("1d")).isEqualTo(Duration.ofDays(1));
    assertThat(Values.parseDuration("PT10M")).isEqualTo(Duration.ofMinutes(10));
    assertThat(Values.parseDuration(" 2h ")).isEqualTo(Duration.ofHours(2));
    for (String bad : new String[] {"10", "10 m", "1.5h", "h", "-1s", "P", ""}) {
      assertThatThrownBy(() -> Values.parseDuration(bad)).as(bad)
          .hasMessage("expected a duration such as \"90s\", \"10m\", \"2h\", \"1h30m\" or \"PT10M\", got \"" + bad + "\"");
    }
    assertThat(Values.formatDuration(Duration.ofMinutes(90))).isEqualTo("1h30m");
    assertThat(Values.formatDuration(Duration.ofSeconds(1))).isEqualTo("1s");
    assertThat(Values.formatDuration(Duration.ofMillis(1500))).isEqualTo("1500ms");
  }

  @Test
  void cpuQuantitiesAreCoresOrMillicores() {
    for (String ok : new String[] {"500m", "2", "1.5", "0.25", ".5", "16"}) {
      assertThat(KubernetesValues.cpuProblem(ok)).as(ok).isEmpty();
    }
    for (String bad : new String[] {"2 cores", "1.2345", "500M", "1k", "-1", "0", "0m", ""}) {
      assertThat(KubernetesValues.cpuProblem(bad)).as(bad).isPresent();
    }
  }

  @Test
  void byteQuantitiesNeedAUnitAndMeanBytes() {
    for (String ok : new String[] {"512Mi", "4Gi", "1e9", "1.5Gi", "2G", "1048576", "1Ti"}) {
      assertThat(KubernetesValues.bytesProblem(ok)).as(ok).isEmpty();
    }
    for (String bad : new String[] {"4GB", "4gi", "512m", "4", "1Ki", "lots", "4 Gi"}) {
      assertThat(KubernetesValues.bytesProblem(bad)).as(bad).isPresent();
    }
    assertThat(KubernetesValues.quantity("4Gi")).isEqualByComparingTo(BigDecimal.valueOf(4L << 30));
    assertThat(KubernetesValues.quantity("500m")).isEqualByComparingTo("0.5");
    assertThat(KubernetesValues.quantity("1e9")).isEqualByComparingTo("1000000000");
  }

  @Test
  void didYouMeanSuggestsCloseAndPrefixedNames() {
    assertThat(Values.didYouMean("namepsace", java.util.List.of("namespace", "image"))).isEqualTo(" (did you mean 'namespace'?)");
    assertThat(Values.didYouMean("pipeline", java.util.List.of("pipeline-id"))).isEqualTo(" (did you mean 'pipeline-id'?)");
    assertThat(Values.didYouMean("xyz", java.util.List.of("namespace"))).isEmpty();
  }
}
