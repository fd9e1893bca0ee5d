package io.pureremote.cli;

import static io.pureremote.cli.PureRemoteCliTest.cli;
import static org.assertj.core.api.Assertions.assertThat;

import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** {@code pureremote config show} on the documented example file and on broken ones. */
class ConfigCommandTest {
  static final Path EXAMPLE = Path.of("../docs/pureremote.example.toml").toAbsolutePath().normalize();

  @TempDir
  Path tmp;

  @Test
  void showsEachValueWithTheLineItCameFromAndTheTeamLaidOver() {
    PureRemoteCliTest.Run run = cli("config", "show", "--file", EXAMPLE.toString());
    assertThat(run.code()).isZero();
    assertThat(run.out()).startsWith("file: " + EXAMPLE + "\n");
    assertThat(line(run.out(), "team ")).contains("forecasting").contains("<- " + EXAMPLE + ":7:1 team");
    assertThat(line(run.out(), "blob-root ")).contains("abfss://memo@forecastingsa.dfs.core.windows.net/forecasting")
        .contains("teams.forecasting.blob-root");
    assertThat(line(run.out(), "kubernetes.namespace ")).contains("forecasting").contains("teams.forecasting.namespace");
    assertThat(line(run.out(), "kubernetes.resources.memory ")).contains("4Gi").contains(":26:1 kubernetes.resources.memory");
    assertThat(line(run.out(), "call-concurrency ")).contains("<- built-in defaults");
    assertThat(line(run.out(), "blob-settings.account ")).contains("forecastingsa");
    assertThat(line(run.out(), "functions.\"com.acme.forecast.Forecasts#fit\".timeout ")).contains(" 4h ");
    assertThat(line(run.out(), "functions.\"com.acme.forecast.Forecasts#fit\".exception-policy ")).contains(" memoize ");
    assertThat(line(run.out(), "kubernetes.cloud ")).contains(" aks ");

    PureRemoteCliTest.Run ranking = cli("config", "show", "--file", EXAMPLE.toString(), "--team", "ranking");
    assertThat(line(ranking.out(), "team ")).contains("ranking").contains("<- override in code (team)");
    assertThat(line(ranking.out(), "blob-root ")).contains("s3://acme-ml-memo/ranking");
    assertThat(line(ranking.out(), "kubernetes.namespace ")).contains("ranking").contains("teams.ranking");
    assertThat(line(ranking.out(), "blob-settings.region ")).contains("us-east-1");
    assertThat(ranking.out()).doesNotContain("blob-settings.account");
  }

  @Test
  void functionSelectsOneSectionAndSaysWhenThereIsNone() {
    PureRemoteCliTest.Run other = cli("config", "show", "--file", EXAMPLE.toString(), "--function", "com.acme.X#y");
    assertThat(other.code()).isZero();
    assertThat(other.out()).doesNotContain("functions.\"com.acme.forecast")
        .contains("(no [functions.\"com.acme.X#y\"] section: the function runs with the values above)");
  }

  @Test
  void anInvalidFileIsReportedWithItsLineAndExitsOne() throws Exception {
    Path bad = tmp.resolve("bad.toml");
    Files.writeString(bad, "shell = \"local\"\ncall-concurency = 4\n");
    PureRemoteCliTest.Run run = cli("config", "show", "--file", bad.toString());
    assertThat(run.code()).isEqualTo(1);
    assertThat(run.err()).contains("the configuration is invalid").contains(bad + ":2").contains("call-concurrency");

    Path syntax = tmp.resolve("syntax.toml");
    Files.writeString(syntax, "shell = \n");
    assertThat(cli("config", "show", "--file", syntax.toString()).err()).contains("TOML syntax error");
  }

  @Test
  void withoutAFileTheDefaultsShow() {
    PureRemoteCliTest.Run run = cli("config", "show", "--file", tmp.resolve("none.toml").toString());
    assertThat(run.code()).isEqualTo(1);
    assertThat(run.err()).contains("cannot read the file");
  }

  private static String line(String out, String prefix) {
    return out.lines().filter(l -> l.startsWith(prefix)).findFirst().orElseThrow(() -> new AssertionError(
        "no line starting with '" + prefix + "' in:\n" + out));
  }
}
