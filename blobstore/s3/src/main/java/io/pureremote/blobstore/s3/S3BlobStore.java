package io.pureremote.blobstore.s3;

import io.pureremote.BlobStoreException;
import io.pureremote.blobstore.s3.S3BlobStoreOptions.ConditionalWrites;
import io.pureremote.spi.BlobStore.BlobContent;
import io.pureremote.spi.BlobStore;
import io.pureremote.spi.BlobStore.StoredBlob;
import io.pureremote.spi.BlobStore.VersionConflictException;
import java.io.ByteArrayInputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.ArrayList;
import java.util.HexFormat;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;
import java.util.UUID;
import java.util.Queue;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.Semaphore;
import java.util.concurrent.ThreadLocalRandom;
import java.util.function.Consumer;
import java.util.function.Supplier;
import software.amazon.awssdk.auth.credentials.AwsCredentialsProvider;
import software.amazon.awssdk.auth.credentials.DefaultCredentialsProvider;
import software.amazon.awssdk.awscore.retry.AwsRetryStrategy;
import software.amazon.awssdk.core.ResponseInputStream;
import software.amazon.awssdk.core.exception.SdkClientException;
import software.amazon.awssdk.core.exception.SdkException;
import software.amazon.awssdk.core.sync.RequestBody;
import software.amazon.awssdk.http.ContentStreamProvider;
import software.amazon.awssdk.regions.Region;
import software.amazon.awssdk.regions.providers.DefaultAwsRegionProviderChain;
import software.amazon.awssdk.services.s3.S3Client;
import software.amazon.awssdk.services.s3.S3ClientBuilder;
import software.amazon.awssdk.services.s3.model.ChecksumAlgorithm;
import software.amazon.awssdk.services.s3.model.CompleteMultipartUploadRequest;
import software.amazon.awssdk.services.s3.model.CompletedPart;
import software.amazon.awssdk.services.s3.model.GetObjectResponse;
import software.amazon.awssdk.services.s3.model.HeadObjectResponse;
import software.amazon.awssdk.services.s3.model.NoSuchBucketException;
import software.amazon.awssdk.services.s3.model.NoSuchKeyException;
import software.amazon.awssdk.services.s3.model.PutObjectRequest;
import software.amazon.awssdk.services.s3.model.S3Exception;
import software.amazon.awssdk.services.s3.model.S3Object;
import software.amazon.awssdk.services.s3.model.UploadPartResponse;

/**
 * A {@link BlobStore} on Amazon S3 or an S3-compatible server, rooted at {@code s3://bucket/prefix}.
 *
 * <h2>Operations</h2>
 *
 * <ul>
 *   <li>{@link #get}: one GetObject, streamed; a blob's version is its ETag.
 *   <li>{@link #putIfAbsent}: PutObject with {@code If-None-Match: *}; 412 means the blob exists.
 *   <li>{@link #put} with a version: PutObject with {@code If-Match: <etag>}; 412 (changed) or 404
 *       (gone) is a {@link VersionConflictException}. Without a version: a plain PutObject.
 *   <li>Content longer than {@link S3BlobStoreOptions#multipartThreshold()} is uploaded in parts
 *       (CreateMultipartUpload, UploadPart, CompleteMultipartUpload carrying the same conditions),
 *       several parts at once: a file's parts are each read from the file by their sender, other
 *       content's parts are read in order into buffers; the upload is aborted on any failure. S3 makes an object
 *       visible only when its PutObject or CompleteMultipartUpload succeeds, so no reader ever sees
 *       a partial blob under its final name.
 *   <li>{@link #exists}: HeadObject. {@link #list}: ListObjectsV2 pages under the root prefix.
 *   <li>{@link #delete}: HeadObject, then DeleteObject. S3's delete does not say whether the key
 *       existed, hence the HEAD; a concurrent writer or deleter between the two requests can make the
 *       answer stale (two deleters may both see {@code true}), which callers must tolerate.
 * </ul>
 *
 * <h2>Conditional writes</h2>
 *
 * Some S3-compatible servers accept {@code If-None-Match} and {@code If-Match} and then ignore
 * them. With {@link ConditionalWrites#REQUIRE} (the default) the store finds out with a one-time
 * probe before its first conditional write and, if the server ignores them, fails every conditional
 * write with an error that says so; it never falls back to a racy check-then-write. A {@code 409
 * ConditionalRequestConflict} (AWS's answer to conditional writes racing on one key) is retried.
 *
 * <h2>Versions</h2>
 *
 * The version is the ETag S3 returns, which for unencrypted or SSE-S3 objects is derived from the
 * content: writing the very same bytes again gives the same version. Callers that use versions for
 * compare-and-swap (leases) should put something unique (holder, expiry) into each write.
 *
 * <h2>Retries and errors</h2>
 *
 * Every request goes through the SDK's standard retry strategy, configured explicitly with {@link
 * S3BlobStoreOptions#maxAttempts()} attempts: exponential backoff with jitter on 5xx, throttling
 * (503 SlowDown, 429), connection resets and timeouts, and a client-side retry budget. The content
 * is re-opened through {@link BlobContent#open()} for each attempt, never buffered. A conditional
 * write that was retried and then got 412 (or a retried multipart completion that got 404
 * NoSuchUpload) may have been applied by the earlier attempt (its response lost); the store then
 * compares the object's ETag with the one its own bytes produce and, when they match, reports the
 * write as its own. What is left after the retries surfaces as a {@link BlobStoreException} naming
 * the {@code s3://} URI, with {@link BlobStoreException#isRetryable()} true only for transient
 * causes; 403 (credentials, policy), a missing or invalid bucket and other 4xx answers are
 * permanent. A failure while reading a stream returned by {@link #get} surfaces from the stream and
 * is not retried.
 *
 * <p>Keys follow {@link BlobStore}: {@code /}-separated, non-empty segments not starting with
 * {@code .}; {@code <root>/.pureremote/} holds the probe's throw-away objects. Thread-safe.
 */
