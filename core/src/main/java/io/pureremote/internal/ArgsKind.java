package io.pureremote.internal;

import java.lang.reflect.Field;
import java.lang.reflect.Modifier;
import java.lang.reflect.Proxy;
import java.math.BigDecimal;
import java.math.BigInteger;
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
import java.time.ZonedDateTime;
import java.util.ArrayList;
import java.util.Collection;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.OptionalDouble;
import java.util.OptionalInt;
import java.util.OptionalLong;
import java.util.Queue;
import java.util.Set;

/**
 * How values of a runtime class are encoded. The classification depends only on the class, so it is
 * computed once per class and cached.
 */
enum ArgsKind {
  BOOLEAN,
  BYTE,
  SHORT,
  INT,
  LONG,
  FLOAT,
  DOUBLE,
  CHAR,
  STRING,
  ENUM,
  BIG_INTEGER,
  BIG_DECIMAL,
  UUID,
  BLOB_REF,
  TEMPORAL,
  OPTIONAL,
  OPTIONAL_INT,
  OPTIONAL_LONG,
  OPTIONAL_DOUBLE,
  BOOLEAN_ARRAY,
  BYTE_ARRAY,
  SHORT_ARRAY,
  CHAR_ARRAY,
  INT_ARRAY,
  LONG_ARRAY,
  FLOAT_ARRAY,
  DOUBLE_ARRAY,
  OBJECT_ARRAY,
  LIST,
  /** A {@link java.util.Queue} or {@link java.util.Deque} that is not a List: in order, own tag. */
  QUEUE,
  SET,
  MAP,
  RECORD,
  POJO,
  /** Never encodable; {@link Classified#reason()} says why. */
  REFUSED;

  /** A class's kind and, for {@link #REFUSED}, the reason as a noun phrase. */
  record Classified(ArgsKind kind, String reason) {}

  // Final JDK classes (and primitive arrays) matched by identity. BigInteger and BigDecimal are not
  // final: a subclass could carry more state, so only the exact classes are values.
  private static final Map<Class<?>, ArgsKind> EXACT =
      Map.ofEntries(
          Map.entry(Boolean.class, BOOLEAN),
          Map.entry(Byte.class, BYTE),
          Map.entry(Short.class, SHORT),
          Map.entry(Integer.class, INT),
          Map.entry(Long.class, LONG),
          Map.entry(Float.class, FLOAT),
          Map.entry(Double.class, DOUBLE),
          Map.entry(Character.class, CHAR),
          Map.entry(String.class, STRING),
          Map.entry(BigInteger.class, BIG_INTEGER),
          Map.entry(BigDecimal.class, BIG_DECIMAL),
          Map.entry(java.util.UUID.class, UUID),
          Map.entry(io.pureremote.BlobRef.class, BLOB_REF),
          Map.entry(Optional.class, OPTIONAL),
          Map.entry(OptionalInt.class, OPTIONAL_INT),
          Map.entry(OptionalLong.class, OPTIONAL_LONG),
          Map.entry(OptionalDouble.class, OPTIONAL_DOUBLE),
          Map.entry(boolean[].class, BOOLEAN_ARRAY),
          Map.entry(byte[].class, BYTE_ARRAY),
          Map.entry(short[].class, SHORT_ARRAY),
          Map.entry(char[].class, CHAR_ARRAY),
          Map.entry(int[].class, INT_ARRAY),
          Map.entry(long[].class, LONG_ARRAY),
          Map.entry(float[].class, FLOAT_ARRAY),
          Map.entry(double[].class, DOUBLE_ARRAY),
          Map.entry(Object.class, REFUSED));

  /**
   * java.time value classes whose toString() is a complete, canonical form (zones are added below).
   */
  private static final Set<Class<?>> TEMPORALS =
      Set.of(
          Instant.class,
          LocalDate.class,
          LocalTime.class,
          LocalDateTime.class,
          OffsetDateTime.class,
          OffsetTime.class,
          ZonedDateTime.class,
          Duration.class,
          Period.class,
          Year.class,
          YearMonth.class,
          MonthDay.class);

