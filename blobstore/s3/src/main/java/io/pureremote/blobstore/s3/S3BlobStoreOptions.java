package io.pureremote.blobstore.s3;

import java.net.URI;
import java.util.ArrayList;
import java.util.List;
import java.util.Objects;
import software.amazon.awssdk.auth.credentials.AwsCredentialsProvider;
import software.amazon.awssdk.core.interceptor.ExecutionInterceptor;
import software.amazon.awssdk.regions.Region;

/**
 * How an {@link S3BlobStore} talks to S3: region, endpoint, credentials, conditional-write checking,
 * multipart sizes and retries. Immutable; build one with {@link #builder()}.
 *
 * @param region the bucket's region; null means the SDK's default region chain ({@code AWS_REGION},
 *     profile, instance metadata), or {@code us-east-1} when an {@code endpointOverride} is set and
 *     that chain finds none (S3-compatible servers rarely care)
 * @param endpointOverride the endpoint of an S3-compatible server (e.g. {@code
 *     http://127.0.0.1:9000}); null for AWS S3
 * @param pathStyle address buckets as {@code endpoint/bucket/key} instead of {@code
 *     bucket.endpoint/key}; most S3-compatible servers need it
 * @param credentialsProvider where credentials come from; null means the SDK's default chain
 *     (environment, system properties, profile, web identity / IRSA on EKS, container and instance
 *     roles), which the store creates and closes itself
 * @param conditionalWrites whether to check, once, that the server honours conditional writes
 * @param multipartThreshold content longer than this many bytes is uploaded in parts
 * @param partSize bytes per uploaded part (5 MiB, the S3 minimum, to 1 GiB); raised automatically
 *     for content that would otherwise need more than 10,000 parts, and for a file (content that
 *     is {@linkplain io.pureremote.spi.BlobStore.BlobContent#randomAccess() random access}) so
 *     that its upload has at most {@code 4 × partConcurrency} parts (a 1 GiB file with the
 *     defaults: 16 parts of 64 MiB), since a file's parts are read from the file and not buffered
 * @param partConcurrency parts of one upload sent at once (1 to 32); each part of content that is
 *     not a file is held in memory while it is sent, so such an upload buffers at most {@code
 *     partConcurrency × partSize} bytes
 * @param maxAttempts attempts per S3 request, the first included (1 disables retries)
 * @param interceptors SDK interceptors added to the client, e.g. to count or trace requests
 */
