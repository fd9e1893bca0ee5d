package io.pureremote.internal;

import io.pureremote.spi.Shell;
import java.util.Set;

/**
 * Provides the {@code local-pool} shell ({@link LocalPoolShell}). Settings: {@code workers}
 * (integer, warm JVMs per store root), {@code slots} (integer, calls per worker at once), {@code
 * max-dispatches} (integer), {@code close-timeout} (duration), {@code stream-output} ({@code
 * true}/{@code false}), and the child JVM keys of {@link LocalShellProvider#CHILD_JVM_KEYS}.
 */
// Public only for ServiceLoader on the class path; the package is not exported.
public final class LocalPoolShellProvider implements Shell.Provider {
  @Override
  public String name() {
    return "local-pool";
  }

  @Override
  public Shell create(Shell.Settings settings) {
    settings.unknownKeys(LocalShellProvider.union(LocalShellProvider.CHILD_JVM_KEYS,
        Set.of("workers", "slots", "max-dispatches", "close-timeout", "stream-output")));
    LocalPoolOptions.Builder b = LocalPoolOptions.builder();
    LocalShellProvider.childJvm(settings, b::javaExecutable, b::classpath, b::addJvmArgs, b::environment);
    settings.duration("close-timeout").ifPresent(b::closeTimeout);
    settings.integer("workers").ifPresent(b::workers);
    settings.integer("slots").ifPresent(b::slotsPerWorker);
    settings.integer("max-dispatches").ifPresent(b::maxDispatches);
    settings.bool("stream-output").ifPresent(b::streamOutput);
    return new LocalPoolShell(b.build());
  }
}
