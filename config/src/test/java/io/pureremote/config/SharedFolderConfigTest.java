package io.pureremote.config;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.util.Map;
import org.junit.jupiter.api.Test;

/**
 * {@code shared-folder} (and {@code PUREREMOTE_SHARED_FOLDER}) reach the runtime options, where
 * the runtime's build reads them to allow a {@code file:} root with the Kubernetes shells.
 */
class SharedFolderConfigTest {
  static final String CLUSTER_ON_A_FOLDER = """
      blob-root = "file:///mnt/shared/memo"
      shell = "kubernetes"
      [kubernetes]
      image = "team/app:1"
      """;

  @Test
  void theFileDeclaresTheFolderSharedAndTheRuntimeOptionsCarryIt() {
    assertThat(Fixtures.parse(CLUSTER_ON_A_FOLDER).toRuntimeOptions().sharedFolder()).as("default").isFalse();
    PureRemoteConfig config = Fixtures.parse("shared-folder = true\n" + CLUSTER_ON_A_FOLDER);
    assertThat(config.sharedFolder()).isTrue();
    assertThat(config.toRuntimeOptions().sharedFolder()).isTrue();
    assertThat(config.toBuilder().build().sharedFolder()).as("kept by toBuilder").isTrue();
  }

  @Test
  void theVariableDeclaresItToo() {
    PureRemoteConfig config = Fixtures.parse(CLUSTER_ON_A_FOLDER, Map.of("PUREREMOTE_SHARED_FOLDER", "true"));
    assertThat(config.toRuntimeOptions().sharedFolder()).isTrue();
  }

  @Test
  void aValueThatIsNotABooleanIsRefusedWithItsLine() {
    assertThatThrownBy(() -> Fixtures.parse("shared-folder = \"yes\"\n" + CLUSTER_ON_A_FOLDER))
        .isInstanceOf(ConfigException.class)
        .hasMessageContaining("test.toml:1:1: shared-folder: expected true or false, got \"yes\"");
  }
}
