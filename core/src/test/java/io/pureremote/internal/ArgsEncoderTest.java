package io.pureremote.internal;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.fail;

import io.pureremote.ArgumentKeyException;
import io.pureremote.internal.ArgsFixtures.A;
import io.pureremote.internal.ArgsFixtures.B;
import io.pureremote.internal.ArgsFixtures.Base;
import io.pureremote.internal.ArgsFixtures.Color;
import io.pureremote.internal.ArgsFixtures.Key;
import io.pureremote.internal.ArgsFixtures.Node;
import io.pureremote.internal.ArgsFixtures.Op;
import io.pureremote.internal.ArgsFixtures.Point;
import io.pureremote.internal.ArgsFixtures.Pojo;
import io.pureremote.internal.ArgsFixtures.Sub;
import java.io.ByteArrayInputStream;
import java.io.ByteArrayOutputStream;
import java.io.File;
import java.io.IOException;
import java.lang.reflect.Proxy;
import java.math.BigDecimal;
import java.math.BigInteger;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.security.MessageDigest;
import java.time.Duration;
import java.time.Instant;
import java.time.LocalDate;
import java.time.LocalDateTime;
import java.time.LocalTime;
import java.time.MonthDay;
import java.time.OffsetDateTime;
import java.time.OffsetTime;
import java.time.Period;
import java.time.Year;
import java.time.YearMonth;
import java.time.ZoneId;
import java.time.ZoneOffset;
import java.time.ZonedDateTime;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Collections;
import java.util.Comparator;
import java.util.Date;
import java.util.EnumSet;
import java.util.HashMap;
import java.util.HashSet;
import java.util.HexFormat;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.LinkedList;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.OptionalDouble;
import java.util.OptionalInt;
import java.util.OptionalLong;
import java.util.Set;
import java.util.TreeMap;
import java.util.TreeSet;
import java.util.UUID;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.function.Supplier;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;

class ArgsEncoderTest {
  record Row(String id, Map<String, Object> features) {}

  record Holder(List<Object> items) {}

  record Wrapper(Object value) {}

  record Group(String name, Map<String, List<Integer>> scores) {}

  static final class Failure extends RuntimeException {
    Failure(String message) {
      super(message);
    }
  }

  private static String key(Object value) {
    return ArgsEncoder.hash(new Object[] {value});
  }

  private static String keys(Object... args) {
    return ArgsEncoder.hash(args);
  }

  private static byte[] encoding(Object... args) throws IOException {
    ByteArrayOutputStream out = new ByteArrayOutputStream();
    ArgsEncoder.encode(args, out);
    return out.toByteArray();
  }

  private static ArgumentKeyException refused(Object... args) {
    try {
      String hash = ArgsEncoder.hash(args);
      return fail("expected ArgumentKeyException, got hash " + hash);
    } catch (ArgumentKeyException e) {
      return e;
    }
  }

