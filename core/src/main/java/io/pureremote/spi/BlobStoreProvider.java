package io.pureremote.spi;

import java.util.Map;
import java.util.Set;

/**
 * Opens {@link BlobStore}s for URI schemes, found through {@link java.util.ServiceLoader}: list the
 * implementation in {@code META-INF/services/io.pureremote.spi.BlobStoreProvider}.
 */
public interface BlobStoreProvider {
  /** URI schemes this provider opens, e.g. {@code file}, {@code s3}, {@code abfss}. */
  Set<String> schemes();

  /**
   * Opens a store rooted at {@code rootUri}.
   *
   * @param settings backend settings (endpoint, region, ...) from configuration; never the process
   *     environment directly
   */
  BlobStore open(String rootUri, Map<String, String> settings);

  /**
   * The setting names this provider accepts, for messages and for checking documentation against
   * the code. Empty when the provider takes no settings.
   */
  default Set<String> settingNames() {
    return Set.of();
  }

  /**
   * Checks one setting on its own (its name, and its value's form), without opening anything or
   * reaching the network. Configuration loading calls it for each setting so that a problem is
   * reported with the file and line the setting came from.
   *
   * @throws IllegalArgumentException naming the setting, what was expected and the fix
   */
  default void checkSetting(String rootUri, String name, String value) {}

  /**
   * Checks the settings together (rules that involve more than one, or the root), without opening
   * anything or reaching the network; {@link #open} refuses what this refuses. Called after every
   * {@link #checkSetting} passed.
   *
   * @throws IllegalArgumentException naming the settings, what was expected and the fix
   */
  default void checkSettings(String rootUri, Map<String, String> settings) {}
}
