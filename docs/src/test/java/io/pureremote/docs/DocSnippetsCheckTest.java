package io.pureremote.docs;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatCode;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.assertj.core.api.Assertions.catchThrowable;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The checking side of the docs test, end to end on Markdown written to a temporary folder: blocks
 * compile against each other and the library, runnable ones run sandboxed, and every kind of
 * failure names the Markdown line and says what went wrong.
 */
class DocSnippetsCheckTest {
  private static final Duration TIMEOUT = Duration.ofSeconds(60);

  @TempDir
  Path dir;

  @Test
  void runsAMainWithAFreshHomeAndWorkingDirectory() throws IOException {
    DocSnippets doc = doc("""
        ```java
        import java.nio.file.Files;
        import java.nio.file.Path;

        public class Sandbox {
          public static void main(String[] args) throws Exception {
            String home = System.getProperty("user.home");
            if (!home.equals(System.getenv("HOME"))) {
              throw new AssertionError(home + " vs " + System.getenv("HOME"));
            }
            if (Path.of(System.getProperty("user.dir")).equals(Path.of(home))) {
              throw new AssertionError("working directory is the home folder");
            }
            Files.writeString(Path.of(home, "marker.txt"), "written");
          }
        }
        ```
        """);

    assertThatCode(() -> doc.check(0)).doesNotThrowAnyException();
    assertThat(filesNamed("marker.txt")).singleElement()
        .satisfies(p -> assertThat(p).startsWith(dir.resolve("scratch")));
  }

  @Test
  void letsABlockUseTheTypesOfEarlierBlocksInTheSameFile() throws IOException {
    DocSnippets doc = doc("""
        ```java
        package demo;

        public interface Greeter {
          String greet(String name);
        }
        ```

        ```java
        package demo;

        public final class GreeterMain {
          public static void main(String[] args) {
            Greeter g = name -> "hello " + name;
            if (!g.greet("docs").equals("hello docs")) {
              throw new AssertionError();
            }
          }
        }
        ```
        """);

    assertThat(doc.testName(1)).isEqualTo("guide.md:9");
    assertThatCode(() -> doc.check(1)).doesNotThrowAnyException();
    assertThatCode(() -> doc.check(0)).doesNotThrowAnyException();
  }

  @Test
  void compilesAgainstTheLibraryAndRunsTheDefaultRuntimeInsideTheSandbox() throws IOException {
    DocSnippets doc = doc("""
        ```java
        import io.pureremote.PureRemote;
        import io.pureremote.RemoteRuntime;

        public class Twice {
          public interface Doubler {
            @PureRemote
            int twice(int x);
          }

          public static final class DoublerImpl implements Doubler {
            @Override
            public int twice(int x) {
              return 2 * x;
            }
          }

          public static void main(String[] args) {
            try (RemoteRuntime runtime = RemoteRuntime.builder().build()) {
              Doubler d = runtime.create(Doubler.class, DoublerImpl.class);
              if (d.twice(21) != 42 || d.twice(21) != 42) {
                throw new AssertionError();
              }
            }
          }
        }
        ```
        """);

    assertThatCode(() -> doc.check(0)).doesNotThrowAnyException();
    assertThat(filesNamed(".pureremote")).singleElement()
        .satisfies(p -> assertThat(p.getParent().getFileName()).hasToString("home"));
  }

  @Test
  void reportsCompileErrorsWithTheirMarkdownLines() throws IOException {
    DocSnippets doc = doc("""
        Intro.

        ```java
        public class Broken {
          Missing field;
        }
        ```
        """);

    assertThatThrownBy(() -> doc.check(0))
        .isInstanceOf(AssertionError.class)
        .hasMessageStartingWith("guide.md:3: the java block does not compile (as Broken.java, --release 21):")
        .hasMessageContaining("guide.md:5 (block line 2): error: cannot find symbol")
        .hasMessageContaining("\n      Missing field;\n      ^");
  }

