package io.pureremote.internal;

import java.util.Collections;
import java.util.Comparator;
import java.util.Map;
import java.util.SortedMap;
import java.util.SortedSet;

/**
 * The order of a sorted set or map, as far as the key is concerned. A comparator is part of such a
 * collection's meaning (which elements are equal, what {@code first()} returns, the iteration
 * order), so a non-natural one is part of the key; but it must be identifiable across JVMs: a
 * lambda's class name is not stable, so it is refused. Shared by the encoder and {@link ArgsDiff}.
 */
final class ArgsComparators {
  /** Why a comparator cannot be keyed, as a noun phrase following "has a comparator that is". */
  static final String UNSTABLE =
      "cannot be identified stably across JVMs (a lambda, method reference or composed JDK"
          + " comparator): use Comparator.naturalOrder(), Comparator.reverseOrder(),"
          + " String.CASE_INSENSITIVE_ORDER, or a named class, record or enum comparator";

  // JDK comparators known by a stable name. Comparator.naturalOrder() is the same order as none.
  private static final Map<Comparator<?>, String> NAMED =
      Map.of(
          Collections.reverseOrder(), "Comparator.reverseOrder()",
          String.CASE_INSENSITIVE_ORDER, "String.CASE_INSENSITIVE_ORDER");

  private ArgsComparators() {}

  /** The comparator of a sorted set or map, or null when there is none (or it is not sorted). */
  static Comparator<?> of(Object v) {
    Comparator<?> c = null;
    if (v instanceof SortedSet<?> s) {
      c = s.comparator();
    } else if (v instanceof SortedMap<?, ?> m) {
      c = m.comparator();
    }
    return c == null || c == Comparator.naturalOrder() ? null : c;
  }

  /** The stable name of a JDK comparator, or null when it is not one the key knows. */
  static String jdkName(Comparator<?> c) {
    return NAMED.get(c);
  }

  /**
   * How a comparator reads in a key diff: "natural order", a JDK name, or the class (and state).
   */
  static String describe(Comparator<?> c) {
    if (c == null) {
      return "natural order";
    }
    String name = jdkName(c);
    if (name != null) {
      return name;
    }
    return c instanceof Enum<?> e
        ? e.getDeclaringClass().getName() + "." + e.name()
        : c.getClass().getName();
  }
}