public final class S3BlobStore implements BlobStore {
  private static final String OCTET_STREAM = "application/octet-stream";
  private static final int MAX_PARTS = 10_000;
  /** Parts of a file upload per concurrent sender: enough to keep every sender busy to the end. */
  static final int PARTS_PER_SENDER = 4;

  private final S3Location location;
  private final S3BlobStoreOptions options;
  private final Region region;
  private final S3Client s3;
  private final AwsCredentialsProvider ownedCredentials;

  private final Object probeLock = new Object();
  // null until probed; "" when the server honours the conditions; otherwise why it does not
  private volatile String singleVerdict;
  private volatile String multipartVerdict;
  private volatile boolean bucketConfirmed;

  /**
   * A store on {@code rootUri} ({@code s3://bucket} or {@code s3://bucket/prefix}) with its own S3
   * client, closed by {@link #close()}. No request is made until the first operation.
   *
   * @throws IllegalArgumentException when the URI is not a valid S3 root or no region can be found
   */
  public S3BlobStore(String rootUri, S3BlobStoreOptions options) {
    this.location = S3Location.parse(rootUri);
    this.options = Objects.requireNonNull(options, "options");
    this.region = resolveRegion(options, location);
    AwsCredentialsProvider credentials = options.credentialsProvider();
    this.ownedCredentials = credentials == null ? DefaultCredentialsProvider.builder().build() : null;
    S3ClientBuilder builder = S3Client.builder()
        .region(region)
        .forcePathStyle(options.pathStyle())
        .credentialsProvider(credentials != null ? credentials : ownedCredentials)
        .overrideConfiguration(c -> {
          // Explicit rather than the SDK default, so the bound is ours: standard mode (exponential
          // backoff with jitter, longer for throttling, retry budget) with maxAttempts attempts.
          c.retryStrategy(AwsRetryStrategy.standardRetryStrategy().toBuilder()
              .maxAttempts(options.maxAttempts()).build());
          options.interceptors().forEach(c::addExecutionInterceptor);
        });
    if (options.endpointOverride() != null) {
      builder.endpointOverride(options.endpointOverride());
    }
    this.s3 = builder.build();
  }

  /** A store on {@code rootUri} with {@link S3BlobStoreOptions#defaults()}. */
  public S3BlobStore(String rootUri) {
    this(rootUri, S3BlobStoreOptions.defaults());
  }

  /** The bucket this store writes to. */
  public String bucket() {
    return location.bucket();
  }

  /** The key prefix under the bucket (no leading or trailing slash; empty for the whole bucket). */
  public String prefix() {
    return location.prefix();
  }

  /** The region the client signs requests for. */
  public Region region() {
    return region;
  }

  /** The options this store was opened with. */
  public S3BlobStoreOptions options() {
    return options;
  }

  @Override
  public String root() {
    return location.root();
  }

  /**
   * Region, endpoint, path style and non-default behaviour settings, in the keys {@link
   * S3BlobStoreProvider} accepts; never credentials.
   */
  @Override
  public Map<String, String> remoteSettings() {
    Map<String, String> settings = new LinkedHashMap<>();
    settings.put(S3BlobStoreProvider.REGION, region.id());
    if (options.endpointOverride() != null) {
      settings.put(S3BlobStoreProvider.ENDPOINT, options.endpointOverride().toString());
    }
    if (options.pathStyle()) {
      settings.put(S3BlobStoreProvider.PATH_STYLE, "true");
    }
    if (options.conditionalWrites() != ConditionalWrites.REQUIRE) {
      settings.put(S3BlobStoreProvider.CONDITIONAL_WRITES, options.conditionalWrites().name().toLowerCase(Locale.ROOT));
    }
    if (options.maxAttempts() != S3BlobStoreOptions.DEFAULT_MAX_ATTEMPTS) {
      settings.put(S3BlobStoreProvider.MAX_ATTEMPTS, Integer.toString(options.maxAttempts()));
    }
    if (options.multipartThreshold() != S3BlobStoreOptions.DEFAULT_MULTIPART_THRESHOLD) {
      settings.put(S3BlobStoreProvider.MULTIPART_THRESHOLD, Long.toString(options.multipartThreshold()));
    }
    if (options.partSize() != S3BlobStoreOptions.DEFAULT_PART_SIZE) {
      settings.put(S3BlobStoreProvider.PART_SIZE, Long.toString(options.partSize()));
    }
    if (options.partConcurrency() != S3BlobStoreOptions.DEFAULT_PART_CONCURRENCY) {
      settings.put(S3BlobStoreProvider.PART_CONCURRENCY, Integer.toString(options.partConcurrency()));
    }
    return settings;
  }

  // ---------------------------------------------------------------- reads

  @Override
  public Optional<StoredBlob> get(String key) {
    String objectKey = objectKey(key);
    for (int attempt = 1; ; attempt++) {
      S3Blob blob = open(key, objectKey).orElse(null);
      if (blob == null || blob.size() > EAGER_READ_BYTES) {
        return Optional.ofNullable(blob);
      }
      // A small object (a result, a lease, a record) is read whole at once, as getObjectAsBytes
      // does: its reader parses a frame in many small reads, each through the SDK's stream chain.
      try (blob) {
        byte[] bytes = blob.stream().readNBytes((int) blob.size());
        return Optional.of(new ReadBlob(bytes, blob.version()));
      } catch (IOException e) {
        // The body broke off after the response began (a reset connection): the SDK retries only
        // up to the response, so the GET is sent again here, up to maxAttempts times as a request is.
        if (attempt >= options.maxAttempts()) {
          throw new BlobStoreException(uri(key), "S3 GET failed: the body broke off " + attempt + " times (" + e + ")",
              e, true);
        }
      }
    }
  }

