package io.pureremote.internal;

import io.pureremote.MemoEntry;
import io.pureremote.RemoteFunctionException;
import io.pureremote.spi.BlobStore;
import io.pureremote.spi.BlobStore.StoredBlob;
import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.time.Clock;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;

/**
 * The one reader of a memo entry's blobs ({@code invocation}, {@code result}, {@code error},
 * {@code runs/*.json}, {@code lease}), shared by the caller ({@link CallPipeline}), the remote side
 * ({@link RemoteExecutor}) and the public {@link MemoEntry} that tools use. Every framed blob goes
 * through {@link BlobFrame}'s checks before anything decodes it.
 */
public final class EntryReader {
  private final BlobStore store;
  private final MemoKey key;

  /** A reader of the entry {@code key} in {@code store}. */
  public EntryReader(BlobStore store, MemoKey key) {
    this.store = store;
    this.key = key;
  }

  /** The entry's key. */
  public MemoKey key() {
    return key;
  }

  /** The entry's folder URI. */
  public String uri() {
    return store.uri(key.prefix());
  }

  /** A framed blob of the entry ({@code invocation}, {@code result} or {@code error}), read whole. */
  public Optional<BlobFrame> frame(String name) {
    String blobKey = key.key(name);
    Optional<StoredBlob> blob = store.get(blobKey);
    if (blob.isEmpty()) {
      return Optional.empty();
    }
    try (StoredBlob b = blob.get()) {
      return Optional.of(BlobFrame.read(b.stream(), store.uri(blobKey)));
    }
  }

  /** A framed blob with its payload spooled (any size); the caller closes it. */
  public Optional<BlobFrame.Spooled> spooled(String name) {
    String blobKey = key.key(name);
    Optional<StoredBlob> blob = store.get(blobKey);
    if (blob.isEmpty()) {
      return Optional.empty();
    }
    try (StoredBlob b = blob.get()) {
      return Optional.of(BlobFrame.readSpooled(b.stream(), store.uri(blobKey)));
    }
  }

  /** The invocation, read from its header (the arguments payload is not decoded). */
  public Optional<MemoEntry.Invocation> invocation() {
    return frame(MemoKey.INVOCATION).map(f -> MemoEntry.Invocation.fromHeader(f.section("call")));
  }

  /** A decoded value (which may be null) with the header of the blob it came from. */
  public record Decoded(Object value, Map<String, Object> header) {}

  /**
   * The committed result decoded with {@code codec}, streaming the payload; empty when there is
   * none yet.
   */
  public Optional<Decoded> result(KryoCodec codec) {
    Optional<BlobFrame.Spooled> spooled = spooled(MemoKey.RESULT);
    if (spooled.isEmpty()) {
      return Optional.empty();
    }
    try (BlobFrame.Spooled frame = spooled.get(); InputStream payload = frame.payload().open()) {
      // Bounded by the payload's length: a stored blob declares sizes, and nothing trusts them unchecked.
      return Optional.of(new Decoded(codec.read(payload, frame.payload().length(), store.uri(key.key(MemoKey.RESULT))), frame.header()));
    } catch (IOException e) {
      throw new UncheckedIOException("Cannot read the spooled result of " + uri(), e);
    }
  }

  /**
   * A look at the committed result: its value, or why it cannot be used, or neither (no result
   * yet).
   *
   * @param decoded the value with its header, or null
   * @param problem why the stored result cannot be used, or null
   * @param version the version of the stored blob that was read, or null when there is none
   */
  public record Read(Decoded decoded, Aside.Problem problem, String version) {
    /** Whether a usable result was read. */
    public boolean hit() {
      return decoded != null;
    }
  }

