package io.pureremote;

import io.pureremote.internal.ArgsDiff;
import io.pureremote.internal.ArgsEncoder;
import io.pureremote.internal.RemoteMethod;
import java.io.IOException;
import java.io.OutputStream;
import java.lang.reflect.Method;
import java.lang.reflect.Modifier;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Objects;
import java.util.stream.Collectors;

/**
 * Memo keys without running anything: why two calls of a {@link PureRemote} function would get
 * different keys. Uses the same canonical encoding as the runtime, so "same key" here means the
 * second call is a memo hit (in the same pipeline and blob root).
 *
 * <pre>{@code
 * KeyDiff diff = Keys.whyMiss(Scoring.class, "score",
 *     new Object[] {"m1", new Features("alice", Map.of("x", 0.5))},
 *     new Object[] {"m1", new Features("alice", Map.of("x", 0.7))});
 * diff.sameKey();                 // false
 * diff.differences().get(0);      // args[1].weights["x"]: 0.5 ≠ 0.7
 * }</pre>
 */
public final class Keys {
  private Keys() {}

  /**
   * Compares the memo keys of two calls of {@code iface}'s method {@code method}. With overloads,
   * the one whose parameters fit {@code argsA} is taken.
   *
   * @throws IllegalArgumentException when the method does not exist or is ambiguous, when it is
   *     not a {@link PureRemote} method, or when the arguments do not fit its parameters
   * @throws ArgumentKeyException when an argument value has no canonical encoding
   */
  public static KeyDiff whyMiss(Class<?> iface, String method, Object[] argsA, Object[] argsB) {
    Objects.requireNonNull(iface, "iface");
    Objects.requireNonNull(method, "method");
    return whyMiss(find(iface, method, argsOrEmpty(argsA)), argsA, argsB);
  }

  /**
   * Compares the memo keys of two calls of {@code method}.
   *
   * @throws IllegalArgumentException when it is not a {@link PureRemote} method or the arguments do
   *     not fit its parameters
   * @throws ArgumentKeyException when an argument value has no canonical encoding
   */
  public static KeyDiff whyMiss(Method method, Object[] argsA, Object[] argsB) {
    Objects.requireNonNull(method, "method");
    Object[] a = argsOrEmpty(argsA);
    Object[] b = argsOrEmpty(argsB);
    List<String> problems = new ArrayList<>();
    FunctionId id = RemoteMethod.identity(method, problems).orElse(null);
    checkFits(method, "argsA", a, problems);
    checkFits(method, "argsB", b, problems);
    if (!problems.isEmpty()) {
      throw new IllegalArgumentException("Cannot compare calls of " + describe(method) + ":\n  - "
          + String.join("\n  - ", problems.stream().map(p -> p.replace("\n      ", " ")).toList()));
    }
    String hashA = ArgsEncoder.hash(a);
    String hashB = ArgsEncoder.hash(b);
    if (hashA.equals(hashB)) {
      return new KeyDiff(id, hashA, hashB, List.of(), 0);
    }
    ArgsDiff.Result diff = ArgsDiff.diff(a, b);
    return new KeyDiff(id, hashA, hashB, diff.listed(), diff.omitted());
  }

  /**
   * The args hash of a call with {@code args}: the lowercase hex SHA-256 of their canonical
   * encoding, the last segment of its memo key (see {@link MemoEntry#of}).
   *
   * @throws ArgumentKeyException when an argument value has no canonical encoding
   */
  public static String argsHash(Object... args) {
    return ArgsEncoder.hash(argsOrEmpty(args));
  }

  /**
   * Writes the canonical encoding of {@code args} to {@code out}: the exact bytes whose SHA-256 is
   * {@link #argsHash}, for tools that store, compare or measure them. Does not close {@code out}.
   *
   * @throws ArgumentKeyException when an argument value has no canonical encoding
   * @throws IOException when {@code out} fails
   */
  public static void writeCanonical(OutputStream out, Object... args) throws IOException {
    ArgsEncoder.encode(argsOrEmpty(args), out);
  }

