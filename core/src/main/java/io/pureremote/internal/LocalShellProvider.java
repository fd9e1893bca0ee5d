package io.pureremote.internal;

import io.pureremote.local.LocalProcessShell;
import io.pureremote.local.LocalProcessShellOptions;
import io.pureremote.spi.Shell;
import io.pureremote.spi.ShellProvider;
import io.pureremote.spi.ShellSettings;
import java.util.Set;

/**
 * Provides the {@code local} shell ({@link LocalProcessShell}). Settings: {@code max-processes}
 * (integer), {@code stream-output} ({@code true}/{@code false}).
 */
// Public only for ServiceLoader on the class path; the package is not exported.
public final class LocalShellProvider implements ShellProvider {
  @Override
  public String name() {
    return "local";
  }

  @Override
  public Shell create(ShellSettings settings) {
    settings.unknownKeys(Set.of("max-processes", "stream-output"));
    LocalProcessShellOptions.Builder b = LocalProcessShellOptions.builder();
    settings.integer("max-processes").ifPresent(b::maxProcesses);
    settings.bool("stream-output").ifPresent(b::streamOutput);
    return new LocalProcessShell(b.build());
  }
}
