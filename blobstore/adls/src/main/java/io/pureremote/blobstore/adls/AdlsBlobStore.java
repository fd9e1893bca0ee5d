package io.pureremote.blobstore.adls;

import com.azure.core.credential.TokenCredential;
import com.azure.core.exception.HttpResponseException;
import com.azure.core.http.HttpClient;
import com.azure.core.http.HttpPipelineCallContext;
import com.azure.core.http.HttpPipelineNextPolicy;
import com.azure.core.http.HttpPipelineNextSyncPolicy;
import com.azure.core.http.HttpResponse;
import com.azure.core.http.policy.HttpPipelinePolicy;
import com.azure.core.http.jdk.httpclient.JdkHttpClientBuilder;
import com.azure.core.http.rest.Response;
import com.azure.core.util.Context;
import com.azure.identity.DefaultAzureCredentialBuilder;
import com.azure.storage.blob.BlobClient;
import com.azure.storage.blob.BlobContainerClient;
import com.azure.storage.blob.BlobContainerClientBuilder;
import com.azure.storage.blob.models.BlobItem;
import com.azure.storage.blob.models.BlobListDetails;
import com.azure.storage.blob.models.BlobProperties;
import com.azure.storage.blob.models.BlobRequestConditions;
import com.azure.storage.blob.models.BlockBlobItem;
import com.azure.storage.blob.models.ListBlobsOptions;
import com.azure.storage.blob.models.ParallelTransferOptions;
import com.azure.storage.blob.options.BlobInputStreamOptions;
import com.azure.storage.blob.options.BlobParallelUploadOptions;
import com.azure.storage.blob.specialized.BlobInputStream;
import com.azure.storage.common.policy.RequestRetryOptions;
import com.azure.storage.common.policy.RetryPolicyType;
import com.azure.storage.file.datalake.DataLakeFileSystemClient;
import com.azure.storage.file.datalake.DataLakeFileSystemClientBuilder;
import com.azure.storage.file.datalake.options.DataLakePathDeleteOptions;
import io.pureremote.BlobStoreException;
import io.pureremote.spi.BlobStore.BlobContent;
import io.pureremote.spi.BlobStore;
import io.pureremote.spi.BlobStore.StoredBlob;
import io.pureremote.spi.BlobStore.VersionConflictException;
import java.io.IOException;
import java.io.InputStream;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;
import java.util.concurrent.atomic.AtomicInteger;
import reactor.core.publisher.Mono;

/**
 * A {@link BlobStore} on Azure Data Lake Storage Gen2 (or any Azure storage account), rooted at
 * {@code abfss://<container>@<account>.dfs.core.windows.net/<path>} or {@code
 * adls://<account>/<container>/<path>}.
 *
 * <p><b>Which API does what.</b> Every {@link BlobStore} operation goes through the <em>Blob
 * API</em> ({@code BlobContainerClient}/{@code BlobClient}): ADLS Gen2 accounts serve it alongside
 * the Data Lake (DFS) API, it has the conditional writes the memo needs, and the Azurite emulator
 * implements it (Azurite answers every DFS-only call with 400, so DFS code cannot be tested
 * locally).
 *
 * <ul>
 *   <li>{@link #get}: {@code openInputStream} (Get Blob in chunks of {@code blockSize}; a blob
 *       smaller than that is one request). 404 → empty; the version is the ETag, and later chunks
 *       are read with {@code If-Match} on it, so a replaced blob fails the read instead of mixing
 *       contents.
 *   <li>{@link #putIfAbsent}: upload with {@code If-None-Match: *}. Azure and Azurite answer an
 *       existing blob with 409 {@code BlobAlreadyExists} (not 412), which means "not created";
 *       unless the SDK sent the create more than once (an answer lost after the blob was made):
 *       then the blob is read back, and this writer's own bytes mean "created".
 *   <li>{@link #put}: upload with {@code If-Match: <etag>} when a version is expected (412 or 404
 *       → {@link VersionConflictException}), unconditional otherwise.
 *   <li>Uploads stream from {@link BlobContent#open()}: content up to {@code blockSize} is one Put
 *       Blob, bigger content is staged in blocks and committed with one Put Block List that carries
 *       the conditions, so a blob appears complete or not at all.
 *   <li>{@link #exists}: Get Blob Properties. {@link #list}: List Blobs (flat, by prefix).
 *       {@link #delete}: Delete Blob.
 *   <li>{@link #deleteDirectory}: the one <em>Data Lake API</em> call, a recursive directory
 *       delete, only meaningful on accounts with a hierarchical namespace.
 * </ul>
 *
 * <p>On hierarchical-namespace accounts the Blob API shows directories as empty blobs with
 * metadata {@code hdi_isfolder=true}; this store treats them as absent (get, exists, list).
 *
 * <p>Transient failures (429, 500, 503, I/O errors, timeouts) are retried by the SDK's exponential
 * retry policy configured from {@link AdlsBlobStoreOptions}; what is left surfaces as a {@link
 * BlobStoreException} naming the URI, with {@link BlobStoreException#isRetryable()} telling
 * transient from permanent failures (access denied, missing container, unknown account).
 *
 * <p>Thread-safe. Credentials refresh their own tokens; the store never caches one.
 */
