package io.pureremote.docs;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.assertj.core.api.Assertions.tuple;

import io.pureremote.docs.MarkdownSnippets.FencedBlock;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The Markdown side of the docs test: which files are searched and which fenced blocks come out of
 * them, with which lines. Works on Markdown written to a temporary folder, not on the real guides.
 */
class MarkdownSnippetsTest {
  @TempDir
  Path dir;

  @Test
  void extractsAJavaBlockWithTheLineOfItsOpeningFence() throws IOException {
    Path doc = write("guide.md", """
        # Title

        Some prose.

        ```java
        public class A {}
        ```
        """);

    List<FencedBlock> blocks = MarkdownSnippets.javaBlocks(doc);

    assertThat(blocks).singleElement().satisfies(b -> {
      assertThat(b.file()).isEqualTo(doc);
      assertThat(b.line()).isEqualTo(5);
      assertThat(b.info()).isEqualTo("java");
      assertThat(b.code()).isEqualTo("public class A {}\n");
      assertThat(b.docLine(1)).isEqualTo(6);
    });
  }

  @Test
  void keepsOnlyBlocksWhoseInfoStringIsExactlyJava() throws IOException {
    Path doc = write("mixed.md", """
        ```text
        not java
        ```
        ```bash
        ./mvnw verify
        ```
        ```toml
        [store]
        ```
        ```java-fragment
        runtime.create(X.class, XImpl.class);
        ```
        ```
        no info string
        ```
        ```java
        class Kept {}
        ```
        ```Java
        class WrongCase {}
        ```
        """);

    assertThat(MarkdownSnippets.fencedBlocks(doc)).extracting(FencedBlock::info)
        .containsExactly("text", "bash", "toml", "java-fragment", "", "java", "Java");
    assertThat(MarkdownSnippets.javaBlocks(doc)).extracting(FencedBlock::code, FencedBlock::line)
        .containsExactly(tuple("class Kept {}\n", 16));
  }

  @Test
  void readsIndentedFencesInListItemsAndStripsTheirIndentation() throws IOException {
    Path doc = write("list.md", """
        1. Declare it:

           ```java
           public interface I {
             int f();
           }
           ```

        2. Done.
        """);

    assertThat(MarkdownSnippets.javaBlocks(doc)).singleElement().satisfies(b -> {
      assertThat(b.line()).isEqualTo(3);
      assertThat(b.code()).isEqualTo("public interface I {\n  int f();\n}\n");
    });
  }

  @Test
  void showsAJavaFenceInsideALongerFenceAsTextOnly() throws IOException {
    Path doc = write("meta.md", """
        ````markdown
        ```java
        class Shown {}
        ```
        ````
        ~~~java
        class Tilde {}
        ~~~
        """);

    assertThat(MarkdownSnippets.fencedBlocks(doc)).extracting(FencedBlock::info)
        .containsExactly("markdown", "java");
    assertThat(MarkdownSnippets.javaBlocks(doc)).singleElement()
        .extracting(FencedBlock::code).isEqualTo("class Tilde {}\n");
  }

  @Test
  void closesAFenceOnlyWithTheSameCharacterAtLeastAsLong() throws IOException {
    Path doc = write("long.md", """
        ````java
        class Long {
          String s = \"""
              ```
              \""";
        }
        ~~~~
        ````
        """);

    assertThat(MarkdownSnippets.javaBlocks(doc)).singleElement()
        .extracting(FencedBlock::code).asString().contains("```").endsWith("~~~~\n");
  }

  @Test
  void treatsTripleBackticksInProseAsInlineCodeNotAFence() throws IOException {
    Path doc = write("inline.md", """
        ```java``` starts a block; this line only shows it.
        """);

    assertThat(MarkdownSnippets.fencedBlocks(doc)).isEmpty();
  }

  @Test
  void readsWindowsLineEndings() throws IOException {
    Path doc = write("crlf.md", "intro\r\n```java\r\nclass W {}\r\n```\r\n");

    assertThat(MarkdownSnippets.javaBlocks(doc)).singleElement().satisfies(b -> {
      assertThat(b.line()).isEqualTo(2);
      assertThat(b.code()).isEqualTo("class W {}\n");
    });
  }

  @Test
  void rejectsAnUnterminatedFenceNamingTheFileAndLine() throws IOException {
    Path doc = write("broken.md", """
        # Broken

        ```java
        class Open {}
        """);

    assertThatThrownBy(() -> MarkdownSnippets.fencedBlocks(doc))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessageStartingWith(doc + ":3: unterminated code fence ```java")
        .hasMessageContaining("no closing ```");
  }

  @Test
  void rejectsAnUnterminatedFenceOfAnyLanguage() throws IOException {
    Path doc = write("bash.md", """
        ```java
        class Fine {}
        ```

        ~~~bash
        ls
        ```
        """);

    assertThatThrownBy(() -> MarkdownSnippets.fencedBlocks(doc))
        .hasMessageStartingWith(doc + ":5: unterminated code fence ~~~bash");
  }

  @Test
  void findsTheTopLevelReadmeAndEveryGuideUnderDocsButNotBuildOutput() throws IOException {
    write("mvnw", "");
    Path readme = write("README.md", "# Project\n");
    Path guide = write("docs/guide.md", "# Guide\n");
    Path nested = write("docs/deep/more.md", "# More\n");
    Path index = write("docs/README.md", "# Index\n");
    write("docs/target/copied.md", "# Build output\n");
    write("docs/.cache/hidden.md", "# Hidden\n");
    write("docs/notes.txt", "not Markdown\n");
    write("other/elsewhere.md", "# Not a guide\n");

    Path root = MarkdownSnippets.repoRoot(dir.resolve("docs/deep"));

    assertThat(root).isEqualTo(dir.toAbsolutePath().normalize());
    assertThat(MarkdownSnippets.markdownFiles(root)).containsExactly(readme, index, nested, guide);
    assertThat(MarkdownSnippets.displayName(root, nested)).isEqualTo("docs/deep/more.md");
  }

  @Test
  void searchesOnlyDocsWhenThereIsNoTopLevelReadme() throws IOException {
    write("mvnw", "");
    Path guide = write("docs/guide.md", "# Guide\n");

    assertThat(MarkdownSnippets.markdownFiles(dir)).containsExactly(guide);
  }

  @Test
  void failsClearlyOutsideTheRepository() throws IOException {
    Path outside = Files.createDirectories(dir.resolve("no/wrapper/here"));

    assertThatThrownBy(() -> MarkdownSnippets.repoRoot(outside))
        .isInstanceOf(IllegalStateException.class)
        .hasMessageContaining("no folder with mvnw");
  }

  private Path write(String relative, String text) throws IOException {
    Path file = dir.resolve(relative);
    Files.createDirectories(file.getParent());
    return Files.writeString(file, text, StandardCharsets.UTF_8);
  }
}
