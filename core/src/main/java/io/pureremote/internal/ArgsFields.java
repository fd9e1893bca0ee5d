package io.pureremote.internal;

import java.lang.invoke.MethodHandle;
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
 * reflection. Computed once per class; a class whose state cannot be read gets a {@link
 * #problem()}.
 *
 * <p>It also holds what the encoder writes for the class on every value, computed once: the header
 * ({@code tag str(class) varint(n)}, see {@link ArgsTag}), each slot's {@code str(name)}, and how
 * each slot's value is read ({@link Read}: declared primitives without boxing).
 */
final class ArgsFields {
  /**
   * How a slot's value is read and written. {@link #OBJECT} reads it with {@link Field#get} and
   * encodes it by its runtime class; the others read the declared primitive (or {@code String}, a
   * final class) directly and write exactly the bytes {@link #OBJECT} would write for it.
   */
  enum Read {
    BOOLEAN,
    BYTE,
    SHORT,
    CHAR,
    INT,
    LONG,
    FLOAT,
    DOUBLE,
    STRING,
    OBJECT
  }

  /**
   * One encoded name and the field holding its value.
   *
   * @param name the name written in the key
   * @param field the field, made accessible
   * @param encodedName {@code str(name)}: the name as the encoding writes it
   * @param read how the value is read
   */
  record Slot(String name, Field field, byte[] encodedName, Read read) {
    static Slot of(String name, Field field) {
      return new Slot(name, field, ArgsWriter.sizedUtf8(name), readOf(field.getType()));
    }
  }

  /**
   * A step of the encoder's walk over a value's slots: either one slot read by reflection ({@code
   * run} null) or a run of consecutive primitive and string slots written by one handle ({@link
   * ArgsSlotWriters}; {@code slot} is its first).
   *
   * @param slot the slot, or the first of the run
   * @param run the handle writing the run, of type {@link ArgsSlotWriters#RUN}; null for one slot
   */
  record Part(Slot slot, MethodHandle run) {}

  private static final ClassValue<ArgsFields> CACHE =
      new ClassValue<>() {
        @Override
        protected ArgsFields computeValue(Class<?> type) {
          return type.isRecord() ? ofRecord(type) : ofPojo(type);
        }
      };

  private final List<Slot> slots;
  private final Part[] parts;
  private final String problem;
  private final byte[] header;
  private final boolean flat;

  private ArgsFields(Class<?> c, List<Slot> slots) {
    this.slots = List.copyOf(slots);
    this.parts = parts(slots.toArray(new Slot[0]));
    this.problem = null;
    this.header = header(c, slots.size());
    boolean flat = true;
    for (Slot slot : slots) {
      flat &= holdsNoObjects(slot.field().getType());
    }
    this.flat = flat;
  }

  private ArgsFields(String problem) {
    this.slots = List.of();
    this.parts = new Part[0];
    this.problem = problem;
    this.header = new byte[0];
    this.flat = false;
  }

  /** The cached layout of a record or plain class. */
  static ArgsFields of(Class<?> c) {
    return CACHE.get(c);
  }

  /** What to encode, in encoding order (empty when {@link #problem()} is set). */
  List<Slot> slots() {
    return slots;
  }

  /** How the encoder walks the slots, in order. Callers do not modify it. */
  Part[] parts() {
    return parts;
  }

  private static Part[] parts(Slot[] slots) {
    List<Part> parts = new ArrayList<>();
    for (int i = 0; i < slots.length; ) {
      int end = i;
      while (end < slots.length && slots[end].read() != Read.OBJECT) {
        end++;
      }
      MethodHandle run = end > i ? ArgsSlotWriters.run(slots, i, end) : null;
      if (run != null) {
        parts.add(new Part(slots[i], run));
        i = end;
      } else {
        parts.add(new Part(slots[i], null));
        i++;
      }
    }
    return parts.toArray(new Part[0]);
  }

  /** Why the state cannot be read, as a noun phrase; null when it can. */
  String problem() {
    return problem;
  }

  /**
   * The prefix of every value of the class: {@code RECORD|POJO str(class) varint(slots)}. Callers
   * do not modify it.
   */
  byte[] header() {
    return header;
  }

  /**
   * Whether every slot's declared type holds only values that contain no other object
   * (primitives, strings, boxes, enum constants, primitive arrays), so a value of the class cannot
   * reach itself and needs no cycle check.
   */
  boolean flat() {
    return flat;
  }

  private static byte[] header(Class<?> c, int slotCount) {
    byte[] name = ArgsWriter.sizedUtf8(c.getName());
    byte[] count = ArgsWriter.varInt(slotCount);
    byte[] header = new byte[1 + name.length + count.length];
    header[0] = (byte) (c.isRecord() ? ArgsTag.RECORD : ArgsTag.POJO);
    System.arraycopy(name, 0, header, 1, name.length);
    System.arraycopy(count, 0, header, 1 + name.length, count.length);
    return header;
  }

  private static Read readOf(Class<?> type) {
    if (type == boolean.class) {
      return Read.BOOLEAN;
    } else if (type == byte.class) {
      return Read.BYTE;
    } else if (type == short.class) {
      return Read.SHORT;
    } else if (type == char.class) {
      return Read.CHAR;
    } else if (type == int.class) {
      return Read.INT;
    } else if (type == long.class) {
      return Read.LONG;
    } else if (type == float.class) {
      return Read.FLOAT;
    } else if (type == double.class) {
      return Read.DOUBLE;
    } else if (type == String.class) {
      return Read.STRING;
    }
    return Read.OBJECT;
  }

  /** A declared type none of whose values contains a reference to another object. */
  private static boolean holdsNoObjects(Class<?> type) {
    if (type.isPrimitive() || type.isEnum()) {
      return true; // an enum constant is encoded by its name, never by its fields
    }
    if (type.isArray()) {
      return type.getComponentType().isPrimitive();
    }
    return type == String.class
        || type == Boolean.class
        || type == Byte.class
        || type == Short.class
        || type == Character.class
        || type == Integer.class
        || type == Long.class
        || type == Float.class
        || type == Double.class;
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
        return new ArgsFields(problem);
      }
      slots.add(Slot.of(rc.getName(), f));
    }
    return new ArgsFields(c, slots);
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
        return new ArgsFields(problem);
      }
      // A field hidden by a subclass field of the same name is qualified by its declaring class.
      String name =
          counts.get(f.getName()) > 1
              ? f.getDeclaringClass().getName() + "#" + f.getName()
              : f.getName();
      slots.add(Slot.of(name, f));
    }
    slots.sort(Comparator.comparing(Slot::name));
    return new ArgsFields(c, slots);
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
