package io.pureremote.docs;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;

/**
 * docs/errors.md keeps its promise that each row is backed by a test: every row of its tables
 * names, in its last column, test classes (or {@code Class#method}) that exist in the repository,
 * and at least one of them mentions what the row is about: the reason string of a {@code
 * ShellException} reason, the exception type, and the longest literal piece of a quoted message.
 */
class ErrorsPageTest {
  private static final Pattern TEST_NAME = Pattern.compile("`([A-Z][A-Za-z0-9]*)(?:#([a-z][A-Za-z0-9]*))?`");
  private static final Pattern CODE = Pattern.compile("`([^`]+)`");
  private static final Pattern QUOTED = Pattern.compile("\"([^\"]+)\"");
  private static final Set<String> SKIPPED_DIRS = Set.of("node_modules", "target", ".git");

  private final Path root = MarkdownSnippets.repoRoot(Path.of(System.getProperty("user.dir")));

  @Test
  void everyRowNamesTestsThatExistAndMentionWhatTheRowIsAbout() throws IOException {
    Map<String, List<Path>> sources = javaSources();
    List<String> problems = new ArrayList<>();
    int rows = 0;
    for (Row row : rows(Files.readAllLines(root.resolve("docs/errors.md")))) {
      rows++;
      List<String> texts = new ArrayList<>();
      Matcher m = TEST_NAME.matcher(row.testedBy());
      while (m.find()) {
        List<Path> files = sources.getOrDefault(m.group(1), List.of());
        if (files.isEmpty()) {
          problems.add(row.line() + ": no class " + m.group(1) + " in the repository");
          continue;
        }
        String text = read(files.getFirst());
        if (m.group(2) != null && !text.contains(" " + m.group(2) + "(")) {
          problems.add(row.line() + ": " + m.group(1) + " has no method " + m.group(2));
        }
        texts.add(text);
      }
      if (texts.isEmpty()) {
        problems.add(row.line() + ": names no test that exists (" + row.testedBy() + ")");
        continue;
      }
      for (String subject : subjects(row)) {
        if (texts.stream().noneMatch(t -> t.contains(subject))) {
          problems.add(row.line() + ": none of " + row.testedBy() + " mentions " + subject);
        }
      }
    }
    assertThat(rows).as("rows read from docs/errors.md").isGreaterThan(25);
    assertThat(problems).as("docs/errors.md rows and the tests they name").isEmpty();
  }

  /** What a named test must mention: each reason (quoted), the exception type, a quoted message's longest piece. */
  private static List<String> subjects(Row row) {
    List<String> subjects = new ArrayList<>();
    Matcher code = CODE.matcher(row.first());
    while (code.find()) {
      String c = code.group(1).trim();
      if (row.reasons() && c.matches("[A-Z][A-Za-z]+")) {
        subjects.add("\"" + c + "\"");
      } else if (!row.reasons() && c.matches("[A-Z][A-Za-z]+(Exception|Error)") && !QUOTED.matcher(row.first()).find()) {
        subjects.add(c); // a row that quotes its message is checked by the message (a CLI test sees only text)
      }
    }
    Matcher quoted = QUOTED.matcher(row.first());
    while (quoted.find()) {
      String longest = "";
      for (String piece : quoted.group(1).split("\\.\\.\\.|[|()`*]|: |f@v")) {
        if (piece.trim().length() > longest.length()) {
          longest = piece.trim();
        }
      }
      if (longest.length() >= 12) {
        subjects.add(longest);
      }
    }
    return subjects;
  }

  private record Row(int line, String first, String testedBy, boolean reasons) {}

  /** The data rows of every table whose header ends with a "tested by" column. */
  static List<Row> rows(List<String> lines) {
    List<Row> rows = new ArrayList<>();
    boolean inTable = false;
    boolean reasons = false;
    for (int i = 0; i < lines.size(); i++) {
      String line = lines.get(i).trim();
      if (!line.startsWith("|")) {
        inTable = false;
        continue;
      }
      List<String> cells = cells(line);
      if (!inTable) {
        inTable = cells.getLast().equals("tested by");
        reasons = cells.getFirst().equals("reason");
        i++; // the |---| line
        continue;
      }
      rows.add(new Row(i + 1, cells.getFirst(), cells.getLast(), reasons));
    }
    return rows;
  }

  /** The cells of a table line; a pipe inside backticks (as in {@code a \| b}) is escaped in the source. */
  static List<String> cells(String line) {
    String body = line.substring(1, line.endsWith("|") ? line.length() - 1 : line.length());
    List<String> cells = new ArrayList<>();
    for (String cell : body.split("(?<!\\\\)\\|")) {
      cells.add(cell.trim());
    }
    return cells;
  }

  private Map<String, List<Path>> javaSources() throws IOException {
    Map<String, List<Path>> byName = new HashMap<>();
    try (Stream<Path> files = Files.walk(root)) {
      files.filter(p -> p.toString().endsWith(".java"))
          .filter(p -> root.relativize(p).toString().split("/").length > 0
              && Stream.of(root.relativize(p).toString().split("/")).noneMatch(SKIPPED_DIRS::contains))
          .forEach(p -> byName.computeIfAbsent(p.getFileName().toString().replace(".java", ""), k -> new ArrayList<>()).add(p));
    }
    return byName;
  }

  private static String read(Path file) {
    try {
      return Files.readString(file);
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }
}
