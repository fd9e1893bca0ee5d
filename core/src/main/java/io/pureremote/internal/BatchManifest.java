package io.pureremote.internal;

import io.pureremote.FunctionId;
import io.pureremote.spi.BlobStore.BlobContent;
import io.pureremote.spi.BlobStore;
import io.pureremote.spi.Shell.LaunchRequest;
import io.pureremote.spi.BlobStore.StoredBlob;
import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.time.Instant;
import java.time.ZoneOffset;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.UUID;

/**
 * A batch manifest: the memo URIs of the calls one batched launch runs (a Kubernetes Indexed Job),
 * by index. Written by the caller under {@code pureremote/batches/<yyyy-MM-dd>/<id>.json}, read by
 * {@code RemoteMain batch <manifest uri>}, which runs the call at its index exactly as {@code run
 * <memo uri>} would. Its JSON:
 *
 * <pre>{@code
 * {"format": "pureremote-batch/1", "function": "com.acme.Fns#score@2", "createdAt": "...",
 *  "createdBy": "ana@laptop", "calls": ["<memo uri of index 0>", "<memo uri of index 1>", ...],
 *  "holders": ["<lease holder of index 0>", ...]}
 * }</pre>
 *
 * <p>{@code holders} (optional; {@code ""} for a call launched outside a lease) names the lease
 * each call was launched under, which the member checks as {@code run --holder} does.
 *
 * <p>What the remote side reads is distrusted: at most {@value #MAX_BYTES} bytes and {@value
 * #MAX_CALLS} calls, the format named, every call a memo URI of the function named, in the store
 * the manifest is in.
 */
public final class BatchManifest {
  /** The format this code writes and reads. */
  public static final String FORMAT = "pureremote-batch/1";
  /** Where manifests live under the store root. */
  public static final String PREFIX = "pureremote/batches";
  /** The largest manifest read (a full batch of long URIs is well under it). */
  public static final int MAX_BYTES = 4 << 20;
  /** The most calls one manifest lists (Kubernetes allows at most 100,000 indexes with per-index backoff). */
  public static final int MAX_CALLS = 10_000;

  private BatchManifest() {}

  /** Writes a manifest of {@code requests} (index = position) and returns its URI. */
  public static String write(BlobStore store, List<LaunchRequest> requests) {
    if (requests.isEmpty() || requests.size() > MAX_CALLS) {
      throw new IllegalArgumentException("A batch manifest lists 1 to " + MAX_CALLS + " calls, got " + requests.size());
    }
    FunctionId function = requests.getFirst().function();
    List<Object> calls = new ArrayList<>();
    List<Object> holders = new ArrayList<>();
    for (LaunchRequest r : requests) {
      holders.add(r.holder() == null ? "" : r.holder());
      if (!r.function().equals(function)) {
        throw new IllegalArgumentException("A batch manifest lists calls of one function; got " + function + " and "
            + r.function());
      }
      calls.add(r.memoUri());
    }
    Map<String, Object> json = new LinkedHashMap<>();
    json.put("format", FORMAT);
    json.put("function", function.name() + "@" + function.version());
    Instant now = Instant.now();
    json.put("createdAt", now.toString());
    json.put("createdBy", CallMetadata.user() + "@" + CallMetadata.host());
    json.put("calls", calls);
    if (holders.stream().anyMatch(h -> !"".equals(h))) {
      json.put("holders", holders);
    }
    String key = PREFIX + "/" + now.atOffset(ZoneOffset.UTC).toLocalDate() + "/" + UUID.randomUUID() + ".json";
    store.put(key, BlobContent.of(Json.write(json).getBytes(StandardCharsets.UTF_8)), null);
    return store.uri(key);
  }

  /** The store root of a manifest URI ({@code <root>/pureremote/batches/...}). */
  public static String rootOf(String manifestUri) {
    int at = manifestUri.lastIndexOf("/" + PREFIX + "/");
    if (at <= 0 || !manifestUri.endsWith(".json")) {
      throw new IllegalArgumentException("Not a batch manifest URI: '" + manifestUri + "'. Expected <blob root>/"
          + PREFIX + "/<date>/<id>.json, as the shell passes it");
    }
    return manifestUri.substring(0, at);
  }

