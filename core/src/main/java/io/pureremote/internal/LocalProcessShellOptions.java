package io.pureremote.internal;

import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;

/**
 * Settings of a {@link LocalProcessShell}. Immutable; build with {@link #builder()}.
 *
 * @param javaExecutable the {@code java} launcher for child JVMs
 * @param classpath the child JVMs' class path
 * @param jvmArgs extra JVM flags, before the main class
 * @param environment extra environment variables for every child
 * @param maxProcesses how many child JVMs may run at once; further launches wait their turn
 * @param streamOutput whether child output goes to the caller's log, prefixed with the call: at
 *     DEBUG (per-call detail), except lines the child logged at WARN or ERROR, which stay at WARN
 * @param outputTailLines how many last output lines a failure report includes
 * @param classDataSharingFolder where the children's class-data sharing archives are kept (one per
 *     JDK, class path and flags; see {@link ClassDataArchive}); null turns them off
 */
public record LocalProcessShellOptions(
    Path javaExecutable,
    String classpath,
    List<String> jvmArgs,
    Map<String, String> environment,
    int maxProcesses,
    boolean streamOutput,
    int outputTailLines,
    Path classDataSharingFolder) {

  /** Validates and copies. */
  public LocalProcessShellOptions {
    Objects.requireNonNull(javaExecutable, "javaExecutable");
    Objects.requireNonNull(classpath, "classpath");
    jvmArgs = List.copyOf(jvmArgs);
    environment = Map.copyOf(environment);
    Ranges.atLeast("maxProcesses", 1, maxProcesses);
    Ranges.atLeast("outputTailLines", 0, outputTailLines);
  }

  /** Defaults: this JVM's java and class path, one process per core, output streamed. */
  public static LocalProcessShellOptions defaults() {
    return builder().build();
  }

  /** A builder with the defaults. */
  public static Builder builder() {
    return new Builder();
  }

  /** Builder for {@link LocalProcessShellOptions}; not thread-safe. */
  public static final class Builder {
    private Path javaExecutable = currentJava();
    private String classpath = System.getProperty("java.class.path");
    private final List<String> jvmArgs = new ArrayList<>(defaultJvmArgs());
    private final Map<String, String> environment = new LinkedHashMap<>();
    private int maxProcesses = Runtime.getRuntime().availableProcessors();
    private boolean streamOutput = true;
    private int outputTailLines = 20;
    private Path classDataSharingFolder = ClassDataArchive.defaultFolder();

    private Builder() {}

    /** The java launcher. Defaults to the one running this JVM. */
    public Builder javaExecutable(Path javaExecutable) {
      this.javaExecutable = javaExecutable;
      return this;
    }

    /** The class path. Defaults to this JVM's {@code java.class.path}. */
    public Builder classpath(String classpath) {
      this.classpath = classpath;
      return this;
    }

    /**
     * Adds JVM flags. Defaults to {@code --sun-misc-unsafe-memory-access=allow} on JDK 24+ (it
     * silences Kryo's Unsafe warning; older JDKs reject the flag).
     */
    public Builder addJvmArgs(String... args) {
      jvmArgs.addAll(List.of(args));
      return this;
    }

    /** An environment variable for every child. None by default. */
    public Builder environment(String name, String value) {
      environment.put(name, value);
      return this;
    }

    /** Child JVMs running at once. Defaults to the number of cores. */
    public Builder maxProcesses(int maxProcesses) {
      this.maxProcesses = maxProcesses;
      return this;
    }

    /** Whether child output goes to the caller's log. Defaults to true. */
    public Builder streamOutput(boolean streamOutput) {
      this.streamOutput = streamOutput;
      return this;
    }

    /** Last output lines kept for failure reports. Defaults to 20. */
    public Builder outputTailLines(int outputTailLines) {
      this.outputTailLines = outputTailLines;
      return this;
    }

    /**
     * Where the children's class-data sharing archives are kept; null turns them off. Defaults to
     * {@code $XDG_CACHE_HOME/pureremote/cds} or {@code ~/.cache/pureremote/cds}. The first child on
     * a class path of jars writes an archive of the classes it loaded as it exits; later children
     * start from it.
     */
    public Builder classDataSharingFolder(Path folder) {
      this.classDataSharingFolder = folder;
      return this;
    }

    /** Builds the options. */
    public LocalProcessShellOptions build() {
      return new LocalProcessShellOptions(javaExecutable, classpath, jvmArgs, environment, maxProcesses,
          streamOutput, outputTailLines, classDataSharingFolder);
    }
  }

  static Path currentJava() {
    return ProcessHandle.current().info().command().map(Path::of)
        .orElseGet(() -> Path.of(System.getProperty("java.home"), "bin", "java"));
  }

  static List<String> defaultJvmArgs() {
    return Runtime.version().feature() >= 24 ? List.of("--sun-misc-unsafe-memory-access=allow") : List.of();
  }
}
