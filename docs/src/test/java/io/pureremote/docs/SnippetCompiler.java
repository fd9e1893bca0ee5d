package io.pureremote.docs;

import io.pureremote.docs.MarkdownSnippets.FencedBlock;
import java.io.File;
import java.io.IOException;
import java.io.StringWriter;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.stream.Collectors;
import javax.tools.Diagnostic;
import javax.tools.DiagnosticCollector;
import javax.tools.JavaCompiler;
import javax.tools.JavaFileObject;
import javax.tools.StandardJavaFileManager;
import javax.tools.ToolProvider;

/**
 * Compiles one {@code java} block with the JDK's compiler, in process, against the test class path,
 * and turns javac's diagnostics into text that points at the Markdown file.
 */
final class SnippetCompiler {
  /** The Java release snippets must compile for: the library's baseline. */
  static final String RELEASE = "21";

  private SnippetCompiler() {}

  /**
   * The outcome of compiling a block.
   *
   * @param ok whether javac succeeded
   * @param report every diagnostic (errors, warnings, notes) with its Markdown line, javac's own
   *     output; empty when there was none
   */
  record Result(boolean ok, String report) {}

  /**
   * Writes {@code block} to {@code srcRoot} under the name {@code snippet} asks for and compiles it
   * into {@code classesDir}, with {@code extraClasspath} ahead of {@code java.class.path}.
   *
   * @param docName how the Markdown file is named in the report
   */
  static Result compile(String docName, FencedBlock block, JavaSnippet snippet, Path srcRoot,
      Path classesDir, List<Path> extraClasspath) {
    JavaCompiler javac = ToolProvider.getSystemJavaCompiler();
    if (javac == null) {
      throw new IllegalStateException("no system Java compiler: run the docs tests on a JDK, not a JRE"
          + " (java.home=" + System.getProperty("java.home") + ")");
    }
    Path source = srcRoot.resolve(snippet.sourcePath());
    try {
      Files.createDirectories(source.getParent());
      Files.createDirectories(classesDir);
      Files.writeString(source, block.code(), StandardCharsets.UTF_8);
    } catch (IOException e) {
      throw new UncheckedIOException("cannot write " + source, e);
    }

    List<String> options = List.of(
        "--release", RELEASE,
        "-Xlint:none",
        "-proc:none",
        "-encoding", "UTF-8",
        "-d", classesDir.toString(),
        "-classpath", classpath(extraClasspath));
    DiagnosticCollector<JavaFileObject> diagnostics = new DiagnosticCollector<>();
    StringWriter toolOutput = new StringWriter();
    boolean ok;
    try (StandardJavaFileManager files =
        javac.getStandardFileManager(diagnostics, Locale.ROOT, StandardCharsets.UTF_8)) {
      ok = javac.getTask(toolOutput, files, diagnostics, options, null, files.getJavaFileObjects(source))
          .call();
    } catch (IOException e) {
      throw new UncheckedIOException("cannot close the file manager", e);
    }

    List<String> lines = new ArrayList<>();
    String[] code = block.code().split("\n", -1);
    for (Diagnostic<? extends JavaFileObject> d : diagnostics.getDiagnostics()) {
      lines.add(format(docName, block, code, d));
    }
    if (!toolOutput.toString().isBlank()) {
      lines.add("javac output:\n" + toolOutput.toString().stripTrailing());
    }
    return new Result(ok, String.join("\n", lines));
  }

  /** {@code extra} followed by this JVM's {@code java.class.path}. */
  static String classpath(List<Path> extra) {
    List<String> entries =
        extra.stream().map(Path::toString).collect(Collectors.toCollection(ArrayList::new));
    entries.add(System.getProperty("java.class.path"));
    return String.join(File.pathSeparator, entries);
  }

  private static String format(String docName, FencedBlock block, String[] code,
      Diagnostic<? extends JavaFileObject> d) {
    String kind = d.getKind().toString().toLowerCase(Locale.ROOT).replace('_', ' ');
    String message = d.getMessage(Locale.ROOT);
    long line = d.getLineNumber();
    if (line == Diagnostic.NOPOS || line < 1) {
      return docName + ":" + block.line() + ": " + kind + ": " + message;
    }
    StringBuilder out = new StringBuilder()
        .append(docName).append(':').append(block.docLine(line))
        .append(" (block line ").append(line).append("): ")
        .append(kind).append(": ").append(message);
    if (line <= code.length) {
      String text = code[(int) line - 1];
      out.append("\n    ").append(text);
      long column = d.getColumnNumber();
      if (column >= 1 && column <= text.length() + 1) {
        out.append("\n    ").append(" ".repeat((int) column - 1)).append('^');
      }
    }
    return out.toString();
  }
}