public final class AdlsBlobStore implements BlobStore {
  /** Metadata the Blob API shows on directory entries of hierarchical-namespace accounts. */
  private static final String FOLDER_METADATA = "hdi_isfolder";

  static {
    allowContentLengthHeader();
  }

  /**
   * Lets the JDK HTTP client send {@code Content-Length}, which azure-core sets on every request;
   * without it the client logs a WARN per request ("header is restricted") and drops the header.
   * Both the JDK and azure-core read {@code jdk.httpclient.allowRestrictedHeaders} once (the JDK
   * when its HTTP classes initialize, azure-core on its first client), so this runs before this
   * class builds a client and keeps a value the application set. When other Azure clients were
   * built earlier in the JVM, pass {@code -Djdk.httpclient.allowRestrictedHeaders=content-length}
   * on the command line instead.
   */
  static void allowContentLengthHeader() {
    String allowed = System.getProperty("jdk.httpclient.allowRestrictedHeaders");
    if (allowed == null || allowed.isBlank()) {
      System.setProperty("jdk.httpclient.allowRestrictedHeaders", "content-length");
    } else if (!allowed.toLowerCase(java.util.Locale.ROOT).contains("content-length")) {
      System.setProperty("jdk.httpclient.allowRestrictedHeaders", allowed + ",content-length");
    }
  }

  private final AdlsLocation location;
  private final AdlsBlobStoreOptions options;
  private final AdlsErrors errors;
  private final HttpClient http;
  private final RequestRetryOptions retry;
  private final TokenCredential tokenCredential;
  private final BlobContainerClient container;
  private volatile DataLakeFileSystemClient dataLake;

  /**
   * A store rooted at {@code rootUri}. Builds clients only; the first request goes out with the
   * first operation, so a wrong credential or missing container shows up there.
   *
   * @throws IllegalArgumentException when the URI is malformed; the message shows both forms
   */
  public AdlsBlobStore(String rootUri, AdlsBlobStoreOptions options) {
    this.location = AdlsLocation.parse(rootUri);
    this.options = Objects.requireNonNull(options, "options");
    this.errors = new AdlsErrors(location, options, blobEndpoint());
    this.http = new JdkHttpClientBuilder().build();
    this.retry = new RequestRetryOptions(RetryPolicyType.EXPONENTIAL, options.maxTries(), options.tryTimeout(),
        options.retryDelay(), options.maxRetryDelay(), null);
    BlobContainerClientBuilder builder = new BlobContainerClientBuilder()
        .endpoint(blobEndpoint())
        .containerName(location.container())
        .httpClient(http)
        .retryOptions(retry)
        .addPolicy(new CommitAttempts());
    // One token credential per store, shared by both clients: it caches and refreshes its tokens.
    this.tokenCredential = options.sharedKey() != null || options.sasToken() != null ? null
        : options.credential() != null ? options.credential()
        : new DefaultAzureCredentialBuilder().httpClient(http).build();
    if (options.sharedKey() != null) {
      builder.credential(options.sharedKey());
    } else if (options.sasToken() != null) {
      builder.sasToken(options.sasToken());
    } else {
      builder.credential(tokenCredential);
    }
    this.container = builder.buildClient();
  }

  /** A store rooted at {@code rootUri} with {@link AdlsBlobStoreOptions#defaults()}. */
  public AdlsBlobStore(String rootUri) {
    this(rootUri, AdlsBlobStoreOptions.defaults());
  }

