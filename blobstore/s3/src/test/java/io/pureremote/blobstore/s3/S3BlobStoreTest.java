package io.pureremote.blobstore.s3;

import static java.nio.charset.StandardCharsets.UTF_8;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.pureremote.BlobStoreException;
import io.pureremote.RemoteRuntime;
import io.pureremote.blobstore.s3.FakeS3Server.Answer;
import io.pureremote.blobstore.s3.S3BlobStoreOptions.ConditionalWrites;
import io.pureremote.spi.Shell;
import io.pureremote.spi.BlobStore.BlobContent;
import io.pureremote.spi.BlobStore;
import io.pureremote.spi.BlobStore.StoredBlob;
import io.pureremote.spi.BlobStore.VersionConflictException;
import java.io.IOException;
import java.io.InputStream;
import java.net.ServerSocket;
import java.net.URI;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.DigestInputStream;
import java.security.MessageDigest;
import java.util.HashMap;
import java.util.HexFormat;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.UUID;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicReference;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;
import org.junit.jupiter.params.provider.ValueSource;
import software.amazon.awssdk.auth.credentials.AwsBasicCredentials;
import software.amazon.awssdk.auth.credentials.StaticCredentialsProvider;
import software.amazon.awssdk.core.interceptor.Context;
import software.amazon.awssdk.core.interceptor.ExecutionAttributes;
import software.amazon.awssdk.core.interceptor.ExecutionInterceptor;
import software.amazon.awssdk.core.sync.RequestBody;
import software.amazon.awssdk.services.s3.model.CompleteMultipartUploadRequest;

/** S3-specific behaviour: multipart, errors and retries, the conditional-write probe, URIs, provider. */
class S3BlobStoreTest {
  private static final int MIB = 1 << 20;
  static S3ProxyFixture s3;
  static String bucket;

  String root;

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

  @BeforeEach
  void uniqueRoot() {
    root = "s3://" + bucket + "/t-" + UUID.randomUUID().toString().substring(0, 8);
  }

  private S3BlobStore store(S3BlobStoreOptions.Builder options) {
    return new S3BlobStore(root, options.build());
  }

  private static S3BlobStoreOptions.Builder smallParts() {
    return s3.options().multipartThreshold(5L * MIB).partSize(5L * MIB);
  }

  // ---------------------------------------------------------------- multipart

  @Test
  void blobAboveThresholdGoesMultipartAndKeepsPutIfAbsentSemantics() throws IOException {
    RequestCounter counter = new RequestCounter();
    try (S3BlobStore store = store(smallParts().addInterceptor(counter))) {
      BlobContent content = generated(12L * MIB, 1);
      Optional<String> version = store.putIfAbsent("big", content);
      assertThat(version).isPresent();
      // 12 MiB in 5 MiB parts: 3 parts (plus 1 for the one-time probe's own multipart upload).
      assertThat(counter.count("UploadPart")).isEqualTo(4);
      assertThat(counter.count("PutObject")).as("the blob never went up in one PutObject").isLessThanOrEqualTo(2);
      try (StoredBlob b = store.get("big").orElseThrow()) {
        assertThat(b.size()).isEqualTo(12L * MIB);
        assertThat(b.version()).isEqualTo(version.get());
        assertThat(sha256(b.stream())).isEqualTo(sha256(content.open()));
      }

      counter.reset();
      assertThat(store.putIfAbsent("big", generated(12L * MIB, 2))).isEmpty();
      assertThat(counter.count("UploadPart")).as("an existing blob is not uploaded again").isZero();
      try (StoredBlob b = store.get("big").orElseThrow()) {
        assertThat(sha256(b.stream())).isEqualTo(sha256(content.open()));
      }
      assertThat(openUploads()).isZero();
    }
  }

  /** Parts go up several at once; the object and its ETag are the same whatever the concurrency. */
  @ParameterizedTest
  @ValueSource(ints = {1, 3, 32})
  void partsSentConcurrentlyAssembleTheSameObject(int concurrency) throws IOException {
    BlobContent content = generated(23L * MIB, 9); // 5 parts, the last one short
    try (S3BlobStore store = store(smallParts().partConcurrency(concurrency))) {
      String version = store.putIfAbsent("parallel", content).orElseThrow();
      assertThat(version).isEqualTo(multipartEtag(content, 5 * MIB));
      try (StoredBlob b = store.get("parallel").orElseThrow()) {
        assertThat(b.size()).isEqualTo(23L * MIB);
        assertThat(sha256(b.stream())).isEqualTo(sha256(content.open()));
      }
      assertThat(openUploads()).isZero();
    }
  }

