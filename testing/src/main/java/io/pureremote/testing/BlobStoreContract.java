package io.pureremote.testing;

import static java.nio.charset.StandardCharsets.UTF_8;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.pureremote.BlobStoreException;
import io.pureremote.spi.BlobStore.BlobContent;
import io.pureremote.spi.BlobStore;
import io.pureremote.spi.BlobStore.StoredBlob;
import io.pureremote.spi.BlobStore.VersionConflictException;
import java.io.ByteArrayInputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.security.DigestInputStream;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.ArrayList;
import java.util.Collections;
import java.util.HexFormat;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.Callable;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/**
 * The behaviour every {@link BlobStore} owes the call pipeline, run against each backend on a real
 * (local) server. A backend's test extends this class and implements {@link #newStore()}; the hooks
 * ({@link #largeBlobSize()}, {@link #raceThreads()}, {@link #raceKeys()}, {@link
 * #newStoreOnMissingContainer()}) may be overridden where a backend needs it.
 *
 * <p>Each test gets a fresh store from {@link #newStore()} in {@link #store}, closed after the test.
 */
public abstract class BlobStoreContract {
  /** One mebibyte. */
  protected static final int MIB = 1 << 20;

  /** The store under test: a fresh one, on an empty root, for each test. */
  protected BlobStore store;

  /**
   * A new store on a fresh, empty root (a unique folder, bucket prefix or container) that no other
   * test uses. Called once before each test.
   */
  protected abstract BlobStore newStore() throws Exception;

  /**
   * A store whose container (bucket, file system) does not exist, or null when the backend has no
   * such notion (then the test is reported as not applicable).
   */
  protected BlobStore newStoreOnMissingContainer() throws Exception {
    return null;
  }

  /** Size of the blob in {@link #largeBlobStreamsBothWays()}; 24 MiB unless overridden. */
  protected long largeBlobSize() {
    return 24L * MIB;
  }

  /** Threads racing in {@link #concurrentPutIfAbsentHasExactlyOneWinnerPerKey()}. */
  protected int raceThreads() {
    return 8;
  }

  /** Keys raced for in {@link #concurrentPutIfAbsentHasExactlyOneWinnerPerKey()}. */
  protected int raceKeys() {
    return 25;
  }

  @BeforeEach
  final void openContractStore() throws Exception {
    store = newStore();
    assertThat(store).as("newStore()").isNotNull();
  }

  @AfterEach
  final void closeContractStore() {
    if (store != null) {
      store.close();
    }
  }

  // ---------------------------------------------------------------- helpers for subclasses

  /** UTF-8 content. */
  protected static BlobContent text(String s) {
    return BlobContent.of(s.getBytes(UTF_8));
  }

  /** The blob at {@code key} as UTF-8 text, or null when there is none. */
  protected String read(String key) {
    return store.getBytes(key).map(b -> new String(b, UTF_8)).orElse(null);
  }

  /**
   * {@code length} pseudo-random bytes generated from {@code seed} each time the content is opened,
   * never held in memory: the same seed and length always yield the same bytes.
   */
  protected static BlobContent generated(long length, long seed) {
    return new BlobContent() {
      @Override
      public long length() {
        return length;
      }

      @Override
      public InputStream open() {
        return new GeneratedStream(length, seed);
      }
    };
  }

  /** SHA-256 (hex) of everything {@code in} yields; closes it. */
  protected static String sha256(InputStream in) throws IOException {
    MessageDigest md = sha256Digest();
    try (InputStream s = new DigestInputStream(in, md)) {
      s.transferTo(OutputStream.nullOutputStream());
    }
    return HexFormat.of().formatHex(md.digest());
  }

  /** SHA-256 (hex) of what {@code content} yields. */
  protected static String sha256(BlobContent content) throws IOException {
    return sha256(content.open());
  }

  private static MessageDigest sha256Digest() {
    try {
      return MessageDigest.getInstance("SHA-256");
    } catch (NoSuchAlgorithmException e) {
      throw new IllegalStateException(e);
    }
  }

