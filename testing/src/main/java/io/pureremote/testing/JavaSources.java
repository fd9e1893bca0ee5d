package io.pureremote.testing;

import java.io.IOException;
import java.net.URL;
import java.net.URLClassLoader;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;

/**
 * Compiles Java sources given as text into a folder, for tests that need two builds of one class:
 * for instance that a changed helper is a miss under {@code @PureRemote(codeHash = true)} and an
 * unrelated change is not. Needs a JDK (javac) in the test JVM.
 */
public final class JavaSources {
  private JavaSources() {}

  /**
   * Writes {@code sources} (relative path to text) under {@code dir}/src, compiles them into
   * {@code dir}/classes against this JVM's class path, and returns a loader over the classes whose
   * parent is the test kit's loader (so the compiled classes see Pure Remote and the test's
   * classes). Compiles with {@code --release 21}.
   *
   * @param dir an empty folder of the test's own, e.g. a JUnit {@code @TempDir} subfolder
   * @param sources each file's path relative to the source root ({@code demo/Rates.java}) and text
   * @throws IOException when the files cannot be written
   * @throws IllegalStateException when there is no javac in this JVM, or javac reports errors (its
   *     messages included)
   */
  public static ClassLoader compile(Path dir, Map<String, String> sources) throws IOException {
    Path src = dir.resolve("src");
    Path classes = Files.createDirectories(dir.resolve("classes"));
    List<String> args = new ArrayList<>(List.of("-d", classes.toString(), "-classpath",
        System.getProperty("java.class.path"), "--release", "21", "-proc:none"));
    for (Map.Entry<String, String> e : sources.entrySet()) {
      Path file = src.resolve(e.getKey());
      Files.createDirectories(file.getParent());
      Files.writeString(file, e.getValue());
      args.add(file.toString());
    }
    // java.util.spi.ToolProvider (java.base) reaches javac without this module reading java.compiler.
    java.util.spi.ToolProvider javac = java.util.spi.ToolProvider.findFirst("javac")
        .orElseThrow(() -> new IllegalStateException("These tests need a JDK (javac), not a JRE"));
    java.io.ByteArrayOutputStream errors = new java.io.ByteArrayOutputStream();
    java.io.PrintStream err = new java.io.PrintStream(errors, true, java.nio.charset.StandardCharsets.UTF_8);
    int code = javac.run(err, err, args.toArray(String[]::new));
    if (code != 0) {
      throw new IllegalStateException("javac failed: " + errors.toString(java.nio.charset.StandardCharsets.UTF_8));
    }
    return new URLClassLoader(new URL[] {classes.toUri().toURL()}, JavaSources.class.getClassLoader());
  }
}
