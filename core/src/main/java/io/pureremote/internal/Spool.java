package io.pureremote.internal;

import io.pureremote.spi.BlobStore.BlobContent;
import java.io.ByteArrayInputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.io.SequenceInputStream;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.MessageDigest;
import java.util.ArrayList;
import java.util.Collections;
import java.util.HexFormat;
import java.util.List;

/**
 * A write-once byte buffer with no 2 GiB limit that hashes (SHA-256) and counts what is written,
 * so a frame header can carry the payload's size and checksum without a second pass.
 *
 * <p>Bytes stay in memory in chunks (8 KiB growing to 1 MiB) up to {@link #memoryLimit()} (system property {@value
 * #MEMORY_PROPERTY}, default 64 MiB); past it everything moves to a temporary file, deleted on
 * {@link #close()}. Payloads are spooled rather than streamed straight to the store because the
 * frame header, which holds the checksum, comes before the payload, and because stores retry an
 * upload by opening the content again.
 *
 * <p>Not thread-safe. Write, then {@link #finish()}, then read with {@link #open()} or {@link
 * #content(byte[])} as often as needed, then close.
 */
public final class Spool extends OutputStream {
  /** System property: bytes kept in memory before spilling to a temporary file. */
  public static final String MEMORY_PROPERTY = "pureremote.spool.memoryBytes";

  // Chunks grow from 8 KiB to 1 MiB: thousands of concurrent small calls each spool a few
  // hundred bytes, and a big payload should not mean thousands of tiny arrays.
  private static final int FIRST_CHUNK = 8 << 10;
  private static final int MAX_CHUNK = 1 << 20;
  private static final long DEFAULT_MEMORY_LIMIT = 64L << 20;

  private final long memoryLimit;
  private final MessageDigest digest;
  private final List<byte[]> chunks = new ArrayList<>();
  private int used; // bytes used in the last chunk
  private long length;
  private Path file;
  private OutputStream fileOut;
  private String sha256;

  /** The memory limit a spool made now gets ({@value #MEMORY_PROPERTY}, else 64 MiB). */
  public static long configuredMemoryLimit() {
    return Long.getLong(MEMORY_PROPERTY, DEFAULT_MEMORY_LIMIT);
  }

  /** A spool with the configured memory limit. */
  public Spool() {
    this(Long.getLong(MEMORY_PROPERTY, DEFAULT_MEMORY_LIMIT));
  }

  /** A spool that keeps up to {@code memoryLimit} bytes in memory. */
  public Spool(long memoryLimit) {
    this.memoryLimit = memoryLimit;
    this.digest = Sha256.digest();
  }

  /** A finished spool holding {@code bytes}. */
  public static Spool of(byte[] bytes) {
    Spool spool = new Spool();
    spool.write(bytes, 0, bytes.length);
    spool.finish();
    return spool;
  }

  /**
   * A finished spool over {@code bytes} as they are (no copy; the caller must not change them),
   * for a payload already read whole.
   */
  public static Spool wrap(byte[] bytes) {
    Spool spool = new Spool(Math.max(bytes.length, DEFAULT_MEMORY_LIMIT));
    spool.digest.update(bytes);
    spool.chunks.add(bytes);
    spool.used = bytes.length;
    spool.length = bytes.length;
    spool.finish();
    return spool;
  }

  /** Bytes kept in memory before spilling to a file. */
  public long memoryLimit() {
    return memoryLimit;
  }

  @Override
  public void write(int b) {
    write(new byte[] {(byte) b}, 0, 1);
  }