  /** Objects up to this size are read whole when opened. */
  private static final long EAGER_READ_BYTES = 64 * 1024;

  private Optional<S3Blob> open(String key, String objectKey) {
    try {
      ResponseInputStream<GetObjectResponse> in = s3.getObject(b -> b.bucket(bucket()).key(objectKey));
      GetObjectResponse response = in.response();
      return Optional.of(new S3Blob(in, response.contentLength(), response.eTag()));
    } catch (NoSuchKeyException e) {
      return Optional.empty();
    } catch (S3Exception e) {
      if (e.statusCode() == 404 && errorCode(e) == null) {
        // A 404 whose error body was lost (the connection dropped while it was read) names no
        // code: a missing key, unless the bucket is missing, which is checked once as for HEAD.
        confirmBucket(key);
        return Optional.empty();
      }
      throw failure("GET", uri(key), e);
    } catch (SdkException e) {
      throw failure("GET", uri(key), e);
    }
  }

  @Override
  public boolean exists(String key) {
    return head(key, objectKey(key)).isPresent();
  }

  @Override
  public List<String> list(String prefix) {
    Objects.requireNonNull(prefix, "prefix");
    if (prefix.startsWith("/")) {
      throw new IllegalArgumentException("Invalid blob key prefix '" + prefix + "': it must not start with '/'");
    }
    String full = location.prefix().isEmpty() ? prefix : location.prefix() + "/" + prefix;
    int strip = location.prefix().isEmpty() ? 0 : location.prefix().length() + 1;
    List<String> keys = new ArrayList<>();
    try {
      for (S3Object object : s3.listObjectsV2Paginator(b -> b.bucket(bucket()).prefix(full)).contents()) {
        String key = object.key().substring(strip);
        if (!isInternal(key)) {
          keys.add(key);
        }
      }
    } catch (SdkException e) {
      throw failure("LIST", uri(prefix), e);
    }
    keys.sort(null);
    return keys;
  }

  /** ListObjectsV2 from {@code StartAfter}, fetching pages only until {@code limit} keys are found. */
  @Override
  public List<String> listPage(String prefix, String startAfter, int limit) {
    Objects.requireNonNull(prefix, "prefix");
    S3BlobStoreOptions.between("limit", 1, Integer.MAX_VALUE, limit, "");
    if (prefix.startsWith("/")) {
      throw new IllegalArgumentException("Invalid blob key prefix '" + prefix + "': it must not start with '/'");
    }
    String full = location.prefix().isEmpty() ? prefix : location.prefix() + "/" + prefix;
    int strip = location.prefix().isEmpty() ? 0 : location.prefix().length() + 1;
    String after = startAfter == null ? null
        : location.prefix().isEmpty() ? startAfter : location.prefix() + "/" + startAfter;
    List<String> keys = new ArrayList<>();
    try {
      for (S3Object object : s3.listObjectsV2Paginator(b -> b.bucket(bucket()).prefix(full).startAfter(after)
          .maxKeys(Math.min(limit, 1000))).contents()) {
        String key = object.key().substring(strip);
        if (!isInternal(key)) {
          keys.add(key);
          if (keys.size() >= limit) {
            break;
          }
        }
      }
    } catch (SdkException e) {
      throw failure("LIST", uri(prefix), e);
    }
    return keys;
  }

  // ---------------------------------------------------------------- writes

  @Override
  public Optional<String> putIfAbsent(String key, BlobContent content) {
    String objectKey = objectKey(key);
    long length = content.length();
    boolean multipart = length > options.multipartThreshold();
    requireConditionalWrites(key, multipart);
    try {
      if (multipart) {
        // Skip uploading a large blob that is already there; the conditional completion below
        // still decides races.
        if (head(key, objectKey).isPresent()) {
          return Optional.empty();
        }
        Upload upload = uploadParts(key, objectKey, content);
        try {
          return Optional.of(retryingConflicts(() -> upload.complete(b -> b.ifNoneMatch("*"))));
        } catch (S3Exception e) {
          upload.abortQuietly();
          if (e.statusCode() == 412 || lostCompletion(e)) {
            Optional<String> ours = landedAnyway(key, objectKey, e, upload.expectedEtag());
            if (ours.isPresent() || e.statusCode() == 412) {
              return ours; // 412 without our bytes there: someone else created it
            }
          }
          throw e;
        }
      }
      try {
        return Optional.of(retryingConflicts(() -> putObject(objectKey, content, b -> b.ifNoneMatch("*"))));
      } catch (S3Exception e) {
        if (e.statusCode() == 412) {
          return landedAnyway(key, objectKey, e, () -> singlePartEtag(content));
        }
        throw e;
      }
    } catch (SdkException | UncheckedIOException | ContentLengthMismatch e) {
      throw failure("PUT (create if absent)", uri(key), e);
    }
  }

