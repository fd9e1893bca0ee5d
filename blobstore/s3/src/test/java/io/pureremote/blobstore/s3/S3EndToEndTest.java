package io.pureremote.blobstore.s3;

import static java.nio.charset.StandardCharsets.UTF_8;
import static org.assertj.core.api.Assertions.assertThat;

import io.pureremote.BlobRef;
import io.pureremote.RemoteRuntime;
import io.pureremote.RuntimeOptions;
import io.pureremote.blobstore.s3.Fingerprints.Fingerprint;
import io.pureremote.spi.Shell;
import io.pureremote.spi.BlobStore;
import java.io.ByteArrayInputStream;
import java.io.IOException;
import java.io.OutputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.DigestOutputStream;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.Arrays;
import java.util.HexFormat;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.SplittableRandom;
import java.util.UUID;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicLong;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.MethodOrderer;
import org.junit.jupiter.api.Order;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestMethodOrder;
import org.junit.jupiter.api.io.TempDir;
import software.amazon.awssdk.core.interceptor.Context;
import software.amazon.awssdk.core.interceptor.ExecutionAttributes;
import software.amazon.awssdk.core.interceptor.ExecutionInterceptor;
import software.amazon.awssdk.core.sync.RequestBody;
import software.amazon.awssdk.services.s3.S3Client;
import software.amazon.awssdk.services.s3.model.PutObjectRequest;
import software.amazon.awssdk.services.s3.model.UploadPartRequest;

/**
 * End to end on S3: {@code @PureRemote} calls run in real child JVMs ({@link LocalProcessShell})
 * with the memo on an in-process S3Proxy. The child opens the store from the memo URI with the
 * {@code PUREREMOTE_STORE_*} settings and takes its credentials from {@code AWS_*} environment
 * variables, as a pod would.
 *
 * <p>Checks a miss then a hit (executions counted by the run records each remote run writes), that
 * a hit is one GetObject, and that a 200 MiB {@link BlobRef} input goes up once for two different
 * functions and arrives intact. Also prints the measurements the issue asks for (requests per hit,
 * hit latency against a raw SDK GET of the same {@code result} object with the same client, bytes
 * uploaded for the repeated input) as a markdown table; timings are printed, never asserted.
 */
@TestMethodOrder(MethodOrderer.OrderAnnotation.class)
class S3EndToEndTest {
  private static final long LARGE = 200L << 20;
  private static final int HITS = 200;
  private static final int WARM_UP = 30;
  private static final Map<String, String> MEASURED = new LinkedHashMap<>();

  static S3ProxyFixture s3;
  static String bucket;

  @BeforeAll
  static void startProxy() throws Exception {
    s3 = S3ProxyFixture.start();
    bucket = s3.newBucket();
  }

  @AfterAll
  static void printMeasurementsAndStopProxy() throws Exception {
    StringBuilder table = new StringBuilder("\n#### S3 end to end (S3Proxy in-process, transient-nio2; ")
        .append("LocalProcessShell)\n\n| Measure | Value |\n|---|---|\n");
    MEASURED.forEach((k, v) -> table.append("| ").append(k).append(" | ").append(v).append(" |\n"));
    System.out.println(table);
    if (s3 != null) {
      s3.close();
    }
  }

