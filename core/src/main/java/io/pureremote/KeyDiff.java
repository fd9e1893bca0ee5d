package io.pureremote;

import io.pureremote.internal.ArgsDiff;
import java.util.ArrayList;
import java.util.List;
import java.util.Objects;

/**
 * Why two calls of one function would (or would not) share a memo entry: their arguments hashes
 * and, when those differ, each argument path where the values part. Made by {@link Keys#whyMiss};
 * {@link #toString()} is the text {@code pureremote why-miss} prints.
 *
 * <pre>{@code
 * function    com.acme.Scoring#score@2
 * args hash   differs: 5db739f0… ≠ be6b1eea…
 * arguments   1 difference (A ≠ B)
 *   args[1].minLength: 4 ≠ 3
 * }</pre>
 *
 * @param function the function's identity, the same for both calls
 * @param hashA the arguments hash of call A (lowercase hex SHA-256 of the canonical encoding)
 * @param hashB the arguments hash of call B
 * @param differences where the arguments differ, at most {@value io.pureremote.internal.ArgsDiff#MAX_DIFFERENCES};
 *     empty when the hashes are equal
 * @param omitted how many more differences there are beyond those listed
 */
public record KeyDiff(FunctionId function, String hashA, String hashB, List<Difference> differences, int omitted) {

  /**
   * One place where the arguments differ.
   *
   * @param path where, as {@code args[1].weights["x"]} or {@code args[0].ids[3]}
   * @param a the value in call A as shown to people (strings quoted, long ones truncated), or
   *     {@code (absent)}; for a length difference {@code size 3}
   * @param b the same for call B
   * @param text the whole line, e.g. {@code args[1].weights["x"]: 0.5 ≠ 0.7} or {@code
   *     args[0].ids[2]: only in A (3)}
   */
  public record Difference(String path, String a, String b, String text) {
    /** Checks the parts are there. */
    public Difference {
      Objects.requireNonNull(path, "path");
      Objects.requireNonNull(a, "a");
      Objects.requireNonNull(b, "b");
      Objects.requireNonNull(text, "text");
    }

    @Override
    public String toString() {
      return text;
    }
  }

  /** Copies. */
  public KeyDiff {
    Objects.requireNonNull(function, "function");
    Objects.requireNonNull(hashA, "hashA");
    Objects.requireNonNull(hashB, "hashB");
    differences = List.copyOf(differences);
  }

  /** Whether both calls get the same memo key (in one pipeline and blob root): the second is a hit. */
  public boolean sameKey() {
    return hashA.equals(hashB);
  }

  /** The arguments part of the report, one line each, as {@code pureremote why-miss} prints it. */
  public List<String> argumentLines() {
    List<String> lines = new ArrayList<>();
    if (sameKey()) {
      lines.add("arguments   identical (same canonical encoding)");
    } else if (differences.isEmpty()) {
      lines.add("arguments   equal field by field, yet their canonical encodings differ: a value's type or an "
          + "encoding detail not visible through equals (e.g. a field excluded here) sets them apart");
    } else {
      int n = differences.size() + (omitted > 0 ? 1 : 0);
      lines.add("arguments   " + n + (n == 1 ? " difference" : " differences") + " (A ≠ B)");
      differences.forEach(d -> lines.add("  " + d.text()));
      if (omitted > 0) {
        lines.add("  … and " + omitted + " more " + (omitted == 1 ? "difference" : "differences"));
      }
    }
    return lines;
  }

  /**
   * A value as {@link Difference#a()} and {@link Difference#b()} show it, and as {@code pureremote
   * inspect} prints arguments and results: strings quoted, arrays and collections expanded, records
   * by component, text past {@code maxChars} truncated.
   */
  public static String render(Object value, int maxChars) {
    return ArgsDiff.render(value, maxChars);
  }

  /** The report: function, hashes, then the argument differences or "same key". */
  @Override
  public String toString() {
    StringBuilder sb = new StringBuilder();
    sb.append("function    ").append(function).append('\n');
    if (sameKey()) {
      sb.append("args hash   same (").append(hashA).append(")\n");
      sb.append("same key: both calls share one memo entry, so the second one is a hit.\n");
      return sb.toString();
    }
    sb.append("args hash   differs: ").append(hashA).append(" ≠ ").append(hashB).append('\n');
    argumentLines().forEach(l -> sb.append(l).append('\n'));
    return sb.toString();
  }
}
