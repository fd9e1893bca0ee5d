package io.pureremote.blobstore.adls;

import com.azure.core.credential.TokenCredential;
import com.azure.storage.common.StorageSharedKeyCredential;
import java.net.URI;
import java.time.Duration;
import java.util.Objects;

/**
 * Settings of an {@link AdlsBlobStore}: endpoint, credential, retries and transfer sizes.
 * Immutable; build with {@link #builder()}.
 *
 * <p>Credentials: at most one of {@code credential}, {@code sharedKey} and {@code sasToken}. With
 * none, the store uses {@code new DefaultAzureCredentialBuilder().build()}, which covers workload
 * identity in Kubernetes pods, managed identity on Azure hosts and the Azure CLI login on a laptop.
 * A token credential refreshes its tokens itself; the store never caches tokens.
 *
 * @param endpoint Blob API endpoint overriding {@code https://<account>.blob.<suffix>}, e.g.
 *     {@code http://127.0.0.1:10000/devstoreaccount1} for Azurite; null for the account's own
 * @param credential Microsoft Entra ID credential; null for the default chain (unless a shared key
 *     or SAS token is given)
 * @param sharedKey account name and key (tests, emulators); null when unused
 * @param sasToken shared access signature, with or without a leading {@code ?} (tests); null when
 *     unused
 * @param maxTries attempts per request, including the first (the SDK's {@code RequestRetryOptions})
 * @param tryTimeout limit of one attempt, including its body transfer
 * @param retryDelay delay before the first retry; doubles on each further retry
 * @param maxRetryDelay upper bound of the delay between retries
 * @param blockSize upload block size and read chunk size in bytes; bigger blobs are uploaded in
 *     blocks of this size, so at most about {@code blockSize * (maxConcurrency + 1)} bytes of an
 *     upload are held in memory
 * @param maxConcurrency blocks of one upload sent in parallel
 */
