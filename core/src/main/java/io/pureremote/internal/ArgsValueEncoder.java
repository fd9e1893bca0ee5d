package io.pureremote.internal;

import io.pureremote.ArgumentKeyException;
import java.io.IOException;
import java.lang.invoke.MethodHandle;
import java.lang.reflect.Field;
import java.math.BigDecimal;
import java.math.BigInteger;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Collection;
import java.util.Comparator;
import java.util.IdentityHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.OptionalDouble;
import java.util.OptionalInt;
import java.util.OptionalLong;
import java.util.UUID;

/**
 * Walks one argument array and writes its canonical encoding (format in {@link ArgsTag}). One
 * instance per encoding: it tracks where it is ({@link ArgsPath}) and the objects on the current
 * path, to detect cycles.
 *
 * <p>The walk is per value, so its own cost is kept out of the per-element loop: the path is a
 * stack updated in place, a class's header and field names are encoded once ({@link ArgsFields}),
 * primitive fields are read without boxing, the class of the previous value is remembered (a list's
 * elements usually share one), and values of classes that cannot hold themselves ({@link
 * ArgsFields#flat()}) skip the cycle check.
 */
final class ArgsValueEncoder {
  static final int MAX_DEPTH = 256;

  /** Containers, records and plain objects currently being encoded, with their path's depth. */
  private final IdentityHashMap<Object, Integer> onPath = new IdentityHashMap<>();

  private final ArgsPath path = new ArgsPath();

  /** The last class classified, and its classification: a one-entry cache before the ClassValue. */
  private Class<?> lastClass;

  private ArgsKind.Classified lastClassified;

  /** The last record or plain class encoded, and its layout. */
  private Class<?> lastFieldsClass;

  private ArgsFields lastFields;

  void writeArgs(ArgsWriter w, Object[] args) throws IOException {
    Object[] all = args == null ? new Object[0] : args; // a proxy gets null for a no-arg method
    w.writeUtf8(ArgsEncoder.MAGIC);
    w.writeVarInt(ArgsEncoder.ENCODING_VERSION);
    w.writeVarInt(all.length);
    for (int i = 0; i < all.length; i++) {
      path.pushArg(i);
      write(w, all[i]);
      path.pop();
    }
  }

  private ArgsKind.Classified classify(Class<?> c) {
    if (c != lastClass) {
      lastClassified = ArgsKind.of(c);
      lastClass = c;
    }
    return lastClassified;
  }

  private ArgsFields fields(Class<?> c) {
    if (c != lastFieldsClass) {
      lastFields = ArgsFields.of(c);
      lastFieldsClass = c;
    }
    return lastFields;
  }

