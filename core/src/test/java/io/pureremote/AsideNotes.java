package io.pureremote;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.stream.Collectors;
import java.util.stream.Stream;

/** The notes of blobs set aside under a file store's root (docs/memo-layout.md), for tests. */
final class AsideNotes {
  private AsideNotes() {}

  /** Every {@code aside/*.json} note under {@code root}, joined; empty when none. */
  static String under(Path root) {
    try (Stream<Path> files = Files.walk(root)) {
      return files.filter(f -> f.getParent().getFileName().toString().equals("aside") && f.toString().endsWith(".json"))
          .map(f -> {
            try {
              return Files.readString(f);
            } catch (IOException e) {
              throw new UncheckedIOException(e);
            }
          })
          .collect(Collectors.joining("\n"));
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }
}
