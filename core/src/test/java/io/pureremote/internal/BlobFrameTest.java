package io.pureremote.internal;

import static java.nio.charset.StandardCharsets.UTF_8;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.pureremote.BlobStoreException;
import io.pureremote.CorruptBlobException;
import java.io.ByteArrayInputStream;
import java.io.IOException;
import java.io.InputStream;
import java.nio.ByteBuffer;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Random;
import org.assertj.core.api.AbstractThrowableAssert;
import org.junit.jupiter.api.Test;

/** Framed blobs: what writers put in, readers get back, and every kind of damage is caught. */
class BlobFrameTest {
  private static final String URI = "file:///memo/pureremote/v1/default/f@1/abc/result";

  private static Map<String, Object> fields() {
    Map<String, Object> call = new LinkedHashMap<>();
    call.put("function", "com.acme.Fns#score");
    call.put("version", "3");
    call.put("attempt", 2);
    call.put("tags", List.of("a", "b"));
    Map<String, Object> fields = new LinkedHashMap<>();
    fields.put("serializer", "kryo");
    fields.put("serializerVersion", "5.6.2");
    fields.put("library", "0.1.0");
    fields.put("java", "21.0.4");
    fields.put("call", call);
    return fields;
  }

  private static byte[] payload() {
    byte[] p = new byte[10_000];
    new Random(7).nextBytes(p);
    return p;
  }

  private static byte[] frameBytes() {
    return BlobFrame.of(BlobFrame.KRYO, fields(), payload()).toBytes();
  }

  // ---------------------------------------------------------------- round trips

  @Test
  void ofFillsTheFormatFieldsFirstThenTheWritersFields() {
    byte[] payload = payload();
    BlobFrame frame = BlobFrame.of(BlobFrame.KRYO, fields(), payload);

    assertThat(frame.header().keySet())
        .containsExactly("format", "contentType", "payloadSize", "payloadSha256",
            "serializer", "serializerVersion", "library", "java", "call");
    assertThat(frame.header())
        .containsEntry("format", BlobFrame.FORMAT_VERSION)
        .containsEntry("contentType", "application/x-pureremote-kryo")
        .containsEntry("payloadSize", 10_000L)
        .containsEntry("payloadSha256", BlobFrame.sha256Hex(payload));
    assertThat((String) frame.header().get("payloadSha256")).matches("[0-9a-f]{64}");
    assertThat(frame.payload()).isSameAs(payload);
  }

  @Test
  void headerFieldsAndPayloadSurviveARoundTrip() {
    byte[] payload = payload();
    byte[] bytes = BlobFrame.of(BlobFrame.KRYO, fields(), payload).toBytes();

    BlobFrame read = BlobFrame.read(new ByteArrayInputStream(bytes), URI);

    assertThat(read.payload()).isEqualTo(payload);
    assertThat(read.contentType()).isEqualTo(BlobFrame.KRYO);
    assertThat(read.header())
        .containsEntry("format", 1L)
        .containsEntry("payloadSize", 10_000L)
        .containsEntry("payloadSha256", BlobFrame.sha256Hex(payload))
        .containsEntry("serializer", "kryo")
        .containsEntry("serializerVersion", "5.6.2")
        .containsEntry("library", "0.1.0")
        .containsEntry("java", "21.0.4");
    assertThat(read.header().keySet()).as("insertion order kept")
        .containsExactly("format", "contentType", "payloadSize", "payloadSha256",
            "serializer", "serializerVersion", "library", "java", "call");
    assertThat(read.section("call"))
        .containsExactly(
            Map.entry("function", "com.acme.Fns#score"),
            Map.entry("version", "3"),
            Map.entry("attempt", 2L),
            Map.entry("tags", List.of("a", "b")));
  }

