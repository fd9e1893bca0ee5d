package io.pureremote.config;

import io.pureremote.k8s.values.KubernetesValues;
import io.pureremote.k8s.values.Ranges;
import java.math.BigDecimal;
import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.TreeSet;
import java.util.function.Function;
import org.tomlj.TomlArray;
import org.tomlj.TomlTable;

/**
 * The type of a configuration key: how a TOML value or the text of an environment variable (or a
 * code override) becomes a Java value, and what a message says was expected. A conversion that
 * fails records its problems in the {@link Reading} and returns {@code null}.
 */
interface Kind {

  /** Short type for the documentation table, e.g. {@code duration}. */
  String type();

  /** A TOML value (String, Long, Double, Boolean, TomlArray, TomlTable, java.time) to a Java value. */
  Object fromToml(Object raw, Origin at, Reading reading);

  /** The text of an environment variable or code override to a Java value. */
  Object fromText(String raw, Origin at, Reading reading);

  /** A toleration as written, before {@code spot} is resolved against the cloud. */
  record TolerationItem(Object item, Origin origin) {}

  /** A string checked by {@code check}, which returns the problem text for a bad value. */
  static Kind text(String type, Function<String, Optional<String>> check) {
    return new Kind() {
      @Override
      public String type() {
        return type;
      }

      @Override
      public Object fromToml(Object raw, Origin at, Reading reading) {
        if (!(raw instanceof String s)) {
          return reading.wrongType(at, "a string (" + type + ")", raw);
        }
        return fromText(s, at, reading);
      }

      @Override
      public Object fromText(String raw, Origin at, Reading reading) {
        Optional<String> problem = check.apply(raw);
        if (problem.isPresent()) {
          reading.add(at, problem.get());
          return null;
        }
        return raw;
      }
    };
  }

  /** A non-blank string. */
  static Kind nonBlank(String type) {
    return text(type, s -> s.isBlank() ? Optional.of("expected a non-empty string") : Optional.empty());
  }

  /** One of fixed names (case-insensitive), mapped to a value. */
  static Kind choice(Map<String, ?> values) {
    String type = String.join(" \\| ", values.keySet().stream().map(v -> "`" + v + "`").toList());
    return choice(type, () -> values);
  }

  /** One of the names {@code values} gives at load time (case-insensitive), mapped to a value. */
  static Kind choice(String type, java.util.function.Supplier<Map<String, ?>> values) {
    return new Kind() {
      @Override
      public String type() {
        return type;
      }

      @Override
      public Object fromToml(Object raw, Origin at, Reading reading) {
        if (!(raw instanceof String s)) {
          return reading.wrongType(at, "one of " + quoted(values.get().keySet()), raw);
        }
        return fromText(s, at, reading);
      }

      @Override
      public Object fromText(String raw, Origin at, Reading reading) {
        for (Map.Entry<String, ?> e : values.get().entrySet()) {
          if (e.getKey().equalsIgnoreCase(raw.strip())) {
            return e.getValue();
          }
        }
        reading.add(at, "expected one of " + quoted(values.get().keySet()) + ", got \"" + raw + "\""
            + Values.didYouMean(raw, values.get().keySet()));
        return null;
      }
    };
  }

  /** A shell name: the built-in ones and those registered on the class path. */
  static Kind shell() {
    return new Kind() {
      @Override
      public String type() {
        return "`in-process` \\| `local` \\| `kubernetes` \\| `pool:<name>` (or a registered shell)";
      }

      @Override
      public Object fromToml(Object raw, Origin at, Reading reading) {
        if (raw instanceof String s && s.startsWith(ConfigKeys.POOL_SHELL_PREFIX)) {
          return fromText(s, at, reading);
        }
        return choice(names(reading)).fromToml(raw, at, reading);
      }

      @Override
      public Object fromText(String raw, Origin at, Reading reading) {
        String s = raw.strip();
        if (s.startsWith(ConfigKeys.POOL_SHELL_PREFIX)) {
          // pool:<name>: the Kubernetes pool of that name, settings from [pools.<name>].
          String pool = s.substring(ConfigKeys.POOL_SHELL_PREFIX.length());
          if (!reading.shells.contains(ConfigKeys.POOL_SHELL)) {
            reading.add(at, "\"" + s + "\" needs the pool shell: add pureremote-k8s-shell to the class path");
            return null;
          }
          if (!io.pureremote.k8s.values.KubernetesValues.isDnsLabel(pool) || pool.length() > 40) {
            reading.add(at, "\"" + s + "\": the pool name must be a DNS label (lowercase letters, digits, '-') of at most 40"
                + " characters");
            return null;
          }
          return s;
        }
        return choice(names(reading)).fromText(raw, at, reading);
      }

      private Map<String, String> names(Reading reading) {
        Map<String, String> names = new LinkedHashMap<>();
        new TreeSet<>(reading.shells).forEach(s -> names.put(s, s));
        return names;
      }
    };
  }