  /** Writes {@code v}, the value at the top of {@link #path}. */
  private void write(ArgsWriter w, Object v) throws IOException {
    if (v == null) {
      w.tag(ArgsTag.NULL);
      return;
    }
    ArgsKind.Classified classified = classify(v.getClass());
    // The single dispatch point. A new kind of value (e.g. BlobRef, keyed by its content hash) gets
    // an ArgsKind constant, a rule in ArgsKind.classify, a tag in ArgsTag and a case here.
    switch (classified.kind()) {
      case BOOLEAN -> {
        w.tag(ArgsTag.BOOLEAN);
        w.writeByte((Boolean) v ? 1 : 0);
      }
      case BYTE -> {
        w.tag(ArgsTag.BYTE);
        w.writeByte((Byte) v);
      }
      case SHORT -> {
        w.tag(ArgsTag.SHORT);
        w.writeShort((Short) v);
      }
      case INT -> {
        w.tag(ArgsTag.INT);
        w.writeInt((Integer) v);
      }
      case LONG -> {
        w.tag(ArgsTag.LONG);
        w.writeLong((Long) v);
      }
      case FLOAT -> {
        w.tag(ArgsTag.FLOAT);
        w.writeInt(Float.floatToIntBits((Float) v));
      }
      case DOUBLE -> {
        w.tag(ArgsTag.DOUBLE);
        w.writeLong(Double.doubleToLongBits((Double) v));
      }
      case CHAR -> {
        w.tag(ArgsTag.CHAR);
        w.writeChar((Character) v);
      }
      case STRING -> writeString(w, (String) v);
      case ENUM -> {
        Enum<?> e = (Enum<?>) v;
        w.tag(ArgsTag.ENUM);
        w.writeUtf8(e.getDeclaringClass().getName());
        w.writeUtf8(e.name());
      }
      case BIG_INTEGER -> {
        w.tag(ArgsTag.BIG_INTEGER);
        w.writeSized(((BigInteger) v).toByteArray());
      }
      case BIG_DECIMAL -> {
        // unscaled value + scale, like equals: 1.0 and 1.00 differ.
        BigDecimal d = (BigDecimal) v;
        w.tag(ArgsTag.BIG_DECIMAL);
        w.writeSized(d.unscaledValue().toByteArray());
        w.writeInt(d.scale());
      }
      case UUID -> {
        UUID u = (UUID) v;
        w.tag(ArgsTag.UUID);
        w.writeLong(u.getMostSignificantBits());
        w.writeLong(u.getLeastSignificantBits());
      }
      case BLOB_REF -> {
        // Keyed by content, so the same bytes give the same key from any file, stream or store.
        w.tag(ArgsTag.BLOB_REF);
        w.writeRaw(java.util.HexFormat.of().parseHex(((io.pureremote.BlobRef) v).sha256()));
      }
      case TEMPORAL -> {
        w.tag(ArgsTag.TEMPORAL);
        w.writeUtf8(v.getClass().getName());
        w.writeUtf8(v.toString());
      }
      case OPTIONAL -> {
        Optional<?> o = (Optional<?>) v;
        checkDepth(v);
        w.tag(ArgsTag.OPTIONAL);
        w.writeByte(o.isPresent() ? 1 : 0);
        if (o.isPresent()) {
          path.pushOptionalValue();
          write(w, o.get());
          path.pop();
        }
      }
      case OPTIONAL_INT -> {
        OptionalInt o = (OptionalInt) v;
        w.tag(ArgsTag.OPTIONAL_INT);
        w.writeByte(o.isPresent() ? 1 : 0);
        if (o.isPresent()) {
          w.writeInt(o.getAsInt());
        }
      }
      case OPTIONAL_LONG -> {
        OptionalLong o = (OptionalLong) v;
        w.tag(ArgsTag.OPTIONAL_LONG);
        w.writeByte(o.isPresent() ? 1 : 0);
        if (o.isPresent()) {
          w.writeLong(o.getAsLong());
        }
      }
      case OPTIONAL_DOUBLE -> {
        OptionalDouble o = (OptionalDouble) v;
        w.tag(ArgsTag.OPTIONAL_DOUBLE);
        w.writeByte(o.isPresent() ? 1 : 0);
        if (o.isPresent()) {
          w.writeLong(Double.doubleToLongBits(o.getAsDouble()));
        }
      }
      case BOOLEAN_ARRAY -> {
        boolean[] a = (boolean[]) v;
        arrayHeader(w, ArgsTag.BOOLEAN_ARRAY, a.length);
        w.writeBooleans(a);
      }
      case BYTE_ARRAY -> {
        byte[] a = (byte[]) v;
        arrayHeader(w, ArgsTag.BYTE_ARRAY, a.length);
        w.writeRaw(a);
      }
      case SHORT_ARRAY -> {
        short[] a = (short[]) v;
        arrayHeader(w, ArgsTag.SHORT_ARRAY, a.length);
        w.writeShorts(a);
      }
      case CHAR_ARRAY -> {
        char[] a = (char[]) v;
        arrayHeader(w, ArgsTag.CHAR_ARRAY, a.length);
        w.writeChars(a);
      }
      case INT_ARRAY -> {
        int[] a = (int[]) v;
        arrayHeader(w, ArgsTag.INT_ARRAY, a.length);
        w.writeInts(a);
      }
      case LONG_ARRAY -> {
        long[] a = (long[]) v;
        arrayHeader(w, ArgsTag.LONG_ARRAY, a.length);
        w.writeLongs(a);
      }
      case FLOAT_ARRAY -> {
        float[] a = (float[]) v;
        arrayHeader(w, ArgsTag.FLOAT_ARRAY, a.length);
        w.writeFloats(a);
      }
      case DOUBLE_ARRAY -> {
        double[] a = (double[]) v;
        arrayHeader(w, ArgsTag.DOUBLE_ARRAY, a.length);
        w.writeDoubles(a);
      }
      case RECORD, POJO -> writeFields(w, v);
      case OBJECT_ARRAY, LIST, QUEUE, SET, MAP -> writeComposite(w, v, classified.kind());
      case REFUSED ->
          throw new ArgumentKeyException(path.toString(), typeName(v), "is " + classified.reason());
    }
  }