  @Test
  void layoutIsMagicThenBigEndianHeaderLengthThenJsonThenPayload() {
    byte[] payload = {1, 2, 3};
    byte[] bytes = BlobFrame.of(BlobFrame.JSON, Map.of(), payload).toBytes();

    assertThat(Arrays.copyOf(bytes, 8))
        .containsExactly(0x89, 'P', 'R', 'F', '\r', '\n', 0x1A, '\n');
    int headerLength = ByteBuffer.wrap(bytes, 8, 4).getInt();
    String json = new String(bytes, 12, headerLength, UTF_8);
    assertThat(json).isEqualTo("{\"format\":1,\"contentType\":\"application/json\",\"payloadSize\":3,"
        + "\"payloadSha256\":\"" + BlobFrame.sha256Hex(payload) + "\"}");
    assertThat(Arrays.copyOfRange(bytes, 12 + headerLength, bytes.length)).containsExactly(1, 2, 3);
  }

  @Test
  void emptyPayloadRoundTrips() {
    byte[] bytes = BlobFrame.of(BlobFrame.JSON, Map.of(), new byte[0]).toBytes();

    BlobFrame read = BlobFrame.read(new ByteArrayInputStream(bytes), URI);

    assertThat(read.payload()).isEmpty();
    assertThat(read.contentType()).isEqualTo("application/json");
    assertThat(read.header()).containsEntry("payloadSize", 0L);
  }

  @Test
  void readerCopesWithAStreamThatYieldsOneByteAtATime() {
    byte[] bytes = frameBytes();
    InputStream trickle =
        new ByteArrayInputStream(bytes) {
          @Override
          public synchronized int read(byte[] b, int off, int len) {
            return super.read(b, off, Math.min(len, 1));
          }
        };

    assertThat(BlobFrame.read(trickle, URI).payload()).isEqualTo(payload());
  }

  @Test
  void sectionOfAMissingOrNonObjectFieldIsEmpty() {
    BlobFrame frame = BlobFrame.read(new ByteArrayInputStream(frameBytes()), URI);
    assertThat(frame.section("nope")).isEmpty();
    assertThat(frame.section("library")).isEmpty();
  }

  // ---------------------------------------------------------------- corruption

  @Test
  void wrongMagicIsRefused() {
    byte[] bytes = frameBytes();
    bytes[1] = 'X';
    assertCorrupt(bytes)
        .hasMessageContaining("Not a Pure Remote blob (wrong magic bytes)")
        .hasMessageContaining("modified. " + BlobFrame.DAMAGED);
  }

  @Test
  void textAndEmptyInputAreRefusedAsWrongMagic() {
    assertCorrupt("{\"format\":1}".getBytes(UTF_8)).hasMessageContaining("wrong magic bytes");
    assertCorrupt(new byte[0]).hasMessageContaining("wrong magic bytes");
    assertCorrupt(Arrays.copyOf(frameBytes(), 5)).hasMessageContaining("wrong magic bytes");
  }

  @Test
  void truncatedHeaderLengthIsRefused() {
    assertCorrupt(Arrays.copyOf(frameBytes(), 10))
        .hasMessageContaining("Blob is truncated. " + BlobFrame.DAMAGED);
  }

  @Test
  void truncatedHeaderIsRefused() {
    byte[] bytes = frameBytes();
    int headerLength = ByteBuffer.wrap(bytes, 8, 4).getInt();
    assertCorrupt(Arrays.copyOf(bytes, 12 + headerLength / 2))
        .hasMessageContaining("Blob is truncated inside its header. " + BlobFrame.DAMAGED);
  }

  @Test
  void headerLengthOutOfRangeIsRefused() {
    byte[] zero = frameBytes();
    ByteBuffer.wrap(zero).putInt(8, 0);
    assertCorrupt(zero).hasMessageContaining("Blob header length 0 is out of range; the blob is damaged");

    byte[] huge = frameBytes();
    ByteBuffer.wrap(huge).putInt(8, Integer.MAX_VALUE);
    assertCorrupt(huge).hasMessageContaining("Blob header length " + Integer.MAX_VALUE + " is out of range");

    byte[] negative = frameBytes();
    ByteBuffer.wrap(negative).putInt(8, -5);
    assertCorrupt(negative).hasMessageContaining("Blob header length -5 is out of range");
  }

  @Test
  void truncatedPayloadIsRefused() {
    byte[] bytes = frameBytes();
    assertCorrupt(Arrays.copyOf(bytes, bytes.length - 10))
        .hasMessageContaining("Blob payload is truncated: 9990 of 10000 bytes. " + BlobFrame.DAMAGED);
  }

