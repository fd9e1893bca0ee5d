package io.pureremote.internal;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.pureremote.BlobStoreException;
import io.pureremote.CorruptBlobException;
import io.pureremote.SerializationException;
import java.io.ByteArrayInputStream;
import java.math.BigDecimal;
import java.math.BigInteger;
import java.time.DayOfWeek;
import java.time.Duration;
import java.time.Instant;
import java.time.LocalDate;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.BitSet;
import java.util.Collections;
import java.util.EnumMap;
import java.util.EnumSet;
import java.util.HashMap;
import java.util.HashSet;
import java.util.HexFormat;
import java.util.LinkedHashMap;
import java.util.LinkedList;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Random;
import java.util.Set;
import java.util.TreeMap;
import java.util.TreeSet;
import java.util.UUID;
import java.util.concurrent.atomic.AtomicReference;
import org.junit.jupiter.api.Test;

/**
 * A seeded fuzzer over the payload and frame readers: valid payloads and frames mutated by bit
 * flips, byte overwrites, truncation, cut-outs and inflated size fields. Every case must end in a
 * value or a {@link SerializationException} / {@link CorruptBlobException} (frames: a {@link
 * BlobStoreException}) with a message: never an {@link Error} (out of memory, stack overflow),
 * another exception type, or a hang.
 *
 * <p>The build runs {@value #DEFAULT_CASES} cases per reader. A longer run: {@code bench/fuzz}, which
 * sets {@code -Dpureremote.fuzz.seconds} and {@code -Dpureremote.fuzz.seed}.
 */
class PayloadFuzzTest {
  static final int DEFAULT_CASES = 3_000;
  private static final ClassLoader LOADER = PayloadFuzzTest.class.getClassLoader();

  record Point(int x, int y) {}

  record Node(String name, List<Node> children, Map<String, Object> attributes) {}

  record Arrays9(byte[] b, char[] c, short[] s, int[] i, long[] l, float[] f, double[] d, boolean[] z, String[] t) {}

  private final KryoCodec codec = new KryoCodec(List.of(), LOADER);

  static List<Object> corpus() {
    Point shared = new Point(1, 2);
    Map<String, Object> attributes = new LinkedHashMap<>();
    attributes.put("when", Instant.parse("2026-01-02T03:04:05Z"));
    attributes.put("size", new BigDecimal("12345.6789"));
    attributes.put("big", new BigInteger("123456789012345678901234567890"));
    attributes.put("id", new UUID(1, 2));
    attributes.put("none", Optional.empty());
    attributes.put("day", LocalDate.of(2026, 1, 2));
    attributes.put("wait", Duration.ofSeconds(90));
    EnumMap<DayOfWeek, String> days = new EnumMap<>(DayOfWeek.class);
    days.put(DayOfWeek.MONDAY, "m");
    days.put(DayOfWeek.FRIDAY, "f");
    BitSet bits = new BitSet();
    bits.set(3);
    bits.set(200);
    TreeSet<String> reverse = new TreeSet<>(Collections.reverseOrder());
    reverse.addAll(List.of("a", "b", "c"));
    return List.of(
        new ArrayList<>(List.of("x", "y", "zé")),
        new ArrayList<>(Arrays.asList(1L, null, 3L)),
        new HashMap<>(Map.of("a", 1, "b", 2)),
        new HashSet<>(Set.of(1.5, 2.5)),
        new TreeMap<>(Map.of("k", List.of(1, 2, 3))),
        reverse,
        new ArrayDeque<>(List.of(shared, shared)),
        new LinkedList<>(List.of("l", "m")),
        List.of("a", "b", "c", "d"),
        Set.of("s", "t"),
        Map.of("m", 1, "n", 2),
        Arrays.asList("p", "q"),
        Collections.unmodifiableList(new ArrayList<>(List.of(shared))),
        days,
        EnumSet.of(DayOfWeek.TUESDAY, DayOfWeek.SUNDAY),
        bits,
        new Arrays9(new byte[] {1, 2, 3}, "chars".toCharArray(), new short[] {4, 5}, new int[] {6, 7, 8},
            new long[] {9L, 10L}, new float[] {1.5f}, new double[] {2.5, 3.5}, new boolean[] {true, false},
            new String[] {"u", "vü"}),
        new Object[] {shared, "o", 4, new Point[] {shared}},
        new Node("root", List.of(new Node("leaf", List.of(), attributes), new Node("other", List.of(), Map.of())),
            attributes),
        "ascii string",
        "ünïcödé string ✓",
        new Object[] {new int[0], new String[0], List.of(), Map.of()});
  }

  @Test
  void mutatedPayloadsEndInAValueOrASerializationError() {
    Report report = fuzz(Long.getLong("pureremote.fuzz.seed", 18L), Integer.getInteger("pureremote.fuzz.cases",
        DEFAULT_CASES), Duration.ofSeconds(Long.getLong("pureremote.fuzz.seconds", 0L)));
    System.out.println("payload fuzz: " + report);
    assertThat(report.failures).as("cases that ended in something other than a value or a clear refusal").isEmpty();
    assertThat(report.refused).as("the mutations reach the size checks").isPositive();
  }