  /**
   * A file's parts are read from the file by each sender, none buffered, so they are sized from
   * the file's length: at most 4 per sender, never below the configured size.
   */
  @Test
  void aFileGoesUpInPartsSizedFromItsLength(@TempDir Path dir) throws IOException {
    Path file = copyToFile(generated(47L * MIB, 5), dir.resolve("big.bin"));
    BlobContent content = BlobContent.of(file);
    RequestCounter counter = new RequestCounter();
    try (S3BlobStore store = store(smallParts().partConcurrency(2).addInterceptor(counter))) {
      String version = store.putIfAbsent("file", content).orElseThrow();
      // 47 MiB, 2 senders: 8 parts of 6 MiB, not 10 of the configured 5 MiB (plus the probe's one).
      assertThat(counter.count("UploadPart")).isEqualTo(9);
      assertThat(version).isEqualTo(multipartEtag(content, 6 * MIB));
      try (StoredBlob b = store.get("file").orElseThrow()) {
        assertThat(b.size()).isEqualTo(47L * MIB);
        assertThat(sha256(b.stream())).isEqualTo(sha256(content.open()));
      }
      assertThat(openUploads()).isZero();
    }
  }

  /** A file that shrank after its length was taken fails the upload with the cause; nothing is stored. */
  @Test
  void aFileShorterThanDeclaredFailsAndStoresNothing(@TempDir Path dir) throws IOException {
    Path file = copyToFile(generated(12L * MIB, 6), dir.resolve("shrinks.bin"));
    BlobContent content = BlobContent.of(file);
    try (var channel = java.nio.channels.FileChannel.open(file, java.nio.file.StandardOpenOption.WRITE)) {
      channel.truncate(11L * MIB);
    }
    try (S3BlobStore store = store(smallParts())) {
      assertThatThrownBy(() -> store.putIfAbsent("shrinks", content))
          .isInstanceOf(BlobStoreException.class)
          .hasMessageContaining("less than its declared length");
      assertThat(store.exists("shrinks")).isFalse();
      assertThat(openUploads()).isZero();
    }
  }

  /** A part that fails for good stops the upload: no object, no upload left open, a clear error. */
  @Test
  void aFailingPartAbortsTheWholeUpload() {
    AtomicInteger partsTried = new AtomicInteger();
    ExecutionInterceptor failThirdPart = new ExecutionInterceptor() {
      @Override
      public void beforeExecution(Context.BeforeExecution context, ExecutionAttributes attributes) {
        if (context.request() instanceof software.amazon.awssdk.services.s3.model.UploadPartRequest r
            && r.partNumber() == 3) {
          partsTried.incrementAndGet();
          throw new IllegalStateException("injected: part 3 refused");
        }
      }
    };
    try (S3BlobStore store = store(smallParts().partConcurrency(2).addInterceptor(failThirdPart))) {
      assertThatThrownBy(() -> store.putIfAbsent("half", generated(30L * MIB, 4)))
          .hasMessageContaining("injected: part 3 refused");
      assertThat(partsTried).hasValue(1);
      assertThat(store.exists("half")).isFalse();
      assertThat(openUploads()).isZero();
    }
  }

  @Test
  void multipartPutIfAbsentLosingTheRaceAtCompletionReturnsEmptyAndAbortsTheUpload() {
    CompetitorAtCompletion competitor = new CompetitorAtCompletion();
    try (S3BlobStore store = store(smallParts().addInterceptor(competitor))) {
      competitor.arm(store.bucket(), store.prefix() + "/raced", "competitor won");
      assertThat(store.putIfAbsent("raced", generated(11L * MIB, 3))).isEmpty();
      assertThat(new String(store.getBytes("raced").orElseThrow(), UTF_8)).isEqualTo("competitor won");
      assertThat(openUploads()).isZero();
    }
  }

  @Test
  void multipartPutWithVersionReplacesOrConflicts() throws IOException {
    CompetitorAtCompletion competitor = new CompetitorAtCompletion();
    try (S3BlobStore store = store(smallParts().addInterceptor(competitor))) {
      String v1 = store.putIfAbsent("lease", BlobContent.of("small".getBytes(UTF_8))).orElseThrow();
      BlobContent big = generated(11L * MIB, 4);
      String v2 = store.put("lease", big, v1);
      assertThat(v2).isNotEqualTo(v1);
      try (StoredBlob b = store.get("lease").orElseThrow()) {
        assertThat(b.version()).isEqualTo(v2);
        assertThat(sha256(b.stream())).isEqualTo(sha256(big.open()));
      }
      // Stale: found before uploading anything.
      assertThatThrownBy(() -> store.put("lease", generated(11L * MIB, 5), v1))
          .isInstanceOf(VersionConflictException.class);
      // Changed between the check and the completion: If-Match on CompleteMultipartUpload.
      competitor.arm(store.bucket(), store.prefix() + "/lease", "changed meanwhile");
      assertThatThrownBy(() -> store.put("lease", generated(11L * MIB, 6), v2))
          .isInstanceOf(VersionConflictException.class);
      assertThat(new String(store.getBytes("lease").orElseThrow(), UTF_8)).isEqualTo("changed meanwhile");
      assertThat(openUploads()).isZero();
    }
  }