  @Test
  void flippedPayloadByteFailsTheChecksum() {
    byte[] bytes = frameBytes();
    bytes[bytes.length - 100] ^= 0x01;
    assertCorrupt(bytes)
        .hasMessageContaining("Blob payload checksum mismatch (header " + BlobFrame.sha256Hex(payload()))
        .hasMessageContaining("the blob is corrupt. " + BlobFrame.DAMAGED);
  }

  @Test
  void trailingBytesAreRefused() {
    byte[] bytes = frameBytes();
    byte[] longer = Arrays.copyOf(bytes, bytes.length + 1);
    assertCorrupt(longer).hasMessageContaining("Blob has bytes after its payload; it is damaged.");
  }

  @Test
  void unknownFormatVersionIsRefusedNamingBothVersions() {
    Map<String, Object> header = headerOf(frameBytes());
    header.put("format", 2);
    header.put("library", "9.9.9");

    assertCorrupt(withHeader(frameBytes(), header))
        .hasMessageContaining("Unknown blob format 2 (this library reads format 1)")
        .hasMessageContaining("it was written by Pure Remote 9.9.9. Use that version or newer to read it.");
  }

  @Test
  void missingOrNonIntegerFormatIsRefused() {
    Map<String, Object> missing = headerOf(frameBytes());
    missing.remove("format");
    assertCorrupt(withHeader(frameBytes(), missing)).hasMessageContaining("Unknown blob format null");

    Map<String, Object> text = headerOf(frameBytes());
    text.put("format", "1");
    assertCorrupt(withHeader(frameBytes(), text)).hasMessageContaining("(this library reads format 1)");

    Map<String, Object> fraction = headerOf(frameBytes());
    fraction.put("format", 1.5);
    assertCorrupt(withHeader(frameBytes(), fraction)).hasMessageContaining("Unknown blob format 1.5");
  }

  @Test
  void headerThatIsNotJsonIsRefused() {
    byte[] bytes = frameBytes();
    int headerLength = ByteBuffer.wrap(bytes, 8, 4).getInt();
    byte[] garbage = "this is not json".repeat(headerLength).substring(0, headerLength).getBytes(UTF_8);
    System.arraycopy(garbage, 0, bytes, 12, headerLength);

    assertCorrupt(bytes)
        .hasMessageContaining("Blob header is not valid JSON (Invalid JSON at offset 0: unrecognized token 'this')")
        .hasMessageContaining("pureremote verify <root> --repair");
  }

  @Test
  void headerThatIsAJsonArrayIsRefused() {
    byte[] json = "[1,2,3]".getBytes(UTF_8);
    assertCorrupt(frame(json, new byte[0])).hasMessageContaining("Blob header is not valid JSON (Expected a JSON object)");
  }

  @Test
  void invalidPayloadSizeIsRefused() {
    for (Object size : new Object[] {-1, "10000", null, 1.0E12}) {
      Map<String, Object> header = headerOf(frameBytes());
      header.put("payloadSize", size);
      assertCorrupt(withHeader(frameBytes(), header))
          .as("payloadSize %s", size)
          .hasMessageContaining("Blob header has an invalid payloadSize " + size);
    }
    // Payloads have no 2 GiB cap (they are spooled, not loaded as one array): a huge size over a
    // short payload is truncation, found without allocating anything near that size.
    Map<String, Object> huge = headerOf(frameBytes());
    huge.put("payloadSize", 1L << 40);
    assertCorrupt(withHeader(frameBytes(), huge)).hasMessageContaining("Blob payload is truncated: 10000 of " + (1L << 40) + " bytes");
  }

  @Test
  void payloadSizeLargerThanThePayloadIsTruncation() {
    Map<String, Object> header = headerOf(frameBytes());
    header.put("payloadSize", 10_001L);
    assertCorrupt(withHeader(frameBytes(), header))
        .hasMessageContaining("Blob payload is truncated: 10000 of 10001 bytes");
  }