  private static final ClassValue<Classified> CACHE =
      new ClassValue<>() {
        @Override
        protected Classified computeValue(Class<?> type) {
          return classify(type);
        }
      };

  /** The cached classification of {@code c}. */
  static Classified of(Class<?> c) {
    return CACHE.get(c);
  }

  private static Classified classify(Class<?> c) {
    ArgsKind exact = EXACT.get(c);
    if (exact == REFUSED) {
      return refused(ArgsRefusals.BARE_OBJECT);
    }
    if (exact != null) {
      return ok(exact);
    }
    // Before the anonymous-class rule: constants with bodies are anonymous subclasses of the enum.
    if (Enum.class.isAssignableFrom(c)) {
      return ok(ENUM);
    }
    if (TEMPORALS.contains(c) || (ZoneId.class.isAssignableFrom(c) && ArgsRefusals.isJdk(c))) {
      return ok(TEMPORAL);
    }
    if (c.isArray()) {
      return ok(OBJECT_ARRAY); // primitive arrays are in EXACT
    }
    String refusal = ArgsRefusals.refusal(c);
    if (refusal != null) {
      return refused(refusal);
    }
    // Containers before the anonymous-class rule, so double-brace initialised maps and lists work.
    String ownState = containerSubclassState(c);
    if (ownState != null) {
      return refused(ownState);
    }
    if (Map.class.isAssignableFrom(c)) {
      return ok(MAP);
    }
    if (Set.class.isAssignableFrom(c)) {
      return ok(SET);
    }
    // A function can tell a queue from a list (poll, peek, no get(i)); LinkedList is both and
    // stays a list, as before.
    if (Queue.class.isAssignableFrom(c) && !List.class.isAssignableFrom(c)) {
      return ok(QUEUE);
    }
    if (Collection.class.isAssignableFrom(c)) {
      return ok(LIST);
    }
    if (c.isHidden() || c.isSynthetic()) {
      return refused(ArgsRefusals.LAMBDA);
    }
    if (Proxy.isProxyClass(c)) {
      return refused(ArgsRefusals.PROXY);
    }
    if (c.isAnonymousClass()) {
      return refused(ArgsRefusals.ANONYMOUS);
    }
    if (ArgsRefusals.isJdk(c)) {
      return refused(ArgsRefusals.OTHER_JDK);
    }
    return ok(c.isRecord() ? RECORD : POJO);
  }

  /**
   * Why a user subclass of a collection or map cannot be keyed: containers are encoded (and copied
   * to the remote by Kryo) by their elements only, so fields the subclass adds would be dropped
   * from the key and arrive as null remotely. Null when {@code c} adds no such state. Synthetic
   * fields (the {@code this$0} of a double-brace initialiser) and transient ones are not state the
   * caller asked to be kept.
   */
  private static String containerSubclassState(Class<?> c) {
    boolean map = Map.class.isAssignableFrom(c);
    if (!map && !Collection.class.isAssignableFrom(c)) {
      return null;
    }
    List<String> names = new ArrayList<>();
    for (Class<?> k = c; k != null && !ArgsRefusals.isJdk(k); k = k.getSuperclass()) {
      for (Field f : k.getDeclaredFields()) {
        int mod = f.getModifiers();
        if (!Modifier.isStatic(mod) && !Modifier.isTransient(mod) && !f.isSynthetic()) {
          names.add(f.getName());
        }
      }
    }
    if (names.isEmpty()) {
      return null;
    }
    String what = map ? "Map" : "Collection";
    return "a "
        + what
        + " subclass with its own fields ("
        + String.join(", ", names)
        + "), which neither the key nor the remote copy keeps (both see only the "
        + (map ? "entries" : "elements")
        + "): make it a record or class that holds the "
        + (map ? "map" : "collection")
        + " in a field, e.g. record Tagged(String tag, List<String> items)";
  }

  private static Classified ok(ArgsKind kind) {
    return new Classified(kind, null);
  }

  private static Classified refused(String reason) {
    return new Classified(REFUSED, reason);
  }
}
