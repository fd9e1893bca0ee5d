package io.pureremote.config;

import io.pureremote.spi.BlobStore;
import io.pureremote.spi.Shell;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;
import java.util.ServiceConfigurationError;
import java.util.ServiceLoader;
import java.util.Set;
import java.util.TreeSet;
import java.util.function.Consumer;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.tomlj.Toml;
import org.tomlj.TomlParseError;
import org.tomlj.TomlParseResult;
import org.tomlj.TomlVersion;

/**
 * Loads the {@link PureRemoteConfig}: finds the TOML file, parses it as strict TOML 1.0, reads the
 * {@code PUREREMOTE_*} environment variables and overrides given in code, and combines them.
 *
 * <p><b>File.</b> {@code $PUREREMOTE_CONFIG} (which must exist), else the first {@value
 * #FILE_NAME} found from the working directory upwards, else {@code ~/}{@value #FILE_NAME}. The
 * file is optional: without one the built-in defaults (and the environment) apply.
 *
 * <p><b>Precedence</b>, lowest first: built-in defaults, the file (where the selected team's
 * section beats {@code [kubernetes]} and the top-level {@code blob-root}), environment variables,
 * overrides given in code ({@link Builder#override}). The namespace is the explicit one
 * (environment or code), else the team's (its name when it sets none), else {@code [kubernetes]
 * namespace}, else {@link Builder#defaultNamespace} (a pod's own), else the user name as a DNS-1123
 * label.
 *
 * <p><b>Errors.</b> Every problem — TOML syntax, unknown keys, wrong types, bad quantities,
 * durations or names, an unknown team or shell, and settings that do not fit together — is
 * collected and thrown as one {@link ConfigException}; nothing is half-applied.
 *
 * <pre>{@code
 * PureRemoteConfig config = ConfigLoader.load();             // this process's environment and files
 * PureRemoteConfig test = ConfigLoader.builder()             // explicit inputs, e.g. in tests
 *     .environment(Map.of("PUREREMOTE_TEAM", "ranking"))
 *     .workingDirectory(dir).home(home).userName("yu")
 *     .override("kubernetes.namespace", "yu-sandbox")
 *     .build()
 *     .read();
 * }</pre>
 *
 * <p>Only {@link #load()} reads the process environment ({@link System#getenv()}); a loader built
 * with {@link #builder()} sees exactly the map it is given. Immutable and thread-safe.
 */
public final class ConfigLoader {
  private static final Logger log = LoggerFactory.getLogger(ConfigLoader.class);
  /** The variable naming the configuration file. */
  public static final String CONFIG_ENV = "PUREREMOTE_CONFIG";

  /** The file name searched for. */
  public static final String FILE_NAME = ".pureremote.toml";

  private final Map<String, String> environment;
  private final Path workingDirectory;
  private final Path home;
  private final String userName;
  private final String defaultNamespace;
  private final Map<String, String> overrides;
  private final Set<String> shells;
  private final Set<String> schemes;
  private final Map<String, BlobStore.Provider> stores;
  private final Consumer<ConfigProblem> warnings;

  private ConfigLoader(Builder b) {
    this.warnings = b.warnings;
    this.environment = Map.copyOf(b.environment);
    this.workingDirectory = b.workingDirectory.toAbsolutePath().normalize();
    this.home = b.home.toAbsolutePath().normalize();
    this.userName = b.userName;
    this.defaultNamespace = b.defaultNamespace;
    this.overrides = new LinkedHashMap<>(b.overrides);
    Set<String> names = new TreeSet<>(ConfigKeys.BUILT_IN_SHELLS);
    names.addAll(registeredShells(b.classLoader));
    this.shells = Set.copyOf(names);
    this.stores = registeredStores(b.classLoader);
    Set<String> known = new TreeSet<>(ConfigKeys.BUILT_IN_SCHEMES);
    known.addAll(stores.keySet());
    this.schemes = Set.copyOf(known);
  }

  /**
   * Loads the configuration of this process: its environment variables, working directory, home
   * folder and user name.
   *
   * @throws ConfigException listing every problem found
   */
  public static PureRemoteConfig load() {
    return builder().environment(System.getenv()).build().read();
  }

  /** A builder with no environment variables, this JVM's working directory, home folder and user name. */
  public static Builder builder() {
    return new Builder();
  }

  /**
   * Finds the file ({@code $PUREREMOTE_CONFIG}, {@value #FILE_NAME} upwards, {@code ~/}{@value
   * #FILE_NAME}) and loads it with the environment and overrides; the defaults when there is none.
   *
   * @throws ConfigException listing every problem found, or when {@code $PUREREMOTE_CONFIG} names a
   *     file that does not exist
   */
  public PureRemoteConfig read() {
    return read(null);
  }

