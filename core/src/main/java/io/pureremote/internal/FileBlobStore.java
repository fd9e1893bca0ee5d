package io.pureremote.internal;

import io.pureremote.BlobStoreException;
import io.pureremote.spi.BlobStore.BlobContent;
import io.pureremote.spi.BlobStore;
import io.pureremote.spi.BlobStore.StoredBlob;
import io.pureremote.spi.BlobStore.VersionConflictException;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.io.UncheckedIOException;
import java.nio.channels.FileChannel;
import java.nio.charset.StandardCharsets;
import java.nio.file.AtomicMoveNotSupportedException;
import java.nio.file.FileAlreadyExistsException;
import java.nio.file.FileVisitResult;
import java.nio.file.Files;
import java.nio.file.LinkOption;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.nio.file.SimpleFileVisitor;
import java.nio.file.StandardCopyOption;
import java.nio.file.StandardOpenOption;
import java.nio.file.attribute.BasicFileAttributes;
import java.nio.file.attribute.FileTime;
import java.time.Instant;
import java.util.concurrent.ThreadLocalRandom;
import java.util.concurrent.TimeUnit;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.ArrayList;
import java.util.HexFormat;
import java.util.List;
import java.util.Objects;
import java.util.Optional;
import java.util.UUID;
import java.util.concurrent.locks.ReentrantLock;

/**
 * A {@link BlobStore} on a local (or shared, POSIX) folder: the embedded default.
 *
 * <p>Writes go to a temporary file in the target's folder and become visible in one atomic step,
 * so readers never see a partial blob: {@link #putIfAbsent} hard-links the temporary file to the
 * final name (the link fails if the name exists, so exactly one of many concurrent writers wins,
 * across processes too); {@link #put} renames over the final name, under an exclusive file lock
 * when a version is expected. A blob's version is its file identity and modification time, which
 * every replacing write changes.
 *
 * <p>Names starting with {@code .} are the store's own: temporary files and {@code .locks/}.
 * Thread-safe and safe to share between processes.
 */
public final class FileBlobStore implements BlobStore {
  private static final String LOCKS_DIR = ".locks";
  /** Blobs up to this size are read whole when opened. */
  private static final long EAGER_READ_BYTES = 64 * 1024;

  private static final String WRITE_FIX = "Choose a blob root this user may write to (RemoteRuntime.builder()"
      + ".blobRoot(...), or blobRoot in the config), or grant write access to that folder (chmod u+w).";

  private final Path root;
  private final String rootUri;

  /** The reason a root folder cannot be created, and what to do, for the error message. */
  private static String whyNot(Path root, IOException e) {
    for (Path p = root; p != null; p = p.getParent()) {
      if (Files.exists(p) && !Files.isDirectory(p)) {
        return p + " is a file, not a folder. Choose another blob root, or move the file away.";
      }
    }
    if (e instanceof java.nio.file.AccessDeniedException) {
      return "permission denied at " + e.getMessage() + ". Choose a blob root this user may write to, or grant write"
          + " access to that folder.";
    }
    return e + ". Check the path and that the disk is writable, or choose another blob root.";
  }

  /** A store rooted at the folder {@code root}, created when missing. */
  public FileBlobStore(Path root) {
    this.root = Objects.requireNonNull(root, "root").toAbsolutePath().normalize();
    try {
      Files.createDirectories(this.root);
    } catch (IOException e) {
      throw new BlobStoreException(this.root.toUri().toString(), "Cannot create the blob root folder: " + whyNot(this.root, e), e, false);
    }
    if (!Files.isWritable(this.root)) { // access(2): always true for root, who may write anyway
      throw new BlobStoreException(this.root.toUri().toString(), "The blob root folder " + this.root + " cannot be"
          + " written by this user (permission denied). " + WRITE_FIX, null, false);
    }
    String uri = this.root.toUri().toString();
    this.rootUri = uri.endsWith("/") ? uri.substring(0, uri.length() - 1) : uri;
  }

  /** The folder this store writes to. */
  public Path folder() {
    return root;
  }

  @Override
  public String root() {
    return rootUri;
  }

