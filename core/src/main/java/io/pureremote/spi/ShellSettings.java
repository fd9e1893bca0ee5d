package io.pureremote.spi;

import java.time.Duration;
import java.util.ArrayList;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;
import java.util.Set;
import java.util.TreeSet;

/**
 * The resolved settings of one shell, as a {@link ShellProvider} receives them: the values of the
 * shell's configuration table (for {@code kubernetes}: {@code [kubernetes]} with the selected
 * team's values and one function's overrides laid over it), keyed by their names inside that
 * table ({@code namespace}, {@code resources.cpu}, {@code workload-identity.namespaces}).
 *
 * <p>Values are typed: {@link String}, {@link Integer}, {@link Double}, {@link Boolean}, {@link
 * Duration}, a {@code List<String>}, a {@code List<Map<String, String>>} (e.g. tolerations) or a
 * {@code Map<String, String>} (e.g. plain environment variables). Configuration has checked the
 * types and value rules it knows; a provider reads what it understands and refuses the rest with
 * {@link #unknownKeys(Set)}. Two settings are equal when their values are, so equal settings can
 * share one shell. Immutable and thread-safe.
 *
 * <pre>{@code
 * ShellSettings s = ShellSettings.builder("code")
 *     .put("image", "team/app:1")
 *     .put("resources.memory", "4Gi")
 *     .put("pending-timeout", Duration.ofMinutes(5))
 *     .build();
 * }</pre>
 */
public final class ShellSettings {
  private static final ShellSettings EMPTY = new ShellSettings("defaults", Map.of());
  private static final List<Class<?>> TYPES = List.of(String.class, Integer.class, Double.class, Boolean.class,
      Duration.class, List.class, Map.class);

  private final String source;
  private final Map<String, Object> values;

  private ShellSettings(String source, Map<String, Object> values) {
    this.source = source;
    this.values = Collections.unmodifiableMap(new LinkedHashMap<>(values));
  }

  /** No settings: every provider's defaults. */
  public static ShellSettings empty() {
    return EMPTY;
  }

  /**
   * A builder.
   *
   * @param source where the settings come from, for error messages (a file name, {@code code})
   */
  public static Builder builder(String source) {
    return new Builder(source);
  }

  /** Where the settings come from, for error messages. */
  public String source() {
    return source;
  }

  /** The keys present, in the order they were put. */
  public Set<String> keys() {
    return values.keySet();
  }

  /** Every value, by key. */
  public Map<String, Object> values() {
    return values;
  }

  /** Whether no key is present. */
  public boolean isEmpty() {
    return values.isEmpty();
  }

  /** A text value. */
  public Optional<String> string(String key) {
    return typed(key, String.class, "text");
  }

  /** A whole number. */
  public Optional<Integer> integer(String key) {
    return typed(key, Integer.class, "a whole number");
  }

  /** A number; a whole number is accepted too. */
  public Optional<Double> decimal(String key) {
    Object v = values.get(key);
    return v instanceof Integer i ? Optional.of(i.doubleValue()) : typed(key, Double.class, "a number");
  }

  /** {@code true} or {@code false}. */
  public Optional<Boolean> bool(String key) {
    return typed(key, Boolean.class, "true or false");
  }

  /**
   * A duration: a {@link Duration}, or text in the form {@link #parseDuration} reads (a TOML shell
   * table writes {@code ttl-after-finished = "1h"}).
   */
  public Optional<Duration> duration(String key) {
    if (values.get(key) instanceof String text) {
      try {
        return Optional.of(parseDuration(text));
      } catch (IllegalArgumentException e) {
        throw new IllegalArgumentException(key + " in " + source + ": " + e.getMessage());
      }
    }
    return typed(key, Duration.class, "a duration");
  }

  /**
   * Parses the one duration syntax of settings and configuration files: {@code 500ms}, {@code
   * 90s}, {@code 10m}, {@code 2h}, {@code 1d}, sums of them ({@code 1h30m}), or ISO-8601 ({@code
   * PT10M}).
   *
   * @throws IllegalArgumentException naming the accepted forms
   */
  public static Duration parseDuration(String text) {
    String v = text.strip();
    if (DURATION.matcher(v).matches()) {
      Duration total = Duration.ZERO;
      java.util.regex.Matcher m = DURATION_PART.matcher(v);
      while (m.find()) {
        long n = Long.parseLong(m.group(1));
        total = total.plus(switch (m.group(2)) {
          case "ms" -> Duration.ofMillis(n);
          case "s" -> Duration.ofSeconds(n);
          case "m" -> Duration.ofMinutes(n);
          case "h" -> Duration.ofHours(n);
          default -> Duration.ofDays(n);
        });
      }
      return total;
    }
    if (v.startsWith("P") || v.startsWith("p")) {
      try {
        return Duration.parse(v);
      } catch (java.time.format.DateTimeParseException e) {
        // fall through to the common message
      }
    }
    throw new IllegalArgumentException("expected " + DURATION_EXAMPLES + ", got \"" + text + "\"");
  }

