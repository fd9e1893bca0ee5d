package io.pureremote.internal;

import java.math.BigDecimal;
import java.math.BigInteger;
import java.time.Duration;
import java.time.Instant;
import java.time.LocalDate;
import java.time.LocalDateTime;
import java.time.ZoneId;
import java.time.ZonedDateTime;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Collections;
import java.util.EnumSet;
import java.util.HashMap;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.LinkedList;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.TreeMap;
import java.util.UUID;

/** Value types for the argument-key tests, and samples built in two different ways. */
final class ArgsFixtures {
  private ArgsFixtures() {}

  enum Color {
    RED,
    GREEN,
    BLUE
  }

  /** Constants with bodies are anonymous subclasses of the enum. */
  enum Op {
    PLUS {
      @Override
      int apply(int a, int b) {
        return a + b;
      }
    },
    MINUS {
      @Override
      int apply(int a, int b) {
        return a - b;
      }
    };

    abstract int apply(int a, int b);
  }

  record Point(int x, int y) {}

  record A(int x) {}

  record B(int x) {}

  record Tagged(String name, Set<Color> colors) {}

  record Cohort(
      String name,
      Map<String, List<Double>> features,
      Set<Tagged> members,
      Optional<Point> origin) {}

  /** A plain class: fields by name; static and transient ones are not part of the key. */
  static final class Pojo {
    static int ignoredStatic = 7;
    String name;
    int count;
    List<String> tags;
    transient int cache;

    Pojo(String name, int count, List<String> tags) {
      this.name = name;
      this.count = count;
      this.tags = tags;
    }
  }

  /** Plain class without equals: two instances with equal state are unequal objects. */
  static final class Key {
    final String id;

    Key(String id) {
      this.id = id;
    }
  }

  static class Base {
    int x;
  }

  /** Hides {@link Base#x}: both fields are keyed, qualified by their declaring classes. */
  static final class Sub extends Base {
    int x;

    Sub(int baseX, int subX) {
      ((Base) this).x = baseX;
      this.x = subX;
    }
  }

  static final class Node {
    String label;
    Node next;

    Node(String label) {
      this.label = label;
    }
  }

  /**
   * Values whose hashes must not depend on the JVM or on how they were built: {@code reverse}
   * builds each with other collection types and insertion orders. Enum and plain-object hash codes
   * are identity hashes, so hash-based iteration orders also differ between JVMs.
   */
  static Map<String, Object[]> crossJvmSamples(boolean reverse) {
    Map<String, Object[]> samples = new LinkedHashMap<>();
    samples.put("empty", new Object[0]);
    samples.put(
        "scalars",
        new Object[] {
          true,
          (byte) -3,
          (short) 300,
          42,
          -7L,
          1.5f,
          -0.0,
          Double.NaN,
          'x',
          "héllo wörld ✓ 🌍",
          null
        });
    samples.put(
        "big-and-time",
        new Object[] {
          new BigDecimal("123.4500"),
          new BigInteger("-98765432109876543210"),
          UUID.fromString("123e4567-e89b-12d3-a456-426614174000"),
          Instant.ofEpochSecond(1_700_000_000L, 123),
          LocalDate.of(2026, 2, 28),
          LocalDateTime.of(2026, 2, 28, 13, 45, 10),
          ZonedDateTime.of(2026, 3, 29, 1, 30, 0, 0, ZoneId.of("Europe/Paris")),
          Duration.ofMillis(90_061_001),
          ZoneId.of("America/New_York")
        });
    samples.put(
        "enum-set",
        new Object[] {
          reverse
              ? new HashSet<>(List.of(Color.BLUE, Color.RED, Color.GREEN))
              : EnumSet.allOf(Color.class)
        });
    samples.put("enum-map", new Object[] {enumMap(reverse)});
    samples.put(
        "arrays",
        new Object[] {
          new double[] {1, Double.longBitsToDouble(0x7ff8000000000abcL), -0.0},
          new int[] {1, 2, 3},
          new String[] {"a", null},
          new long[0],
          "αβγ".toCharArray()
        });
    samples.put("cohort", new Object[] {cohort(reverse), Op.MINUS});
    samples.put(
        "pojo",
        new Object[] {
          new Pojo("p", 3, reverse ? new LinkedList<>(List.of("x", "y")) : List.of("x", "y")),
          new Sub(1, 2)
        });
    samples.put("plain-keys", new Object[] {plainKeys(reverse)});
    return samples;
  }

  static Cohort cohort(boolean reverse) {
    Map<String, List<Double>> features = reverse ? new HashMap<>() : new TreeMap<>();
    List<String> names = new ArrayList<>(List.of("age", "income", "zip", "score"));
    if (reverse) {
      Collections.reverse(names);
    }
    for (String n : names) {
      List<Double> values = reverse ? new ArrayList<>() : new LinkedList<>();
      for (int i = 0; i < 3; i++) {
        values.add(n.length() * 1.25 + i);
      }
      features.put(n, reverse ? values : Collections.unmodifiableList(values));
    }
    Set<Tagged> members =
        reverse ? new HashSet<>() : new java.util.LinkedHashSet<>();
    for (String n : reverse ? List.of("zoe", "yann", "xia") : List.of("xia", "yann", "zoe")) {
      members.add(
          new Tagged(
              n,
              reverse
                  ? new HashSet<>(Set.of(Color.GREEN, Color.RED))
                  : EnumSet.of(Color.RED, Color.GREEN)));
    }
    return new Cohort("c1", features, members, Optional.of(new Point(1, 2)));
  }

  private static Map<Color, List<Integer>> enumMap(boolean reverse) {
    Map<Color, List<Integer>> m = reverse ? new HashMap<>() : new java.util.EnumMap<>(Color.class);
    List<Color> order = new ArrayList<>(List.of(Color.values()));
    if (reverse) {
      Collections.reverse(order);
    }
    for (Color c : order) {
      m.put(c, reverse ? Arrays.asList(c.ordinal(), 10) : List.of(c.ordinal(), 10));
    }
    return m;
  }

  /** A map whose keys are unequal objects with equal state (identity hash codes). */
  private static Map<Key, Integer> plainKeys(boolean reverse) {
    Map<Key, Integer> m = reverse ? new HashMap<>() : new LinkedHashMap<>();
    if (reverse) {
      m.put(new Key("k"), 2);
      m.put(new Key("j"), 0);
      m.put(new Key("k"), 1);
    } else {
      m.put(new Key("k"), 1);
      m.put(new Key("k"), 2);
      m.put(new Key("j"), 0);
    }
    return m;
  }
}
