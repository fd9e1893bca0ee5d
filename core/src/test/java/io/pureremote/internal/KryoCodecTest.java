package io.pureremote.internal;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.esotericsoftware.kryo.io.Output;
import io.pureremote.SerializationException;
import java.io.File;
import java.math.BigDecimal;
import java.math.BigInteger;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.time.Instant;
import java.time.LocalDate;
import java.time.LocalDateTime;
import java.time.LocalTime;
import java.time.MonthDay;
import java.time.OffsetDateTime;
import java.time.Period;
import java.time.Year;
import java.time.YearMonth;
import java.time.ZoneId;
import java.time.ZoneOffset;
import java.time.ZonedDateTime;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Collection;
import java.util.Collections;
import java.util.EnumMap;
import java.util.EnumSet;
import java.util.HashMap;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.LinkedList;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.OptionalInt;
import java.util.OptionalLong;
import java.util.Set;
import java.util.TreeMap;
import java.util.TreeSet;
import java.util.UUID;
import java.util.concurrent.Callable;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import java.util.stream.IntStream;
import org.example.refused.Secret;
import org.junit.jupiter.api.Test;

/** Kryo payloads: value types round trip, classes outside the allowlist never pass either way. */
class KryoCodecTest {
  private static final ClassLoader LOADER = KryoCodecTest.class.getClassLoader();

  private final KryoCodec codec = new KryoCodec(List.of(), LOADER);

  enum Color { RED, GREEN, BLUE }

  /** Constants with bodies are subclasses of the enum. */
  enum Op {
    PLUS {
      @Override
      int apply(int a, int b) {
        return a + b;
      }
    },
    TIMES {
      @Override
      int apply(int a, int b) {
        return a * b;
      }
    };

    abstract int apply(int a, int b);
  }

  record Point(int x, int y) {}

  record Shape(
      String name,
      List<Point> points,
      Map<String, Point> named,
      Optional<Point> center,
      Color color,
      double[] weights,
      Point[] corners) {}

  record Wrapper(Object value) {}

  /** A mutable class without a no-arg constructor. */
  static final class Account {
    private final String id;
    private long balance;

    Account(String id, long balance) {
      this.id = id;
      this.balance = balance;
    }
  }

  @SuppressWarnings("unchecked")
  private <T> T roundTrip(T value) {
    return (T) codec.read(codec.write(value));
  }

  // ---------------------------------------------------------------- round trips

  @Test
  void nullRoundTrips() {
    assertThat(codec.read(codec.write(null))).isNull();
  }

  @Test
  void stringsAndBoxedPrimitivesRoundTrip() {
    List<Object> values = List.of("", "héllo ☃ 😀", 42, 42L, (short) 7, (byte) -1, 1.5f, 2.25d, 'x', true,
        Integer.MIN_VALUE, Long.MAX_VALUE, Double.NaN);
    for (Object v : values) {
      assertThat(roundTrip(v)).as("round trip of %s", v).isEqualTo(v).hasSameClassAs(v);
    }
  }

  @Test
  void recordsRoundTripIncludingNestedRecordsAndArrays() {
    Shape shape =
        new Shape(
            "triangle",
            List.of(new Point(0, 0), new Point(1, 0), new Point(0, 1)),
            Map.of("origin", new Point(0, 0)),
            Optional.of(new Point(1, 1)),
            Color.GREEN,
            new double[] {0.5, 0.25},
            new Point[] {new Point(-1, -1), null});

    Shape back = roundTrip(shape);

    assertThat(back).usingRecursiveComparison().isEqualTo(shape);
    assertThat(back.points()).containsExactly(new Point(0, 0), new Point(1, 0), new Point(0, 1));
    assertThat(back.named()).containsExactly(Map.entry("origin", new Point(0, 0)));
    assertThat(back.center()).contains(new Point(1, 1));
    assertThat(back.color()).isSameAs(Color.GREEN);
    assertThat(back.weights()).containsExactly(0.5, 0.25);
    assertThat(back.corners()).containsExactly(new Point(-1, -1), null);
  }

  @Test
  void classesWithoutNoArgConstructorRoundTrip() {
    Account back = roundTrip(new Account("acc-1", 1234));
    assertThat(back.id).isEqualTo("acc-1");
    assertThat(back.balance).isEqualTo(1234);
  }

