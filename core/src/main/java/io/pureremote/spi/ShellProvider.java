package io.pureremote.spi;

/**
 * Creates {@link Shell}s by name, found through {@link java.util.ServiceLoader}: list the
 * implementation in {@code META-INF/services/io.pureremote.spi.ShellProvider}.
 *
 * <p>The assembly from configuration calls {@link #create} once per distinct {@link
 * ShellSettings} (a function with its own image or resources gets its own shell) on one provider
 * instance, so shells made by one instance may share resources such as a cluster client; each
 * shell is closed by whoever created it. Code may pass a configured instance of its own (e.g. with
 * a client it owns) instead of the one {@code ServiceLoader} finds.
 */
public interface ShellProvider {
  /** The shell name this provider creates, e.g. {@code local}, {@code kubernetes}. */
  String name();

  /**
   * Creates a shell from its resolved settings.
   *
   * @throws IllegalArgumentException naming each unknown key and each value the shell refuses
   */
  Shell create(ShellSettings settings);
}
