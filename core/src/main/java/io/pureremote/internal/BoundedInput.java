package io.pureremote.internal;

import com.esotericsoftware.kryo.KryoException;
import com.esotericsoftware.kryo.io.Input;
import java.io.InputStream;

/**
 * A Kryo {@link Input} that refuses, before anything is allocated, a declared size (string length,
 * array length, collection or map size) that the rest of the payload cannot hold or that passes the
 * configured cap. Kryo trusts these sizes and allocates first, so a 40-byte payload declaring 2^31
 * elements would otherwise end in {@link OutOfMemoryError}.
 *
 * <p>Every element takes at least one byte on the wire (a null or reference marker at least), so a
 * size larger than the bytes left is always a damaged or crafted payload.
 */
final class BoundedInput extends Input {
  /** System property: the largest size a payload may declare for one string, array or collection. */
  static final String MAX_LENGTH_PROPERTY = "pureremote.decode.maxLength";

  /** System property: the deepest nesting of objects a payload may have. */
  static final String MAX_DEPTH_PROPERTY = "pureremote.decode.maxDepth";

  static final int DEFAULT_MAX_LENGTH = 1 << 28;

  /**
   * Deep enough for real values, shallow enough for a 512 KiB thread stack: measured, 600 levels of
   * records in lists read there, 800 overflow it (and a StackOverflowError inside class
   * initialization can leave a JVM with classes it can never load again).
   */
  static final int DEFAULT_MAX_DEPTH = 500;

  private static final long OBJECT_SLACK = 4096;

  private final long length;
  private final int maxLength;
  private long objects;

  /**
   * @param length the payload's length in bytes, or {@link Long#MAX_VALUE} when unknown (then only
   *     the cap applies)
   */
  BoundedInput(InputStream in, int bufferSize, long length) {
    super(in, bufferSize);
    this.length = length;
    this.maxLength = maxLength();
  }

  BoundedInput(byte[] bytes) {
    super(bytes);
    this.length = bytes.length;
    this.maxLength = maxLength();
  }

  static int maxLength() {
    return Integer.getInteger(MAX_LENGTH_PROPERTY, DEFAULT_MAX_LENGTH);
  }

  static int maxDepth() {
    return Integer.getInteger(MAX_DEPTH_PROPERTY, DEFAULT_MAX_DEPTH);
  }

  /** Bytes of the payload not read yet. */
  long remaining() {
    return length == Long.MAX_VALUE ? Long.MAX_VALUE : length - total();
  }

  /**
   * Refuses {@code count} items of at least {@code bytesEach} bytes when the payload cannot hold
   * them or they pass the cap.
   */
  void checkSize(long count, int bytesEach, String what) {
    if (count < 0) {
      throw new Refused("The payload declares a " + what + " of negative size " + count + " at byte " + total()
          + " but only " + remaining() + " bytes remain");
    }
    long remaining = remaining();
    if (count > remaining / bytesEach) {
      throw new Refused("The payload declares a " + what + " of " + count + " items at byte " + total()
          + " but only " + remaining + " bytes remain");
    }
    if (count > maxLength) {
      throw new Refused("The payload declares a " + what + " of " + count + " items at byte " + total()
          + ", more than the limit " + maxLength + " (system property " + MAX_LENGTH_PROPERTY
          + "; raise it on the reading JVM if the value is real)");
    }
  }

  /**
   * The next positive varint (Kryo's encoding of array lengths plus one), not consumed, or -1 when
   * it is malformed or cut short (the serializer then fails on it as it would have).
   */
  int peekVarInt() {
    int n = optional(5);
    int result = 0;
    for (int i = 0; i < n; i++) {
      int b = buffer[position + i];
      result |= (b & 0x7F) << (7 * i);
      // Kryo takes the fifth byte whole, whatever its continuation bit says: so do we (the result
      // may be negative, which the size check refuses).
      if ((b & 0x80) == 0 || i == 4) {
        return result;
      }
    }
    return -1;
  }

  /** As {@link #peekVarInt}, for Kryo's flagged varint (string lengths): bit 7 flag, bit 6 more. */
  private int peekVarIntFlag() {
    int n = optional(5);
    if (n == 0) {
      return -1;
    }
    int b = buffer[position];
    int result = b & 0x3F;
    if ((b & 0x40) == 0) {
      return result;
    }
    for (int i = 1; i < n; i++) {
      b = buffer[position + i];
      result |= (b & 0x7F) << (6 + 7 * (i - 1));
      if ((b & 0x80) == 0 || i == 4) {
        return result;
      }
    }
    return -1;
  }

  /**
   * Counts one object read. Almost every object takes a byte at least (a null or reference marker,
   * a length), but a collection of a type read from zero bytes ({@code Void}, say) would let a
   * declared size of 2^31 fill the heap from a few bytes; this bounds the object count by the
   * bytes read so far, with slack.
   */
  void countObject() {
    objects++;
    if (objects > total() + OBJECT_SLACK) {
      throw new Refused("The payload decodes into " + objects + " objects from its first " + total()
          + " bytes; it cannot hold that many");
    }
  }

  @Override
  public String readString() {
    // A flagged first byte starts a UTF-8 string whose char count (plus one) Kryo allocates at
    // once; ASCII strings are read as their bytes arrive.
    if (readVarIntFlag()) {
      int charCount = peekVarIntFlag();
      if (charCount > 1) {
        checkSize(charCount - 1, 1, "string");
      }
    }
    return super.readString();
  }

  @Override
  public StringBuilder readStringBuilder() {
    if (readVarIntFlag()) {
      int charCount = peekVarIntFlag();
      if (charCount > 1) {
        checkSize(charCount - 1, 1, "string");
      }
    }
    return super.readStringBuilder();
  }

  @Override
  public byte[] readBytes(int count) {
    checkSize(count, 1, "byte array");
    return super.readBytes(count);
  }

  @Override
  public int[] readInts(int count) {
    checkSize(count, 4, "int array");
    return super.readInts(count);
  }

  @Override
  public int[] readInts(int count, boolean optimizePositive) {
    checkSize(count, 1, "int array");
    return super.readInts(count, optimizePositive);
  }

  @Override
  public long[] readLongs(int count) {
    checkSize(count, 8, "long array");
    return super.readLongs(count);
  }

  @Override
  public long[] readLongs(int count, boolean optimizePositive) {
    checkSize(count, 1, "long array");
    return super.readLongs(count, optimizePositive);
  }

  @Override
  public float[] readFloats(int count) {
    checkSize(count, 4, "float array");
    return super.readFloats(count);
  }

  @Override
  public double[] readDoubles(int count) {
    checkSize(count, 8, "double array");
    return super.readDoubles(count);
  }

  @Override
  public short[] readShorts(int count) {
    checkSize(count, 2, "short array");
    return super.readShorts(count);
  }

  @Override
  public char[] readChars(int count) {
    checkSize(count, 2, "char array");
    return super.readChars(count);
  }

  @Override
  public boolean[] readBooleans(int count) {
    checkSize(count, 1, "boolean array");
    return super.readBooleans(count);
  }

  /** A declared size refused before allocation; the codec turns it into a CorruptBlobException. */
  static final class Refused extends KryoException {
    private static final long serialVersionUID = 1L;

    private final String reason;

    Refused(String reason) {
      super(reason);
      this.reason = reason;
    }

    /** The refusal without the serialization trace Kryo appends to the message. */
    String reason() {
      return reason;
    }
  }
}
