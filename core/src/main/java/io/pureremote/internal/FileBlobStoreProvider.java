package io.pureremote.internal;

import io.pureremote.spi.BlobStore;
import java.net.URI;
import java.nio.file.Path;
import java.util.Map;
import java.util.Set;

/** Opens {@link FileBlobStore}s for {@code file:} URIs, e.g. {@code file:///data/memo}. */
// Public only for ServiceLoader on the class path; the package is not exported.
public final class FileBlobStoreProvider implements BlobStore.Provider {
  @Override
  public Set<String> schemes() {
    return Set.of("file");
  }

  @Override
  public BlobStore open(String rootUri, Map<String, String> settings) {
    URI uri;
    try {
      uri = URI.create(rootUri);
      return new FileBlobStore(Path.of(uri));
    } catch (IllegalArgumentException e) {
      throw new IllegalArgumentException(
          "Invalid file blob root '" + rootUri + "': use an absolute file URI such as file:///data/memo ("
              + e.getMessage() + ")", e);
    }
  }
}
