package io.pureremote.bench;

import io.pureremote.spi.BlobStore;
import io.pureremote.spi.BlobStore.BlobContent;
import io.pureremote.spi.BlobStore.StoredBlob;
import java.io.ByteArrayInputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.ConcurrentSkipListMap;
import java.util.concurrent.atomic.AtomicLong;

/**
 * A blob store in this JVM's memory, for measuring what a call does on the caller without the
 * I/O of a real store (a folder store's lease writes cost a file system's locks and renames).
 * Writes are atomic and versioned like any store's; nothing survives the JVM.
 */
final class MemoryBlobStore implements BlobStore {
  private record Blob(byte[] bytes, String version) {}

  private final ConcurrentSkipListMap<String, Blob> blobs = new ConcurrentSkipListMap<>();
  private final AtomicLong versions = new AtomicLong();

  @Override
  public String root() {
    return "memory://bench";
  }

  @Override
  public Optional<StoredBlob> get(String key) {
    Blob blob = blobs.get(key);
    if (blob == null) {
      return Optional.empty();
    }
    return Optional.of(new StoredBlob() {
      @Override
      public InputStream stream() {
        return new ByteArrayInputStream(blob.bytes());
      }

      @Override
      public long size() {
        return blob.bytes().length;
      }

      @Override
      public String version() {
        return blob.version();
      }

      @Override
      public void close() {}
    });
  }

  @Override
  public Optional<String> putIfAbsent(String key, BlobContent content) {
    Blob blob = new Blob(bytes(content), next());
    return blobs.putIfAbsent(key, blob) == null ? Optional.of(blob.version()) : Optional.empty();
  }

  @Override
  public String put(String key, BlobContent content, String expectedVersion) {
    Blob blob = new Blob(bytes(content), next());
    if (expectedVersion == null) {
      blobs.put(key, blob);
      return blob.version();
    }
    Blob old = blobs.get(key);
    if (old == null || !old.version().equals(expectedVersion) || !blobs.replace(key, old, blob)) {
      throw new VersionConflictException(uri(key), expectedVersion);
    }
    return blob.version();
  }

  @Override
  public boolean exists(String key) {
    return blobs.containsKey(key);
  }

  @Override
  public List<String> list(String prefix) {
    return List.copyOf(blobs.subMap(prefix, true, prefix + Character.MAX_VALUE, false).keySet());
  }

  @Override
  public boolean delete(String key) {
    return blobs.remove(key) != null;
  }

  private String next() {
    return Long.toString(versions.incrementAndGet());
  }

  private static byte[] bytes(BlobContent content) {
    try (InputStream in = content.open()) {
      return in.readAllBytes();
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }
}
