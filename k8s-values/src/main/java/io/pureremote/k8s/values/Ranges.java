package io.pureremote.k8s.values;

import java.time.Duration;
import java.util.Optional;

/**
 * The one wording of a range error in the Kubernetes modules and configuration: {@code <name>
 * must be >= 1, got 0}, {@code must be > 0, got PT0S}, {@code must be between 1 and 10000, got
 * 20000} (both ends included), optionally followed by why in parentheses. The {@code *Problem}
 * methods return the words after the name ({@code must be >= 1, got 0}), or empty when the value
 * is in range, for callers that collect every problem; {@link #check} throws at once. Pure
 * functions; thread-safe.
 */
public final class Ranges {
  private Ranges() {}

  /** {@code must be >= <min>, got <value>}, with the values as the caller writes them (e.g. {@code 1s}). */
  public static String atLeast(Object min, Object value) {
    return "must be >= " + min + ", got " + value;
  }

  /** {@code must be between <min> and <max>, got <value>}, with the values as the caller writes them. */
  public static String between(Object min, Object max, Object value) {
    return "must be between " + min + " and " + max + ", got " + value;
  }

  /** {@code must be >= min, got value}, or empty. */
  public static Optional<String> atLeastProblem(long min, long value) {
    return value >= min ? Optional.empty() : Optional.of(atLeast(min, value));
  }

  /** {@code must be >= min, got value}, or empty. */
  public static Optional<String> atLeastProblem(Duration min, Duration value) {
    return value.compareTo(min) >= 0 ? Optional.empty() : Optional.of(atLeast(min, value));
  }

  /** {@code must be > 0, got value} (also for NaN and infinity), or empty. */
  public static Optional<String> positiveProblem(double value) {
    return value > 0 && !Double.isInfinite(value) ? Optional.empty() : Optional.of("must be > 0, got " + value);
  }

  /** {@code must be > 0, got value}, or empty. */
  public static Optional<String> positiveProblem(Duration value) {
    return value.isPositive() ? Optional.empty() : Optional.of("must be > 0, got " + value);
  }

  /** {@code must be <= max, got value}, or empty. */
  public static Optional<String> atMostProblem(Duration max, Duration value) {
    return value.compareTo(max) <= 0 ? Optional.empty() : Optional.of("must be <= " + max + ", got " + value);
  }

  /** {@code must be between min and max, got value} (both included), or empty. */
  public static Optional<String> betweenProblem(long min, long max, long value) {
    return value >= min && value <= max ? Optional.empty()
        : Optional.of(between(min, max, value));
  }

  /** {@code must be between min and max, got value} (both included; NaN is out), or empty. */
  public static Optional<String> betweenProblem(double min, double max, double value) {
    return value >= min && value <= max ? Optional.empty()
        : Optional.of(between(number(min), number(max), number(value)));
  }

  /** 1.0 as {@code 1}, 0.5 as {@code 0.5}: bounds read as the user wrote them. */
  private static String number(double d) {
    return d == Math.rint(d) && !Double.isInfinite(d) && Math.abs(d) < 1e15 ? Long.toString((long) d) : Double.toString(d);
  }

  /**
   * Throws {@code name + " " + problem} when there is a problem.
   *
   * @throws IllegalArgumentException naming the value and its range
   */
  public static void check(String name, Optional<String> problem) {
    if (problem.isPresent()) {
      throw new IllegalArgumentException(name + " " + problem.get());
    }
  }
}
