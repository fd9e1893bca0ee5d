package io.pureremote.cli;

import java.lang.reflect.Array;
import java.lang.reflect.Constructor;
import java.lang.reflect.Field;
import java.lang.reflect.GenericArrayType;
import java.lang.reflect.Method;
import java.lang.reflect.Modifier;
import java.lang.reflect.Parameter;
import java.lang.reflect.ParameterizedType;
import java.lang.reflect.RecordComponent;
import java.lang.reflect.Type;
import java.math.BigDecimal;
import java.math.BigInteger;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Collection;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.UUID;
import java.util.stream.Collectors;

/**
 * Arguments of a method from a JSON array, one element per parameter, typed by the parameters'
 * declared (generic) types: strings, numbers, booleans, enums (by name), lists, sets and arrays,
 * maps with string or enum keys, {@code Optional}, {@code UUID}, {@code BigDecimal}/{@code
 * BigInteger}, {@code java.time} values (ISO text) and records or POJOs (objects by field name)
 * made of those. Anything else — interfaces, {@code Object}, type variables, streams, files — is
 * refused before any JSON is read, naming the parameter and the type.
 */
final class JsonArgs {
  private JsonArgs() {}

  /** A parameter, or a value inside one, that JSON cannot describe. */
  static final class Unmappable extends IllegalArgumentException {
    Unmappable(String message) {
      super(message);
    }
  }

  /**
   * Checks every parameter of {@code m} can be read from JSON.
   *
   * @throws Unmappable naming the first parameter that cannot, its type and why
   */
  static void checkMappable(Method m) {
    Parameter[] params = m.getParameters();
    for (int i = 0; i < params.length; i++) {
      Optional<String> why = problem(params[i].getParameterizedType(), new HashSet<>());
      if (why.isPresent()) {
        throw new Unmappable("parameter " + i + " (" + describe(params[i]) + ") of " + m.getName()
            + " cannot be given as JSON: " + why.get());
      }
    }
  }

  /**
   * The arguments {@code json} describes for {@code m}.
   *
   * @param label names the JSON in messages, e.g. {@code --args #2}
   * @throws IllegalArgumentException on invalid JSON, a wrong number of values, or a value that
   *     does not fit its parameter (the message names the path, e.g. {@code args[1].weights["x"]})
   */
  static Object[] parse(Method m, String json, String label) {
    Object parsed;
    try {
      parsed = JsonText.parse(json);
    } catch (IllegalArgumentException e) {
      throw new IllegalArgumentException(label + " is not valid JSON: " + e.getMessage());
    }
    if (!(parsed instanceof List<?> values)) {
      throw new IllegalArgumentException(label + " must be a JSON array with one value per parameter, got "
          + jsonKind(parsed));
    }
    Parameter[] params = m.getParameters();
    if (values.size() != params.length) {
      throw new IllegalArgumentException(label + " has " + values.size() + (values.size() == 1 ? " value" : " values")
          + " but " + m.getDeclaringClass().getName() + "#" + m.getName() + " takes " + params.length + ": ("
          + Arrays.stream(params).map(JsonArgs::describe).collect(Collectors.joining(", ")) + ")");
    }
    Object[] args = new Object[params.length];
    for (int i = 0; i < params.length; i++) {
      try {
        args[i] = convert(values.get(i), params[i].getParameterizedType(), "args[" + i + "]");
      } catch (IllegalArgumentException e) {
        throw new IllegalArgumentException(label + ": " + e.getMessage(), e);
      }
    }
    return args;
  }

  private static String describe(Parameter p) {
    String type = p.getParameterizedType().getTypeName();
    return p.isNamePresent() ? p.getName() + ": " + type : type;
  }

  // ---- which types can be read --------------------------------------------------------------

  private static final Set<Class<?>> SCALARS = Set.of(String.class, Boolean.class, boolean.class, Character.class,
      char.class, Byte.class, byte.class, Short.class, short.class, Integer.class, int.class, Long.class, long.class,
      Float.class, float.class, Double.class, double.class, BigDecimal.class, BigInteger.class, UUID.class);

