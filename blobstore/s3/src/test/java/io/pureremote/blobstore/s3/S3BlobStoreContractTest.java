package io.pureremote.blobstore.s3;

import io.pureremote.spi.BlobStore.BlobContent;
import io.pureremote.spi.BlobStore;
import io.pureremote.testing.BlobStoreContract;
import java.util.UUID;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;

/**
 * The shared blob store contract on {@link S3BlobStore} against an in-process S3Proxy: one proxy
 * and bucket for the class, a unique prefix per test.
 */
class S3BlobStoreContractTest extends BlobStoreContract {
  private static final AtomicInteger TESTS = new AtomicInteger();
  static S3ProxyFixture s3;
  static String bucket;

  @BeforeAll
  static void startProxy() throws Exception {
    s3 = S3ProxyFixture.start();
    bucket = s3.newBucket();
  }

  @AfterAll
  static void stopProxy() throws Exception {
    if (s3 != null) {
      s3.close();
    }
  }

  @Override
  protected BlobStore newStore() {
    return new S3BlobStore("s3://" + bucket + "/contract/t" + TESTS.incrementAndGet(), s3.options().build());
  }

  /** The contract's deterministic generated content, for the other tests of this package. */
  static BlobContent generatedContent(long length, long seed) {
    return generated(length, seed);
  }

  @Override
  protected BlobStore newStoreOnMissingContainer() {
    return new S3BlobStore("s3://missing-" + UUID.randomUUID().toString().substring(0, 8) + "/memo",
        s3.options().build());
  }
}
