package io.pureremote.internal;

import io.pureremote.spi.BlobStore.BlobContent;
import io.pureremote.spi.BlobStore.StoredBlob;
import io.pureremote.spi.BlobStore.VersionConflictException;
import java.io.IOException;
import java.io.InputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.Optional;

/**
 * A child JVM for {@link FileBlobStoreTest}'s cross-process races. It prints {@code ready}, waits
 * for a line on stdin (so all children start racing together), then runs one of:
 *
 * <ul>
 *   <li>{@code <root> race <writerId> <keys>}: putIfAbsent's {@code race/k<i>} for every key with
 *       content {@code writer-<writerId>-key-<i>}; prints {@code won <i>} for each key it created.
 *   <li>{@code <root> counter <key> <increments>}: increments the decimal counter at {@code key}
 *       with get + put(expectedVersion) retry loops; prints {@code conflicts <n>}.
 * </ul>
 *
 * Ends with {@code done}; exits 1 with a stack trace on any failure.
 */
public final class FileRaceMain {
  private FileRaceMain() {}

  public static void main(String[] args) throws IOException {
    PrintStream out = new PrintStream(System.out, false, StandardCharsets.UTF_8);
    FileBlobStore store = new FileBlobStore(Path.of(args[0]));
    out.println("ready");
    out.flush();
    if (System.in.read() < 0) {
      throw new IllegalStateException("the parent closed stdin before saying go");
    }
    switch (args[1]) {
      case "race" -> race(store, args[2], Integer.parseInt(args[3]), out);
      case "counter" -> counter(store, args[2], Integer.parseInt(args[3]), out);
      default -> throw new IllegalArgumentException("unknown mode " + args[1]);
    }
    out.println("done");
    out.flush();
  }

  static String raceContent(String writerId, int key) {
    return "writer-" + writerId + "-key-" + key;
  }

  private static void race(FileBlobStore store, String writerId, int keys, PrintStream out) {
    for (int i = 0; i < keys; i++) {
      byte[] content = raceContent(writerId, i).getBytes(StandardCharsets.UTF_8);
      if (store.putIfAbsent("race/k" + i, BlobContent.of(content)).isPresent()) {
        out.println("won " + i);
      }
    }
  }

  private static void counter(FileBlobStore store, String key, int increments, PrintStream out) {
    int conflicts = increments(store, key, increments);
    out.println("conflicts " + conflicts);
  }

  /**
   * Adds {@code increments} to the counter at {@code key} with compare-and-swap retry loops.
   *
   * @return how many writes lost a race and were retried
   */
  static int increments(FileBlobStore store, String key, int increments) {
    int conflicts = 0;
    for (int done = 0; done < increments; ) {
      String version;
      long value;
      Optional<StoredBlob> blob = store.get(key);
      try (StoredBlob b = blob.orElseThrow(); InputStream in = b.stream()) {
        version = b.version();
        value = Long.parseLong(new String(in.readAllBytes(), StandardCharsets.UTF_8));
      } catch (IOException e) {
        throw new IllegalStateException(e);
      }
      byte[] next = Long.toString(value + 1).getBytes(StandardCharsets.UTF_8);
      try {
        store.put(key, BlobContent.of(next), version);
        done++;
      } catch (VersionConflictException e) {
        conflicts++;
      }
    }
    return conflicts;
  }
}