  @Test
  @Order(1)
  void callMissesOnceInAChildJvmThenEveryHitIsOneGetObject() {
    RequestCounter counter = new RequestCounter();
    String text = "pure remote, memo on s3";
    Fingerprint expected = FingerprintsImpl.digest(new ByteArrayInputStream(text.getBytes(UTF_8)), 64);
    try (S3BlobStore store = newStore(counter, new CasUploads());
        Shell shell = Shell.create("local");
        RemoteRuntime runtime = runtime(store, shell)) {
      Fingerprints fingerprints = runtime.create(Fingerprints.class, FingerprintsImpl.class);

      assertThat(fingerprints.ofText(text)).isEqualTo(expected);
      assertThat(runRecords(store, "s3-e2e-text")).as("the miss ran once, in a child JVM").isEqualTo(1);

      counter.reset();
      assertThat(fingerprints.ofText(text)).isEqualTo(expected);
      assertThat(counter.snapshot()).as("a memo hit is one GET of the result").isEqualTo(Map.of("GetObject", 1));
      assertThat(runRecords(store, "s3-e2e-text")).as("a hit runs nothing").isEqualTo(1);

      // Hit latency against a raw GET of the very same object with the store's own client,
      // interleaved so both see the same machine load.
      String resultKey = store.prefix() + "/" + resultKey(store, "s3-e2e-text");
      S3Client client = store.client();
      long[] hit = new long[HITS];
      long[] raw = new long[HITS];
      long resultSize = 0;
      counter.reset();
      for (int i = -WARM_UP; i < HITS; i++) {
        long t0 = System.nanoTime();
        Fingerprint got = fingerprints.ofText(text);
        long t1 = System.nanoTime();
        byte[] bytes = client.getObjectAsBytes(b -> b.bucket(bucket).key(resultKey)).asByteArray();
        long t2 = System.nanoTime();
        assertThat(got).isEqualTo(expected);
        resultSize = bytes.length;
        if (i >= 0) {
          hit[i] = t1 - t0;
          raw[i] = t2 - t1;
        }
      }
      assertThat(counter.snapshot()).as("every hit and every raw GET is one GetObject")
          .isEqualTo(Map.of("GetObject", 2 * (HITS + WARM_UP)));
      assertThat(runRecords(store, "s3-e2e-text")).isEqualTo(1);

      MEASURED.put("Requests per memo hit (counted by an SDK interceptor)", "1 (GetObject)");
      MEASURED.put("Memo hit through the `@PureRemote` proxy, median / p99 of " + HITS, percentiles(hit));
      MEASURED.put("Raw `S3Client.getObject` of the same `result` (" + resultSize + " B), same client, median / p99 of "
          + HITS, percentiles(raw));
      MEASURED.put("Hit overhead over the raw GET, median", millis(median(hit) - median(raw)));
    }
  }

  @Test
  @Order(2)
  void largeBlobRefGoesUpOnceAndBothFunctionsReadItIntact(@TempDir Path dir) throws IOException {
    Path file = dir.resolve("input.bin");
    long t = System.nanoTime();
    Fingerprint expected = writeDeterministic(file, LARGE, 20_251_123L);
    long generated = System.nanoTime() - t;
    CasUploads cas = new CasUploads();
    try (S3BlobStore store = newStore(new RequestCounter(), cas);
        Shell shell = Shell.create("local");
        RemoteRuntime runtime = runtime(store, shell)) {
      Fingerprints fingerprints = runtime.create(Fingerprints.class, FingerprintsImpl.class);
      BlobRef input = BlobRef.of(file);
      assertThat(input.sha256()).isEqualTo(expected.sha256());

      t = System.nanoTime();
      assertThat(fingerprints.viaPath(input)).as("read back through path()").isEqualTo(expected);
      long firstCall = System.nanoTime() - t;
      long firstBytes = cas.bytes.get();
      int firstRequests = cas.requests.get();
      String firstOperations = cas.operations();
      assertThat(firstBytes).as("the content goes up once, whole").isEqualTo(LARGE);
      assertThat(s3.admin.headObject(b -> b.bucket(bucket).key(store.prefix() + "/" + input.casKey()))
          .contentLength()).isEqualTo(LARGE);

      cas.reset();
      t = System.nanoTime();
      assertThat(fingerprints.viaStream(BlobRef.of(file), 64 * 1024)).as("read back through open()")
          .isEqualTo(expected);
      long secondCall = System.nanoTime() - t;
      assertThat(cas.bytes).as("another function over the same content uploads nothing").hasValue(0);
      assertThat(cas.requests).hasValue(0);
      assertThat(runRecords(store, "s3-e2e-path")).isEqualTo(1);
      assertThat(runRecords(store, "s3-e2e-stream")).isEqualTo(1);
      assertThat(store.list(BlobRef.CAS_PREFIX)).containsExactly(input.casKey());

      assertThat(fingerprints.viaPath(input)).as("hit").isEqualTo(expected);
      assertThat(cas.bytes).as("a hit uploads nothing").hasValue(0);
      assertThat(runRecords(store, "s3-e2e-path")).isEqualTo(1);

      MEASURED.put("200 MiB `BlobRef`, 1st call (`viaPath`, miss): bytes uploaded to `pureremote/cas/`",
          String.format("%,d B in %d requests (%s)", firstBytes, firstRequests, firstOperations));
      MEASURED.put("Same content, 2nd call (`viaStream`, other function and args, miss): bytes uploaded",
          "0 B in 0 requests");
      MEASURED.put("Wall time: generate 200 MiB / 1st call (hash, upload, child JVM) / 2nd call",
          seconds(generated) + " / " + seconds(firstCall) + " / " + seconds(secondCall));
    }
  }

  // ---------------------------------------------------------------- helpers