  @Override
  public String root() {
    return location.root();
  }

  /** The settings this store uses. */
  public AdlsBlobStoreOptions options() {
    return options;
  }

  /**
   * The endpoint override, and the emulator key's name when the store uses it (the well-known
   * Azurite key is public; real credentials never leave this process).
   */
  @Override
  public Map<String, String> remoteSettings() {
    Map<String, String> settings = new LinkedHashMap<>();
    if (options.endpoint() != null) {
      settings.put(AdlsBlobStoreProvider.ENDPOINT, options.endpoint());
    }
    if (options.usesDevAccountKey()) {
      settings.put(AdlsBlobStoreProvider.CREDENTIAL, AdlsBlobStoreProvider.DEV_ACCOUNT_KEY);
    }
    return settings;
  }

  @Override
  public Optional<StoredBlob> get(String key) {
    BlobClient blob = blob(key);
    try {
      BlobInputStream in = blob.openInputStream(new BlobInputStreamOptions().setBlockSize(options.blockSize()),
          Context.NONE);
      BlobProperties props = in.getProperties();
      AdlsBlob opened = new AdlsBlob(in, props.getBlobSize(), props.getETag());
      if (isFolder(props.getMetadata())) {
        opened.close();
        return Optional.empty();
      }
      return Optional.of(opened);
    } catch (HttpResponseException e) {
      if (blobNotFound(e)) {
        return Optional.empty();
      }
      throw errors.map(uri(key), "Reading", e);
    } catch (RuntimeException e) {
      throw errors.map(uri(key), "Reading", e);
    }
  }

  @Override
  public Optional<String> putIfAbsent(String key, BlobContent content) {
    AtomicInteger commits = new AtomicInteger();
    try {
      return Optional.of(upload(key, content, new BlobRequestConditions().setIfNoneMatch("*"),
          new Context(COMMIT_ATTEMPTS, commits)).getValue().getETag());
    } catch (HttpResponseException e) {
      int status = AdlsErrors.status(e);
      String code = AdlsErrors.code(e);
      if ((status == 409 && "BlobAlreadyExists".equals(code)) || status == 412) {
        // The SDK sent the create again (its first answer was lost): the blob it meets may be its own.
        return commits.get() > 1 ? ownBlob(key, content) : Optional.empty();
      }
      // Another writer committed first and thereby dropped our staged blocks (large content only).
      if ("InvalidBlockList".equals(code) && exists(key)) {
        return Optional.empty();
      }
      throw errors.map(uri(key), "Creating", e);
    } catch (RuntimeException e) {
      throw errors.map(uri(key), "Creating", e);
    }
  }

  /**
   * The version of the blob at {@code key} when it holds exactly {@code content}'s bytes: a create
   * the SDK retried after its answer was lost then met its own blob, and created it. Empty when
   * the blob holds other bytes (another writer's) or is gone. The library's creates are told apart
   * by their bytes (lease records name their holder, results their run, content is addressed by
   * its hash), so equal bytes are this writer's.
   */
  private Optional<String> ownBlob(String key, BlobContent content) {
    Optional<StoredBlob> stored = get(key);
    if (stored.isEmpty()) {
      return Optional.empty();
    }
    try (StoredBlob blob = stored.get()) {
      if (blob.size() != content.length()) {
        return Optional.empty();
      }
      try (InputStream theirs = blob.stream(); InputStream ours = content.open()) {
        return sameBytes(theirs, ours) ? Optional.of(blob.version()) : Optional.empty();
      }
    } catch (IOException e) {
      throw new BlobStoreException(uri(key), "Cannot read it back to tell whether a retried create made it: " + e, e,
          true);
    }
  }

  private static boolean sameBytes(InputStream a, InputStream b) throws IOException {
    byte[] x = new byte[1 << 16];
    byte[] y = new byte[1 << 16];
    while (true) {
      int n = a.readNBytes(x, 0, x.length);
      int m = b.readNBytes(y, 0, n == 0 ? 1 : n);
      if (n != m || !java.util.Arrays.equals(x, 0, n, y, 0, m)) {
        return false;
      }
      if (n == 0) {
        return true;
      }
    }
  }

