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

  /** Prefix of the environment variables that carry {@link BlobStore#remoteSettings()}. */
  public static final String ENV_PREFIX = "PUREREMOTE_STORE_";

  /** {@code part-size} → {@code PUREREMOTE_STORE_PART_SIZE}. */
  public static Map<String, String> toEnvironment(Map<String, String> settings) {
    Map<String, String> env = new TreeMap<>();
    settings.forEach((k, v) -> env.put(ENV_PREFIX + k.toUpperCase(java.util.Locale.ROOT).replace('-', '_'), v));
    return env;
  }

  /** The inverse of {@link #toEnvironment}: picks the {@code PUREREMOTE_STORE_*} variables. */
  public static Map<String, String> fromEnvironment(Map<String, String> env) {
    Map<String, String> settings = new TreeMap<>();
    env.forEach((k, v) -> {
      if (k.startsWith(ENV_PREFIX) && k.length() > ENV_PREFIX.length()) {
        settings.put(k.substring(ENV_PREFIX.length()).toLowerCase(java.util.Locale.ROOT).replace('_', '-'), v);
      }
    });
    return settings;
  }

  /** {@link #open(String, Map, ClassLoader)} with no settings and this class's loader. */
  public static BlobStore open(String rootUri) {
    return open(rootUri, Map.of(), BlobStores.class.getClassLoader());
  }
}