  @Test
  void contentThatLiesAboutItsLengthFailsWithoutRetriesAndLeavesNoBlob() {
    RequestCounter counter = new RequestCounter();
    try (S3BlobStore store = store(smallParts().addInterceptor(counter))) {
      store.put("warm-up", BlobContent.of(new byte[1]), null);
      counter.reset();
      BlobContent longer = withLength(BlobContent.of(new byte[41]), 40);
      assertThatThrownBy(() -> store.put("longer", longer, null))
          .isInstanceOf(BlobStoreException.class)
          .hasMessageContaining("more than its declared length of 40")
          .satisfies(e -> assertThat(((BlobStoreException) e).isRetryable()).isFalse());
      assertThat(counter.count("PutObject")).as("not retried").isEqualTo(1);

      BlobContent bigShort = withLength(generated(11L * MIB, 7), 12L * MIB);
      assertThatThrownBy(() -> store.put("big-short", bigShort, null))
          .isInstanceOf(BlobStoreException.class)
          .hasMessageContaining("less than its declared length");
      BlobContent bigLong = withLength(generated(12L * MIB + 1, 7), 12L * MIB);
      assertThatThrownBy(() -> store.put("big-long", bigLong, null))
          .isInstanceOf(BlobStoreException.class)
          .hasMessageContaining("more than its declared length");
      assertThat(store.list("")).containsExactly("warm-up");
      assertThat(openUploads()).isZero();
    }
  }

  // ---------------------------------------------------------------- errors

  @Test
  void wrongCredentialsFailPermanentlyNamingTheUriWithoutRetrying() {
    RequestCounter counter = new RequestCounter();
    S3BlobStoreOptions.Builder wrong = s3.options().addInterceptor(counter)
        .credentialsProvider(StaticCredentialsProvider.create(AwsBasicCredentials.create("access", "wrong")));
    try (S3BlobStore store = store(wrong)) {
      assertThatThrownBy(() -> store.get("some/key"))
          .isInstanceOf(BlobStoreException.class)
          .hasMessageContaining("access denied")
          .hasMessageContaining("403")
          .hasMessageContaining(root + "/some/key")
          .satisfies(e -> {
            BlobStoreException b = (BlobStoreException) e;
            assertThat(b.uri()).isEqualTo(root + "/some/key");
            assertThat(b.isRetryable()).isFalse();
            assertThat(b.getCause()).isNotNull();
          });
      assertThat(counter.count("GetObject")).as("a 403 is not retried").isEqualTo(1);
      assertThatThrownBy(() -> store.putIfAbsent("some/key", BlobContent.of(new byte[1])))
          .isInstanceOf(BlobStoreException.class)
          .hasMessageContaining("access denied")
          .satisfies(e -> assertThat(((BlobStoreException) e).uri()).isEqualTo(root + "/some/key"));
      assertThatThrownBy(() -> store.list("")).isInstanceOf(BlobStoreException.class).hasMessageContaining("403");
    }
  }

  @Test
  void missingBucketIsAClearPermanentErrorForEveryOperation() {
    String missing = "s3://no-such-bucket-" + UUID.randomUUID().toString().substring(0, 8) + "/memo";
    try (S3BlobStore store = new S3BlobStore(missing, s3.options().build())) {
      List<Runnable> operations = List.of(
          () -> store.get("k"),
          () -> store.exists("k"),
          () -> store.delete("k"),
          () -> store.list(""),
          () -> store.put("k", BlobContent.of(new byte[1]), null),
          () -> store.putIfAbsent("k", BlobContent.of(new byte[1])));
      for (Runnable op : operations) {
        assertThatThrownBy(op::run)
            .isInstanceOf(BlobStoreException.class)
            .hasMessageContaining("does not exist")
            .hasMessageContaining(missing)
            .satisfies(e -> assertThat(((BlobStoreException) e).isRetryable()).isFalse());
      }
    }
  }

  @Test
  void transientServerErrorsAreRetriedWithBackoffThenSucceed() throws Exception {
    try (FakeS3Server fake = new FakeS3Server((n, method, path) ->
            n <= 2 ? Answer.error(500, "InternalError") : Answer.ok("hello", "\"v1\""));
        S3BlobStore store = new S3BlobStore("s3://bucket/p", fakeOptions(fake.endpoint()).maxAttempts(3).build())) {
      assertThat(store.getBytes("k")).hasValueSatisfying(b -> assertThat(new String(b, UTF_8)).isEqualTo("hello"));
      assertThat(fake.requests()).isEqualTo(3);
    }
  }

