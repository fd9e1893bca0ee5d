package io.pureremote.spi;

import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.util.List;
import java.util.Optional;

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
    if (limit < 1) {
      throw new IllegalArgumentException("limit must be at least 1, got " + limit);
    }
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
   * BlobStoreProvider} (e.g. an endpoint override or region), never credentials: remote processes
   * get those from their own environment (workload identity, default credential chains). Passed
   * to remote processes as {@code PUREREMOTE_STORE_<NAME>} environment variables. None by default.
   */
  default java.util.Map<String, String> remoteSettings() {
    return java.util.Map.of();
  }

  /** Releases clients and threads the store holds. The default does nothing. */
  @Override
  default void close() {}
}