  private static Optional<String> problem(Type type, Set<Type> seen) {
    if (!seen.add(type)) {
      return Optional.empty(); // a recursive record: checked further up
    }
    if (type instanceof Class<?> c) {
      if (SCALARS.contains(c) || c.isEnum() || isTime(c)) {
        return Optional.empty();
      }
      if (c.isArray()) {
        return problem(c.getComponentType(), seen).map(p -> "its elements: " + p);
      }
      if (Collection.class.isAssignableFrom(c) || Map.class.isAssignableFrom(c) || c == Optional.class) {
        return Optional.of(c.getName() + " without type arguments; JSON values need a declared element type");
      }
      if (c.isRecord()) {
        for (RecordComponent rc : c.getRecordComponents()) {
          Optional<String> p = problem(rc.getGenericType(), seen);
          if (p.isPresent()) {
            return Optional.of("component '" + rc.getName() + "' of " + c.getName() + ": " + p.get());
          }
        }
        return Optional.empty();
      }
      if (isPojo(c)) {
        for (Field f : fields(c)) {
          Optional<String> p = problem(f.getGenericType(), seen);
          if (p.isPresent()) {
            return Optional.of("field '" + f.getName() + "' of " + c.getName() + ": " + p.get());
          }
        }
        return Optional.empty();
      }
      if (!c.isInterface() && !Modifier.isAbstract(c.getModifiers()) && !c.getName().startsWith("java")
          && c.getTypeParameters().length == 0) {
        return Optional.of(c.getName() + " has no no-arg constructor, so it cannot be filled from a JSON object");
      }
      return Optional.of(c.getName() + " has no JSON form (only strings, numbers, booleans, enums, lists, sets, "
          + "arrays, maps with string keys, java.time values, UUID and records or classes made of those)");
    }
    if (type instanceof ParameterizedType p && p.getRawType() instanceof Class<?> raw) {
      Type[] args = p.getActualTypeArguments();
      if (raw == List.class || raw == Collection.class || raw == Set.class || raw == Iterable.class) {
        return problem(args[0], seen).map(x -> "its elements: " + x);
      }
      if (raw == Map.class) {
        if (!(args[0] == String.class || (args[0] instanceof Class<?> k && k.isEnum()))) {
          return Optional.of("map keys of type " + args[0].getTypeName() + "; JSON object keys are strings (or enum names)");
        }
        return problem(args[1], seen).map(x -> "its values: " + x);
      }
      if (raw == Optional.class) {
        return problem(args[0], seen);
      }
      return Optional.of(p.getTypeName() + " has no JSON form; declare it as List, Set, Map or Optional");
    }
    if (type instanceof GenericArrayType g) {
      return problem(g.getGenericComponentType(), seen).map(x -> "its elements: " + x);
    }
    return Optional.of("the type " + type.getTypeName() + " is not concrete");
  }

  private static boolean isTime(Class<?> c) {
    return c.getPackageName().equals("java.time") && parseMethod(c) != null;
  }

  private static Method parseMethod(Class<?> c) {
    try {
      Method parse = c.getMethod("parse", CharSequence.class);
      return Modifier.isStatic(parse.getModifiers()) && parse.getReturnType() == c ? parse : null;
    } catch (NoSuchMethodException e) {
      return null;
    }
  }

  /** A concrete class of the application with a no-arg constructor: filled field by field. */
  private static boolean isPojo(Class<?> c) {
    if (c.isInterface() || Modifier.isAbstract(c.getModifiers()) || c.isPrimitive() || c.getName().startsWith("java")
        || c.getTypeParameters().length > 0) {
      return false;
    }
    try {
      c.getDeclaredConstructor();
      return true;
    } catch (NoSuchMethodException e) {
      return false;
    }
  }

  private static List<Field> fields(Class<?> c) {
    List<Field> fields = new ArrayList<>();
    for (Class<?> k = c; k != null && k != Object.class; k = k.getSuperclass()) {
      for (Field f : k.getDeclaredFields()) {
        if (!Modifier.isStatic(f.getModifiers()) && !Modifier.isTransient(f.getModifiers())) {
          fields.add(f);
        }
      }
    }
    return fields;
  }

  // ---- reading values -----------------------------------------------------------------------

