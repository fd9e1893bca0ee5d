package io.pureremote;

import java.util.Objects;
import java.util.regex.Pattern;

/**
 * The identity of a pure remote function: its stable name and logic version, as given by
 * {@link PureRemote}. Two calls share memoized results only if their {@code FunctionId}s are
 * equal and their arguments encode to the same canonical key.
 *
 * @param name stable function name, e.g. {@code com.acme.Scoring#score}
 * @param version logic version, e.g. {@code "2"}
 */
public record FunctionId(String name, String version) {
  private static final Pattern NAME = Pattern.compile("[A-Za-z0-9._$#-]{1,200}");
  private static final Pattern VERSION = Pattern.compile("[A-Za-z0-9._-]{1,64}");

  /** Validates both parts; see {@link PureRemote} for the allowed characters. */
  public FunctionId {
    Objects.requireNonNull(name, "name");
    Objects.requireNonNull(version, "version");
    if (!NAME.matcher(name).matches()) {
      throw new IllegalArgumentException(
          "Invalid function name '" + name + "': use 1-200 of letters, digits and . _ - $ #");
    }
    if (!VERSION.matcher(version).matches()) {
      throw new IllegalArgumentException(
          "Invalid function version '" + version + "': use 1-64 of letters, digits and . _ -");
    }
  }

  /** {@code name@version}, as it appears in logs and the memo path. */
  @Override
  public String toString() {
    return name + "@" + version;
  }
}
