package io.pureremote.cli;

import io.pureremote.BlobStoreException;
import io.pureremote.MemoEntry;
import io.pureremote.spi.BlobStore;
import java.util.Objects;
import java.util.Optional;
import java.util.function.Supplier;

/**
 * A memo entry as the CLI shows it: the core's {@link MemoEntry} reader, with payloads decoded by
 * the current class path and a decoding failure turned into a message instead of an exception.
 */
final class StoredEntry {
  final MemoEntry entry;

  StoredEntry(BlobStore store, MemoEntry.Address address) {
    this.entry = MemoEntry.of(store, address.pipelineId(), address.function(), address.argsHash());
  }

  String uri() {
    return entry.uri();
  }

  /** A payload decoded with the current class path, or why it could not be. */
  record Decoded(Object value, String problem) {
    boolean ok() {
      return problem == null;
    }
  }

  /** The invocation's arguments, decoded; empty when there is no invocation. */
  Optional<Decoded> arguments() {
    return decode(() -> entry.arguments(loader()).map(args -> new Decoded(args, null)));
  }

  /** The committed result's value (which may be null), decoded; empty when there is none. */
  Optional<Decoded> result() {
    return decode(() -> entry.result(loader()).map(r -> new Decoded(r.value(), null)));
  }

  /**
   * A missing class or refused type becomes a problem message; a damaged blob or an unreachable
   * store is not a class path problem and stays an error.
   */
  private static Optional<Decoded> decode(Supplier<Optional<Decoded>> read) {
    try {
      return read.get();
    } catch (BlobStoreException e) { // includes CorruptBlobException
      throw e;
    } catch (RuntimeException | LinkageError e) {
      return Optional.of(new Decoded(null, "cannot decode with this class path (" + e.getMessage()
          + "). Run the CLI with the application's classes on the class path (CLASSPATH or -cp) to see the values."));
    }
  }

  private static ClassLoader loader() {
    return Objects.requireNonNullElse(Thread.currentThread().getContextClassLoader(), StoredEntry.class.getClassLoader());
  }
}
