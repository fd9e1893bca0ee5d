package io.pureremote.blobstore.s3;

import java.net.URI;
import java.util.Properties;
import java.util.UUID;
import java.util.concurrent.atomic.AtomicInteger;
import org.gaul.s3proxy.S3Proxy;
import org.gaul.s3proxy.auth.AuthenticationType;
import software.amazon.awssdk.auth.credentials.AwsBasicCredentials;
import software.amazon.awssdk.auth.credentials.StaticCredentialsProvider;
import software.amazon.awssdk.regions.Region;
import software.amazon.awssdk.services.s3.S3Client;

/**
 * An in-process S3Proxy on 127.0.0.1 (in-memory {@code transient-nio2} storage, AWS v2/v4
 * signatures with access key {@code access} and secret {@code secret}), plus an admin client.
 */
final class S3ProxyFixture implements AutoCloseable {
  static final String ACCESS_KEY = "access";
  static final String SECRET_KEY = "secret";
  private static final AtomicInteger BUCKETS = new AtomicInteger();

  final S3Proxy proxy;
  final URI endpoint;
  final S3Client admin;

  private S3ProxyFixture(S3Proxy proxy) {
    this.proxy = proxy;
    this.endpoint = URI.create("http://127.0.0.1:" + proxy.getPort());
    this.admin = S3Client.builder().endpointOverride(endpoint).region(Region.US_EAST_1).forcePathStyle(true)
        .credentialsProvider(credentials()).build();
  }

  /** Starts a proxy on a free port; fails (never skips) when it cannot. */
  static S3ProxyFixture start() throws Exception {
    org.gaul.s3proxy.blobstore.BlobStore backend =
        org.gaul.s3proxy.BlobStores.create("transient-nio2", new Properties());
    S3Proxy proxy = S3Proxy.builder().blobStore(backend).endpoint(URI.create("http://127.0.0.1:0"))
        .awsAuthentication(AuthenticationType.AWS_V2_OR_V4, ACCESS_KEY, SECRET_KEY).build();
    proxy.start();
    long deadline = System.nanoTime() + 30_000_000_000L;
    while (!"STARTED".equals(proxy.getState())) {
      if (System.nanoTime() > deadline) {
        throw new IllegalStateException("S3Proxy did not start within 30 s (state " + proxy.getState() + ")");
      }
      Thread.sleep(10);
    }
    return new S3ProxyFixture(proxy);
  }

  static StaticCredentialsProvider credentials() {
    return StaticCredentialsProvider.create(AwsBasicCredentials.create(ACCESS_KEY, SECRET_KEY));
  }

  /** Creates a new, empty bucket with a unique name. */
  String newBucket() {
    String name = "b" + BUCKETS.incrementAndGet() + "-" + UUID.randomUUID().toString().substring(0, 8);
    admin.createBucket(b -> b.bucket(name));
    return name;
  }

  /** Options for this proxy: endpoint, path style, region and the right credentials. */
  S3BlobStoreOptions.Builder options() {
    return S3BlobStoreOptions.builder().endpointOverride(endpoint).pathStyle(true).region(Region.US_EAST_1)
        .credentialsProvider(credentials());
  }

  @Override
  public void close() throws Exception {
    admin.close();
    proxy.stop();
  }
}
