package io.pureremote.internal;

import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;

/**
 * Settings of a {@link LocalPoolShell}. Immutable; build with {@link #builder()}.
 *
 * @param javaExecutable the {@code java} launcher for the worker JVMs
 * @param classpath the workers' class path (it must hold your functions and Pure Remote)
 * @param jvmArgs extra JVM flags, before the main class
 * @param environment extra environment variables for every worker
 * @param workers how many warm worker JVMs the pool keeps per store root
 * @param slotsPerWorker how many calls one worker runs at once
 * @param maxDispatches how many workers one call may be sent to: a worker that dies mid-call
 *     sends its calls to another until this many tried
 * @param closeTimeout how long closing waits for workers to finish what they run before killing them
 * @param streamOutput whether worker output goes to the caller's log, prefixed with the worker
 */
public record LocalPoolOptions(
    Path javaExecutable,
    String classpath,
    List<String> jvmArgs,
    Map<String, String> environment,
    int workers,
    int slotsPerWorker,
    int maxDispatches,
    Duration closeTimeout,
    boolean streamOutput) {

  /** Validates and copies. */
  public LocalPoolOptions {
    Objects.requireNonNull(javaExecutable, "javaExecutable");
    Objects.requireNonNull(classpath, "classpath");
    Objects.requireNonNull(closeTimeout, "closeTimeout");
    jvmArgs = List.copyOf(jvmArgs);
    environment = Map.copyOf(environment);
    Ranges.atLeast("workers", 1, workers, "for no pool at all use the local shell");
    Ranges.atLeast("slotsPerWorker", 1, slotsPerWorker);
    Ranges.atLeast("maxDispatches", 1, maxDispatches);
    if (closeTimeout.isNegative()) {
      throw new IllegalArgumentException("closeTimeout must be >= 0, got " + closeTimeout);
    }
  }

  /** Defaults: this JVM's java and class path, one worker per core, 4 slots each. */
  public static LocalPoolOptions defaults() {
    return builder().build();
  }

  /** A builder with the defaults. */
  public static Builder builder() {
    return new Builder();
  }

  /** Builder for {@link LocalPoolOptions}; not thread-safe. */
  public static final class Builder {
    private Path javaExecutable = LocalProcessShellOptions.currentJava();
    private String classpath = System.getProperty("java.class.path");
    private final List<String> jvmArgs = new ArrayList<>(LocalProcessShellOptions.defaultJvmArgs());
    private final Map<String, String> environment = new LinkedHashMap<>();
    private int workers = Runtime.getRuntime().availableProcessors();
    private int slotsPerWorker = 4;
    private int maxDispatches = 3;
    private Duration closeTimeout = Duration.ofSeconds(10);
    private boolean streamOutput = true;

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

    /** An environment variable for every worker. None by default. */
    public Builder environment(String name, String value) {
      environment.put(name, value);
      return this;
    }

    /** Warm worker JVMs per store root. Defaults to the number of cores. */
    public Builder workers(int workers) {
      this.workers = workers;
      return this;
    }

    /** Calls one worker runs at once. Defaults to 4. */
    public Builder slotsPerWorker(int slotsPerWorker) {
      this.slotsPerWorker = slotsPerWorker;
      return this;
    }

    /** Workers one call may be sent to when workers die under it. Defaults to 3. */
    public Builder maxDispatches(int maxDispatches) {
      this.maxDispatches = maxDispatches;
      return this;
    }

    /** How long closing waits for running calls before killing the workers. Defaults to 10 s. */
    public Builder closeTimeout(Duration closeTimeout) {
      this.closeTimeout = closeTimeout;
      return this;
    }

    /** Whether worker output goes to the caller's log. Defaults to true. */
    public Builder streamOutput(boolean streamOutput) {
      this.streamOutput = streamOutput;
      return this;
    }

    /** Builds the options. */
    public LocalPoolOptions build() {
      return new LocalPoolOptions(javaExecutable, classpath, jvmArgs, environment, workers, slotsPerWorker,
          maxDispatches, closeTimeout, streamOutput);
    }
  }
}