  @Test
  void mutatedFramesAreRefusedAsCorrupt() {
    Random random = new Random(Long.getLong("pureremote.fuzz.seed", 18L));
    List<byte[]> frames = new ArrayList<>();
    for (Object value : corpus()) {
      frames.add(BlobFrame.of(BlobFrame.KRYO, Map.of("call", Map.of("function", "f")), codec.write(value)).toBytes());
    }
    List<String> failures = new ArrayList<>();
    int cases = Integer.getInteger("pureremote.fuzz.cases", DEFAULT_CASES);
    for (int n = 0; n < cases; n++) {
      byte[] frame = mutate(frames.get(random.nextInt(frames.size())), random);
      try {
        BlobFrame.read(new ByteArrayInputStream(frame), "fuzz://frame/" + n);
      } catch (BlobStoreException e) {
        if (e.getMessage() == null || !e.getMessage().contains("fuzz://frame/" + n)) {
          failures.add(n + ": no URI in " + e);
        }
      } catch (Throwable t) {
        failures.add(n + ": " + t + " for " + HexFormat.of().formatHex(frame));
      }
    }
    assertThat(failures).isEmpty();
  }

  @Test
  void aPayloadNestedDeeperThanTheLimitIsRefusedWithoutStackOverflow() throws Exception {
    // Written by a codec that allows deep nesting, on a thread with a large stack: what a
    // hostile writer could store.
    AtomicReference<byte[]> deep = new AtomicReference<>();
    String old = System.getProperty(BoundedInput.MAX_DEPTH_PROPERTY);
    System.setProperty(BoundedInput.MAX_DEPTH_PROPERTY, "1000000");
    try {
      KryoCodec permissive = new KryoCodec(List.of(), LOADER);
      Thread writer = new Thread(null, () -> {
        Object value = "bottom";
        for (int i = 0; i < 50_000; i++) {
          value = new ArrayList<>(List.of(value));
        }
        deep.set(permissive.write(value));
      }, "deep-writer", 1L << 30);
      writer.start();
      writer.join();
    } finally {
      if (old == null) {
        System.clearProperty(BoundedInput.MAX_DEPTH_PROPERTY);
      } else {
        System.setProperty(BoundedInput.MAX_DEPTH_PROPERTY, old);
      }
    }
    byte[] payload = deep.get();
    assertThat(payload).isNotNull();
    assertThatThrownBy(() -> codec.read(new ByteArrayInputStream(payload), payload.length, "fuzz://deep"))
        .isInstanceOf(CorruptBlobException.class)
        .hasMessageContaining("nests objects deeper than the limit " + BoundedInput.DEFAULT_MAX_DEPTH)
        .hasMessageContaining(BoundedInput.MAX_DEPTH_PROPERTY)
        .hasMessageContaining("fuzz://deep");
  }

  @Test
  void valuesAtTheDepthLimitStillRoundTripOnASmallStack() throws Exception {
    AtomicReference<Object> back = new AtomicReference<>();
    AtomicReference<Object> sent = new AtomicReference<>();
    AtomicReference<Throwable> failure = new AtomicReference<>();
    Thread reader = new Thread(null, () -> {
      try {
        Node value = new Node("bottom", List.of(), Map.of());
        // Each Node level is the record plus its list: two objects deep.
        for (int i = 0; i < BoundedInput.DEFAULT_MAX_DEPTH / 2 - 2; i++) {
          value = new Node("n" + i, List.of(value), Map.of());
        }
        sent.set(value);
        byte[] payload = codec.write(value);
        back.set(codec.read(payload));
      } catch (Throwable t) {
        failure.set(t);
      }
    }, "small-stack", 512 << 10);
    reader.start();
    reader.join();
    assertThat(failure.get()).isNull();
    // Compared here: a record's equals recurses too, and a small stack is for the reader only.
    Thread compare = new Thread(null, () -> back.set(back.get().equals(sent.get())), "compare", 64L << 20);
    compare.start();
    compare.join();
    assertThat(back.get()).isEqualTo(true);
  }

  @Test
  void writingAValueDeeperThanTheLimitFailsAtOnceNamingTheLimit() {
    Object value = "bottom";
    for (int i = 0; i < BoundedInput.DEFAULT_MAX_DEPTH + 10; i++) {
      value = new ArrayList<>(List.of(value));
    }
    Object tooDeep = value;
    assertThatThrownBy(() -> codec.write(tooDeep))
        .isInstanceOf(SerializationException.class)
        .hasMessageContaining("deeper than the limit " + BoundedInput.DEFAULT_MAX_DEPTH)
        .hasMessageContaining(BoundedInput.MAX_DEPTH_PROPERTY);
  }