  @Override
  public String put(String key, BlobContent content, String expectedVersion) {
    String objectKey = objectKey(key);
    long length = content.length();
    boolean multipart = length > options.multipartThreshold();
    if (expectedVersion != null) {
      requireConditionalWrites(key, multipart);
    }
    try {
      if (multipart) {
        if (expectedVersion != null) {
          // A conflict visible now would only be found after uploading every part.
          Optional<HeadObjectResponse> current = head(key, objectKey);
          if (current.isEmpty() || !sameEtag(current.get().eTag(), expectedVersion)) {
            throw new VersionConflictException(uri(key), expectedVersion);
          }
        }
        Upload upload = uploadParts(key, objectKey, content);
        try {
          return retryingConflicts(() -> upload.complete(b -> {
            if (expectedVersion != null) {
              b.ifMatch(expectedVersion);
            }
          }));
        } catch (S3Exception e) {
          upload.abortQuietly();
          if (expectedVersion != null && isConflict(e)) {
            return landedAnyway(key, objectKey, e, upload.expectedEtag())
                .orElseThrow(() -> new VersionConflictException(uri(key), expectedVersion));
          }
          if (lostCompletion(e)) {
            Optional<String> ours = landedAnyway(key, objectKey, e, upload.expectedEtag());
            if (ours.isPresent()) {
              return ours.get();
            }
          }
          throw e;
        }
      }
      try {
        return retryingConflicts(() -> putObject(objectKey, content, b -> {
          if (expectedVersion != null) {
            b.ifMatch(expectedVersion);
          }
        }));
      } catch (S3Exception e) {
        if (expectedVersion != null && isConflict(e)) {
          return landedAnyway(key, objectKey, e, () -> singlePartEtag(content))
              .orElseThrow(() -> new VersionConflictException(uri(key), expectedVersion));
        }
        throw e;
      }
    } catch (SdkException | UncheckedIOException | ContentLengthMismatch e) {
      throw failure("PUT", uri(key), e);
    }
  }

  @Override
  public boolean delete(String key) {
    String objectKey = objectKey(key);
    if (head(key, objectKey).isEmpty()) {
      return false;
    }
    try {
      s3.deleteObject(b -> b.bucket(bucket()).key(objectKey));
      return true;
    } catch (SdkException e) {
      throw failure("DELETE", uri(key), e);
    }
  }

  @Override
  public void close() {
    s3.close();
    if (ownedCredentials instanceof AutoCloseable closeable) {
      try {
        closeable.close();
      } catch (Exception ignored) {
        // Releasing a credentials cache cannot lose data.
      }
    }
  }

  @Override
  public String toString() {
    return "S3BlobStore[" + root() + (options.endpointOverride() == null ? "" : " at " + options.endpointOverride())
        + "]";
  }

  /** The client, for tests in this package (e.g. a raw SDK GET to compare with). */
  S3Client client() {
    return s3;
  }

  // ---------------------------------------------------------------- internals

  private String objectKey(String key) {
    checkKey(key);
    return location.objectKey(key);
  }

  /** Rejects keys the {@link BlobStore} contract does not allow. */
  static void checkKey(String key) {
    Objects.requireNonNull(key, "key");
    if (key.isEmpty() || key.startsWith("/") || key.endsWith("/")) {
      throw new IllegalArgumentException("Invalid blob key '" + key + "': use non-empty /-separated segments");
    }
    for (String segment : key.split("/", -1)) {
      if (segment.isEmpty() || segment.startsWith(".")) {
        throw new IllegalArgumentException(
            "Invalid blob key '" + key + "': segments must be non-empty and must not start with '.'");
      }
    }
  }

  /** Keys no caller can have written: the store's own, and folder markers such as {@code a/}. */
  private static boolean isInternal(String key) {
    for (String segment : key.split("/", -1)) {
      if (segment.isEmpty() || segment.startsWith(".")) {
        return true;
      }
    }
    return false;
  }

  private static Region resolveRegion(S3BlobStoreOptions options, S3Location location) {
    if (options.region() != null) {
      return options.region();
    }
    try {
      return DefaultAwsRegionProviderChain.builder().build().getRegion();
    } catch (SdkClientException e) {
      if (options.endpointOverride() != null) {
        return Region.US_EAST_1; // S3-compatible servers mostly ignore the region; it only signs
      }
      throw new IllegalArgumentException("No AWS region for blob root " + location.root()
          + ": set the region option (setting 'region'), AWS_REGION, or a region in the AWS profile", e);
    }
  }

  /** HeadObject; empty on 404 (after making sure once that the bucket itself exists). */
  private Optional<HeadObjectResponse> head(String key, String objectKey) {
    try {
      return Optional.of(s3.headObject(b -> b.bucket(bucket()).key(objectKey)));
    } catch (S3Exception e) {
      if (e.statusCode() != 404) {
        throw failure("HEAD", uri(key), e);
      }
      // A HEAD response has no body, so a missing bucket looks like a missing key: check once.
      confirmBucket(key);
      return Optional.empty();
    } catch (SdkException e) {
      throw failure("HEAD", uri(key), e);
    }
  }

  private void confirmBucket(String key) {
    if (bucketConfirmed) {
      return;
    }
    try {
      s3.headBucket(b -> b.bucket(bucket()));
      bucketConfirmed = true;
    } catch (NoSuchBucketException e) {
      throw failure("HEAD", uri(key), e);
    } catch (S3Exception e) {
      if (e.statusCode() == 404) {
        throw failure("HEAD", uri(key), e);
      }
      // Cannot tell (e.g. no s3:ListBucket permission): leave it to the operations that can.
      bucketConfirmed = true;
    } catch (SdkException e) {
      throw failure("HEAD", uri(key), e);
    }
  }

  private String putObject(String objectKey, BlobContent content, Consumer<PutObjectRequest.Builder> conditions) {
    long length = content.length();
    try (ContentProvider body = new ContentProvider(content)) {
      return s3.putObject(b -> {
        b.bucket(bucket()).key(objectKey).contentLength(length).contentType(OCTET_STREAM);
        conditions.accept(b);
      }, RequestBody.fromContentProvider(body, length, OCTET_STREAM)).eTag();
    }
  }

