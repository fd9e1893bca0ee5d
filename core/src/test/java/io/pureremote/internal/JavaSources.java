package io.pureremote.internal;

import java.io.IOException;
import java.net.URL;
import java.net.URLClassLoader;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;

/** Compiles Java sources given as text into a folder (core tests cannot use the testing kit's {@code JavaSources}: it depends on core). */
public final class JavaSources {
  private JavaSources() {}

  /**
   * Writes {@code sources} (relative path to text) under {@code dir}/src, compiles them into
   * {@code dir}/classes against this JVM's class path, and returns a loader over the classes whose
   * parent is this test's loader.
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