  @Override
  public String put(String key, BlobContent content, String expectedVersion) {
    BlobRequestConditions conditions =
        expectedVersion == null ? null : new BlobRequestConditions().setIfMatch(expectedVersion);
    try {
      return upload(key, content, conditions, Context.NONE).getValue().getETag();
    } catch (HttpResponseException e) {
      String code = AdlsErrors.code(e);
      if (expectedVersion != null
          && (AdlsErrors.status(e) == 412 || blobNotFound(e) || "InvalidBlockList".equals(code))) {
        throw new VersionConflictException(uri(key), expectedVersion);
      }
      throw errors.map(uri(key), "Writing", e);
    } catch (RuntimeException e) {
      throw errors.map(uri(key), "Writing", e);
    }
  }

  @Override
  public boolean exists(String key) {
    try {
      Response<BlobProperties> r = blob(key).getPropertiesWithResponse(null, null, Context.NONE);
      return !isFolder(r.getValue().getMetadata());
    } catch (HttpResponseException e) {
      if (blobNotFound(e)) {
        return false;
      }
      throw errors.map(uri(key), "Checking", e);
    } catch (RuntimeException e) {
      throw errors.map(uri(key), "Checking", e);
    }
  }

  @Override
  public List<String> list(String prefix) {
    Objects.requireNonNull(prefix, "prefix");
    String names = location.namePrefix();
    // Metadata tells directory entries of hierarchical-namespace accounts from blobs.
    ListBlobsOptions request = new ListBlobsOptions().setPrefix(names + prefix)
        .setDetails(new BlobListDetails().setRetrieveMetadata(true));
    List<String> keys = new ArrayList<>();
    try {
      for (BlobItem item : container.listBlobs(request, null)) {
        if (!Boolean.TRUE.equals(item.isPrefix()) && !isFolder(item.getMetadata())) {
          keys.add(item.getName().substring(names.length()));
        }
      }
    } catch (RuntimeException e) {
      throw errors.map(uri(prefix), "Listing", e);
    }
    keys.sort(null);
    return keys;
  }

  @Override
  public boolean delete(String key) {
    try {
      blob(key).deleteWithResponse(null, null, null, Context.NONE);
      return true;
    } catch (HttpResponseException e) {
      if (blobNotFound(e)) {
        return false;
      }
      throw errors.map(uri(key), "Deleting", e);
    } catch (RuntimeException e) {
      throw errors.map(uri(key), "Deleting", e);
    }
  }

  /**
   * Deletes the directory {@code prefix} (e.g. one function's memo folder) and everything under
   * it in one request, through the <b>Data Lake API</b>. Meaningful only on accounts with a
   * hierarchical namespace (ADLS Gen2), where a directory is a real object. Elsewhere use {@link
   * #list} and {@link #delete} each blob: a flat account has no directories to delete, and Azurite,
   * which lacks the Data Lake API, serves the request as a plain blob delete and so removes nothing
   * under the prefix (hence untested locally).
   *
   * @return whether the directory existed
   */
  public boolean deleteDirectory(String prefix) {
    checkKey(prefix);
    String path = location.namePrefix() + prefix;
    try {
      return dataLake().getDirectoryClient(path)
          .deleteIfExistsWithResponse(new DataLakePathDeleteOptions().setIsRecursive(true), null, Context.NONE)
          .getValue();
    } catch (RuntimeException e) {
      throw errors.map(uri(prefix), "Deleting directory (Data Lake API, hierarchical namespace only)", e);
    }
  }

  @Override
  public String toString() {
    return "AdlsBlobStore[" + root() + " via " + blobEndpoint() + "]";
  }

  private String blobEndpoint() {
    return options.endpoint() != null ? options.endpoint() : location.blobEndpoint();
  }

  private DataLakeFileSystemClient dataLake() {
    DataLakeFileSystemClient client = dataLake;
    if (client == null) {
      // Built on first use only: nothing else needs the DFS endpoint.
      String endpoint = blobEndpoint().replace(".blob.", ".dfs.");
      DataLakeFileSystemClientBuilder b = new DataLakeFileSystemClientBuilder().endpoint(endpoint)
          .fileSystemName(location.container()).httpClient(http).retryOptions(retry);
      if (options.sharedKey() != null) {
        b.credential(options.sharedKey());
      } else if (options.sasToken() != null) {
        b.sasToken(options.sasToken());
      } else {
        b.credential(tokenCredential);
      }
      client = b.buildClient();
      dataLake = client;
    }
    return client;
  }

