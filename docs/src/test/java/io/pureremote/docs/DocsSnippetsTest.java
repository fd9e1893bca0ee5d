package io.pureremote.docs;

import static org.assertj.core.api.Assertions.assertThat;
import static org.junit.jupiter.api.DynamicTest.dynamicTest;

import io.pureremote.docs.MarkdownSnippets.FencedBlock;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.stream.Stream;
import org.junit.jupiter.api.DynamicTest;
import org.junit.jupiter.api.TestFactory;
import org.junit.jupiter.api.io.TempDir;

/**
 * Keeps the Java in the guides from rotting: every {@code ```java} block of the repository's
 * {@code README.md} and of every Markdown file under {@code docs/} is compiled with {@code --release
 * 21} against the test class path and, when it has a {@code public static void main(String[])},
 * run in a child JVM that must exit with code 0 within two minutes.
 *
 * <p>Conventions for doc writers:
 *
 * <ul>
 *   <li>A {@code ```java} block (info string exactly {@code java}) is a complete compilation unit:
 *       optional package, imports, one or more top-level types, at most one of them public. Use
 *       {@code ```java-fragment} (or any other info string) for code that is not.
 *   <li>A block sees the classes of the earlier {@code java} blocks of the same file.
 *   <li>A runnable block gets a fresh working directory and home folder ({@code HOME} and {@code
 *       user.home}), so the default blob root {@code ~/.pureremote} is a scratch folder; it should
 *       fail (throw, or exit non-zero) when what it shows does not hold.
 *   <li>{@code // docs:compile-only} in a block keeps its {@code main} from being run.
 * </ul>
 *
 * <p>Each block is one dynamic test named {@code <file>:<line>} after the line of its opening fence;
 * a failure lists javac's diagnostics with their lines in the Markdown file, or the run's output.
 */
class DocsSnippetsTest {
  /** How long a block's {@code main} may run before it is killed and the test fails. */
  private static final Duration RUN_TIMEOUT = Duration.ofSeconds(120);

  @TempDir
  static Path scratch;

  @TestFactory
  Stream<DynamicTest> everyJavaBlockInTheDocsCompilesAndItsMainExitsCleanly() {
    Path root = MarkdownSnippets.repoRoot(Path.of(System.getProperty("user.dir")));
    List<Path> files = MarkdownSnippets.markdownFiles(root);
    List<DynamicTest> tests = new ArrayList<>();
    for (Path file : files) {
      String name = MarkdownSnippets.displayName(root, file);
      List<FencedBlock> blocks;
      try {
        blocks = MarkdownSnippets.javaBlocks(file);
      } catch (IllegalArgumentException e) {
        tests.add(dynamicTest(name, () -> {
          throw new AssertionError(e.getMessage(), e);
        }));
        continue;
      }
      Path docScratch = scratch.resolve("doc" + files.indexOf(file));
      DocSnippets doc = new DocSnippets(name, blocks, docScratch, RUN_TIMEOUT);
      for (int i = 0; i < blocks.size(); i++) {
        int index = i;
        tests.add(dynamicTest(doc.testName(i), () -> doc.check(index)));
      }
    }
    assertThat(tests)
        .as("java blocks (or unreadable Markdown files) among %s: none found, so the file search or the"
            + " extractor is broken", files)
        .isNotEmpty();
    return tests.stream();
  }
}
