package io.pureremote.config;

import java.util.Objects;

/**
 * One thing wrong with the configuration, and where. Its {@link #toString()} reads like a compiler
 * diagnostic: {@code /home/yu/.pureremote.toml:7:1: kubernetes.resources.cpu: expected ...}, or
 * {@code environment: PUREREMOTE_SHELL: expected ...} for a variable.
 *
 * @param source the file path, {@code environment}, or {@code code} (overrides given in code)
 * @param key the TOML key path ({@code teams.forecasting.namespace}) or the variable name
 * @param line 1-based line in the file, or 0 when there is none
 * @param column 1-based column in the file, or 0 when there is none
 * @param message what is wrong and what was expected
 */
public record ConfigProblem(String source, String key, int line, int column, String message) {

  /** Validates. */
  public ConfigProblem {
    Objects.requireNonNull(source, "source");
    Objects.requireNonNull(key, "key");
    Objects.requireNonNull(message, "message");
  }

  /** {@code source[:line:column]: key: message}. */
  @Override
  public String toString() {
    String where = line > 0 ? source + ":" + line + ":" + column : source;
    return key.isEmpty() ? where + ": " + message : where + ": " + key + ": " + message;
  }
}
