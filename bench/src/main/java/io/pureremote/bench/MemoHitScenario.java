package io.pureremote.bench;

import io.pureremote.RemoteRuntime;
import io.pureremote.bench.fns.BenchFns;
import io.pureremote.bench.fns.BenchFnsImpl;
import io.pureremote.blobstore.s3.S3BlobStore;
import io.pureremote.spi.BlobStore;
import io.pureremote.spi.Shell;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Arrays;
import software.amazon.awssdk.services.s3.S3Client;

/**
 * Scenario 1, memo hit: a call whose result is already stored, against reading that very result
 * blob directly with the same client. Counts requests at the store (a hit must cost exactly one)
 * and times both, interleaved so they share the machine's load.
 */
final class MemoHitScenario {
  /** The hit's result: 128 doubles, a 1 KiB payload plus the frame header. */
  private static final int RESULT_DOUBLES = 128;

  private MemoHitScenario() {}

  static void run(Bench b) throws Exception {
    file(b);
    s3(b);
  }

  /** Reads a blob the way the baseline does; returns the bytes so the JIT cannot drop it. */
  private interface RawRead {
    byte[] read() throws Exception;
  }

  private static void file(Bench b) throws Exception {
    String scenario = "1. memo hit · FileBlobStore";
    Path folder = b.folder("hit-file");
    BlobStore raw = BlobStore.folder(folder);
    CountingBlobStore store = new CountingBlobStore(raw);
    try (Shell shell = Shell.inProcess(raw);
        RemoteRuntime runtime = RemoteRuntime.builder().blobStore(store).shell(shell).pipelineId("bench").build()) {
      BenchFns fns = runtime.create(BenchFns.class, BenchFnsImpl.class);
      double[] expected = fns.series(42, RESULT_DOUBLES); // the miss that stores the result
      Path resultFile = folder.resolve(resultKey(raw));
      int n = b.sizes.fileHits();
      Measured m = measure(n, b.sizes.warmUps(Math.max(20, n / 5), 5), store, fns, expected,
          () -> Files.readAllBytes(resultFile), () -> {});
      b.row(scenario, "store requests per hit", m.requestsPerHit(), 1, "Files.readAllBytes, 1 read");
      b.row(scenario, "latency p50 (µs)", Samples.micros(m.hits().percentile(50)), Samples.micros(m.raw().percentile(50)),
          "Files.readAllBytes of the result file");
      b.row(scenario, "latency p99 (µs)", Samples.micros(m.hits().percentile(99)), Samples.micros(m.raw().percentile(99)),
          "Files.readAllBytes of the result file");
    }
  }

  private static void s3(Bench b) throws Exception {
    String scenario = "1. memo hit · S3 (S3Proxy, loopback)";
    String bucket = b.newBucket();
    HttpRequestCounter storeHttp = new HttpRequestCounter();
    HttpRequestCounter rawHttp = new HttpRequestCounter();
    try (S3BlobStore s3Store = b.s3().store(bucket, "memo", storeHttp);
        S3Client client = b.s3().client(rawHttp);
        Shell shell = Shell.inProcess(s3Store);
        RemoteRuntime runtime = RemoteRuntime.builder().blobStore(new CountingBlobStore(s3Store)).shell(shell)
            .pipelineId("bench").build()) {
      CountingBlobStore store = (CountingBlobStore) runtime.blobStore();
      BenchFns fns = runtime.create(BenchFns.class, BenchFnsImpl.class);
      double[] expected = fns.series(42, RESULT_DOUBLES);
      String objectKey = s3Store.prefix() + "/" + resultKey(s3Store);
      int n = b.sizes.s3Hits();
      Measured m = measure(n, b.sizes.warmUps(Math.max(20, n / 5), 5), store, fns, expected,
          () -> client.getObjectAsBytes(r -> r.bucket(bucket).key(objectKey)).asByteArray(), () -> {
            storeHttp.reset();
            rawHttp.reset();
          });
      double httpPerHit = (double) storeHttp.total() / m.hits().count();
      double rawHttpPerRead = (double) rawHttp.total() / m.raw().count();
      b.row(scenario, "store requests per hit", m.requestsPerHit(), 1, "S3Client.getObjectAsBytes, 1 call");
      b.row(scenario, "HTTP requests per hit", httpPerHit, rawHttpPerRead, "S3Client.getObjectAsBytes");
      b.row(scenario, "latency p50 (µs)", Samples.micros(m.hits().percentile(50)), Samples.micros(m.raw().percentile(50)),
          "S3Client.getObjectAsBytes, same key");
      b.row(scenario, "latency p99 (µs)", Samples.micros(m.hits().percentile(99)), Samples.micros(m.raw().percentile(99)),
          "S3Client.getObjectAsBytes, same key");
    }
  }

  /** The one result key the first call stored. */
  private static String resultKey(BlobStore store) {
    return store.list("pureremote/v1/bench/").stream().filter(k -> k.endsWith("/result")).findFirst()
        .orElseThrow(() -> new IllegalStateException("no result stored under " + store.root()));
  }

  /** Hit and raw-read samples, and the store requests (all operations) per hit over the timed part. */
  private record Measured(Samples hits, Samples raw, double requestsPerHit) {}

  /**
   * Warms up, then times {@code n} hits and {@code n} raw reads, interleaved. {@code afterWarmUp}
   * runs between the two (to zero other counters).
   */
  private static Measured measure(int n, int warmUps, CountingBlobStore store, BenchFns fns, double[] expected,
      RawRead rawRead, Runnable afterWarmUp) throws Exception {
    long sink = 0;
    for (int i = 0; i < warmUps; i++) {
      sink += fns.series(42, RESULT_DOUBLES).length + rawRead.read().length;
    }
    Bench.settle();
    Samples hits = new Samples(n);
    Samples raw = new Samples(n);
    store.reset();
    afterWarmUp.run();
    for (int i = 0; i < n; i++) {
      long t0 = System.nanoTime();
      double[] hit = fns.series(42, RESULT_DOUBLES);
      long t1 = System.nanoTime();
      byte[] bytes = rawRead.read();
      long t2 = System.nanoTime();
      hits.add(t1 - t0);
      raw.add(t2 - t1);
      sink += hit.length + bytes.length;
      if (i == 0 && !Arrays.equals(hit, expected)) {
        throw new IllegalStateException("a memo hit returned a different value than the first call");
      }
    }
    // Anything besides one get per hit shows in the ratio; say what it was.
    Bench.log("    store requests over %d hits: %s", n, store.snapshot());
    Bench.sink(sink);
    return new Measured(hits, raw, (double) store.requests() / n);
  }
}
