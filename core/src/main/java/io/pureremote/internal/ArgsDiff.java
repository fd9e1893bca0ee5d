package io.pureremote.internal;

import io.pureremote.Keys.KeyDiff.Difference;

import java.lang.reflect.Array;
import java.lang.reflect.Field;
import java.lang.reflect.Modifier;
import java.lang.reflect.RecordComponent;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Collection;
import java.util.Comparator;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Set;

/**
 * Field-by-field differences between two decoded argument arrays, walked the way the canonical
 * encoding sees them: any {@code List} (or non-set collection) by index, any {@code Set} by
 * element, any {@code Map} by key, records by component, other objects by their non-static,
 * non-transient fields, and everything else (strings, numbers, enums, {@code java.time}, …) by
 * {@code equals}, which matches the encoding ({@code 1} vs {@code 1L} and {@code 1.0} vs {@code
 * 1.00} differ).
 *
 * <p>Shared by {@link io.pureremote.Keys#whyMiss} and the {@code pureremote why-miss} command, so
 * both name differences alike: {@code args[1].minLength: 4 ≠ 3}, {@code args[0].weights["x"]: only
 * in B (2.0)}, {@code args[0].ids: size 3 ≠ 2}.
 */
public final class ArgsDiff {
  /** Differences listed before the rest are only counted. */
  public static final int MAX_DIFFERENCES = 50;
  private static final int MAX_VALUE = 80;
  /** Shown for the side a value is missing from. */
  static final String ABSENT = "(absent)";

  private final List<Difference> differences = new ArrayList<>();
  private int omitted;

  private ArgsDiff() {}

  /**
   * The differences between two argument arrays.
   *
   * @param listed at most {@link #MAX_DIFFERENCES}, in walk order (argument by argument, depth first)
   * @param omitted how many more were found
   */
  public record Result(List<Difference> listed, int omitted) {
    /** Copies. */
    public Result {
      listed = List.copyOf(listed);
    }

    /** One line per listed difference, then {@code … and N more differences} if any were omitted. */
    public List<String> lines() {
      List<String> lines = new ArrayList<>();
      listed.forEach(d -> lines.add(d.text()));
      if (omitted > 0) {
        lines.add("… and " + omitted + " more " + (omitted == 1 ? "difference" : "differences"));
      }
      return lines;
    }
  }

  /** The differences between {@code a} and {@code b}; none when the arguments are equal. */
  public static Result diff(Object[] a, Object[] b) {
    ArgsDiff d = new ArgsDiff();
    if (a.length != b.length) {
      d.add("args", a.length + " arguments", b.length + " arguments",
          "args: " + a.length + " arguments ≠ " + b.length + " arguments");
    }
    for (int i = 0; i < Math.min(a.length, b.length); i++) {
      d.walk("args[" + i + "]", a[i], b[i], 0);
    }
    return new Result(d.differences, d.omitted);
  }

  private enum Kind { NULL, LIST, SET, MAP, ARRAY, RECORD, OBJECT, VALUE }

  private static Kind kind(Object v) {
    if (v == null) {
      return Kind.NULL;
    }
    Class<?> c = v.getClass();
    if (v instanceof Set<?>) {
      return Kind.SET;
    }
    if (v instanceof Collection<?>) {
      return Kind.LIST;
    }
    if (v instanceof Map<?, ?>) {
      return Kind.MAP;
    }
    if (c.isArray()) {
      return Kind.ARRAY;
    }
    if (c.isRecord()) {
      return Kind.RECORD;
    }
    if (isValue(c)) {
      return Kind.VALUE;
    }
    return Kind.OBJECT;
  }

  /**
   * What the key tells apart between two containers of one diff kind beyond their contents: a list
   * vs a queue/deque, or the comparator of a sorted set or map. Null when nothing.
   */
  private static String containerDifference(Object a, Object b, Kind kind) {
    if (kind == Kind.LIST) {
      boolean qa = isQueue(a);
      boolean qb = isQueue(b);
      return qa == qb ? null : (qa ? "deque/queue" : "list") + " vs " + (qb ? "deque/queue" : "list");
    }
    if (kind == Kind.SET || kind == Kind.MAP) {
      Comparator<?> ca = ArgsComparators.of(a);
      Comparator<?> cb = ArgsComparators.of(b);
      String da = ArgsComparators.describe(ca);
      String db = ArgsComparators.describe(cb);
      if (!da.equals(db) || (ca instanceof Record && !ca.equals(cb))) {
        return "comparator differs: " + da + " ≠ " + db;
      }
    }
    return null;
  }

  /** The same rule as ArgsKind's QUEUE: a LinkedList is a list. */
  private static boolean isQueue(Object v) {
    return v instanceof java.util.Queue<?> && !(v instanceof List<?>);
  }

