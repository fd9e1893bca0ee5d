package io.pureremote.config;

import io.pureremote.spi.BlobStore;
import java.time.LocalDate;
import java.time.LocalTime;
import java.time.temporal.Temporal;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Set;
import org.tomlj.TomlArray;
import org.tomlj.TomlTable;

/**
 * The state of one load: the problems found so far (every one is kept, so they are reported
 * together) and the facts checks need: the shell names and blob store schemes on the class path. Not thread-safe;
 * one per load.
 */
final class Reading {
  final List<ConfigProblem> problems = new ArrayList<>();
  /** What is read but should change (a renamed key); reported, never refused. */
  final List<ConfigProblem> warnings = new ArrayList<>();
  final Set<String> shells;
  final Set<String> schemes;
  /** Providers on the class path by scheme; a root whose provider is absent gets its settings checked when opened. */
  final Map<String, BlobStore.Provider> stores;

  Reading(Set<String> shells, Set<String> schemes, Map<String, BlobStore.Provider> stores) {
    this.shells = Set.copyOf(shells);
    this.schemes = Set.copyOf(schemes);
    this.stores = Map.copyOf(stores);
  }

  void add(Origin at, String message) {
    problems.add(at.problem(message));
  }

  void warn(Origin at, String message) {
    warnings.add(at.problem(message));
  }

  /** Records "expected X, got Y" and returns {@code null}, the "no value" of a failed conversion. */
  Object wrongType(Origin at, String expected, Object raw) {
    add(at, "expected " + expected + ", got " + describe(raw));
    return null;
  }

  boolean hasProblems() {
    return !problems.isEmpty();
  }

  /** A raw TOML value the way a message shows it: {@code "text"}, {@code 4 (integer)}, {@code a table}. */
  static String describe(Object raw) {
    return switch (raw) {
      case String s -> "\"" + s + "\"";
      case Long l -> l + " (integer)";
      case Double d -> d + " (float)";
      case Boolean b -> b + " (boolean)";
      case TomlArray a -> "an array";
      case TomlTable t -> "a table";
      case LocalDate d -> d + " (date)";
      case LocalTime t -> t + " (time)";
      case Temporal t -> t + " (date-time)";
      case null -> "nothing";
      default -> raw.toString();
    };
  }
}