  /** One fresh value of every supported kind (built anew on each call). */
  private static Map<String, Object> everyKind() {
    Map<String, Object> m = new LinkedHashMap<>();
    m.put("null", null);
    m.put("boolean", true);
    m.put("byte", (byte) 1);
    m.put("short", (short) 1);
    m.put("int", 1);
    m.put("long", 1L);
    m.put("float", 1f);
    m.put("double", 1d);
    m.put("char", 'a');
    m.put("string", "a");
    m.put("empty string", "");
    m.put("unicode string", "naïve 日本 🌍");
    m.put("unpaired surrogate", "x\uD800y");
    m.put("enum", Color.RED);
    m.put("enum with body", Op.PLUS);
    m.put("jdk enum", java.time.DayOfWeek.MONDAY);
    m.put("big decimal", new BigDecimal("1.50"));
    m.put("big integer", new BigInteger("123456789012345678901234567890"));
    m.put("uuid", UUID.fromString("00000000-0000-0001-0000-000000000002"));
    m.put("instant", Instant.ofEpochSecond(1, 2));
    m.put("local date", LocalDate.of(2026, 1, 2));
    m.put("local time", LocalTime.of(3, 4, 5, 6));
    m.put("local date time", LocalDateTime.of(2026, 1, 2, 3, 4));
    m.put("offset date time", OffsetDateTime.of(2026, 1, 2, 3, 4, 5, 0, ZoneOffset.ofHours(1)));
    m.put("offset time", OffsetTime.of(3, 4, 5, 0, ZoneOffset.ofHours(-2)));
    m.put("zoned date time", ZonedDateTime.of(2026, 1, 2, 3, 4, 5, 0, ZoneId.of("Asia/Tokyo")));
    m.put("duration", Duration.ofSeconds(90));
    m.put("period", Period.of(1, 2, 3));
    m.put("year", Year.of(2026));
    m.put("year month", YearMonth.of(2026, 2));
    m.put("month day", MonthDay.of(2, 29));
    m.put("zone id", ZoneId.of("Europe/Paris"));
    m.put("zone offset", ZoneOffset.ofHoursMinutes(5, 30));
    m.put("optional", Optional.of("a"));
    m.put("empty optional", Optional.empty());
    m.put("optional int", OptionalInt.of(1));
    m.put("empty optional int", OptionalInt.empty());
    m.put("optional long", OptionalLong.of(1));
    m.put("optional double", OptionalDouble.of(1));
    m.put("boolean[]", new boolean[] {true, false});
    m.put("byte[]", new byte[] {1, 2});
    m.put("short[]", new short[] {1, 2});
    m.put("char[]", new char[] {'a', 'b'});
    m.put("int[]", new int[] {1, 2});
    m.put("long[]", new long[] {1, 2});
    m.put("float[]", new float[] {1, 2});
    m.put("double[]", new double[] {1, 2});
    m.put("String[]", new String[] {"a", "b"});
    m.put("Object[]", new Object[] {"a", "b"});
    m.put("int[][]", new int[][] {{1}, {2}});
    m.put("list", List.of("a", "b"));
    m.put("deque", new ArrayDeque<>(List.of("c", "d")));
    m.put("set", Set.of("a", "b"));
    m.put("map", Map.of("a", 1, "b", 2));
    m.put("record", new Point(1, 2));
    m.put("pojo", new Pojo("n", 1, List.of("t")));
    m.put("nested", new Group("g", Map.of("x", List.of(1, 2), "y", List.of())));
    return m;
  }

  @Test
  void everyKindHasAStableKeyAndNoTwoKindsCollide() {
    Map<String, Object> first = everyKind();
    Map<String, Object> second = everyKind();
    Map<String, String> seen = new HashMap<>();
    for (String kind : first.keySet()) {
      String hash = key(first.get(kind));
      assertThat(hash).as(kind).matches("[0-9a-f]{64}");
      assertThat(key(second.get(kind))).as(kind + " built again").isEqualTo(hash);
      assertThat(key(first.get(kind))).as(kind + " hashed again").isEqualTo(hash);
      String clash = seen.put(hash, kind);
      assertThat(clash).as(kind + " collides with " + clash).isNull();
    }
  }

  @Test
  void hashIsSha256OfTheEncodingWhichStartsWithTheVersionedHeader() throws Exception {
    Object[] args = everyKind().values().toArray();
    byte[] bytes = encoding(args);
    String expected = HexFormat.of().formatHex(MessageDigest.getInstance("SHA-256").digest(bytes));
    assertThat(ArgsEncoder.hash(args)).isEqualTo(expected);

    byte[] magic = "pureremote-args".getBytes(StandardCharsets.US_ASCII);
    assertThat(bytes[0]).isEqualTo((byte) magic.length);
    assertThat(Arrays.copyOfRange(bytes, 1, 1 + magic.length)).isEqualTo(magic);
    assertThat(bytes[1 + magic.length]).isEqualTo((byte) ArgsEncoder.ENCODING_VERSION);
    assertThat(bytes[2 + magic.length]).isEqualTo((byte) args.length);
  }

