package io.pureremote.blobstore.adls;

import static java.nio.charset.StandardCharsets.UTF_8;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.azure.core.util.BinaryData;
import com.azure.storage.blob.BlobClient;
import com.azure.storage.blob.BlobContainerClient;
import com.azure.storage.blob.models.BlobRequestConditions;
import com.azure.storage.blob.models.BlobStorageException;
import com.azure.storage.blob.models.BlockListType;
import com.azure.storage.blob.options.BlobParallelUploadOptions;
import com.azure.storage.common.StorageSharedKeyCredential;
import com.sun.net.httpserver.HttpServer;
import io.pureremote.BlobStoreException;
import io.pureremote.RemoteRuntime;
import io.pureremote.spi.Shell;
import io.pureremote.spi.BlobStore.BlobContent;
import io.pureremote.spi.BlobStore;
import io.pureremote.spi.BlobStore.StoredBlob;
import io.pureremote.spi.BlobStore.VersionConflictException;
import java.io.IOException;
import java.io.InputStream;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.security.MessageDigest;
import java.time.Duration;
import java.util.Base64;
import java.util.HexFormat;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/** ADLS specifics on a real Azurite: URIs, error mapping, conditional writes, streaming, end to end. */
@ExtendWith(AzuriteServer.class)
class AdlsBlobStoreTest {
  private static final int MIB = 1 << 20;

  private static AdlsBlobStore newStore(String container) {
    return new AdlsBlobStore("adls://devstoreaccount1/" + container + "/memo", AzuriteServer.options().build());
  }

  private static BlobContent text(String s) {
    return BlobContent.of(s.getBytes(UTF_8));
  }

  // ---------------------------------------------------------------- URIs

  @Test
  void parsesTheAbfssForm() {
    AdlsLocation l = AdlsLocation.parse("ABFSS://memo-1@acct42.dfs.core.windows.net/team/a/");
    assertThat(l).isEqualTo(new AdlsLocation("abfss://memo-1@acct42.dfs.core.windows.net/team/a", "acct42", "memo-1",
        "team/a", "core.windows.net"));
    assertThat(l.blobEndpoint()).isEqualTo("https://acct42.blob.core.windows.net");
    assertThat(l.namePrefix()).isEqualTo("team/a/");
    // Sovereign clouds keep their suffix; a root without path is the container itself.
    AdlsLocation china = AdlsLocation.parse("abfss://memo@acct.dfs.core.chinacloudapi.cn");
    assertThat(china.blobEndpoint()).isEqualTo("https://acct.blob.core.chinacloudapi.cn");
    assertThat(china.namePrefix()).isEmpty();
    assertThat(china.root()).isEqualTo("abfss://memo@acct.dfs.core.chinacloudapi.cn");
  }

  @Test
  void parsesTheShortForm() {
    AdlsLocation l = AdlsLocation.parse("adls://acct42/memo/team/a");
    assertThat(l).isEqualTo(new AdlsLocation("adls://acct42/memo/team/a", "acct42", "memo", "team/a", "core.windows.net"));
    assertThat(AdlsLocation.parse("adls://acct42/memo/").root()).isEqualTo("adls://acct42/memo");
    try (AdlsBlobStore store = new AdlsBlobStore("adls://acct42/memo/x", AzuriteServer.options().build())) {
      assertThat(store.root()).isEqualTo("adls://acct42/memo/x");
      assertThat(store.uri("k/v")).isEqualTo("adls://acct42/memo/x/k/v");
    }
  }

  @ParameterizedTest
  @ValueSource(strings = {
      "", "acct/memo", "s3://bucket/prefix", "abfss://acct.dfs.core.windows.net/p", "abfss://memo@acct.blob.core.windows.net/p",
      "abfss://memo@acct.dfs.core.windows.net:443/p", "adls://acct", "adls://acct/", "adls://Bad_Acct/memo/p",
      "adls://ab/memo/p", "adls://acct/Memo/p", "adls://acct/me/p", "adls://acct/a--b/p", "adls://acct/memo//p",
      "adls://acct/memo/a/../b", "adls://acct/memo/p?sv=2024&sig=x"})
  void malformedUrisFailWithBothForms(String uri) {
    assertThatThrownBy(() -> AdlsLocation.parse(uri))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessageContaining("'" + uri + "'")
        .hasMessageContaining("abfss://<container>@<account>.dfs.core.windows.net/<path>")
        .hasMessageContaining("adls://<account>/<container>/<path>");
  }

