package io.pureremote.orchestrator.cli;

import java.lang.reflect.Array;
import java.lang.reflect.Field;
import java.lang.reflect.Modifier;
import java.lang.reflect.RecordComponent;
import java.util.ArrayList;
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
 */
final class ArgsDiff {
  private static final int MAX_DIFFERENCES = 50;
  private static final int MAX_VALUE = 80;

  private final List<String> differences = new ArrayList<>();
  private int omitted;

  private ArgsDiff() {}

  /** The differences, as {@code path: a ≠ b} lines; empty when the arguments are equal. */
  static List<String> diff(Object[] a, Object[] b) {
    ArgsDiff d = new ArgsDiff();
    if (a.length != b.length) {
      d.add("args: " + a.length + " arguments ≠ " + b.length + " arguments");
    }
    for (int i = 0; i < Math.min(a.length, b.length); i++) {
      d.walk("args[" + i + "]", a[i], b[i], 0);
    }
    if (d.omitted > 0) {
      d.differences.add("… and " + d.omitted + " more " + (d.omitted == 1 ? "difference" : "differences"));
    }
    return d.differences;
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

  /** Types compared whole: JDK value types and enums. */
  private static boolean isValue(Class<?> c) {
    String n = c.getName();
    return c.isPrimitive() || c.isEnum() || (c.getSuperclass() != null && c.getSuperclass().isEnum())
        || n.startsWith("java.") || n.startsWith("javax.") || n.startsWith("jdk.");
  }

  private void add(String line) {
    if (differences.size() < MAX_DIFFERENCES) {
      differences.add(line);
    } else {
      omitted++;
    }
  }

  private void walk(String path, Object a, Object b, int depth) {
    if (a == b) {
      return;
    }
    Kind ka = kind(a);
    Kind kb = kind(b);
    if (ka == Kind.NULL || kb == Kind.NULL) {
      add(path + ": " + show(a) + " ≠ " + show(b));
      return;
    }
    boolean sameClassNeeded = ka == Kind.RECORD || ka == Kind.OBJECT || ka == Kind.VALUE;
    if (ka != kb || (sameClassNeeded && a.getClass() != b.getClass())) {
      add(path + ": type " + typeName(a) + " ≠ " + typeName(b) + " (" + show(a) + " ≠ " + show(b) + ")");
      return;
    }
    if (depth > 64) {
      if (!Objects.equals(a, b)) {
        add(path + ": " + show(a) + " ≠ " + show(b));
      }
      return;
    }
    switch (ka) {
      case LIST -> sequence(path, new ArrayList<>((Collection<?>) a), new ArrayList<>((Collection<?>) b), depth);
      case ARRAY -> {
        if (a.getClass().getComponentType() != b.getClass().getComponentType()) {
          add(path + ": type " + typeName(a) + " ≠ " + typeName(b));
          return;
        }
        sequence(path, arrayList(a), arrayList(b), depth);
      }
      case SET -> {
        Set<?> sa = (Set<?>) a;
        Set<?> sb = (Set<?>) b;
        for (Object e : sa) {
          if (!sb.contains(e)) {
            add(path + ": element " + show(e) + " only in A");
          }
        }
        for (Object e : sb) {
          if (!sa.contains(e)) {
            add(path + ": element " + show(e) + " only in B");
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
            add(at + ": only in A (" + show(ma.get(k)) + ")");
          } else if (!ma.containsKey(k)) {
            add(at + ": only in B (" + show(mb.get(k)) + ")");
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
      add(path + ": " + show(a) + " ≠ " + show(b));
    }
  }

  private void sequence(String path, List<?> a, List<?> b, int depth) {
    if (a.size() != b.size()) {
      add(path + ": size " + a.size() + " ≠ " + b.size());
    }
    int common = Math.min(a.size(), b.size());
    for (int i = 0; i < common; i++) {
      walk(path + "[" + i + "]", a.get(i), b.get(i), depth + 1);
    }
    List<?> longer = a.size() > b.size() ? a : b;
    String side = a.size() > b.size() ? "A" : "B";
    if (longer.size() == common + 1) {
      add(path + "[" + common + "]: only in " + side + " (" + show(longer.get(common)) + ")");
    } else if (longer.size() > common) {
      add(path + "[" + common + ".." + (longer.size() - 1) + "]: " + (longer.size() - common) + " elements only in "
          + side + " (first " + show(longer.get(common)) + ")");
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
    String text = Render.value(v, MAX_VALUE);
    // Boxed numbers of other types look alike; say which.
    if (v instanceof Long || v instanceof Float || v instanceof Short || v instanceof Byte) {
      text += " (" + v.getClass().getSimpleName() + ")";
    }
    return text;
  }
}
