package io.pureremote.k8s;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.File;
import java.io.StringWriter;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import javax.tools.DiagnosticCollector;
import javax.tools.JavaCompiler;
import javax.tools.JavaFileObject;
import javax.tools.StandardJavaFileManager;
import javax.tools.ToolProvider;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Compiles every {@code ```java} block of {@code docs/kubernetes.md} against this module, so the
 * guide cannot drift from the API (the docs module compiles it too once it depends on this
 * module). A block sees the earlier blocks; none may have a {@code main} that would need a cluster.
 */
class KubernetesGuideTest {
  private static final Pattern PACKAGE = Pattern.compile("(?m)^package\\s+([\\w.]+)\\s*;");
  private static final Pattern PUBLIC_TYPE = Pattern.compile("(?m)^public\\s+(?:final\\s+)?(?:class|interface|record|enum)\\s+(\\w+)");

  @TempDir Path work;

  @Test
  void everyJavaBlockCompiles() throws Exception {
    Path guide = Path.of(System.getProperty("user.dir")).resolveSibling("docs").resolve("kubernetes.md");
    List<String> blocks = javaBlocks(Files.readString(guide));
    assertThat(blocks).as("java blocks in " + guide).hasSizeGreaterThanOrEqualTo(2);
    JavaCompiler javac = ToolProvider.getSystemJavaCompiler();
    Path classes = Files.createDirectories(work.resolve("classes"));
    for (int i = 0; i < blocks.size(); i++) {
      String code = blocks.get(i);
      assertThat(!code.contains("static void main(") || code.contains("// docs:compile-only"))
          .as("block %d has a main without // docs:compile-only", i + 1).isTrue();
      Matcher pkg = PACKAGE.matcher(code);
      Matcher type = PUBLIC_TYPE.matcher(code);
      assertThat(type.find()).as("block %d declares a public top-level type", i + 1).isTrue();
      Path source = work.resolve("src" + i).resolve((pkg.find() ? pkg.group(1).replace('.', '/') + "/" : "") + type.group(1) + ".java");
      Files.createDirectories(source.getParent());
      Files.writeString(source, code);
      DiagnosticCollector<JavaFileObject> diagnostics = new DiagnosticCollector<>();
      StringWriter out = new StringWriter();
      boolean ok;
      try (StandardJavaFileManager files = javac.getStandardFileManager(diagnostics, Locale.ROOT, StandardCharsets.UTF_8)) {
        ok = javac.getTask(out, files, diagnostics, List.of("--release", "21", "-proc:none", "-d", classes.toString(),
            "-classpath", classes + File.pathSeparator + System.getProperty("java.class.path")), null,
            files.getJavaFileObjects(source)).call();
      }
      assertThat(ok).as("block %d of %s:%n%s%n%s", i + 1, guide, diagnostics.getDiagnostics(), out).isTrue();
    }
  }

  static List<String> javaBlocks(String markdown) {
    List<String> blocks = new ArrayList<>();
    StringBuilder current = null;
    for (String line : markdown.split("\n", -1)) {
      if (current == null && line.equals("```java")) {
        current = new StringBuilder();
      } else if (current != null && line.equals("```")) {
        blocks.add(current.toString());
        current = null;
      } else if (current != null) {
        current.append(line).append('\n');
      }
    }
    return blocks;
  }
}