  @Test
  void sasTokenInTheUriIsPointedToTheOptions() {
    assertThatThrownBy(() -> new AdlsBlobStore("adls://acct/memo/p?sv=2024&sig=secret"))
        .hasMessageContaining("SAS token through AdlsBlobStoreOptions");
  }

  // ---------------------------------------------------------------- errors

  @Test
  void wrongKeyIsAPermanentErrorNamingTheUri() {
    String container = AzuriteServer.newContainer();
    byte[] key = new byte[64];
    new Random(1).nextBytes(key);
    AdlsBlobStoreOptions options = AzuriteServer.options()
        .sharedKey(new StorageSharedKeyCredential(AdlsBlobStoreOptions.DEV_ACCOUNT, Base64.getEncoder().encodeToString(key)))
        .build();
    try (AdlsBlobStore store = new AdlsBlobStore("adls://devstoreaccount1/" + container + "/memo", options)) {
      assertThat(options.toString()).contains("shared key of devstoreaccount1").doesNotContain(Base64.getEncoder().encodeToString(key));
      for (Runnable op : List.<Runnable>of(() -> store.get("a/b"), () -> store.putIfAbsent("a/b", text("x")),
          () -> store.exists("a/b"), () -> store.list("a/"))) {
        assertThatThrownBy(op::run)
            .isInstanceOfSatisfying(BlobStoreException.class, e -> {
              assertThat(e.isRetryable()).isFalse();
              assertThat(e.uri()).startsWith(store.root() + "/a/");
              assertThat(e.getMessage()).contains("access denied (403", "Storage Blob Data Contributor", store.root());
            });
      }
    }
  }

  @Test
  void missingContainerSaysWhatToCreate() {
    String container = AzuriteServer.uniqueContainerName();
    try (AdlsBlobStore store = newStore(container)) {
      for (Runnable op : List.<Runnable>of(() -> store.get("k"), () -> store.exists("k"), () -> store.delete("k"),
          () -> store.put("k", text("x"), null), () -> store.list(""))) {
        assertThatThrownBy(op::run)
            .isInstanceOfSatisfying(BlobStoreException.class, e -> {
              assertThat(e.isRetryable()).isFalse();
              assertThat(e.getMessage()).contains("container '" + container + "' does not exist", "az storage container create");
            });
      }
    }
  }

  @Test
  void unknownAccountHostIsPermanent() {
    AdlsBlobStoreOptions options = AzuriteServer.options().endpoint("http://no-such-account.invalid").maxTries(2).build();
    try (AdlsBlobStore store = new AdlsBlobStore("adls://nosuchaccount/memo/x", options)) {
      assertThatThrownBy(() -> store.get("k"))
          .isInstanceOfSatisfying(BlobStoreException.class, e -> {
            assertThat(e.isRetryable()).isFalse();
            assertThat(e.getMessage()).contains("cannot resolve the host of http://no-such-account.invalid", "'nosuchaccount' exist", "adls://nosuchaccount/memo/x/k");
          });
    }
  }

  @Test
  void missingAzureIdentitySaysHowToGetOne() {
    // What DefaultAzureCredential throws when no identity is available (no network needed).
    com.azure.core.credential.TokenCredential none = request -> reactor.core.publisher.Mono.error(
        new com.azure.identity.CredentialUnavailableException("no managed identity endpoint"));
    AdlsBlobStoreOptions options = AdlsBlobStoreOptions.builder().endpoint("https://127.0.0.1:1/devstoreaccount1")
        .credential(none).maxTries(2).retryDelays(Duration.ofMillis(10), Duration.ofMillis(20)).build();
    try (AdlsBlobStore store = new AdlsBlobStore("adls://devstoreaccount1/memo/x", options)) {
      assertThatThrownBy(() -> store.get("k"))
          .isInstanceOfSatisfying(BlobStoreException.class, e -> {
            assertThat(e.isRetryable()).isFalse();
            assertThat(e.getMessage()).contains("no usable Azure credential (no managed identity endpoint)",
                "workload identity", "az login");
          });
    }
  }

