package io.pureremote.internal;

import io.pureremote.CorruptBlobException;
import java.io.DataInputStream;
import java.io.EOFException;
import java.io.IOException;
import java.io.InputStream;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.Arrays;
import java.util.HexFormat;
import java.util.LinkedHashMap;
import java.util.Map;

/**
 * The framed blob format of every {@code invocation}, {@code result} and {@code error}: 8 magic
 * bytes, a 4-byte big-endian header length, a UTF-8 JSON header, then the payload.
 *
 * <p>The header always holds {@code format} (this layout's version), {@code contentType}, {@code
 * payloadSize} and {@code payloadSha256}; writers add serializer, library and Java versions and
 * call metadata. Readers refuse another magic, an unknown format version, a truncated payload or a
 * checksum mismatch with a {@link CorruptBlobException} that says what to do.
 *
 * @param header the JSON header, insertion-ordered
 * @param payload the payload bytes
 */
public record BlobFrame(Map<String, Object> header, byte[] payload) {
  /** PNG-style magic: a non-ASCII first byte and CR/LF/EOF bytes catch text-mode mangling. */
  static final byte[] MAGIC = {(byte) 0x89, 'P', 'R', 'F', '\r', '\n', 0x1A, '\n'};

  /** Version of this frame layout. Readers refuse others. */
  public static final int FORMAT_VERSION = 1;

  private static final int MAX_HEADER_BYTES = 1 << 20;

  /** Content type of Kryo payloads. */
  public static final String KRYO = "application/x-pureremote-kryo";

  /** Content type of JSON payloads (error records). */
  public static final String JSON = "application/json";

  /** A frame whose header gets the format fields filled in from {@code payload}. */
  public static BlobFrame of(String contentType, Map<String, Object> fields, byte[] payload) {
    Map<String, Object> header = new LinkedHashMap<>();
    header.put("format", FORMAT_VERSION);
    header.put("contentType", contentType);
    header.put("payloadSize", (long) payload.length);
    header.put("payloadSha256", sha256Hex(payload));
    header.putAll(fields);
    return new BlobFrame(header, payload);
  }

  /** The bytes to store. */
  public byte[] toBytes() {
    byte[] json = Json.write(header).getBytes(StandardCharsets.UTF_8);
    ByteBuffer buf = ByteBuffer.allocate(MAGIC.length + 4 + json.length + payload.length);
    buf.put(MAGIC).putInt(json.length).put(json).put(payload);
    return buf.array();
  }

  /** The header's content type. */
  public String contentType() {
    return String.valueOf(header.get("contentType"));
  }

  /** A header section (a nested object), or an empty map. */
  @SuppressWarnings("unchecked")
  public Map<String, Object> section(String name) {
    Object value = header.get(name);
    return value instanceof Map ? (Map<String, Object>) value : Map.of();
  }

  /**
   * Reads and verifies a frame.
   *
   * @param uri where the bytes came from, for error messages
   */
  public static BlobFrame read(InputStream stream, String uri) {
    try {
      DataInputStream in = new DataInputStream(stream);
      byte[] magic = new byte[MAGIC.length];
      int n = in.readNBytes(magic, 0, magic.length);
      if (n != MAGIC.length || !Arrays.equals(magic, MAGIC)) {
        throw new CorruptBlobException(uri,
            "Not a Pure Remote blob (wrong magic bytes). It was not written by Pure Remote or was "
                + "modified; delete it (or the whole memo entry) to recompute.");
      }
      int headerLength = in.readInt();
      if (headerLength <= 0 || headerLength > MAX_HEADER_BYTES) {
        throw new CorruptBlobException(uri, "Blob header length " + headerLength + " is out of range; the blob is damaged. Delete it to recompute.");
      }
      byte[] json = in.readNBytes(headerLength);
      if (json.length != headerLength) {
        throw new CorruptBlobException(uri, "Blob is truncated inside its header; delete it to recompute.");
      }
      Map<String, Object> header;
      try {
        header = Json.parseObject(new String(json, StandardCharsets.UTF_8));
      } catch (IllegalArgumentException e) {
        throw new CorruptBlobException(uri, "Blob header is not valid JSON (" + e.getMessage() + "); delete it to recompute.");
      }
      Object format = header.get("format");
      if (!(format instanceof Long f) || f != FORMAT_VERSION) {
        throw new CorruptBlobException(uri,
            "Unknown blob format " + format + " (this library reads format " + FORMAT_VERSION
                + "); it was written by Pure Remote " + header.get("library")
                + ". Use that version or newer to read it.");
      }
      long size = header.get("payloadSize") instanceof Long l ? l : -1;
      if (size < 0 || size > Integer.MAX_VALUE - 16) {
        throw new CorruptBlobException(uri, "Blob header has an invalid payloadSize " + header.get("payloadSize"));
      }
      byte[] payload = in.readNBytes((int) size);
      if (payload.length != size) {
        throw new CorruptBlobException(uri,
            "Blob payload is truncated: " + payload.length + " of " + size + " bytes; delete it to recompute.");
      }
      if (in.read() != -1) {
        throw new CorruptBlobException(uri, "Blob has bytes after its payload; it is damaged. Delete it to recompute.");
      }
      String expected = String.valueOf(header.get("payloadSha256"));
      String actual = sha256Hex(payload);
      if (!actual.equals(expected)) {
        throw new CorruptBlobException(uri,
            "Blob payload checksum mismatch (header " + expected + ", content " + actual
                + "): the blob is corrupt. Delete it to recompute.");
      }
      return new BlobFrame(header, payload);
    } catch (EOFException e) {
      throw new CorruptBlobException(uri, "Blob is truncated; delete it to recompute.");
    } catch (IOException e) {
      throw new io.pureremote.BlobStoreException(uri, "Cannot read blob: " + e, e, true);
    }
  }

  static String sha256Hex(byte[] bytes) {
    try {
      return HexFormat.of().formatHex(MessageDigest.getInstance("SHA-256").digest(bytes));
    } catch (NoSuchAlgorithmException e) {
      throw new IllegalStateException("SHA-256 is missing from this JVM", e);
    }
  }
}
