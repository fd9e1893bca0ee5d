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
  public static Shell create(String name, ShellSettings settings, ClassLoader loader) {
    return provider(name, providers(loader)).create(settings);
  }

  /** The providers {@code loader} finds, by shell name; the first of a name wins. */
  public static Map<String, ShellProvider> providers(ClassLoader loader) {
    Map<String, ShellProvider> available = new TreeMap<>();
    for (ShellProvider provider : ServiceLoader.load(ShellProvider.class, loader)) {
      available.putIfAbsent(provider.name(), provider);
    }
    return available;
  }

  /**
   * The provider named {@code name} among {@code available}.
   *
   * @throws IllegalArgumentException when none has that name; the message lists the names
   *     available on the class path
   */
  public static ShellProvider provider(String name, Map<String, ShellProvider> available) {
    ShellProvider provider = available.get(name);
    if (provider == null) {
      throw new IllegalArgumentException("No shell named '" + name + "'. Available: " + new TreeMap<>(available).keySet()
          + ". Add the backend module (e.g. pureremote-k8s-shell for 'kubernetes') to the class path.");
    }
    return provider;
  }
}
