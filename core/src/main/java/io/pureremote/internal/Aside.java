package io.pureremote.internal;

import io.pureremote.BlobRef;
import io.pureremote.CorruptBlobException;
import io.pureremote.spi.BlobStore.BlobContent;
import io.pureremote.spi.BlobStore;
import io.pureremote.spi.BlobStore.StoredBlob;
import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.time.Instant;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The one definition of a bad memo blob and of what is done with it, shared by the caller's
 * self-healing path ({@link CallPipeline}) and by repair tools ({@code MemoEntry.repair}, {@code
 * pureremote verify --repair}).
 *
 * <p>A {@code result} that cannot be taken back (its frame is damaged, it names a class this build
 * lacks or refuses, it is of another type than the function returns, or a {@code BlobRef} in it
 * points at content that is gone) is a miss, not a failure. It is <b>set aside</b>: its bytes are
 * copied, with a create-if-absent write, to {@code <entry>/aside/result-<sha256 of its bytes>},
 * a JSON note saying why goes beside it ({@code ...json}), and only then is {@code result} deleted,
 * so the call can commit a new one. The aside name is derived from the content, so two processes
 * setting aside the same bad blob write the same name (the second write is a no-op), and a later
 * bad blob with other bytes gets another name: nothing kept aside is ever overwritten.
 *
 * <p>Only the holder of the entry's lease sets a blob aside (the caller that will recompute it, or
 * a repair tool that took the lease for that moment). While a bad {@code result} exists no run can
 * commit (commits are create-if-absent), so the delete can only remove the blob that was judged;
 * the delete is still skipped when the blob's version changed since it was read.
 */
public final class Aside {
  private static final Logger log = LoggerFactory.getLogger(Aside.class);

  /** Folder inside a memo entry that holds set-aside blobs. */
  public static final String FOLDER = "aside";

  private Aside() {}

  /** Why a blob cannot be used; its {@link #label()} is what notes and tools print. */
  public enum Kind {
    /** The frame is damaged: magic, format, size, checksum, truncation, or a payload the bounds refuse. */
    CORRUPT("corrupt"),
    /** The payload names a class this build lacks, cannot link or does not allow. */
    UNDECODABLE("undecodable"),
    /** The value is not of the type the function returns. */
    WRONG_TYPE("wrong-type"),
    /** A {@code BlobRef} in the value names content-addressed content that is not in the store. */
    MISSING_CONTENT("missing-content"),
    /** Nothing is wrong with it: the caller asked to recompute the call ({@code CallOptions.recompute}). */
    RECOMPUTED("recomputed");

    private final String label;

    Kind(String label) {
      this.label = label;
    }

    /** The kind as printed: {@code corrupt}, {@code undecodable}, {@code wrong-type}, {@code missing-content}, {@code recomputed}. */
    public String label() {
      return label;
    }
  }

  /**
   * A blob of a memo entry that cannot be used.
   *
   * @param blob the blob's name in the entry ({@code result})
   * @param kind why
   * @param detail the reader's message (names the URI and the cause)
   * @param version the version of the blob that was judged, or null when unknown
   */
  public record Problem(String blob, Kind kind, String detail, String version) {}

  /** The key a blob whose bytes hash to {@code sha256} is kept under: {@code <entry>/aside/<blob>-<sha256>}. */
  public static String key(MemoKey key, String blob, String sha256) {
    return key.key(FOLDER + "/" + blob + "-" + sha256);
  }

  /**
   * The problem of a framed blob judged without decoding its payload (what a tool without the
   * function's classes can check): the frame's magic, format, size and checksum, and that every
   * {@code BlobRef} its header records under {@code blobRefs} exists (one request each).
   *
   * @return the problem, or empty when the blob is absent or sound as far as this can tell
   */
  public static Optional<Problem> checkFrame(BlobStore store, MemoKey key, String blob) {
    return inspect(store, key, blob).problem();
  }

  /**
   * A framed blob as {@link #checkFrame} judged it.
   *
   * @param present whether the blob exists
   * @param problem what is wrong with it, if anything
   * @param header its verified header, or null when absent or damaged
   */
  public record Inspected(boolean present, Optional<Problem> problem, Map<String, Object> header) {}

  /** {@link #checkFrame}, keeping the verified header (for the {@code blobRefs} it records). */
  public static Inspected inspect(BlobStore store, MemoKey key, String blob) {
    String blobKey = key.key(blob);
    Optional<StoredBlob> stored = store.get(blobKey);
    if (stored.isEmpty()) {
      return new Inspected(false, Optional.empty(), null);
    }
    String version = null;
    Map<String, Object> header;
    try (StoredBlob b = stored.get()) {
      version = b.version();
      try (BlobFrame.Spooled frame = BlobFrame.readSpooled(b.stream(), store.uri(blobKey))) {
        header = frame.header();
      }
    } catch (CorruptBlobException e) {
      return new Inspected(true, Optional.of(new Problem(blob, Kind.CORRUPT, e.getMessage(), version)), null);
    }
    return new Inspected(true, missingContent(store, blob, recordedRefs(header), version), header);
  }