  @Test
  void aSmallObjectWhoseBodyBreaksOffIsReadAgain() throws Exception {
    try (FakeS3Server fake = new FakeS3Server((n, method, path) ->
            n == 1 ? Answer.brokenOff("hello world", "\"v1\"", 4) : Answer.ok("hello world", "\"v1\""));
        S3BlobStore store = new S3BlobStore("s3://bucket/p", fakeOptions(fake.endpoint()).maxAttempts(3).build())) {
      try (StoredBlob blob = store.get("k").orElseThrow()) {
        assertThat(new String(blob.stream().readAllBytes(), UTF_8)).isEqualTo("hello world");
        assertThat(blob.version()).isEqualTo("\"v1\"");
      }
      assertThat(fake.requests()).isEqualTo(2);
    }
  }

  @Test
  void persistentThrottlingGivesUpAfterMaxAttemptsAsRetryable() throws Exception {
    try (FakeS3Server fake = new FakeS3Server((n, method, path) -> Answer.error(503, "SlowDown"));
        S3BlobStore store = new S3BlobStore("s3://bucket/p", fakeOptions(fake.endpoint()).maxAttempts(2).build())) {
      assertThatThrownBy(() -> store.get("k"))
          .isInstanceOf(BlobStoreException.class)
          .hasMessageContaining("SlowDown")
          .hasMessageContaining("after 2 attempts")
          .hasMessageContaining("s3://bucket/p/k")
          .satisfies(e -> assertThat(((BlobStoreException) e).isRetryable()).isTrue());
      assertThat(fake.requests()).isEqualTo(2);
    }
  }

  @Test
  void unreachableEndpointIsARetryableFailure() throws IOException {
    int port;
    try (ServerSocket socket = new ServerSocket(0)) {
      port = socket.getLocalPort(); // closed again: nothing listens there
    }
    URI endpoint = URI.create("http://127.0.0.1:" + port);
    try (S3BlobStore store = new S3BlobStore("s3://bucket/p", fakeOptions(endpoint).maxAttempts(2).build())) {
      assertThatThrownBy(() -> store.exists("k"))
          .isInstanceOf(BlobStoreException.class)
          .hasMessageContaining("cannot reach " + endpoint)
          .satisfies(e -> assertThat(((BlobStoreException) e).isRetryable()).isTrue());
    }
  }

  // ---------------------------------------------------------------- conditional-write honesty

  @Test
  void serverThatIgnoresConditionalWritesIsCaughtByTheProbe() throws Exception {
    // Accepts every write, whatever its conditions: what a naive S3-compatible server does.
    try (FakeS3Server fake = new FakeS3Server((n, method, path) -> method.equals("DELETE")
            ? new Answer(204, Map.of(), null) : Answer.ok("", "\"e" + n + "\""));
        S3BlobStore store = new S3BlobStore("s3://bucket/p", fakeOptions(fake.endpoint()).build())) {
      assertThatThrownBy(() -> store.putIfAbsent("result", BlobContent.of(new byte[1])))
          .isInstanceOf(BlobStoreException.class)
          .hasMessageContaining("does not honour conditional writes")
          .hasMessageContaining("If-None-Match")
          .satisfies(e -> assertThat(((BlobStoreException) e).isRetryable()).isFalse());
      int afterProbe = fake.requests();
      assertThat(afterProbe).as("create, second create (accepted), delete").isEqualTo(3);
      assertThatThrownBy(() -> store.put("lease", BlobContent.of(new byte[1]), "\"e1\""))
          .isInstanceOf(BlobStoreException.class)
          .hasMessageContaining("does not honour conditional writes");
      assertThat(fake.requests()).as("the verdict is kept, not probed again").isEqualTo(afterProbe);
      // Unconditional writes do not depend on the server's conditional support.
      assertThat(store.put("plain", BlobContent.of(new byte[1]), null)).isNotBlank();
    }
  }

  @Test
  void trustModeSkipsTheProbe() throws Exception {
    try (FakeS3Server fake = new FakeS3Server((n, method, path) -> Answer.ok("", "\"e" + n + "\""));
        S3BlobStore store = new S3BlobStore("s3://bucket/p",
            fakeOptions(fake.endpoint()).conditionalWrites(ConditionalWrites.TRUST).build())) {
      assertThat(store.putIfAbsent("result", BlobContent.of(new byte[1]))).contains("\"e1\"");
      assertThat(fake.requests()).isEqualTo(1);
    }
  }