  /** Containers: checked for cycles and depth. */
  private void writeComposite(ArgsWriter w, Object v, ArgsKind kind) throws IOException {
    checkDepth(v);
    enter(v);
    try {
      switch (kind) {
        case OBJECT_ARRAY -> writeObjectArray(w, (Object[]) v);
        case LIST -> writeList(w, ArgsTag.LIST, (Collection<?>) v);
        case QUEUE -> writeList(w, ArgsTag.QUEUE, (Collection<?>) v);
        case SET -> {
          writeComparator(w, ArgsTag.SORTED_SET, v);
          writeSet(w, (Collection<?>) v);
        }
        case MAP -> {
          writeComparator(w, ArgsTag.SORTED_MAP, v);
          writeMap(w, (Map<?, ?>) v);
        }
        default -> throw new IllegalArgumentException("not a container kind: " + kind);
      }
    } finally {
      onPath.remove(v);
    }
  }

  /** Puts {@code v} on the current path, or fails if it already is (a cycle). */
  private void enter(Object v) {
    Integer ancestor = onPath.putIfAbsent(v, path.depth());
    if (ancestor != null) {
      throw new ArgumentKeyException(
          path.toString(),
          typeName(v),
          "is reachable from itself (the same object is being encoded at "
              + path.toString(ancestor)
              + "): a cyclic value has no canonical key");
    }
  }

  private void writeObjectArray(ArgsWriter w, Object[] a) throws IOException {
    w.tag(ArgsTag.OBJECT_ARRAY);
    w.writeUtf8(a.getClass().getComponentType().getName());
    w.writeVarInt(a.length);
    path.pushIndex(0);
    for (int i = 0; i < a.length; i++) {
      path.setIndex(i);
      write(w, a[i]);
    }
    path.pop();
  }

  private void writeList(ArgsWriter w, int tag, Collection<?> c) throws IOException {
    int size = c.size();
    w.tag(tag);
    w.writeVarInt(size);
    int i = 0;
    path.pushIndex(0);
    for (Object e : c) {
      if (i == size) {
        path.pop();
        throw changedSize(c);
      }
      path.setIndex(i++);
      write(w, e);
    }
    path.pop();
    if (i != size) {
      throw changedSize(c);
    }
  }

  /**
   * The prefix of a sorted set or map whose comparator is not natural order; nothing otherwise, so
   * natural-order TreeSet/TreeMap keep the key of any other set or map with equal contents.
   */
  private void writeComparator(ArgsWriter w, int tag, Object v) throws IOException {
    Comparator<?> c = ArgsComparators.of(v);
    if (c == null) {
      return;
    }
    String jdk = ArgsComparators.jdkName(c);
    ArgsKind kind = ArgsKind.of(c.getClass()).kind();
    if (jdk == null && (kind == ArgsKind.REFUSED || ArgsRefusals.isJdk(c.getClass()))) {
      throw new ArgumentKeyException(
          path.toString(),
          typeName(v),
          "has a comparator (" + c.getClass().getName() + ") that " + ArgsComparators.UNSTABLE);
    }
    w.tag(tag);
    if (jdk != null) {
      writeString(w, jdk);
    } else {
      path.pushName("comparator()");
      write(w, c);
      path.pop();
    }
  }

