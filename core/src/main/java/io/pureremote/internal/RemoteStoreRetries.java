package io.pureremote.internal;

import io.pureremote.BlobStoreException;
import io.pureremote.CorruptBlobException;
import io.pureremote.spi.BlobStore;
import io.pureremote.spi.BlobStore.BlobContent;
import io.pureremote.spi.BlobStore.StoredBlob;
import io.pureremote.spi.BlobStore.VersionConflictException;
import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.security.MessageDigest;
import java.util.Arrays;
import java.util.Optional;
import java.util.concurrent.ThreadLocalRandom;
import java.util.function.Supplier;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Bounded retries of the remote side's own store requests (reading the invocation, looking for a
 * result, committing the result or error, writing run records), so a run survives the transient
 * store faults a caller survives. A store's SDK already retries each request; what it leaves is a
 * request that failed after its attempts, or a body that broke while it was read (SDKs do not retry
 * a stream already handed out). Only failures the store marks retryable are tried again; a corrupt
 * blob or a version conflict never is.
 *
 * <p>A write-once commit stays write-once: a create-if-absent whose answer was lost may have been
 * applied, so it is never simply sent again and counted. The blob is read back first: present with
 * the same bytes, the commit was this run's; present with other bytes, another run committed first;
 * absent, nothing was written and the create is sent again (it still cannot overwrite).
 */
final class RemoteStoreRetries {
  private static final Logger log = LoggerFactory.getLogger(RemoteStoreRetries.class);

  /** Attempts per request, the first included (each one is itself the store SDK's retried request). */
  static final int ATTEMPTS = 4;
  /** The first pause between attempts; it doubles, with up to half of it again as jitter. */
  static final long FIRST_PAUSE_MS = 200;

  private RemoteStoreRetries() {}

  /** Whether {@code e} is a store failure worth another attempt. */
  static boolean isTransient(Throwable e) {
    return e instanceof BlobStoreException b && b.isRetryable() && !(b instanceof CorruptBlobException)
        && !(b instanceof VersionConflictException);
  }

  /**
   * Runs an idempotent {@code request} (a read, a check, a write of a key this run alone names) up
   * to {@link #ATTEMPTS} times while it fails transiently, and returns its answer.
   */
  static <T> T idempotent(String what, Supplier<T> request) {
    for (int attempt = 1; ; attempt++) {
      try {
        return request.get();
      } catch (RuntimeException e) {
        if (!isTransient(e) || attempt >= ATTEMPTS) {
          throw e;
        }
        pause(what, attempt, e);
      }
    }
  }

  /** How a {@link #commit} ended. */
  enum Commit {
    /** This run's bytes are the blob: created now, or by an attempt whose answer was lost. */
    WON,
    /** Another run's blob was there first; it stays. */
    LOST
  }

  /**
   * Creates {@code key} with {@code content} unless it exists (write-once), surviving transient
   * failures: after a failed attempt the blob is read back and compared with {@code content} before
   * anything is sent again (see the class comment). {@code content} must reopen for every attempt.
   */
  static Commit commit(BlobStore store, String key, BlobContent content) {
    for (int attempt = 1; ; attempt++) {
      try {
        return store.putIfAbsent(key, content).isPresent() ? Commit.WON : Commit.LOST;
      } catch (RuntimeException e) {
        if (!isTransient(e) || attempt >= ATTEMPTS) {
          throw e;
        }
        Optional<Commit> confirmed;
        try {
          confirmed = idempotent("reading back " + store.uri(key), () -> readBack(store, key, content));
        } catch (RuntimeException readFailed) {
          e.addSuppressed(readFailed);
          throw e;
        }
        if (confirmed.isPresent()) {
          log.info("{}: the answer to creating it was lost ({}); read back, it holds {}", store.uri(key),
              e.getMessage(), confirmed.get() == Commit.WON ? "this run's bytes" : "another run's bytes");
          return confirmed.get();
        }
        pause("creating " + store.uri(key), attempt, e);
      }
    }
  }

  /** What the blob at {@code key} says about a commit of {@code content}: empty when it is absent. */
  private static Optional<Commit> readBack(BlobStore store, String key, BlobContent content) {
    Optional<StoredBlob> stored = store.get(key);
    if (stored.isEmpty()) {
      return Optional.empty();
    }
    byte[] theirs;
    byte[] ours;
    try (StoredBlob blob = stored.get(); InputStream in = blob.stream(); InputStream mine = content.open()) {
      theirs = sha256(in);
      ours = sha256(mine);
    } catch (IOException e) {
      throw new BlobStoreException(store.uri(key), "Cannot read it back to confirm a commit: " + e, e, true);
    } catch (UncheckedIOException e) {
      throw new BlobStoreException(store.uri(key), "Cannot read it back to confirm a commit: " + e.getCause(),
          e.getCause(), true);
    }
    return Optional.of(Arrays.equals(theirs, ours) ? Commit.WON : Commit.LOST);
  }

  private static byte[] sha256(InputStream in) throws IOException {
    MessageDigest digest = Sha256.digest();
    byte[] buffer = new byte[1 << 16];
    int n;
    while ((n = in.read(buffer)) >= 0) {
      digest.update(buffer, 0, n);
    }
    return digest.digest();
  }

  private static void pause(String what, int attempt, RuntimeException e) {
    long base = FIRST_PAUSE_MS << (attempt - 1);
    long millis = base + ThreadLocalRandom.current().nextLong(base / 2 + 1);
    log.info("{} failed (attempt {} of {}), trying again in {} ms: {}", what, attempt, ATTEMPTS, millis,
        e.getMessage());
    try {
      Thread.sleep(millis);
    } catch (InterruptedException interrupted) {
      Thread.currentThread().interrupt();
      throw e;
    }
  }
}
