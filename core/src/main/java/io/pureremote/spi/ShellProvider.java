package io.pureremote.spi;

import java.util.Map;

/**
 * Creates {@link Shell}s by name, found through {@link java.util.ServiceLoader}: list the
 * implementation in {@code META-INF/services/io.pureremote.spi.ShellProvider}.
 */
public interface ShellProvider {
  /** The shell name this provider creates, e.g. {@code local}, {@code kubernetes}. */
  String name();

  /** Creates a shell from configuration settings. */
  Shell create(Map<String, String> settings);
}