  @Test
  void jdkImmutableCollectionsRoundTripAndStayImmutable() {
    List<Collection<?>> collections = List.of(
        List.of(), List.of(1), List.of(1, 2), List.of(1, 2, 3, 4, 5),
        Set.of(), Set.of("a"), Set.of("a", "b"), Set.of("a", "b", "c", "d"),
        List.copyOf(new ArrayList<>(List.of("x", "y", "z"))),
        Arrays.asList(1, null, 3), Collections.emptyList(), Collections.singletonList("only"),
        Collections.emptySet(), Collections.singleton(9));
    for (Collection<?> c : collections) {
      assertThat(roundTrip(c)).as("round trip of %s (%s)", c, c.getClass().getName()).isEqualTo(c);
    }
    List<Map<?, ?>> maps = List.of(
        Map.of(), Map.of("k", 1), Map.of("a", 1, "b", 2, "c", 3),
        Map.ofEntries(IntStream.range(0, 20).mapToObj(i -> Map.entry("k" + i, i)).toArray(Map.Entry[]::new)),
        Collections.emptyMap(), Collections.singletonMap("one", 1));
    for (Map<?, ?> m : maps) {
      assertThat(roundTrip(m)).as("round trip of %s", m).isEqualTo(m);
    }

    List<Integer> list = roundTrip(List.of(1, 2, 3));
    assertThatThrownBy(() -> list.add(4)).isInstanceOf(UnsupportedOperationException.class);
    Set<String> set = roundTrip(Set.of("a", "b"));
    assertThatThrownBy(() -> set.add("c")).isInstanceOf(UnsupportedOperationException.class);
    Map<String, Integer> map = roundTrip(Map.of("a", 1));
    assertThatThrownBy(() -> map.put("b", 2)).isInstanceOf(UnsupportedOperationException.class);
  }

  @Test
  void mutableJdkCollectionsRoundTripWithTheirClassAndOrder() {
    ArrayList<String> arrayList = new ArrayList<>(List.of("b", "a", "c"));
    LinkedList<Integer> linkedList = new LinkedList<>(List.of(3, 1, 2));
    HashMap<String, Integer> hashMap = new HashMap<>(Map.of("x", 1, "y", 2));
    LinkedHashMap<String, Integer> linked = new LinkedHashMap<>();
    linked.put("z", 1);
    linked.put("a", 2);
    linked.put("m", 3);
    TreeMap<String, Integer> treeMap = new TreeMap<>(Map.of("b", 2, "a", 1, "c", 3));
    TreeMap<String, Integer> reversed = new TreeMap<>(Collections.reverseOrder());
    reversed.putAll(treeMap);
    HashSet<String> hashSet = new HashSet<>(Set.of("p", "q"));
    LinkedHashSet<String> linkedSet = new LinkedHashSet<>(List.of("z", "a", "m"));
    TreeSet<Integer> treeSet = new TreeSet<>(Set.of(5, 1, 3));

    for (Object c : List.of(arrayList, linkedList, hashMap, linked, treeMap, reversed, hashSet, linkedSet,
        treeSet)) {
      assertThat(roundTrip(c)).as("round trip of %s", c).isEqualTo(c).hasSameClassAs(c);
    }
    assertThat(roundTrip(linked).keySet()).containsExactly("z", "a", "m");
    assertThat(roundTrip(linkedSet)).containsExactly("z", "a", "m");
    assertThat(roundTrip(reversed).keySet()).containsExactly("c", "b", "a");
    assertThat(roundTrip(treeSet)).containsExactly(1, 3, 5);
    assertThat(roundTrip(new ArrayDeque<>(List.of(1, 2, 3)))).containsExactly(1, 2, 3);
    assertThat(roundTrip(EnumSet.of(Color.RED, Color.BLUE))).isEqualTo(EnumSet.of(Color.RED, Color.BLUE));
    assertThat(roundTrip(EnumSet.noneOf(Color.class))).isEqualTo(EnumSet.noneOf(Color.class));
  }

