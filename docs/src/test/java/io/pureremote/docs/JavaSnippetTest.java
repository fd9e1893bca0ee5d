package io.pureremote.docs;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import org.junit.jupiter.api.Test;

/** How the docs test reads a {@code java} block: file name, package, what to run. */
class JavaSnippetTest {

  @Test
  void namesTheFileAfterThePublicTypeAndRunsItsMain() {
    JavaSnippet s = JavaSnippet.analyze("""
        package guide.scoring;

        import java.util.List;

        interface Helper {}

        public final class ScoringMain {
          public static void main(String[] args) {}
        }
        """);

    assertThat(s.packageName()).isEqualTo("guide.scoring");
    assertThat(s.typeName()).isEqualTo("ScoringMain");
    assertThat(s.sourcePath()).isEqualTo("guide/scoring/ScoringMain.java");
    assertThat(s.mainClass()).isEqualTo("guide.scoring.ScoringMain");
    assertThat(s.runnable()).isTrue();
  }

  @Test
  void acceptsEveryKindOfPublicTopLevelType() {
    assertThat(JavaSnippet.analyze("public sealed interface S permits Sq {}\nrecord Sq() implements S {}")
        .typeName()).isEqualTo("S");
    assertThat(JavaSnippet.analyze("record R() {}\npublic record Point(int x, int y) {}").typeName())
        .isEqualTo("Point");
    assertThat(JavaSnippet.analyze("public enum Color { RED }").typeName()).isEqualTo("Color");
    assertThat(JavaSnippet.analyze("public non-sealed abstract class Base {}").typeName())
        .isEqualTo("Base");
    assertThat(JavaSnippet.analyze("@Deprecated\npublic @interface Marker {}").typeName()).isEqualTo("Marker");
  }

  @Test
  void usesTheFirstTypeWhenNoneIsPublic() {
    JavaSnippet s = JavaSnippet.analyze("class First {}\nclass Second {}\n");

    assertThat(s.typeName()).isEqualTo("First");
    assertThat(s.packageName()).isEmpty();
    assertThat(s.mainClass()).isNull();
    assertThat(s.runnable()).isFalse();
  }

  @Test
  void ignoresNestedPublicTypesAndTypesMentionedInCommentsOrStrings() {
    JavaSnippet s = JavaSnippet.analyze("""
        import io.pureremote.PureRemote;

        /** Unlike {@code public class Wrong}, this is a compilation unit. */
        @SuppressWarnings({"unused"})
        public class Quickstart {
          public interface Pricing {
            @PureRemote double price(int q);
          }

          public static final class PricingImpl implements Pricing {
            public double price(int q) { return q; }
          }

          static final String TEXT = \"""
              public class AlsoWrong { public static void main(String[] a) {} }
              \""";
          // public static void main(String[] args) in a comment does not count

          static public void main(final String... args) {
            System.out.println('{');
          }
        }
        """);

    assertThat(s.typeName()).isEqualTo("Quickstart");
    assertThat(s.mainClass()).isEqualTo("Quickstart");
  }

  @Test
  void runsTheTypeThatDeclaresMainWhenItIsNotThePublicOne() {
    JavaSnippet s = JavaSnippet.analyze("""
        package demo;

        public interface Api { int f(); }

        final class Demo {
          public static void main(String args[]) {}
        }
        """);

    assertThat(s.typeName()).isEqualTo("Api");
    assertThat(s.mainClass()).isEqualTo("demo.Demo");
  }

  @Test
  void doesNotRunAMainOfANestedType() {
    JavaSnippet s = JavaSnippet.analyze("""
        public class Outer {
          static class Inner {
            public static void main(String[] args) {}
          }
        }
        """);

    assertThat(s.mainClass()).isNull();
  }

  @Test
  void keepsABlockWithTheCompileOnlyMarkerFromRunning() {
    JavaSnippet s = JavaSnippet.analyze("""
        // docs:compile-only - needs an S3 bucket
        public class NeedsS3 {
          public static void main(String[] args) {}
        }
        """);

    assertThat(s.mainClass()).isEqualTo("NeedsS3");
    assertThat(s.compileOnly()).isTrue();
    assertThat(s.runnable()).isFalse();
  }

  @Test
  void rejectsAFragmentWithoutATypeAndSuggestsJavaFragment() {
    assertThatThrownBy(() -> JavaSnippet.analyze("import java.util.List;\nList.of(1).size();\n"))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessageContaining("complete compilation unit")
        .hasMessageContaining("```java-fragment");
  }

  @Test
  void blanksCommentsAndLiteralsButKeepsOffsetsAndLines() {
    String code = "int a = 1; // x\nString s = \"y\\\"z\"; char c = '\\''; /* w\n */ int b;";

    String blanked = JavaSnippet.blankCommentsAndLiterals(code);

    assertThat(blanked).hasSameSizeAs(code);
    assertThat(blanked.lines()).hasSize(3);
    assertThat(blanked).doesNotContain("x", "y", "z", "w").contains("int a = 1;", "int b;", "char c = ");
  }
}
