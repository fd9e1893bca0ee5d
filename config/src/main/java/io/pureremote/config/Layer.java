package io.pureremote.config;

import io.pureremote.config.ConfigKeys.KeySpec;
import io.pureremote.config.ConfigKeys.Scope;
import io.pureremote.spi.BlobStore;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import org.tomlj.TomlArray;
import org.tomlj.TomlParseResult;
import org.tomlj.TomlTable;

/**
 * The settings one source gives, converted and checked key by key but not yet combined with the
 * others: a file, the environment, or overrides in code. Values are kept with their {@link Origin}
 * so later checks (an unknown team, a missing image) can point at them. Not thread-safe.
 */
final class Layer {
  /** A value and where it came from. */
  record Setting(Object value, Origin origin) {}

  final String source;
  final Map<String, Setting> root = new LinkedHashMap<>();
  final Map<String, Setting> blobSettings = new LinkedHashMap<>();
  final Map<String, Map<String, Setting>> teams = new LinkedHashMap<>();
  final Map<String, Origin> teamOrigins = new LinkedHashMap<>();
  final Map<String, Map<String, Setting>> teamBlobSettings = new LinkedHashMap<>();
  final Map<String, Map<String, Setting>> functions = new LinkedHashMap<>();
  final Map<String, Origin> functionOrigins = new LinkedHashMap<>();
  /** {@code [<shell>]} tables of shells beyond the built-in ones: shell name → flattened key → setting. */
  final Map<String, Map<String, Setting>> shellTables = new LinkedHashMap<>();
  /** {@code [teams.<team>.<shell>]}: team → shell → key → setting. */
  final Map<String, Map<String, Map<String, Setting>>> teamShellTables = new LinkedHashMap<>();
  /** {@code [functions."<function>".<shell>]}: function → shell → key → setting. */
  final Map<String, Map<String, Map<String, Setting>>> functionShellTables = new LinkedHashMap<>();

  private Layer(String source) {
    this.source = source;
  }

  static Layer empty(String source) {
    return new Layer(source);
  }

  /** Reads a parsed TOML document (without syntax errors); problems go to {@code reading}. */
  static Layer fromToml(TomlParseResult doc, String source, Reading reading) {
    Layer layer = new Layer(source);
    for (String key : doc.keySet()) {
      Origin at = Origin.at(source, key, doc.inputPositionOf(List.of(key)));
      Object raw = doc.get(List.of(key));
      switch (key) {
        case ConfigKeys.TEAMS -> layer.readSections(raw, at, Scope.TEAM, reading);
        case ConfigKeys.FUNCTIONS -> layer.readSections(raw, at, Scope.FUNCTION, reading);
        case ConfigKeys.BLOB_SETTINGS -> layer.readBlobSettings(raw, at, layer.blobSettings, reading);
        case ConfigKeys.POOLS -> layer.readPools(raw, at, reading);
        default -> {
          if (isShellTable(key, reading)) {
            layer.readShellTable(raw, at, layer.shellTables.computeIfAbsent(key, k -> new LinkedHashMap<>()), "", reading);
          } else {
            layer.readKey(doc, key, "", "", Scope.ROOT, layer.root, reading);
          }
        }
      }
    }
    return layer;
  }

