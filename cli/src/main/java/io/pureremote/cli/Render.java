package io.pureremote.cli;

import io.pureremote.Keys.KeyDiff;
import java.time.Instant;
import java.time.ZoneOffset;
import java.time.format.DateTimeFormatter;

/** Text helpers shared by the commands. */
final class Render {
  private static final DateTimeFormatter TIME =
      DateTimeFormatter.ofPattern("yyyy-MM-dd HH:mm:ss.SSS").withZone(ZoneOffset.UTC);

  private Render() {}

  /** A value as shown to people: strings quoted, arrays expanded, long text truncated. */
  static String value(Object value, int max) {
    return KeyDiff.render(value, max); // one rendering for why-miss diffs and every other command
  }

  static String quote(String s) {
    return "\"" + s.replace("\\", "\\\\").replace("\"", "\\\"").replace("\n", "\\n") + "\"";
  }

  static String truncate(String text, int max) {
    return text.length() <= max ? text : text.substring(0, max) + "… (" + text.length() + " chars)";
  }

  /** An ISO instant as {@code yyyy-MM-dd HH:mm:ss.SSS} UTC, or the text unchanged if it is not one. */
  static String time(Object iso) {
    if (iso == null) {
      return "?";
    }
    try {
      return TIME.format(Instant.parse(String.valueOf(iso)));
    } catch (RuntimeException e) {
      return String.valueOf(iso);
    }
  }

  /** Epoch milliseconds as {@code yyyy-MM-dd HH:mm:ss.SSS} UTC. */
  static String time(long epochMillis) {
    return TIME.format(Instant.ofEpochMilli(epochMillis));
  }

  /** Text indented by {@code indent} on every line. */
  static String indent(String text, String indent) {
    return indent + text.stripTrailing().replace("\n", "\n" + indent);
  }

  /** A duration as a person reads it: {@code 41d 3h}, {@code 5h 12m}, {@code 3m 20s}, {@code 12s}. */
  static String age(java.time.Duration d) {
    long s = Math.max(0, d.toSeconds());
    if (s >= 86_400) {
      return s / 86_400 + "d " + (s % 86_400) / 3600 + "h";
    }
    if (s >= 3600) {
      return s / 3600 + "h " + (s % 3600) / 60 + "m";
    }
    return s >= 60 ? s / 60 + "m " + s % 60 + "s" : s + "s";
  }
}