  /**
   * Elements in the order of their encodings, so any set implementation and order gives one key.
   */
  private void writeSet(ArgsWriter w, Collection<?> set) throws IOException {
    ArgsWriter scratch = ArgsWriter.inMemory();
    List<byte[]> encodings = new ArrayList<>(set.size());
    path.pushSetElement();
    for (Object e : set) {
      scratch.reset();
      write(scratch, e);
      encodings.add(scratch.toByteArray());
    }
    path.pop();
    encodings.sort(Arrays::compareUnsigned);
    w.tag(ArgsTag.SET);
    w.writeVarInt(encodings.size());
    for (byte[] e : encodings) {
      w.writeRaw(e);
    }
  }

  private record KeyedEntry(byte[] key, Object keyValue, Object value) {}

  /**
   * Entries in the order of their key encodings. Only keys are buffered; values stream straight to
   * {@code w}, unless two keys encode alike (unequal objects with equal state): then those entries
   * are ordered by their value encodings too.
   */
  private void writeMap(ArgsWriter w, Map<?, ?> map) throws IOException {
    ArgsWriter scratch = ArgsWriter.inMemory();
    List<KeyedEntry> entries = new ArrayList<>(map.size());
    path.pushMapKey();
    for (Map.Entry<?, ?> e : map.entrySet()) {
      scratch.reset();
      write(scratch, e.getKey());
      entries.add(new KeyedEntry(scratch.toByteArray(), e.getKey(), e.getValue()));
    }
    path.pop();
    entries.sort((a, b) -> Arrays.compareUnsigned(a.key(), b.key()));
    w.tag(ArgsTag.MAP);
    w.writeVarInt(entries.size());
    for (int i = 0; i < entries.size(); ) {
      int end = i + 1;
      while (end < entries.size() && Arrays.equals(entries.get(i).key(), entries.get(end).key())) {
        end++;
      }
      if (end == i + 1) {
        KeyedEntry e = entries.get(i);
        w.writeRaw(e.key());
        path.pushMapValue(e.keyValue(), i);
        write(w, e.value());
        path.pop();
      } else {
        List<byte[]> values = new ArrayList<>();
        for (int k = i; k < end; k++) {
          scratch.reset();
          path.pushMapValue(entries.get(k).keyValue(), k);
          write(scratch, entries.get(k).value());
          path.pop();
          values.add(scratch.toByteArray());
        }
        values.sort(Arrays::compareUnsigned);
        for (byte[] value : values) {
          w.writeRaw(entries.get(i).key());
          w.writeRaw(value);
        }
      }
      i = end;
    }
  }

  /**
   * A record or plain object: its header, then each slot's name and value. Checked for depth, and
   * for cycles unless its class is {@link ArgsFields#flat()}.
   */
  private void writeFields(ArgsWriter w, Object v) throws IOException {
    checkDepth(v);
    ArgsFields fields = fields(v.getClass());
    if (fields.flat()) {
      writeSlots(w, v, fields);
      return;
    }
    enter(v);
    try {
      writeSlots(w, v, fields);
    } finally {
      onPath.remove(v);
    }
  }

  private void writeSlots(ArgsWriter w, Object v, ArgsFields fields) throws IOException {
    if (fields.problem() != null) {
      throw new ArgumentKeyException(path.toString(), typeName(v), "is " + fields.problem());
    }
    w.writeRaw(fields.header());
    ArgsFields.Part[] parts = fields.parts();
    if (parts.length == 0) {
      return;
    }
    path.pushName(parts[0].slot().name());
    for (ArgsFields.Part part : parts) {
      if (part.run() != null) {
        writeRun(part.run(), v, w);
        continue;
      }
      ArgsFields.Slot slot = part.slot();
      path.setName(slot.name());
      w.writeRaw(slot.encodedName());
      try {
        writeSlot(w, v, slot);
      } catch (IllegalAccessException e) {
        throw new ArgumentKeyException(
            path.toString(), typeName(v), "could not be read: " + e.getMessage());
      }
    }
    path.pop();
  }

