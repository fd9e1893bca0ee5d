package io.pureremote.blobstore.adls;

import static java.nio.charset.StandardCharsets.UTF_8;
import static org.assertj.core.api.Assertions.assertThat;

import com.azure.core.http.jdk.httpclient.JdkHttpClientBuilder;
import com.azure.storage.blob.BlobClient;
import com.azure.storage.blob.BlobContainerClientBuilder;
import com.azure.storage.common.policy.RequestRetryOptions;
import com.azure.storage.common.policy.RetryPolicyType;
import io.pureremote.BlobRef;
import io.pureremote.RemoteRuntime;
import io.pureremote.RuntimeOptions;
import io.pureremote.blobstore.adls.CountingHttpProxy.Request;
import io.pureremote.blobstore.adls.Fingerprints.Fingerprint;
import io.pureremote.spi.Shell;
import io.pureremote.spi.BlobStore;
import java.io.ByteArrayInputStream;
import java.io.IOException;
import java.io.OutputStream;
import java.net.URI;
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
import java.util.function.Predicate;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.MethodOrderer;
import org.junit.jupiter.api.Order;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestMethodOrder;
import org.junit.jupiter.api.extension.ExtendWith;
import org.junit.jupiter.api.io.TempDir;

/**
 * End to end on ADLS: {@code @PureRemote} calls run in real child JVMs ({@link LocalProcessShell})
 * with the memo in Azurite. The child opens the store from the memo URI with the {@code
 * PUREREMOTE_STORE_*} settings the store hands out ({@code endpoint}, and {@code
 * credential=dev-account-key}, which the provider accepts on loopback endpoints only).
 *
 * <p>The stores under test talk to Azurite through a {@link CountingHttpProxy}, so requests and
 * uploaded bytes are counted on the wire for the test JVM and the child JVMs alike. Checks a miss
 * then a hit (executions counted by the run records each remote run writes), that a hit is one GET,
 * and that a 200 MiB {@link BlobRef} input goes up once for two different functions and arrives
 * intact. Also prints the measurements the issue asks for as a markdown table: requests per hit,
 * hit latency against a raw SDK GET of the same {@code result} blob ({@code BlobClient
 * .downloadContent} on a client built like the store's, both straight to Azurite), and bytes
 * uploaded for the repeated input. Timings are printed, never asserted.
 */
@ExtendWith(AzuriteServer.class)
@TestMethodOrder(MethodOrderer.OrderAnnotation.class)
class AdlsEndToEndTest {
  private static final long LARGE = 200L << 20;
  private static final int HITS = 200;
  private static final int WARM_UP = 30;
  private static final Map<String, String> MEASURED = new LinkedHashMap<>();

  static CountingHttpProxy proxy;

  @BeforeAll
  static void startProxy() throws IOException {
    proxy = new CountingHttpProxy(URI.create(AzuriteServer.endpoint()).getPort());
  }

  @AfterAll
  static void printMeasurementsAndStopProxy() throws IOException {
    StringBuilder table = new StringBuilder("\n#### ADLS end to end (Azurite, Blob API; LocalProcessShell)\n\n")
        .append("| Measure | Value |\n|---|---|\n");
    MEASURED.forEach((k, v) -> table.append("| ").append(k).append(" | ").append(v).append(" |\n"));
    System.out.println(table);
    if (proxy != null) {
      proxy.close();
    }
  }