  /**
   * Reads {@code PUREREMOTE_*} variables (or, with {@code fromCode}, overrides keyed by TOML name);
   * blank variables count as unset. Unknown {@code PUREREMOTE_*} variables are ignored, since
   * remote processes see variables of their own; an unknown override key is a problem.
   */
  static Layer fromText(Map<String, String> values, boolean fromCode, Reading reading) {
    Layer layer = new Layer(fromCode ? Origin.CODE : Origin.ENVIRONMENT);
    Map<String, KeySpec> specs = ConfigKeys.byName(Scope.ROOT);
    Map<String, String> remaining = new LinkedHashMap<>(values);
    Map<String, String> oldNames = new LinkedHashMap<>();
    ConfigKeys.RENAMED.forEach((old, renamed) -> oldNames.put(renamed, old));
    for (KeySpec spec : specs.values()) {
      List<String> names = new ArrayList<>(List.of(spec.name()));
      Optional.ofNullable(oldNames.get(spec.name())).ifPresent(names::add);
      for (String key : names) {
        String name = fromCode ? key : ConfigKeys.envName(key);
        String raw = remaining.remove(name);
        if (raw == null || (!fromCode && raw.isBlank())) {
          continue;
        }
        Origin at = fromCode ? Origin.code(name) : Origin.environment(name);
        if (!key.equals(spec.name())) {
          reading.warn(at, ConfigKeys.renamedWarning(fromCode ? spec.name() : spec.env()));
        }
        Object value = spec.kind().fromText(raw.strip(), at, reading);
        if (value != null) {
          putOnce(layer.root, spec.name(), new Setting(value, at), reading);
        }
      }
    }
    if (fromCode) {
      remaining.forEach((key, value) -> {
        if (key.startsWith(ConfigKeys.BLOB_SETTINGS + ".") && key.length() > ConfigKeys.BLOB_SETTINGS.length() + 1) {
          String name = key.substring(ConfigKeys.BLOB_SETTINGS.length() + 1);
          layer.blobSettings.put(name, new Setting(value, Origin.code(key)));
        } else {
          reading.add(Origin.code(key), "unknown key; overrides take top-level and [kubernetes] keys such as "
              + "\"kubernetes.namespace\" or \"blob-settings.<name>\"" + Values.didYouMean(key, specs.keySet()));
        }
      });
    } else {
      BlobStore.fromEnvironment(values).forEach((name, value) -> {
        if (!value.isBlank()) {
          String variable = BlobStore.ENV_PREFIX + name.toUpperCase(Locale.ROOT).replace('-', '_');
          layer.blobSettings.put(name, new Setting(value, Origin.environment(variable)));
        }
      });
    }
    return layer;
  }

  /** {@code [teams.<name>]} or {@code [functions."<name>"]}: a table of tables. */
  private void readSections(Object raw, Origin at, Scope scope, Reading reading) {
    if (!(raw instanceof TomlTable table)) {
      reading.wrongType(at, "a table of " + (scope == Scope.TEAM ? "[teams.<name>] sections"
          : "[functions.\"<function name>\"] sections"), raw);
      return;
    }
    String parent = scope == Scope.TEAM ? ConfigKeys.TEAMS : ConfigKeys.FUNCTIONS;
    for (String name : table.keySet()) {
      String display = parent + "." + Origin.tomlKey(name);
      Origin sectionAt = at.child(display.substring(parent.length()), table.inputPositionOf(List.of(name)));
      Object section = table.get(List.of(name));
      if (!(section instanceof TomlTable sectionTable)) {
        reading.wrongType(sectionAt, "a table of " + (scope == Scope.TEAM ? "team" : "function") + " settings", section);
        continue;
      }
      if (scope == Scope.TEAM && name.isBlank()) {
        reading.add(sectionAt, "a team name must not be blank");
        continue;
      }
      if (scope == Scope.FUNCTION) {
        Optional<String> problem = Values.checkFunctionName(name);
        if (problem.isPresent()) {
          reading.add(sectionAt, problem.get());
          continue;
        }
      }
      Map<String, Setting> into = new LinkedHashMap<>();
      (scope == Scope.TEAM ? teams : functions).put(name, into);
      (scope == Scope.TEAM ? teamOrigins : functionOrigins).put(name, sectionAt);
      for (String key : sectionTable.keySet()) {
        if (scope == Scope.TEAM && key.equals(ConfigKeys.BLOB_SETTINGS)) {
          Map<String, Setting> settings = new LinkedHashMap<>();
          teamBlobSettings.put(name, settings);
          Origin settingsAt = sectionAt.child("." + key, sectionTable.inputPositionOf(List.of(key)));
          readBlobSettings(sectionTable.get(List.of(key)), settingsAt, settings, reading);
        } else if (isShellTable(key, reading)) {
          Origin tableAt = sectionAt.child("." + key, sectionTable.inputPositionOf(List.of(key)));
          readShellTable(sectionTable.get(List.of(key)), tableAt,
              (scope == Scope.TEAM ? teamShellTables : functionShellTables).computeIfAbsent(name, k -> new LinkedHashMap<>())
                  .computeIfAbsent(key, k -> new LinkedHashMap<>()), "", reading);
        } else {
          readKey(sectionTable, key, "", display + ".", scope, into, reading);
        }
      }
    }
  }

