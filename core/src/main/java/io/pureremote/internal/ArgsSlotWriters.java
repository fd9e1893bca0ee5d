package io.pureremote.internal;

import java.io.IOException;
import java.lang.invoke.MethodHandle;
import java.lang.invoke.MethodHandles;
import java.lang.invoke.MethodType;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Method handles that write a run of consecutive primitive and {@code String} slots of a record or
 * plain class: each slot's {@code str(name)}, tag and value, exactly the bytes the encoder's
 * per-slot path writes for them.
 *
 * <p>Why: a key of many small records is dominated by reading their fields. Reflection reads each
 * one through a field accessor (a virtual call, a type check, a method handle that the JIT cannot
 * inline, and a box for {@link java.lang.reflect.Field#get}). One handle per run, built once per
 * class from the fields' getters, is one call per run: once the JVM customizes it (after some
 * hundred calls), the getters and writes inside it are compiled inline.
 */
final class ArgsSlotWriters {
  private static final Logger log = LoggerFactory.getLogger(ArgsSlotWriters.class);
  private static final MethodHandles.Lookup LOOKUP = MethodHandles.lookup();

  /** The type of a run's handle: {@code (Object value, ArgsWriter w) -> void}. */
  static final MethodType RUN = MethodType.methodType(void.class, Object.class, ArgsWriter.class);

  private ArgsSlotWriters() {}

  /**
   * A handle of type {@link #RUN} that writes {@code slots[from]} to {@code slots[to - 1]}, none
   * of them {@link ArgsFields.Read#OBJECT}; null if the JVM refuses one (the caller then reads the
   * slots one by one).
   */
  static MethodHandle run(ArgsFields.Slot[] slots, int from, int to) {
    try {
      MethodHandle chain = null;
      for (int i = from; i < to; i++) {
        MethodHandle step = step(slots[i]);
        // foldArguments runs the earlier slots (the combiner) first, then this one.
        chain = chain == null ? step : MethodHandles.foldArguments(step, chain);
      }
      return chain;
    } catch (ReflectiveOperationException | RuntimeException e) {
      log.debug(
          "reading fields {} to {} of {} one by one: {}",
          from,
          to - 1,
          slots[from].field().getDeclaringClass().getName(),
          e.toString());
      return null;
    }
  }

  private static MethodHandle step(ArgsFields.Slot slot) throws ReflectiveOperationException {
    Class<?> type = slot.field().getType();
    // The field was made accessible, so the getter needs no access of this class's own.
    MethodHandle getter =
        LOOKUP.unreflectGetter(slot.field()).asType(MethodType.methodType(type, Object.class));
    MethodHandle put =
        LOOKUP.findStatic(
            ArgsSlotWriters.class,
            "put",
            MethodType.methodType(void.class, ArgsWriter.class, byte[].class, type));
    put = MethodHandles.insertArguments(put, 1, (Object) prefix(slot)); // (ArgsWriter, T)
    MethodHandle step = MethodHandles.filterArguments(put, 1, getter); // (ArgsWriter, Object)
    return MethodHandles.permuteArguments(step, RUN, 1, 0);
  }

  /** The slot's name, then the tag of its primitive (a string's tag depends on its value). */
  private static byte[] prefix(ArgsFields.Slot slot) {
    byte[] name = slot.encodedName();
    int tag =
        switch (slot.read()) {
          case BOOLEAN -> ArgsTag.BOOLEAN;
          case BYTE -> ArgsTag.BYTE;
          case SHORT -> ArgsTag.SHORT;
          case CHAR -> ArgsTag.CHAR;
          case INT -> ArgsTag.INT;
          case LONG -> ArgsTag.LONG;
          case FLOAT -> ArgsTag.FLOAT;
          case DOUBLE -> ArgsTag.DOUBLE;
          case STRING -> -1;
          case OBJECT -> throw new IllegalArgumentException("not a primitive slot: " + slot.name());
        };
    if (tag < 0) {
      return name;
    }
    byte[] prefix = java.util.Arrays.copyOf(name, name.length + 1);
    prefix[name.length] = (byte) tag;
    return prefix;
  }

  // The writes, one per declared type, found by findStatic above.

  private static void put(ArgsWriter w, byte[] prefix, boolean v) throws IOException {
    w.writeRaw(prefix);
    w.writeByte(v ? 1 : 0);
  }

  private static void put(ArgsWriter w, byte[] prefix, byte v) throws IOException {
    w.writeRaw(prefix);
    w.writeByte(v);
  }

  private static void put(ArgsWriter w, byte[] prefix, short v) throws IOException {
    w.writeRaw(prefix);
    w.writeShort(v);
  }

  private static void put(ArgsWriter w, byte[] prefix, char v) throws IOException {
    w.writeRaw(prefix);
    w.writeChar(v);
  }

  private static void put(ArgsWriter w, byte[] prefix, int v) throws IOException {
    w.writeRaw(prefix);
    w.writeInt(v);
  }

  private static void put(ArgsWriter w, byte[] prefix, long v) throws IOException {
    w.writeRaw(prefix);
    w.writeLong(v);
  }

  private static void put(ArgsWriter w, byte[] prefix, float v) throws IOException {
    w.writeRaw(prefix);
    w.writeInt(Float.floatToIntBits(v));
  }

  private static void put(ArgsWriter w, byte[] prefix, double v) throws IOException {
    w.writeRaw(prefix);
    w.writeLong(Double.doubleToLongBits(v));
  }

  private static void put(ArgsWriter w, byte[] prefix, String v) throws IOException {
    w.writeRaw(prefix);
    if (v == null) {
      w.tag(ArgsTag.NULL);
    } else {
      ArgsValueEncoder.writeString(w, v);
    }
  }
}