  /** A blob root URI whose scheme a store handles ({@code file}, {@code s3}, {@code abfss}, or a registered one). */
  static Kind blobRoot() {
    Kind uri = text("URI", Values::checkBlobRoot);
    return new Kind() {
      @Override
      public String type() {
        return "URI";
      }

      @Override
      public Object fromToml(Object raw, Origin at, Reading reading) {
        return checkScheme(uri.fromToml(raw, at, reading), at, reading);
      }

      @Override
      public Object fromText(String raw, Origin at, Reading reading) {
        return checkScheme(uri.fromText(raw, at, reading), at, reading);
      }

      private Object checkScheme(Object value, Origin at, Reading reading) {
        if (value == null) {
          return null;
        }
        String root = (String) value;
        String scheme = root.substring(0, root.indexOf(':')).toLowerCase(Locale.ROOT);
        if (!reading.schemes.contains(scheme)) {
          Set<String> known = new TreeSet<>(reading.schemes);
          reading.add(at, "no blob store for scheme \"" + scheme + "\" (in \"" + root + "\"): expected one of "
              + quoted(known) + Values.didYouMean(scheme, known));
          return null;
        }
        return root;
      }
    };
  }

  /** A duration string; {@code min} is the least allowed value. */
  static Kind duration(Duration min, String type) {
    return new Kind() {
      @Override
      public String type() {
        return type;
      }

      @Override
      public Object fromToml(Object raw, Origin at, Reading reading) {
        if (!(raw instanceof String s)) {
          return reading.wrongType(at, Values.DURATION_EXAMPLES, raw);
        }
        return fromText(s, at, reading);
      }

      @Override
      public Object fromText(String raw, Origin at, Reading reading) {
        Duration d;
        try {
          d = Values.parseDuration(raw);
        } catch (IllegalArgumentException e) {
          reading.add(at, e.getMessage());
          return null;
        }
        if (d.compareTo(min) < 0) {
          reading.add(at, Ranges.atLeast(Values.formatDuration(min), "\"" + raw + "\""));
          return null;
        }
        return d;
      }
    };
  }

  /** A whole number of at least {@code min}. */
  static Kind integer(int min) {
    return integer(min, Integer.MAX_VALUE);
  }

  /** A whole number from {@code min} to {@code max}. */
  static Kind integer(int min, int max) {
    String expected = max == Integer.MAX_VALUE ? "an integer >= " + min : "an integer from " + min + " to " + max;
    return new Kind() {
      @Override
      public String type() {
        return max == Integer.MAX_VALUE ? "integer ≥ " + min : "integer " + min + "–" + max;
      }

      @Override
      public Object fromToml(Object raw, Origin at, Reading reading) {
        if (!(raw instanceof Long l)) {
          return reading.wrongType(at, expected, raw);
        }
        return check(l, raw, at, reading);
      }

      @Override
      public Object fromText(String raw, Origin at, Reading reading) {
        try {
          return check(Long.parseLong(raw.strip()), raw, at, reading);
        } catch (NumberFormatException e) {
          return reading.wrongType(at, expected, raw);
        }
      }

      private Object check(long value, Object raw, Origin at, Reading reading) {
        if (value < min || value > max) {
          reading.add(at, max == Integer.MAX_VALUE ? Ranges.atLeast(min, value) : Ranges.between(min, max, value));
          return null;
        }
        return (int) value;
      }
    };
  }

  /** A number from 0 to 1. */
  static Kind fraction() {
    String expected = "a number from 0 to 1";
    return new Kind() {
      @Override
      public String type() {
        return "number 0–1";
      }

      @Override
      public Object fromToml(Object raw, Origin at, Reading reading) {
        if (raw instanceof Long l) {
          return check(l.doubleValue(), at, reading);
        }
        if (raw instanceof Double d) {
          return check(d, at, reading);
        }
        return reading.wrongType(at, expected, raw);
      }

      @Override
      public Object fromText(String raw, Origin at, Reading reading) {
        try {
          return check(Double.parseDouble(raw.strip()), at, reading);
        } catch (NumberFormatException e) {
          return reading.wrongType(at, expected, raw);
        }
      }

      private Object check(double value, Origin at, Reading reading) {
        Optional<String> problem = Ranges.betweenProblem(0.0, 1.0, value);
        if (problem.isPresent()) {
          reading.add(at, problem.get());
          return null;
        }
        return value;
      }
    };
  }