  /**
   * Loads {@code file} (no search) with the environment and overrides; {@code null} searches as
   * {@link #read()} does.
   *
   * @throws ConfigException listing every problem found, or when the file cannot be read
   */
  public PureRemoteConfig read(Path file) {
    Path path = file != null ? file : findFile().orElse(null);
    if (path == null) {
      return combine(Optional.empty(), Layer.empty("(no file)"), new Reading(shells, schemes, stores), searchDescription());
    }
    String text;
    try {
      text = Files.readString(path);
    } catch (IOException e) {
      throw new ConfigException(new ConfigProblem(path.toString(), "", 0, 0, "cannot read the file: " + e), e);
    }
    return parse(text, path);
  }

  /**
   * One effective setting and where it came from, as {@code pureremote config show} prints it.
   *
   * @param key the key as TOML writes it ({@code kubernetes.namespace}, {@code blob-settings.region},
   *     {@code functions."com.acme.Fns#score".image})
   * @param value the value that won, as text (a default as the documentation states it)
   * @param from where it came from: {@code file:line:column key}, {@code environment variable
   *     PUREREMOTE_...}, {@code override in code (...)} or {@code built-in defaults}
   */
  public record Source(String key, String value, String from) {}

  /**
   * Loads like {@link #read(Path)} and returns, instead of the configuration, every setting with
   * the value that won and where it came from (the file and line, a variable, code, or the
   * defaults), with the selected team's values already laid over the rest. For tools that show
   * the resolved configuration; never holds credentials, since configuration takes none.
   *
   * @param file the file to read, or {@code null} to search as {@link #read()} does
   * @throws ConfigException listing every problem found
   */
  public List<Source> explain(Path file) {
    Path path = file != null ? file : findFile().orElse(null);
    List<Source> sources = new ArrayList<>();
    Reading reading = new Reading(shells, schemes, stores);
    if (path == null) {
      combine(Optional.empty(), Layer.empty("(no file)"), reading, searchDescription(), sources);
      return List.copyOf(sources);
    }
    String text;
    try {
      text = Files.readString(path);
    } catch (IOException e) {
      throw new ConfigException(new ConfigProblem(path.toString(), "", 0, 0, "cannot read the file: " + e), e);
    }
    TomlParseResult doc = Toml.parse(text, TomlVersion.V1_0_0);
    if (doc.hasErrors()) {
      parse(text, path); // throws with every syntax error
    }
    combine(Optional.of(path), Layer.fromToml(doc, path.toString(), reading), reading, null, sources);
    return List.copyOf(sources);
  }

  /**
   * Loads TOML text, as if it were the file {@code sourceName} (used in messages), with the
   * environment and overrides.
   *
   * @throws ConfigException listing every problem found
   */
  public PureRemoteConfig parse(String toml, String sourceName) {
    return parse(toml, Path.of(sourceName));
  }

  private PureRemoteConfig parse(String toml, Path path) {
    Reading reading = new Reading(shells, schemes, stores);
    String source = path.toString();
    TomlParseResult doc = Toml.parse(Objects.requireNonNull(toml, "toml"), TomlVersion.V1_0_0);
    if (doc.hasErrors()) {
      for (TomlParseError e : doc.errors()) {
        reading.add(Origin.at(source, "", e.position()), "TOML syntax error: " + e.getMessage());
      }
      // Reading a broken document, or combining it, would only add confusing follow-up problems
      // (its teams are unknown, so any selected team would be too); the variables are still checked.
      Layer.fromText(environment, false, reading);
      Layer.fromText(overrides, true, reading);
      throw new ConfigException(reading.problems);
    }
    return combine(Optional.of(path), Layer.fromToml(doc, source, reading), reading, null);
  }

  private PureRemoteConfig combine(Optional<Path> source, Layer file, Reading reading, String noFileHint) {
    return combine(source, file, reading, noFileHint, null);
  }

  private PureRemoteConfig combine(Optional<Path> source, Layer file, Reading reading, String noFileHint,
      List<Source> sources) {
    Layer env = Layer.fromText(environment, false, reading);
    Layer code = Layer.fromText(overrides, true, reading);
    // Resolve even after key-level problems, so that cross-key ones (an unknown team, spot without
    // a cloud) are reported in the same pass; the resolver withholds its result then.
    PureRemoteConfig config = Resolver.resolve(source, file, env, code, home,
        defaultNamespace != null ? defaultNamespace : userName, noFileHint, reading, sources);
    reading.warnings.forEach(warnings);
    if (reading.hasProblems()) {
      throw new ConfigException(reading.problems);
    }
    return config;
  }

  /**
   * The file {@link #read()} would read: {@code $PUREREMOTE_CONFIG}, else {@value #FILE_NAME} in
   * the working directory or one of its parents, else in the home folder.
   *
   * @throws ConfigException when {@code $PUREREMOTE_CONFIG} names a file that does not exist
   */
  public Optional<Path> findFile() {
    String explicit = environment.get(CONFIG_ENV);
    if (explicit != null && !explicit.isBlank()) {
      Path p = workingDirectory.resolve(explicit.strip()).normalize();
      if (!Files.isRegularFile(p)) {
        throw new ConfigException(List.of(Origin.environment(CONFIG_ENV)
            .problem("names " + p + ", which is not a readable file; unset it to search for " + FILE_NAME)));
      }
      return Optional.of(p);
    }
    for (Path dir = workingDirectory; dir != null; dir = dir.getParent()) {
      Path candidate = dir.resolve(FILE_NAME);
      if (Files.isRegularFile(candidate)) {
        return Optional.of(candidate);
      }
    }
    Path inHome = home.resolve(FILE_NAME);
    return Files.isRegularFile(inHome) ? Optional.of(inHome) : Optional.empty();
  }

