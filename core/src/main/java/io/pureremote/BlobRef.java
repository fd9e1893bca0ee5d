package io.pureremote;

import io.pureremote.internal.Ranges;
import io.pureremote.spi.BlobStore.BlobContent;
import io.pureremote.spi.BlobStore;
import io.pureremote.spi.BlobStore.StoredBlob;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.nio.file.attribute.FileTime;
import java.security.DigestInputStream;
import java.security.DigestOutputStream;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.HexFormat;
import java.util.Objects;
import java.util.regex.Pattern;

/**
 * Large content passed to or returned from a pure remote function by reference: a local file, a
 * stream, or content already in the blob store.
 *
 * <p>A {@code BlobRef} enters the memo key by its <b>content hash</b> (SHA-256) only — not by its
 * path — so the same bytes give the same key wherever they live. It is uploaded once, to {@code
 * <root>/pureremote/cas/sha256/<hash>}, and only when a call misses the memo: a hit uploads
 * nothing, and content already in the store is never uploaded again. On the remote side it is
 * materialized lazily: {@link #open()} streams from the store, {@link #path()} downloads once to a
 * local temporary file and verifies the hash.
 *
 * <pre>{@code
 * Histogram h = stats.count(BlobRef.of(Path.of("/data/corpus.txt")));
 * }</pre>
 *
 * <p>A function may return {@code BlobRef}s too: the remote uploads them before committing its
 * result. Equality is by content hash. Thread-safe.
 */
public final class BlobRef {
  /** Folder of content-addressed blobs under a blob root. */
  public static final String CAS_PREFIX = "pureremote/cas/sha256/";

  private static final Pattern SHA256 = Pattern.compile("[0-9a-f]{64}");

  private final Path localFile;
  private final FileTime localModified;
  private final String sha256;
  private final long size;
  private final BlobStore store;
  private volatile Path materialized;

  private BlobRef(Path localFile, FileTime localModified, String sha256, long size, BlobStore store) {
    this.localFile = localFile;
    this.localModified = localModified;
    this.sha256 = sha256;
    this.size = size;
    this.store = store;
  }

  /**
   * A reference to a local regular file. It is hashed now (one sequential read); it must not
   * change until the call that uses it has uploaded it.
   *
   * @throws IllegalArgumentException if the path is not a readable regular file
   */
  public static BlobRef of(Path file) {
    Objects.requireNonNull(file, "file");
    if (!Files.isRegularFile(file) || !Files.isReadable(file)) {
      throw new IllegalArgumentException("BlobRef.of(" + file + "): not a readable regular file");
    }
    try {
      FileTime modified = Files.getLastModifiedTime(file);
      MessageDigest digest = sha256Digest();
      long size;
      try (InputStream in = new DigestInputStream(Files.newInputStream(file), digest)) {
        size = in.transferTo(OutputStream.nullOutputStream());
      }
      return new BlobRef(file.toAbsolutePath(), modified, HexFormat.of().formatHex(digest.digest()), size, null);
    } catch (IOException e) {
      throw new UncheckedIOException("Cannot read " + file + " to hash it", e);
    }
  }

  /**
   * A reference to the content of {@code in}, which is read to its end now and spooled to a
   * temporary file (deleted when the JVM exits) while it is hashed. The caller closes {@code in}.
   */
  public static BlobRef of(InputStream in) {
    Objects.requireNonNull(in, "in");
    try {
      Path spool = Files.createTempFile("pureremote-blobref-", ".bin");
      spool.toFile().deleteOnExit();
      MessageDigest digest = sha256Digest();
      long size;
      try (OutputStream out = new DigestOutputStream(Files.newOutputStream(spool), digest)) {
        size = in.transferTo(out);
      }
      return new BlobRef(spool, Files.getLastModifiedTime(spool), HexFormat.of().formatHex(digest.digest()), size, null);
    } catch (IOException e) {
      throw new UncheckedIOException("Cannot spool a BlobRef stream to a temporary file", e);
    }
  }

  /** A reference to bytes in memory (spooled to a temporary file like {@link #of(InputStream)}). */
  public static BlobRef of(byte[] bytes) {
    return of(new java.io.ByteArrayInputStream(Objects.requireNonNull(bytes, "bytes")));
  }

  /**
   * A reference to content already stored in {@code store}'s content-addressed area, e.g. one a
   * remote function returned. Used by the library when reading payloads; users get these from
   * results and can pass them on as arguments without any upload.
   */
  public static BlobRef stored(String sha256, long size, BlobStore store) {
    if (sha256 == null || !SHA256.matcher(sha256).matches()) {
      throw new IllegalArgumentException("Invalid SHA-256 '" + sha256 + "': expected 64 lowercase hex digits");
    }
    Ranges.atLeast("size", 0, size);
    return new BlobRef(null, null, sha256, size, Objects.requireNonNull(store, "store"));
  }

