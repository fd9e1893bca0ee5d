package io.pureremote.spi;

import io.pureremote.internal.Ranges;
import io.pureremote.internal.FileBlobStore;
import io.pureremote.internal.FileRange;
import java.util.TreeMap;
import java.util.ServiceLoader;
import java.util.Locale;
import io.pureremote.BlobStoreException;
import java.io.ByteArrayInputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;
import java.util.Set;

/**
 * A place to keep blobs under one root URI, addressed by relative keys such as {@code
 * pureremote/v1/default/com.acme.Fns%23score@1/ab12…/result}.
 *
 * <p>Keys are {@code /}-separated; segments are non-empty and never start with {@code .} (names
 * starting with a dot are reserved for a store's own bookkeeping). Every write is atomic: a reader
 * sees either no blob or a complete one, never a partial object under its final name.
 *
 * <p>Implementations are thread-safe and safe to share between processes on the same storage.
 * Transient failures are retried inside the store; what is left surfaces as {@link
 * io.pureremote.BlobStoreException} naming the URI.
 */
public interface BlobStore extends AutoCloseable {

  /** The root URI this store addresses, without a trailing slash, e.g. {@code file:///data/memo}. */
  String root();

  /** The full URI of {@code key}: {@code root() + "/" + key}. */
  default String uri(String key) {
    return root() + "/" + key;
  }

  /**
   * Opens the blob at {@code key} for reading. The caller closes the returned blob.
   *
   * @return the blob, or empty when there is none
   */
  Optional<StoredBlob> get(String key);

  /** Reads the whole blob at {@code key}; for small blobs. */
  default Optional<byte[]> getBytes(String key) {
    Optional<StoredBlob> blob = get(key);
    if (blob.isEmpty()) {
      return Optional.empty();
    }
    try (StoredBlob b = blob.get(); InputStream in = b.stream()) {
      return Optional.of(in.readAllBytes());
    } catch (IOException e) {
      throw new UncheckedIOException("reading " + uri(key), e);
    }
  }

  /**
   * Creates the blob at {@code key} only if no blob exists there, atomically: of concurrent
   * callers (threads or processes) exactly one wins.
   *
   * @return the new blob's version when this call created it; empty when a blob already existed
   *     (its content is left unchanged)
   */
  Optional<String> putIfAbsent(String key, BlobContent content);

  /**
   * Writes the blob at {@code key}, replacing any existing one atomically.
   *
   * @param expectedVersion when non-null, write only if the current blob has this version
   *     (compare-and-swap, for leases); when null, write unconditionally
   * @return the new blob's version
   * @throws VersionConflictException when {@code expectedVersion} does not match
   */
  String put(String key, BlobContent content, String expectedVersion);

  /** Whether a blob exists at {@code key}. */
  boolean exists(String key);

  /** Keys (relative to the root) of all blobs whose key starts with {@code prefix}, sorted. */
  List<String> list(String prefix);

  /**
   * One page of {@link #list}: at most {@code limit} keys that start with {@code prefix} and sort
   * after {@code startAfter} (null: from the first), sorted. Walking a large store page by page
   * (each call starting after the last key of the one before) holds one page in memory, which is
   * how {@code pureremote verify} scans a root. The default filters {@link #list}, which holds
   * every key under the prefix at once; stores with a paged listing override it.
   *
   * @param limit the most keys to return, at least 1
   */
  default List<String> listPage(String prefix, String startAfter, int limit) {
    Ranges.atLeast("limit", 1, limit);
    return list(prefix).stream().filter(k -> startAfter == null || k.compareTo(startAfter) > 0).limit(limit).toList();
  }

  /**
   * Deletes the blob at {@code key}.
   *
   * @return whether a blob was deleted
   */
  boolean delete(String key);

  /**
   * Settings a remote process needs to open this same store from its root URI through its {@link
   * BlobStore.Provider} (e.g. an endpoint override or region), never credentials: remote processes
   * get those from their own environment (workload identity, default credential chains). Passed
   * to remote processes as {@code PUREREMOTE_STORE_<NAME>} environment variables. None by default.
   */
  default java.util.Map<String, String> remoteSettings() {
    return java.util.Map.of();
  }