  @Override
  public Optional<StoredBlob> get(String key) {
    Path file = path(key);
    // The file at a name may be replaced at any time; take its identity before and after opening
    // so the version we report belongs to the bytes we stream.
    for (int attempt = 0; attempt < 10; attempt++) {
      try {
        BasicFileAttributes attrs = Files.readAttributes(file, BasicFileAttributes.class);
        if (!attrs.isRegularFile()) {
          return Optional.empty(); // a folder that holds blobs is not a blob itself
        }
        InputStream in = Files.newInputStream(file);
        BasicFileAttributes after;
        try {
          after = Files.readAttributes(file, BasicFileAttributes.class);
        } catch (NoSuchFileException e) {
          after = null;
        }
        if (after != null && sameVersion(attrs, after)) {
          String before = version(attrs);
          // The size read now could belong to a newer file; take the one the version describes.
          if (attrs.size() <= EAGER_READ_BYTES) {
            // A small blob (a result, a lease, a record) is read in one go and its file closed at
            // once: readers parse a frame in many small reads, each a system call on a file stream.
            byte[] bytes;
            try (in) {
              bytes = in.readNBytes((int) attrs.size());
            }
            return Optional.of(new FileBlob(new java.io.ByteArrayInputStream(bytes), bytes.length, before));
          }
          return Optional.of(new FileBlob(in, attrs.size(), before));
        }
        in.close();
      } catch (NoSuchFileException e) {
        return Optional.empty();
      } catch (IOException e) {
        throw failure(key, "Cannot read blob", e);
      }
    }
    throw new BlobStoreException(uri(key), "Blob kept changing while it was opened", null, true);
  }

  @Override
  public Optional<String> putIfAbsent(String key, BlobContent content) {
    Path file = path(key);
    Path temp = writeTemp(key, file, content);
    try {
      try {
        Files.createLink(file, temp);
      } catch (FileAlreadyExistsException e) {
        return Optional.empty();
      } catch (UnsupportedOperationException e) {
        // No hard links on this file system: fall back to a lock + existence check + rename.
        try (KeyLock ignored = lock(key)) {
          if (Files.exists(file)) {
            return Optional.empty();
          }
          move(temp, file);
        }
      }
      return Optional.of(version(file));
    } catch (IOException e) {
      throw failure(key, "Cannot create blob", e);
    } finally {
      deleteQuietly(temp);
    }
  }

  @Override
  public String put(String key, BlobContent content, String expectedVersion) {
    Path file = path(key);
    Path temp = writeTemp(key, file, content);
    boolean moved = false;
    try {
      if (expectedVersion == null) {
        move(temp, file);
        moved = true;
      } else {
        try (KeyLock ignored = lock(key)) {
          String current;
          try {
            current = version(file);
          } catch (NoSuchFileException e) {
            current = null;
          }
          if (!expectedVersion.equals(current)) {
            throw new VersionConflictException(uri(key), expectedVersion);
          }
          move(temp, file);
          moved = true;
        }
      }
      return version(file);
    } catch (IOException e) {
      throw failure(key, "Cannot write blob", e);
    } finally {
      if (!moved) {
        deleteQuietly(temp); // a moved temp file is gone already
      }
    }
  }

  @Override
  public boolean exists(String key) {
    return Files.isRegularFile(path(key));
  }

  @Override
  public List<String> list(String prefix) {
    Objects.requireNonNull(prefix, "prefix");
    // Walk from the deepest folder the prefix names completely, then filter by the full prefix.
    int slash = prefix.lastIndexOf('/');
    Path start = slash < 0 ? root : root.resolve(prefix.substring(0, slash));
    if (!Files.isDirectory(start)) {
      return List.of();
    }
    List<String> keys = new ArrayList<>();
    try {
      // Not Files.walk: it fails when a file vanishes between listing a folder and reading the
      // file's attributes, which other writers' temporary files and deletes do all the time.
      Files.walkFileTree(start, new SimpleFileVisitor<>() {
        @Override
        public FileVisitResult preVisitDirectory(Path d, BasicFileAttributes attrs) {
          return isInternal(root.relativize(d)) ? FileVisitResult.SKIP_SUBTREE : FileVisitResult.CONTINUE;
        }

        @Override
        public FileVisitResult visitFile(Path f, BasicFileAttributes attrs) {
          Path relative = root.relativize(f);
          String k = relative.toString().replace('\\', '/');
          if (attrs.isRegularFile() && !isInternal(relative) && k.startsWith(prefix)) {
            keys.add(k);
          }
          return FileVisitResult.CONTINUE;
        }

        @Override
        public FileVisitResult visitFileFailed(Path f, IOException e) throws IOException {
          if (e instanceof NoSuchFileException) {
            return FileVisitResult.CONTINUE; // removed while we listed
          }
          throw e;
        }
      });
    } catch (NoSuchFileException e) {
      return List.of();
    } catch (IOException | UncheckedIOException e) {
      throw new BlobStoreException(uri(prefix), "Cannot list blobs", e, false);
    }
    keys.sort(null);
    return keys;
  }

