package io.pureremote.docs;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.FileVisitResult;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.SimpleFileVisitor;
import java.nio.file.attribute.BasicFileAttributes;
import java.util.ArrayList;
import java.util.List;
import java.util.Set;

/**
 * Finds the project's Markdown files and extracts their fenced code blocks.
 *
 * <p>Fences follow CommonMark closely enough for documentation: an opening fence is a line of at
 * least three backticks or tildes, optionally indented (e.g. inside a list item), followed by an
 * info string; the block ends at the first line holding only a run of the same character at least
 * as long as the opening one. Content lines lose up to as many leading spaces as the opening fence
 * was indented. A longer outer fence (four backticks, or tildes) can therefore show a {@code
 * ```java} fence as text without it being extracted. A fence that is never closed is an error,
 * not a block that silently swallows the rest of the file.
 */
final class MarkdownSnippets {
  /** The info string that marks a block as a complete Java compilation unit to check. */
  static final String JAVA = "java";

  /** Folder names never searched for Markdown under {@code docs/}. */
  private static final Set<String> SKIPPED_DIRS = Set.of("target", "node_modules");

  private MarkdownSnippets() {}

  /**
   * One fenced block.
   *
   * @param file the Markdown file it came from
   * @param line the 1-based line of its opening fence; the block's first code line is {@code
   *     line + 1}
   * @param info the info string after the opening fence, trimmed ({@code ""} when absent)
   * @param code the lines between the fences, joined with {@code \n} (with a trailing {@code \n}
   *     when the block is not empty)
   */
  record FencedBlock(Path file, int line, String info, String code) {
    /** The 1-based line in the Markdown file of the block's 1-based line {@code blockLine}. */
    int docLine(long blockLine) {
      return (int) (line + blockLine);
    }
  }

  /** Every fenced block of {@code file}, in order; whatever the info string. */
  static List<FencedBlock> fencedBlocks(Path file) {
    try {
      return parse(file, Files.readString(file, StandardCharsets.UTF_8));
    } catch (IOException e) {
      throw new UncheckedIOException("cannot read " + file, e);
    }
  }

  /** The blocks of {@code file} whose info string is exactly {@code java}. */
  static List<FencedBlock> javaBlocks(Path file) {
    return fencedBlocks(file).stream().filter(b -> b.info().equals(JAVA)).toList();
  }

  /**
   * Parses Markdown {@code text}; {@code file} only names the source in blocks and errors.
   *
   * @throws IllegalArgumentException naming the file and line of a fence that is never closed
   */
  static List<FencedBlock> parse(Path file, String text) {
    String[] lines = text.split("\\R", -1);
    List<FencedBlock> blocks = new ArrayList<>();
    int i = 0;
    while (i < lines.length) {
      Fence open = Fence.opening(lines[i]);
      if (open == null) {
        i++;
        continue;
      }
      int openLine = i + 1;
      StringBuilder code = new StringBuilder();
      i++;
      boolean closed = false;
      while (i < lines.length) {
        if (open.isClosedBy(lines[i])) {
          closed = true;
          i++;
          break;
        }
        code.append(stripIndent(lines[i], open.indent())).append('\n');
        i++;
      }
      if (!closed) {
        throw new IllegalArgumentException(file + ":" + openLine + ": unterminated code fence "
            + open.describe() + " - no closing " + open.marker() + " before the end of the file");
      }
      blocks.add(new FencedBlock(file, openLine, open.info(), code.toString()));
    }
    return List.copyOf(blocks);
  }

  /**
   * The Markdown files to check: the repository's top-level {@code README.md} (when present)
   * followed by every {@code .md} file under {@code <root>/docs}, recursively, sorted, skipping
   * {@code target}, {@code node_modules} and hidden folders.
   */
  static List<Path> markdownFiles(Path repoRoot) {
    List<Path> files = new ArrayList<>();
    Path readme = repoRoot.resolve("README.md");
    if (Files.isRegularFile(readme)) {
      files.add(readme);
    }
    Path docs = repoRoot.resolve("docs");
    if (!Files.isDirectory(docs)) {
      return files;
    }
    List<Path> found = new ArrayList<>();
    try {
      Files.walkFileTree(docs, new SimpleFileVisitor<>() {
        @Override
        public FileVisitResult preVisitDirectory(Path dir, BasicFileAttributes attrs) {
          String name = dir.getFileName().toString();
          boolean skip = !dir.equals(docs) && (SKIPPED_DIRS.contains(name) || name.startsWith("."));
          return skip ? FileVisitResult.SKIP_SUBTREE : FileVisitResult.CONTINUE;
        }

        @Override
        public FileVisitResult visitFile(Path path, BasicFileAttributes attrs) {
          if (attrs.isRegularFile() && path.getFileName().toString().endsWith(".md")) {
            found.add(path);
          }
          return FileVisitResult.CONTINUE;
        }
      });
    } catch (IOException e) {
      throw new UncheckedIOException("cannot list " + docs, e);
    }
    found.sort(null);
    files.addAll(found);
    return files;
  }

  /**
   * The repository root: {@code start} or its nearest ancestor holding the Maven wrapper {@code
   * mvnw}.
   *
   * @throws IllegalStateException when no such folder exists
   */
  static Path repoRoot(Path start) {
    for (Path dir = start.toAbsolutePath().normalize(); dir != null; dir = dir.getParent()) {
      if (Files.isRegularFile(dir.resolve("mvnw"))) {
        return dir;
      }
    }
    throw new IllegalStateException("no folder with mvnw at or above " + start
        + "; run the docs tests from inside the repository");
  }

  /** {@code path} relative to {@code root} with {@code /} separators, for test names and messages. */
  static String displayName(Path root, Path path) {
    Path abs = path.toAbsolutePath().normalize();
    Path base = root.toAbsolutePath().normalize();
    Path shown = abs.startsWith(base) ? base.relativize(abs) : abs;
    return shown.toString().replace('\\', '/');
  }

  private static String stripIndent(String line, int indent) {
    int n = 0;
    while (n < indent && n < line.length() && line.charAt(n) == ' ') {
      n++;
    }
    return line.substring(n);
  }

  /** An opening fence: its character, run length, indentation and info string. */
  private record Fence(char ch, int length, int indent, String info) {
    static Fence opening(String line) {
      int indent = 0;
      while (indent < line.length() && line.charAt(indent) == ' ') {
        indent++;
      }
      if (indent == line.length()) {
        return null;
      }
      char ch = line.charAt(indent);
      if (ch != '`' && ch != '~') {
        return null;
      }
      int end = indent;
      while (end < line.length() && line.charAt(end) == ch) {
        end++;
      }
      int length = end - indent;
      if (length < 3) {
        return null;
      }
      String info = line.substring(end).strip();
      if (ch == '`' && info.indexOf('`') >= 0) {
        return null; // an inline code span such as ```x```, not a fence
      }
      return new Fence(ch, length, indent, info);
    }

    boolean isClosedBy(String line) {
      String s = line.strip();
      if (s.length() < length) {
        return false;
      }
      for (int k = 0; k < s.length(); k++) {
        if (s.charAt(k) != ch) {
          return false;
        }
      }
      return true;
    }

    String marker() {
      return String.valueOf(ch).repeat(length);
    }

    String describe() {
      return info.isEmpty() ? marker() : marker() + info;
    }
  }
}