  /** Bytes from an xorshift generator, produced as they are read. */
  private static final class GeneratedStream extends InputStream {
    private long remaining;
    private long state;

    GeneratedStream(long length, long seed) {
      this.remaining = length;
      long mixed = seed * 0x9E3779B97F4A7C15L + 1;
      this.state = mixed == 0 ? 1 : mixed; // xorshift stays at zero forever
    }

    private int next() {
      state ^= state << 13;
      state ^= state >>> 7;
      state ^= state << 17;
      return (int) (state >>> 24) & 0xFF;
    }

    @Override
    public int read() {
      if (remaining <= 0) {
        return -1;
      }
      remaining--;
      return next();
    }

    @Override
    public int read(byte[] b, int off, int len) {
      if (len == 0) {
        return 0;
      }
      if (remaining <= 0) {
        return -1;
      }
      int n = (int) Math.min(len, remaining);
      for (int i = 0; i < n; i++) {
        b[off + i] = (byte) next();
      }
      remaining -= n;
      return n;
    }

    @Override
    public int available() {
      return (int) Math.min(Integer.MAX_VALUE, remaining);
    }
  }

  // ---------------------------------------------------------------- root and uri

  @Test
  void rootHasNoTrailingSlashAndUriAppendsTheKey() {
    assertThat(store.root()).isNotBlank().doesNotEndWith("/");
    assertThat(store.uri("a/b/c")).isEqualTo(store.root() + "/a/b/c");
  }

  // ---------------------------------------------------------------- get

  @Test
  void getOfMissingKeyIsEmpty() {
    assertThat(store.get("missing/blob")).isEmpty();
    assertThat(store.getBytes("missing/blob")).isEmpty();
    assertThat(store.exists("missing/blob")).isFalse();
  }

  @Test
  void getStreamsContentWithSizeAndVersion() throws IOException {
    Optional<String> version = store.putIfAbsent("g/one", text("hello"));
    assertThat(version).isPresent();
    Optional<StoredBlob> blob = store.get("g/one");
    assertThat(blob).isPresent();
    try (StoredBlob b = blob.get(); InputStream in = b.stream()) {
      assertThat(b.size()).isEqualTo(5);
      assertThat(b.version()).isEqualTo(version.get());
      assertThat(new String(in.readAllBytes(), UTF_8)).isEqualTo("hello");
    }
  }

  @Test
  void getBytesReadsTheWholeBlob() {
    byte[] bytes = new byte[70_000];
    for (int i = 0; i < bytes.length; i++) {
      bytes[i] = (byte) (i * 31);
    }
    store.put("g/bytes", BlobContent.of(bytes), null);
    assertThat(store.getBytes("g/bytes")).hasValueSatisfying(b -> assertThat(b).isEqualTo(bytes));
  }

  @Test
  void emptyBlobRoundTrips() {
    Optional<String> v = store.putIfAbsent("g/empty", BlobContent.of(new byte[0]));
    assertThat(v).isPresent();
    assertThat(store.exists("g/empty")).isTrue();
    assertThat(store.getBytes("g/empty")).hasValueSatisfying(b -> assertThat(b).isEmpty());
    try (StoredBlob b = store.get("g/empty").orElseThrow()) {
      assertThat(b.size()).isZero();
      assertThat(b.version()).isEqualTo(v.get());
    }
  }

  // ---------------------------------------------------------------- putIfAbsent

  @Test
  void putIfAbsentCreatesAndReturnsTheVersionGetReports() {
    Optional<String> v = store.putIfAbsent("p/new", text("v1"));
    assertThat(v).isPresent();
    assertThat(v.get()).isNotBlank();
    assertThat(read("p/new")).isEqualTo("v1");
    try (StoredBlob b = store.get("p/new").orElseThrow()) {
      assertThat(b.version()).isEqualTo(v.get());
    }
  }