  @Test
  void retriedCreateWhoseFirstAttemptLandedIsReportedAsOurs() throws Exception {
    byte[] bytes = "result".getBytes(UTF_8);
    String ours = "\"" + HexFormat.of().formatHex(S3BlobStore.md5().digest(bytes)) + "\"";
    // The first PUT is applied but its answer is lost (500); the retry then finds the object: 412.
    try (FakeS3Server fake = new FakeS3Server((n, method, path) -> switch (n) {
          case 1 -> Answer.error(500, "InternalError");
          case 2 -> Answer.error(412, "PreconditionFailed");
          default -> new Answer(200, Map.of("ETag", ours), null);
        });
        S3BlobStore store = new S3BlobStore("s3://bucket/p",
            fakeOptions(fake.endpoint()).conditionalWrites(ConditionalWrites.TRUST).build())) {
      assertThat(store.putIfAbsent("result", BlobContent.of(bytes))).contains(ours);
      assertThat(fake.requests()).as("PUT, PUT, HEAD").isEqualTo(3);
    }
    // Same answers, but the object there has other bytes: someone else won.
    try (FakeS3Server fake = new FakeS3Server((n, method, path) -> switch (n) {
          case 1 -> Answer.error(500, "InternalError");
          case 2 -> Answer.error(412, "PreconditionFailed");
          default -> new Answer(200, Map.of("ETag", "\"0123\""), null);
        });
        S3BlobStore store = new S3BlobStore("s3://bucket/p",
            fakeOptions(fake.endpoint()).conditionalWrites(ConditionalWrites.TRUST).build())) {
      assertThat(store.putIfAbsent("result", BlobContent.of(bytes))).isEmpty();
    }
  }

  @Test
  void retriedMultipartCompletionWhoseFirstAttemptLandedIsReportedAsOurs() throws Exception {
    assertLostCompletionIsReportedAsOurs(generated(12L * MIB, 11));
  }

  /** The same for a file, whose part checksums are computed only when the lost answer needs them. */
  @Test
  void retriedCompletionOfAFileWhoseFirstAttemptLandedIsReportedAsOurs(@TempDir Path dir) throws Exception {
    assertLostCompletionIsReportedAsOurs(BlobContent.of(copyToFile(generated(12L * MIB, 12), dir.resolve("f.bin"))));
  }

  private static void assertLostCompletionIsReportedAsOurs(BlobContent content) throws Exception {
    String ours = multipartEtag(content, 5 * MIB);
    AtomicBoolean created = new AtomicBoolean();
    AtomicInteger completions = new AtomicInteger();
    // Create, 3 parts, then the completion is applied but its answer lost (500); the retry finds
    // no upload any more (404 NoSuchUpload). The object's ETag is the one our parts give.
    FakeS3Server.Script script = (n, method, path) -> switch (method) {
      case "HEAD" -> path.equals("/bucket") || completions.get() >= 2
          ? new Answer(200, Map.of("ETag", ours), null) : new Answer(404, Map.of(), null);
      case "POST" -> !created.getAndSet(true)
          ? new Answer(200, Map.of("Content-Type", "application/xml"), "<InitiateMultipartUploadResult>"
              + "<Bucket>bucket</Bucket><Key>p/big</Key><UploadId>u1</UploadId></InitiateMultipartUploadResult>")
          : completions.incrementAndGet() == 1 ? Answer.error(500, "InternalError") : Answer.error(404, "NoSuchUpload");
      case "PUT" -> Answer.ok("", "\"part\"");
      default -> new Answer(204, Map.of(), null); // the abort
    };
    try (FakeS3Server fake = new FakeS3Server(script);
        S3BlobStore store = new S3BlobStore("s3://bucket/p", fakeOptions(fake.endpoint())
            .conditionalWrites(ConditionalWrites.TRUST).multipartThreshold(5L * MIB).partSize(5L * MIB).build())) {
      assertThat(store.putIfAbsent("big", content)).contains(ours);
      assertThat(completions).hasValue(2);
    }
  }

  @Test
  void firstAttemptConflictIsNeverSecondGuessed() throws Exception {
    try (FakeS3Server fake = new FakeS3Server((n, method, path) -> Answer.error(412, "PreconditionFailed"));
        S3BlobStore store = new S3BlobStore("s3://bucket/p",
            fakeOptions(fake.endpoint()).conditionalWrites(ConditionalWrites.TRUST).build())) {
      assertThatThrownBy(() -> store.put("lease", BlobContent.of(new byte[1]), "\"v1\""))
          .isInstanceOf(VersionConflictException.class);
      assertThat(fake.requests()).as("no HEAD after a 412 on the first attempt").isEqualTo(1);
    }
  }

  @Test
  void concurrentConditionalWriteConflict409IsRetried() throws Exception {
    try (FakeS3Server fake = new FakeS3Server((n, method, path) ->
            n == 1 ? Answer.error(409, "ConditionalRequestConflict") : Answer.ok("", "\"e2\""));
        S3BlobStore store = new S3BlobStore("s3://bucket/p",
            fakeOptions(fake.endpoint()).conditionalWrites(ConditionalWrites.TRUST).build())) {
      assertThat(store.putIfAbsent("result", BlobContent.of(new byte[1]))).contains("\"e2\"");
      assertThat(fake.requests()).isEqualTo(2);
    }
  }