  @Test
  void noArgumentsIsTheEmptyArray() {
    assertThat(ArgsEncoder.hash(null)).isEqualTo(keys());
  }

  /**
   * Changing this hash orphans every memoized result: a changed encoding must come with a new
   * {@link ArgsEncoder#ENCODING_VERSION}, and then this literal is updated.
   */
  @Test
  void goldenHashIsPinned() {
    Map<String, List<Double>> features = new LinkedHashMap<>();
    features.put("b", List.of(2.5, -0.0));
    features.put("a", List.of(Double.NaN));
    Object[] args = {
      42,
      7L,
      "memo ✓",
      'c',
      true,
      null,
      (short) 3,
      (byte) -1,
      1.25f,
      Color.GREEN,
      Op.MINUS,
      new BigDecimal("1.10"),
      new BigInteger("-12345678901234567890"),
      UUID.fromString("123e4567-e89b-12d3-a456-426614174000"),
      Instant.ofEpochSecond(1_700_000_000L, 5),
      LocalDate.of(2026, 8, 21),
      ZonedDateTime.of(2026, 8, 21, 12, 0, 0, 0, ZoneId.of("Europe/Berlin")),
      Duration.ofMinutes(90),
      Optional.of(new Point(3, 4)),
      Optional.empty(),
      OptionalInt.of(9),
      new int[] {1, 2, 3},
      new double[] {0.5, Double.NaN},
      new byte[] {1, 2},
      new String[] {"x", null},
      List.of(1, 2, 3),
      Set.of("z", "y"),
      features,
      Map.of(Color.RED, 1, Color.BLUE, 2),
      new Pojo("p", 2, List.of("t")),
      new Sub(1, 2),
      new Group("g", Map.of("s", List.of(1)))
    };
    assertThat(ArgsEncoder.hash(args))
        .isEqualTo("49c55ffc591cec4a3323b9e769b890e8cbbd32f2ee090e33fea1af30db8a8b8b");
  }

  @Test
  void mapsGiveOneKeyWhateverTheImplementationAndInsertionOrder() {
    List<String> names = List.of("delta", "alpha", "charlie", "bravo", "echo");
    Map<String, Integer> hash = new HashMap<>();
    Map<String, Integer> tree = new TreeMap<>();
    Map<String, Integer> linked = new LinkedHashMap<>();
    Map<String, Integer> concurrent = new ConcurrentHashMap<>();
    for (int i = 0; i < names.size(); i++) {
      hash.put(names.get(i), i);
      concurrent.put(names.get(i), i);
    }
    for (int i = names.size() - 1; i >= 0; i--) {
      tree.put(names.get(i), i);
      linked.put(names.get(i), i);
    }
    String expected = key(hash);
    assertThat(key(tree)).isEqualTo(expected);
    assertThat(key(linked)).isEqualTo(expected);
    assertThat(key(concurrent)).isEqualTo(expected);
    assertThat(key(Collections.unmodifiableMap(linked))).isEqualTo(expected);
    assertThat(key(Map.copyOf(hash))).isEqualTo(expected);

    linked.put("alpha", 99);
    assertThat(key(linked)).isNotEqualTo(expected);
  }

  @Test
  void setsGiveOneKeyWhateverTheImplementationAndOrder() {
    Set<Integer> small = new HashSet<>();
    Set<Integer> large = new HashSet<>(4096); // other capacity, other iteration order
    Set<Integer> linked = new LinkedHashSet<>();
    Set<Integer> tree = new TreeSet<>(Comparator.naturalOrder());
    for (int i = 0; i < 200; i++) {
      small.add(i * 37);
      large.add((199 - i) * 37);
      linked.add((199 - i) * 37);
      tree.add(i * 37);
    }
    String expected = key(small);
    assertThat(key(large)).isEqualTo(expected);
    assertThat(key(linked)).isEqualTo(expected);
    assertThat(key(tree)).isEqualTo(expected);
    assertThat(key(Set.copyOf(small))).isEqualTo(expected);

    Set<Color> hashSet = new HashSet<>(List.of(Color.BLUE, Color.RED));
    assertThat(key(EnumSet.of(Color.RED, Color.BLUE))).isEqualTo(key(hashSet));
    assertThat(key(EnumSet.of(Color.RED, Color.GREEN))).isNotEqualTo(key(hashSet));
  }