  /** One key of {@code table}: a known key, a table that leads to known keys, or an unknown key. */
  private void readKey(TomlTable table, String key, String prefix, String displayPrefix, Scope scope,
      Map<String, Setting> into, Reading reading) {
    String name = prefix.isEmpty() ? key : prefix + "." + key;
    String display = displayPrefix + Origin.tomlKey(key);
    Origin at = Origin.at(source, display, table.inputPositionOf(List.of(key)));
    Object raw = table.get(List.of(key));
    Map<String, KeySpec> specs = ConfigKeys.byName(scope);
    KeySpec spec = specs.get(name);
    String renamed = scope == Scope.ROOT ? ConfigKeys.RENAMED.get(name) : null;
    if (spec == null && renamed != null) {
      reading.warn(at, ConfigKeys.renamedWarning(renamed));
      spec = specs.get(renamed);
    }
    if (spec != null) {
      Object value = spec.kind().fromToml(raw, at, reading);
      if (value != null) {
        putOnce(into, spec.name(), new Setting(value, at), reading);
      }
      return;
    }
    boolean isParent = specs.keySet().stream().anyMatch(k -> k.startsWith(name + "."));
    if (isParent) {
      if (!(raw instanceof TomlTable sub)) {
        reading.wrongType(at, "a table with keys " + ConfigKeys.childrenOf(scope, name), raw);
        return;
      }
      for (String child : sub.keySet()) {
        readKey(sub, child, name, display + ".", scope, into, reading);
      }
      return;
    }
    Set<String> known = ConfigKeys.childrenOf(scope, prefix);
    String where = switch (scope) {
      case ROOT -> prefix.isEmpty() ? "at the top level" : "in [" + prefix + "]";
      case TEAM -> "in a team section" + (prefix.isEmpty() ? "" : " [" + prefix + "]");
      case FUNCTION -> "in a function section" + (prefix.isEmpty() ? "" : " [" + prefix + "]");
    };
    reading.add(at, "unknown key" + Values.didYouMean(key, known) + "; keys allowed " + where + ": "
        + String.join(", ", known));
  }

  /** Puts {@code name}, unless a renamed key and its new name are both set: a problem at the second. */
  private static void putOnce(Map<String, Setting> into, String name, Setting setting, Reading reading) {
    Setting first = into.putIfAbsent(name, setting);
    if (first != null) {
      reading.add(setting.origin(), "also set as " + first.origin().key() + " (" + name + " was renamed; "
          + "the old name is still read): keep only " + name);
    }
  }

  /** A table named after a registered shell that is not built in ({@code [mpi]}): its provider's settings. */
  /** {@code [pools.<name>]}: one shell table per pool, kept as the table of shell {@code pool:<name>}. */
  private void readPools(Object raw, Origin at, Reading reading) {
    if (!(raw instanceof TomlTable table)) {
      reading.wrongType(at, "tables [pools.<name>] of pool shell settings", raw);
      return;
    }
    if (!reading.shells.contains(ConfigKeys.POOL_SHELL)) {
      reading.add(at, "[pools] needs the pool shell: add pureremote-k8s-shell to the class path");
      return;
    }
    for (String name : table.keySet()) {
      Origin poolAt = at.child("." + name, table.inputPositionOf(List.of(name)));
      readShellTable(table.get(List.of(name)), poolAt,
          shellTables.computeIfAbsent(ConfigKeys.POOL_SHELL_PREFIX + name, k -> new LinkedHashMap<>()), "", reading);
    }
  }