  @Test
  void refusedConnectionsAreRetriedThenReportedAsRetryable() throws IOException {
    int port;
    try (ServerSocket s = new ServerSocket(0, 1, java.net.InetAddress.getLoopbackAddress())) {
      port = s.getLocalPort();
    }
    AdlsBlobStoreOptions options = AzuriteServer.options().endpoint("http://127.0.0.1:" + port + "/devstoreaccount1").build();
    try (AdlsBlobStore store = new AdlsBlobStore("adls://devstoreaccount1/memo/x", options)) {
      assertThatThrownBy(() -> store.putIfAbsent("k", text("x")))
          .isInstanceOfSatisfying(BlobStoreException.class, e -> {
            assertThat(e.isRetryable()).isTrue();
            assertThat(e.getMessage()).contains("network failure through 3 tries");
          });
    }
  }

  @Test
  void serverBusyIsRetriedByTheSdkPolicyWithTheConfiguredTries() throws IOException {
    // A stand-in server: 503 ServerBusy first, then the answer for a missing blob.
    AtomicInteger requests = new AtomicInteger();
    AtomicInteger busyAnswers = new AtomicInteger(1);
    HttpServer server = HttpServer.create(new InetSocketAddress("127.0.0.1", 0), 0);
    server.createContext("/", exchange -> {
      requests.incrementAndGet();
      boolean busy = busyAnswers.getAndDecrement() > 0;
      exchange.getResponseHeaders().add("x-ms-error-code", busy ? "ServerBusy" : "BlobNotFound");
      exchange.sendResponseHeaders(busy ? 503 : 404, -1);
      exchange.close();
    });
    server.start();
    try (AdlsBlobStore store = new AdlsBlobStore("adls://devstoreaccount1/memo/x", AzuriteServer.options()
        .endpoint("http://127.0.0.1:" + server.getAddress().getPort() + "/devstoreaccount1").build())) {
      assertThat(store.get("k")).isEmpty();
      assertThat(requests).hasValue(2);

      busyAnswers.set(Integer.MAX_VALUE);
      requests.set(0);
      assertThatThrownBy(() -> store.exists("k"))
          .isInstanceOfSatisfying(BlobStoreException.class, e -> {
            assertThat(e.isRetryable()).isTrue();
            assertThat(e.getMessage()).contains("503 ServerBusy, through 3 tries");
          });
      assertThat(requests).hasValue(3);
    } finally {
      server.stop(0);
    }
  }

  // ---------------------------------------------------------------- conditional writes

  @Test
  void existingBlobAnswers409ButVersionMismatchAnswers412AndBothMapToTheSpi() {
    String container = AzuriteServer.newContainer();
    BlobContainerClient raw = AzuriteServer.service().getBlobContainerClient(container);
    BlobClient blob = raw.getBlobClient("memo/k");
    try (AdlsBlobStore store = newStore(container)) {
      String v1 = store.putIfAbsent("k", text("one")).orElseThrow();

      // What the service says on the wire ...
      assertThatThrownBy(() -> blob.uploadWithResponse(new BlobParallelUploadOptions(BinaryData.fromString("two"))
          .setRequestConditions(new BlobRequestConditions().setIfNoneMatch("*")), null, null))
          .isInstanceOfSatisfying(BlobStorageException.class, e -> {
            assertThat(e.getStatusCode()).isEqualTo(409);
            assertThat(e.getErrorCode().toString()).isEqualTo("BlobAlreadyExists");
          });
      String v2 = store.put("k", text("two"), v1);
      assertThatThrownBy(() -> blob.uploadWithResponse(new BlobParallelUploadOptions(BinaryData.fromString("three"))
          .setRequestConditions(new BlobRequestConditions().setIfMatch(v1)), null, null))
          .isInstanceOfSatisfying(BlobStorageException.class, e -> {
            assertThat(e.getStatusCode()).isEqualTo(412);
            assertThat(e.getErrorCode().toString()).isEqualTo("ConditionNotMet");
          });

      // ... and what the store makes of it.
      assertThat(store.putIfAbsent("k", text("again"))).isEmpty();
      assertThatThrownBy(() -> store.put("k", text("three"), v1))
          .isInstanceOfSatisfying(VersionConflictException.class, e -> assertThat(e.uri()).isEqualTo(store.uri("k")));
      assertThat(store.getBytes("k")).hasValueSatisfying(b -> assertThat(new String(b, UTF_8)).isEqualTo("two"));
      assertThat(blob.getProperties().getETag()).isEqualTo(v2);
    }
  }