  private String searchDescription() {
    return "looked for $" + CONFIG_ENV + ", " + FILE_NAME + " in " + workingDirectory + " and its parents, and "
        + home.resolve(FILE_NAME);
  }

  private static Set<String> registeredShells(ClassLoader loader) {
    Set<String> names = new TreeSet<>();
    try {
      for (Shell.Provider p : ServiceLoader.load(Shell.Provider.class, loader)) {
        names.add(p.name());
      }
    } catch (ServiceConfigurationError e) {
      // A broken provider fails when the runtime creates shells, with its own message; the
      // built-in names still validate here.
    }
    return names;
  }

  /** The blob store providers on the class path by scheme, so store settings are checked at load. */
  private static Map<String, BlobStore.Provider> registeredStores(ClassLoader loader) {
    Map<String, BlobStore.Provider> stores = new LinkedHashMap<>();
    try {
      for (BlobStore.Provider p : ServiceLoader.load(BlobStore.Provider.class, loader)) {
        p.schemes().forEach(scheme -> stores.putIfAbsent(scheme, p));
      }
    } catch (ServiceConfigurationError e) {
      // As for shells: the runtime reports a broken provider when it opens the store.
    }
    return Map.copyOf(stores);
  }

  /** Builder for {@link ConfigLoader}; not thread-safe. */
  public static final class Builder {
    private Map<String, String> environment = Map.of();
    private Path workingDirectory = Path.of(System.getProperty("user.dir", "."));
    private Path home = Path.of(System.getProperty("user.home", "."));
    private String userName = System.getProperty("user.name", "");
    private String defaultNamespace;
    private final Map<String, String> overrides = new LinkedHashMap<>();
    private ClassLoader classLoader = Objects.requireNonNullElse(Thread.currentThread().getContextClassLoader(),
        ConfigLoader.class.getClassLoader());
    private Consumer<ConfigProblem> warnings = w -> log.warn("{}", w);

    private Builder() {}

    /**
     * Where warnings go: what is read but should change, such as a renamed key ({@code
     * max-concurrent-calls} for {@code call-concurrency}), each with its file and line or
     * variable. Defaults to the SLF4J logger {@code io.pureremote.config.ConfigLoader} at WARN.
     */
    public Builder warnings(Consumer<ConfigProblem> sink) {
      this.warnings = Objects.requireNonNull(sink, "sink");
      return this;
    }

    /**
     * The environment variables to read ({@code PUREREMOTE_*}, {@code PUREREMOTE_STORE_*}, {@code
     * PUREREMOTE_CONFIG}). Defaults to none: pass {@link System#getenv()} to use the process's.
     */
    public Builder environment(Map<String, String> environment) {
      this.environment = Map.copyOf(environment);
      return this;
    }

    /** Where the search for {@value ConfigLoader#FILE_NAME} starts. Defaults to {@code user.dir}. */
    public Builder workingDirectory(Path workingDirectory) {
      this.workingDirectory = Objects.requireNonNull(workingDirectory, "workingDirectory");
      return this;
    }

    /** The home folder: the last place searched and the default blob root's parent. Defaults to {@code user.home}. */
    public Builder home(Path home) {
      this.home = Objects.requireNonNull(home, "home");
      return this;
    }

    /** The user name the default namespace is made from. Defaults to {@code user.name}. */
    public Builder userName(String userName) {
      this.userName = Objects.requireNonNull(userName, "userName");
      return this;
    }

    /**
     * The namespace used when neither code, the environment, the team nor the file names one,
     * instead of the user name: a pod's own namespace ({@code ConfiguredRuntime.fromConfig()} passes it
     * when it runs in a pod). Defaults to none (the user name as a DNS-1123 label).
     */
    public Builder defaultNamespace(String namespace) {
      this.defaultNamespace = Objects.requireNonNull(namespace, "namespace");
      return this;
    }

    /**
     * An override given in code, beating the file and the environment: a top-level or {@code
     * [kubernetes]} key by its TOML name ({@code "team"}, {@code "kubernetes.namespace"}, {@code
     * "blob-settings.region"}) with a value written as its environment variable would be ({@code
     * "2h"}, {@code "true"}, {@code "spot,spot-aks"}). None by default.
     */
    public Builder override(String key, String value) {
      overrides.put(Objects.requireNonNull(key, "key"), Objects.requireNonNull(value, "value"));
      return this;
    }

    /**
     * Where shell and blob store providers are looked up, to accept their names and schemes.
     * Defaults to the context class loader.
     */
    public Builder classLoader(ClassLoader classLoader) {
      this.classLoader = Objects.requireNonNull(classLoader, "classLoader");
      return this;
    }

    /** Builds the loader. */
    public ConfigLoader build() {
      return new ConfigLoader(this);
    }
  }
}
