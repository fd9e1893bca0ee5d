package io.pureremote.bench;

import io.pureremote.blobstore.s3.S3BlobStore;
import io.pureremote.blobstore.s3.S3BlobStoreOptions;
import java.net.URI;
import java.nio.file.Path;
import java.util.Properties;
import org.gaul.s3proxy.S3Proxy;
import org.gaul.s3proxy.auth.AuthenticationType;
import software.amazon.awssdk.auth.credentials.AwsBasicCredentials;
import software.amazon.awssdk.auth.credentials.StaticCredentialsProvider;
import software.amazon.awssdk.awscore.retry.AwsRetryStrategy;
import software.amazon.awssdk.core.interceptor.ExecutionInterceptor;
import software.amazon.awssdk.regions.Region;
import software.amazon.awssdk.services.s3.S3Client;

/**
 * An in-process S3Proxy on 127.0.0.1 storing objects in a local folder ({@code filesystem-nio2},
 * so gigabyte objects do not sit in the heap), with AWS v4 signatures. Hands out {@link
 * S3BlobStore}s and raw {@link S3Client}s configured alike, so a baseline request goes through the
 * same SDK, HTTP client, signing and retry settings as the store's.
 */
public final class S3ProxyServer implements AutoCloseable {
  private static final String ACCESS_KEY = "access";
  private static final String SECRET_KEY = "secret";

  private final S3Proxy proxy;
  private final URI endpoint;

  private S3ProxyServer(S3Proxy proxy) {
    this.proxy = proxy;
    this.endpoint = URI.create("http://127.0.0.1:" + proxy.getPort());
  }

  /** Starts a proxy on a free loopback port, keeping objects under {@code folder}. */
  public static S3ProxyServer start(Path folder) throws Exception {
    return start(folder, 0);
  }

  /** Starts a proxy on loopback port {@code port} (0: a free one), keeping objects under {@code folder}. */
  public static S3ProxyServer start(Path folder, int port) throws Exception {
    Properties props = new Properties();
    props.setProperty("jclouds.filesystem.basedir", folder.toString());
    org.gaul.s3proxy.blobstore.BlobStore backend = org.gaul.s3proxy.BlobStores.create("filesystem-nio2", props);
    S3Proxy proxy = S3Proxy.builder().blobStore(backend).endpoint(URI.create("http://127.0.0.1:" + port))
        .awsAuthentication(AuthenticationType.AWS_V2_OR_V4, ACCESS_KEY, SECRET_KEY).build();
    proxy.start();
    long deadline = System.nanoTime() + 30_000_000_000L;
    while (!"STARTED".equals(proxy.getState())) {
      if (System.nanoTime() > deadline) {
        throw new IllegalStateException("S3Proxy did not start within 30 s (state " + proxy.getState() + ")");
      }
      Thread.sleep(10);
    }
    return new S3ProxyServer(proxy);
  }

  /** The proxy's {@code http://127.0.0.1:<port>} endpoint. */
  public URI endpoint() {
    return endpoint;
  }

  /** The access key the proxy accepts (with {@link #SECRET}): for {@code AWS_ACCESS_KEY_ID}. */
  public static final String ACCESS = ACCESS_KEY;
  /** The secret key the proxy accepts: for {@code AWS_SECRET_ACCESS_KEY}. */
  public static final String SECRET = SECRET_KEY;

  private static StaticCredentialsProvider credentials() {
    return StaticCredentialsProvider.create(AwsBasicCredentials.create(ACCESS_KEY, SECRET_KEY));
  }

  /** A raw client like the one {@link #store} builds: same region, endpoint, path style, retries. */
  public S3Client client(ExecutionInterceptor... interceptors) {
    return S3Client.builder().endpointOverride(endpoint).region(Region.US_EAST_1).forcePathStyle(true)
        .credentialsProvider(credentials())
        .overrideConfiguration(c -> {
          c.retryStrategy(AwsRetryStrategy.standardRetryStrategy().toBuilder()
              .maxAttempts(S3BlobStoreOptions.DEFAULT_MAX_ATTEMPTS).build());
          for (ExecutionInterceptor i : interceptors) {
            c.addExecutionInterceptor(i);
          }
        })
        .build();
  }

  /** Creates {@code bucket} (once per bucket name). */
  public void createBucket(String bucket) {
    try (S3Client admin = client()) {
      admin.createBucket(b -> b.bucket(bucket));
    }
  }

  /** A store on {@code s3://<bucket>/<prefix>} through this proxy, counting wire requests. */
  public S3BlobStore store(String bucket, String prefix, HttpRequestCounter counter) {
    S3BlobStoreOptions options = S3BlobStoreOptions.builder().endpointOverride(endpoint).pathStyle(true)
        .region(Region.US_EAST_1).credentialsProvider(credentials()).addInterceptor(counter).build();
    return new S3BlobStore("s3://" + bucket + "/" + prefix, options);
  }

  @Override
  public void close() throws Exception {
    proxy.stop();
  }
}
