package io.pureremote.internal;

import io.pureremote.spi.Shell.LaunchRequest;
import java.io.File;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.jar.Attributes;
import java.util.jar.JarFile;
import java.util.stream.Stream;

/**
 * Whether a child JVM started with a class path can load {@link RemoteMain}. Under {@code mvn
 * exec:java}, in a fat jar or in some IDE runs, the caller's {@code java.class.path} holds a
 * launcher instead of the library; the child would then die with "Could not find or load main
 * class", which the caller could only report as a call that ended without committing.
 */
final class ChildClasspath {
  private static final String ENTRY = LaunchRequest.MAIN_CLASS.replace('.', '/') + ".class";
  private static final int MAX_MANIFEST_DEPTH = 4;

  private ChildClasspath() {}

  /** Why {@code classpath} cannot start {@code RemoteMain}, or empty when one of its entries holds it. */
  static Optional<String> problem(String classpath) {
    List<String> entries = List.of(classpath.split(File.pathSeparator));
    for (String entry : entries) {
      if (holdsRemoteMain(entry, 0)) {
        return Optional.empty();
      }
    }
    String shown = String.join(File.pathSeparator, entries.stream().limit(3).toList())
        + (entries.size() > 3 ? File.pathSeparator + "... (" + entries.size() + " entries)" : "");
    return Optional.of("The local shell's child JVMs cannot start: their class path [" + shown + "] does not contain "
        + "Pure Remote (" + ENTRY + " is in none of its entries). This happens when the caller runs under "
        + "mvn exec:java, from a fat jar (Spring Boot) or from an IDE that hides the class path. Fix: give the shell "
        + "a plain class path with your classes and the library's jars, e.g. "
        + "new LocalProcessShell(LocalProcessShellOptions.builder().classpath(\"target/classes:\" + <output of mvn "
        + "dependency:build-classpath>).build()), or run your program with java -cp (docs/getting-started.md, "
        + "\"When the child JVM cannot find the library\").");
  }

  private static boolean holdsRemoteMain(String entry, int depth) {
    if (entry.isBlank()) {
      return false;
    }
    if (entry.endsWith(File.separator + "*") || entry.equals("*")) {
      Path dir = Path.of(entry.substring(0, entry.length() - 1));
      try (Stream<Path> jars = Files.list(dir.toString().isEmpty() ? Path.of(".") : dir)) {
        return jars.filter(j -> j.toString().endsWith(".jar") || j.toString().endsWith(".JAR"))
            .anyMatch(j -> holdsRemoteMain(j.toString(), depth));
      } catch (IOException | RuntimeException e) {
        return false;
      }
    }
    Path path;
    try {
      path = Path.of(entry);
    } catch (RuntimeException e) {
      return false;
    }
    if (Files.isDirectory(path)) {
      return Files.isRegularFile(path.resolve(ENTRY));
    }
    if (!Files.isRegularFile(path)) {
      return false;
    }
    try (JarFile jar = new JarFile(path.toFile())) {
      if (jar.getEntry(ENTRY) != null) {
        return true;
      }
      // A manifest-only jar (surefire's booter, some launchers) lists the real class path.
      return depth < MAX_MANIFEST_DEPTH && manifestClassPath(jar, path).stream().anyMatch(e -> holdsRemoteMain(e, depth + 1));
    } catch (IOException | RuntimeException e) {
      return false;
    }
  }

  private static List<String> manifestClassPath(JarFile jar, Path jarPath) throws IOException {
    List<String> out = new ArrayList<>();
    if (jar.getManifest() == null) {
      return out;
    }
    String value = jar.getManifest().getMainAttributes().getValue(Attributes.Name.CLASS_PATH);
    if (value == null) {
      return out;
    }
    Path base = jarPath.toAbsolutePath().getParent();
    for (String url : value.trim().split("\\s+")) {
      try {
        Path p = url.startsWith("file:") ? Path.of(java.net.URI.create(url)) : base.resolve(java.net.URLDecoder.decode(url,
            java.nio.charset.StandardCharsets.UTF_8));
        out.add(p.toString());
      } catch (RuntimeException e) {
        // An entry that is no path cannot hold the library.
      }
    }
    return out;
  }
}
