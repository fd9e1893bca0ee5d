package io.pureremote.internal;

import java.lang.reflect.Field;
import java.lang.reflect.InaccessibleObjectException;
import java.lang.reflect.Modifier;
import java.lang.reflect.RecordComponent;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.HashMap;
import java.util.List;
import java.util.Map;

/**
 * The named state of a record (its components, in declaration order) or of a plain class (its
 * non-static, non-transient fields up to the first JDK superclass, sorted by name), read by
 * reflection. Computed once per class; a class whose state cannot be read gets a {@code problem}.
 *
 * @param slots what to encode, in encoding order (empty when {@code problem} is set)
 * @param problem why the state cannot be read, as a noun phrase; null when it can
 */
record ArgsFields(List<Slot> slots, String problem) {
  /** One encoded name and the field holding its value. */
  record Slot(String name, Field field) {}

  private static final ClassValue<ArgsFields> CACHE =
      new ClassValue<>() {
        @Override
        protected ArgsFields computeValue(Class<?> type) {
          return type.isRecord() ? ofRecord(type) : ofPojo(type);
        }
      };

  /** The cached layout of a record or plain class. */
  static ArgsFields of(Class<?> c) {
    return CACHE.get(c);
  }

  private static ArgsFields ofRecord(Class<?> c) {
    List<Slot> slots = new ArrayList<>();
    for (RecordComponent rc : c.getRecordComponents()) {
      Field f;
      try {
        f = c.getDeclaredField(rc.getName());
      } catch (NoSuchFieldException e) {
        throw new IllegalStateException(
            "record " + c.getName() + " has no field for component " + rc.getName(), e);
      }
      String problem = open(f);
      if (problem != null) {
        return new ArgsFields(List.of(), problem);
      }
      slots.add(new Slot(rc.getName(), f));
    }
    return new ArgsFields(List.copyOf(slots), null);
  }

  private static ArgsFields ofPojo(Class<?> c) {
    List<Field> fields = new ArrayList<>();
    Class<?> k = c;
    for (; k != null && !ArgsRefusals.isJdk(k); k = k.getSuperclass()) {
      for (Field f : k.getDeclaredFields()) {
        int mod = f.getModifiers();
        if (Modifier.isStatic(mod) || Modifier.isTransient(mod)) {
          continue;
        }
        if (f.isSynthetic()) {
          // this$0 or val$x: the value would drag in its enclosing object or captured locals.
          return new ArgsFields(
              List.of(),
              "a class that captures its enclosing instance or local variables (field '"
                  + f.getName()
                  + "'): make it a static nested class or a record");
        }
        fields.add(f);
      }
    }
    if (k != null && hasInstanceState(k)) {
      // Skipping the JDK superclass's fields would silently drop state from the key.
      return new ArgsFields(
          List.of(),
          "a subclass of "
              + k.getName()
              + ", whose state the key cannot see: pass a record instead");
    }
    Map<String, Integer> counts = new HashMap<>();
    fields.forEach(f -> counts.merge(f.getName(), 1, Integer::sum));
    List<Slot> slots = new ArrayList<>();
    for (Field f : fields) {
      String problem = open(f);
      if (problem != null) {
        return new ArgsFields(List.of(), problem);
      }
      // A field hidden by a subclass field of the same name is qualified by its declaring class.
      String name =
          counts.get(f.getName()) > 1
              ? f.getDeclaringClass().getName() + "#" + f.getName()
              : f.getName();
      slots.add(new Slot(name, f));
    }
    slots.sort(Comparator.comparing(Slot::name));
    return new ArgsFields(List.copyOf(slots), null);
  }

  private static boolean hasInstanceState(Class<?> jdkClass) {
    for (Class<?> k = jdkClass; k != null && k != Object.class; k = k.getSuperclass()) {
      for (Field f : k.getDeclaredFields()) {
        if (!Modifier.isStatic(f.getModifiers())) {
          return true;
        }
      }
    }
    return false;
  }

  private static String open(Field f) {
    Class<?> c = f.getDeclaringClass();
    try {
      f.setAccessible(true);
      return null;
    } catch (InaccessibleObjectException | SecurityException e) {
      return "a class whose fields Pure Remote cannot read: module "
          + c.getModule().getName()
          + " does not open package "
          + c.getPackageName()
          + " (add 'opens "
          + c.getPackageName()
          + ";' to its module-info)";
    }
  }
}