  private static Object convert(Object json, Type type, String path) {
    if (json == null) {
      if (type instanceof Class<?> c && c.isPrimitive()) {
        throw mismatch(path, type, json);
      }
      return type instanceof ParameterizedType p && p.getRawType() == Optional.class ? Optional.empty() : null;
    }
    if (type instanceof ParameterizedType p) {
      return convertGeneric(json, p, path);
    }
    if (type instanceof GenericArrayType g) {
      return array(json, g.getGenericComponentType(), rawClass(g.getGenericComponentType()), path);
    }
    Class<?> c = (Class<?>) type;
    if (c == String.class) {
      return expect(json instanceof String, json, path, type);
    }
    if (c == Boolean.class || c == boolean.class) {
      return expect(json instanceof Boolean, json, path, type);
    }
    if (c == Character.class || c == char.class) {
      if (json instanceof String s && s.length() == 1) {
        return s.charAt(0);
      }
      throw mismatch(path, type, json);
    }
    if (c == Double.class || c == double.class) {
      return number(json, path, type).doubleValue();
    }
    if (c == Float.class || c == float.class) {
      return number(json, path, type).floatValue();
    }
    if (c == Long.class || c == long.class) {
      return integer(json, path, type, Long.MIN_VALUE, Long.MAX_VALUE);
    }
    if (c == Integer.class || c == int.class) {
      return (int) integer(json, path, type, Integer.MIN_VALUE, Integer.MAX_VALUE);
    }
    if (c == Short.class || c == short.class) {
      return (short) integer(json, path, type, Short.MIN_VALUE, Short.MAX_VALUE);
    }
    if (c == Byte.class || c == byte.class) {
      return (byte) integer(json, path, type, Byte.MIN_VALUE, Byte.MAX_VALUE);
    }
    if (c == BigDecimal.class || c == BigInteger.class) {
      if (!(json instanceof Number || json instanceof String)) {
        throw mismatch(path, type, json);
      }
      try {
        BigDecimal d = new BigDecimal(json.toString());
        return c == BigDecimal.class ? d : d.toBigIntegerExact();
      } catch (ArithmeticException | NumberFormatException e) {
        throw mismatch(path, type, json);
      }
    }
    if (c == UUID.class) {
      return parsed(json, path, type, UUID::fromString);
    }
    if (c.isEnum()) {
      return enumValue(json, c, path);
    }
    if (isTime(c)) {
      Method parse = parseMethod(c);
      return parsed(json, path, type, s -> {
        try {
          return parse.invoke(null, s);
        } catch (ReflectiveOperationException e) {
          throw new IllegalArgumentException(e.getCause());
        }
      });
    }
    if (c.isArray()) {
      return array(json, c.getComponentType(), c.getComponentType(), path);
    }
    if (c.isRecord()) {
      return record(json, c, path);
    }
    return pojo(json, c, path);
  }

  private static Object convertGeneric(Object json, ParameterizedType p, String path) {
    Class<?> raw = (Class<?>) p.getRawType();
    Type[] args = p.getActualTypeArguments();
    if (raw == Optional.class) {
      return Optional.of(convert(json, args[0], path));
    }
    if (raw == Map.class) {
      if (!(json instanceof Map<?, ?> m)) {
        throw mismatch(path, p, json);
      }
      Map<Object, Object> out = new LinkedHashMap<>();
      for (Map.Entry<?, ?> e : m.entrySet()) {
        String at = path + "[" + Render.quote((String) e.getKey()) + "]";
        Object key = args[0] == String.class ? e.getKey() : enumValue(e.getKey(), (Class<?>) args[0], at);
        out.put(key, convert(e.getValue(), args[1], at));
      }
      return out;
    }
    if (!(json instanceof List<?> list)) {
      throw mismatch(path, p, json);
    }
    Collection<Object> out = raw == Set.class ? new LinkedHashSet<>() : new ArrayList<>();
    for (int i = 0; i < list.size(); i++) {
      Object v = convert(list.get(i), args[0], path + "[" + i + "]");
      if (!out.add(v)) {
        throw new IllegalArgumentException(path + ": the set has " + Render.value(list.get(i), 80) + " twice");
      }
    }
    return out;
  }

  private static Object array(Object json, Type element, Class<?> elementClass, String path) {
    if (!(json instanceof List<?> list)) {
      throw mismatch(path, element.getTypeName() + "[]", json);
    }
    Object array = Array.newInstance(elementClass, list.size());
    for (int i = 0; i < list.size(); i++) {
      Array.set(array, i, convert(list.get(i), element, path + "[" + i + "]"));
    }
    return array;
  }

  private static Class<?> rawClass(Type t) {
    return t instanceof ParameterizedType p ? (Class<?>) p.getRawType() : (Class<?>) t;
  }

  private static Object record(Object json, Class<?> c, String path) {
    Map<String, Object> object = object(json, c, path);
    RecordComponent[] components = c.getRecordComponents();
    Set<String> names = Arrays.stream(components).map(RecordComponent::getName).collect(Collectors.toSet());
    unknownKeys(object, names, c, path);
    Object[] values = new Object[components.length];
    Class<?>[] types = new Class<?>[components.length];
    for (int i = 0; i < components.length; i++) {
      RecordComponent rc = components[i];
      types[i] = rc.getType();
      String at = path + "." + rc.getName();
      if (!object.containsKey(rc.getName())) {
        throw new IllegalArgumentException(at + ": missing; " + c.getSimpleName() + " needs every component ("
            + String.join(", ", names.stream().sorted().toList()) + "); write null for an absent value");
      }
      values[i] = convert(object.get(rc.getName()), rc.getGenericType(), at);
    }
    try {
      Constructor<?> ctor = c.getDeclaredConstructor(types);
      ctor.setAccessible(true);
      return ctor.newInstance(values);
    } catch (ReflectiveOperationException | RuntimeException e) {
      Throwable cause = e.getCause() != null ? e.getCause() : e;
      throw new IllegalArgumentException(path + ": cannot create " + c.getName() + ": " + cause);
    }
  }