  @Test
  @Order(1)
  void callMissesOnceInAChildJvmThenEveryHitIsOneGet() {
    String container = AzuriteServer.newContainer();
    String text = "pure remote, memo in adls";
    Fingerprint expected = FingerprintsImpl.digest(new ByteArrayInputStream(text.getBytes(UTF_8)), 64);
    try (AdlsBlobStore store = proxiedStore(container);
        Shell shell = Shell.create("local");
        RemoteRuntime runtime = RemoteRuntime.builder().blobStore(store).shell(shell).build()) {
      Fingerprints fingerprints = runtime.create(Fingerprints.class, FingerprintsImpl.class);

      assertThat(fingerprints.ofText(text)).isEqualTo(expected);
      assertThat(runRecords(store, "adls-e2e-text")).as("the miss ran once, in a child JVM").isEqualTo(1);
      assertThat(proxy.requests(r -> r.path().contains("/runs/"))).as("the child wrote through the proxy")
          .isNotEmpty();

      proxy.reset();
      assertThat(fingerprints.ofText(text)).isEqualTo(expected);
      List<Request> hit = proxy.requests();
      assertThat(hit).as("a memo hit is one GET of the result").hasSize(1)
          .allSatisfy(r -> {
            assertThat(r.method()).isEqualTo("GET");
            assertThat(r.path()).endsWith("/result");
          });
      assertThat(runRecords(store, "adls-e2e-text")).as("a hit runs nothing").isEqualTo(1);

      proxy.reset();
      for (int i = 0; i < 20; i++) {
        fingerprints.ofText(text);
      }
      assertThat(proxy.requests()).as("every hit is one GET").hasSize(20)
          .allSatisfy(r -> assertThat(r.method()).isEqualTo("GET"));
      MEASURED.put("Requests per memo hit (counted on the wire)", "1 (GET of `result`)");
    }

    // Latency straight to Azurite, without the counting relay: a hit through the @PureRemote proxy
    // against a raw SDK GET of the very same blob, interleaved so both see the same machine load.
    try (AdlsBlobStore store = directStore(container);
        Shell shell = Shell.create("local");
        RemoteRuntime runtime = RemoteRuntime.builder().blobStore(store).shell(shell).build()) {
      Fingerprints fingerprints = runtime.create(Fingerprints.class, FingerprintsImpl.class);
      AdlsBlobStoreOptions o = store.options();
      BlobClient raw = new BlobContainerClientBuilder().endpoint(o.endpoint()).containerName(container)
          .httpClient(new JdkHttpClientBuilder().build())
          .retryOptions(new RequestRetryOptions(RetryPolicyType.EXPONENTIAL, o.maxTries(), o.tryTimeout(),
              o.retryDelay(), o.maxRetryDelay(), null))
          .credential(o.sharedKey())
          .buildClient()
          .getBlobClient("memo/" + resultKey(store, "adls-e2e-text"));
      long[] hit = new long[HITS];
      long[] get = new long[HITS];
      long resultSize = 0;
      for (int i = -WARM_UP; i < HITS; i++) {
        long t0 = System.nanoTime();
        Fingerprint got = fingerprints.ofText(text);
        long t1 = System.nanoTime();
        byte[] bytes = raw.downloadContent().toBytes();
        long t2 = System.nanoTime();
        assertThat(got).isEqualTo(expected);
        resultSize = bytes.length;
        if (i >= 0) {
          hit[i] = t1 - t0;
          get[i] = t2 - t1;
        }
      }
      assertThat(runRecords(store, "adls-e2e-text")).isEqualTo(1);
      MEASURED.put("Memo hit through the `@PureRemote` proxy, median / p99 of " + HITS, percentiles(hit));
      MEASURED.put("Raw `BlobClient.downloadContent` of the same `result` (" + resultSize
          + " B), client built like the store's, median / p99 of " + HITS, percentiles(get));
      MEASURED.put("Hit overhead over the raw GET, median", millis(median(hit) - median(get)));
    }
  }

