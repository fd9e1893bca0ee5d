package io.pureremote.blobstore.s3;

import io.pureremote.spi.BlobStore;
import io.pureremote.testing.MemoHealingContract;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;

/** A memo that heals itself on {@link S3BlobStore} against an in-process S3Proxy, a prefix per test. */
class S3MemoHealingTest extends MemoHealingContract {
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
    return new S3BlobStore("s3://" + bucket + "/healing/t" + TESTS.incrementAndGet(), s3.options().build());
  }
}
