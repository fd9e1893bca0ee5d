package io.pureremote.internal;

import io.pureremote.spi.Shell;

/** Provides the {@code in-process} shell ({@link InProcessShell}); it has no settings. */
// Public only for ServiceLoader on the class path; the package is not exported.
public final class InProcessShellProvider implements Shell.Provider {
  @Override
  public String name() {
    return "in-process";
  }

  @Override
  public Shell create(Shell.Settings settings) {
    settings.unknownKeys(java.util.Set.of());
    return new InProcessShell();
  }
}