  /** Lowercase hex SHA-256 of the content: what enters the memo key. */
  public String sha256() {
    return sha256;
  }

  /** Content size in bytes. */
  public long size() {
    return size;
  }

  /** The key of this content under a blob root: {@code pureremote/cas/sha256/<hash>}. */
  public String casKey() {
    return CAS_PREFIX + sha256;
  }

  /** Whether the bytes are in a local file here (before upload), rather than only in a store. */
  public boolean isLocal() {
    return localFile != null;
  }

  /**
   * Uploads the content to {@code target}'s content-addressed area unless it is already there.
   * Called by the library when a payload that holds this reference is written (that is, only on
   * a memo miss, or when a remote function returns it).
   *
   * @return whether bytes were uploaded
   * @throws IllegalStateException if the local file changed since it was hashed
   */
  public boolean uploadTo(BlobStore target) {
    if (store != null && store.root().equals(target.root())) {
      return false; // read from this very store: already there
    }
    if (target.exists(casKey())) {
      return false;
    }
    if (localFile == null) {
      // Content in another store: copy it through this JVM.
      try (StoredBlob blob = store.get(casKey()).orElseThrow(() -> missing(store))) {
        return target.putIfAbsent(casKey(), new BlobContent() {
          @Override
          public long length() {
            return size;
          }

          @Override
          public InputStream open() {
            return blob.stream();
          }
        }).isPresent();
      }
    }
    try {
      if (!Files.getLastModifiedTime(localFile).equals(localModified) || Files.size(localFile) != size) {
        throw new IllegalStateException("BlobRef file " + localFile + " changed after it was hashed; "
            + "create a new BlobRef after the file is final");
      }
      return target.putIfAbsent(casKey(), BlobContent.of(localFile)).isPresent();
    } catch (IOException e) {
      throw new UncheckedIOException("Cannot upload " + localFile + " to " + target.uri(casKey()), e);
    }
  }

  /** Opens the content: the local file, or a stream from the store. The caller closes it. */
  public InputStream open() throws IOException {
    Path local = localFile != null ? localFile : materialized;
    if (local != null) {
      return Files.newInputStream(local);
    }
    StoredBlob blob = store.get(casKey()).orElseThrow(() -> missing(store));
    return new java.io.FilterInputStream(blob.stream()) {
      @Override
      public void close() {
        blob.close();
      }
    };
  }

  /**
   * A local file with the content: the original file, or (on the remote side) a temporary copy
   * downloaded on first use and checked against the hash.
   *
   * @throws CorruptBlobException if the downloaded bytes do not match the hash
   */
  public Path path() {
    if (localFile != null) {
      return localFile;
    }
    Path local = materialized;
    if (local != null) {
      return local;
    }
    synchronized (this) {
      if (materialized == null) {
        materialized = download();
      }
      return materialized;
    }
  }

  private Path download() {
    try {
      Path temp = Files.createTempFile("pureremote-" + sha256.substring(0, 12) + "-", ".bin");
      temp.toFile().deleteOnExit();
      MessageDigest digest = sha256Digest();
      try (StoredBlob blob = store.get(casKey()).orElseThrow(() -> missing(store));
          InputStream in = new DigestInputStream(blob.stream(), digest)) {
        Files.copy(in, temp, StandardCopyOption.REPLACE_EXISTING);
      }
      String actual = HexFormat.of().formatHex(digest.digest());
      if (!actual.equals(sha256)) {
        Files.deleteIfExists(temp);
        throw new CorruptBlobException(store.uri(casKey()),
            "Content hash " + actual + " does not match its address; delete the blob so the next call uploads it again");
      }
      return temp;
    } catch (IOException e) {
      throw new BlobStoreException(store.uri(casKey()), "Cannot download content: " + e, e, true);
    }
  }

  private BlobStoreException missing(BlobStore s) {
    return new BlobStoreException(s.uri(casKey()), "Content-addressed blob is missing (was it deleted?)", null, false);
  }

  private static MessageDigest sha256Digest() {
    try {
      return MessageDigest.getInstance("SHA-256");
    } catch (NoSuchAlgorithmException e) {
      throw new IllegalStateException(e);
    }
  }

  @Override
  public boolean equals(Object o) {
    return o instanceof BlobRef other && other.sha256.equals(sha256);
  }

  @Override
  public int hashCode() {
    return sha256.hashCode();
  }

  @Override
  public String toString() {
    return "BlobRef[sha256=" + sha256.substring(0, 12) + "…, " + size + " bytes"
        + (localFile != null ? ", " + localFile : "") + "]";
  }
}
