package io.pureremote.internal;

import io.pureremote.ArgumentKeyException;
import java.io.IOException;
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
 * instance per encoding: it tracks the objects on the current path to detect cycles.
 */
final class ArgsValueEncoder {
  static final int MAX_DEPTH = 256;

  /** Containers, records and plain objects currently being encoded, with their paths. */
  private final IdentityHashMap<Object, ArgsPath> onPath = new IdentityHashMap<>();

  void writeArgs(ArgsWriter w, Object[] args) throws IOException {
    Object[] all = args == null ? new Object[0] : args; // a proxy gets null for a no-arg method
    w.writeUtf8(ArgsEncoder.MAGIC);
    w.writeVarInt(ArgsEncoder.ENCODING_VERSION);
    w.writeVarInt(all.length);
    for (int i = 0; i < all.length; i++) {
      write(w, all[i], ArgsPath.arg(i), 1);
    }
  }

  private void write(ArgsWriter w, Object v, ArgsPath path, int depth) throws IOException {
    if (v == null) {
      w.tag(ArgsTag.NULL);
      return;
    }
    ArgsKind.Classified classified = ArgsKind.of(v.getClass());
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
        checkDepth(v, path, depth);
        w.tag(ArgsTag.OPTIONAL);
        w.writeByte(o.isPresent() ? 1 : 0);
        if (o.isPresent()) {
          write(w, o.get(), path.optionalValue(), depth + 1);
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
      case OBJECT_ARRAY, LIST, QUEUE, SET, MAP, RECORD, POJO ->
          writeComposite(w, v, classified.kind(), path, depth);
      case REFUSED ->
          throw new ArgumentKeyException(path.toString(), typeName(v), "is " + classified.reason());
    }
  }

  /** Values that contain other values: checked for cycles and depth. */
  private void writeComposite(ArgsWriter w, Object v, ArgsKind kind, ArgsPath path, int depth)
      throws IOException {
    checkDepth(v, path, depth);
    ArgsPath ancestor = onPath.putIfAbsent(v, path);
    if (ancestor != null) {
      throw new ArgumentKeyException(
          path.toString(),
          typeName(v),
          "is reachable from itself (the same object is being encoded at "
              + ancestor
              + "): a cyclic value has no canonical key");
    }
    try {
      switch (kind) {
        case OBJECT_ARRAY -> writeObjectArray(w, (Object[]) v, path, depth);
        case LIST -> writeList(w, ArgsTag.LIST, (Collection<?>) v, path, depth);
        case QUEUE -> writeList(w, ArgsTag.QUEUE, (Collection<?>) v, path, depth);
        case SET -> {
          writeComparator(w, ArgsTag.SORTED_SET, v, path, depth);
          writeSet(w, (Collection<?>) v, path, depth);
        }
        case MAP -> {
          writeComparator(w, ArgsTag.SORTED_MAP, v, path, depth);
          writeMap(w, (Map<?, ?>) v, path, depth);
        }
        case RECORD -> writeFields(w, ArgsTag.RECORD, v, path, depth);
        case POJO -> writeFields(w, ArgsTag.POJO, v, path, depth);
        default -> throw new IllegalArgumentException("not a composite kind: " + kind);
      }
    } finally {
      onPath.remove(v);
    }
  }

  private void writeObjectArray(ArgsWriter w, Object[] a, ArgsPath path, int depth)
      throws IOException {
    w.tag(ArgsTag.OBJECT_ARRAY);
    w.writeUtf8(a.getClass().getComponentType().getName());
    w.writeVarInt(a.length);
    for (int i = 0; i < a.length; i++) {
      write(w, a[i], path.index(i), depth + 1);
    }
  }

  private void writeList(ArgsWriter w, int tag, Collection<?> c, ArgsPath path, int depth)
      throws IOException {
    int size = c.size();
    w.tag(tag);
    w.writeVarInt(size);
    int i = 0;
    for (Object e : c) {
      if (i == size) {
        throw changedSize(c, path);
      }
      write(w, e, path.index(i++), depth + 1);
    }
    if (i != size) {
      throw changedSize(c, path);
    }
  }

  /**
   * The prefix of a sorted set or map whose comparator is not natural order; nothing otherwise, so
   * natural-order TreeSet/TreeMap keep the key of any other set or map with equal contents.
   */
  private void writeComparator(ArgsWriter w, int tag, Object v, ArgsPath path, int depth)
      throws IOException {
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
      write(w, c, path.name("comparator()"), depth + 1);
    }
  }

  /**
   * Elements in the order of their encodings, so any set implementation and order gives one key.
   */
  private void writeSet(ArgsWriter w, Collection<?> set, ArgsPath path, int depth)
      throws IOException {
    ArgsWriter scratch = ArgsWriter.inMemory();
    List<byte[]> encodings = new ArrayList<>(set.size());
    for (Object e : set) {
      scratch.reset();
      write(scratch, e, path.setElement(), depth + 1);
      encodings.add(scratch.toByteArray());
    }
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
  private void writeMap(ArgsWriter w, Map<?, ?> map, ArgsPath path, int depth) throws IOException {
    ArgsWriter scratch = ArgsWriter.inMemory();
    List<KeyedEntry> entries = new ArrayList<>(map.size());
    for (Map.Entry<?, ?> e : map.entrySet()) {
      scratch.reset();
      write(scratch, e.getKey(), path.mapKey(), depth + 1);
      entries.add(new KeyedEntry(scratch.toByteArray(), e.getKey(), e.getValue()));
    }
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
        write(w, e.value(), path.mapValue(e.keyValue(), i), depth + 1);
      } else {
        List<byte[]> values = new ArrayList<>();
        for (int k = i; k < end; k++) {
          scratch.reset();
          write(
              scratch,
              entries.get(k).value(),
              path.mapValue(entries.get(k).keyValue(), k),
              depth + 1);
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

  private void writeFields(ArgsWriter w, int tag, Object v, ArgsPath path, int depth)
      throws IOException {
    ArgsFields fields = ArgsFields.of(v.getClass());
    if (fields.problem() != null) {
      throw new ArgumentKeyException(path.toString(), typeName(v), "is " + fields.problem());
    }
    w.tag(tag);
    w.writeUtf8(v.getClass().getName());
    w.writeVarInt(fields.slots().size());
    for (ArgsFields.Slot slot : fields.slots()) {
      Object value;
      try {
        value = slot.field().get(v);
      } catch (IllegalAccessException e) {
        throw new ArgumentKeyException(
            path.name(slot.name()).toString(), typeName(v), "could not be read: " + e.getMessage());
      }
      w.writeUtf8(slot.name());
      write(w, value, path.name(slot.name()), depth + 1);
    }
  }

  /**
   * Strings as UTF-8 when well-formed. UTF-8 turns every unpaired surrogate into '?', so such
   * strings are written as their exact UTF-16 units under another tag to keep keys distinct.
   */
  private static void writeString(ArgsWriter w, String s) throws IOException {
    if (isWellFormed(s)) {
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

  private static void checkDepth(Object v, ArgsPath path, int depth) {
    if (depth > MAX_DEPTH) {
      throw new ArgumentKeyException(
          path.toString(),
          typeName(v),
          "is nested more than " + MAX_DEPTH + " levels deep: flatten the value");
    }
  }

  private static ArgumentKeyException changedSize(Collection<?> c, ArgsPath path) {
    return new ArgumentKeyException(
        path.toString(),
        typeName(c),
        "changed size while its key was computed: do not modify arguments during a call");
  }

  private static String typeName(Object v) {
    return v.getClass().getTypeName();
  }
}