  @Test
  void putIfAbsentOnExistingBlobReturnsEmptyAndKeepsContent() {
    assertThat(store.putIfAbsent("p/twice", text("first"))).isPresent();
    assertThat(store.putIfAbsent("p/twice", text("second"))).isEmpty();
    assertThat(read("p/twice")).isEqualTo("first");
  }

  // ---------------------------------------------------------------- put

  @Test
  void putWithoutExpectedVersionCreatesThenOverwrites() {
    String v1 = store.put("u/x", text("one"), null);
    assertThat(read("u/x")).isEqualTo("one");
    String v2 = store.put("u/x", text("two, longer"), null);
    assertThat(read("u/x")).isEqualTo("two, longer");
    assertThat(v2).isNotEqualTo(v1);
    try (StoredBlob b = store.get("u/x").orElseThrow()) {
      assertThat(b.version()).isEqualTo(v2);
    }
  }

  @Test
  void putWithCurrentVersionSucceedsAndReturnsNewVersion() {
    String v1 = store.putIfAbsent("u/cas", text("lease-1")).orElseThrow();
    String v2 = store.put("u/cas", text("lease-2"), v1);
    assertThat(v2).isNotBlank().isNotEqualTo(v1);
    assertThat(read("u/cas")).isEqualTo("lease-2");
    try (StoredBlob b = store.get("u/cas").orElseThrow()) {
      assertThat(b.version()).isEqualTo(v2);
    }
    String v3 = store.put("u/cas", text("lease-3"), v2);
    assertThat(v3).isNotEqualTo(v2);
    assertThat(read("u/cas")).isEqualTo("lease-3");
  }

  @Test
  void putWithStaleVersionConflictsAndKeepsContent() {
    String v1 = store.putIfAbsent("u/stale", text("a")).orElseThrow();
    String v2 = store.put("u/stale", text("bb"), v1);
    assertThatThrownBy(() -> store.put("u/stale", text("ccc"), v1))
        .isInstanceOf(VersionConflictException.class)
        .satisfies(e -> {
          assertThat(((BlobStoreException) e).uri()).isEqualTo(store.uri("u/stale"));
          assertThat(((BlobStoreException) e).isRetryable()).isFalse();
        });
    assertThat(read("u/stale")).isEqualTo("bb");
    try (StoredBlob b = store.get("u/stale").orElseThrow()) {
      assertThat(b.version()).isEqualTo(v2);
    }
  }

  @Test
  void putWithExpectedVersionOnMissingBlobConflictsAndCreatesNothing() {
    String other = store.putIfAbsent("u/elsewhere", text("x")).orElseThrow();
    assertThatThrownBy(() -> store.put("u/missing", text("y"), other))
        .isInstanceOf(VersionConflictException.class);
    assertThat(store.exists("u/missing")).isFalse();
  }

  // ---------------------------------------------------------------- exists and delete

  @Test
  void existsSeesBlobsButNotTheirParentPrefixes() {
    store.put("e/dir/blob", text("x"), null);
    assertThat(store.exists("e/dir/blob")).isTrue();
    assertThat(store.exists("e/dir")).isFalse();
    assertThat(store.exists("e")).isFalse();
    assertThat(store.get("e/dir")).isEmpty();
  }

  @Test
  void deleteRemovesBlobAndReportsWhetherOneExisted() {
    store.put("d/x", text("x"), null);
    assertThat(store.delete("d/x")).isTrue();
    assertThat(store.exists("d/x")).isFalse();
    assertThat(store.get("d/x")).isEmpty();
    assertThat(store.delete("d/x")).isFalse();
    assertThat(store.delete("d/never")).isFalse();
    // A deleted key can be created again.
    assertThat(store.putIfAbsent("d/x", text("again"))).isPresent();
    assertThat(read("d/x")).isEqualTo("again");
  }

  // ---------------------------------------------------------------- list

