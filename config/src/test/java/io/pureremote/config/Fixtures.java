package io.pureremote.config;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Map;

/** Loaders with explicit inputs, so no test sees the machine's environment or files. */
final class Fixtures {
  /** The sample configuration in docs/, relative to this module. */
  static final Path SAMPLE = Path.of("..", "docs", "pureremote.example.toml").toAbsolutePath().normalize();

  private Fixtures() {}

  /** A loader in {@code dir} (working directory {@code dir/work}, home {@code dir/home}, user "yu"). */
  static ConfigLoader.Builder loader(Path dir, Map<String, String> env) {
    return ConfigLoader.builder()
        .environment(env)
        .workingDirectory(dir.resolve("work"))
        .home(dir.resolve("home"))
        .userName("yu");
  }

  /** Parses {@code toml} as file {@code test.toml} with {@code env}. */
  static PureRemoteConfig parse(String toml, Map<String, String> env) {
    return ConfigLoader.builder().environment(env).userName("yu").build().parse(toml, "test.toml");
  }

  static PureRemoteConfig parse(String toml) {
    return parse(toml, Map.of());
  }

  static Path write(Path file, String text) {
    try {
      Files.createDirectories(file.getParent());
      return Files.writeString(file, text);
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }

  static String sample() {
    try {
      return Files.readString(SAMPLE);
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }
}
