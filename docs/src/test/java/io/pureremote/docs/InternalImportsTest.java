package io.pureremote.docs;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * No module reaches into another's {@code internal} package (issue 12): the build fails on an
 * import, a fully qualified use or a split package in any module's main or test sources. The
 * scanner itself is checked on a tree of its own with planted violations.
 */
class InternalImportsTest {
  @TempDir Path dir;

  @Test
  void noModuleOfThisRepositoryUsesAnotherModulesInternalPackage() {
    Path root = MarkdownSnippets.repoRoot(Path.of(System.getProperty("user.dir")));
    List<InternalImports.Violation> found = InternalImports.scan(root);
    assertThat(found)
        .as("uses of another module's internal package; go through its public API (see docs/architecture.md)")
        .isEmpty();
    // The scan saw the repository: core's internal package is there to be protected.
    assertThat(Files.isDirectory(root.resolve("core/src/main/java/io/pureremote/internal"))).isTrue();
  }

  @Test
  void findsImportsStaticImportsQualifiedUsesAndSplitPackagesOfAnotherModule() throws IOException {
    module("core");
    source("core/src/main/java/io/pureremote/internal/Codec.java", "package io.pureremote.internal;\n"
        + "public final class Codec { public static final int K = 1; }\n");
    source("core/src/main/java/io/pureremote/Api.java", "package io.pureremote;\n"
        + "import io.pureremote.internal.Codec;\nclass Api { Codec c; }\n");
    source("core/src/test/java/io/pureremote/internal/CodecTest.java", "package io.pureremote.internal;\n"
        + "class CodecTest { io.pureremote.internal.Codec c; }\n");
    module("bench");
    source("bench/src/main/java/b/Bad.java", "package b;\n\nimport io.pureremote.internal.Codec;\n"
        + "import static io.pureremote.internal.Codec.K;\nimport io.pureremote.internal.*;\nclass Bad {}\n");
    source("bench/src/test/java/b/BadTest.java", "package b;\nclass BadTest {\n"
        + "  Object o = io.pureremote.internal.Codec.K;\n}\n");
    module("cli");
    source("cli/src/test/java/io/pureremote/internal/Sneak.java", "package io.pureremote.internal;\nclass Sneak {}\n");

    assertThat(InternalImports.scan(dir)).extracting(Object::toString).containsExactly(
        "bench/src/main/java/b/Bad.java:3: imports io.pureremote.internal.Codec (internal to core)",
        "bench/src/main/java/b/Bad.java:4: imports io.pureremote.internal.Codec (internal to core)",
        "bench/src/main/java/b/Bad.java:5: imports io.pureremote.internal.* (internal to core)",
        "bench/src/test/java/b/BadTest.java:3: uses io.pureremote.internal.Codec (internal to core)",
        "cli/src/test/java/io/pureremote/internal/Sneak.java:1: declares package io.pureremote.internal"
            + " (internal to core)");
  }

  @Test
  void anyModulesInternalPackageCountsAndNestedModulesAreModulesOfTheirOwn() throws IOException {
    module("k8s-shell");
    source("k8s-shell/src/main/java/io/pureremote/k8s/internal/Names.java",
        "package io.pureremote.k8s.internal;\npublic class Names {}\n");
    module("blobstore/s3");
    source("blobstore/s3/src/main/java/io/pureremote/s3/S3.java",
        "package io.pureremote.s3;\nimport io.pureremote.k8s.internal.Names;\nclass S3 {}\n");

    assertThat(InternalImports.scan(dir)).extracting(Object::toString).containsExactly(
        "blobstore/s3/src/main/java/io/pureremote/s3/S3.java:2: imports io.pureremote.k8s.internal.Names"
            + " (internal to k8s-shell)");
  }

  @Test
  void commentsStringsAndAModulesOwnInternalsAreNoViolation() throws IOException {
    module("core");
    source("core/src/main/java/io/pureremote/internal/Codec.java", "package io.pureremote.internal;\nclass Codec {}\n");
    module("cli");
    source("cli/src/main/java/c/Fine.java", "package c;\n"
        + "/** Not {@link io.pureremote.internal.Codec}: see io.pureremote.internal.Codec. */\n"
        + "class Fine {\n"
        + "  // io.pureremote.internal.Codec is internal\n"
        + "  String s = \"io.pureremote.internal.Codec\";\n"
        + "  String t = \"\"\"\n    io.pureremote.internal.Codec\n    \"\"\";\n"
        + "  char q = '\"'; String u = \"a\\\"io.pureremote.internal.Codec\";\n"
        + "  /* io.pureremote.internal.Codec */ Object o = my.io.pureremote.internal.Codec.class;\n"
        + "}\n");

    assertThat(InternalImports.scan(dir)).isEmpty();
  }

  @Test
  void codeKeepsLineNumbersAndBlanksOnlyCommentsAndLiterals() {
    String code = InternalImports.code("a /* x\ny */ b // z\n\"s\" 'c' d");
    assertThat(code.lines().toList()).hasSize(3);
    assertThat(code.replaceAll("\\s+", " ").strip()).isEqualTo("a b d");
  }

  private void module(String path) throws IOException {
    Files.createDirectories(dir.resolve(path).resolve("src"));
    Files.writeString(dir.resolve(path).resolve("pom.xml"), "<project/>");
  }

  private void source(String path, String text) throws IOException {
    Path f = dir.resolve(path);
    Files.createDirectories(f.getParent());
    Files.writeString(f, text);
  }
}