  /** The content-addressed hashes a frame header records under {@code blobRefs}; empty when it records none. */
  public static List<String> recordedRefs(Map<String, Object> header) {
    List<String> hashes = new ArrayList<>();
    if (header.get("blobRefs") instanceof List<?> refs) {
      for (Object ref : refs) {
        if (ref instanceof Map<?, ?> m && m.get("sha256") instanceof String sha) {
          hashes.add(sha);
        }
      }
    }
    return hashes;
  }

  /** The {@code blobRefs} header field for the refs a payload holds: one {sha256, size} per distinct ref. */
  public static List<Object> headerField(List<BlobRef> refs) {
    Map<String, Object> distinct = new LinkedHashMap<>();
    for (BlobRef ref : refs) {
      Map<String, Object> one = new LinkedHashMap<>();
      one.put("sha256", ref.sha256());
      one.put("size", ref.size());
      distinct.putIfAbsent(ref.sha256(), one);
    }
    return new ArrayList<>(distinct.values());
  }

  /** A {@link Kind#MISSING_CONTENT} problem for the first of {@code hashes} not in the store, if any. */
  static Optional<Problem> missingContent(BlobStore store, String blob, List<String> hashes, String version) {
    for (String sha : new java.util.LinkedHashSet<>(hashes)) {
      String cas = BlobRef.CAS_PREFIX + sha;
      if (!store.exists(cas)) {
        return Optional.of(new Problem(blob, Kind.MISSING_CONTENT,
            "It holds a BlobRef whose content " + store.uri(cas) + " is missing (deleted from the store?)", version));
      }
    }
    return Optional.empty();
  }

  /** What {@link #setAside} did. */
  public record Moved(String asideKey, boolean deleted) {}

  /**
   * Sets the blob {@code problem.blob()} of entry {@code key} aside: copies it to {@link #key} (never
   * overwriting), writes the note beside it, then deletes the original unless its version changed
   * since {@code problem.version()} (when known). Call only while holding the entry's lease.
   *
   * @return where it was kept and whether the original was deleted; empty when there was no blob
   */
  public static Optional<Moved> setAside(BlobStore store, MemoKey key, Problem problem) {
    String blobKey = key.key(problem.blob());
    Optional<StoredBlob> stored = store.get(blobKey);
    if (stored.isEmpty()) {
      return Optional.empty();
    }
    String version;
    try (StoredBlob b = stored.get(); Spool copy = new Spool()) {
      version = b.version();
      try (InputStream in = b.stream()) {
        in.transferTo(copy);
      } catch (IOException e) {
        throw new UncheckedIOException("Cannot read " + store.uri(blobKey) + " to set it aside", e);
      }
      copy.finish();
      if (problem.version() != null && !problem.version().equals(version)) {
        // Replaced since it was judged: the new blob is not the one found bad.
        return Optional.of(new Moved(null, false));
      }
      String asideKey = key(key, problem.blob(), copy.sha256Hex());
      boolean first = store.putIfAbsent(asideKey, copy.content(new byte[0])).isPresent();
      store.putIfAbsent(asideKey + ".json", BlobContent.of(note(store, blobKey, problem, copy.length())));
      Optional<StoredBlob> again = store.get(blobKey);
      boolean unchanged;
      try (StoredBlob now = again.orElse(null)) {
        unchanged = now != null && now.version().equals(version);
      }
      boolean deleted = unchanged && store.delete(blobKey);
      if (problem.kind() == Kind.RECOMPUTED) {
        log.info("{}: {}; kept the old one as {}", store.uri(blobKey), problem.detail(), store.uri(asideKey));
      } else {
        log.warn("{} was unusable ({}: {}); {} {} and removed it so the call recomputes", store.uri(blobKey),
            problem.kind().label(), problem.detail(), first ? "kept it as" : "it was already kept as",
            store.uri(asideKey));
      }
      return Optional.of(new Moved(asideKey, deleted));
    }
  }

  private static byte[] note(BlobStore store, String blobKey, Problem problem, long size) {
    Map<String, Object> note = new LinkedHashMap<>();
    note.put("blob", store.uri(blobKey));
    note.put("kind", problem.kind().label());
    note.put("detail", problem.detail());
    note.put("size", size);
    note.put("setAsideAt", Instant.now().toString());
    note.put("by", CallMetadata.user() + "@" + CallMetadata.host());
    note.put("pid", CallMetadata.pid());
    note.put("library", CallMetadata.LIBRARY_VERSION);
    return Json.write(note).getBytes(StandardCharsets.UTF_8);
  }
}