  private static void writeRun(MethodHandle run, Object v, ArgsWriter w) throws IOException {
    try {
      run.invokeExact(v, w);
    } catch (IOException | RuntimeException | Error e) {
      throw e;
    } catch (Throwable e) {
      throw new IllegalStateException("a field run threw " + e, e); // its writes throw no other
    }
  }

  /** One slot's value: what {@link #write} writes for it, read without boxing where declared. */
  private void writeSlot(ArgsWriter w, Object v, ArgsFields.Slot slot)
      throws IOException, IllegalAccessException {
    Field f = slot.field();
    switch (slot.read()) {
      case BOOLEAN -> {
        w.tag(ArgsTag.BOOLEAN);
        w.writeByte(f.getBoolean(v) ? 1 : 0);
      }
      case BYTE -> {
        w.tag(ArgsTag.BYTE);
        w.writeByte(f.getByte(v));
      }
      case SHORT -> {
        w.tag(ArgsTag.SHORT);
        w.writeShort(f.getShort(v));
      }
      case CHAR -> {
        w.tag(ArgsTag.CHAR);
        w.writeChar(f.getChar(v));
      }
      case INT -> {
        w.tag(ArgsTag.INT);
        w.writeInt(f.getInt(v));
      }
      case LONG -> {
        w.tag(ArgsTag.LONG);
        w.writeLong(f.getLong(v));
      }
      case FLOAT -> {
        w.tag(ArgsTag.FLOAT);
        w.writeInt(Float.floatToIntBits(f.getFloat(v)));
      }
      case DOUBLE -> {
        w.tag(ArgsTag.DOUBLE);
        w.writeLong(Double.doubleToLongBits(f.getDouble(v)));
      }
      case STRING -> {
        Object s = f.get(v);
        if (s == null) {
          w.tag(ArgsTag.NULL);
        } else {
          writeString(w, (String) s);
        }
      }
      case OBJECT -> write(w, f.get(v));
    }
  }

  /**
   * Strings as UTF-8 when well-formed. UTF-8 turns every unpaired surrogate into '?', so such
   * strings are written as their exact UTF-16 units under another tag to keep keys distinct.
   */
  static void writeString(ArgsWriter w, String s) throws IOException {
    if (ArgsWriter.isAscii(s)) {
      w.tag(ArgsTag.STRING); // ASCII is well-formed, and its own UTF-8
      w.writeAscii(s);
    } else if (isWellFormed(s)) {
      w.tag(ArgsTag.STRING);
      w.writeSized(s.getBytes(StandardCharsets.UTF_8));
    } else {
      w.tag(ArgsTag.STRING_UTF16);
      w.writeVarInt(s.length());
      w.writeChars(s.toCharArray());
    }
  }

  private static boolean isWellFormed(String s) {
    for (int i = 0; i < s.length(); i++) {
      char c = s.charAt(i);
      if (Character.isHighSurrogate(c)
          && i + 1 < s.length()
          && Character.isLowSurrogate(s.charAt(i + 1))) {
        i++;
      } else if (Character.isSurrogate(c)) {
        return false;
      }
    }
    return true;
  }

  private static void arrayHeader(ArgsWriter w, int tag, int length) throws IOException {
    w.tag(tag);
    w.writeVarInt(length);
  }

  private void checkDepth(Object v) {
    if (path.depth() > MAX_DEPTH) {
      throw new ArgumentKeyException(
          path.toString(),
          typeName(v),
          "is nested more than " + MAX_DEPTH + " levels deep: flatten the value");
    }
  }

  private ArgumentKeyException changedSize(Collection<?> c) {
    return new ArgumentKeyException(
        path.toString(),
        typeName(c),
        "changed size while its key was computed: do not modify arguments during a call");
  }

  private static String typeName(Object v) {
    return v.getClass().getTypeName();
  }
}