  private static boolean isShellTable(String key, Reading reading) {
    return reading.shells.contains(key) && !ConfigKeys.BUILT_IN_SHELLS.contains(key);
  }

  /**
   * A shell's table, flattened to dotted keys ({@code scheduling.queue}, {@code worker.resources.cpu})
   * with the value types a {@link io.pureremote.spi.Shell.Settings} holds; {@code env} tables stay
   * maps. The shell's provider checks names and values when it creates the shell; here only the
   * TOML types are checked, with their position.
   */
  private void readShellTable(Object raw, Origin at, Map<String, Setting> into, String prefix, Reading reading) {
    if (!(raw instanceof TomlTable table)) {
      reading.wrongType(at, "a table of the shell's settings", raw);
      return;
    }
    for (String key : table.keySet()) {
      String name = prefix.isEmpty() ? key : prefix + "." + key;
      Origin itemAt = at.child("." + Origin.tomlKey(key), table.inputPositionOf(List.of(key)));
      Object value = table.get(List.of(key));
      if (value instanceof TomlTable sub && !key.equals("env")) {
        readShellTable(sub, itemAt, into, name, reading);
        continue;
      }
      Object converted = shellValue(value, itemAt, reading);
      if (converted != null) {
        into.put(name, new Setting(converted, itemAt));
      }
    }
  }

  private static Object shellValue(Object value, Origin at, Reading reading) {
    return switch (value) {
      case String s -> s;
      case Boolean b -> b;
      case Double d -> d;
      case Long l when l >= Integer.MIN_VALUE && l <= Integer.MAX_VALUE -> l.intValue();
      case Long l -> reading.wrongType(at, "an integer within 32 bits", value);
      case TomlTable t -> stringMap(t, at, reading);
      case TomlArray a -> {
        List<Object> items = new ArrayList<>();
        for (int i = 0; i < a.size(); i++) {
          Object item = a.get(i);
          Origin itemAt = at.child("[" + i + "]", a.inputPositionOf(i));
          Object converted = item instanceof String s ? s
              : item instanceof TomlTable t ? stringMap(t, itemAt, reading)
              : reading.wrongType(itemAt, "text or a table of text", item);
          if (converted == null) {
            yield null;
          }
          items.add(converted);
        }
        boolean mixed = items.stream().map(Object::getClass).distinct().count() > 1;
        yield mixed ? reading.wrongType(at, "a list of text values or a list of tables, not both", value) : List.copyOf(items);
      }
      default -> reading.wrongType(at, "text, a number, true/false, a list or a table", value);
    };
  }

  private static Map<String, String> stringMap(TomlTable t, Origin at, Reading reading) {
    Map<String, String> m = new LinkedHashMap<>();
    for (String k : t.keySet()) {
      Object v = t.get(List.of(k));
      if (!(v instanceof String s)) {
        reading.wrongType(at.child("." + Origin.tomlKey(k), t.inputPositionOf(List.of(k))), "text", v);
        return null;
      }
      m.put(k, s);
    }
    return m;
  }

  private void readBlobSettings(Object raw, Origin at, Map<String, Setting> into, Reading reading) {
    if (!(raw instanceof TomlTable table)) {
      reading.wrongType(at, "a table of strings such as { endpoint = \"http://minio:9000\" }", raw);
      return;
    }
    for (String name : table.keySet()) {
      Origin itemAt = at.child("." + Origin.tomlKey(name), table.inputPositionOf(List.of(name)));
      Object value = table.get(List.of(name));
      if (value instanceof String s) {
        into.put(name, new Setting(s, itemAt));
      } else {
        reading.wrongType(itemAt, "a string", value);
      }
    }
  }
}