  /**
   * A page of keys in key order without listing the whole tree: folders are walked in the order
   * their keys sort ({@code name/} for a folder, {@code name} for a file), and a folder whose keys
   * all sort before {@code startAfter} is skipped without being read.
   */
  @Override
  public List<String> listPage(String prefix, String startAfter, int limit) {
    Objects.requireNonNull(prefix, "prefix");
    if (limit < 1) {
      throw new IllegalArgumentException("limit must be at least 1, got " + limit);
    }
    int slash = prefix.lastIndexOf('/');
    Path start = slash < 0 ? root : root.resolve(prefix.substring(0, slash));
    List<String> keys = new ArrayList<>();
    try {
      page(start, slash < 0 ? "" : prefix.substring(0, slash + 1), prefix, startAfter, limit, keys);
    } catch (IOException | UncheckedIOException e) {
      throw new BlobStoreException(uri(prefix), "Cannot list blobs", e, false);
    }
    return keys;
  }

  /** Adds the keys under {@code folder} (key {@code folderKey}, ending in '/' or empty) in key order; true when full. */
  private boolean page(Path folder, String folderKey, String prefix, String startAfter, int limit, List<String> keys)
      throws IOException {
    List<String> children = new ArrayList<>();
    try (var entries = Files.newDirectoryStream(folder)) {
      for (Path child : entries) {
        String name = child.getFileName().toString();
        if (!name.startsWith(".")) {
          children.add(folderKey + name + (Files.isDirectory(child, LinkOption.NOFOLLOW_LINKS) ? "/" : ""));
        }
      }
    } catch (NoSuchFileException | java.nio.file.NotDirectoryException e) {
      return false; // removed while we listed, or nothing there
    }
    children.sort(null);
    for (String child : children) {
      if (child.endsWith("/")) {
        boolean overlaps = prefix.startsWith(child) || child.startsWith(prefix);
        boolean allBefore = startAfter != null && startAfter.compareTo(child) > 0 && !startAfter.startsWith(child);
        if (overlaps && !allBefore
            && page(root.resolve(child.substring(0, child.length() - 1)), child, prefix, startAfter, limit, keys)) {
          return true;
        }
      } else if (child.startsWith(prefix) && (startAfter == null || child.compareTo(startAfter) > 0)
          && Files.isRegularFile(root.resolve(child), LinkOption.NOFOLLOW_LINKS)) {
        keys.add(child);
        if (keys.size() >= limit) {
          return true;
        }
      }
    }
    return false;
  }

  @Override
  public boolean delete(String key) {
    try {
      return Files.deleteIfExists(path(key));
    } catch (IOException e) {
      throw failure(key, "Cannot delete blob", e);
    }
  }

  @Override
  public String toString() {
    return "FileBlobStore[" + rootUri + "]";
  }

  private Path path(String key) {
    checkKey(key);
    return root.resolve(key);
  }

  /** Rejects keys that could escape the root or collide with the store's own files. */
  static void checkKey(String key) {
    Objects.requireNonNull(key, "key");
    if (key.isEmpty() || key.startsWith("/") || key.endsWith("/") || key.contains("\\")) {
      throw new IllegalArgumentException("Invalid blob key '" + key + "': use non-empty /-separated segments");
    }
    // An empty segment or one starting with '.' (checked on every request, so without a split).
    if (key.contains("//") || key.startsWith(".") || key.contains("/.")) {
      throw new IllegalArgumentException(
          "Invalid blob key '" + key + "': segments must be non-empty and must not start with '.'");
    }
  }

  private static boolean isInternal(Path relative) {
    for (Path part : relative) {
      if (part.toString().startsWith(".")) {
        return true;
      }
    }
    return false;
  }

  private Path writeTemp(String key, Path file, BlobContent content) {
    Path temp = file.resolveSibling("." + file.getFileName() + "." + UUID.randomUUID() + ".tmp");
    try {
      OutputStream created;
      try {
        created = Files.newOutputStream(temp, StandardOpenOption.CREATE_NEW);
      } catch (NoSuchFileException e) {
        // The entry's folder is new: create it once, not on every write (createDirectories costs
        // a failed mkdir, a stat and an exception when the folder exists).
        Files.createDirectories(file.getParent());
        created = Files.newOutputStream(temp, StandardOpenOption.CREATE_NEW);
      }
      try (OutputStream out = created; InputStream in = content.open()) {
        long copied = in.transferTo(out);
        if (copied != content.length()) {
          throw new IOException("content yielded " + copied + " bytes, expected " + content.length());
        }
      }
      // The version is (inode, mtime, size). Freed inodes are reused at once and the kernel's
      // clock ticks coarsely, so two quick writes of equal size could look alike; a random
      // nanosecond part makes every write's version distinct, which compare-and-swap relies on.
      Files.setLastModifiedTime(temp, uniqueNow());
      return temp;
    } catch (IOException e) {
      deleteQuietly(temp);
      throw failure(key, "Cannot write blob", e);
    }
  }