public record S3BlobStoreOptions(
    Region region,
    URI endpointOverride,
    boolean pathStyle,
    AwsCredentialsProvider credentialsProvider,
    ConditionalWrites conditionalWrites,
    long multipartThreshold,
    long partSize,
    int partConcurrency,
    int maxAttempts,
    List<ExecutionInterceptor> interceptors) {

  /** The smallest part S3 accepts (except for the last part of an upload). */
  public static final long MIN_PART_SIZE = 5L << 20;

  /** The largest part this store uploads (a part of content that is not a file is held in memory while it is sent). */
  public static final long MAX_PART_SIZE = 1L << 30;

  /** The largest object a single PutObject may write. */
  public static final long MAX_SINGLE_PUT = 5L << 30;

  /** Default {@link #multipartThreshold()}: 16 MiB. */
  public static final long DEFAULT_MULTIPART_THRESHOLD = 16L << 20;

  /** Default {@link #partSize()}: 8 MiB. */
  public static final long DEFAULT_PART_SIZE = 8L << 20;

  /** Default {@link #partConcurrency()}: 4 parts in flight. */
  public static final int DEFAULT_PART_CONCURRENCY = 4;

  /** The most parts of one upload sent at once. */
  public static final int MAX_PART_CONCURRENCY = 32;

  /** Default {@link #maxAttempts()}. */
  public static final int DEFAULT_MAX_ATTEMPTS = 5;

  /**
   * Whether the store trusts the server to honour {@code If-None-Match: *} and {@code If-Match}.
   * Either way the store sends those headers and treats {@code 412 Precondition Failed} as "someone
   * else wrote first"; the modes differ in whether a server that silently ignores the headers is
   * caught. The store never falls back to a non-atomic check-then-write.
   */
  public enum ConditionalWrites {
    /**
     * The default. Before its first conditional write (and, separately, before its first
     * conditional multipart completion) the store probes the server once with a throw-away object
     * under {@code <root>/.pureremote/}: a second create must get 412, and a write against a made-up
     * ETag must get 412. If the server accepts either, every conditional write of this store fails
     * with a {@link io.pureremote.BlobStoreException} that says so, instead of overwriting
     * silently. The probe costs 4 requests once per store, and 7 more before the first
     * conditional multipart write.
     */
    REQUIRE,
    /**
     * Skip the probe: the caller vouches that the server honours conditional writes (AWS S3 does).
     * If it does not, concurrent writers can overwrite each other's results and leases without any
     * error, so use this only for servers known to support them.
     */
    TRUST
  }

  /**
   * {@code value}, or {@code <name> must be between <min> and <max>, got <value> (<why>)} ({@code
   * must be >= <min>} without an upper end): this module's one wording of a range error, the same
   * as the other modules'.
   */
  static long between(String name, long min, long max, long value, String why) {
    if (value < min || value > max) {
      String range = max == Integer.MAX_VALUE || max == Long.MAX_VALUE ? ">= " + min : "between " + min + " and " + max;
      throw new IllegalArgumentException(name + " must be " + range + ", got " + value + (why.isEmpty() ? "" : " (" + why + ")"));
    }
    return value;
  }

  /** Checks the values and copies the interceptor list. */
  public S3BlobStoreOptions {
    Objects.requireNonNull(conditionalWrites, "conditionalWrites");
    between("partSize", MIN_PART_SIZE, MAX_PART_SIZE, partSize,
        "5 MiB, the S3 minimum, to 1 GiB: a part is held in memory");
    between("multipartThreshold", 0, MAX_SINGLE_PUT, multipartThreshold, "up to 5 GiB, the largest single PutObject");
    between("partConcurrency", 1, MAX_PART_CONCURRENCY, partConcurrency, "each part in flight is held in memory");
    between("maxAttempts", 1, Integer.MAX_VALUE, maxAttempts, "");
    if (endpointOverride != null && (endpointOverride.getScheme() == null || endpointOverride.getHost() == null)) {
      throw new IllegalArgumentException(
          "endpointOverride must be an absolute URI such as http://127.0.0.1:9000, got " + endpointOverride);
    }
    interceptors = List.copyOf(interceptors == null ? List.of() : interceptors);
  }

  /** Every option, with the credentials provider shown by its type only (never a key). */
  @Override
  public String toString() {
    return "S3BlobStoreOptions[region=" + region + ", endpointOverride=" + endpointOverride + ", pathStyle="
        + pathStyle + ", credentialsProvider="
        + (credentialsProvider == null ? "default chain" : credentialsProvider.getClass().getSimpleName())
        + ", conditionalWrites=" + conditionalWrites + ", multipartThreshold=" + multipartThreshold
        + ", partSize=" + partSize + ", partConcurrency=" + partConcurrency + ", maxAttempts=" + maxAttempts + ", interceptors=" + interceptors.size() + "]";
  }

  /** The defaults: AWS S3, default region and credential chains, probed conditional writes. */
  public static S3BlobStoreOptions defaults() {
    return builder().build();
  }

  /** A builder starting from the defaults. */
  public static Builder builder() {
    return new Builder();
  }

  /** A builder starting from these options. */
  public Builder toBuilder() {
    Builder b = new Builder();
    b.region = region;
    b.endpointOverride = endpointOverride;
    b.pathStyle = pathStyle;
    b.credentialsProvider = credentialsProvider;
    b.conditionalWrites = conditionalWrites;
    b.multipartThreshold = multipartThreshold;
    b.partSize = partSize;
    b.partConcurrency = partConcurrency;
    b.maxAttempts = maxAttempts;
    b.interceptors.addAll(interceptors);
    return b;
  }

  /** Builds {@link S3BlobStoreOptions}; every setter is optional. */
  public static final class Builder {
    private Region region;
    private URI endpointOverride;
    private boolean pathStyle;
    private AwsCredentialsProvider credentialsProvider;
    private ConditionalWrites conditionalWrites = ConditionalWrites.REQUIRE;
    private long multipartThreshold = DEFAULT_MULTIPART_THRESHOLD;
    private long partSize = DEFAULT_PART_SIZE;
    private int partConcurrency = DEFAULT_PART_CONCURRENCY;
    private int maxAttempts = DEFAULT_MAX_ATTEMPTS;
    private final List<ExecutionInterceptor> interceptors = new ArrayList<>();

    private Builder() {}

    /** The bucket's region; see {@link S3BlobStoreOptions#region()}. */
    public Builder region(Region region) {
      this.region = region;
      return this;
    }

    /** The bucket's region by id, e.g. {@code eu-west-1}. */
    public Builder region(String region) {
      this.region = region == null ? null : Region.of(region);
      return this;
    }

    /** The endpoint of an S3-compatible server; null for AWS S3. */
    public Builder endpointOverride(URI endpoint) {
      this.endpointOverride = endpoint;
      return this;
    }

    /** Path-style bucket addressing; see {@link S3BlobStoreOptions#pathStyle()}. */
    public Builder pathStyle(boolean pathStyle) {
      this.pathStyle = pathStyle;
      return this;
    }

    /** Explicit credentials (tests, special set-ups); null for the SDK's default chain. */
    public Builder credentialsProvider(AwsCredentialsProvider provider) {
      this.credentialsProvider = provider;
      return this;
    }

    /** See {@link ConditionalWrites}. */
    public Builder conditionalWrites(ConditionalWrites mode) {
      this.conditionalWrites = Objects.requireNonNull(mode, "mode");
      return this;
    }

    /** Content longer than this many bytes is uploaded in parts. */
    public Builder multipartThreshold(long bytes) {
      this.multipartThreshold = bytes;
      return this;
    }

    /** Bytes per uploaded part, at least 5 MiB. */
    public Builder partSize(long bytes) {
      this.partSize = bytes;
      return this;
    }

    /** Parts of one upload sent at once; see {@link S3BlobStoreOptions#partConcurrency()}. */
    public Builder partConcurrency(int parts) {
      this.partConcurrency = parts;
      return this;
    }

    /** Attempts per request, the first included. */
    public Builder maxAttempts(int attempts) {
      this.maxAttempts = attempts;
      return this;
    }

    /** Adds an SDK interceptor (e.g. one that counts requests). */
    public Builder addInterceptor(ExecutionInterceptor interceptor) {
      this.interceptors.add(Objects.requireNonNull(interceptor, "interceptor"));
      return this;
    }

    /** The options. */
    public S3BlobStoreOptions build() {
      return new S3BlobStoreOptions(region, endpointOverride, pathStyle, credentialsProvider, conditionalWrites,
          multipartThreshold, partSize, partConcurrency, maxAttempts, interceptors);
    }
  }
}
