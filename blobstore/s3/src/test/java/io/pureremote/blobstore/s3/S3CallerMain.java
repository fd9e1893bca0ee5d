package io.pureremote.blobstore.s3;

import io.pureremote.RuntimeOptions.LeaseOptions;
import io.pureremote.RemoteRuntime;
import io.pureremote.spi.Shell;
import java.net.URI;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.Random;
import java.util.stream.LongStream;
import software.amazon.awssdk.regions.Region;

/**
 * A caller process for {@link S3ExactlyOnceTest}: {@code <endpoint> <root> <keys> <seed>} calls
 * every key, in a shuffled order, through the in-process shell with the memo on S3.
 */
public final class S3CallerMain {
  private S3CallerMain() {}

  public static void main(String[] args) throws Exception {
    S3BlobStoreOptions options = S3BlobStoreOptions.builder().endpointOverride(URI.create(args[0])).pathStyle(true)
        .region(Region.US_EAST_1).credentialsProvider(S3ProxyFixture.credentials()).build();
    List<Long> keys = new ArrayList<>(LongStream.range(0, Long.parseLong(args[2])).boxed().toList());
    Collections.shuffle(keys, new Random(Long.parseLong(args[3])));
    // Leases outlive the test: eight JVMs starting at once on two cores can starve renewals.
    LeaseOptions leases = LeaseOptions.builder().expiry(Duration.ofSeconds(60))
        .pollInitial(Duration.ofMillis(50)).pollMax(Duration.ofMillis(400)).build();
    try (S3BlobStore store = new S3BlobStore(args[1], options);
        Shell shell = Shell.inProcess(store);
        RemoteRuntime runtime = RemoteRuntime.builder().blobStore(store).shell(shell).pipelineId("leases")
            .lease(leases).build()) {
      SlowSquares squares = runtime.create(SlowSquares.class, SlowSquares.Impl.class);
      List<Long> results = runtime.map(keys, squares::square);
      for (int i = 0; i < keys.size(); i++) {
        if (results.get(i) != keys.get(i) * keys.get(i)) {
          throw new AssertionError("wrong square for " + keys.get(i));
        }
      }
      System.out.println("done " + keys.size());
    }
  }
}
