package io.pureremote.spi;

import java.util.Map;
import java.util.ServiceLoader;
import java.util.TreeMap;

/** Finds a {@link ShellProvider} by shell name and creates a shell. */
public final class Shells {
  private Shells() {}

  /**
   * Creates the shell registered as {@code name}.
   *
   * @throws IllegalArgumentException when no provider has that name; the message lists the names
   *     available on the class path
   */
  public static Shell create(String name, Map<String, String> settings, ClassLoader loader) {
    Map<String, ShellProvider> available = new TreeMap<>();
    for (ShellProvider provider : ServiceLoader.load(ShellProvider.class, loader)) {
      available.putIfAbsent(provider.name(), provider);
    }
    ShellProvider provider = available.get(name);
    if (provider == null) {
      throw new IllegalArgumentException("No shell named '" + name + "'. Available: " + available.keySet()
          + ". Add the backend module (e.g. pureremote-k8s-shell for 'kubernetes') to the class path.");
    }
    return provider.create(settings);
  }
}
