package io.pureremote.internal;

import io.pureremote.local.InProcessShell;
import io.pureremote.spi.Shell;
import io.pureremote.spi.ShellProvider;
import io.pureremote.spi.ShellSettings;

/** Provides the {@code in-process} shell ({@link InProcessShell}); it has no settings. */
// Public only for ServiceLoader on the class path; the package is not exported.
public final class InProcessShellProvider implements ShellProvider {
  @Override
  public String name() {
    return "in-process";
  }

  @Override
  public Shell create(ShellSettings settings) {
    settings.unknownKeys(java.util.Set.of());
    return new InProcessShell();
  }
}
