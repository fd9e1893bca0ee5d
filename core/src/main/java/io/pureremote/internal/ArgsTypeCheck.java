package io.pureremote.internal;

import java.lang.reflect.GenericArrayType;
import java.lang.reflect.ParameterizedType;
import java.lang.reflect.Type;
import java.lang.reflect.WildcardType;
import java.math.BigDecimal;
import java.math.BigInteger;
import java.time.DayOfWeek;
import java.time.Duration;
import java.time.Instant;
import java.time.LocalDate;
import java.time.LocalDateTime;
import java.time.LocalTime;
import java.time.OffsetDateTime;
import java.time.Period;
import java.time.ZoneOffset;
import java.time.ZonedDateTime;
import java.util.ArrayList;
import java.util.Collection;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.UUID;

/**
 * A static check of a declared parameter type, run once per method when a proxy is created, so a
 * parameter that can never be part of a memo key fails at once rather than on the first call. It
 * only rejects types whose values could never be encoded; anything a runtime value could still make
 * right (type variables, wildcards, {@code Object}, user interfaces and abstract classes) passes,
 * and {@link ArgsEncoder} decides per value.
 */
public final class ArgsTypeCheck {
  // Declared JDK interfaces and abstract classes pass when a supported value can stand behind them
  // (Number, CharSequence, Comparable, Temporal, Iterable, ...).
  private static final List<Class<?>> VALUE_SAMPLES =
      List.of(
          Boolean.class,
          Byte.class,
          Short.class,
          Integer.class,
          Long.class,
          Float.class,
          Double.class,
          Character.class,
          String.class,
          BigInteger.class,
          BigDecimal.class,
          UUID.class,
          Instant.class,
          LocalDate.class,
          LocalTime.class,
          LocalDateTime.class,
          OffsetDateTime.class,
          ZonedDateTime.class,
          Duration.class,
          Period.class,
          ZoneOffset.class,
          DayOfWeek.class,
          ArrayList.class,
          Record.class);

  private ArgsTypeCheck() {}

  /**
   * Whether values of a declared parameter type can in principle be encoded.
   *
   * @param declaredType a parameter's generic type, e.g. {@code
   *     Method.getGenericParameterTypes()[i]}
   * @return empty if they can; otherwise a reason naming the offending type and where it is inside
   *     {@code declaredType}, e.g. {@code "record com.acme.Cohort component 'loader' has type
   *     java.util.function.Supplier, a function object: pass data, not code"}
   */
  public static Optional<String> problem(Type declaredType) {
    return Optional.ofNullable(new Walk().check(declaredType, ""));
  }

  /** One walk over a type; {@code seen} stops recursive records and classes. */
  private static final class Walk {
    private final Set<Class<?>> seen = new HashSet<>();

    /** The problem with {@code t}, found at {@code where} ("" at the top), or null. */
    String check(Type t, String where) {
      if (t instanceof Class<?> c) {
        return checkClass(c, null, where);
      }
      if (t instanceof ParameterizedType p) {
        return checkClass((Class<?>) p.getRawType(), p.getActualTypeArguments(), where);
      }
      if (t instanceof GenericArrayType g) {
        return check(g.getGenericComponentType(), at(where, "array element"));
      }
      if (t instanceof WildcardType w) {
        // "? extends Supplier<X>" can only hold function objects; "?" and "? super X" can hold
        // anything.
        for (Type bound : w.getUpperBounds()) {
          String problem = check(bound, where);
          if (problem != null) {
            return problem;
          }
        }
      }
      return null; // a type variable: the runtime value decides
    }

    private String checkClass(Class<?> c, Type[] typeArgs, String where) {
      if (c.isPrimitive() || c == Object.class || c == io.pureremote.BlobRef.class) {
        return null;
      }
      if (c.isArray()) {
        return check(c.getComponentType(), at(where, c.getTypeName() + " element"));
      }
      if (ArgsRefusals.isFunctionInterface(c)) {
        return problem(where, c, ArgsRefusals.FUNCTION);
      }
      String refusal = ArgsRefusals.refusal(c);
      if (refusal != null) {
        return problem(where, c, refusal);
      }
      if ((Map.class.isAssignableFrom(c) || Collection.class.isAssignableFrom(c))
          && !ArgsRefusals.isJdk(c)
          && ArgsKind.of(c).kind() == ArgsKind.REFUSED) {
        return problem(where, c, ArgsKind.of(c).reason()); // a subclass with its own fields
      }
      if (Map.class.isAssignableFrom(c)) {
        return checkTypeArgs(c, typeArgs, where, "key", "value");
      }
      if (Collection.class.isAssignableFrom(c)) {
        return checkTypeArgs(c, typeArgs, where, "element");
      }
      if (c == Optional.class) {
        return checkTypeArgs(c, typeArgs, where, "value");
      }
      if (c.isInterface()) {
        boolean open =
            !ArgsRefusals.isJdk(c) || VALUE_SAMPLES.stream().anyMatch(c::isAssignableFrom);
        return open ? null : problem(where, c, ArgsRefusals.OTHER_JDK);
      }
      if (ArgsRefusals.isJdk(c) && VALUE_SAMPLES.stream().anyMatch(c::isAssignableFrom)) {
        return null; // an abstract JDK supertype of values: Number, Record, Enum, ZoneId, ...
      }
      ArgsKind.Classified classified = ArgsKind.of(c);
      return switch (classified.kind()) {
        case REFUSED -> problem(where, c, classified.reason());
        case RECORD, POJO -> checkFields(c, where);
        default -> null; // strings, numbers, enums, java.time, ...
      };
    }

    /**
     * Fields of a user class, or components of a record (abstract classes too: subclasses have
     * them).
     */
    private String checkFields(Class<?> c, String where) {
      if (!seen.add(c)) {
        return null; // already checked, or being checked further up (a recursive type)
      }
      ArgsFields fields = ArgsFields.of(c);
      if (fields.problem() != null) {
        return problem(where, c, fields.problem());
      }
      String owner =
          c.isRecord()
              ? "record " + c.getName() + " component '"
              : "class " + c.getName() + " field '";
      for (ArgsFields.Slot slot : fields.slots()) {
        String problem = check(slot.field().getGenericType(), at(where, owner + slot.name() + "'"));
        if (problem != null) {
          return problem;
        }
      }
      return null;
    }

    /** Type arguments of JDK containers, whose parameters are (E) or (K, V); raw types pass. */
    private String checkTypeArgs(Class<?> c, Type[] typeArgs, String where, String... roles) {
      if (typeArgs == null || typeArgs.length != roles.length || !ArgsRefusals.isJdk(c)) {
        return null;
      }
      for (int i = 0; i < roles.length; i++) {
        String problem = check(typeArgs[i], at(where, c.getName() + " " + roles[i]));
        if (problem != null) {
          return problem;
        }
      }
      return null;
    }

    private static String at(String where, String step) {
      return where.isEmpty() ? step : where + " > " + step;
    }

    private static String problem(String where, Class<?> c, String reason) {
      return where.isEmpty()
          ? c.getTypeName() + " is " + reason
          : where + " has type " + c.getTypeName() + ", " + reason;
    }
  }
}