  /** How messages describe the accepted duration forms. */
  public static final String DURATION_EXAMPLES = "a duration such as \"90s\", \"10m\", \"2h\", \"1h30m\" or \"PT10M\"";
  private static final java.util.regex.Pattern DURATION_PART = java.util.regex.Pattern.compile("(\\d+)(ms|s|m|h|d)");
  private static final java.util.regex.Pattern DURATION = java.util.regex.Pattern.compile("(\\d+(ms|s|m|h|d))+");

  /** A list of text values; empty when absent. */
  public List<String> strings(String key) {
    return listOf(key, String.class, "a list of text values");
  }

  /** A list of tables of text values (e.g. tolerations); empty when absent. */
  @SuppressWarnings("unchecked")
  public List<Map<String, String>> tables(String key) {
    return (List<Map<String, String>>) (List<?>) listOf(key, Map.class, "a list of tables");
  }

  /** A table of text values (e.g. environment variables); empty when absent. */
  @SuppressWarnings("unchecked")
  public Map<String, String> table(String key) {
    return (Map<String, String>) typed(key, Map.class, "a table of text values").orElse(Map.of());
  }

  /**
   * Refuses keys outside {@code known}.
   *
   * @throws IllegalArgumentException naming the unknown keys, the source and the known keys
   */
  public void unknownKeys(Set<String> known) {
    Set<String> unknown = new TreeSet<>(values.keySet());
    unknown.removeAll(known);
    if (!unknown.isEmpty()) {
      throw new IllegalArgumentException("unknown setting(s) " + unknown + " in " + source + "; known: "
          + new TreeSet<>(known));
    }
  }

  private <T> Optional<T> typed(String key, Class<T> type, String expected) {
    Object v = values.get(key);
    if (v == null) {
      return Optional.empty();
    }
    if (!type.isInstance(v)) {
      throw wrongType(key, expected, v);
    }
    return Optional.of(type.cast(v));
  }

  private <T> List<T> listOf(String key, Class<T> element, String expected) {
    Object v = values.get(key);
    if (v == null) {
      return List.of();
    }
    if (!(v instanceof List<?> list) || !list.stream().allMatch(element::isInstance)) {
      throw wrongType(key, expected, v);
    }
    List<T> result = new ArrayList<>();
    list.forEach(o -> result.add(element.cast(o)));
    return List.copyOf(result);
  }

  private IllegalArgumentException wrongType(String key, String expected, Object v) {
    return new IllegalArgumentException(key + " in " + source + " must be " + expected + ", got "
        + v.getClass().getSimpleName() + " " + v);
  }

  @Override
  public boolean equals(Object o) {
    return o instanceof ShellSettings other && values.equals(other.values);
  }

  @Override
  public int hashCode() {
    return values.hashCode();
  }

  @Override
  public String toString() {
    return "ShellSettings" + values + " from " + source;
  }

  /** Builder for {@link ShellSettings}; not thread-safe. */
  public static final class Builder {
    private final String source;
    private final Map<String, Object> values = new LinkedHashMap<>();

    private Builder(String source) {
      this.source = Objects.requireNonNull(source, "source");
    }

    /**
     * Sets {@code key}; a {@code null} value removes it.
     *
     * @throws IllegalArgumentException when the value is not one of the types listed on {@link
     *     ShellSettings}
     */
    public Builder put(String key, Object value) {
      Objects.requireNonNull(key, "key");
      if (value == null) {
        values.remove(key);
        return this;
      }
      if (TYPES.stream().noneMatch(t -> t.isInstance(value))) {
        throw new IllegalArgumentException("setting " + key + " has type " + value.getClass().getName()
            + "; use text, Integer, Double, Boolean, Duration, a List or a Map");
      }
      values.put(key, value instanceof List<?> l ? l.stream().map(Builder::frozen).toList() : frozen(value));
      return this;
    }

    private static Object frozen(Object value) {
      return value instanceof Map<?, ?> m ? Collections.unmodifiableMap(new LinkedHashMap<>(m)) : value;
    }

    /** Sets every entry of {@code settings}. */
    public Builder putAll(Map<String, ?> settings) {
      settings.forEach(this::put);
      return this;
    }

    /** The settings. */
    public ShellSettings build() {
      return new ShellSettings(source, values);
    }
  }
}
