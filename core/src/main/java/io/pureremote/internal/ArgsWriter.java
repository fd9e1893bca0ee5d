package io.pureremote.internal;

import java.io.IOException;
import java.lang.invoke.MethodHandles;
import java.lang.invoke.VarHandle;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.charset.StandardCharsets;
import java.util.Arrays;

/**
 * A big-endian byte sink for the argument encoding. It either drains a fixed buffer into a target
 * (a digest or a stream), so an encoding of any size needs only the buffer, or keeps all bytes in a
 * growing buffer (to encode set elements and map keys for sorting). Scalars go straight into the
 * array (the encoder writes several per small value, so each is a bounds check and a store);
 * primitive arrays are copied in bulk through views of the buffer.
 */
final class ArgsWriter {
  /** Where a full buffer goes. */
  interface Drain {
    void accept(byte[] bytes, int offset, int length) throws IOException;
  }

  private static final int CHUNK = 64 * 1024;
  private static final int INITIAL_IN_MEMORY = 256;
  private static final int INITIAL_DRAINING = 512;

  private static final VarHandle SHORT =
      MethodHandles.byteArrayViewVarHandle(short[].class, ByteOrder.BIG_ENDIAN);
  private static final VarHandle CHAR =
      MethodHandles.byteArrayViewVarHandle(char[].class, ByteOrder.BIG_ENDIAN);
  private static final VarHandle INT =
      MethodHandles.byteArrayViewVarHandle(int[].class, ByteOrder.BIG_ENDIAN);
  private static final VarHandle LONG =
      MethodHandles.byteArrayViewVarHandle(long[].class, ByteOrder.BIG_ENDIAN);

  private final Drain drain;
  private byte[] buf;
  private int pos;

  private ArgsWriter(Drain drain, int capacity) {
    this.drain = drain;
    this.buf = new byte[capacity];
  }

  /**
   * A writer that passes its bytes to {@code drain} in chunks; call {@link #flush()} at the end.
   */
  static ArgsWriter draining(Drain drain) {
    // Starts small and grows to CHUNK only for large arguments: a call's key is computed on every
    // call, hits included, and zeroing a 64 KiB buffer for a few bytes of arguments was a fifth of
    // a memo hit's CPU time.
    return new ArgsWriter(drain, INITIAL_DRAINING);
  }

  /** A writer that keeps its bytes; read them with {@link #toByteArray()}. */
  static ArgsWriter inMemory() {
    return new ArgsWriter(null, INITIAL_IN_MEMORY);
  }

  void flush() throws IOException {
    if (drain != null && pos > 0) {
      drain.accept(buf, 0, pos);
      pos = 0;
    }
  }

  /** The bytes written since the last {@link #reset()} (in-memory writers only). */
  byte[] toByteArray() {
    return Arrays.copyOf(buf, pos);
  }

  void reset() {
    pos = 0;
  }

  void tag(int tag) throws IOException {
    writeByte(tag);
  }

  void writeByte(int v) throws IOException {
    ensure(1);
    buf[pos++] = (byte) v;
  }

  void writeShort(short v) throws IOException {
    ensure(Short.BYTES);
    SHORT.set(buf, pos, v);
    pos += Short.BYTES;
  }

  void writeChar(char v) throws IOException {
    ensure(Character.BYTES);
    CHAR.set(buf, pos, v);
    pos += Character.BYTES;
  }

  void writeInt(int v) throws IOException {
    ensure(Integer.BYTES);
    INT.set(buf, pos, v);
    pos += Integer.BYTES;
  }

  void writeLong(long v) throws IOException {
    ensure(Long.BYTES);
    LONG.set(buf, pos, v);
    pos += Long.BYTES;
  }

  /** Unsigned LEB128: 1 byte below 128, at most 5. */
  void writeVarInt(int v) throws IOException {
    ensure(5);
    while ((v & ~0x7f) != 0) {
      buf[pos++] = (byte) ((v & 0x7f) | 0x80);
      v >>>= 7;
    }
    buf[pos++] = (byte) v;
  }

  /** A varint length, then the bytes. */
  void writeSized(byte[] bytes) throws IOException {
    writeVarInt(bytes.length);
    writeRaw(bytes);
  }

  /** A varint byte length, then UTF-8 (for names, which are always well-formed). */
  void writeUtf8(String s) throws IOException {
    writeSized(s.getBytes(StandardCharsets.UTF_8));
  }

  /** Whether every char of {@code s} is ASCII, so its UTF-8 is one byte per char. */
  static boolean isAscii(String s) {
    for (int i = 0; i < s.length(); i++) {
      if (s.charAt(i) >= 0x80) {
        return false;
      }
    }
    return true;
  }

  /**
   * An ASCII string ({@link #isAscii}) as {@link #writeUtf8} writes it, without encoding it to a
   * new array first: a varint length, then one byte per char.
   */
  void writeAscii(String s) throws IOException {
    int length = s.length();
    writeVarInt(length);
    for (int i = 0; i < length; ) {
      int n = room(1, length - i);
      for (int k = 0; k < n; k++) {
        buf[pos + k] = (byte) s.charAt(i + k);
      }
      pos += n;
      i += n;
    }
  }