  @Test
  void probePassesOnS3ProxyOnceAndCostsFourRequests() {
    RequestCounter counter = new RequestCounter();
    try (S3BlobStore store = store(s3.options().addInterceptor(counter))) {
      assertThat(store.putIfAbsent("a", BlobContent.of(new byte[1]))).isPresent();
      assertThat(counter.snapshot()).isEqualTo(Map.of("PutObject", 4, "DeleteObject", 1));
      counter.reset();
      assertThat(store.putIfAbsent("b", BlobContent.of(new byte[1]))).isPresent();
      assertThat(counter.total()).isEqualTo(1);
      assertThat(store.list("")).as("probe objects are gone and never listed").containsExactly("a", "b");
    }
  }

  // ---------------------------------------------------------------- roots and keys

  @ParameterizedTest
  @CsvSource(delimiter = '|', quoteCharacter = '"', value = {
      "s3://|the bucket name is missing",
      "s3:///memo|the bucket name is missing",
      "https://bucket/memo|its scheme is 'https', not 's3'",
      "bucket/memo|it has no scheme",
      "s3:bucket/memo|must start with s3://",
      "s3://ab/memo|'ab' is not a valid bucket name",
      "s3://My_Bucket/memo|'My_Bucket' is not a valid bucket name",
      "s3://bucket//memo|empty segment",
      "s3://bucket/.hidden|starting with '.'",
      "s3://bucket/memo?x=1|query strings",
  })
  void invalidRootsAreRejectedWithClearMessages(String uri, String why) {
    assertThatThrownBy(() -> new S3BlobStore(uri, s3.options().build()))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessageContaining("Invalid S3 blob root '" + uri + "'")
        .hasMessageContaining(why)
        .hasMessageContaining("s3://<bucket>/");
  }

  @Test
  void rootIsNormalizedAndSplitIntoBucketAndPrefix() {
    try (S3BlobStore a = new S3BlobStore("s3://my-bucket/memo/team/", s3.options().build());
        S3BlobStore b = new S3BlobStore("S3://my-bucket", s3.options().build())) {
      assertThat(a.root()).isEqualTo("s3://my-bucket/memo/team");
      assertThat(a.bucket()).isEqualTo("my-bucket");
      assertThat(a.prefix()).isEqualTo("memo/team");
      assertThat(a.uri("x/y")).isEqualTo("s3://my-bucket/memo/team/x/y");
      assertThat(b.root()).isEqualTo("s3://my-bucket");
      assertThat(b.prefix()).isEmpty();
    }
  }

  @Test
  void optionsNeverPrintCredentials() {
    S3BlobStoreOptions options = S3BlobStoreOptions.builder()
        .credentialsProvider(StaticCredentialsProvider.create(AwsBasicCredentials.create("AKIAEXAMPLE", "s3cr3t")))
        .build();
    assertThat(options.toString()).contains("StaticCredentialsProvider").doesNotContain("s3cr3t", "AKIAEXAMPLE");
  }

  @Test
  void storesOnSiblingPrefixesAndOnTheBucketRootSeeOnlyTheirOwnKeys() {
    String own = s3.newBucket();
    try (S3BlobStore memo = new S3BlobStore("s3://" + own + "/memo", s3.options().build());
        S3BlobStore memo2 = new S3BlobStore("s3://" + own + "/memo2", s3.options().build());
        S3BlobStore whole = new S3BlobStore("s3://" + own, s3.options().build())) {
      memo.put("a/1", BlobContent.of(new byte[1]), null);
      memo2.put("a/2", BlobContent.of(new byte[1]), null);
      whole.put("top", BlobContent.of(new byte[1]), null);
      assertThat(memo.list("")).containsExactly("a/1");
      assertThat(memo2.list("")).containsExactly("a/2");
      assertThat(whole.list("")).containsExactly("memo/a/1", "memo2/a/2", "top");
      assertThat(whole.list("memo")).containsExactly("memo/a/1", "memo2/a/2");
      assertThat(whole.exists("memo/a/1")).isTrue();
      assertThat(memo.exists("a/2")).isFalse();
    }
  }

  @Test
  void objectsWithDotSegmentsUnderTheRootAreNeverListed() {
    try (S3BlobStore store = store(s3.options())) {
      s3.admin.putObject(b -> b.bucket(bucket).key(store.prefix() + "/.pureremote/leftover"),
          RequestBody.fromString("x"));
      s3.admin.putObject(b -> b.bucket(bucket).key(store.prefix() + "/a/.tmp"), RequestBody.fromString("x"));
      store.put("a/b", BlobContent.of(new byte[1]), null);
      assertThat(store.list("")).containsExactly("a/b");
    }
  }

