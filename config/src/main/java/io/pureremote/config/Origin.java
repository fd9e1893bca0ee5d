package io.pureremote.config;

import java.util.regex.Pattern;
import org.tomlj.TomlPosition;

/**
 * Where a value came from: a file position, an environment variable, or an override in code.
 *
 * @param source the file path, {@value #ENVIRONMENT} or {@value #CODE}
 * @param key the key path as TOML writes it, or the variable name
 * @param line 1-based line, 0 when there is none
 * @param column 1-based column, 0 when there is none
 */
record Origin(String source, String key, int line, int column) {
  static final String ENVIRONMENT = "environment";
  static final String CODE = "code";

  private static final Pattern BARE_KEY = Pattern.compile("[A-Za-z0-9_-]+");

  static Origin at(String source, String key, TomlPosition position) {
    return position == null ? new Origin(source, key, 0, 0)
        : new Origin(source, key, position.line(), position.column());
  }

  static Origin environment(String variable) {
    return new Origin(ENVIRONMENT, variable, 0, 0);
  }

  static Origin code(String key) {
    return new Origin(CODE, key, 0, 0);
  }

  /** The same place, naming a part of the value ({@code tolerations[1]}, {@code .key}). */
  Origin child(String suffix, TomlPosition position) {
    return position == null ? new Origin(source, key + suffix, line, column)
        : new Origin(source, key + suffix, position.line(), position.column());
  }

  ConfigProblem problem(String message) {
    return new ConfigProblem(source, key, line, column, message);
  }

  /** A key as TOML writes it in a path: bare when it can be, else quoted ({@code "com.acme.Fns#score"}). */
  static String tomlKey(String key) {
    if (BARE_KEY.matcher(key).matches()) {
      return key;
    }
    return "\"" + key.replace("\\", "\\\\").replace("\"", "\\\"") + "\"";
  }
}
