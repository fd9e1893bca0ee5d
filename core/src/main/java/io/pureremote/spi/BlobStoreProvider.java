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
}
