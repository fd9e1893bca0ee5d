package io.pureremote.spi;

import java.io.ByteArrayInputStream;
import java.io.IOException;
import java.io.InputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Objects;

/**
 * Content to write to a {@link BlobStore}: a known length and a stream that can be opened again, so
 * a store can retry an upload after a transient failure without buffering it.
 */
public interface BlobContent {
  /** Number of bytes {@link #open()} yields. */
  long length();

  /** Opens a fresh stream over the whole content. The caller closes it. */
  InputStream open() throws IOException;

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
    };
  }
}