  /** {@code true} or {@code false}. */
  static Kind bool() {
    return new Kind() {
      @Override
      public String type() {
        return "boolean";
      }

      @Override
      public Object fromToml(Object raw, Origin at, Reading reading) {
        return raw instanceof Boolean b ? b : reading.wrongType(at, "true or false", raw);
      }

      @Override
      public Object fromText(String raw, Origin at, Reading reading) {
        return switch (raw.strip().toLowerCase(Locale.ROOT)) {
          case "true" -> Boolean.TRUE;
          case "false" -> Boolean.FALSE;
          default -> reading.wrongType(at, "true or false", raw);
        };
      }
    };
  }

  /** A CPU quantity; TOML may write whole or fractional cores as numbers ({@code cpu = 2}). */
  static Kind cpu() {
    return new Kind() {
      @Override
      public String type() {
        return "CPU quantity";
      }

      @Override
      public Object fromToml(Object raw, Origin at, Reading reading) {
        return switch (raw) {
          case String s -> fromText(s, at, reading);
          case Long l -> fromText(Long.toString(l), at, reading);
          case Double d when Double.isFinite(d) ->
              fromText(BigDecimal.valueOf(d).stripTrailingZeros().toPlainString(), at, reading);
          default -> reading.wrongType(at, KubernetesValues.CPU_EXAMPLES, raw);
        };
      }

      @Override
      public Object fromText(String raw, Origin at, Reading reading) {
        Optional<String> problem = KubernetesValues.cpuProblem(raw.strip());
        problem.ifPresent(p -> reading.add(at, p));
        return problem.isPresent() ? null : raw.strip();
      }
    };
  }

  /** A quantity of bytes as a string with a unit; a bare TOML number is refused (it would be bytes). */
  static Kind bytes() {
    return new Kind() {
      @Override
      public String type() {
        return "byte quantity";
      }

      @Override
      public Object fromToml(Object raw, Origin at, Reading reading) {
        if (raw instanceof Long || raw instanceof Double) {
          reading.add(at, "expected " + KubernetesValues.BYTES_EXAMPLES + ", got " + Reading.describe(raw)
              + "; write it as a string with a unit, e.g. \"" + raw + "Gi\"");
          return null;
        }
        if (!(raw instanceof String s)) {
          return reading.wrongType(at, KubernetesValues.BYTES_EXAMPLES, raw);
        }
        return fromText(s, at, reading);
      }

      @Override
      public Object fromText(String raw, Origin at, Reading reading) {
        Optional<String> problem = KubernetesValues.bytesProblem(raw.strip());
        problem.ifPresent(p -> reading.add(at, p));
        return problem.isPresent() ? null : raw.strip();
      }
    };
  }

  /** An array of strings, each checked; as text, comma-separated. */
  static Kind stringList(String type, Function<String, Optional<String>> check) {
    return new Kind() {
      @Override
      public String type() {
        return type;
      }

      @Override
      public Object fromToml(Object raw, Origin at, Reading reading) {
        if (!(raw instanceof TomlArray array)) {
          return reading.wrongType(at, "an array of strings", raw);
        }
        List<String> values = new ArrayList<>();
        boolean ok = true;
        for (int i = 0; i < array.size(); i++) {
          Origin item = at.child("[" + i + "]", array.inputPositionOf(i));
          Object v = array.get(i);
          if (!(v instanceof String s)) {
            reading.wrongType(item, "a string", v);
            ok = false;
          } else if (check.apply(s).isPresent()) {
            reading.add(item, check.apply(s).get());
            ok = false;
          } else {
            values.add(s);
          }
        }
        return ok ? List.copyOf(values) : null;
      }

      @Override
      public Object fromText(String raw, Origin at, Reading reading) {
        List<String> values = new ArrayList<>();
        boolean ok = true;
        for (String part : raw.split(",")) {
          String s = part.strip();
          if (s.isEmpty()) {
            continue;
          }
          Optional<String> problem = check.apply(s);
          if (problem.isPresent()) {
            reading.add(at, problem.get());
            ok = false;
          } else {
            values.add(s);
          }
        }
        return ok ? List.copyOf(values) : null;
      }
    };
  }

