package io.pureremote.internal;

import java.io.File;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.AtomicMoveNotSupportedException;
import java.nio.file.FileAlreadyExistsException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.nio.file.attribute.BasicFileAttributes;
import java.nio.file.attribute.FileTime;
import java.nio.file.attribute.PosixFilePermissions;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.HexFormat;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.UUID;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.jar.Attributes;
import java.util.jar.JarFile;
import java.util.stream.Stream;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Class-data sharing archives for child JVMs (AppCDS, the JDK's dynamic archive): the first child
 * on a class path records the classes it loaded into an archive when it exits ({@code
 * -XX:ArchiveClassesAtExit}); later children map that archive ({@code -XX:SharedArchiveFile}) and
 * skip parsing and verifying the library's classes (Kryo, the codec, the store, SLF4J), most of a
 * child's start beyond the JVM's own.
 *
 * <p>The JVM refuses an archive, with warnings in the child's output, when the class path, a jar
 * on it, the JDK or the JVM flags differ from the run that wrote it. So each archive is named by a
 * hash of all of them (every jar's size and modification time included): a changed jar gives a new
 * name, never a stale archive. Each writer records into a file of its own, moved into place
 * atomically only after a normal exit, so children that start meanwhile never map a partial file
 * (they run without an archive). The JVM also refuses directories with classes on the class path
 * (with an error), so a class path of anything but jar files gets no archive, and a flag of the
 * user's that chooses class-data sharing itself ({@code -Xshare}, {@code -XX:SharedArchiveFile},
 * {@code -XX:AOTCache}, ...) always wins: this adds nothing then.
 *
 * <p>The folder must be the user's own (an archive holds class metadata the JVM trusts): by
 * default {@code $XDG_CACHE_HOME/pureremote/cds} or {@code ~/.cache/pureremote/cds}, created
 * owner-only. Thread-safe.
 */
final class ClassDataArchive {
  private static final Logger log = LoggerFactory.getLogger(ClassDataArchive.class);
  private static final List<String> USER_CDS_FLAGS = List.of("-Xshare", "-XX:SharedArchiveFile",
      "-XX:ArchiveClassesAtExit", "-XX:+AutoCreateSharedArchive", "-XX:-AutoCreateSharedArchive", "-XX:AOT",
      "-XX:SharedClassListFile", "-XX:DumpLoadedClassList", "-XX:+RecordDynamicDumpInfo");
  private static final List<String> JAVA_OPTIONS_ENV = List.of("JAVA_TOOL_OPTIONS", "JDK_JAVA_OPTIONS", "_JAVA_OPTIONS");

  /** Archives kept in the folder; older ones are deleted when a new one is written. */
  static final int KEPT = 8;

  private final Path folder;
  /** Archives being written by a child of this shell: one writer per archive at a time. */
  private final Set<Path> writing = ConcurrentHashMap.newKeySet();

  ClassDataArchive(Path folder) {
    this.folder = folder;
  }

  /** The default folder: {@code $XDG_CACHE_HOME/pureremote/cds}, else {@code ~/.cache/pureremote/cds}. */
  static Path defaultFolder() {
    String xdg = System.getenv("XDG_CACHE_HOME");
    Path cache = xdg != null && !xdg.isBlank() ? Path.of(xdg) : Path.of(System.getProperty("user.home"), ".cache");
    return cache.resolve("pureremote").resolve("cds");
  }

  /** What one child adds to its command line, and what the shell does when it has exited. */
  interface Use {
    /** Flags to put before the user's JVM flags. */
    List<String> flags();

    /** Called when the child has exited with {@code exitCode} (null: it did not run to its end); later calls do nothing. */
    void exited(Integer exitCode);
  }

  private static final Use NONE = new Use() {
    @Override
    public List<String> flags() {
      return List.of();
    }

    @Override
    public void exited(Integer exitCode) {}
  };

  /** The archive flags for a child started with these settings; none when no archive can serve it. */
  Use forChild(Path java, String classpath, List<String> jvmArgs, Map<String, String> environment) {
    try {
      if (userChoosesSharing(jvmArgs, environment)) {
        return NONE;
      }
      Optional<String> key = key(java, classpath, jvmArgs, environment);
      if (key.isEmpty()) {
        return NONE;
      }
      Path archive = folder.resolve(key.get() + ".jsa");
      if (Files.isRegularFile(archive)) {
        touch(archive); // the archives used last are the ones kept
        return flagsOnly("-XX:SharedArchiveFile=" + archive);
      }
      if (!manifestsListNoClassPath(classpath) || !writing.add(archive)) {
        return NONE;
      }
      createFolder();
      Path partial = folder.resolve(key.get() + "." + UUID.randomUUID() + ".partial");
      AtomicBoolean ended = new AtomicBoolean();
      return new Use() {
        @Override
        public List<String> flags() {
          // The dump lists, as warnings, each class it leaves out (proxies, JFR events): expected, not
          // the user's concern, so the writer's CDS logging is off.
          return List.of("-XX:ArchiveClassesAtExit=" + partial, "-Xlog:cds*=off");
        }

        @Override
        public void exited(Integer exitCode) {
          if (ended.getAndSet(true)) {
            return;
          }
          try {
            if (exitCode != null && exitCode == 0 && Files.isRegularFile(partial)) {
              publish(partial, archive);
              prune();
            }
          } finally {
            deleteQuietly(partial);
            writing.remove(archive);
          }
        }
      };
    } catch (IOException | RuntimeException e) {
      // Only a faster start is lost: the child runs without an archive.
      log.debug("No class-data sharing archive for a child JVM: {}", e.toString());
      return NONE;
    }
  }

  private static Use flagsOnly(String flag) {
    return new Use() {
      @Override
      public List<String> flags() {
        return List.of(flag);
      }

      @Override
      public void exited(Integer exitCode) {}
    };
  }

  private static boolean userChoosesSharing(List<String> jvmArgs, Map<String, String> environment) {
    StringBuilder all = new StringBuilder(String.join(" ", jvmArgs));
    for (String name : JAVA_OPTIONS_ENV) {
      all.append(' ').append(environment.getOrDefault(name, System.getenv().getOrDefault(name, "")));
    }
    for (String arg : all.toString().split("\\s+")) {
      for (String flag : USER_CDS_FLAGS) {
        if (arg.startsWith(flag)) {
          return true;
        }
      }
    }
    return false;
  }

  /**
   * A hash of everything the JVM checks an archive against: the JDK (launcher and module image),
   * every class path entry with its size and modification time, the JVM flags and the option
   * variables. Empty when an entry is not a jar file or the JDK has no base archive to build on.
   */
  private static Optional<String> key(Path java, String classpath, List<String> jvmArgs, Map<String, String> environment)
      throws IOException {
    Path launcher = java.toRealPath();
    Path home = launcher.getParent().getParent();
    Path baseArchive = home.resolve("lib").resolve("server").resolve("classes.jsa");
    if (!Files.isRegularFile(baseArchive)) {
      return Optional.empty(); // -XX:ArchiveClassesAtExit needs the JDK's own archive
    }
    MessageDigest digest = sha256();
    update(digest, "pureremote-cds-1");
    stamp(digest, launcher);
    stamp(digest, home.resolve("lib").resolve("modules"));
    stamp(digest, baseArchive);
    for (String entry : classpath.split(File.pathSeparator)) {
      Path path = Path.of(entry).toAbsolutePath();
      if (!Files.isRegularFile(path) || !entry.endsWith(".jar")) {
        return Optional.empty(); // a folder of classes, a wildcard or a missing entry: the JVM archives none
      }
      stamp(digest, path);
    }
    jvmArgs.forEach(a -> update(digest, a));
    for (String name : JAVA_OPTIONS_ENV) {
      update(digest, name + "=" + environment.getOrDefault(name, System.getenv().getOrDefault(name, "")));
    }
    return Optional.of(HexFormat.of().formatHex(digest.digest(), 0, 16));
  }

  private static void stamp(MessageDigest digest, Path file) throws IOException {
    BasicFileAttributes attributes = Files.readAttributes(file, BasicFileAttributes.class);
    update(digest, file + "|" + attributes.size() + "|" + attributes.lastModifiedTime().toMillis());
  }

  private static void update(MessageDigest digest, String s) {
    digest.update(s.getBytes(StandardCharsets.UTF_8));
    digest.update((byte) 0);
  }

  /** A jar whose manifest lists more class path would add entries (maybe folders) the key does not cover. */
  private static boolean manifestsListNoClassPath(String classpath) throws IOException {
    for (String entry : classpath.split(File.pathSeparator)) {
      try (JarFile jar = new JarFile(entry, false)) {
        if (jar.getManifest() != null && jar.getManifest().getMainAttributes().getValue(Attributes.Name.CLASS_PATH) != null) {
          return false;
        }
      }
    }
    return true;
  }

  private void createFolder() throws IOException {
    if (!Files.isDirectory(folder)) {
      Files.createDirectories(folder.getParent());
      try {
        Files.createDirectory(folder, PosixFilePermissions.asFileAttribute(PosixFilePermissions.fromString("rwx------")));
      } catch (FileAlreadyExistsException e) {
        // Another shell made it.
      } catch (UnsupportedOperationException e) {
        Files.createDirectories(folder); // not a POSIX file system
      }
    }
  }

  /** Moves a finished archive into place; one written meanwhile by another process is as good. */
  private static void publish(Path partial, Path archive) {
    try {
      Files.move(partial, archive, StandardCopyOption.ATOMIC_MOVE);
    } catch (AtomicMoveNotSupportedException e) {
      log.debug("Cannot move a class-data sharing archive into place atomically: {}", e.toString());
    } catch (IOException e) {
      log.debug("Cannot keep a class-data sharing archive: {}", e.toString());
    }
  }

  /**
   * Keeps the {@link #KEPT} archives used last (each class path version has its own, about 7 MiB)
   * and drops partial files a killed writer left over a day ago.
   */
  private void prune() {
    try (Stream<Path> files = Files.list(folder)) {
      List<Path> all = files.toList();
      long dayAgo = System.currentTimeMillis() - Duration.ofDays(1).toMillis();
      List<Path> archives = new ArrayList<>();
      for (Path file : all) {
        String name = file.getFileName().toString();
        if (name.endsWith(".jsa")) {
          archives.add(file);
        } else if (name.endsWith(".partial") && modified(file) < dayAgo) {
          deleteQuietly(file);
        }
      }
      archives.sort(Comparator.comparingLong(ClassDataArchive::modified).reversed());
      archives.stream().skip(KEPT).forEach(ClassDataArchive::deleteQuietly);
    } catch (IOException | RuntimeException e) {
      log.debug("Cannot prune class-data sharing archives in {}: {}", folder, e.toString());
    }
  }

  private static long modified(Path file) {
    try {
      return Files.getLastModifiedTime(file).toMillis();
    } catch (IOException e) {
      return 0; // gone meanwhile: oldest
    }
  }

  private static void touch(Path file) {
    try {
      Files.setLastModifiedTime(file, FileTime.fromMillis(System.currentTimeMillis()));
    } catch (IOException e) {
      log.debug("Cannot touch {}: {}", file, e.toString());
    }
  }

  private static void deleteQuietly(Path file) {
    try {
      Files.deleteIfExists(file);
    } catch (IOException e) {
      log.debug("Cannot delete {}: {}", file, e.toString());
    }
  }

  private static MessageDigest sha256() {
    try {
      return MessageDigest.getInstance("SHA-256");
    } catch (NoSuchAlgorithmException e) {
      throw new IllegalStateException(e);
    }
  }
}