  /**
   * Retries a conditional write that S3 answered with 409 (concurrent conditional writes on the
   * same key; AWS asks clients to retry), with jittered exponential backoff.
   */
  private <T> T retryingConflicts(Supplier<T> write) {
    for (int attempt = 1; ; attempt++) {
      try {
        return write.get();
      } catch (S3Exception e) {
        if (e.statusCode() != 409 || attempt >= options.maxAttempts()) {
          throw e;
        }
        backoff(attempt);
      }
    }
  }

  private void backoff(int attempt) {
    long ceiling = Math.min(5_000L, 50L << Math.min(attempt, 10));
    try {
      Thread.sleep(ThreadLocalRandom.current().nextLong(ceiling + 1));
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new BlobStoreException(root(), "Interrupted while retrying a conflicting conditional write", e, true);
    }
  }

  private static boolean isConflict(S3Exception e) {
    // 412: the ETag differs. 404 NoSuchKey: there is no blob to match (If-Match on a missing key).
    return e.statusCode() == 412 || (e.statusCode() == 404 && "NoSuchKey".equals(errorCode(e)));
  }

  /**
   * A retried CompleteMultipartUpload that finds no upload: the earlier attempt may have completed
   * it with its response lost.
   */
  private static boolean lostCompletion(S3Exception e) {
    return e.statusCode() == 404 && "NoSuchUpload".equals(errorCode(e));
  }

  /**
   * After a conditional write failed: when the SDK retried it, the first attempt may have been
   * applied with its response lost, so the 412 is our own write. The object's ETag tells.
   */
  private Optional<String> landedAnyway(String key, String objectKey, S3Exception e, Supplier<String> ourEtag) {
    Integer attempts = e.numAttempts();
    if (attempts == null || attempts <= 1) {
      return Optional.empty();
    }
    Optional<HeadObjectResponse> current = head(key, objectKey);
    if (current.isPresent() && sameEtag(current.get().eTag(), ourEtag.get())) {
      return Optional.of(current.get().eTag());
    }
    return Optional.empty();
  }

  private static boolean sameEtag(String a, String b) {
    return a != null && b != null && unquote(a).equalsIgnoreCase(unquote(b));
  }

  private static String unquote(String etag) {
    String s = etag.startsWith("W/") ? etag.substring(2) : etag;
    return s.length() >= 2 && s.startsWith("\"") && s.endsWith("\"") ? s.substring(1, s.length() - 1) : s;
  }