  @Test
  void blockUploadsCarryTheConditionsToTheCommit() {
    String container = AzuriteServer.newContainer();
    AdlsBlobStoreOptions small = AzuriteServer.options().blockSize(64 * 1024).build();
    try (AdlsBlobStore store = new AdlsBlobStore("adls://devstoreaccount1/" + container + "/memo", small)) {
      byte[] a = new byte[300 * 1024];
      byte[] b = new byte[200 * 1024];
      new Random(2).nextBytes(a);
      new Random(3).nextBytes(b);
      String v1 = store.putIfAbsent("big", BlobContent.of(a)).orElseThrow();
      assertThat(store.putIfAbsent("big", BlobContent.of(b))).isEmpty();
      String v2 = store.put("big", BlobContent.of(b), v1);
      assertThatThrownBy(() -> store.put("big", BlobContent.of(a), v1)).isInstanceOf(VersionConflictException.class);
      assertThat(store.getBytes("big")).hasValueSatisfying(got -> assertThat(got).isEqualTo(b));
      BlobClient raw = AzuriteServer.service().getBlobContainerClient(container).getBlobClient("memo/big");
      assertThat(raw.getProperties().getETag()).isEqualTo(v2);
      assertThat(raw.getBlockBlobClient().listBlocks(BlockListType.COMMITTED).getCommittedBlocks()).hasSize(4);
    }
  }

  @Test
  void racingBlockUploadsHaveExactlyOneWinner() throws Exception {
    String container = AzuriteServer.newContainer();
    AdlsBlobStoreOptions small = AzuriteServer.options().blockSize(64 * 1024).build();
    try (AdlsBlobStore store = new AdlsBlobStore("adls://devstoreaccount1/" + container + "/memo", small);
        java.util.concurrent.ExecutorService pool = java.util.concurrent.Executors.newFixedThreadPool(6)) {
      for (int round = 0; round < 3; round++) {
        String key = "race/" + round;
        java.util.concurrent.CountDownLatch start = new java.util.concurrent.CountDownLatch(1);
        List<java.util.concurrent.Future<Boolean>> results = new java.util.ArrayList<>();
        for (int t = 0; t < 6; t++) {
          byte[] bytes = new byte[200 * 1024];
          java.util.Arrays.fill(bytes, (byte) t);
          results.add(pool.submit(() -> {
            start.await();
            return store.putIfAbsent(key, BlobContent.of(bytes)).isPresent();
          }));
        }
        start.countDown();
        int winners = 0;
        for (var f : results) {
          winners += f.get() ? 1 : 0;
        }
        assertThat(winners).as(key).isEqualTo(1);
        byte[] stored = store.getBytes(key).orElseThrow();
        assertThat(stored).hasSize(200 * 1024);
        for (byte x : stored) {
          assertThat(x).isEqualTo(stored[0]); // one writer's content, never a mix
        }
      }
    }
  }

  // ---------------------------------------------------------------- streaming

  @ParameterizedTest
  @ValueSource(ints = {1000, 300 * 1024})
  void contentNotMatchingItsLengthIsAPermanentErrorAndWritesNothing(int declared) {
    String container = AzuriteServer.newContainer();
    AdlsBlobStoreOptions small = AzuriteServer.options().blockSize(64 * 1024).build();
    try (AdlsBlobStore store = new AdlsBlobStore("adls://devstoreaccount1/" + container + "/memo", small)) {
      for (int actual : new int[] {declared / 2, declared + 1}) {
        BlobContent lying = new BlobContent() {
          @Override
          public long length() {
            return declared;
          }

          @Override
          public InputStream open() {
            return new java.io.ByteArrayInputStream(new byte[actual]);
          }
        };
        assertThatThrownBy(() -> store.putIfAbsent("k", lying))
            .isInstanceOfSatisfying(BlobStoreException.class, e -> {
              assertThat(e.isRetryable()).isFalse();
              assertThat(e.getMessage()).contains("content yielded", "expected " + declared, "nothing was written");
            });
        assertThatThrownBy(() -> store.put("k", lying, null)).isInstanceOf(BlobStoreException.class);
        assertThat(store.exists("k")).isFalse();
      }
    }
  }