  private static void move(Path from, Path to) throws IOException {
    try {
      Files.move(from, to, StandardCopyOption.ATOMIC_MOVE, StandardCopyOption.REPLACE_EXISTING);
    } catch (AtomicMoveNotSupportedException e) {
      throw new IOException("the file system cannot replace files atomically; use another blob root", e);
    }
  }

  private KeyLock lock(String key) throws IOException {
    Path dir = root.resolve(LOCKS_DIR);
    Path lockFile = dir.resolve(sha256(key) + ".lock");
    // A file lock excludes other processes only: within one JVM a second lock() on the same file
    // throws OverlappingFileLockException. So threads first take a JVM-wide lock for the file.
    ReentrantLock jvmLock = JVM_LOCKS[Math.floorMod(lockFile.hashCode(), JVM_LOCKS.length)];
    jvmLock.lock();
    try {
      FileChannel channel;
      try {
        channel = FileChannel.open(lockFile, StandardOpenOption.CREATE, StandardOpenOption.WRITE);
      } catch (NoSuchFileException e) {
        Files.createDirectories(dir); // the first lock under this root
        channel = FileChannel.open(lockFile, StandardOpenOption.CREATE, StandardOpenOption.WRITE);
      }
      try {
        channel.lock();
        return new KeyLock(channel, jvmLock);
      } catch (IOException | RuntimeException e) {
        channel.close();
        throw e;
      }
    } catch (IOException | RuntimeException e) {
      jvmLock.unlock();
      throw e;
    }
  }

  /** Striped JVM-wide locks taken before a key's file lock (shared by all stores on all roots). */
  private static final ReentrantLock[] JVM_LOCKS = new ReentrantLock[64];

  static {
    for (int i = 0; i < JVM_LOCKS.length; i++) {
      JVM_LOCKS[i] = new ReentrantLock();
    }
  }

  /**
   * An exclusive lock on one key, held across threads and processes; closing the channel releases
   * the file lock.
   */
  private record KeyLock(FileChannel channel, ReentrantLock jvmLock) implements AutoCloseable {
    @Override
    public void close() throws IOException {
      try {
        channel.close();
      } finally {
        jvmLock.unlock();
      }
    }
  }

  private static FileTime uniqueNow() {
    Instant now = Instant.now();
    long micros = now.getNano() / 1000;
    return FileTime.from(now.getEpochSecond() * 1_000_000_000L + micros * 1000 + ThreadLocalRandom.current().nextInt(1000),
        TimeUnit.NANOSECONDS);
  }

  private static String version(Path file) throws IOException {
    return version(Files.readAttributes(file, BasicFileAttributes.class));
  }

  /** Whether two looks at a name saw the same file: {@link #version} equal, without building it. */
  private static boolean sameVersion(BasicFileAttributes a, BasicFileAttributes b) {
    return java.util.Objects.equals(a.fileKey(), b.fileKey()) && a.lastModifiedTime().equals(b.lastModifiedTime())
        && a.size() == b.size();
  }

  private static String version(BasicFileAttributes attrs) {
    Object identity = attrs.fileKey() == null ? "" : attrs.fileKey();
    // The time as nanoseconds, not an Instant's text: every get builds this string.
    return identity + "|" + attrs.lastModifiedTime().to(TimeUnit.NANOSECONDS) + "|" + attrs.size();
  }

  private static String sha256(String s) {
    try {
      return HexFormat.of().formatHex(
          MessageDigest.getInstance("SHA-256").digest(s.getBytes(StandardCharsets.UTF_8)));
    } catch (NoSuchAlgorithmException e) {
      throw new IllegalStateException(e);
    }
  }

  private static void deleteQuietly(Path p) {
    try {
      Files.deleteIfExists(p);
    } catch (IOException ignored) {
      // A leftover temp file is harmless: names starting with '.' are never listed or read.
    }
  }

  private BlobStoreException failure(String key, String what, IOException e) {
    if (e instanceof java.nio.file.AccessDeniedException) {
      return new BlobStoreException(uri(key), what + ": permission denied at " + e.getMessage() + " (blob root " + root
          + "). " + WRITE_FIX, e, false);
    }
    return new BlobStoreException(uri(key), what + ": " + e, e, false);
  }

  private static final class FileBlob implements StoredBlob {
    private final InputStream in;
    private final long size;
    private final String version;

    FileBlob(InputStream in, long size, String version) {
      this.in = in;
      this.size = size;
      this.version = version;
    }

    @Override
    public InputStream stream() {
      return in;
    }

    @Override
    public long size() {
      return size;
    }

    @Override
    public String version() {
      return version;
    }

    @Override
    public void close() {
      try {
        in.close();
      } catch (IOException ignored) {
        // Closing a read-only file stream cannot lose data.
      }
    }
  }
}