  @Test
  @SuppressWarnings({"rawtypes", "unchecked"})
  void enumMapsRoundTripWithTheirKeyType() {
    EnumMap<Color, String> colors = new EnumMap<>(Map.of(Color.BLUE, "b", Color.RED, "r"));
    EnumMap<Op, List<Integer>> ops = new EnumMap<>(Map.of(Op.TIMES, List.of(2, 3)));
    EnumMap<Color, Point> empty = new EnumMap<>(Color.class);

    EnumMap<Color, String> colorsBack = roundTrip(colors);
    EnumMap<Op, List<Integer>> opsBack = roundTrip(ops);
    EnumMap<Color, Point> emptyBack = roundTrip(empty);
    Wrapper nested = roundTrip(new Wrapper(List.of(colors, empty, colors)));

    assertThat(colorsBack).isEqualTo(colors).hasSameClassAs(colors);
    assertThat(colorsBack.keySet()).containsExactly(Color.RED, Color.BLUE);
    assertThat(opsBack).containsExactly(Map.entry(Op.TIMES, List.of(2, 3)));
    assertThat(emptyBack).isEmpty();
    // The key type survived: the map accepts its own keys and refuses others.
    emptyBack.put(Color.GREEN, null);
    assertThatThrownBy(() -> ((Map) emptyBack).put(Op.PLUS, null))
        .isInstanceOf(ClassCastException.class);
    opsBack.put(Op.PLUS, List.of());
    assertThat(nested.value()).isEqualTo(List.of(colors, empty, colors));
  }

  @Test
  void enumMapWithRefusedValuesIsRefused() {
    EnumMap<Color, Object> map = new EnumMap<>(Color.class);
    map.put(Color.RED, new Secret("x"));
    assertThatThrownBy(() -> codec.write(map))
        .isInstanceOf(SerializationException.class)
        .hasMessageContaining("Class org.example.refused.Secret is not allowed");
  }

  @Test
  void unmodifiableViewsRoundTripAsUnmodifiableViews() {
    List<String> list = Collections.unmodifiableList(new ArrayList<>(List.of("a", "b")));
    List<String> linked = Collections.unmodifiableList(new LinkedList<>(List.of("c", "d")));
    Set<String> set = Collections.unmodifiableSet(new LinkedHashSet<>(List.of("z", "y")));
    Map<String, Integer> map = Collections.unmodifiableMap(new LinkedHashMap<>(Map.of("k", 1)));
    Collection<Integer> collection = Collections.unmodifiableCollection(new ArrayList<>(List.of(1, 2)));

    List<String> listBack = roundTrip(list);
    List<String> linkedBack = roundTrip(linked);
    Set<String> setBack = roundTrip(set);
    Map<String, Integer> mapBack = roundTrip(map);
    Collection<Integer> collectionBack = roundTrip(collection);

    assertThat(listBack).isEqualTo(list);
    assertThat(linkedBack).isEqualTo(linked);
    assertThat(setBack).containsExactly("z", "y");
    assertThat(mapBack).isEqualTo(map);
    assertThat(collectionBack).containsExactly(1, 2);
    assertThatThrownBy(() -> listBack.add("x")).isInstanceOf(UnsupportedOperationException.class);
    assertThatThrownBy(() -> linkedBack.add("x")).isInstanceOf(UnsupportedOperationException.class);
    assertThatThrownBy(() -> setBack.add("x")).isInstanceOf(UnsupportedOperationException.class);
    assertThatThrownBy(() -> mapBack.put("x", 2)).isInstanceOf(UnsupportedOperationException.class);
    assertThatThrownBy(() -> collectionBack.add(3)).isInstanceOf(UnsupportedOperationException.class);
    // Nested inside a record too.
    Wrapper wrapped = roundTrip(new Wrapper(list));
    assertThat(wrapped.value()).isEqualTo(list);
  }

  @Test
  void uuidBigNumbersAndOptionalsRoundTrip() {
    UUID uuid = UUID.fromString("123e4567-e89b-12d3-a456-426614174000");
    assertThat(roundTrip(uuid)).isEqualTo(uuid);
    assertThat(roundTrip(UUID.randomUUID())).isNotNull();
    BigDecimal scaled = new BigDecimal("1.500");
    assertThat(roundTrip(scaled)).isEqualTo(scaled).extracting(BigDecimal::scale).isEqualTo(3);
    assertThat(roundTrip(new BigDecimal("-123456789012345678901234567890.0001"))).isEqualTo(new BigDecimal("-123456789012345678901234567890.0001"));
    assertThat(roundTrip(new BigInteger("98765432109876543210987654321"))).isEqualTo(new BigInteger("98765432109876543210987654321"));
    assertThat(roundTrip(Optional.of("x"))).contains("x");
    assertThat(roundTrip(Optional.empty())).isEmpty();
    assertThat(roundTrip(OptionalInt.of(3))).hasValue(3);
    assertThat(roundTrip(OptionalLong.empty())).isEmpty();
  }