public record AdlsBlobStoreOptions(
    String endpoint,
    TokenCredential credential,
    StorageSharedKeyCredential sharedKey,
    String sasToken,
    int maxTries,
    Duration tryTimeout,
    Duration retryDelay,
    Duration maxRetryDelay,
    int blockSize,
    int maxConcurrency) {

  /** Account name of the Azure storage emulator (Azurite). */
  public static final String DEV_ACCOUNT = "devstoreaccount1";

  /** The published, well-known key of {@link #DEV_ACCOUNT}; Azurite accepts it, Azure does not. */
  public static final String DEV_ACCOUNT_KEY =
      "Eby8vdM02xNOcqFlqUwJPLlmEtlCDXJ1OUzFT50uSRZ6IFsuFq2UVErCz4I6tq/K1SZFPTOtr/KBHBeksoGMGw==";

  /** Validates the settings. */
  public AdlsBlobStoreOptions {
    int credentials = (credential != null ? 1 : 0) + (sharedKey != null ? 1 : 0) + (sasToken != null ? 1 : 0);
    if (credentials > 1) {
      throw new IllegalArgumentException("Give at most one of credential, sharedKey and sasToken");
    }
    if (endpoint != null) {
      URI u;
      try {
        u = URI.create(endpoint);
      } catch (IllegalArgumentException e) {
        throw new IllegalArgumentException("Invalid endpoint '" + endpoint + "': " + e.getMessage(), e);
      }
      if (!("https".equals(u.getScheme()) || "http".equals(u.getScheme())) || u.getHost() == null
          || u.getQuery() != null) {
        throw new IllegalArgumentException(
            "Invalid endpoint '" + endpoint + "': use an http(s) URL without query, e.g. "
                + "https://acct.blob.core.windows.net or http://127.0.0.1:10000/devstoreaccount1");
      }
      while (endpoint.endsWith("/")) {
        endpoint = endpoint.substring(0, endpoint.length() - 1);
      }
    }
    if (sasToken != null && sasToken.startsWith("?")) {
      sasToken = sasToken.substring(1);
    }
    if (sasToken != null && sasToken.isBlank()) {
      throw new IllegalArgumentException("sasToken is blank");
    }
    atLeast("maxTries", 1, maxTries);
    positive("tryTimeout", tryTimeout);
    positive("retryDelay", retryDelay);
    positive("maxRetryDelay", maxRetryDelay);
    if (retryDelay.compareTo(maxRetryDelay) > 0) {
      throw new IllegalArgumentException("retryDelay " + retryDelay + " exceeds maxRetryDelay " + maxRetryDelay);
    }
    if (blockSize < 64 * 1024 || blockSize > 256 * 1024 * 1024) {
      throw new IllegalArgumentException("blockSize must be between " + 64 * 1024 + " and " + 256 * 1024 * 1024
          + ", got " + blockSize + " (64 KiB to 256 MiB)");
    }
    atLeast("maxConcurrency", 1, maxConcurrency);
  }

  /** Defaults: the account's own endpoint, the default credential chain, 4 tries, 8 MiB blocks. */
  public static AdlsBlobStoreOptions defaults() {
    return builder().build();
  }

  /** A builder starting from the defaults. */
  public static Builder builder() {
    return new Builder();
  }

  /** A builder starting from these settings. */
  public Builder toBuilder() {
    Builder b = new Builder();
    b.endpoint = endpoint;
    b.credential = credential;
    b.sharedKey = sharedKey;
    b.sasToken = sasToken;
    b.maxTries = maxTries;
    b.tryTimeout = tryTimeout;
    b.retryDelay = retryDelay;
    b.maxRetryDelay = maxRetryDelay;
    b.blockSize = blockSize;
    b.maxConcurrency = maxConcurrency;
    return b;
  }

  /** Whether the shared key is Azurite's well-known development key. */
  boolean usesDevAccountKey() {
    // The credential does not reveal its key; equal signatures of the same text mean equal keys.
    return sharedKey != null && DEV_ACCOUNT.equals(sharedKey.getAccountName())
        && sharedKey.computeHmac256("pureremote").equals(
            new StorageSharedKeyCredential(DEV_ACCOUNT, DEV_ACCOUNT_KEY).computeHmac256("pureremote"));
  }

  /** Names the credential kind but never a secret. */
  @Override
  public String toString() {
    String kind = credential != null ? credential.getClass().getSimpleName()
        : sharedKey != null ? "shared key of " + sharedKey.getAccountName()
        : sasToken != null ? "SAS token" : "DefaultAzureCredential";
    return "AdlsBlobStoreOptions[endpoint=" + (endpoint == null ? "(account's own)" : endpoint)
        + ", credential=" + kind + ", maxTries=" + maxTries + ", tryTimeout=" + tryTimeout
        + ", retryDelay=" + retryDelay + ", maxRetryDelay=" + maxRetryDelay
        + ", blockSize=" + blockSize + ", maxConcurrency=" + maxConcurrency + "]";
  }

  private static void positive(String name, Duration d) {
    Objects.requireNonNull(d, name);
    if (d.isNegative() || d.isZero()) {
      throw new IllegalArgumentException(name + " must be > 0, got " + d);
    }
  }

  /** {@code <name> must be >= <min>, got <value>}: the one wording of a range error, the same as the other modules'. */
  private static void atLeast(String name, long min, long value) {
    if (value < min) {
      throw new IllegalArgumentException(name + " must be >= " + min + ", got " + value);
    }
  }

  /** Builder for {@link AdlsBlobStoreOptions}; not thread-safe. */
  public static final class Builder {
    private String endpoint;
    private TokenCredential credential;
    private StorageSharedKeyCredential sharedKey;
    private String sasToken;
    private int maxTries = 4;
    private Duration tryTimeout = Duration.ofMinutes(2);
    private Duration retryDelay = Duration.ofMillis(500);
    private Duration maxRetryDelay = Duration.ofSeconds(30);
    private int blockSize = 8 * 1024 * 1024;
    private int maxConcurrency = 4;

    private Builder() {}

    /** Blob API endpoint, e.g. {@code http://127.0.0.1:10000/devstoreaccount1}; null for the account's own. */
    public Builder endpoint(String endpoint) {
      this.endpoint = endpoint;
      return this;
    }

    /** A Microsoft Entra ID credential (replaces any shared key or SAS token). */
    public Builder credential(TokenCredential credential) {
      clearCredentials();
      this.credential = credential;
      return this;
    }

    /** An account key credential (replaces any other credential). */
    public Builder sharedKey(StorageSharedKeyCredential sharedKey) {
      clearCredentials();
      this.sharedKey = sharedKey;
      return this;
    }

    /** Azurite's well-known account key, for the local emulator only. */
    public Builder devAccountKey() {
      return sharedKey(new StorageSharedKeyCredential(DEV_ACCOUNT, DEV_ACCOUNT_KEY));
    }

    /** A SAS token (replaces any other credential). */
    public Builder sasToken(String sasToken) {
      clearCredentials();
      this.sasToken = sasToken;
      return this;
    }

    /** Attempts per request, including the first. */
    public Builder maxTries(int maxTries) {
      this.maxTries = maxTries;
      return this;
    }

    /** Limit of one attempt. */
    public Builder tryTimeout(Duration tryTimeout) {
      this.tryTimeout = tryTimeout;
      return this;
    }

    /** First retry delay and the bound of the exponentially growing delays. */
    public Builder retryDelays(Duration retryDelay, Duration maxRetryDelay) {
      this.retryDelay = retryDelay;
      this.maxRetryDelay = maxRetryDelay;
      return this;
    }

    /** Upload block size and read chunk size in bytes. */
    public Builder blockSize(int blockSize) {
      this.blockSize = blockSize;
      return this;
    }

    /** Blocks of one upload sent in parallel. */
    public Builder maxConcurrency(int maxConcurrency) {
      this.maxConcurrency = maxConcurrency;
      return this;
    }

    /** The validated options. */
    public AdlsBlobStoreOptions build() {
      return new AdlsBlobStoreOptions(endpoint, credential, sharedKey, sasToken, maxTries, tryTimeout,
          retryDelay, maxRetryDelay, blockSize, maxConcurrency);
    }

    private void clearCredentials() {
      credential = null;
      sharedKey = null;
      sasToken = null;
    }
  }
}