  @Test
  void twentyMebibytesStreamInBlocksBothWays() throws Exception {
    String container = AzuriteServer.newContainer();
    long size = 20L * MIB;
    AdlsBlobStoreOptions options = AzuriteServer.options().blockSize(4 * MIB).build();
    try (AdlsBlobStore store = new AdlsBlobStore("adls://devstoreaccount1/" + container + "/memo", options)) {
      AtomicInteger opens = new AtomicInteger();
      BlobContent content = new BlobContent() {
        @Override
        public long length() {
          return size;
        }

        @Override
        public InputStream open() {
          opens.incrementAndGet();
          return new PatternStream(size);
        }
      };
      String version = store.putIfAbsent("large/blob", content).orElseThrow();
      assertThat(opens).hasValue(1);
      BlobClient raw = AzuriteServer.service().getBlobContainerClient(container).getBlobClient("memo/large/blob");
      assertThat(raw.getBlockBlobClient().listBlocks(BlockListType.COMMITTED).getCommittedBlocks()).hasSize(5);
      try (StoredBlob blob = store.get("large/blob").orElseThrow()) {
        assertThat(blob.size()).isEqualTo(size);
        assertThat(blob.version()).isEqualTo(version);
        assertThat(sha256(blob.stream())).isEqualTo(sha256(new PatternStream(size)));
      }
    }
  }

  /** Deterministic bytes produced on demand, never held in memory as a whole. */
  private static final class PatternStream extends InputStream {
    private long position;
    private final long size;

    PatternStream(long size) {
      this.size = size;
    }

    @Override
    public int read() {
      return position < size ? (int) ((position++ * 131 + (position >>> 16)) & 0xFF) : -1;
    }

    @Override
    public int read(byte[] b, int off, int len) {
      if (position >= size) {
        return -1;
      }
      int n = (int) Math.min(len, size - position);
      for (int i = 0; i < n; i++) {
        b[off + i] = (byte) read();
      }
      return n;
    }
  }

  private static String sha256(InputStream in) throws Exception {
    MessageDigest md = MessageDigest.getInstance("SHA-256");
    try (in) {
      byte[] buf = new byte[64 * 1024];
      for (int n; (n = in.read(buf)) > 0; ) {
        md.update(buf, 0, n);
      }
    }
    return HexFormat.of().formatHex(md.digest());
  }

  // ---------------------------------------------------------------- hierarchical namespace

  @Test
  void directoryEntriesOfHierarchicalAccountsAreNotBlobs() {
    String container = AzuriteServer.newContainer();
    try (AdlsBlobStore store = newStore(container)) {
      store.put("fn/h1/result", text("r"), null);
      // On an HNS account the Blob API shows each directory as an empty blob with this metadata.
      AzuriteServer.service().getBlobContainerClient(container).getBlobClient("memo/fn")
          .uploadWithResponse(new BlobParallelUploadOptions(BinaryData.fromBytes(new byte[0]))
              .setMetadata(Map.of("hdi_isfolder", "true")), null, null);
      assertThat(store.exists("fn")).isFalse();
      assertThat(store.get("fn")).isEmpty();
      assertThat(store.list("fn")).containsExactly("fn/h1/result");
    }
  }

  @Test
  void deleteDirectoryNeedsTheDataLakeApiWhichAzuriteLacks() {
    String container = AzuriteServer.newContainer();
    try (AdlsBlobStore store = newStore(container)) {
      store.put("fn/h1/result", text("r"), null);
      // Azurite serves the DFS delete as a Blob API delete of a blob named "memo/fn", which does
      // not exist: nothing is deleted. On a real HNS account the whole folder goes in one request.
      assertThat(store.deleteDirectory("fn")).isFalse();
      assertThat(store.exists("fn/h1/result")).isTrue();
      assertThatThrownBy(() -> store.deleteDirectory("../x")).isInstanceOf(IllegalArgumentException.class);
    }
  }

  // ---------------------------------------------------------------- provider

  @Test
  void providerOpensStoresBySchemeWithSettingsButNoSecrets() {
    String container = AzuriteServer.newContainer();
    ClassLoader loader = getClass().getClassLoader();
    Map<String, String> settings = Map.of("endpoint", AzuriteServer.endpoint(), "credential", "dev-account-key");
    try (BlobStore abfss = BlobStore.open("abfss://" + container + "@devstoreaccount1.dfs.core.windows.net/m", settings, loader);
        BlobStore adls = BlobStore.open("adls://devstoreaccount1/" + container + "/m", settings, loader)) {
      assertThat(abfss).isInstanceOf(AdlsBlobStore.class);
      assertThat(abfss.putIfAbsent("k", text("via abfss"))).isPresent();
      assertThat(adls.getBytes("k")).hasValueSatisfying(b -> assertThat(new String(b, UTF_8)).isEqualTo("via abfss"));
      // What a remote process receives reopens the same store.
      assertThat(adls.remoteSettings()).isEqualTo(settings);
      try (BlobStore remote = BlobStore.open(adls.root(), adls.remoteSettings(), loader)) {
        assertThat(remote.exists("k")).isTrue();
      }
    }
    String root = "adls://devstoreaccount1/" + container + "/m";
    assertThatThrownBy(() -> BlobStore.open(root, Map.of("account-key", "x"), loader))
        .hasMessageContaining("Unknown ADLS blob store settings [account-key]").hasMessageContaining("never");
    assertThatThrownBy(() -> BlobStore.open(root, Map.of("account", "other"), loader))
        .hasMessageContaining("names account 'devstoreaccount1'");
    assertThatThrownBy(() -> BlobStore.open(root, Map.of("endpoint", "https://x.blob.core.windows.net",
        "credential", "dev-account-key"), loader)).hasMessageContaining("local emulator only");
    try (AdlsBlobStore real = new AdlsBlobStore("adls://acct/memo")) {
      assertThat(real.remoteSettings()).isEmpty();
      assertThat(real.toString()).contains("https://acct.blob.core.windows.net");
    }
  }