  @Test
  void javaTimeValuesRoundTrip() {
    List<Object> values = List.of(
        Instant.parse("2026-03-01T12:34:56.123456789Z"),
        LocalDate.of(2026, 2, 28),
        LocalTime.of(23, 59, 59, 999_999_999),
        LocalDateTime.of(2026, 1, 2, 3, 4, 5, 6),
        ZonedDateTime.of(2026, 10, 25, 2, 30, 0, 0, ZoneId.of("Europe/Paris")),
        OffsetDateTime.of(2026, 1, 1, 0, 0, 0, 0, ZoneOffset.ofHoursMinutes(5, 30)),
        Duration.ofSeconds(90061, 5),
        Period.of(1, 2, 3),
        Year.of(2026),
        YearMonth.of(2026, 12),
        MonthDay.of(2, 29),
        ZoneId.of("America/New_York"),
        ZoneOffset.ofHours(-3));
    for (Object v : values) {
      assertThat(roundTrip(v)).as("round trip of %s", v).isEqualTo(v);
    }
  }

  @Test
  void enumsRoundTripAsTheSameConstants() {
    assertThat(roundTrip(Color.BLUE)).isSameAs(Color.BLUE);
    assertThat(roundTrip(Op.TIMES)).isSameAs(Op.TIMES);
    assertThat(roundTrip(List.of(Op.PLUS, Color.RED))).containsExactly(Op.PLUS, Color.RED);
    assertThat(roundTrip(Op.PLUS).apply(2, 3)).isEqualTo(5);
  }

  @Test
  void primitiveAndObjectArraysRoundTrip() {
    assertThat(roundTrip(new int[] {1, -2, 3})).containsExactly(1, -2, 3);
    assertThat(roundTrip(new long[] {Long.MIN_VALUE, 0})).containsExactly(Long.MIN_VALUE, 0);
    assertThat(roundTrip(new double[] {1.5, Double.NEGATIVE_INFINITY})).containsExactly(1.5, Double.NEGATIVE_INFINITY);
    assertThat(roundTrip(new float[] {0.1f})).containsExactly(0.1f);
    assertThat(roundTrip(new byte[] {0, 127, -128})).containsExactly(0, 127, -128);
    assertThat(roundTrip(new short[] {-5})).containsExactly((short) -5);
    assertThat(roundTrip(new char[] {'a', '☃'})).containsExactly('a', '☃');
    assertThat(roundTrip(new boolean[] {true, false})).containsExactly(true, false);
    assertThat(roundTrip(new String[] {"a", null})).containsExactly("a", null);
    assertThat(roundTrip(new int[][] {{1}, {2, 3}, {}})).isDeepEqualTo(new int[][] {{1}, {2, 3}, {}});
    assertThat(roundTrip(new byte[0])).isEmpty();
    assertThat(roundTrip(new Color[] {Color.RED})).containsExactly(Color.RED);
  }

  @Test
  void objectsSharedInAGraphStayEqual() {
    Point p = new Point(1, 2);
    List<Point> back = roundTrip(new ArrayList<>(List.of(p, p, new Point(1, 2))));
    assertThat(back).containsExactly(p, p, p);
  }

  // ---------------------------------------------------------------- the allowlist

  @Test
  void allowedPackagesAreOwnPackagesPlusTheGivenOnes() {
    KryoCodec c = new KryoCodec(List.of("com.acme", "org.x.", " ", ""), LOADER);
    assertThat(c.allowedPackages()).containsExactly("io.pureremote.", "com.acme.", "org.x.");
    assertThat(codec.allowedPackages()).containsExactly("io.pureremote.");
  }

  @Test
  void classOutsideTheAllowedPackagesIsRefusedOnWrite() {
    assertThatThrownBy(() -> codec.write(new Secret("s3cr3t")))
        .isInstanceOf(SerializationException.class)
        .hasMessageContaining("Class org.example.refused.Secret is not allowed in Pure Remote payloads.")
        .hasMessageContaining("classes under [io.pureremote.]")
        .hasMessageContaining("Add its package with RemoteRuntime.Builder.allowPackages(\"org.example.refused\").")
        .hasMessageNotContaining("s3cr3t");
  }

