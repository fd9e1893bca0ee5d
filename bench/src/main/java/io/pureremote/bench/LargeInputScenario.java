package io.pureremote.bench;

import io.pureremote.BlobRef;
import io.pureremote.RemoteRuntime;
import io.pureremote.bench.fns.BenchFns;
import io.pureremote.bench.fns.BenchFnsImpl;
import io.pureremote.blobstore.s3.S3BlobStore;
import io.pureremote.spi.BlobStore;
import io.pureremote.spi.Shell;
import java.io.IOException;
import java.io.OutputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.SplittableRandom;
import software.amazon.awssdk.core.sync.RequestBody;
import software.amazon.awssdk.services.s3.S3Client;

/**
 * Scenario 6, a large {@link BlobRef} input: the first call with it uploads the content once (its
 * throughput, for the whole call, against the store's or SDK's own upload of the same file), and
 * later calls upload nothing: not a repeat of the call (a memo hit) and not another function over
 * the same content (a miss that finds the content already stored).
 */
final class LargeInputScenario {
  private LargeInputScenario() {}

  static void run(Bench b) throws Exception {
    long size = b.sizes.largeInputBytes();
    Path input = b.folder("large-input").resolve("input.bin");
    writeRandom(input, size);
    BlobRef ref = BlobRef.of(input); // hashes the file (the caller's cost, not timed here)
    file(b, input, ref);
    s3(b, input, ref);
    Files.deleteIfExists(input);
  }

  private static void file(Bench b, Path input, BlobRef ref) throws Exception {
    String scenario = "6. large input " + Sizes.bytes(ref.size()) + " · FileBlobStore";
    BlobStore raw = BlobStore.folder(b.folder("large-file"));
    Path copy = b.folder("large-file-copy").resolve("input.bin");
    CountingBlobStore store = new CountingBlobStore(raw);
    try (Shell shell = Shell.inProcess(raw);
        RemoteRuntime runtime = RemoteRuntime.builder().blobStore(store).shell(shell).pipelineId("bench").build()) {
      BenchFns fns = runtime.create(BenchFns.class, BenchFnsImpl.class);
      Upload upload = firstCall(fns, store, null, ref);
      Bench.settle();
      long t0 = System.nanoTime();
      Files.copy(input, copy);
      double copySeconds = (System.nanoTime() - t0) / 1e9;
      Files.delete(copy);
      rows(b, scenario, fns, store, ref, upload, copySeconds, "Files.copy of the same file");
      raw.delete(ref.casKey());
    }
  }

  private static void s3(Bench b, Path input, BlobRef ref) throws Exception {
    String scenario = "6. large input " + Sizes.bytes(ref.size()) + " · S3 (S3Proxy, loopback)";
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
      Upload upload = firstCall(fns, store, storeHttp, ref);
      long uploadRequests = storeHttp.total();
      Bench.settle();
      rawHttp.reset();
      long t0 = System.nanoTime();
      client.putObject(r -> r.bucket(bucket).key("baseline/input.bin"), RequestBody.fromFile(input));
      double putSeconds = (System.nanoTime() - t0) / 1e9;
      Bench.log("    HTTP requests: first call %s; baseline %s", storeHttp.snapshot(), rawHttp.snapshot());
      rows(b, scenario, fns, store, ref, upload, putSeconds, "S3Client.putObject(RequestBody.fromFile)");
      b.row(scenario, "HTTP requests, first call (all of it)", uploadRequests, rawHttp.total(),
          "S3Client.putObject, one request");
      client.deleteObject(r -> r.bucket(bucket).key("baseline/input.bin"));
      s3Store.delete(ref.casKey());
    }
  }

  /** Time and uploaded bytes of a first call. */
  private record Upload(double seconds, long casBytes) {}

  /** Time and uploaded bytes of the first call with {@code ref}; {@code http} (may be null) counts it alone. */
  private static Upload firstCall(BenchFns fns, CountingBlobStore store, HttpRequestCounter http, BlobRef ref) {
    fns.square(7); // warm-up: the store's first request (and S3's conditional-write probe) are not the upload's
    Bench.settle();
    store.reset();
    if (http != null) {
      http.reset(); // after the warm-up, whose 12 requests the row once counted as the first call's
    }
    long t0 = System.nanoTime();
    long size = fns.size(ref);
    double seconds = (System.nanoTime() - t0) / 1e9;
    if (size != ref.size()) {
      throw new IllegalStateException("size(ref) returned " + size + ", expected " + ref.size());
    }
    return new Upload(seconds, store.casBytesWritten());
  }

  private static void rows(Bench b, String scenario, BenchFns fns, CountingBlobStore store, BlobRef ref, Upload upload,
      double baselineSeconds, String baselineLabel) {
    double mib = ref.size() / (double) Sizes.MIB;
    if (upload.casBytes() != ref.size()) {
      throw new IllegalStateException("the first call uploaded " + upload.casBytes() + " bytes, expected " + ref.size());
    }
    b.row(scenario, "first call, upload throughput (MiB/s)", mib / upload.seconds(), mib / baselineSeconds, baselineLabel);
    store.reset();
    fns.size(ref); // the same call again: a memo hit
    long repeatBytes = store.bytesWritten();
    store.reset();
    fns.tag(ref); // another function over the same content: a miss whose input is already stored
    long otherBytes = store.casBytesWritten();
    b.row(scenario, "bytes uploaded, repeat call (memo hit)", repeatBytes, ref.size(), "naive re-upload");
    b.row(scenario, "content bytes uploaded, other function on same content (miss)", otherBytes, ref.size(),
        "naive re-upload");
  }

  /** Pseudo-random content (incompressible, unlike zeros), written in 8 MiB chunks. */
  static void writeRandom(Path file, long size) throws IOException {
    SplittableRandom random = new SplittableRandom(17);
    byte[] chunk = new byte[8 << 20];
    try (OutputStream out = Files.newOutputStream(file)) {
      for (long left = size; left > 0; ) {
        random.nextBytes(chunk);
        int n = (int) Math.min(chunk.length, left);
        out.write(chunk, 0, n);
        left -= n;
      }
    }
  }
}