  /**
   * Compares two argument arrays of {@code function} as its memo key sees them, without a method
   * to check them against: for instance the decoded arguments of two stored invocations ({@link
   * MemoEntry#arguments}).
   *
   * @throws ArgumentKeyException when an argument value has no canonical encoding
   */
  public static KeyDiff diff(FunctionId function, Object[] argsA, Object[] argsB) {
    Objects.requireNonNull(function, "function");
    Object[] a = argsOrEmpty(argsA);
    Object[] b = argsOrEmpty(argsB);
    String hashA = ArgsEncoder.hash(a);
    String hashB = ArgsEncoder.hash(b);
    if (hashA.equals(hashB)) {
      return new KeyDiff(function, hashA, hashB, List.of(), 0);
    }
    ArgsDiff.Result diff = ArgsDiff.diff(a, b);
    return new KeyDiff(function, hashA, hashB, diff.listed(), diff.omitted());
  }

  private static Object[] argsOrEmpty(Object[] args) {
    return args == null ? new Object[0] : args;
  }

  private static Method find(Class<?> iface, String name, Object[] args) {
    List<Method> named = Arrays.stream(iface.getMethods())
        .filter(m -> m.getName().equals(name) && !Modifier.isStatic(m.getModifiers()) && !m.isDefault())
        .toList();
    if (named.isEmpty()) {
      String names = Arrays.stream(iface.getMethods())
          .filter(m -> !Modifier.isStatic(m.getModifiers()) && !m.isDefault())
          .map(Method::getName).distinct().sorted().collect(Collectors.joining(", "));
      throw new IllegalArgumentException(iface.getName() + " has no abstract method '" + name + "'"
          + (names.isEmpty() ? "" : "; its methods: " + names));
    }
    if (named.size() == 1) {
      return named.getFirst();
    }
    List<Method> fitting = named.stream().filter(m -> fits(m, args)).toList();
    if (fitting.size() == 1) {
      return fitting.getFirst();
    }
    throw new IllegalArgumentException(iface.getName() + "#" + name + " is overloaded and "
        + (fitting.isEmpty() ? "no overload fits" : fitting.size() + " overloads fit") + " the first arguments: "
        + named.stream().map(Keys::describe).collect(Collectors.joining(", "))
        + "; pass the java.lang.reflect.Method to Keys.whyMiss(Method, Object[], Object[])");
  }

  private static boolean fits(Method m, Object[] args) {
    List<String> problems = new ArrayList<>();
    checkFits(m, "args", args, problems);
    return problems.isEmpty();
  }

  private static void checkFits(Method m, String label, Object[] args, List<String> problems) {
    Class<?>[] types = m.getParameterTypes();
    if (args.length != types.length) {
      problems.add(label + " has " + args.length + (args.length == 1 ? " value" : " values") + " but "
          + describe(m) + " takes " + types.length);
      return;
    }
    for (int i = 0; i < types.length; i++) {
      Class<?> type = wrap(types[i]);
      Object v = args[i];
      if (v == null ? types[i].isPrimitive() : !type.isInstance(v)) {
        problems.add(label + "[" + i + "] is " + (v == null ? "null" : "a " + v.getClass().getName())
            + " but parameter " + i + " of " + m.getName() + " is " + types[i].getTypeName());
      }
    }
  }

  private static Class<?> wrap(Class<?> c) {
    if (!c.isPrimitive()) {
      return c;
    }
    return java.lang.invoke.MethodType.methodType(c).wrap().returnType();
  }

  private static String describe(Method m) {
    return m.getDeclaringClass().getName() + "#" + m.getName() + "("
        + Arrays.stream(m.getParameterTypes()).map(Class::getSimpleName).collect(Collectors.joining(", ")) + ")";
  }