  @Test
  void refusedClassNestedInAllowedValuesIsRefusedOnWrite() {
    List<Object> values = List.of(
        new Wrapper(new Secret("x")),
        List.of(1, new Secret("x")),
        new ArrayList<>(List.of(new Secret("x"))),
        Map.of("k", new Secret("x")),
        Optional.of(new Secret("x")),
        Collections.unmodifiableList(new ArrayList<>(List.of(new Secret("x")))),
        new Object[] {new Secret("x")});
    for (Object v : values) {
      assertThatThrownBy(() -> codec.write(v))
          .as("writing %s", v.getClass().getName())
          .isInstanceOf(SerializationException.class)
          .hasMessageContaining("Class org.example.refused.Secret is not allowed")
          .hasMessageContaining("allowPackages(\"org.example.refused\")");
    }
  }

  @Test
  void arrayOfARefusedClassIsRefusedNamingTheArrayType() {
    assertThatThrownBy(() -> codec.write(new Secret[] {new Secret("x")}))
        .isInstanceOf(SerializationException.class)
        .hasMessageContaining("Class org.example.refused.Secret[] is not allowed")
        .hasMessageContaining("allowPackages(\"org.example.refused\")");
    assertThatThrownBy(() -> codec.write(new Wrapper(new Secret[0][0])))
        .isInstanceOf(SerializationException.class)
        .hasMessageContaining("Class org.example.refused.Secret[][] is not allowed");
  }

  @Test
  void allowingAPackageAdmitsItsClassesButNotLookalikePackages() {
    KryoCodec permissive = new KryoCodec(List.of("org.example.refused"), LOADER);
    assertThat(permissive.read(permissive.write(new Secret("ok")))).isEqualTo(new Secret("ok"));
    KryoCodec parent = new KryoCodec(List.of("org.example"), LOADER);
    assertThat(parent.read(parent.write(new Secret("sub")))).as("subpackages are allowed").isEqualTo(new Secret("sub"));

    KryoCodec lookalike = new KryoCodec(List.of("org.example.ref"), LOADER);
    assertThatThrownBy(() -> lookalike.write(new Secret("no")))
        .isInstanceOf(SerializationException.class)
        .hasMessageContaining("Class org.example.refused.Secret is not allowed")
        .hasMessageContaining("classes under [io.pureremote., org.example.ref.]");
  }

  @Test
  void readerEnforcesTheAllowlistOnPayloadsFromPermissiveWriters() {
    KryoCodec permissive = new KryoCodec(List.of("org.example.refused"), LOADER);
    byte[] top = permissive.write(new Secret("x"));
    byte[] nested = permissive.write(new Wrapper(List.of(new Secret("y"))));

    for (byte[] payload : List.of(top, nested)) {
      assertThatThrownBy(() -> codec.read(payload))
          .isInstanceOf(SerializationException.class)
          .hasMessageContaining("Class org.example.refused.Secret is not allowed in Pure Remote payloads")
          .hasMessageContaining("allowPackages(\"org.example.refused\")");
    }
    assertThat(permissive.read(nested)).isEqualTo(new Wrapper(List.of(new Secret("y"))));
  }

  @Test
  void refusedReadNeverInitializesTheNamedClass() {
    // A payload naming a class Kryo would have to load: class-by-name marker, name id 0, the name.
    Output out = new Output(128, -1);
    out.writeByte(1);
    out.writeVarInt(0, true);
    out.writeString("org.example.refused.Tripwire");
    byte[] payload = out.toBytes();

    assertThatThrownBy(() -> codec.read(payload))
        .isInstanceOf(SerializationException.class)
        .hasMessageContaining("Class org.example.refused.Tripwire is not allowed");
    assertThat(System.getProperty("pureremote.test.tripwire")).as("Tripwire's static initializer ran").isNull();
  }