  /** The ETag S3 gives a single-part upload of {@code content}: its MD5, quoted. */
  private static String singlePartEtag(BlobContent content) {
    MessageDigest md5 = md5();
    byte[] buffer = new byte[64 * 1024];
    try (InputStream in = content.open()) {
      for (int n; (n = in.read(buffer)) > 0; ) {
        md5.update(buffer, 0, n);
      }
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
    return "\"" + HexFormat.of().formatHex(md5.digest()) + "\"";
  }

  static MessageDigest md5() {
    try {
      return MessageDigest.getInstance("MD5");
    } catch (NoSuchAlgorithmException e) {
      throw new IllegalStateException(e);
    }
  }

  // ---------------------------------------------------------------- multipart

  /**
   * The part size for {@code content}: the configured one, raised for very large content (S3
   * allows at most 10,000 parts) and, for {@linkplain BlobContent#randomAccess() random-access}
   * content (a file), raised so the upload has at most {@link #PARTS_PER_SENDER} parts per
   * concurrent sender. Such parts are read from their own ranges and never buffered, so large
   * parts cost no memory and save requests; buffered parts keep the configured size, because each
   * part in flight is held in memory.
   */
  long partSize(BlobContent content) {
    long length = content.length();
    long partSize = Math.max(options.partSize(), ceilMib(length, MAX_PARTS));
    if (content.randomAccess()) {
      partSize = Math.max(partSize, Math.min(S3BlobStoreOptions.MAX_PART_SIZE,
          ceilMib(length, (long) PARTS_PER_SENDER * options.partConcurrency())));
    }
    return partSize;
  }

  /** {@code length / parts} rounded up to whole MiB. */
  private static long ceilMib(long length, long parts) {
    return ((length + parts - 1) / parts + (1 << 20) - 1) >> 20 << 20;
  }

  /**
   * Creates a multipart upload and uploads every part of {@code content}, up to {@link
   * S3BlobStoreOptions#partConcurrency()} parts at once; aborts on failure. Each sender reads its
   * part of random-access content (a file) from its own range; other content is read in order,
   * each part in flight holding its own buffer.
   */
  private Upload uploadParts(String key, String objectKey, BlobContent content) {
    long length = content.length();
    long partSize = partSize(content);
    if (partSize > S3BlobStoreOptions.MAX_PART_SIZE) {
      throw new BlobStoreException(
          uri(key), "A blob of " + length + " bytes needs parts larger than 1 GiB", null, false);
    }
    String uploadId = s3.createMultipartUpload(b -> b.bucket(bucket()).key(objectKey).contentType(OCTET_STREAM)
        .checksumAlgorithm(ChecksumAlgorithm.CRC32)).uploadId();
    Upload upload = new Upload(objectKey, uploadId, content, partSize);
    Semaphore slots = new Semaphore(options.partConcurrency());
    List<Future<UploadPartResponse>> sent = new ArrayList<>();
    try (ExecutorService senders = Executors.newThreadPerTaskExecutor(Thread.ofVirtual().name("pureremote-s3-part-", 0).factory());
        PartReader parts = content.randomAccess() ? new RangeParts(content) : new BufferedParts(content, partSize)) {
      try {
        long offset = 0;
        for (int partNumber = 1; offset < length; partNumber++) {
          slots.acquire();
          failFast(sent);
          int n = (int) Math.min(partSize, length - offset);
          ContentStreamProvider body = parts.next(offset, n);
          int number = partNumber;
          sent.add(senders.submit(() -> {
            try {
              return s3.uploadPart(b -> b.bucket(bucket()).key(objectKey).uploadId(uploadId)
                      .partNumber(number).contentLength((long) n).checksumAlgorithm(ChecksumAlgorithm.CRC32),
                  RequestBody.fromContentProvider(body, n, OCTET_STREAM));
            } finally {
              parts.done(body);
              slots.release();
            }
          }));
          offset += n;
        }
        for (int i = 0; i < sent.size(); i++) {
          upload.addPart(i + 1, sent.get(i).get());
        }
        parts.checkEnd(); // the content ended with the last part
        return upload;
      } finally {
        sent.forEach(f -> f.cancel(true)); // no-op for finished parts; stops the rest after a failure
      }
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      upload.abortQuietly();
      throw new BlobStoreException(uri(key), "Interrupted while uploading parts", e, false);
    } catch (ExecutionException e) {
      upload.abortQuietly();
      if (e.getCause() instanceof RuntimeException r) {
        throw r;
      }
      throw new BlobStoreException(uri(key), "Uploading a part failed: " + e.getCause(), e.getCause(), true);
    } catch (IOException e) {
      upload.abortQuietly();
      throw new UncheckedIOException(e);
    } catch (RuntimeException e) {
      upload.abortQuietly();
      throw e;
    }
  }

  /** Where the bytes of each part come from; {@link #next} is called in part order. */
  private interface PartReader extends AutoCloseable {
    /** The body of the part at {@code offset}, {@code n} bytes long, re-openable for retries. */
    ContentStreamProvider next(long offset, int n) throws IOException;

    /** The part's request has ended (sent or failed). */
    void done(ContentStreamProvider body);

    /** Fails when the content yields more bytes than its declared length, where that can be seen. */
    void checkEnd() throws IOException;

    @Override
    void close() throws IOException;
  }

  /** Parts read in order from one stream, each into a buffer held until its request ends. */
  private static final class BufferedParts implements PartReader {
    private final InputStream in;
    private final int bufferSize;
    private final Queue<byte[]> freeBuffers = new ConcurrentLinkedQueue<>();

    /** A part's bytes in memory; each attempt reads them again. */
    private record Part(byte[] buffer, int n) implements ContentStreamProvider {
      @Override
      public InputStream newStream() {
        return new ByteArrayInputStream(buffer, 0, n);
      }
    }

    BufferedParts(BlobContent content, long partSize) throws IOException {
      this.in = new ExactLengthStream(content.open(), content.length());
      this.bufferSize = (int) Math.min(partSize, content.length());
    }

    @Override
    public ContentStreamProvider next(long offset, int n) throws IOException {
      byte[] polled = freeBuffers.poll();
      byte[] buffer = polled != null ? polled : new byte[bufferSize];
      if (in.readNBytes(buffer, 0, n) != n) {
        throw new IOException("content ended early"); // ExactLengthStream reports it first
      }
      return new Part(buffer, n);
    }

    @Override
    public void done(ContentStreamProvider body) {
      freeBuffers.add(((Part) body).buffer());
    }

    @Override
    public void checkEnd() throws IOException {
      in.read(); // ExactLengthStream throws when the content goes on past its length
    }

    @Override
    public void close() throws IOException {
      in.close();
    }
  }

  /** Parts read by their senders from their own ranges of random-access content; nothing buffered. */
  private static final class RangeParts implements PartReader {
    private final BlobContent content;

    RangeParts(BlobContent content) {
      this.content = content;
    }

    @Override
    public ContentStreamProvider next(long offset, int n) {
      return new ContentProvider(new BlobContent() { // each attempt opens the range again
        @Override
        public long length() {
          return n;
        }

        @Override
        public InputStream open() throws IOException {
          return content.open(offset, n);
        }
      });
    }

    @Override
    public void done(ContentStreamProvider body) {
      ((ContentProvider) body).close(); // the last attempt's stream
    }

    @Override
    public void checkEnd() {
      // Each range read exactly its bytes (one that ended early failed its part). Content that
      // grew past its declared length is not read; BlobRef checks a file's size before uploading.
    }

    @Override
    public void close() {}
  }

  /** Stops reading more content as soon as one sent part has failed. */
  private static void failFast(List<Future<UploadPartResponse>> sent) throws ExecutionException, InterruptedException {
    for (Future<UploadPartResponse> f : sent) {
      if (f.isDone()) {
        f.get(); // throws the part's failure; a success costs nothing
      }
    }
  }

  /** A multipart upload in progress: its parts and the ETag S3 will give the result. */
  private final class Upload {
    private final String objectKey;
    private final String uploadId;
    private final BlobContent content;
    private final long partSize;
    private final List<CompletedPart> parts = new ArrayList<>();

    Upload(String objectKey, String uploadId, BlobContent content, long partSize) {
      this.objectKey = objectKey;
      this.uploadId = uploadId;
      this.content = content;
      this.partSize = partSize;
    }

    void addPart(int number, UploadPartResponse response) {
      parts.add(CompletedPart.builder().partNumber(number).eTag(response.eTag())
          .checksumCRC32(response.checksumCRC32()).build());
    }

    /**
     * S3's multipart ETag: the MD5 of the parts' MD5s, then {@code -<part count>}. Needed only
     * when a completion's response was lost, so the content is read again then, not hashed on
     * every upload.
     */
    Supplier<String> expectedEtag() {
      return () -> multipartEtag(content, partSize);
    }

    String complete(Consumer<CompleteMultipartUploadRequest.Builder> conditions) {
      return s3.completeMultipartUpload(b -> {
        b.bucket(bucket()).key(objectKey).uploadId(uploadId).multipartUpload(m -> m.parts(parts));
        conditions.accept(b);
      }).eTag();
    }

    void abortQuietly() {
      try {
        s3.abortMultipartUpload(b -> b.bucket(bucket()).key(objectKey).uploadId(uploadId));
      } catch (SdkException ignored) {
        // Already completed or gone; a leftover upload is never visible as an object (and a bucket
        // lifecycle rule can expire incomplete uploads).
      }
    }
  }

  /** The ETag S3 gives {@code content} uploaded in parts of {@code partSize} bytes. */
  static String multipartEtag(BlobContent content, long partSize) {
    MessageDigest partDigests = md5();
    byte[] buffer = new byte[64 * 1024];
    int count = 0;
    try (InputStream in = content.open()) {
      for (long left = content.length(); left > 0; count++) {
        MessageDigest part = md5();
        for (long partLeft = Math.min(partSize, left); partLeft > 0; ) {
          int n = in.read(buffer, 0, (int) Math.min(buffer.length, partLeft));
          if (n < 0) {
            throw new ContentLengthMismatch("the content ended before its declared length of " + content.length());
          }
          part.update(buffer, 0, n);
          partLeft -= n;
          left -= n;
        }
        partDigests.update(part.digest());
      }
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
    return "\"" + HexFormat.of().formatHex(partDigests.digest()) + "-" + count + "\"";
  }

  // ---------------------------------------------------------------- conditional-write probe

  private void requireConditionalWrites(String key, boolean multipart) {
    if (options.conditionalWrites() == ConditionalWrites.TRUST) {
      return;
    }
    String verdict = multipart ? multipartVerdict : singleVerdict;
    if (verdict == null) {
      synchronized (probeLock) {
        try {
          if (multipart) {
            if (multipartVerdict == null) {
              multipartVerdict = probeMultipart();
            }
            verdict = multipartVerdict;
          } else {
            if (singleVerdict == null) {
              singleVerdict = probeSingle();
            }
            verdict = singleVerdict;
          }
        } catch (SdkException | UncheckedIOException e) {
          throw failure("PUT (conditional-write probe under " + uri(".pureremote/") + ")", uri(key), e);
        }
      }
    }
    if (!verdict.isEmpty()) {
      throw new BlobStoreException(uri(key), verdict, null, false);
    }
  }

  private String probeKey() {
    return location.objectKey(".pureremote/probe-" + UUID.randomUUID());
  }

  /** "" when PutObject honours If-None-Match: * and If-Match; otherwise what it ignored. */
  private String probeSingle() {
    String probe = probeKey();
    BlobContent body = BlobContent.of(new byte[] {'p'});
    try {
      putObject(probe, body, b -> b.ifNoneMatch("*"));
      if (!rejected(() -> putObject(probe, body, b -> b.ifNoneMatch("*")))) {
        return unsupported("PutObject with If-None-Match: * overwrote an existing object", "putIfAbsent");
      }
      if (!rejected(() -> putObject(probe, body, b -> b.ifMatch("\"00000000000000000000000000000000\"")))) {
        return unsupported("PutObject with If-Match: <other etag> overwrote the object", "versioned put");
      }
      return "";
    } finally {
      deleteQuietly(probe);
    }
  }

  /** "" when CompleteMultipartUpload honours If-None-Match: * and If-Match; otherwise what it ignored. */
  private String probeMultipart() {
    String probe = probeKey();
    try {
      putObject(probe, BlobContent.of(new byte[] {'p'}), b -> {});
      String uploadId = s3.createMultipartUpload(b -> b.bucket(bucket()).key(probe)
          .checksumAlgorithm(ChecksumAlgorithm.CRC32)).uploadId();
      byte[] one = {'q'};
      Upload upload = new Upload(probe, uploadId, BlobContent.of(one), one.length);
      try {
        upload.addPart(1, s3.uploadPart(b -> b.bucket(bucket()).key(probe).uploadId(uploadId).partNumber(1)
            .checksumAlgorithm(ChecksumAlgorithm.CRC32), RequestBody.fromBytes(one)));
        if (!rejected(() -> upload.complete(b -> b.ifNoneMatch("*")))) {
          return unsupported("CompleteMultipartUpload with If-None-Match: * overwrote an existing object",
              "putIfAbsent of blobs above the multipart threshold");
        }
        if (!rejected(() -> upload.complete(b -> b.ifMatch("\"00000000000000000000000000000000\"")))) {
          return unsupported("CompleteMultipartUpload with If-Match: <other etag> overwrote the object",
              "versioned put of blobs above the multipart threshold");
        }
        return "";
      } finally {
        upload.abortQuietly();
      }
    } finally {
      deleteQuietly(probe);
    }
  }

  /** Whether the server refused the write with 412 (true) or performed it (false). */
  private static boolean rejected(Supplier<String> write) {
    try {
      write.get();
      return false;
    } catch (S3Exception e) {
      if (e.statusCode() == 412) {
        return true;
      }
      if (e.statusCode() == 501) {
        return false; // NotImplemented: the server does not do conditional writes at all
      }
      throw e;
    }
  }

  private String unsupported(String what, String operation) {
    String server = options.endpointOverride() == null ? "S3" : "The S3 server at " + options.endpointOverride();
    return server + " does not honour conditional writes: " + what + " during the one-time probe, so "
        + operation + " cannot be atomic there and the store refuses to pretend it is. Use a server that "
        + "supports If-None-Match/If-Match (AWS S3 does), or ConditionalWrites.TRUST only if the probe is wrong";
  }

  private void deleteQuietly(String objectKey) {
    try {
      s3.deleteObject(b -> b.bucket(bucket()).key(objectKey));
    } catch (SdkException ignored) {
      // A leftover probe object is harmless: names starting with '.' are never listed or read.
    }
  }

  // ---------------------------------------------------------------- errors

  private static String errorCode(S3Exception e) {
    return e.awsErrorDetails() == null ? null : e.awsErrorDetails().errorCode();
  }

  /** Maps an SDK failure to a {@link BlobStoreException} that names {@code uri} and the cause. */
  BlobStoreException failure(String operation, String uri, RuntimeException e) {
    ContentLengthMismatch mismatch = findCause(e, ContentLengthMismatch.class);
    if (mismatch != null) {
      return new BlobStoreException(uri, "S3 " + operation + " failed: " + mismatch.getMessage(), e, false);
    }
    String attempts = e instanceof SdkException s && s.numAttempts() != null && s.numAttempts() > 1
        ? " after " + s.numAttempts() + " attempts" : "";
    if (e instanceof S3Exception s3e) {
      int status = s3e.statusCode();
      String code = errorCode(s3e);
      String detail = status + (code == null ? "" : " " + code)
          + (s3e.awsErrorDetails() == null || s3e.awsErrorDetails().errorMessage() == null
              ? "" : ": " + s3e.awsErrorDetails().errorMessage());
      String why;
      boolean retryable = false;
      if (status == 403) {
        why = "access denied (" + detail + "). Check the credentials (the AWS default provider chain unless "
            + "set explicitly) and the bucket policy";
      } else if ("NoSuchBucket".equals(code) || e instanceof NoSuchBucketException
          || (status == 404 && operation.equals("HEAD"))) {
        why = "bucket '" + bucket() + "' does not exist (" + detail + ")";
      } else if ("InvalidBucketName".equals(code)) {
        why = "invalid bucket name '" + bucket() + "' (" + detail + ")";
      } else if (status == 301 || "PermanentRedirect".equals(code) || "AuthorizationHeaderMalformed".equals(code)) {
        why = "the bucket is not in region " + region.id() + " (" + detail + "); set the region option";
      } else if (status >= 500 || status == 429 || "SlowDown".equals(code) || "RequestTimeout".equals(code)) {
        why = "S3 kept failing" + attempts + " (" + detail + ")";
        retryable = true;
      } else {
        why = detail;
      }
      return new BlobStoreException(uri, "S3 " + operation + " failed: " + why, e, retryable);
    }
    if (e instanceof SdkClientException && findCause(e, IOException.class) != null) {
      String where = options.endpointOverride() == null ? "S3" : options.endpointOverride().toString();
      return new BlobStoreException(uri, "S3 " + operation + " failed: cannot reach " + where + attempts + " ("
          + e.getMessage() + ")", e, true);
    }
    if (e instanceof UncheckedIOException) {
      return new BlobStoreException(uri, "S3 " + operation + " failed: cannot read the content to upload ("
          + e.getCause() + ")", e, false);
    }
    return new BlobStoreException(uri, "S3 " + operation + " failed: " + e.getMessage(), e,
        e instanceof SdkException s && s.retryable());
  }

  private static <T extends Throwable> T findCause(Throwable t, Class<T> type) {
    for (Throwable c = t; c != null; c = c.getCause()) {
      if (type.isInstance(c)) {
        return type.cast(c);
      }
      if (c.getCause() == c) {
        break;
      }
    }
    return null;
  }

  // ---------------------------------------------------------------- streams

  /**
   * Opens the content afresh for each attempt the SDK makes, closing the previous stream; checks
   * the content yields exactly its declared length.
   */
  private static final class ContentProvider implements ContentStreamProvider,
      AutoCloseable {
    private final BlobContent content;
    private InputStream current;

    ContentProvider(BlobContent content) {
      this.content = content;
    }

    @Override
    public synchronized InputStream newStream() {
      close();
      try {
        current = new ExactLengthStream(content.open(), content.length());
      } catch (IOException e) {
        throw new UncheckedIOException(e);
      }
      return current;
    }

    @Override
    public synchronized void close() {
      if (current != null) {
        try {
          current.close();
        } catch (IOException ignored) {
          // Only reading was done on it.
        }
        current = null;
      }
    }
  }

  /** A GET response stream; aborts the connection when closed before the end. */
  /** A blob already read whole. */
  private record ReadBlob(byte[] bytes, String version) implements StoredBlob {
    @Override
    public InputStream stream() {
      return new java.io.ByteArrayInputStream(bytes);
    }

    @Override
    public long size() {
      return bytes.length;
    }

    @Override
    public void close() {}
  }

  private static final class S3Blob implements StoredBlob {
    private final ResponseInputStream<GetObjectResponse> in;
    private final long size;
    private final String version;
    private final InputStream stream;
    private long consumed;
    private boolean ended;

    S3Blob(ResponseInputStream<GetObjectResponse> in, long size, String version) {
      this.in = in;
      this.size = size;
      this.version = version;
      this.stream = new java.io.FilterInputStream(in) {
        @Override
        public int read() throws IOException {
          int b = super.read();
          count(b < 0 ? -1 : 1);
          return b;
        }

        @Override
        public int read(byte[] b, int off, int len) throws IOException {
          int n = super.read(b, off, len);
          count(n);
          return n;
        }

        @Override
        public void close() {
          S3Blob.this.close();
        }
      };
    }

    private void count(int n) {
      if (n < 0) {
        ended = true;
      } else {
        consumed += n;
        ended |= consumed >= size;
      }
    }

    @Override
    public InputStream stream() {
      return stream;
    }

    @Override
    public long size() {
      return size;
    }

    @Override
    public String version() {
      return version;
    }

    @Override
    public void close() {
      if (!ended) {
        in.abort(); // draining the rest of a large object just to reuse the connection costs more
      }
      try {
        in.close();
      } catch (IOException ignored) {
        // Closing a read stream cannot lose data.
      }
    }
  }
}