  /**
   * Why two calls of one function would (or would not) share a memo entry: their arguments hashes
   * and, when those differ, each argument path where the values part. Made by {@link Keys#whyMiss};
   * {@link #toString()} is the text {@code pureremote why-miss} prints.
   *
   * <pre>{@code
   * function    com.acme.Scoring#score@2
   * args hash   differs: 5db739f0… ≠ be6b1eea…
   * arguments   1 difference (A ≠ B)
   *   args[1].minLength: 4 ≠ 3
   * }</pre>
   *
   * @param function the function's identity, the same for both calls
   * @param hashA the arguments hash of call A (lowercase hex SHA-256 of the canonical encoding)
   * @param hashB the arguments hash of call B
   * @param differences where the arguments differ, at most {@value io.pureremote.internal.ArgsDiff#MAX_DIFFERENCES};
   *     empty when the hashes are equal
   * @param omitted how many more differences there are beyond those listed
   */
  public record KeyDiff(FunctionId function, String hashA, String hashB, List<Difference> differences, int omitted) {

    /**
     * One place where the arguments differ.
     *
     * @param path where, as {@code args[1].weights["x"]} or {@code args[0].ids[3]}
     * @param a the value in call A as shown to people (strings quoted, long ones truncated), or
     *     {@code (absent)}; for a length difference {@code size 3}
     * @param b the same for call B
     * @param text the whole line, e.g. {@code args[1].weights["x"]: 0.5 ≠ 0.7} or {@code
     *     args[0].ids[2]: only in A (3)}
     */
    public record Difference(String path, String a, String b, String text) {
      /** Checks the parts are there. */
      public Difference {
        Objects.requireNonNull(path, "path");
        Objects.requireNonNull(a, "a");
        Objects.requireNonNull(b, "b");
        Objects.requireNonNull(text, "text");
      }

      @Override
      public String toString() {
        return text;
      }
    }

    /** Copies. */
    public KeyDiff {
      Objects.requireNonNull(function, "function");
      Objects.requireNonNull(hashA, "hashA");
      Objects.requireNonNull(hashB, "hashB");
      differences = List.copyOf(differences);
    }

    /** Whether both calls get the same memo key (in one pipeline and blob root): the second is a hit. */
    public boolean sameKey() {
      return hashA.equals(hashB);
    }

    /** The arguments part of the report, one line each, as {@code pureremote why-miss} prints it. */
    public List<String> argumentLines() {
      List<String> lines = new ArrayList<>();
      if (sameKey()) {
        lines.add("arguments   identical (same canonical encoding)");
      } else if (differences.isEmpty()) {
        lines.add("arguments   equal field by field, yet their canonical encodings differ: a value's type or an "
            + "encoding detail not visible through equals (e.g. a field excluded here) sets them apart");
      } else {
        int n = differences.size() + (omitted > 0 ? 1 : 0);
        lines.add("arguments   " + n + (n == 1 ? " difference" : " differences") + " (A ≠ B)");
        differences.forEach(d -> lines.add("  " + d.text()));
        if (omitted > 0) {
          lines.add("  … and " + omitted + " more " + (omitted == 1 ? "difference" : "differences"));
        }
      }
      return lines;
    }

    /**
     * A value as {@link Difference#a()} and {@link Difference#b()} show it, and as {@code pureremote
     * inspect} prints arguments and results: strings quoted, arrays and collections expanded, records
     * by component, text past {@code maxChars} truncated.
     */
    public static String render(Object value, int maxChars) {
      return ArgsDiff.render(value, maxChars);
    }

    /** The report: function, hashes, then the argument differences or "same key". */
    @Override
    public String toString() {
      StringBuilder sb = new StringBuilder();
      sb.append("function    ").append(function).append('\n');
      if (sameKey()) {
        sb.append("args hash   same (").append(hashA).append(")\n");
        sb.append("same key: both calls share one memo entry, so the second one is a hit.\n");
        return sb.toString();
      }
      sb.append("args hash   differs: ").append(hashA).append(" ≠ ").append(hashB).append('\n');
      argumentLines().forEach(l -> sb.append(l).append('\n'));
      return sb.toString();
    }
  }
}