  /** Releases clients and threads the store holds. The default does nothing. */
  @Override
  default void close() {}

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
    Map<String, Provider> available = new TreeMap<>();
    for (Provider provider : ServiceLoader.load(Provider.class, loader)) {
      for (String s : provider.schemes()) {
        available.putIfAbsent(s, provider);
      }
    }
    Provider provider = available.get(scheme);
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
    return open(rootUri, Map.of(), BlobStore.class.getClassLoader());
  }

  /**
   * A store in the local folder {@code folder} (created when missing), the one {@code file:} blob
   * roots open: for one machine, a test, or a folder every process mounts.
   */
  public static BlobStore folder(java.nio.file.Path folder) {
    return new FileBlobStore(folder);
  }

  /**
   * Opens {@link BlobStore}s for URI schemes, found through {@link java.util.ServiceLoader}: list the
   * implementation in {@code META-INF/services/io.pureremote.spi.Provider}.
   */
  public interface Provider {
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

  /**
   * A blob opened for reading: its stream, size and version (an ETag or equivalent used for
   * compare-and-swap writes). Close it to release the stream.
   */
  public interface StoredBlob extends AutoCloseable {
    /** The blob's bytes; read it once. */
    InputStream stream();

    /** Size in bytes. */
    long size();

    /** Opaque version of this blob, for {@link BlobStore#put(String, BlobContent, String)}. */
    String version();

    @Override
    void close();
  }

  /**
   * Content to write to a {@link BlobStore}: a known length and a stream that can be opened again, so
   * a store can retry an upload after a transient failure without buffering it.
   */
  public interface BlobContent {
    /** Number of bytes {@link #open()} yields. */
    long length();

    /** Opens a fresh stream over the whole content. The caller closes it. */
    InputStream open() throws IOException;

    /**
     * Whether {@link #open(long, long)} opens a range without reading what comes before it, so a
     * store may read several ranges at once: S3 uploads the parts of such content in parallel,
     * each read from its own range, none buffered. False by default; true for {@link #of(Path)}.
     */
    default boolean randomAccess() {
      return false;
    }

    /**
     * Opens a fresh stream over {@code length} bytes from {@code offset}, independent of any other
     * open stream. Only content with {@link #randomAccess()} supports it; the default throws.
     *
     * @throws UnsupportedOperationException when this content is not random access
     */
    default InputStream open(long offset, long length) throws IOException {
      throw new UnsupportedOperationException("this content can only be read from its start");
    }

    /** Content backed by a byte array (not copied: do not change the array afterwards). */
    static BlobContent of(byte[] bytes) {
      Objects.requireNonNull(bytes, "bytes");
      return new BlobContent() {
        @Override
        public long length() {
          return bytes.length;
        }

        @Override
        public InputStream open() {
          return new ByteArrayInputStream(bytes);
        }
      };
    }

    /** Content backed by a regular file, read when the store uploads it. */
    static BlobContent of(Path file) throws IOException {
      Objects.requireNonNull(file, "file");
      long size = Files.size(file);
      return new BlobContent() {
        @Override
        public long length() {
          return size;
        }

        @Override
        public InputStream open() throws IOException {
          return Files.newInputStream(file);
        }

        @Override
        public boolean randomAccess() {
          return true;
        }

        @Override
        public InputStream open(long offset, long length) throws IOException {
          return FileRange.open(file, offset, length);
        }
      };
    }
  }

  /**
   * A conditional write found a different version (or no blob) than expected: someone else wrote
   * first. Callers decide what that means (a lost lease, a lost race); it is not retried.
   */
  public static final class VersionConflictException extends BlobStoreException {
    private static final long serialVersionUID = 1L;

    /** The blob at {@code uri} was not at {@code expectedVersion}. */
    public VersionConflictException(String uri, String expectedVersion) {
      super(uri, "Blob is no longer at version " + expectedVersion + " (written by someone else)", null, false);
    }
  }
}
