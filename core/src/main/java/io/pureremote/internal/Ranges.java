package io.pureremote.internal;

/**
 * The one wording of a range error in core ({@code <name> must be >= 1, got 0}, {@code must be
 * between 0 and 65535, got 70000}, optionally followed by why in parentheses), the same as the
 * other modules' (k8s-values {@code Ranges}, which core cannot see). Each check returns the value
 * when it is in range. Pure functions; thread-safe.
 */
public final class Ranges {
  private Ranges() {}

  /**
   * {@code value}, or why it is below {@code min}.
   *
   * @throws IllegalArgumentException {@code <name> must be >= <min>, got <value>}
   */
  public static long atLeast(String name, long min, long value) {
    return atLeast(name, min, value, "");
  }

  /**
   * {@code value}, or why it is below {@code min}, then {@code why} in parentheses when not empty.
   *
   * @throws IllegalArgumentException {@code <name> must be >= <min>, got <value> (<why>)}
   */
  public static long atLeast(String name, long min, long value, String why) {
    if (value < min) {
      throw new IllegalArgumentException(name + " must be >= " + min + ", got " + value + (why.isEmpty() ? "" : " (" + why + ")"));
    }
    return value;
  }

  /**
   * {@code value}, or why it is not between {@code min} and {@code max} (both included).
   *
   * @throws IllegalArgumentException {@code <name> must be between <min> and <max>, got <value>}
   */
  public static long between(String name, long min, long max, long value) {
    if (value < min || value > max) {
      throw new IllegalArgumentException(name + " must be between " + min + " and " + max + ", got " + value);
    }
    return value;
  }
}
