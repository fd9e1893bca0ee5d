package io.pureremote.internal;

/**
 * The one-byte tags of the canonical argument encoding (version 1, {@link
 * ArgsEncoder#ENCODING_VERSION}).
 *
 * <p>Notation: {@code varint} is an unsigned LEB128 int; {@code str} is a varint byte length then
 * UTF-8 bytes; {@code bytes} is a varint length then raw bytes; fixed-width numbers are big-endian;
 * {@code value} is one tagged value. Every value starts with its tag and is self-delimiting, so the
 * encoding is prefix-free and concatenations of values are unambiguous.
 *
 * <pre>
 * encoding       str("pureremote-args") varint(version) varint(argCount) value*
 * NULL           0x00
 * BOOLEAN        0x01 u8(0|1)
 * BYTE           0x02 i8
 * SHORT          0x03 i16
 * INT            0x04 i32
 * LONG           0x05 i64
 * FLOAT          0x06 i32(floatToIntBits)       every NaN alike; -0.0 != 0.0, as in equals
 * DOUBLE         0x07 i64(doubleToLongBits)
 * CHAR           0x08 u16
 * STRING         0x10 str                        well-formed strings
 * STRING_UTF16   0x11 varint(n) u16*             strings with an unpaired surrogate, kept exact
 * ENUM           0x12 str(declaring class) str(constant name)
 * BIG_INTEGER    0x13 bytes(two's complement)
 * BIG_DECIMAL    0x14 bytes(unscaled, two's complement) i32(scale)    1.0 != 1.00, as in equals
 * UUID           0x15 i64(msb) i64(lsb)
 * TEMPORAL       0x16 str(class) str(toString())  java.time values, ZoneOffset, ZoneRegion
 * OPTIONAL       0x18 u8(0) | u8(1) value
 * OPTIONAL_INT   0x19 u8(0) | u8(1) i32
 * OPTIONAL_LONG  0x1a u8(0) | u8(1) i64
 * OPTIONAL_DOUBLE 0x1b u8(0) | u8(1) i64(doubleToLongBits)
 * BOOLEAN_ARRAY  0x20 varint(n) u8*
 * BYTE_ARRAY     0x21 varint(n) i8*
 * SHORT_ARRAY    0x22 varint(n) i16*
 * CHAR_ARRAY     0x23 varint(n) u16*
 * INT_ARRAY      0x24 varint(n) i32*
 * LONG_ARRAY     0x25 varint(n) i64*
 * FLOAT_ARRAY    0x26 varint(n) i32(floatToIntBits)*
 * DOUBLE_ARRAY   0x27 varint(n) i64(doubleToLongBits)*
 * OBJECT_ARRAY   0x28 str(component class) varint(n) value*
 * LIST           0x30 varint(n) value*            any Collection that is not a Set, in order
 * SET            0x31 varint(n) value*            sorted by encoding, unsigned-lexicographic
 * MAP            0x32 varint(n) (key value)*      sorted by key encoding, then value encoding
 * QUEUE          0x33 varint(n) value*            a Queue or Deque that is not a List, in order
 * SORTED_SET     0x34 value(comparator) SET-value  a sorted set with a non-natural comparator
 * SORTED_MAP     0x35 value(comparator) MAP-value  a sorted map with a non-natural comparator
 * RECORD         0x40 str(class) varint(n) (str(component) value)*    declaration order
 * POJO           0x41 str(class) varint(n) (str(field) value)*        sorted by field name
 * </pre>
 *
 * <p>A field hidden by a subclass field of the same name is written as {@code
 * declaring.Class#name}. A comparator is written as a STRING for the JDK ones known by name
 * ({@link ArgsComparators}) or as its own value (enum, record, POJO). QUEUE, SORTED_SET and
 * SORTED_MAP were added in v1 without a version bump: they only apply to values whose keys used to
 * collide with a list, set or map, and every other key is unchanged. Changing any of this changes every memo key: bump {@link
 * ArgsEncoder#ENCODING_VERSION}.
 */
final class ArgsTag {
  static final int NULL = 0x00;
  static final int BOOLEAN = 0x01;
  static final int BYTE = 0x02;
  static final int SHORT = 0x03;
  static final int INT = 0x04;
  static final int LONG = 0x05;
  static final int FLOAT = 0x06;
  static final int DOUBLE = 0x07;
  static final int CHAR = 0x08;

  static final int STRING = 0x10;
  static final int STRING_UTF16 = 0x11;
  static final int ENUM = 0x12;
  static final int BIG_INTEGER = 0x13;
  static final int BIG_DECIMAL = 0x14;
  static final int UUID = 0x15;
  static final int TEMPORAL = 0x16;

  static final int OPTIONAL = 0x18;
  static final int OPTIONAL_INT = 0x19;
  static final int OPTIONAL_LONG = 0x1a;
  static final int OPTIONAL_DOUBLE = 0x1b;

  static final int BOOLEAN_ARRAY = 0x20;
  static final int BYTE_ARRAY = 0x21;
  static final int SHORT_ARRAY = 0x22;
  static final int CHAR_ARRAY = 0x23;
  static final int INT_ARRAY = 0x24;
  static final int LONG_ARRAY = 0x25;
  static final int FLOAT_ARRAY = 0x26;
  static final int DOUBLE_ARRAY = 0x27;
  static final int OBJECT_ARRAY = 0x28;

  static final int LIST = 0x30;
  static final int SET = 0x31;
  static final int MAP = 0x32;
  static final int QUEUE = 0x33;
  static final int SORTED_SET = 0x34;
  static final int SORTED_MAP = 0x35;

  static final int RECORD = 0x40;
  static final int POJO = 0x41;

  static final int BLOB_REF = 0x50;

  private ArgsTag() {}
}