  private static Object pojo(Object json, Class<?> c, String path) {
    Map<String, Object> object = object(json, c, path);
    List<Field> fields = fields(c);
    unknownKeys(object, fields.stream().map(Field::getName).collect(Collectors.toSet()), c, path);
    try {
      Constructor<?> ctor = c.getDeclaredConstructor();
      ctor.setAccessible(true);
      Object instance = ctor.newInstance();
      for (Field f : fields) {
        if (object.containsKey(f.getName())) { // fields left out keep the constructor's value
          f.setAccessible(true);
          f.set(instance, convert(object.get(f.getName()), f.getGenericType(), path + "." + f.getName()));
        }
      }
      return instance;
    } catch (ReflectiveOperationException | RuntimeException e) {
      if (e instanceof IllegalArgumentException iae && !(e instanceof Unmappable) && iae.getCause() == null) {
        throw iae;
      }
      throw new IllegalArgumentException(path + ": cannot create " + c.getName() + ": " + e);
    }
  }

  @SuppressWarnings("unchecked")
  private static Map<String, Object> object(Object json, Class<?> c, String path) {
    if (!(json instanceof Map<?, ?>)) {
      throw mismatch(path, c, json);
    }
    return (Map<String, Object>) json;
  }

  private static void unknownKeys(Map<String, Object> object, Set<String> known, Class<?> c, String path) {
    for (String key : object.keySet()) {
      if (!known.contains(key)) {
        throw new IllegalArgumentException(path + ": " + c.getSimpleName() + " has no field '" + key + "'; its fields: "
            + String.join(", ", known.stream().sorted().toList()));
      }
    }
  }

  private static Object enumValue(Object json, Class<?> c, String path) {
    if (json instanceof String s) {
      for (Object constant : c.getEnumConstants()) {
        if (((Enum<?>) constant).name().equals(s)) {
          return constant;
        }
      }
    }
    throw new IllegalArgumentException(path + ": expected one of " + Arrays.stream(c.getEnumConstants())
        .map(e -> "\"" + ((Enum<?>) e).name() + "\"").collect(Collectors.joining(", ")) + " for " + c.getName()
        + ", got " + Render.value(json, 80));
  }

  private static Number number(Object json, String path, Type type) {
    if (json instanceof Number n) {
      return n;
    }
    throw mismatch(path, type, json);
  }

  private static long integer(Object json, String path, Type type, long min, long max) {
    if (json instanceof Long l && l >= min && l <= max) {
      return l;
    }
    if (json instanceof Long || json instanceof Double d && d == Math.rint(d)) {
      throw new IllegalArgumentException(path + ": " + json + " is out of range for " + type.getTypeName());
    }
    throw mismatch(path, type, json);
  }

  private static Object parsed(Object json, String path, Type type, java.util.function.Function<String, Object> parse) {
    if (!(json instanceof String s)) {
      throw mismatch(path, type, json);
    }
    try {
      return parse.apply(s);
    } catch (RuntimeException e) {
      throw new IllegalArgumentException(path + ": cannot read " + Render.quote(s) + " as " + type.getTypeName());
    }
  }

  private static Object expect(boolean ok, Object json, String path, Type type) {
    if (!ok) {
      throw mismatch(path, type, json);
    }
    return json;
  }

  private static IllegalArgumentException mismatch(String path, Object type, Object json) {
    String name = type instanceof Type t ? t.getTypeName() : String.valueOf(type);
    return new IllegalArgumentException(path + ": expected " + expected(type) + " for " + name + ", got "
        + (json == null ? "null" : jsonKind(json) + " " + Render.value(json instanceof Map || json instanceof List
            ? JsonText.write(json) : json, 60)));
  }

  private static String expected(Object type) {
    if (type instanceof ParameterizedType p) {
      return p.getRawType() == Map.class ? "a JSON object" : "a JSON array";
    }
    if (!(type instanceof Class<?> c)) {
      return "a JSON array";
    }
    if (c == String.class || c == UUID.class || isTime(c)) {
      return "a string";
    }
    if (c == Boolean.class || c == boolean.class) {
      return "true or false";
    }
    if (c == Character.class || c == char.class) {
      return "a one-character string";
    }
    if (SCALARS.contains(c)) {
      return c == Long.class || c == long.class || c == Integer.class || c == int.class || c == Short.class
          || c == short.class || c == Byte.class || c == byte.class || c == BigInteger.class ? "an integer" : "a number";
    }
    return c.isArray() ? "a JSON array" : "a JSON object";
  }

  private static String jsonKind(Object json) {
    if (json == null) {
      return "null";
    }
    if (json instanceof Map) {
      return "an object";
    }
    if (json instanceof List) {
      return "an array";
    }
    if (json instanceof String) {
      return "a string";
    }
    if (json instanceof Boolean) {
      return "a boolean";
    }
    return "a number";
  }
}
