package io.pureremote.bench;

import static org.assertj.core.api.Assertions.assertThat;

import io.pureremote.PureRemote;
import io.pureremote.RemoteRuntime;
import io.pureremote.spi.BlobStore;
import java.nio.file.Path;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** {@code bin/local-s3}'s server: the settings it prints open a store that memoizes a call. */
class LocalS3MainTest {
  @TempDir Path dir;

  public interface Twice {
    @PureRemote(name = "local-s3.twice", version = "1")
    int twice(int x);
  }

  public static final class TwiceImpl implements Twice {
    @Override
    public int twice(int x) {
      return 2 * x;
    }
  }

  @Test
  void thePrintedRootAndSettingsWork() throws Exception {
    LocalS3Main.Running running = LocalS3Main.start(0, dir.resolve("s3"), "memo");
    String endpoint = running.server().endpoint().toString();
    System.setProperty("aws.accessKeyId", S3ProxyServer.ACCESS);
    System.setProperty("aws.secretAccessKey", S3ProxyServer.SECRET);
    try {
      assertThat(running.instructions()).contains("export PUREREMOTE_BLOB_ROOT=s3://memo/demo")
          .contains("PUREREMOTE_STORE_ENDPOINT=" + endpoint).contains("endpoint = \"" + endpoint + "\"");
      Map<String, String> settings = Map.of("endpoint", endpoint, "path-style", "true", "region", "us-east-1");
      try (BlobStore store = BlobStore.open(running.blobRoot(), settings, getClass().getClassLoader());
          RemoteRuntime runtime = RemoteRuntime.builder().blobStore(store).shell("in-process").build()) {
        Twice twice = runtime.create(Twice.class, TwiceImpl.class);
        assertThat(twice.twice(21)).isEqualTo(42);
        assertThat(store.list("pureremote/v1/")).anyMatch(k -> k.endsWith("/result"));
      }
      // A second start on the same folder keeps the bucket and its objects.
      running.server().close();
      LocalS3Main.Running again = LocalS3Main.start(0, dir.resolve("s3"), "memo");
      try (BlobStore store = BlobStore.open(again.blobRoot(),
          Map.of("endpoint", again.server().endpoint().toString(), "path-style", "true", "region", "us-east-1"), getClass().getClassLoader())) {
        assertThat(store.list("pureremote/v1/")).anyMatch(k -> k.endsWith("/result"));
      } finally {
        again.server().close();
      }
    } finally {
      System.clearProperty("aws.accessKeyId");
      System.clearProperty("aws.secretAccessKey");
    }
  }
}