  @ParameterizedTest
  @ValueSource(strings = {"", "/a", "a/", "a//b", ".x", "a/.b"})
  void invalidKeysAreRejected(String key) {
    try (S3BlobStore store = store(s3.options())) {
      assertThatThrownBy(() -> store.get(key)).isInstanceOf(IllegalArgumentException.class)
          .hasMessageContaining("Invalid blob key");
      assertThatThrownBy(() -> store.putIfAbsent(key, BlobContent.of(new byte[1])))
          .isInstanceOf(IllegalArgumentException.class);
    }
  }

  @Test
  void closingAPartlyReadBlobReleasesTheConnection() throws IOException {
    try (S3BlobStore store = store(s3.options())) {
      store.put("big", generated(3L * MIB, 9), null);
      for (int i = 0; i < 60; i++) { // more than the client's connection pool holds
        try (StoredBlob b = store.get("big").orElseThrow(); InputStream in = b.stream()) {
          assertThat(in.read(new byte[10])).isEqualTo(10);
        }
      }
      assertThat(store.exists("big")).isTrue();
    }
  }

  // ---------------------------------------------------------------- provider

  @Test
  void providerIsFoundBySchemeAndAppliesSettings() {
    Map<String, String> settings = Map.of("region", "eu-west-1", "endpoint", s3.endpoint.toString(),
        "path-style", "true", "conditional-writes", "trust", "max-attempts", "3",
        "multipart-threshold", "32MiB", "part-size", "6291456", "part-concurrency", "2");
    try (BlobStore opened = BlobStore.open(root, settings, getClass().getClassLoader())) {
      assertThat(opened).isInstanceOf(S3BlobStore.class);
      S3BlobStore store = (S3BlobStore) opened;
      assertThat(store.root()).isEqualTo(root);
      assertThat(store.region().id()).isEqualTo("eu-west-1");
      S3BlobStoreOptions o = store.options();
      assertThat(o.endpointOverride()).isEqualTo(s3.endpoint);
      assertThat(o.pathStyle()).isTrue();
      assertThat(o.conditionalWrites()).isEqualTo(ConditionalWrites.TRUST);
      assertThat(o.maxAttempts()).isEqualTo(3);
      assertThat(o.multipartThreshold()).isEqualTo(32L * MIB);
      assertThat(o.partSize()).isEqualTo(6L * MIB);
      assertThat(o.partConcurrency()).isEqualTo(2);
      assertThat(o.credentialsProvider()).as("default chain").isNull();
      // What a remote process gets is enough to open the same store, and holds no credentials.
      Map<String, String> remote = new HashMap<>(settings);
      remote.put("multipart-threshold", Long.toString(32L * MIB));
      assertThat(store.remoteSettings()).isEqualTo(remote);
    }
  }

  @Test
  void providerStoreUsesTheDefaultCredentialChain() {
    // System properties are one link of the SDK's default chain (the first one).
    Map<String, String> saved = new HashMap<>();
    for (String p : List.of("aws.accessKeyId", "aws.secretAccessKey")) {
      saved.put(p, System.getProperty(p));
    }
    System.setProperty("aws.accessKeyId", S3ProxyFixture.ACCESS_KEY);
    System.setProperty("aws.secretAccessKey", S3ProxyFixture.SECRET_KEY);
    try (BlobStore store = BlobStore.open(root,
        Map.of("endpoint", s3.endpoint.toString(), "path-style", "true"), getClass().getClassLoader())) {
      assertThat(((S3BlobStore) store).region().id()).as("endpoint without region").isNotBlank();
      assertThat(store.putIfAbsent("via-provider", BlobContent.of("ok".getBytes(UTF_8)))).isPresent();
      assertThat(store.getBytes("via-provider")).hasValueSatisfying(b -> assertThat(b).isEqualTo("ok".getBytes(UTF_8)));
    } finally {
      saved.forEach((k, v) -> {
        if (v == null) {
          System.clearProperty(k);
        } else {
          System.setProperty(k, v);
        }
      });
    }
  }