  @Test
  void optionsRejectConflictingOrBadSettings() {
    assertThatThrownBy(() -> new AdlsBlobStoreOptions("https://a.blob.core.windows.net", null,
        new StorageSharedKeyCredential("a", "a2V5"), "sv=1", 3, Duration.ofSeconds(1), Duration.ofMillis(1),
        Duration.ofSeconds(1), MIB, 1)).hasMessageContaining("at most one");
    assertThatThrownBy(() -> AdlsBlobStoreOptions.builder().endpoint("ftp://x").build()).hasMessageContaining("http(s) URL");
    assertThatThrownBy(() -> AdlsBlobStoreOptions.builder().maxTries(0).build()).hasMessageContaining("maxTries");
    assertThatThrownBy(() -> AdlsBlobStoreOptions.builder().retryDelays(Duration.ofSeconds(5), Duration.ofSeconds(1)).build())
        .hasMessageContaining("exceeds maxRetryDelay");
    AdlsBlobStoreOptions sas = AdlsBlobStoreOptions.builder().sasToken("?sv=2024&sig=topsecret").build();
    assertThat(sas.sasToken()).isEqualTo("sv=2024&sig=topsecret");
    assertThat(sas.toString()).contains("SAS token").doesNotContain("topsecret");
    assertThat(sas.toBuilder().devAccountKey().build().sasToken()).isNull();
  }

  @Test
  void sasTokenCredentialWorks() {
    String container = AzuriteServer.newContainer();
    BlobContainerClient raw = AzuriteServer.service().getBlobContainerClient(container);
    String sas = raw.generateSas(new com.azure.storage.blob.sas.BlobServiceSasSignatureValues(
        java.time.OffsetDateTime.now().plusHours(1),
        new com.azure.storage.blob.sas.BlobContainerSasPermission().setReadPermission(true).setWritePermission(true)
            .setCreatePermission(true).setListPermission(true).setDeletePermission(true)));
    AdlsBlobStoreOptions options = AdlsBlobStoreOptions.builder().endpoint(AzuriteServer.endpoint()).sasToken(sas).build();
    try (AdlsBlobStore store = new AdlsBlobStore("adls://devstoreaccount1/" + container + "/memo", options)) {
      assertThat(store.putIfAbsent("k", text("sas"))).isPresent();
      assertThat(store.list("")).containsExactly("k");
      assertThat(store.delete("k")).isTrue();
    }
  }

  // ---------------------------------------------------------------- end to end

  @Test
  void pureRemoteCallIsMemoizedInAzurite() {
    String container = AzuriteServer.newContainer();
    WordStatsImpl.EXECUTIONS.set(0);
    try (AdlsBlobStore store = newStore(container);
        Shell shell = Shell.inProcess(store);
        RemoteRuntime runtime = RemoteRuntime.builder().blobStore(store).shell(shell).build()) {
      WordStats stats = runtime.create(WordStats.class, WordStatsImpl.class);
      WordStats.Summary first = stats.summarize(List.of("pure", "remote", "adls"));
      WordStats.Summary second = stats.summarize(List.of("pure", "remote", "adls"));
      assertThat(first).isEqualTo(new WordStats.Summary(3, 14));
      assertThat(second).isEqualTo(first);
      assertThat(WordStatsImpl.EXECUTIONS).hasValue(1);
      assertThat(store.list("pureremote/v1/")).anyMatch(k -> k.endsWith("/result"));
    }
  }
}