  @Test
  void listsGiveOneKeyWhateverTheImplementation() {
    String expected = key(List.of("a", "b", "c"));
    assertThat(key(new ArrayList<>(List.of("a", "b", "c")))).isEqualTo(expected);
    assertThat(key(Arrays.asList("a", "b", "c"))).isEqualTo(expected);
    assertThat(key(new LinkedList<>(List.of("a", "b", "c")))).isEqualTo(expected);
    assertThat(key(Collections.unmodifiableList(Arrays.asList("a", "b", "c")))).isEqualTo(expected);
    assertThat(key(Stream.of("a", "b", "c").toList())).isEqualTo(expected);
  }

  @Test
  void nestedRecordsWithMapsOfListsBuiltTwoWaysAgree() {
    assertThat(key(ArgsFixtures.cohort(true))).isEqualTo(key(ArgsFixtures.cohort(false)));

    Map<String, List<Integer>> scores = new HashMap<>();
    scores.put("math", new ArrayList<>(List.of(3, 1)));
    scores.put("art", new LinkedList<>(List.of(2)));
    Map<String, List<Integer>> sameScores =
        new TreeMap<>(Map.of("art", List.of(2), "math", List.of(3, 1)));
    assertThat(key(new Group("g", scores))).isEqualTo(key(new Group("g", sameScores)));

    scores.put("math", List.of(1, 3));
    assertThat(key(new Group("g", scores))).isNotEqualTo(key(new Group("g", sameScores)));
  }

  @Test
  void equalValuesThatAreDifferentInstancesAgree() {
    assertThat(key(new String("abc".toCharArray()))).isEqualTo(key("abc"));
    assertThat(key(new Point(1, 2))).isEqualTo(key(new Point(1, 2)));
    assertThat(key(new Pojo("a", 1, List.of("x"))))
        .isEqualTo(key(new Pojo("a", 1, new ArrayList<>(List.of("x")))));
    assertThat(key(new BigDecimal("1.50"))).isEqualTo(key(BigDecimal.valueOf(150, 2)));
    assertThat(key(new int[] {1, 2})).isEqualTo(key(new int[] {1, 2}));
    assertThat(keys(Double.NaN)).isEqualTo(keys(Double.longBitsToDouble(0x7ff0000000000123L)));
    assertThat(key(new double[] {Double.NaN}))
        .isEqualTo(key(new double[] {Double.longBitsToDouble(0xfff8000000000001L)}));
    assertThat(key(new float[] {Float.NaN}))
        .isEqualTo(key(new float[] {Float.intBitsToFloat(0x7f800123)}));
    assertThat(key(ZonedDateTime.of(2026, 1, 1, 0, 0, 0, 0, ZoneId.of("Europe/Paris"))))
        .isEqualTo(key(ZonedDateTime.parse("2026-01-01T00:00+01:00[Europe/Paris]")));
  }

