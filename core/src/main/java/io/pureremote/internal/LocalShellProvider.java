package io.pureremote.internal;

import java.util.function.Consumer;
import java.util.function.BiConsumer;
import java.util.List;
import java.util.HashSet;
import java.nio.file.Path;
import io.pureremote.spi.Shell;
import java.util.Set;

/**
 * Provides the {@code local} shell ({@link LocalProcessShell}), from TOML or from code ({@code
 * Shell.create("local", Map.of(...))}). Settings: {@code max-processes} (integer), {@code
 * stream-output} ({@code true}/{@code false}), {@code output-tail-lines} (integer), {@code
 * class-data-sharing} ({@code false} turns the children's archives off), and the child JVM keys of
 * {@link #CHILD_JVM_KEYS}.
 */
// Public only for ServiceLoader on the class path; the package is not exported.
public final class LocalShellProvider implements Shell.Provider {
  /**
   * The keys both local shells read for the JVMs they start: {@code java} (path of the {@code java}
   * launcher), {@code classpath}, {@code jvm-args} (list of flags before the main class) and {@code
   * environment} (table of extra variables).
   */
  static final Set<String> CHILD_JVM_KEYS = Set.of("java", "classpath", "jvm-args", "environment");

  @Override
  public String name() {
    return "local";
  }

  @Override
  public Shell create(Shell.Settings settings) {
    settings.unknownKeys(union(CHILD_JVM_KEYS, Set.of("max-processes", "stream-output", "output-tail-lines",
        "class-data-sharing")));
    LocalProcessShellOptions.Builder b = LocalProcessShellOptions.builder();
    childJvm(settings, b::javaExecutable, b::classpath, b::addJvmArgs, b::environment);
    settings.integer("max-processes").ifPresent(b::maxProcesses);
    settings.bool("stream-output").ifPresent(b::streamOutput);
    settings.integer("output-tail-lines").ifPresent(b::outputTailLines);
    if (!settings.bool("class-data-sharing").orElse(true)) {
      b.classDataSharingFolder(null);
    }
    return new LocalProcessShell(b.build());
  }

  /** Applies the {@link #CHILD_JVM_KEYS} present in {@code settings} to a local shell's builder. */
  static void childJvm(Shell.Settings settings, Consumer<Path> java, Consumer<String> classpath,
      Consumer<String[]> jvmArgs, BiConsumer<String, String> environment) {
    settings.string("java").map(Path::of).ifPresent(java);
    settings.string("classpath").ifPresent(classpath);
    List<String> args = settings.strings("jvm-args");
    if (!args.isEmpty()) {
      jvmArgs.accept(args.toArray(String[]::new));
    }
    settings.table("environment").forEach(environment);
  }

  static Set<String> union(Set<String> a, Set<String> b) {
    Set<String> all = new HashSet<>(a);
    all.addAll(b);
    return all;
  }
}