  /** Types compared whole: JDK value types and enums. */
  private static boolean isValue(Class<?> c) {
    String n = c.getName();
    return c.isPrimitive() || c.isEnum() || (c.getSuperclass() != null && c.getSuperclass().isEnum())
        || n.startsWith("java.") || n.startsWith("javax.") || n.startsWith("jdk.");
  }

  private void add(String path, String a, String b, String line) {
    if (differences.size() < MAX_DIFFERENCES) {
      differences.add(new Difference(path, a, b, line));
    } else {
      omitted++;
    }
  }

  /** The usual case: {@code path: a ≠ b}. */
  private void add(String path, Object a, Object b) {
    String sa = show(a);
    String sb = show(b);
    add(path, sa, sb, path + ": " + sa + " ≠ " + sb);
  }

  private void walk(String path, Object a, Object b, int depth) {
    if (a == b) {
      return;
    }
    Kind ka = kind(a);
    Kind kb = kind(b);
    if (ka == Kind.NULL || kb == Kind.NULL) {
      add(path, a, b);
      return;
    }
    boolean sameClassNeeded = ka == Kind.RECORD || ka == Kind.OBJECT || ka == Kind.VALUE;
    if (ka != kb || (sameClassNeeded && a.getClass() != b.getClass())) {
      String sa = show(a);
      String sb = show(b);
      add(path, sa + " (" + typeName(a) + ")", sb + " (" + typeName(b) + ")",
          path + ": type " + typeName(a) + " ≠ " + typeName(b) + " (" + sa + " ≠ " + sb + ")");
      return;
    }
    if (depth > 64) {
      if (!Objects.equals(a, b)) {
        add(path, a, b);
      }
      return;
    }
    String container = containerDifference(a, b, ka);
    if (container != null) {
      String sa = show(a);
      String sb = show(b);
      add(path, sa + " (" + typeName(a) + ")", sb + " (" + typeName(b) + ")",
          path + ": " + container + " (" + sa + " ≠ " + sb + ")");
      return;
    }
    switch (ka) {
      case LIST -> sequence(path, new ArrayList<>((Collection<?>) a), new ArrayList<>((Collection<?>) b), depth);
      case ARRAY -> {
        if (a.getClass().getComponentType() != b.getClass().getComponentType()) {
          add(path, typeName(a), typeName(b), path + ": type " + typeName(a) + " ≠ " + typeName(b));
          return;
        }
        sequence(path, arrayList(a), arrayList(b), depth);
      }
      case SET -> {
        Set<?> sa = (Set<?>) a;
        Set<?> sb = (Set<?>) b;
        for (Object e : sa) {
          if (!sb.contains(e)) {
            add(path, show(e), ABSENT, path + ": element " + show(e) + " only in A");
          }
        }
        for (Object e : sb) {
          if (!sa.contains(e)) {
            add(path, ABSENT, show(e), path + ": element " + show(e) + " only in B");
          }
        }
      }
      case MAP -> {
        Map<?, ?> ma = (Map<?, ?>) a;
        Map<?, ?> mb = (Map<?, ?>) b;
        List<Object> keys = new ArrayList<>(ma.keySet());
        for (Object k : mb.keySet()) {
          if (!ma.containsKey(k)) {
            keys.add(k);
          }
        }
        keys.sort(Comparator.comparing(String::valueOf));
        for (Object k : keys) {
          String at = path + "[" + show(k) + "]";
          if (!mb.containsKey(k)) {
            add(at, show(ma.get(k)), ABSENT, at + ": only in A (" + show(ma.get(k)) + ")");
          } else if (!ma.containsKey(k)) {
            add(at, ABSENT, show(mb.get(k)), at + ": only in B (" + show(mb.get(k)) + ")");
          } else {
            walk(at, ma.get(k), mb.get(k), depth + 1);
          }
        }
      }
      case RECORD -> {
        for (RecordComponent rc : a.getClass().getRecordComponents()) {
          try {
            var accessor = rc.getAccessor();
            accessor.setAccessible(true);
            walk(path + "." + rc.getName(), accessor.invoke(a), accessor.invoke(b), depth + 1);
          } catch (ReflectiveOperationException | RuntimeException e) {
            compareWhole(path, a, b);
            return;
          }
        }
      }
      case OBJECT -> {
        List<Field> fields = new ArrayList<>();
        for (Class<?> c = a.getClass(); c != null && c != Object.class; c = c.getSuperclass()) {
          for (Field f : c.getDeclaredFields()) {
            if (!Modifier.isStatic(f.getModifiers()) && !Modifier.isTransient(f.getModifiers())) {
              fields.add(f);
            }
          }
        }
        fields.sort(Comparator.comparing(Field::getName));
        for (Field f : fields) {
          try {
            f.setAccessible(true);
            walk(path + "." + f.getName(), f.get(a), f.get(b), depth + 1);
          } catch (ReflectiveOperationException | RuntimeException e) {
            compareWhole(path, a, b);
            return;
          }
        }
      }
      default -> compareWhole(path, a, b);
    }
  }