  @Test
  void unequalValuesDiffer() {
    assertThat(key(1)).isNotEqualTo(key(1L));
    assertThat(key("a")).isNotEqualTo(key('a'));
    assertThat(key(List.of(1, 2))).isNotEqualTo(key(List.of(2, 1)));
    assertThat(key(0.0)).isNotEqualTo(key(-0.0));
    assertThat(key(new double[] {0.0})).isNotEqualTo(key(new double[] {-0.0}));
    assertThat(key(new A(1))).isNotEqualTo(key(new B(1)));
    assertThat(key(new BigDecimal("1.0"))).isNotEqualTo(key(new BigDecimal("1.00")));
    assertThat(key(new BigDecimal("1.0"))).isNotEqualTo(key(new BigDecimal("0.10")));
    assertThat(key(null)).isNotEqualTo(key(Optional.empty()));
    assertThat(keys(1)).isNotEqualTo(keys(1, null));
    assertThat(keys("ab", "c")).isNotEqualTo(keys("a", "bc"));
    assertThat(key(List.of(1, 2))).isNotEqualTo(key(Set.of(1, 2)));
    assertThat(key(new String[] {"a"})).isNotEqualTo(key(new Object[] {"a"}));
    assertThat(key(new int[] {1})).isNotEqualTo(key(new Integer[] {1}));
    assertThat(key(new int[] {1})).isNotEqualTo(key(new long[] {1}));
    assertThat(key(List.of(List.of()))).isNotEqualTo(key(List.of()));
    assertThat(key(Map.of("a", "b"))).isNotEqualTo(key(List.of("a", "b")));
    assertThat(key(Map.of("a", List.of("b")))).isNotEqualTo(key(Map.of("a", "b")));
    assertThat(key(ZoneId.of("Z"))).isNotEqualTo(key(ZoneId.of("UTC")));
    assertThat(key(Period.ofMonths(12))).isNotEqualTo(key(Period.ofYears(1)));
    assertThat(key(Instant.ofEpochSecond(0, 1))).isNotEqualTo(key(Instant.ofEpochSecond(0, 10)));
    // UTF-8 would write each unpaired surrogate as '?'.
    assertThat(Set.of(key("\uD800"), key("\uD801"), key("?"), key("\uDC00\uD800"))).hasSize(4);
    assertThat(key(new Sub(1, 2))).isNotEqualTo(key(new Sub(2, 1)));
    assertThat(key(new Pojo("a", 1, List.of()))).isNotEqualTo(key(new Pojo("a", 2, List.of())));
  }

  @Test
  void plainObjectsKeyOnNonStaticNonTransientFields() {
    Pojo a = new Pojo("a", 1, List.of());
    Pojo b = new Pojo("a", 1, List.of());
    b.cache = 99;
    Pojo.ignoredStatic++;
    assertThat(key(a)).isEqualTo(key(b));

    Base base = new Base();
    base.x = 1;
    assertThat(key(base)).isNotEqualTo(key(new Sub(1, 0)));
  }

  @Test
  void mapKeysWithEqualEncodingsAreOrderedByValue() {
    Map<Key, Integer> forward = new LinkedHashMap<>();
    forward.put(new Key("k"), 1);
    forward.put(new Key("k"), 2);
    Map<Key, Integer> backward = new LinkedHashMap<>();
    backward.put(new Key("k"), 2);
    backward.put(new Key("k"), 1);
    assertThat(key(forward)).isEqualTo(key(backward));
  }

  @Test
  void setElementsAndMapKeysEncodeAsTheyDoAnywhereElse() throws IOException {
    // A large element exercises the growing in-memory writer against the draining one.
    double[] big = new double[200_000];
    Arrays.setAll(big, i -> i * 0.25);
    byte[] asList = encoding(List.of(big));
    byte[] asSet = encoding(Set.of(big));
    assertThat(asSet).hasSameSizeAs(asList);
    int differing = 0;
    for (int i = 0; i < asList.length; i++) {
      if (asList[i] != asSet[i]) {
        differing++;
        assertThat(asList[i]).isEqualTo((byte) ArgsTag.LIST);
        assertThat(asSet[i]).isEqualTo((byte) ArgsTag.SET);
      }
    }
    assertThat(differing).isEqualTo(1);
  }

