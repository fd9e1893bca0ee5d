package io.pureremote.internal;

import io.pureremote.local.LocalPoolOptions;
import io.pureremote.local.LocalPoolShell;
import io.pureremote.spi.Shell;
import io.pureremote.spi.ShellProvider;
import io.pureremote.spi.ShellSettings;
import java.util.Set;

/**
 * Provides the {@code local-pool} shell ({@link LocalPoolShell}). Settings: {@code workers}
 * (integer, warm JVMs per store root), {@code slots} (integer, calls per worker at once), {@code
 * max-dispatches} (integer), {@code stream-output} ({@code true}/{@code false}).
 */
// Public only for ServiceLoader on the class path; the package is not exported.
public final class LocalPoolShellProvider implements ShellProvider {
  @Override
  public String name() {
    return "local-pool";
  }

  @Override
  public Shell create(ShellSettings settings) {
    settings.unknownKeys(Set.of("workers", "slots", "max-dispatches", "stream-output"));
    LocalPoolOptions.Builder b = LocalPoolOptions.builder();
    settings.integer("workers").ifPresent(b::workers);
    settings.integer("slots").ifPresent(b::slotsPerWorker);
    settings.integer("max-dispatches").ifPresent(b::maxDispatches);
    settings.bool("stream-output").ifPresent(b::streamOutput);
    return new LocalPoolShell(b.build());
  }
}