  @Override
  public void write(byte[] b, int off, int len) {
    if (sha256 != null) {
      throw new IllegalStateException("spool already finished");
    }
    digest.update(b, off, len);
    length += len;
    try {
      if (file == null && length > memoryLimit) {
        spill();
      }
      if (fileOut != null) {
        fileOut.write(b, off, len);
        return;
      }
    } catch (IOException e) {
      throw new UncheckedIOException("Cannot write the temporary file " + file
          + " (spooling a payload over " + memoryLimit + " bytes; free disk space in java.io.tmpdir or raise -D"
          + MEMORY_PROPERTY + ")", e);
    }
    while (len > 0) {
      if (chunks.isEmpty() || used == chunks.get(chunks.size() - 1).length) {
        int size = chunks.isEmpty() ? FIRST_CHUNK : Math.min(MAX_CHUNK, chunks.get(chunks.size() - 1).length * 2);
        chunks.add(new byte[size]);
        used = 0;
      }
      int n = Math.min(len, chunks.get(chunks.size() - 1).length - used);
      System.arraycopy(b, off, chunks.get(chunks.size() - 1), used, n);
      used += n;
      off += n;
      len -= n;
    }
  }

  private void spill() throws IOException {
    file = Files.createTempFile("pureremote-spool-", ".bin");
    fileOut = new java.io.BufferedOutputStream(Files.newOutputStream(file), 1 << 16);
    try (InputStream in = memoryStream()) {
      in.transferTo(fileOut);
    }
    chunks.clear();
  }

  /** Ends writing; {@link #sha256Hex()} and reads become available. */
  public void finish() {
    if (sha256 != null) {
      return;
    }
    sha256 = HexFormat.of().formatHex(digest.digest());
    if (fileOut != null) {
      try {
        fileOut.close();
      } catch (IOException e) {
        throw new UncheckedIOException("Cannot finish the temporary file " + file, e);
      }
    }
  }

  /** Number of bytes written. */
  public long length() {
    return length;
  }

  /** Hex SHA-256 of everything written; only after {@link #finish()}. */
  public String sha256Hex() {
    requireFinished();
    return sha256;
  }

  /** The temporary file, or null while in memory (for tests). */
  Path file() {
    return file;
  }

  /** Whether the bytes moved to a temporary file. */
  public boolean spilled() {
    return file != null;
  }

  /** A fresh stream over the bytes; only after {@link #finish()}. */
  public InputStream open() throws IOException {
    requireFinished();
    return file != null ? Files.newInputStream(file) : memoryStream();
  }

  /**
   * The bytes when they are one whole array in memory (a payload read whole, see {@link #wrap}),
   * to decode in place; else null. The caller must not change them.
   */
  byte[] wholeArray() {
    requireFinished();
    return file == null && chunks.size() == 1 && chunks.get(0).length == used ? chunks.get(0) : null;
  }

  /** The bytes as one array, for payloads known to be small (error records). */
  public byte[] toByteArray() {
    if (length > Integer.MAX_VALUE - 16) {
      throw new IllegalStateException("payload of " + length + " bytes does not fit in an array");
    }
    try (InputStream in = open()) {
      return in.readAllBytes();
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }

  /** Content for a store: {@code prefix} followed by the spooled bytes. */
  public BlobContent content(byte[] prefix) {
    requireFinished();
    return new BlobContent() {
      @Override
      public long length() {
        return prefix.length + Spool.this.length;
      }

      @Override
      public InputStream open() throws IOException {
        return new SequenceInputStream(new ByteArrayInputStream(prefix), Spool.this.open());
      }
    };
  }

  private InputStream memoryStream() {
    if (chunks.size() == 1) {
      return new ByteArrayInputStream(chunks.get(0), 0, used);
    }
    List<InputStream> parts = new ArrayList<>(chunks.size());
    for (int i = 0; i < chunks.size(); i++) {
      int n = i == chunks.size() - 1 ? used : chunks.get(i).length;
      parts.add(new ByteArrayInputStream(chunks.get(i), 0, n));
    }
    return new SequenceInputStream(Collections.enumeration(parts));
  }

  private void requireFinished() {
    if (sha256 == null) {
      throw new IllegalStateException("spool not finished");
    }
  }

  /** Frees the memory and deletes the temporary file, if any. */
  @Override
  public void close() {
    chunks.clear();
    if (file != null) {
      try {
        if (fileOut != null) {
          fileOut.close();
        }
        Files.deleteIfExists(file);
      } catch (IOException e) {
        // A leftover temp file is not worth failing a call for.
      }
    }
  }
}