  @Test
  void bulkArraysAcrossChunkBoundariesCanonicaliseNaN() {
    double[] weird = new double[50_000];
    double[] plain = new double[50_000];
    for (int i = 0; i < weird.length; i++) {
      weird[i] = plain[i] = i;
    }
    for (int i : new int[] {0, 8191, 8192, 8193, 49_999}) {
      weird[i] = Double.longBitsToDouble(0x7ff8000000000000L | i);
      plain[i] = Double.NaN;
    }
    assertThat(key(weird)).isEqualTo(key(plain));
    plain[30_000] = -1;
    assertThat(key(weird)).isNotEqualTo(key(plain));
  }

  @Test
  void refusesLambdasWithPathAndType() {
    Supplier<String> lambda = () -> "x";
    ArgumentKeyException e = refused("ok", lambda);
    assertThat(e.path()).isEqualTo("args[1]");
    assertThat(e.typeName()).contains("$$Lambda");
    assertThat(e.getMessage())
        .startsWith("Cannot compute a memo key: " + e.typeName() + " at args[1] is a lambda");
  }

  @Test
  void refusesAThreadInsideAMapInsideARecordWithItsPath() {
    Map<String, Object> features = new HashMap<>();
    features.put("y", 1);
    features.put("x", new Thread());
    ArgumentKeyException e = refused("id", new Row("r", features));
    assertThat(e.path()).isEqualTo("args[1].features[\"x\"]");
    assertThat(e.getMessage()).contains("java.lang.Thread at args[1].features[\"x\"] is a thread");
  }

  @Test
  void refusesStreamsInListsWithTheElementIndex() {
    List<Object> items = List.of(1, 2, 3, new ByteArrayInputStream(new byte[0]));
    ArgumentKeyException e = refused(new Holder(items));
    assertThat(e.getMessage())
        .contains("java.io.ByteArrayInputStream at args[0].items[3] is an I/O stream or channel");
  }

  @Test
  void refusesLocalPathsAndSaysWhatToPassInstead() {
    String reason = "a local path is not content: pass a BlobRef or the data itself";
    assertThat(refused(new File("/tmp/x")).getMessage())
        .contains("java.io.File at args[0]")
        .contains(reason);
    ArgumentKeyException path = refused(1, Optional.of(Path.of("/tmp/x")));
    assertThat(path.path()).isEqualTo("args[1].value");
    assertThat(path.getMessage()).contains(reason);
  }

  @Test
  void refusesEveryOtherKindWithItsTypeName() {
    Object proxy =
        Proxy.newProxyInstance(
            getClass().getClassLoader(), new Class<?>[] {Runnable.class}, (p, m, a) -> null);
    List<Map.Entry<Object, String>> cases = new ArrayList<>();
    cases.add(Map.entry(new Object(), "java.lang.Object at args[0] is a bare java.lang.Object"));
    cases.add(Map.entry(new Object() {}, "at args[0] is an anonymous class"));
    cases.add(Map.entry(proxy, "at args[0] is a dynamic proxy"));
    cases.add(Map.entry(String.class, "java.lang.Class at args[0] is a Class object"));
    cases.add(Map.entry(getClass().getClassLoader(), "at args[0] is a class loader"));
    cases.add(Map.entry(List.of(1).iterator(), "at args[0] is a one-shot iterator or stream"));
    cases.add(Map.entry(Stream.of(1), "at args[0] is a one-shot iterator or stream"));
    cases.add(
        Map.entry(
            new CompletableFuture<String>(),
            "java.util.concurrent.CompletableFuture at args[0] is a pending"));
    cases.add(
        Map.entry(
            new Date(0), "java.util.Date at args[0] is a JDK type without a canonical encoding"));
    cases.add(
        Map.entry(
            new AtomicInteger(),
            "java.util.concurrent.atomic.AtomicInteger at args[0] is a JDK type"));
    cases.add(
        Map.entry(new StringBuilder("x"), "java.lang.StringBuilder at args[0] is a JDK type"));
    cases.add(Map.entry(Map.entry("k", "v"), "at args[0] is a JDK type"));
    cases.add(
        Map.entry(new Failure("boom"), "at args[0] is a subclass of java.lang.RuntimeException"));
    for (Map.Entry<Object, String> c : cases) {
      ArgumentKeyException e = refused(c.getKey());
      String typeName = c.getKey().getClass().getTypeName();
      assertThat(e.typeName()).isEqualTo(typeName);
      assertThat(e.getMessage())
          .as(c.getValue())
          .contains(typeName + " at args[0] is ")
          .contains(c.getValue());
    }
  }

