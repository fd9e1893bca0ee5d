package io.pureremote.internal;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.util.Arrays;

/**
 * A big-endian byte sink for the argument encoding. It either drains a fixed buffer into a target
 * (a digest or a stream), so an encoding of any size needs only the buffer, or keeps all bytes in a
 * growing buffer (to encode set elements and map keys for sorting). Primitive arrays are copied in
 * bulk through views of the buffer.
 */
final class ArgsWriter {
  /** Where a full buffer goes. */
  interface Drain {
    void accept(byte[] bytes, int offset, int length) throws IOException;
  }

  private static final int CHUNK = 64 * 1024;
  private static final int INITIAL_IN_MEMORY = 256;
  private static final int INITIAL_DRAINING = 512;
  // The values Double.doubleToLongBits / Float.floatToIntBits give for every NaN.
  private static final long CANONICAL_DOUBLE_NAN = 0x7ff8000000000000L;
  private static final int CANONICAL_FLOAT_NAN = 0x7fc00000;

  private final Drain drain;
  private ByteBuffer buf;

  private ArgsWriter(Drain drain, int capacity) {
    this.drain = drain;
    this.buf = ByteBuffer.allocate(capacity);
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
    if (drain != null && buf.position() > 0) {
      drain.accept(buf.array(), 0, buf.position());
      buf.clear();
    }
  }

  /** The bytes written since the last {@link #reset()} (in-memory writers only). */
  byte[] toByteArray() {
    return Arrays.copyOf(buf.array(), buf.position());
  }

  void reset() {
    buf.clear();
  }

  void tag(int tag) throws IOException {
    writeByte(tag);
  }

  void writeByte(int v) throws IOException {
    ensure(1);
    buf.put((byte) v);
  }

  void writeShort(short v) throws IOException {
    ensure(Short.BYTES);
    buf.putShort(v);
  }

  void writeChar(char v) throws IOException {
    ensure(Character.BYTES);
    buf.putChar(v);
  }

  void writeInt(int v) throws IOException {
    ensure(Integer.BYTES);
    buf.putInt(v);
  }

  void writeLong(long v) throws IOException {
    ensure(Long.BYTES);
    buf.putLong(v);
  }

  /** Unsigned LEB128: 1 byte below 128, at most 5. */
  void writeVarInt(int v) throws IOException {
    ensure(5);
    while ((v & ~0x7f) != 0) {
      buf.put((byte) ((v & 0x7f) | 0x80));
      v >>>= 7;
    }
    buf.put((byte) v);
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

  /** The bytes, with no length. */
  void writeRaw(byte[] bytes) throws IOException {
    for (int i = 0; i < bytes.length; ) {
      int n = room(1, bytes.length - i);
      buf.put(bytes, i, n);
      i += n;
    }
  }

  void writeBooleans(boolean[] a) throws IOException {
    for (int i = 0; i < a.length; ) {
      int n = room(1, a.length - i);
      for (int k = 0; k < n; k++) {
        buf.put(a[i + k] ? (byte) 1 : (byte) 0);
      }
      i += n;
    }
  }

  void writeShorts(short[] a) throws IOException {
    for (int i = 0; i < a.length; ) {
      int n = room(Short.BYTES, a.length - i);
      buf.asShortBuffer().put(a, i, n);
      buf.position(buf.position() + n * Short.BYTES);
      i += n;
    }
  }

  void writeChars(char[] a) throws IOException {
    for (int i = 0; i < a.length; ) {
      int n = room(Character.BYTES, a.length - i);
      buf.asCharBuffer().put(a, i, n);
      buf.position(buf.position() + n * Character.BYTES);
      i += n;
    }
  }

  void writeInts(int[] a) throws IOException {
    for (int i = 0; i < a.length; ) {
      int n = room(Integer.BYTES, a.length - i);
      buf.asIntBuffer().put(a, i, n);
      buf.position(buf.position() + n * Integer.BYTES);
      i += n;
    }
  }

  void writeLongs(long[] a) throws IOException {
    for (int i = 0; i < a.length; ) {
      int n = room(Long.BYTES, a.length - i);
      buf.asLongBuffer().put(a, i, n);
      buf.position(buf.position() + n * Long.BYTES);
      i += n;
    }
  }

  /**
   * Floats as {@code floatToIntBits}: the bulk copy keeps raw bits, so NaNs are rewritten after.
   */
  void writeFloats(float[] a) throws IOException {
    for (int i = 0; i < a.length; ) {
      int n = room(Float.BYTES, a.length - i);
      int start = buf.position();
      buf.asFloatBuffer().put(a, i, n);
      for (int k = 0; k < n; k++) {
        if (Float.isNaN(a[i + k])) {
          buf.putInt(start + k * Float.BYTES, CANONICAL_FLOAT_NAN);
        }
      }
      buf.position(start + n * Float.BYTES);
      i += n;
    }
  }

  /**
   * Doubles as {@code doubleToLongBits}: the bulk copy keeps raw bits, so NaNs are rewritten after.
   */
  void writeDoubles(double[] a) throws IOException {
    for (int i = 0; i < a.length; ) {
      int n = room(Double.BYTES, a.length - i);
      int start = buf.position();
      buf.asDoubleBuffer().put(a, i, n);
      for (int k = 0; k < n; k++) {
        if (Double.isNaN(a[i + k])) {
          buf.putLong(start + k * Double.BYTES, CANONICAL_DOUBLE_NAN);
        }
      }
      buf.position(start + n * Double.BYTES);
      i += n;
    }
  }

  /** Makes room for at least one element and returns how many of {@code left} fit now. */
  private int room(int elementSize, int left) throws IOException {
    if (buf.remaining() < elementSize) {
      // In memory, grow once for the whole rest instead of doubling per chunk.
      makeRoom(drain != null ? elementSize : Math.multiplyExact(elementSize, left));
    }
    return Math.min(left, buf.remaining() / elementSize);
  }

  private void ensure(int bytes) throws IOException {
    if (buf.remaining() < bytes) {
      makeRoom(bytes);
    }
  }

  private void makeRoom(int bytes) throws IOException {
    if (drain != null) {
      if (buf.capacity() < CHUNK) {
        // Grow to the chunk size first; past it, pass the bytes on. Callers never ask a draining
        // writer for more than a few bytes at once.
        buf = ByteBuffer.allocate(Math.min(CHUNK, buf.capacity() * 4)).put(buf.flip());
      } else {
        flush();
      }
      return;
    }
    int needed = Math.addExact(buf.position(), bytes);
    int capacity =
        Math.max(needed, buf.capacity() <= Integer.MAX_VALUE / 2 ? buf.capacity() * 2 : needed);
    buf = ByteBuffer.allocate(capacity).put(buf.flip());
  }
}