  @Test
  void dangerousJdkClassesAreRefused() {
    assertThatThrownBy(() -> codec.write(Thread.currentThread()))
        .isInstanceOf(SerializationException.class)
        .hasMessageContaining("Class java.lang.Thread is not allowed");
    assertThatThrownBy(() -> codec.write(new File("/etc/passwd")))
        .isInstanceOf(SerializationException.class)
        .hasMessageContaining("Class java.io.File is not allowed")
        .hasMessageContaining("allowPackages(\"java.io\")");
    assertThatThrownBy(() -> codec.write(new Wrapper(new StringBuilder("x"))))
        .isInstanceOf(SerializationException.class)
        .hasMessageContaining("Class java.lang.StringBuilder is not allowed");
    assertThatThrownBy(() -> codec.write(Collections.synchronizedList(new ArrayList<>())))
        .isInstanceOf(SerializationException.class)
        .hasMessageContaining("java.util.Collections$SynchronizedRandomAccessList is not allowed");
  }

  @Test
  void codecStaysUsableAfterARefusal() {
    KryoCodec single = new KryoCodec(List.of(), LOADER);
    for (int i = 0; i < 3; i++) {
      assertThatThrownBy(() -> single.write(new Wrapper(new Secret("x")))).isInstanceOf(SerializationException.class);
      assertThat(single.read(single.write(new Wrapper(new Point(i, i))))).isEqualTo(new Wrapper(new Point(i, i)));
    }
  }

  @Test
  void damagedPayloadFailsWithSerializationException() {
    byte[] payload = codec.write(new Shape("s", List.of(new Point(1, 2)), Map.of(), Optional.empty(), Color.RED,
        new double[] {1, 2, 3}, new Point[0]));
    byte[] truncated = Arrays.copyOf(payload, payload.length / 2);

    assertThatThrownBy(() -> codec.read(truncated))
        .isInstanceOf(SerializationException.class)
        .hasMessageStartingWith("Cannot deserialize the value: ");
  }

  @Test
  void missingClassOnTheReadingSideIsNamed() {
    KryoCodec permissive = new KryoCodec(List.of("org.example.refused"), LOADER);
    byte[] payload = permissive.write(new Secret("x"));
    String text = new String(payload, StandardCharsets.ISO_8859_1);
    assertThat(text).contains("org.example.refused.Secre");
    byte[] renamed = text.replace("refused.Secre", "refused.Zecre").getBytes(StandardCharsets.ISO_8859_1);

    assertThatThrownBy(() -> permissive.read(renamed))
        .isInstanceOf(SerializationException.class)
        .hasMessageContaining("Cannot deserialize the value")
        .hasMessageContaining("org.example.refused.Zecret");
  }

  // ---------------------------------------------------------------- threads

  private static boolean sameShape(Shape a, Shape b) {
    return a.name().equals(b.name()) && a.points().equals(b.points()) && a.named().equals(b.named())
        && a.center().equals(b.center()) && a.color() == b.color() && Arrays.equals(a.weights(), b.weights())
        && Arrays.equals(a.corners(), b.corners());
  }

  @Test
  void codecIsUsableFromEightThreadsAtOnce() throws Exception {
    ExecutorService pool = Executors.newFixedThreadPool(8);
    try {
      CountDownLatch start = new CountDownLatch(1);
      List<Future<Integer>> futures = new ArrayList<>();
      for (int t = 0; t < 8; t++) {
        int thread = t;
        Callable<Integer> task =
            () -> {
              start.await();
              int checked = 0;
              for (int i = 0; i < 300; i++) {
                Shape shape = new Shape("t" + thread + "-" + i, List.of(new Point(thread, i)),
                    Map.of("k" + i, new Point(i, thread)), Optional.of(new Point(i, i)), Color.values()[i % 3],
                    new double[] {thread, i}, new Point[] {new Point(thread, thread)});
                Shape back = (Shape) codec.read(codec.write(shape));
                if (!sameShape(back, shape)) {
                  throw new AssertionError("thread " + thread + " read back " + back + " for " + shape);
                }
                if (i % 50 == 0) {
                  assertThatThrownBy(() -> codec.write(new Wrapper(new Secret("x"))))
                      .isInstanceOf(SerializationException.class);
                }
                checked++;
              }
              return checked;
            };
        futures.add(pool.submit(task));
      }
      start.countDown();
      int total = 0;
      for (Future<Integer> f : futures) {
        total += f.get(60, TimeUnit.SECONDS);
      }
      assertThat(total).isEqualTo(8 * 300);
    } finally {
      pool.shutdownNow();
      assertThat(pool.awaitTermination(30, TimeUnit.SECONDS)).isTrue();
    }
  }
}