  @Test
  void refusesLocalClassesThatCaptureVariables() {
    int captured = 5;
    final class Local {
      int value() {
        return captured;
      }
    }
    assertThat(new Local().value()).isEqualTo(5);
    assertThat(refused(new Local()).getMessage())
        .contains("captures its enclosing instance or local variables");
  }

  @Test
  void pathsNameSetElementsMapKeysAndNonStringKeys() {
    assertThat(refused(1, 2, Set.of(new Object())).path()).isEqualTo("args[2]{set element}");
    assertThat(refused(Map.of(new Object(), 1)).path()).isEqualTo("args[0]{map key}");
    assertThat(refused(Map.of(7, new Object())).path()).isEqualTo("args[0][7]");
    assertThat(refused(Map.of(Color.RED, new Object())).path()).isEqualTo("args[0][RED]");
    Map<Point, Object> byRecord = new HashMap<>();
    byRecord.put(new Point(2, 0), 1);
    byRecord.put(new Point(1, 0), new Object());
    assertThat(refused(byRecord).path()).isEqualTo("args[0][{key#0}]");
    assertThat(refused((Object) new Object[] {1, new Object[] {new Object()}}).path())
        .isEqualTo("args[0][1][0]");
    assertThat(refused(new Wrapper(new Wrapper(Map.of("a\"b", new Object())))).path())
        .isEqualTo("args[0].value.value[\"a\\\"b\"]");
  }

  @Test
  void detectsCyclesAndReportsBothPaths() {
    List<Object> self = new ArrayList<>();
    self.add(1);
    self.add(self);
    ArgumentKeyException e = refused(self);
    assertThat(e.path()).isEqualTo("args[0][1]");
    assertThat(e.getMessage())
        .contains("java.util.ArrayList at args[0][1] is reachable from itself")
        .contains("encoded at args[0])");

    Node a = new Node("a");
    Node b = new Node("b");
    a.next = b;
    b.next = a;
    assertThat(refused("x", a).path()).isEqualTo("args[1].next.next");

    Map<String, Object> map = new HashMap<>();
    map.put("me", List.of(map));
    assertThat(refused(map).path()).isEqualTo("args[0][\"me\"][0]");
  }

  @Test
  void sharedButAcyclicValuesAreFine() {
    List<Integer> shared = new ArrayList<>(List.of(1, 2));
    assertThat(key(List.of(shared, shared))).isEqualTo(key(List.of(List.of(1, 2), List.of(1, 2))));
  }

  @Test
  void refusesNestingDeeperThan256() {
    Object deep = "leaf";
    for (int i = 0; i < 256; i++) {
      deep = List.of(deep);
    }
    assertThat(key(deep)).matches("[0-9a-f]{64}"); // 256 levels of lists are fine
    ArgumentKeyException e = refused(List.of(deep));
    assertThat(e.getMessage()).contains("is nested more than 256 levels deep");
    assertThat(e.path()).startsWith("args[0][0][0]");
  }

  @Test
  void hashesA64MiBDoubleArray() {
    double[] big = new double[64 * 1024 * 1024 / Double.BYTES];
    Arrays.setAll(big, i -> i * 0.5);
    long start = System.nanoTime();
    String hash = key(big);
    long millis = (System.nanoTime() - start) / 1_000_000;
    System.out.println("ArgsEncoder hashed a 64 MiB double[] in " + millis + " ms");
    assertThat(hash).matches("[0-9a-f]{64}");
    big[big.length - 1] = -1;
    assertThat(key(big)).isNotEqualTo(hash);
  }
}