  /**
   * The memo URI at {@code index} of the manifest at {@code manifestUri} in {@code store}.
   *
   * @throws IllegalArgumentException when the manifest is missing, too large, not of this format,
   *     or has no such index; the message says which and what to do
   */
  public static String callAt(BlobStore store, String manifestUri, int index) {
    return memberAt(store, manifestUri, index).memoUri();
  }

  /**
   * One member of a manifest: its memo URI and the lease holder it was launched under ({@code
   * null} when none is recorded).
   */
  public record Member(String memoUri, String holder) {}

  /**
   * The member at {@code index} of the manifest at {@code manifestUri} in {@code store}.
   *
   * @throws IllegalArgumentException as {@link #callAt} does, and when the holders do not match
   *     the calls
   */
  public static Member memberAt(BlobStore store, String manifestUri, int index) {
    String root = rootOf(manifestUri);
    if (!root.equals(store.root())) {
      throw new IllegalArgumentException("Batch manifest " + manifestUri + " is not in store " + store.root());
    }
    String key = manifestUri.substring(root.length() + 1);
    Optional<StoredBlob> blob = store.get(key);
    if (blob.isEmpty()) {
      throw new IllegalArgumentException("No batch manifest at " + manifestUri + ": the caller writes it before it"
          + " creates the batch; was the store cleaned meanwhile? The calls of this batch run again on the next call.");
    }
    byte[] bytes;
    try (StoredBlob b = blob.get(); InputStream in = b.stream()) {
      if (b.size() > MAX_BYTES) {
        throw new IllegalArgumentException("Batch manifest " + manifestUri + " is " + b.size() + " bytes, more than the "
            + MAX_BYTES + " a manifest may have: it was not written by Pure Remote");
      }
      bytes = in.readNBytes(MAX_BYTES + 1);
    } catch (IOException e) {
      throw new UncheckedIOException("Cannot read batch manifest " + manifestUri, e);
    }
    if (bytes.length > MAX_BYTES) {
      throw new IllegalArgumentException("Batch manifest " + manifestUri + " is more than " + MAX_BYTES
          + " bytes: it was not written by Pure Remote");
    }
    Map<String, Object> json;
    try {
      json = Json.parseObject(new String(bytes, StandardCharsets.UTF_8));
    } catch (RuntimeException e) {
      throw new IllegalArgumentException("Batch manifest " + manifestUri + " is not JSON (" + e.getMessage() + ")", e);
    }
    Object format = json.get("format");
    if (!FORMAT.equals(format)) {
      throw new IllegalArgumentException("Batch manifest " + manifestUri + " has format '" + format + "', this build reads '"
          + FORMAT + "': the image runs another Pure Remote version than the caller. Rebuild and push the image the"
          + " caller uses.");
    }
    if (!(json.get("calls") instanceof List<?> calls) || calls.isEmpty() || calls.size() > MAX_CALLS) {
      throw new IllegalArgumentException("Batch manifest " + manifestUri + " has no list of 1 to " + MAX_CALLS
          + " calls under \"calls\"");
    }
    if (index < 0 || index >= calls.size()) {
      throw new IllegalArgumentException("Batch manifest " + manifestUri + " lists " + calls.size() + " calls (indexes 0 to "
          + (calls.size() - 1) + "), not index " + index + ": the Job's completions do not match its manifest");
    }
    if (!(calls.get(index) instanceof String memoUri)) {
      throw new IllegalArgumentException("Batch manifest " + manifestUri + ": call " + index + " is not a memo URI string");
    }
    MemoKey.Located located = MemoKey.parseUri(memoUri);
    if (!located.root().equals(root)) {
      throw new IllegalArgumentException("Batch manifest " + manifestUri + ": call " + index + " (" + memoUri
          + ") is in another store than the manifest; a manifest lists calls of its own store only");
    }
    String function = located.key().function().name() + "@" + located.key().function().version();
    if (!function.equals(json.get("function"))) {
      throw new IllegalArgumentException("Batch manifest " + manifestUri + ": call " + index + " is of " + function
          + ", the manifest is of " + json.get("function"));
    }
    Object holders = json.get("holders");
    if (holders == null) {
      return new Member(memoUri, null);
    }
    if (!(holders instanceof List<?> list) || list.size() != calls.size() || !(list.get(index) instanceof String holder)) {
      throw new IllegalArgumentException("Batch manifest " + manifestUri + ": \"holders\" is not a list of strings as"
          + " long as \"calls\": it was not written by Pure Remote");
    }
    return new Member(memoUri, holder.isEmpty() ? null : holder);
  }
}
