package io.pureremote.spi;

import java.util.Locale;
import java.util.Map;
import java.util.ServiceLoader;
import java.util.TreeMap;

/** Finds a {@link BlobStoreProvider} for a URI's scheme and opens a store. */
public final class BlobStores {
  private BlobStores() {}

  /**
   * Opens a store rooted at {@code rootUri} with the provider registered for its scheme.
   *
   * @throws IllegalArgumentException when no provider handles the scheme; the message lists the
   *     schemes that are available on the class path
   */
  public static BlobStore open(String rootUri, Map<String, String> settings, ClassLoader loader) {
    int colon = rootUri.indexOf(':');
    if (colon <= 0) {
      throw new IllegalArgumentException(
          "Blob root '" + rootUri + "' has no scheme: use e.g. file:///data/memo, s3://bucket/prefix or "
              + "abfss://container@account.dfs.core.windows.net/path");
    }
    String scheme = rootUri.substring(0, colon).toLowerCase(Locale.ROOT);
    Map<String, BlobStoreProvider> available = new TreeMap<>();
    for (BlobStoreProvider provider : ServiceLoader.load(BlobStoreProvider.class, loader)) {
      for (String s : provider.schemes()) {
        available.putIfAbsent(s, provider);
      }
    }
    BlobStoreProvider provider = available.get(scheme);
    if (provider == null) {
      throw new IllegalArgumentException(
          "No BlobStore for scheme '" + scheme + "' (root " + rootUri + "). Available: "
              + available.keySet() + ". Add the backend module (e.g. pureremote-blobstore-s3) to the class path.");
    }
    return provider.open(rootUri, settings);
  }

  /** {@link #open(String, Map, ClassLoader)} with no settings and this class's loader. */
  public static BlobStore open(String rootUri) {
    return open(rootUri, Map.of(), BlobStores.class.getClassLoader());
  }
}