  private static S3BlobStore newStore(RequestCounter counter, CasUploads cas) {
    String root = "s3://" + bucket + "/e2e-" + UUID.randomUUID().toString().substring(0, 8);
    return new S3BlobStore(root, s3.options().addInterceptor(counter).addInterceptor(cas).build());
  }

  /** The child JVM gets region, endpoint and path style from the store; credentials from here. */
  private static RemoteRuntime runtime(S3BlobStore store, Shell shell) {
    return RemoteRuntime.builder().blobStore(store).shell(shell)
        .remoteEnvironment("AWS_ACCESS_KEY_ID", S3ProxyFixture.ACCESS_KEY)
        .remoteEnvironment("AWS_SECRET_ACCESS_KEY", S3ProxyFixture.SECRET_KEY)
        .remoteEnvironment("AWS_REGION", store.region().id())
        .build();
  }

  /** Remote executions of {@code function}: each writes one {@code runs/<id>.json} under its entry. */
  static int runRecords(BlobStore store, String function) {
    return (int) store.list(entries(function)).stream()
        .filter(k -> k.contains("/runs/") && k.endsWith(".json")).count();
  }

  private static String resultKey(BlobStore store, String function) {
    List<String> results = store.list(entries(function)).stream().filter(k -> k.endsWith("/result")).toList();
    assertThat(results).hasSize(1);
    return results.getFirst();
  }

  private static String entries(String function) {
    return "pureremote/v1/" + RuntimeOptions.DEFAULT_PIPELINE_ID + "/" + function + "@1/";
  }

  /** Writes {@code size} deterministic pseudo-random bytes, 1 MiB at a time, and fingerprints them. */
  static Fingerprint writeDeterministic(Path file, long size, long seed) throws IOException {
    MessageDigest md;
    try {
      md = MessageDigest.getInstance("SHA-256");
    } catch (NoSuchAlgorithmException e) {
      throw new IllegalStateException(e);
    }
    SplittableRandom random = new SplittableRandom(seed);
    byte[] chunk = new byte[1 << 20];
    try (OutputStream out = new DigestOutputStream(Files.newOutputStream(file), md)) {
      for (long left = size; left > 0; left -= chunk.length) {
        random.nextBytes(chunk);
        out.write(chunk, 0, (int) Math.min(chunk.length, left));
      }
    }
    return new Fingerprint(size, HexFormat.of().formatHex(md.digest()));
  }

  static long median(long[] nanos) {
    long[] s = nanos.clone();
    Arrays.sort(s);
    return s[s.length / 2];
  }

  static String percentiles(long[] nanos) {
    long[] s = nanos.clone();
    Arrays.sort(s);
    long p99 = s[(int) Math.ceil(s.length * 0.99) - 1];
    return millis(s[s.length / 2]) + " / " + millis(p99);
  }

  static String millis(long nanos) {
    return String.format("%.2f ms", nanos / 1e6);
  }

  static String seconds(long nanos) {
    return String.format("%.1f s", nanos / 1e9);
  }

  /**
   * Counts the requests that carry content to {@code pureremote/cas/} keys (PutObject and
   * UploadPart, every attempt) and the payload bytes they carry.
   */
  static final class CasUploads implements ExecutionInterceptor {
    final AtomicLong bytes = new AtomicLong();
    final AtomicInteger requests = new AtomicInteger();
    private final Map<String, Integer> operations = new LinkedHashMap<>();

    @Override
    public void beforeTransmission(Context.BeforeTransmission context, ExecutionAttributes attributes) {
      String key = null;
      Long length = null;
      if (context.request() instanceof PutObjectRequest put) {
        key = put.key();
        length = put.contentLength();
      } else if (context.request() instanceof UploadPartRequest part) {
        key = part.key();
        length = part.contentLength();
      }
      if (key == null || !("/" + key).contains("/" + BlobRef.CAS_PREFIX)) {
        return;
      }
      if (length == null) {
        length = context.requestBody().flatMap(RequestBody::optionalContentLength).orElse(0L);
      }
      bytes.addAndGet(length);
      requests.incrementAndGet();
      synchronized (operations) {
        operations.merge(context.request().getClass().getSimpleName().replace("Request", ""), 1, Integer::sum);
      }
    }

    /** Requests by operation, e.g. {@code UploadPart ×25}. */
    String operations() {
      synchronized (operations) {
        return operations.toString().replace("{", "").replace("}", "").replace("=", " ×");
      }
    }

    void reset() {
      bytes.set(0);
      requests.set(0);
      synchronized (operations) {
        operations.clear();
      }
    }
  }
}