  @Test
  @Order(2)
  void largeBlobRefGoesUpOnceAndBothFunctionsReadItIntact(@TempDir Path dir) throws IOException {
    Path file = dir.resolve("input.bin");
    long t = System.nanoTime();
    Fingerprint expected = writeDeterministic(file, LARGE, 20_251_123L);
    long generated = System.nanoTime() - t;
    String container = AzuriteServer.newContainer();
    try (AdlsBlobStore store = proxiedStore(container);
        Shell shell = Shell.create("local");
        RemoteRuntime runtime = RemoteRuntime.builder().blobStore(store).shell(shell).build()) {
      Fingerprints fingerprints = runtime.create(Fingerprints.class, FingerprintsImpl.class);
      BlobRef input = BlobRef.of(file);
      assertThat(input.sha256()).isEqualTo(expected.sha256());

      proxy.reset();
      t = System.nanoTime();
      assertThat(fingerprints.viaPath(input)).as("read back through path()").isEqualTo(expected);
      long firstCall = System.nanoTime() - t;
      List<Request> firstBlocks = proxy.requests(casUpload(false));
      List<Request> firstCommits = proxy.requests(casUpload(true));
      long firstBytes = bodyBytes(firstBlocks);
      assertThat(firstBytes).as("the content goes up once, whole").isEqualTo(LARGE);
      assertThat(firstCommits).as("one conditional commit").hasSize(1);
      assertThat(AzuriteServer.service().getBlobContainerClient(container)
          .getBlobClient("memo/" + input.casKey()).getProperties().getBlobSize()).isEqualTo(LARGE);

      proxy.reset();
      t = System.nanoTime();
      assertThat(fingerprints.viaStream(BlobRef.of(file), 64 * 1024)).as("read back through open()")
          .isEqualTo(expected);
      long secondCall = System.nanoTime() - t;
      List<Request> secondUploads = proxy.requests(casUpload(false).or(casUpload(true)));
      assertThat(secondUploads).as("another function over the same content uploads nothing").isEmpty();
      assertThat(runRecords(store, "adls-e2e-path")).isEqualTo(1);
      assertThat(runRecords(store, "adls-e2e-stream")).isEqualTo(1);
      assertThat(store.list(BlobRef.CAS_PREFIX)).containsExactly(input.casKey());

      proxy.reset();
      assertThat(fingerprints.viaPath(input)).as("hit").isEqualTo(expected);
      assertThat(proxy.requests(casUpload(false).or(casUpload(true)))).as("a hit uploads nothing").isEmpty();
      assertThat(runRecords(store, "adls-e2e-path")).isEqualTo(1);

      MEASURED.put("200 MiB `BlobRef`, 1st call (`viaPath`, miss): bytes uploaded to `pureremote/cas/`",
          String.format("%,d B in %d Put Block + %d Put Block List (%,d B of XML)", firstBytes, firstBlocks.size(),
              firstCommits.size(), bodyBytes(firstCommits)));
      MEASURED.put("Same content, 2nd call (`viaStream`, other function and args, miss): bytes uploaded",
          "0 B in 0 requests");
      MEASURED.put("Wall time: generate 200 MiB / 1st call (hash, upload, child JVM) / 2nd call",
          seconds(generated) + " / " + seconds(firstCall) + " / " + seconds(secondCall));
    }
  }

  // ---------------------------------------------------------------- helpers

  /** A store whose requests (and its child JVMs' requests) go through the counting relay. */
  private static AdlsBlobStore proxiedStore(String container) {
    String endpoint = "http://127.0.0.1:" + proxy.port() + "/" + AdlsBlobStoreOptions.DEV_ACCOUNT;
    return new AdlsBlobStore("adls://devstoreaccount1/" + container + "/memo",
        AzuriteServer.options().endpoint(endpoint).build());
  }

  private static AdlsBlobStore directStore(String container) {
    return new AdlsBlobStore("adls://devstoreaccount1/" + container + "/memo", AzuriteServer.options().build());
  }

  /** Uploads of content-addressed blobs: blocks and single puts, or (commits) block list commits. */
  private static Predicate<Request> casUpload(boolean commits) {
    return r -> r.method().equals("PUT") && r.path().contains("/" + BlobRef.CAS_PREFIX)
        && r.query().contains("comp=blocklist") == commits;
  }

  private static long bodyBytes(List<Request> requests) {
    return requests.stream().mapToLong(Request::bodyBytes).sum();
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
}