  @Test
  void tamperedChecksumInTheHeaderIsRefused() {
    Map<String, Object> header = headerOf(frameBytes());
    header.put("payloadSha256", "0".repeat(64));
    assertCorrupt(withHeader(frameBytes(), header))
        .hasMessageContaining("checksum mismatch (header " + "0".repeat(64) + ", content " + BlobFrame.sha256Hex(payload()) + ")");
  }

  @Test
  void readFailureIsARetryableStoreErrorNotCorruption() {
    byte[] bytes = frameBytes();
    InputStream ioFailing =
        new InputStream() {
          int served;

          @Override
          public int read() throws IOException {
            if (served >= 20) {
              throw new IOException("connection reset");
            }
            return bytes[served++] & 0xff;
          }
        };

    assertThatThrownBy(() -> BlobFrame.read(ioFailing, URI))
        .isExactlyInstanceOf(BlobStoreException.class)
        .hasMessageContaining("Cannot read blob: java.io.IOException: connection reset")
        .hasMessageContaining(URI)
        .satisfies(e -> assertThat(((BlobStoreException) e).isRetryable()).isTrue());
  }

  // ---------------------------------------------------------------- helpers

  private static AbstractThrowableAssert<?, ? extends Throwable> assertCorrupt(byte[] bytes) {
    return assertThatThrownBy(() -> BlobFrame.read(new ByteArrayInputStream(bytes), URI))
        .isInstanceOf(CorruptBlobException.class)
        .hasMessageEndingWith("[" + URI + "]")
        .satisfies(e -> assertThat(((CorruptBlobException) e).uri()).isEqualTo(URI))
        .satisfies(e -> assertThat(((CorruptBlobException) e).isRetryable()).isFalse());
  }

  private static Map<String, Object> headerOf(byte[] bytes) {
    int headerLength = ByteBuffer.wrap(bytes, 8, 4).getInt();
    return Json.parseObject(new String(bytes, 12, headerLength, UTF_8));
  }

  /** The same frame with its header JSON replaced (and the header length fixed up). */
  private static byte[] withHeader(byte[] bytes, Map<String, Object> header) {
    int headerLength = ByteBuffer.wrap(bytes, 8, 4).getInt();
    byte[] payload = Arrays.copyOfRange(bytes, 12 + headerLength, bytes.length);
    return frame(Json.write(header).getBytes(UTF_8), payload);
  }

  private static byte[] frame(byte[] json, byte[] payload) {
    return ByteBuffer.allocate(8 + 4 + json.length + payload.length)
        .put(BlobFrame.MAGIC).putInt(json.length).put(json).put(payload).array();
  }

  @Test
  void aSpooledFrameRoundTripsPastTheSpoolsMemoryLimit() throws IOException {
    byte[] bytes = new byte[200_000];
    new Random(7).nextBytes(bytes);
    String old = System.getProperty(Spool.MEMORY_PROPERTY);
    System.setProperty(Spool.MEMORY_PROPERTY, "50000");
    try (Spool payload = Spool.of(bytes)) {
      assertThat(payload.spilled()).isTrue();
      byte[] stored;
      try (InputStream in = BlobFrame.content(BlobFrame.KRYO, fields(), payload).open()) {
        stored = in.readAllBytes();
      }
      assertThat(stored).isEqualTo(BlobFrame.of(BlobFrame.KRYO, fields(), bytes).toBytes());
      try (BlobFrame.Spooled read = BlobFrame.readSpooled(new ByteArrayInputStream(stored), URI)) {
        assertThat(read.payload().spilled()).isTrue();
        assertThat(read.payload().toByteArray()).isEqualTo(bytes);
        assertThat(read.section("call")).containsEntry("function", "com.acme.Fns#score");
      }
      stored[stored.length - 1] ^= 1;
      assertThatThrownBy(() -> BlobFrame.readSpooled(new ByteArrayInputStream(stored), URI))
          .isInstanceOf(CorruptBlobException.class).hasMessageContaining("checksum mismatch");
    } finally {
      if (old == null) {
        System.clearProperty(Spool.MEMORY_PROPERTY);
      } else {
        System.setProperty(Spool.MEMORY_PROPERTY, old);
      }
    }
  }
}
