package io.pureremote.internal;

import io.pureremote.CorruptBlobException;
import io.pureremote.spi.BlobStore.BlobContent;
import java.io.DataInputStream;
import java.io.EOFException;
import java.io.IOException;
import java.io.InputStream;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
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
    return new BlobFrame(header(contentType, fields, payload.length, sha256Hex(payload)), payload);
  }

  /**
   * The stored bytes of a frame over a spooled payload, of any size: the header is built from
   * the spool's length and checksum, and the payload streams from the spool on each upload attempt.
   */
  public static BlobContent content(String contentType, Map<String, Object> fields, Spool payload) {
    return payload.content(prefix(header(contentType, fields, payload.length(), payload.sha256Hex())));
  }

  private static Map<String, Object> header(String contentType, Map<String, Object> fields, long size, String sha256) {
    Map<String, Object> header = new LinkedHashMap<>();
    header.put("format", FORMAT_VERSION);
    header.put("contentType", contentType);
    header.put("payloadSize", size);
    header.put("payloadSha256", sha256);
    header.putAll(fields);
    return header;
  }

  /** The bytes to store. */
  public byte[] toBytes() {
    byte[] prefix = prefix(header);
    return ByteBuffer.allocate(prefix.length + payload.length).put(prefix).put(payload).array();
  }

  /** Magic, header length and header: everything before the payload. */
  private static byte[] prefix(Map<String, Object> header) {
    byte[] json = Json.write(header).getBytes(StandardCharsets.UTF_8);
    return ByteBuffer.allocate(MAGIC.length + 4 + json.length).put(MAGIC).putInt(json.length).put(json).array();
  }

  /** The header's content type. */
  public String contentType() {
    return String.valueOf(header.get("contentType"));
  }

  /** A header section (a nested object), or an empty map. */
  public Map<String, Object> section(String name) {
    return section(header, name);
  }

  @SuppressWarnings("unchecked")
  private static Map<String, Object> section(Map<String, Object> header, String name) {
    Object value = header.get(name);
    return value instanceof Map ? (Map<String, Object>) value : Map.of();
  }

  /**
   * Reads and verifies a frame whose payload fits in an array (up to 2 GiB); use {@link
   * #readSpooled} for payloads of any size.
   *
   * @param uri where the bytes came from, for error messages
   */
  public static BlobFrame read(InputStream stream, String uri) {
    try (Spooled spooled = readSpooled(stream, uri)) {
      if (spooled.payload().length() > Integer.MAX_VALUE - 16) {
        throw new CorruptBlobException(uri, "Blob payload of " + spooled.payload().length()
            + " bytes is too large to load as one array; read it with a streaming reader.");
      }
      return new BlobFrame(spooled.header(), spooled.payload().toByteArray());
    }
  }

  /**
   * A verified frame whose payload is spooled (in memory, or in a temporary file when large);
   * close it to free the payload.
   *
   * @param header the JSON header, insertion-ordered
   * @param payload the verified payload
   */
  public record Spooled(Map<String, Object> header, Spool payload) implements AutoCloseable {
    /** A header section (a nested object), or an empty map. */
    public Map<String, Object> section(String name) {
      return BlobFrame.section(header, name);
    }

    @Override
    public void close() {
      payload.close();
    }
  }

  /**
   * Reads a frame of any size, spooling the payload while checking its length and checksum, so a
   * damaged blob is refused before anything deserializes it.
   *
   * @param uri where the bytes came from, for error messages
   */
  public static Spooled readSpooled(InputStream stream, String uri) {
    Spool payload = null;
    try {
      DataInputStream in = new DataInputStream(stream);
      Map<String, Object> header = readHeader(in, uri);
      long size = header.get("payloadSize") instanceof Long l ? l : -1;
      if (size < 0) {
        throw new CorruptBlobException(uri, "Blob header has an invalid payloadSize " + header.get("payloadSize"));
      }
      if (size <= WHOLE_PAYLOAD_BYTES && size <= Spool.configuredMemoryLimit()) {
        // A small payload (most results) is read in one go into its own array, which the spool
        // then holds as it is: no 8 KiB chunk and no copy per read.
        byte[] bytes = in.readNBytes((int) size);
        if (bytes.length < size) {
          throw new CorruptBlobException(uri,
              "Blob payload is truncated: " + bytes.length + " of " + size + " bytes. " + DAMAGED);
        }
        payload = Spool.wrap(bytes);
      } else {
        payload = new Spool();
        readInto(in, payload, size, uri);
      }
      payload.finish();
      if (in.read() != -1) {
        throw new CorruptBlobException(uri, "Blob has bytes after its payload; it is damaged. " + DAMAGED);
      }
      String expected = String.valueOf(header.get("payloadSha256"));
      String actual = payload.sha256Hex();
      if (!actual.equals(expected)) {
        throw new CorruptBlobException(uri,
            "Blob payload checksum mismatch (header " + expected + ", content " + actual
                + "): the blob is corrupt. " + DAMAGED);
      }
      return new Spooled(header, payload);
    } catch (EOFException e) {
      closeQuietly(payload);
      throw new CorruptBlobException(uri, "Blob is truncated. " + DAMAGED);
    } catch (IOException e) {
      closeQuietly(payload);
      throw new io.pureremote.BlobStoreException(uri, "Cannot read blob: " + e, e, true);
    } catch (RuntimeException e) {
      closeQuietly(payload);
      throw e;
    }
  }

  private static void closeQuietly(Spool payload) {
    if (payload != null) {
      payload.close();
    }
  }

  /**
   * What happens to a damaged blob and what the user can do, appended to every refusal: a call
   * never fails on a damaged memoized result (it sets it aside and recomputes), so only tools and
   * other blobs (inputs, content) meet the exception.
   */
  static final String DAMAGED = "A call treats a damaged stored result as a miss: it sets the blob aside (under "
      + "<entry>/aside/, never deleted) and recomputes. To set damaged blobs aside now, run "
      + "`pureremote verify <root> --repair`.";

  /** Payloads up to this size are read into one array. */
  private static final long WHOLE_PAYLOAD_BYTES = 1 << 20;

  private static void readInto(DataInputStream in, Spool payload, long size, String uri) throws IOException {
    byte[] buffer = new byte[(int) Math.min(1 << 16, Math.max(size, 1))];
    long remaining = size;
    while (remaining > 0) {
      int n = in.read(buffer, 0, (int) Math.min(buffer.length, remaining));
      if (n < 0) {
        throw new CorruptBlobException(uri,
            "Blob payload is truncated: " + (size - remaining) + " of " + size + " bytes. " + DAMAGED);
      }
      payload.write(buffer, 0, n);
      remaining -= n;
    }
  }

  private static Map<String, Object> readHeader(DataInputStream in, String uri) throws IOException {
    byte[] magic = new byte[MAGIC.length];
    int n = in.readNBytes(magic, 0, magic.length);
    if (n != MAGIC.length || !Arrays.equals(magic, MAGIC)) {
      throw new CorruptBlobException(uri,
          "Not a Pure Remote blob (wrong magic bytes). It was not written by Pure Remote or was "
              + "modified. " + DAMAGED);
    }
    int headerLength = in.readInt();
    if (headerLength <= 0 || headerLength > MAX_HEADER_BYTES) {
      throw new CorruptBlobException(uri, "Blob header length " + headerLength + " is out of range; the blob is damaged. " + DAMAGED);
    }
    byte[] json = in.readNBytes(headerLength);
    if (json.length != headerLength) {
      throw new CorruptBlobException(uri, "Blob is truncated inside its header. " + DAMAGED);
    }
    Map<String, Object> header;
    try {
      header = Json.parseObject(new String(json, StandardCharsets.UTF_8));
    } catch (IllegalArgumentException e) {
      throw new CorruptBlobException(uri, "Blob header is not valid JSON (" + e.getMessage() + "). " + DAMAGED);
    }
    Object format = header.get("format");
    if (!(format instanceof Long f) || f != FORMAT_VERSION) {
      throw new CorruptBlobException(uri,
          "Unknown blob format " + format + " (this library reads format " + FORMAT_VERSION
              + "); it was written by Pure Remote " + header.get("library")
              + ". Use that version or newer to read it.");
    }
    return header;
  }

  static String sha256Hex(byte[] bytes) {
    return HexFormat.of().formatHex(Sha256.newDigest().digest(bytes));
  }
}