  @Test
  void listReturnsSortedKeysUnderPrefixIncludingPartialSegments() {
    for (String k : List.of("a/c", "b/x", "a/bc/x", "a/b/2", "ab", "a/b/1")) {
      store.put(k, text(k), null);
    }
    assertThat(store.list("a/b")).containsExactly("a/b/1", "a/b/2", "a/bc/x");
    assertThat(store.list("a/b/")).containsExactly("a/b/1", "a/b/2");
    assertThat(store.list("a/")).containsExactly("a/b/1", "a/b/2", "a/bc/x", "a/c");
    assertThat(store.list("a")).containsExactly("a/b/1", "a/b/2", "a/bc/x", "a/c", "ab");
    assertThat(store.list("")).containsExactly("a/b/1", "a/b/2", "a/bc/x", "a/c", "ab", "b/x");
    assertThat(store.list("a/b/1")).containsExactly("a/b/1");
  }

  @Test
  void listPagesWalkEveryKeyOnceInListOrder() {
    // Folder and file names chosen so that walking folders by name alone would disagree with key
    // order: "x-1/" sorts before "x/", "x/" before "x0".
    for (String k : List.of("p/x/b", "p/x-1/a", "p/x0", "p/x/a", "p/y/z/w", "p/x.y", "q/other", "p-", "p/a")) {
      store.put(k, text(k), null);
    }
    for (String prefix : List.of("", "p/", "p/x", "p/x/", "p/y/z/", "none/")) {
      List<String> all = store.list(prefix);
      for (int limit : new int[] {1, 2, 3, 1000}) {
        List<String> walked = new ArrayList<>();
        String after = null;
        while (true) {
          List<String> page = store.listPage(prefix, after, limit);
          assertThat(page.size()).as("page of %s after %s", prefix, after).isLessThanOrEqualTo(limit);
          if (page.isEmpty()) {
            break;
          }
          walked.addAll(page);
          after = page.get(page.size() - 1);
        }
        assertThat(walked).as("prefix '%s', pages of %d", prefix, limit).isEqualTo(all);
      }
    }
    assertThat(store.listPage("p/", "p/x/a", 2)).containsExactly("p/x/b", "p/x0");
    assertThatThrownBy(() -> store.listPage("p/", null, 0)).isInstanceOf(IllegalArgumentException.class);
  }

  @Test
  void listOfUnknownPrefixIsEmpty() {
    assertThat(store.list("nothing/here")).isEmpty();
    assertThat(store.list("")).isEmpty();
    store.put("some/blob", text("x"), null);
    assertThat(store.list("nothing")).isEmpty();
    assertThat(store.list("some/blob/deeper")).isEmpty();
  }

  @Test
  void listDoesNotShowDeletedBlobs() {
    store.put("l/1", text("1"), null);
    store.put("l/2", text("2"), null);
    store.delete("l/1");
    assertThat(store.list("l/")).containsExactly("l/2");
  }

  // ---------------------------------------------------------------- keys

  @Test
  void unicodeAndDeepKeysRoundTrip() {
    String deep = "deep/" + String.join("/", Collections.nCopies(12, "lvl")) + "/leaf";
    String unicode = "uni/caf\u00e9/\u4e2d\u6587/\u00fcber-\u00df/\u03b1\u03b2\u03b3.bin";
    String punct = "punct/fn%23score@1/a+b=c,d~e_f.g-h";
    for (String key : List.of(deep, unicode, punct)) {
      assertThat(store.putIfAbsent(key, text(key))).as(key).isPresent();
      assertThat(read(key)).as(key).isEqualTo(key);
      assertThat(store.exists(key)).as(key).isTrue();
    }
    assertThat(store.list("deep/")).containsExactly(deep);
    assertThat(store.list("uni/")).containsExactly(unicode);
    assertThat(store.list("punct/")).containsExactly(punct);
    assertThat(store.uri(unicode)).isEqualTo(store.root() + "/" + unicode);
    assertThat(store.delete(unicode)).isTrue();
    assertThat(store.exists(unicode)).isFalse();
  }

  // ---------------------------------------------------------------- large streams

