package io.pureremote.config;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.util.Map;
import org.junit.jupiter.api.Test;

/**
 * Blob store settings are checked when the configuration loads, by the store module on the class
 * path (here the real S3 and ADLS providers), so a wrong setting is reported with its file and line
 * instead of when the store first opens.
 */
class StoreSettingsTest {
  private static PureRemoteConfig parse(String toml, Map<String, String> env) {
    return ConfigLoader.builder().environment(env).build().parse(toml, "team.toml");
  }

  @Test
  void anUnknownS3SettingIsReportedAtItsLineWithTheKnownNames() {
    assertThatThrownBy(() -> parse("""
        blob-root = "s3://bucket/memo"
        [blob-settings]
        region = "eu-west-1"
        endpoint-url = "http://minio:9000"
        """, Map.of()))
        .isInstanceOf(ConfigException.class)
        .hasMessageContaining("team.toml:4:1: blob-settings.endpoint-url: Unknown S3 blob store setting 'endpoint-url'")
        .hasMessageContaining("endpoint");
  }

  @Test
  void aBadValueFromTheEnvironmentNamesTheVariable() {
    assertThatThrownBy(() -> parse("blob-root = \"s3://bucket/memo\"\n", Map.of("PUREREMOTE_STORE_PATH_STYLE", "yes")))
        .isInstanceOf(ConfigException.class)
        .hasMessageContaining("PUREREMOTE_STORE_PATH_STYLE")
        .hasMessageContaining("path-style");
  }

  @Test
  void aCredentialLikeSettingIsRefusedAtLoad() {
    assertThatThrownBy(() -> parse("""
        blob-root = "s3://bucket/memo"
        [blob-settings]
        secret-access-key = "x"
        """, Map.of()))
        .isInstanceOf(ConfigException.class)
        .hasMessageContaining("team.toml:3:1")
        .hasMessageContaining("credentials never go into settings");
  }

  @Test
  void rulesAcrossAdlsSettingsAreReportedAtTheRootNamingWhereEachSettingCameFrom() {
    assertThatThrownBy(() -> parse("""
        blob-root = "abfss://memo@acct.dfs.core.windows.net/x"
        [blob-settings]
        credential = "dev-account-key"
        """, Map.of()))
        .isInstanceOf(ConfigException.class)
        .hasMessageContaining("team.toml:1:1: blob-root: credential=dev-account-key is for the local emulator only")
        .hasMessageContaining("(blob settings from team.toml:3:1 blob-settings.credential)");
  }

  @Test
  void anAccountThatDisagreesWithTheRootIsReportedAtTheSetting() {
    assertThatThrownBy(() -> parse("""
        blob-root = "adls://acct/memo/x"
        [blob-settings]
        account = "other"
        """, Map.of()))
        .isInstanceOf(ConfigException.class)
        .hasMessageContaining("team.toml:3:1: blob-settings.account: Blob root adls://acct/memo/x names account 'acct'");
  }

  @Test
  void aTeamsOwnRootAndSettingsAreCheckedEvenWhenAnotherTeamIsSelected() {
    assertThatThrownBy(() -> parse("""
        team = "aws"
        [teams.aws]
        blob-root = "s3://bucket/memo"
        [teams.azure]
        blob-root = "adls://acct/memo/x"
        [teams.azure.blob-settings]
        region = "westeurope"
        """, Map.of()))
        .isInstanceOf(ConfigException.class)
        .hasMessageContaining("team.toml:7:1: teams.azure.blob-settings.region: Unknown ADLS blob store setting 'region'");
  }

  @Test
  void goodSettingsLoadAndReachTheRuntimeOptions() {
    PureRemoteConfig config = parse("""
        blob-root = "s3://bucket/memo"
        [blob-settings]
        region = "eu-west-1"
        endpoint = "http://127.0.0.1:9000"
        path-style = "true"
        part-size = "16 MiB"
        """, Map.of());

    assertThat(config.blobSettings()).containsEntry("part-size", "16 MiB").containsEntry("path-style", "true");
  }

  @Test
  void aFileRootTakesNoSettingsAndIgnoresThem() {
    // PUREREMOTE_BLOB_ROOT=file://... over a team's S3 settings is a common local run: not an error.
    PureRemoteConfig config = parse("""
        blob-root = "s3://bucket/memo"
        [blob-settings]
        region = "eu-west-1"
        """, Map.of("PUREREMOTE_BLOB_ROOT", "file:///tmp/memo"));

    assertThat(config.blobRoot()).isEqualTo("file:///tmp/memo");
  }
}
