package io.pureremote.bench;

import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.Optional;

/** The harness's one results table, rendered as Markdown. Thread-safe for adding rows. */
public final class Table {
  private static final String[] HEADER = {"scenario", "metric", "Pure Remote", "baseline", "ratio"};

  private final List<Row> rows = Collections.synchronizedList(new ArrayList<>());

  /** Appends a row and echoes it to stderr, so a long run shows progress. */
  public void add(Row row) {
    rows.add(row);
    System.err.println("  " + String.join(" | ", row.cells()));
  }

  /** The rows so far, in the order added. */
  public List<Row> rows() {
    synchronized (rows) {
      return List.copyOf(rows);
    }
  }

  /** The first row of {@code scenario} (prefix match) whose metric starts with {@code metric}. */
  public Optional<Row> find(String scenario, String metric) {
    return rows().stream().filter(r -> r.scenario().startsWith(scenario) && r.metric().startsWith(metric)).findFirst();
  }

  /** A GitHub-flavoured Markdown table; ratio is Pure Remote ÷ baseline. */
  public String toMarkdown() {
    StringBuilder sb = new StringBuilder();
    line(sb, HEADER);
    sb.append("|---|---|--:|--:|--:|\n");
    for (Row r : rows()) {
      line(sb, r.cells());
    }
    return sb.toString();
  }

  private static void line(StringBuilder sb, String[] cells) {
    sb.append('|');
    for (String c : cells) {
      sb.append(' ').append(c.replace("|", "\\|")).append(" |");
    }
    sb.append('\n');
  }
}
