package io.pureremote.local;

import io.pureremote.spi.Shell;
import io.pureremote.spi.ShellProvider;
import java.util.Map;

/**
 * Provides the {@code local} shell ({@link LocalProcessShell}). Settings: {@code max-processes}
 * (integer), {@code stream-output} ({@code true}/{@code false}).
 */
public final class LocalShellProvider implements ShellProvider {
  @Override
  public String name() {
    return "local";
  }

  @Override
  public Shell create(Map<String, String> settings) {
    LocalProcessShellOptions.Builder b = LocalProcessShellOptions.builder();
    String max = settings.get("max-processes");
    if (max != null) {
      try {
        b.maxProcesses(Integer.parseInt(max.trim()));
      } catch (NumberFormatException e) {
        throw new IllegalArgumentException("Shell setting max-processes must be an integer, got '" + max + "'");
      }
    }
    String stream = settings.get("stream-output");
    if (stream != null) {
      b.streamOutput(Boolean.parseBoolean(stream.trim()));
    }
    return new LocalProcessShell(b.build());
  }
}