  @ParameterizedTest
  @CsvSource(delimiter = '|', quoteCharacter = '"', value = {
      "access-key-id|AKIA|credentials never go into settings",
      "secret-access-key|xyz|credentials never go into settings",
      "session-token|t|credentials never go into settings",
      "bucket|x|Unknown S3 blob store setting 'bucket'",
      "path-style|yes|expected true or false",
      "endpoint|127.0.0.1:9000|expected an http(s) URL",
      "max-attempts|0|maxAttempts must be >= 1, got 0",
      "part-size|1MiB|partSize must be between 5242880 and 1073741824, got 1048576 (5 MiB, the S3 minimum",
      "part-concurrency|0|partConcurrency must be between 1 and 32",
      "part-concurrency|33|partConcurrency must be between 1 and 32",
      "conditional-writes|detect|expected require or trust",
      "multipart-threshold|lots|expected a byte count",
  })
  void providerRejectsBadSettingsClearly(String key, String value, String message) {
    assertThatThrownBy(() -> new S3BlobStoreProvider().open("s3://bucket/p", Map.of(key, value)))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessageContaining(message)
        .hasMessageContaining("s3://bucket/p");
  }

  // ---------------------------------------------------------------- end to end

  @Test
  void pureRemoteCallIsMemoizedOnS3() {
    RequestCounter counter = new RequestCounter();
    Squares.Impl.EXECUTIONS.set(0);
    try (S3BlobStore store = store(s3.options().addInterceptor(counter));
        Shell shell = Shell.inProcess(store);
        RemoteRuntime runtime = RemoteRuntime.builder().blobStore(store).shell(shell).build()) {
      Squares squares = runtime.create(Squares.class, Squares.Impl.class);
      assertThat(squares.square(12)).isEqualTo(144);
      assertThat(Squares.Impl.EXECUTIONS).hasValue(1);
      assertThat(store.list("")).isNotEmpty();

      counter.reset();
      assertThat(squares.square(12)).isEqualTo(144);
      assertThat(Squares.Impl.EXECUTIONS).as("the second call is a memo hit").hasValue(1);
      // A hit costs one GET of the result (see docs/blobstores.md).
      assertThat(counter.snapshot()).isEqualTo(Map.of("GetObject", 1));

      assertThat(squares.square(13)).isEqualTo(169);
      assertThat(Squares.Impl.EXECUTIONS).hasValue(2);
    }
  }

  // ---------------------------------------------------------------- helpers

  private static S3BlobStoreOptions.Builder fakeOptions(URI endpoint) {
    return S3BlobStoreOptions.builder().endpointOverride(endpoint).pathStyle(true).region("us-east-1")
        .credentialsProvider(S3ProxyFixture.credentials());
  }

  /** The ETag S3 gives a multipart upload: MD5 of the parts' MD5s, {@code -<parts>}. */
  private static String multipartEtag(BlobContent content, int partSize) throws IOException {
    MessageDigest all = S3BlobStore.md5();
    int parts = 0;
    try (InputStream in = content.open()) {
      for (byte[] part; (part = in.readNBytes(partSize)).length > 0; parts++) {
        all.update(S3BlobStore.md5().digest(part));
      }
    }
    return "\"" + HexFormat.of().formatHex(all.digest()) + "-" + parts + "\"";
  }

  private static Path copyToFile(BlobContent content, Path file) throws IOException {
    try (InputStream in = content.open()) {
      Files.copy(in, file);
    }
    return file;
  }

  private static int openUploads() {
    return s3.admin.listMultipartUploads(b -> b.bucket(bucket)).uploads().size();
  }

  /** Reuses the contract's generator: deterministic bytes, never held in memory. */
  private static BlobContent generated(long length, long seed) {
    return S3BlobStoreContractTest.generatedContent(length, seed);
  }

  private static BlobContent withLength(BlobContent content, long declared) {
    return new BlobContent() {
      @Override
      public long length() {
        return declared;
      }

      @Override
      public InputStream open() throws IOException {
        return content.open();
      }
    };
  }

  private static String sha256(InputStream in) throws IOException {
    MessageDigest md;
    try {
      md = MessageDigest.getInstance("SHA-256");
    } catch (java.security.NoSuchAlgorithmException e) {
      throw new IllegalStateException(e);
    }
    try (InputStream s = new DigestInputStream(in, md)) {
      s.transferTo(java.io.OutputStream.nullOutputStream());
    }
    return HexFormat.of().formatHex(md.digest());
  }

  /**
   * Just before the store completes a multipart upload of one armed key, writes that key through
   * the admin client: a competitor who got there first.
   */
  static final class CompetitorAtCompletion implements ExecutionInterceptor {
    private final AtomicReference<String[]> armed = new AtomicReference<>();

    void arm(String bucket, String key, String content) {
      armed.set(new String[] {bucket, key, content});
    }

    @Override
    public void beforeExecution(Context.BeforeExecution context, ExecutionAttributes attributes) {
      if (context.request() instanceof CompleteMultipartUploadRequest r) {
        String[] a = armed.get();
        if (a != null && a[0].equals(r.bucket()) && a[1].equals(r.key()) && armed.compareAndSet(a, null)) {
          s3.admin.putObject(b -> b.bucket(a[0]).key(a[1]), RequestBody.fromString(a[2]));
        }
      }
    }
  }
}