  /** {@code v} as the unsigned LEB128 bytes {@link #writeVarInt} writes. */
  static byte[] varInt(int v) {
    byte[] out = new byte[5];
    int n = 0;
    while ((v & ~0x7f) != 0) {
      out[n++] = (byte) ((v & 0x7f) | 0x80);
      v >>>= 7;
    }
    out[n++] = (byte) v;
    return Arrays.copyOf(out, n);
  }

  /** {@code s} as the bytes {@link #writeUtf8} writes: a varint byte length, then UTF-8. */
  static byte[] sizedUtf8(String s) {
    byte[] utf8 = s.getBytes(StandardCharsets.UTF_8);
    byte[] length = varInt(utf8.length);
    byte[] out = Arrays.copyOf(length, length.length + utf8.length);
    System.arraycopy(utf8, 0, out, length.length, utf8.length);
    return out;
  }

  /** The bytes, with no length. */
  void writeRaw(byte[] bytes) throws IOException {
    if (bytes.length <= buf.length - pos) {
      System.arraycopy(bytes, 0, buf, pos, bytes.length);
      pos += bytes.length;
      return;
    }
    for (int i = 0; i < bytes.length; ) {
      int n = room(1, bytes.length - i);
      System.arraycopy(bytes, i, buf, pos, n);
      pos += n;
      i += n;
    }
  }

  void writeBooleans(boolean[] a) throws IOException {
    for (int i = 0; i < a.length; ) {
      int n = room(1, a.length - i);
      for (int k = 0; k < n; k++) {
        buf[pos + k] = a[i + k] ? (byte) 1 : (byte) 0;
      }
      pos += n;
      i += n;
    }
  }

  void writeShorts(short[] a) throws IOException {
    for (int i = 0; i < a.length; ) {
      int n = room(Short.BYTES, a.length - i);
      view().asShortBuffer().put(a, i, n);
      pos += n * Short.BYTES;
      i += n;
    }
  }

  void writeChars(char[] a) throws IOException {
    for (int i = 0; i < a.length; ) {
      int n = room(Character.BYTES, a.length - i);
      view().asCharBuffer().put(a, i, n);
      pos += n * Character.BYTES;
      i += n;
    }
  }

  void writeInts(int[] a) throws IOException {
    for (int i = 0; i < a.length; ) {
      int n = room(Integer.BYTES, a.length - i);
      view().asIntBuffer().put(a, i, n);
      pos += n * Integer.BYTES;
      i += n;
    }
  }

  void writeLongs(long[] a) throws IOException {
    for (int i = 0; i < a.length; ) {
      int n = room(Long.BYTES, a.length - i);
      view().asLongBuffer().put(a, i, n);
      pos += n * Long.BYTES;
      i += n;
    }
  }

  /**
   * Floats as {@code floatToIntBits} (every NaN alike), converted and stored in one pass: a bulk
   * copy followed by a scan for NaNs read each chunk twice.
   */
  void writeFloats(float[] a) throws IOException {
    for (int i = 0; i < a.length; ) {
      int n = room(Float.BYTES, a.length - i);
      byte[] b = buf;
      int at = pos;
      for (int k = 0; k < n; k++) {
        INT.set(b, at + k * Float.BYTES, Float.floatToIntBits(a[i + k]));
      }
      pos += n * Float.BYTES;
      i += n;
    }
  }

  /**
   * Doubles as {@code doubleToLongBits} (every NaN alike), converted and stored in one pass: a
   * bulk copy followed by a scan for NaNs read each chunk twice (1.13 to 1.16 times a bare SHA-256
   * of the encoding for 256 MiB, against 1.05 to 1.14 in one pass).
   */
  void writeDoubles(double[] a) throws IOException {
    for (int i = 0; i < a.length; ) {
      int n = room(Double.BYTES, a.length - i);
      byte[] b = buf;
      int at = pos;
      for (int k = 0; k < n; k++) {
        LONG.set(b, at + k * Double.BYTES, Double.doubleToLongBits(a[i + k]));
      }
      pos += n * Double.BYTES;
      i += n;
    }
  }

  /** The buffer from the current position on, for a bulk copy; the caller advances {@link #pos}. */
  private ByteBuffer view() {
    return ByteBuffer.wrap(buf, pos, buf.length - pos).slice();
  }

  /** Makes room for at least one element and returns how many of {@code left} fit now. */
  private int room(int elementSize, int left) throws IOException {
    if (buf.length - pos < elementSize) {
      // In memory, grow once for the whole rest instead of doubling per chunk.
      makeRoom(drain != null ? elementSize : Math.multiplyExact(elementSize, left));
    }
    return Math.min(left, (buf.length - pos) / elementSize);
  }

  private void ensure(int bytes) throws IOException {
    if (buf.length - pos < bytes) {
      makeRoom(bytes);
    }
  }

  private void makeRoom(int bytes) throws IOException {
    if (drain != null) {
      if (buf.length < CHUNK) {
        // Grow to the chunk size first; past it, pass the bytes on. Callers never ask a draining
        // writer for more than a few bytes at once.
        buf = Arrays.copyOf(buf, Math.min(CHUNK, buf.length * 4));
      } else {
        flush();
      }
      return;
    }
    int needed = Math.addExact(pos, bytes);
    int capacity =
        Math.max(needed, buf.length <= Integer.MAX_VALUE / 2 ? buf.length * 2 : needed);
    buf = Arrays.copyOf(buf, capacity);
  }
}