  @Test
  void largeBlobStreamsBothWays() throws IOException {
    long size = largeBlobSize();
    BlobContent content = generated(size, 42);
    String expected = sha256(content);
    Optional<String> v = store.putIfAbsent("big/blob", content);
    assertThat(v).isPresent();
    try (StoredBlob b = store.get("big/blob").orElseThrow()) {
      assertThat(b.size()).isEqualTo(size);
      assertThat(b.version()).isEqualTo(v.get());
      assertThat(sha256(b.stream())).isEqualTo(expected);
    }
    // The second create loses and leaves the first one intact.
    assertThat(store.putIfAbsent("big/blob", generated(size, 7))).isEmpty();
    try (StoredBlob b = store.get("big/blob").orElseThrow()) {
      assertThat(sha256(b.stream())).isEqualTo(expected);
    }
  }

  @Test
  void contentShorterThanItsLengthFailsAndLeavesNoBlob() {
    BlobContent lying = new BlobContent() {
      @Override
      public long length() {
        return 100;
      }

      @Override
      public InputStream open() {
        return new ByteArrayInputStream(new byte[40]);
      }
    };
    assertThatThrownBy(() -> store.putIfAbsent("short/blob", lying)).isInstanceOf(RuntimeException.class);
    assertThat(store.exists("short/blob")).isFalse();
    assertThat(store.list("short/")).isEmpty();
  }

  // ---------------------------------------------------------------- concurrency

  @Test
  void concurrentPutIfAbsentHasExactlyOneWinnerPerKey() throws Exception {
    int threads = raceThreads();
    int keys = raceKeys();
    ExecutorService pool = Executors.newFixedThreadPool(threads);
    try {
      CountDownLatch start = new CountDownLatch(1);
      Map<String, List<Integer>> winners = new ConcurrentHashMap<>();
      List<Future<?>> futures = new ArrayList<>();
      for (int t = 0; t < threads; t++) {
        int thread = t;
        Callable<Void> task = () -> {
          start.await();
          for (int k = 0; k < keys; k++) {
            String key = "race/key-" + k;
            if (store.putIfAbsent(key, text("thread-" + thread)).isPresent()) {
              winners.computeIfAbsent(key, x -> new CopyOnWriteArrayList<>()).add(thread);
            }
          }
          return null;
        };
        futures.add(pool.submit(task));
      }
      start.countDown();
      for (Future<?> f : futures) {
        f.get(120, TimeUnit.SECONDS);
      }
      assertThat(winners).hasSize(keys);
      for (int k = 0; k < keys; k++) {
        String key = "race/key-" + k;
        assertThat(winners.get(key)).as(key).hasSize(1);
        assertThat(read(key)).as(key).isEqualTo("thread-" + winners.get(key).get(0));
      }
      assertThat(store.list("race/")).hasSize(keys);
    } finally {
      pool.shutdownNow();
      pool.awaitTermination(30, TimeUnit.SECONDS);
    }
  }

  // ---------------------------------------------------------------- missing container

  @Test
  void missingContainerFailsWithTheUriNotAsMissingBlob() throws Exception {
    BlobStore missing = newStoreOnMissingContainer();
    if (missing == null) {
      unusableRootFailsClearly();
      return;
    }
    try (missing) {
      assertThatThrownBy(() -> missing.putIfAbsent("k", text("x")))
          .isInstanceOf(BlobStoreException.class)
          .satisfies(e -> {
            assertThat(((BlobStoreException) e).uri()).startsWith(missing.root());
            assertThat(((BlobStoreException) e).isRetryable()).isFalse();
          });
      assertThatThrownBy(() -> missing.get("k")).isInstanceOf(BlobStoreException.class);
      assertThatThrownBy(() -> missing.list("")).isInstanceOf(BlobStoreException.class);
    }
  }

  /**
   * For backends without containers: show that an unusable root fails clearly instead. Backends
   * that return a store from {@link #newStoreOnMissingContainer()} need not override it.
   */
  protected void unusableRootFailsClearly() throws Exception {
    throw new AssertionError("override newStoreOnMissingContainer() or unusableRootFailsClearly()");
  }
}