  /** Payloads the long run (bench/fuzz, seed 18) found ending in OutOfMemoryError before the fixes. */
  @Test
  void payloadsTheLongRunFoundAreRefused() {
    List<String> found = List.of(
        // a string length as a 5-byte varint whose last byte has its continuation bit set
        "0301e6ffffff8073",
        "0301c8ffffffcaffffff0573636969207374",
        "01006a6176612e7574696c2e41727261794c6973f40184030001827801827901ffffffffc2ffffff057ac3",
        "0100fbffffffe26176612e7574696c2e486173685365f401830a00000000b500000440000000000000f83f",
        // a LinkedList (no preallocation) of 2^29 elements of a type read from zero bytes
        "01006a6176612e7574696c2e4c696e6b65644c6973f401f2ffffff030001826c01826d",
        "01006a6176612e7574696c2e4c696e6b65644c6973f401caffffff050001826c01826d",
        "0100e2ffffff806176612e757469402e486173684d61f00103030182610202030182620204");
    for (String hex : found) {
      byte[] payload = HexFormat.of().parseHex(hex);
      assertThatThrownBy(() -> codec.read(new ByteArrayInputStream(payload), payload.length, "fuzz://found"))
          .as(hex)
          .isInstanceOfAny(CorruptBlobException.class, SerializationException.class)
          .hasMessageNotContaining("OutOfMemoryError");
    }
  }

  /** Results of a fuzz run. */
  static final class Report {
    long cases;
    long values;
    long refused;
    long serializationErrors;
    final List<String> failures = new ArrayList<>();

    @Override
    public String toString() {
      return cases + " cases: " + values + " values, " + refused + " refused sizes, " + serializationErrors
          + " other serialization errors, " + failures.size() + " failures";
    }
  }

  /** Runs {@code cases} cases, or for {@code duration} when it is positive. */
  Report fuzz(long seed, int cases, Duration duration) {
    Random random = new Random(seed);
    List<byte[]> payloads = new ArrayList<>();
    for (Object value : corpus()) {
      payloads.add(codec.write(value));
    }
    Report report = new Report();
    long deadline = duration.isZero() ? Long.MAX_VALUE : System.nanoTime() + duration.toNanos();
    for (long n = 0; duration.isZero() ? n < cases : System.nanoTime() < deadline; n++) {
      byte[] payload = mutate(payloads.get(random.nextInt(payloads.size())), random);
      String uri = "fuzz://payload/" + seed + "/" + n;
      report.cases++;
      try {
        if (random.nextBoolean()) {
          codec.read(payload);
        } else {
          codec.read(new ByteArrayInputStream(payload), payload.length, uri);
        }
        report.values++;
      } catch (CorruptBlobException e) {
        report.refused++;
        if (!e.getMessage().contains(uri)) {
          report.failures.add(n + ": no URI in " + e);
        }
      } catch (SerializationException e) {
        if (e.getMessage() == null || e.getMessage().isBlank()) {
          report.failures.add(n + ": no message in " + e);
        } else if (e.getMessage().contains("bytes remain") || e.getMessage().contains("more than the limit")) {
          report.refused++;
        } else {
          report.serializationErrors++;
        }
      } catch (Throwable t) {
        if (report.failures.size() < 20) {
          report.failures.add(n + ": " + t + " for " + HexFormat.of().formatHex(payload));
        }
      }
    }
    return report;
  }

  /** One to three mutations of a copy of {@code valid}. */
  static byte[] mutate(byte[] valid, Random random) {
    byte[] bytes = valid.clone();
    for (int m = 1 + random.nextInt(3); m > 0 && bytes.length > 0; m--) {
      int at = random.nextInt(bytes.length);
      switch (random.nextInt(6)) {
        case 0 -> bytes[at] ^= (byte) (1 << random.nextInt(8));
        case 1 -> bytes[at] = (byte) new int[] {0x00, 0x7F, 0x80, 0xFF, 0x3F, 0x40}[random.nextInt(6)];
        case 2 -> bytes = Arrays.copyOf(bytes, at);
        case 3 -> { // a size field inflated: a 5-byte varint where one byte was
          byte[] big = {(byte) (0x80 | random.nextInt(128)), (byte) 0xFF, (byte) 0xFF, (byte) 0xFF,
              (byte) random.nextInt(16)};
          byte[] grown = new byte[bytes.length + 4];
          System.arraycopy(bytes, 0, grown, 0, at);
          System.arraycopy(big, 0, grown, at, 5);
          System.arraycopy(bytes, at + 1, grown, at + 5, bytes.length - at - 1);
          bytes = grown;
        }
        case 4 -> { // a cut-out
          int end = Math.min(bytes.length, at + 1 + random.nextInt(8));
          byte[] cut = new byte[bytes.length - (end - at)];
          System.arraycopy(bytes, 0, cut, 0, at);
          System.arraycopy(bytes, end, cut, at, bytes.length - end);
          bytes = cut;
        }
        default -> bytes[at] = (byte) random.nextInt(256);
      }
    }
    return bytes;
  }
}