  /**
   * Tolerations: names ({@code spot}, {@code spot-aks}, {@code spot-eks}, {@code spot-gke}) or
   * inline tables {@code {key, operator, value, effect}}; as text, comma-separated names.
   */
  static Kind tolerations() {
    Set<String> names = Set.of("spot", "spot-aks", "spot-eks", "spot-gke");
    List<String> sortedNames = List.of("spot", "spot-aks", "spot-eks", "spot-gke");
    Set<String> taintKeys = Set.of("key", "operator", "value", "effect");
    return new Kind() {
      @Override
      public String type() {
        return "array of toleration names or tables";
      }

      @Override
      public Object fromToml(Object raw, Origin at, Reading reading) {
        if (!(raw instanceof TomlArray array)) {
          return reading.wrongType(at, "an array of toleration names (" + String.join(", ", sortedNames)
              + ") or tables {key, operator, value, effect}", raw);
        }
        List<TolerationItem> items = new ArrayList<>();
        boolean ok = true;
        for (int i = 0; i < array.size(); i++) {
          Origin item = at.child("[" + i + "]", array.inputPositionOf(i));
          Object v = array.get(i);
          Object parsed = switch (v) {
            case String s -> name(s, item, reading);
            case TomlTable t -> taint(t, item, reading);
            default -> reading.wrongType(item, "a toleration name (" + String.join(", ", sortedNames)
                + ") or a table {key, operator, value, effect}", v);
          };
          if (parsed == null) {
            ok = false;
          } else {
            items.add(new TolerationItem(parsed, item));
          }
        }
        return ok ? List.copyOf(items) : null;
      }

      @Override
      public Object fromText(String raw, Origin at, Reading reading) {
        List<TolerationItem> items = new ArrayList<>();
        boolean ok = true;
        for (String part : raw.split(",")) {
          if (part.isBlank()) {
            continue;
          }
          Object parsed = name(part.strip(), at, reading);
          if (parsed == null) {
            ok = false;
          } else {
            items.add(new TolerationItem(parsed, at));
          }
        }
        return ok ? List.copyOf(items) : null;
      }

      private Object name(String s, Origin at, Reading reading) {
        if (names.contains(s)) {
          return s;
        }
        reading.add(at, "unknown toleration \"" + s + "\": expected one of " + quoted(sortedNames)
            + " or a table {key, operator, value, effect}" + Values.didYouMean(s, sortedNames));
        return null;
      }

      private Object taint(TomlTable t, Origin at, Reading reading) {
        boolean ok = true;
        for (String k : t.keySet()) {
          if (!taintKeys.contains(k)) {
            reading.add(at.child("." + k, t.inputPositionOf(List.of(k))),
                "unknown key; a toleration table has key, operator, value and effect" + Values.didYouMean(k, taintKeys));
            ok = false;
          } else if (!(t.get(List.of(k)) instanceof String)) {
            reading.wrongType(at.child("." + k, t.inputPositionOf(List.of(k))), "a string", t.get(List.of(k)));
            ok = false;
          }
        }
        if (!ok) {
          return null;
        }
        String operator = Optional.ofNullable(t.getString(List.of("operator"))).orElse("Equal");
        try {
          return new TolerationConfig.Taint(
              Optional.ofNullable(t.getString(List.of("key"))).orElse(""),
              operator,
              Optional.ofNullable(t.getString(List.of("value"))).orElse(""),
              Optional.ofNullable(t.getString(List.of("effect"))).orElse(""));
        } catch (IllegalArgumentException e) {
          reading.add(at, e.getMessage());
          return null;
        }
      }
    };
  }

  /**
   * A table of strings ({@code [blob-settings]}). The TOML reader reads such a table entry by entry
   * to keep each entry's position; this conversion serves the documentation and whole-table reads.
   */
  static Kind stringTable() {
    return new Kind() {
      @Override
      public String type() {
        return "table of strings";
      }

      @Override
      public Object fromToml(Object raw, Origin at, Reading reading) {
        if (!(raw instanceof TomlTable table)) {
          return reading.wrongType(at, "a table of strings", raw);
        }
        Map<String, String> values = new LinkedHashMap<>();
        boolean ok = true;
        for (String key : table.keySet()) {
          Object v = table.get(List.of(key));
          if (v instanceof String s) {
            values.put(key, s);
          } else {
            reading.wrongType(at.child("." + Origin.tomlKey(key), table.inputPositionOf(List.of(key))), "a string", v);
            ok = false;
          }
        }
        return ok ? Map.copyOf(values) : null;
      }

      @Override
      public Object fromText(String raw, Origin at, Reading reading) {
        return raw;
      }
    };
  }

  private static String quoted(java.util.Collection<String> values) {
    return String.join(", ", values.stream().map(v -> "\"" + v + "\"").toList());
  }
}