  private void compareWhole(String path, Object a, Object b) {
    if (!Objects.equals(a, b)) {
      add(path, a, b);
    }
  }

  private void sequence(String path, List<?> a, List<?> b, int depth) {
    if (a.size() != b.size()) {
      add(path, "size " + a.size(), "size " + b.size(), path + ": size " + a.size() + " ≠ " + b.size());
    }
    int common = Math.min(a.size(), b.size());
    for (int i = 0; i < common; i++) {
      walk(path + "[" + i + "]", a.get(i), b.get(i), depth + 1);
    }
    List<?> longer = a.size() > b.size() ? a : b;
    String side = a.size() > b.size() ? "A" : "B";
    if (longer.size() == common + 1) {
      String at = path + "[" + common + "]";
      String v = show(longer.get(common));
      add(at, side.equals("A") ? v : ABSENT, side.equals("A") ? ABSENT : v, at + ": only in " + side + " (" + v + ")");
    } else if (longer.size() > common) {
      String at = path + "[" + common + ".." + (longer.size() - 1) + "]";
      String v = (longer.size() - common) + " elements (first " + show(longer.get(common)) + ")";
      add(at, side.equals("A") ? v : ABSENT, side.equals("A") ? ABSENT : v, at + ": " + (longer.size() - common)
          + " elements only in " + side + " (first " + show(longer.get(common)) + ")");
    }
  }

  private static List<Object> arrayList(Object array) {
    int n = Array.getLength(array);
    List<Object> list = new ArrayList<>(n);
    for (int i = 0; i < n; i++) {
      list.add(Array.get(array, i));
    }
    return list;
  }

  private static String typeName(Object v) {
    return v == null ? "null" : v.getClass().getSimpleName().isEmpty() ? v.getClass().getName() : v.getClass().getSimpleName();
  }

  private static String show(Object v) {
    String text = render(v, MAX_VALUE);
    // Boxed numbers of other types look alike; say which.
    if (v instanceof Long || v instanceof Float || v instanceof Short || v instanceof Byte) {
      text += " (" + v.getClass().getSimpleName() + ")";
    }
    return text;
  }

  /** A value as shown to people: strings quoted, arrays expanded, long text truncated (as the CLI shows values). */
  public static String render(Object value, int max) {
    String text;
    if (value == null) {
      text = "null";
    } else if (value instanceof String s) {
      text =
          "\""
              + escapeLoneSurrogates(
                  s.replace("\\", "\\\\").replace("\"", "\\\"").replace("\n", "\\n"))
              + "\"";
    } else if (value instanceof Character c) {
      text = "'" + escapeLoneSurrogates(String.valueOf(c)) + "'";
    } else if (value.getClass().isArray()) {
      text = Arrays.deepToString(new Object[] {value});
      text = text.substring(1, text.length() - 1);
    } else {
      text = String.valueOf(value);
    }
    if (text.length() <= max) {
      return text;
    }
    // Never cut a surrogate pair in two: its first half alone would print as '?'.
    int cut = max > 0 && Character.isHighSurrogate(text.charAt(max - 1)) ? max - 1 : max;
    return text.substring(0, cut) + "… (" + text.length() + " chars)";
  }

  /**
   * An unpaired surrogate prints as '?' in UTF-8, so two different ones would read {@code "?" ≠
   * "?"}: show it as its Java escape (backslash, u, four hex digits) instead. Well-formed pairs
   * stay as they are.
   */
  private static String escapeLoneSurrogates(String s) {
    StringBuilder sb = null;
    for (int i = 0; i < s.length(); i++) {
      char c = s.charAt(i);
      boolean paired =
          Character.isHighSurrogate(c)
              && i + 1 < s.length()
              && Character.isLowSurrogate(s.charAt(i + 1));
      if (paired) {
        if (sb != null) {
          sb.append(c).append(s.charAt(i + 1));
        }
        i++;
      } else if (Character.isSurrogate(c)) {
        if (sb == null) {
          sb = new StringBuilder(s.substring(0, i));
        }
        sb.append(String.format("\\u%04X", (int) c));
      } else if (sb != null) {
        sb.append(c);
      }
    }
    return sb == null ? s : sb.toString();
  }
}