  private Response<BlockBlobItem> upload(String key, BlobContent content, BlobRequestConditions conditions,
      Context context) {
    BlobClient blob = blob(key);
    long length = content.length();
    try (InputStream in = content.open()) {
      // Single Put Blob up to one block; beyond, blocks of blockSize and one conditional commit.
      ParallelTransferOptions transfer = new ParallelTransferOptions()
          .setBlockSizeLong((long) options.blockSize())
          .setMaxSingleUploadSizeLong((long) options.blockSize())
          .setMaxConcurrency(options.maxConcurrency());
      // Not BinaryData: BlobParallelUploadOptions(BinaryData) reads the whole stream into memory.
      // The stream constructor reads block by block; the wrapper enforces the declared length.
      InputStream exact = new ExactLengthInputStream(in, length);
      return blob.uploadWithResponse(new BlobParallelUploadOptions(exact)
          .setParallelTransferOptions(transfer).setRequestConditions(conditions), null, context);
    } catch (IOException e) {
      throw new BlobStoreException(uri(key), "Cannot read the content to upload: " + e, e, false);
    }
  }

  private BlobClient blob(String key) {
    checkKey(key);
    return container.getBlobClient(location.namePrefix() + key);
  }

  private static boolean blobNotFound(HttpResponseException e) {
    // ContainerNotFound is a 404 too, but an error, never "no blob".
    String code = AdlsErrors.code(e);
    return AdlsErrors.status(e) == 404 && ("BlobNotFound".equals(code) || code.isEmpty());
  }

  private static boolean isFolder(Map<String, String> metadata) {
    return metadata != null && "true".equalsIgnoreCase(metadata.get(FOLDER_METADATA));
  }

  /** Same key rules as every store: non-empty /-separated segments, none starting with '.'. */
  static void checkKey(String key) {
    Objects.requireNonNull(key, "key");
    if (key.isEmpty() || key.startsWith("/") || key.endsWith("/") || key.contains("\\")) {
      throw new IllegalArgumentException("Invalid blob key '" + key + "': use non-empty /-separated segments");
    }
    for (String segment : key.split("/", -1)) {
      if (segment.isEmpty() || segment.startsWith(".")) {
        throw new IllegalArgumentException(
            "Invalid blob key '" + key + "': segments must be non-empty and must not start with '.'");
      }
    }
  }

  /** Context key of the counter {@link CommitAttempts} raises. */
  private static final String COMMIT_ATTEMPTS = "pureremote-commit-attempts";

  /**
   * Counts, per attempt (after the retry policy), the requests that create a blob (Put Blob, Put
   * Block List; not the staged blocks) of an upload that carries a counter in its context: more
   * than one means the SDK sent the create again.
   */
  private static final class CommitAttempts implements HttpPipelinePolicy {
    @Override
    public Mono<HttpResponse> process(HttpPipelineCallContext context, HttpPipelineNextPolicy next) {
      count(context);
      return next.process();
    }

    @Override
    public HttpResponse processSync(HttpPipelineCallContext context, HttpPipelineNextSyncPolicy next) {
      count(context);
      return next.processSync();
    }

    private static void count(HttpPipelineCallContext context) {
      context.getData(COMMIT_ATTEMPTS).ifPresent(counter -> {
        String query = context.getHttpRequest().getUrl().getQuery();
        boolean stagedBlock = query != null && (query.contains("comp=block&") || query.endsWith("comp=block"));
        if (!stagedBlock && counter instanceof AtomicInteger attempts) {
          attempts.incrementAndGet();
        }
      });
    }
  }

  /** A blob being read: the SDK's chunked stream, pinned to the ETag it started with. */
  private static final class AdlsBlob implements StoredBlob {
    private final InputStream in;
    private final long size;
    private final String version;

    AdlsBlob(InputStream in, long size, String version) {
      this.in = in;
      this.size = size;
      this.version = version;
    }

    @Override
    public InputStream stream() {
      return in;
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
      try {
        in.close();
      } catch (IOException ignored) {
        // Closing a read stream loses nothing.
      }
    }
  }
}