  @Test
  void pointsAtEarlierBrokenBlocksWhenALaterOneFailsToo() throws IOException {
    DocSnippets doc = doc("""
        ```java
        public interface Api { Nope f(); }
        ```
        ```java
        public class User { Api api; }
        ```
        """);

    assertThatThrownBy(() -> doc.check(1))
        .hasMessageContaining("guide.md:4: the java block does not compile")
        .hasMessageContaining("Earlier java blocks of this file do not compile either")
        .hasMessageEndingWith("guide.md:1");
  }

  @Test
  void rejectsAFragmentTaggedJava() throws IOException {
    DocSnippets doc = doc("""
        ```java
        runtime.close();
        ```
        """);

    assertThatThrownBy(() -> doc.check(0))
        .hasMessageContaining("guide.md:1: the block declares no top-level type")
        .hasMessageContaining("```java-fragment");
  }

  @Test
  void failsOnANonZeroExitShowingTheOutput() throws IOException {
    DocSnippets doc = doc("""
        ```java
        public class Exits {
          public static void main(String[] args) {
            System.out.println("to stdout");
            System.err.println("to stderr");
            System.exit(3);
          }
        }
        ```
        """);

    assertThatThrownBy(() -> doc.check(0))
        .hasMessageStartingWith("guide.md:1: Exits.main exited with code 3 after ")
        .hasMessageContaining("to stdout")
        .hasMessageContaining("to stderr");
  }

  @Test
  void failsOnAnUncaughtExceptionInMain() throws IOException {
    DocSnippets doc = doc("""
        ```java
        package p;

        public record Claim(int value) {
          public static void main(String[] args) {
            throw new IllegalStateException("the doc's claim does not hold");
          }
        }
        ```
        """);

    assertThatThrownBy(() -> doc.check(0))
        .hasMessageStartingWith("guide.md:1: p.Claim.main exited with code 1")
        .hasMessageContaining("IllegalStateException: the doc's claim does not hold");
  }

  @Test
  void compilesButDoesNotRunABlockMarkedCompileOnly() throws IOException {
    DocSnippets doc = doc("""
        ```java
        // docs:compile-only - would need a real bucket
        public class NeedsBucket {
          public static void main(String[] args) {
            System.exit(1);
          }
        }
        ```
        """);

    assertThatCode(() -> doc.check(0)).doesNotThrowAnyException();
    assertThat(filesNamed("output.log")).isEmpty();
  }

  @Test
  void killsAHangingMainAndItsChildProcessesAtTheTimeout() throws IOException {
    Path doc = write("""
        ```java
        public class Hangs {
          public static void main(String[] args) throws Exception {
            Process child = new ProcessBuilder("sleep", "600").start();
            System.out.println("grandchild=" + child.pid());
            Thread.sleep(600_000);
          }
        }
        ```
        """);
    DocSnippets snippets = new DocSnippets("guide.md", MarkdownSnippets.javaBlocks(doc),
        dir.resolve("scratch"), Duration.ofSeconds(3));

    Throwable failure = catchThrowable(() -> snippets.check(0));

    assertThat(failure).hasMessageStartingWith("guide.md:1: Hangs.main did not finish within 3 s")
        .hasMessageContaining("(2 in all)");
    Matcher pid = Pattern.compile("grandchild=(\\d+)").matcher(failure.getMessage());
    assertThat(pid.find()).as("grandchild pid in %s", failure.getMessage()).isTrue();
    assertThat(ProcessHandle.of(Long.parseLong(pid.group(1))).filter(ProcessHandle::isAlive))
        .as("the grandchild, killed with its parent")
        .isEmpty();
  }

  private DocSnippets doc(String markdown) throws IOException {
    Path file = write(markdown);
    return new DocSnippets("guide.md", MarkdownSnippets.javaBlocks(file), dir.resolve("scratch"), TIMEOUT);
  }

  private Path write(String markdown) throws IOException {
    return Files.writeString(dir.resolve("guide.md"), markdown, StandardCharsets.UTF_8);
  }

  private List<Path> filesNamed(String name) throws IOException {
    try (Stream<Path> files = Files.walk(dir)) {
      return files.filter(p -> p.getFileName().toString().equals(name)).toList();
    }
  }
}