  /**
   * The committed result decoded with {@code codec}, judged rather than thrown: a damaged frame, a
   * payload this build cannot decode, or a {@code BlobRef} whose content is gone (one existence
   * check per distinct ref) is a {@link Read#problem()}. A store that cannot be reached still
   * throws: that says nothing about the blob.
   */
  public Read checkedResult(KryoCodec codec) {
    String blobKey = key.key(MemoKey.RESULT);
    String blobUri = store.uri(blobKey);
    Optional<StoredBlob> blob = store.get(blobKey);
    if (blob.isEmpty()) {
      return new Read(null, null, null);
    }
    String version = null;
    BlobFrame.Spooled frame;
    try (StoredBlob b = blob.get()) {
      version = b.version();
      frame = BlobFrame.readSpooled(b.stream(), blobUri);
    } catch (io.pureremote.CorruptBlobException e) {
      return new Read(null, new Aside.Problem(MemoKey.RESULT, Aside.Kind.CORRUPT, e.getMessage(), version), version);
    }
    return judged(codec, frame, version);
  }

  /**
   * {@link #checkedResult(KryoCodec)} of the result frame a run in this JVM just committed (the
   * bytes the store now holds, handed over in memory), judged the same way; its version is unknown.
   */
  public Read checkedResult(KryoCodec codec, byte[] committed) {
    BlobFrame.Spooled frame;
    try {
      frame = BlobFrame.readSpooled(new java.io.ByteArrayInputStream(committed), store.uri(key.key(MemoKey.RESULT)));
    } catch (io.pureremote.CorruptBlobException e) {
      return new Read(null, new Aside.Problem(MemoKey.RESULT, Aside.Kind.CORRUPT, e.getMessage(), null), null);
    }
    return judged(codec, frame, null);
  }

  private Read judged(KryoCodec codec, BlobFrame.Spooled frame, String version) {
    String blobUri = store.uri(key.key(MemoKey.RESULT));
    try (frame) {
      List<io.pureremote.BlobRef> refs = new ArrayList<>();
      Object value = codec.read(frame.payload(), blobUri, refs);
      List<String> hashes = new ArrayList<>(Aside.recordedRefs(frame.header()));
      refs.forEach(r -> hashes.add(r.sha256()));
      Optional<Aside.Problem> missing = Aside.missingContent(store, MemoKey.RESULT, hashes, version);
      if (missing.isPresent()) {
        return new Read(null, missing.get(), version);
      }
      return new Read(new Decoded(value, frame.header()), null, version);
    } catch (io.pureremote.CorruptBlobException e) {
      return new Read(null, new Aside.Problem(MemoKey.RESULT, Aside.Kind.CORRUPT, e.getMessage(), version), version);
    } catch (io.pureremote.SerializationException e) {
      return new Read(null, new Aside.Problem(MemoKey.RESULT, Aside.Kind.UNDECODABLE,
          e.getMessage() + " [" + blobUri + "]", version), version);
    } catch (IOException e) {
      throw new UncheckedIOException("Cannot read the spooled result of " + uri(), e);
    }
  }

  /** The error record JSON of an {@code error} frame. */
  public static Map<String, Object> errorRecord(BlobFrame error) {
    return Json.parseObject(new String(error.payload(), StandardCharsets.UTF_8));
  }

  /** The committed error as the exception a caller sees, its class loaded with {@code loader} when possible. */
  public Optional<RemoteFunctionException> error(ClassLoader loader) {
    return frame(MemoKey.ERROR).map(frame -> ErrorRecord.toException(errorRecord(frame), key.function().toString(),
        uri(), loader));
  }

  /** Run records ({@code runs/*.json}) in key order (oldest first); an unreadable one gives a status saying so. */
  public List<Map<String, Object>> runs() {
    List<Map<String, Object>> runs = new ArrayList<>();
    for (String k : store.list(key.key(MemoKey.RUNS) + "/")) {
      if (k.endsWith(".json")) {
        store.getBytes(k).ifPresent(bytes -> {
          try {
            runs.add(Json.parseObject(new String(bytes, StandardCharsets.UTF_8)));
          } catch (IllegalArgumentException e) {
            runs.add(Map.of("status", "unreadable run record " + k + ": " + e.getMessage()));
          }
        });
      }
    }
    return runs;
  }

  /** The lease record, if any. */
  public Optional<Leases.State> lease() {
    // Reading needs neither timing nor a scheduler.
    return new Leases(store, Duration.ZERO, Duration.ofSeconds(1), Clock.systemUTC(), null).read(key.key(Leases.LEASE));
  }

  /** Every blob key of the entry. */
  public List<String> blobs() {
    return store.list(key.prefix() + "/");
  }
}
