package io.pureremote.internal;

import static java.nio.charset.StandardCharsets.UTF_8;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.pureremote.BlobStoreException;
import io.pureremote.spi.BlobStore.BlobContent;
import io.pureremote.spi.BlobStore;
import io.pureremote.spi.BlobStore.StoredBlob;
import io.pureremote.spi.BlobStore.VersionConflictException;
import java.io.BufferedReader;
import java.io.ByteArrayInputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.InputStreamReader;
import java.io.OutputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Random;
import java.util.concurrent.Callable;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.stream.Stream;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/** The file blob store's contract: atomic, conditional, listable, safe across threads and processes. */
class FileBlobStoreTest {
  private static final int MIB = 1 << 20;

  @TempDir Path dir;
  FileBlobStore store;
  ExecutorService pool;

  @BeforeEach
  void setUp() {
    store = new FileBlobStore(dir);
  }

  @AfterEach
  void tearDown() throws InterruptedException {
    if (pool != null) {
      pool.shutdownNow();
      assertThat(pool.awaitTermination(30, TimeUnit.SECONDS)).as("test threads ended").isTrue();
    }
  }

  // ---------------------------------------------------------------- basics

  @Test
  void rootIsTheFolderFileUriWithoutTrailingSlash() {
    assertThat(store.root()).startsWith("file:/").doesNotEndWith("/");
    assertThat(Path.of(java.net.URI.create(store.root()))).isEqualTo(dir.toAbsolutePath().normalize());
    assertThat(store.uri("a/b")).isEqualTo(store.root() + "/a/b");
    assertThat(store.folder()).isEqualTo(dir.toAbsolutePath().normalize());
  }

  @Test
  void constructorCreatesMissingRootFolder() {
    Path nested = dir.resolve("x/y/z");
    FileBlobStore s = new FileBlobStore(nested);
    assertThat(nested).isDirectory();
    assertThat(s.list("")).isEmpty();
  }

  @Test
  void getOfMissingKeyIsEmpty() {
    assertThat(store.get("missing/blob")).isEmpty();
    assertThat(store.getBytes("missing/blob")).isEmpty();
    assertThat(store.exists("missing/blob")).isFalse();
  }

  @Test
  void putIfAbsentCreatesBlobThatGetStreamsWithSizeAndVersion() throws IOException {
    Optional<String> version = store.putIfAbsent("a/b/c", bytes("hello"));

    assertThat(version).isPresent();
    assertThat(store.exists("a/b/c")).isTrue();
    try (StoredBlob blob = store.get("a/b/c").orElseThrow(); InputStream in = blob.stream()) {
      assertThat(blob.size()).isEqualTo(5);
      assertThat(blob.version()).isEqualTo(version.get());
      assertThat(new String(in.readAllBytes(), UTF_8)).isEqualTo("hello");
    }
    assertThat(dir.resolve("a/b/c")).hasContent("hello");
  }

  @Test
  void versionFromGetMatchesTheOnePutIfAbsentReturned() {
    String created = store.putIfAbsent("v", bytes("1")).orElseThrow();
    assertThat(version("v")).isEqualTo(created);
    // Reading does not change the version.
    assertThat(version("v")).isEqualTo(created);
  }

  @Test
  void putIfAbsentReturnsEmptyAndLeavesContentWhenBlobExists() {
    String first = store.putIfAbsent("k", bytes("first")).orElseThrow();

    Optional<String> second = store.putIfAbsent("k", bytes("second, longer content"));

    assertThat(second).isEmpty();
    assertThat(text("k")).isEqualTo("first");
    assertThat(version("k")).isEqualTo(first);
    assertThat(store.list("")).containsExactly("k");
  }

  @Test
  void putWithoutExpectedVersionCreatesThenReplaces() {
    String v1 = store.put("k", bytes("one"), null);
    assertThat(text("k")).isEqualTo("one");
    assertThat(version("k")).isEqualTo(v1);

    String v2 = store.put("k", bytes("two"), null);

    assertThat(text("k")).isEqualTo("two");
    assertThat(v2).isNotEqualTo(v1);
    assertThat(version("k")).isEqualTo(v2);
  }

  @Test
  void putWithCurrentVersionSucceedsAndReturnsNewVersion() {
    String v1 = store.putIfAbsent("lease", bytes("owner-a")).orElseThrow();

    String v2 = store.put("lease", bytes("owner-a"), v1);

    assertThat(v2).isNotEqualTo(v1);
    assertThat(version("lease")).isEqualTo(v2);
    assertThat(text("lease")).isEqualTo("owner-a");
    String v3 = store.put("lease", bytes("owner-b"), v2);
    assertThat(v3).isNotEqualTo(v2).isNotEqualTo(v1);
    assertThat(text("lease")).isEqualTo("owner-b");
  }

  @Test
  void putWithStaleVersionThrowsVersionConflictAndKeepsContent() {
    String v1 = store.putIfAbsent("lease", bytes("owner-a")).orElseThrow();
    String v2 = store.put("lease", bytes("owner-b"), v1);

    assertThatThrownBy(() -> store.put("lease", bytes("owner-c"), v1))
        .isInstanceOf(VersionConflictException.class)
        .hasMessageContaining("Blob is no longer at version " + v1)
        .hasMessageContaining("written by someone else")
        .hasMessageContaining(store.uri("lease"))
        .satisfies(e -> assertThat(((BlobStoreException) e).uri()).isEqualTo(store.uri("lease")))
        .satisfies(e -> assertThat(((BlobStoreException) e).isRetryable()).isFalse());

    assertThat(text("lease")).isEqualTo("owner-b");
    assertThat(version("lease")).isEqualTo(v2);
    assertThat(store.list("")).containsExactly("lease");
  }

  @Test
  void putWithMadeUpVersionConflicts() {
    store.putIfAbsent("k", bytes("x"));
    assertThatThrownBy(() -> store.put("k", bytes("y"), "not-a-version"))
        .isInstanceOf(VersionConflictException.class)
        .hasMessageContaining("not-a-version");
    assertThat(text("k")).isEqualTo("x");
  }

  @Test
  void putWithExpectedVersionOnMissingBlobConflictsAndCreatesNothing() {
    String v = store.putIfAbsent("k", bytes("x")).orElseThrow();
    assertThat(store.delete("k")).isTrue();

    assertThatThrownBy(() -> store.put("k", bytes("y"), v)).isInstanceOf(VersionConflictException.class);

    assertThat(store.exists("k")).isFalse();
    assertThat(store.list("")).isEmpty();
  }

  @Test
  void deleteRemovesBlobAndReportsWhetherOneExisted() {
    store.putIfAbsent("a/b", bytes("x"));
    store.putIfAbsent("a/c", bytes("y"));

    assertThat(store.delete("a/b")).isTrue();
    assertThat(store.delete("a/b")).isFalse();
    assertThat(store.delete("never/there")).isFalse();

    assertThat(store.exists("a/b")).isFalse();
    assertThat(store.get("a/b")).isEmpty();
    assertThat(store.list("a/")).containsExactly("a/c");
    // After a delete, the key can be created again.
    assertThat(store.putIfAbsent("a/b", bytes("again"))).isPresent();
    assertThat(text("a/b")).isEqualTo("again");
  }

  @Test
  void existsIsFalseForFoldersThatHoldBlobs() {
    store.putIfAbsent("a/b/c", bytes("x"));
    assertThat(store.exists("a/b/c")).isTrue();
    assertThat(store.exists("a/b")).isFalse();
    assertThat(store.exists("a")).isFalse();
    assertThat(store.get("a/b")).as("a folder is not a blob").isEmpty();
    assertThat(store.getBytes("a")).isEmpty();
  }

  @Test
  void emptyBlobRoundTrips() {
    assertThat(store.putIfAbsent("empty", bytes(""))).isPresent();
    assertThat(store.exists("empty")).isTrue();
    assertThat(store.getBytes("empty")).hasValueSatisfying(b -> assertThat(b).isEmpty());
  }

  // ---------------------------------------------------------------- list

  @Test
  void listReturnsSortedKeysUnderPrefix() {
    for (String key : List.of("p/z", "p/a/2", "p/a/1", "p/m", "q/a", "pp/a", "top")) {
      store.putIfAbsent(key, bytes(key));
    }

    assertThat(store.list("p/")).containsExactly("p/a/1", "p/a/2", "p/m", "p/z");
    assertThat(store.list("p/a/")).containsExactly("p/a/1", "p/a/2");
    assertThat(store.list("")).containsExactly("p/a/1", "p/a/2", "p/m", "p/z", "pp/a", "q/a", "top");
    assertThat(store.list("p/m")).containsExactly("p/m");
    assertThat(store.list("nothing/")).isEmpty();
    assertThat(store.list("p/a/1/deeper")).isEmpty();
  }

  @Test
  void listMatchesPartialSegmentPrefixes() {
    for (String key : List.of("a/b", "a/bc/x", "a/bcd", "a/b2/y", "a/c/z", "ab/q")) {
      store.putIfAbsent(key, bytes(key));
    }

    assertThat(store.list("a/b")).containsExactly("a/b", "a/b2/y", "a/bc/x", "a/bcd");
    assertThat(store.list("a/bc")).containsExactly("a/bc/x", "a/bcd");
    assertThat(store.list("a")).containsExactly("a/b", "a/b2/y", "a/bc/x", "a/bcd", "a/c/z", "ab/q");
    assertThat(store.list("a/")).containsExactly("a/b", "a/b2/y", "a/bc/x", "a/bcd", "a/c/z");
    assertThat(store.list("a/b2/")).containsExactly("a/b2/y");
  }

  @Test
  void listExcludesInternalDotFilesAndFolders() throws IOException {
    String v = store.putIfAbsent("m/lease", bytes("a")).orElseThrow();
    store.put("m/lease", bytes("b"), v); // takes a lock: creates .locks/
    assertThat(dir.resolve(".locks")).isDirectory();
    // What a crashed writer leaves behind, and other dot names.
    Files.writeString(dir.resolve("m/.lease.0000-crashed.tmp"), "partial");
    Files.createDirectories(dir.resolve("m/.hidden"));
    Files.writeString(dir.resolve("m/.hidden/inner"), "x");
    Files.writeString(dir.resolve(".toplevel"), "x");

    assertThat(store.list("")).containsExactly("m/lease");
    assertThat(store.list("m/")).containsExactly("m/lease");
    assertThat(store.list("m/.")).isEmpty();
    assertThat(store.list(".locks/")).isEmpty();
  }

  @Test
  void listWhileBlobsAreBeingWrittenNeverFails() throws Exception {
    pool = Executors.newFixedThreadPool(2);
    AtomicBoolean stop = new AtomicBoolean();
    byte[] content = new byte[64 * 1024];
    java.util.concurrent.atomic.AtomicInteger written = new java.util.concurrent.atomic.AtomicInteger();
    Future<Integer> writer =
        pool.submit(
            () -> {
              while (!stop.get() && written.get() < 20_000) {
                int i = written.getAndIncrement() % 20;
                store.put("busy/k" + i, BlobContent.of(content), null);
              }
              return written.get();
            });
    try {
      // Keep listing until the writer has really been busy, however the threads get scheduled.
      for (int i = 0; i < 400 || written.get() < 100; i++) {
        List<String> keys = store.list("busy/");
        assertThat(keys).allMatch(k -> k.matches("busy/k\\d+"), "only regular blob keys");
      }
    } finally {
      stop.set(true);
    }
    assertThat(writer.get(30, TimeUnit.SECONDS)).isPositive();
    assertThat(store.list("busy/")).hasSize(20);
  }

  // ---------------------------------------------------------------- keys

  @ParameterizedTest
  @ValueSource(strings = {"", "/a", "a/", "a//b", "..", "a/../b", "a/..", "../a", ".", "a/./b",
      ".hidden", "a/.hidden", ".locks/x", "a\\b", "a\\..\\..\\b"})
  void invalidKeysAreRejectedByEveryOperation(String key) {
    List<Callable<?>> ops =
        List.of(
            () -> store.get(key),
            () -> store.putIfAbsent(key, bytes("x")),
            () -> store.put(key, bytes("x"), null),
            () -> store.put(key, bytes("x"), "v"),
            () -> store.exists(key),
            () -> store.delete(key));
    for (Callable<?> op : ops) {
      assertThatThrownBy(op::call)
          .isInstanceOf(IllegalArgumentException.class)
          .hasMessageContaining("Invalid blob key '" + key + "'");
    }
    assertThat(dir).isEmptyDirectory();
  }

  @Test
  void invalidKeyMessagesSayWhatIsAllowed() {
    assertThatThrownBy(() -> store.get("/abs"))
        .hasMessage("Invalid blob key '/abs': use non-empty /-separated segments");
    assertThatThrownBy(() -> store.get("a/.b"))
        .hasMessage("Invalid blob key 'a/.b': segments must be non-empty and must not start with '.'");
    assertThatThrownBy(() -> store.get(null)).isInstanceOf(NullPointerException.class).hasMessage("key");
  }

  @Test
  void keysMayContainDotsAndPercentsInsideSegments() {
    String key = "pureremote/v1/default/com.acme.Fns%23score@1/ab.cd/result";
    assertThat(store.putIfAbsent(key, bytes("r"))).isPresent();
    assertThat(store.list("pureremote/v1/default/")).containsExactly(key);
    assertThat(text(key)).isEqualTo("r");
  }

  // ---------------------------------------------------------------- content

  @Test
  void blobContentOfPathStreamsTheFile() throws IOException {
    byte[] data = new byte[3 * MIB + 17];
    new Random(42).nextBytes(data);
    Path source = dir.resolve("source.bin");
    Files.write(source, data);
    FileBlobStore other = new FileBlobStore(dir.resolve("store"));

    BlobContent content = BlobContent.of(source);

    assertThat(content.length()).isEqualTo(data.length);
    try (InputStream in = content.open()) {
      assertThat(in.readAllBytes()).isEqualTo(data);
    }
    assertThat(other.putIfAbsent("big", content)).isPresent();
    try (StoredBlob blob = other.get("big").orElseThrow(); InputStream in = blob.stream()) {
      assertThat(blob.size()).isEqualTo(data.length);
      assertThat(in.readAllBytes()).isEqualTo(data);
    }
    // The same content can be opened again (for a second write).
    assertThat(other.put("big2", content, null)).isNotEmpty();
    assertThat(other.getBytes("big2")).hasValueSatisfying(b -> assertThat(b).isEqualTo(data));
  }

  @Test
  void blobContentOfMissingPathFails() {
    assertThatThrownBy(() -> BlobContent.of(dir.resolve("nope"))).isInstanceOf(IOException.class);
  }

  @Test
  void contentShorterThanItsLengthFailsAndLeavesNoBlob() {
    BlobContent liar = lyingContent(10, 5);

    assertThatThrownBy(() -> store.putIfAbsent("x/short", liar))
        .isInstanceOf(BlobStoreException.class)
        .hasMessageContaining("Cannot write blob")
        .hasMessageContaining("content yielded 5 bytes, expected 10")
        .hasMessageContaining(store.uri("x/short"));
    assertThatThrownBy(() -> store.put("x/short", liar, null))
        .hasMessageContaining("content yielded 5 bytes, expected 10");

    assertThat(store.exists("x/short")).isFalse();
    assertThat(store.list("")).isEmpty();
    assertThat(regularFilesUnder(dir)).as("no blob and no leftover temp file").isEmpty();
  }

  @Test
  void contentLongerThanItsLengthFailsAndKeepsTheOldBlob() {
    String v = store.putIfAbsent("x/long", bytes("old")).orElseThrow();

    assertThatThrownBy(() -> store.put("x/long", lyingContent(3, 8), v))
        .isInstanceOf(BlobStoreException.class)
        .hasMessageContaining("content yielded 8 bytes, expected 3");

    assertThat(text("x/long")).isEqualTo("old");
    assertThat(version("x/long")).isEqualTo(v);
    assertThat(regularFilesUnder(dir)).containsExactly(dir.resolve("x/long"));
  }

  @Test
  void contentThatFailsToOpenLeavesNoBlob() {
    BlobContent broken =
        new BlobContent() {
          @Override
          public long length() {
            return 4;
          }

          @Override
          public InputStream open() throws IOException {
            throw new IOException("source gone");
          }
        };

    assertThatThrownBy(() -> store.putIfAbsent("y", broken))
        .isInstanceOf(BlobStoreException.class)
        .hasMessageContaining("source gone");
    assertThat(store.exists("y")).isFalse();
    assertThat(regularFilesUnder(dir)).isEmpty();
  }

  // ---------------------------------------------------------------- concurrency in one JVM

  @Test
  void putIfAbsentHasExactlyOneWinnerPerKeyAcrossThreads() throws Exception {
    int threads = 16;
    int keys = 50;
    pool = Executors.newFixedThreadPool(threads);
    CountDownLatch start = new CountDownLatch(1);
    Map<Integer, List<Integer>> winners = new ConcurrentHashMap<>();
    List<Future<?>> futures = new ArrayList<>();
    for (int t = 0; t < threads; t++) {
      int writer = t;
      futures.add(
          pool.submit(
              () -> {
                start.await();
                for (int k = 0; k < keys; k++) {
                  byte[] content = FileRaceMain.raceContent("t" + writer, k).getBytes(UTF_8);
                  if (store.putIfAbsent("race/k" + k, BlobContent.of(content)).isPresent()) {
                    winners.computeIfAbsent(k, x -> new java.util.concurrent.CopyOnWriteArrayList<>())
                        .add(writer);
                  }
                }
                return null;
              }));
    }
    start.countDown();
    for (Future<?> f : futures) {
      f.get(60, TimeUnit.SECONDS);
    }

    assertThat(winners).hasSize(keys);
    for (int k = 0; k < keys; k++) {
      assertThat(winners.get(k)).as("winners of key %d", k).hasSize(1);
      assertThat(text("race/k" + k)).isEqualTo(FileRaceMain.raceContent("t" + winners.get(k).get(0), k));
    }
    assertThat(store.list("race/")).hasSize(keys);
    assertThat(regularFilesUnder(dir)).as("no temp files left").hasSize(keys);
  }

  @Test
  void compareAndSwapCounterLosesNoUpdateAcrossThreads() throws Exception {
    int threads = 8;
    int increments = 100;
    store.put("counter", bytes("0"), null);
    pool = Executors.newFixedThreadPool(threads);
    CountDownLatch start = new CountDownLatch(1);
    List<Future<Integer>> futures = new ArrayList<>();
    for (int t = 0; t < threads; t++) {
      futures.add(
          pool.submit(
              () -> {
                start.await();
                return FileRaceMain.increments(store, "counter", increments);
              }));
    }
    start.countDown();
    for (Future<Integer> f : futures) {
      f.get(60, TimeUnit.SECONDS);
    }

    assertThat(text("counter")).isEqualTo(Integer.toString(threads * increments));
  }

  @Test
  void readersNeverSeePartialBlobs() throws Exception {
    // Each write is filled with one byte value b and is MIB + b bytes long, so a read shows both
    // whether it is whole and whether its size matches its bytes.
    store.put("hot", BlobContent.of(filled(0)), null);
    pool = Executors.newFixedThreadPool(2);
    AtomicBoolean writing = new AtomicBoolean(true);
    AtomicInteger reads = new AtomicInteger();
    Future<?> reader =
        pool.submit(
            () -> {
              while (writing.get() || reads.get() == 0) {
                try (StoredBlob blob = store.get("hot").orElseThrow(); InputStream in = blob.stream()) {
                  byte[] b = in.readAllBytes();
                  int value = b[0] & 0xff;
                  assertThat(b.length).as("length of a read of value %d", value).isEqualTo(MIB + value);
                  assertThat(blob.size()).as("size of a read of value %d", value).isEqualTo(b.length);
                  for (int i = 0; i < b.length; i++) {
                    if ((b[i] & 0xff) != value) {
                      throw new AssertionError("byte " + i + " is " + (b[i] & 0xff) + ", not " + value);
                    }
                  }
                }
                reads.incrementAndGet();
              }
              return null;
            });
    try {
      for (int i = 1; i <= 60; i++) {
        store.put("hot", BlobContent.of(filled(i % 256)), null);
      }
    } finally {
      writing.set(false);
    }
    reader.get(60, TimeUnit.SECONDS);
    assertThat(reads.get()).isPositive();
    assertThat(store.getBytes("hot").orElseThrow()).isEqualTo(filled(60));
  }

  // ---------------------------------------------------------------- concurrency across processes

  @Test
  void putIfAbsentHasExactlyOneWinnerAcrossProcesses() throws Exception {
    int processes = 4;
    int keys = 100;
    List<List<String>> argLists = new ArrayList<>();
    for (int p = 0; p < processes; p++) {
      argLists.add(List.of(dir.toString(), "race", "p" + p, Integer.toString(keys)));
    }

    List<List<String>> outputs = runChildren(argLists);

    Map<Integer, List<String>> winners = new HashMap<>();
    for (int p = 0; p < processes; p++) {
      for (String line : outputs.get(p)) {
        if (line.startsWith("won ")) {
          winners.computeIfAbsent(Integer.parseInt(line.substring(4)), k -> new ArrayList<>()).add("p" + p);
        }
      }
    }
    assertThat(winners.keySet()).hasSize(keys);
    for (int k = 0; k < keys; k++) {
      assertThat(winners.get(k)).as("processes that won key %d", k).hasSize(1);
      assertThat(text("race/k" + k)).isEqualTo(FileRaceMain.raceContent(winners.get(k).get(0), k));
    }
    assertThat(store.list("")).hasSize(keys);
  }

  @Test
  void compareAndSwapCounterLosesNoUpdateAcrossProcesses() throws Exception {
    int processes = 4;
    int increments = 25;
    store.put("counter", bytes("0"), null);
    List<List<String>> argLists = new ArrayList<>();
    for (int p = 0; p < processes; p++) {
      argLists.add(List.of(dir.toString(), "counter", "counter", Integer.toString(increments)));
    }

    List<List<String>> outputs = runChildren(argLists);

    assertThat(outputs).allSatisfy(lines -> assertThat(lines).anyMatch(l -> l.startsWith("conflicts ")));
    assertThat(text("counter")).isEqualTo(Integer.toString(processes * increments));
  }

  // ---------------------------------------------------------------- provider lookup

  @Test
  void blobStoresOpenFindsTheFileProvider() {
    String uri = dir.resolve("via-uri").toUri().toString();
    assertThat(uri).startsWith("file:///");

    BlobStore opened = BlobStore.open(uri);

    assertThat(opened).isInstanceOf(FileBlobStore.class);
    assertThat(((FileBlobStore) opened).folder()).isEqualTo(dir.resolve("via-uri").toAbsolutePath().normalize());
    assertThat(opened.putIfAbsent("k", bytes("v"))).isPresent();
    assertThat(dir.resolve("via-uri/k")).hasContent("v");
    assertThat(BlobStore.open(uri.toUpperCase(java.util.Locale.ROOT).substring(0, 4) + uri.substring(4)))
        .as("the scheme is case-insensitive")
        .isInstanceOf(FileBlobStore.class);
  }

  @Test
  void blobStoresOpenOfUnknownSchemeListsAvailableSchemes() {
    assertThatThrownBy(() -> BlobStore.open("gs://x"))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessageContaining("No BlobStore for scheme 'gs' (root gs://x)")
        .hasMessageMatching("(?s).*Available: \\[[^]]*\\bfile\\b[^]]*\\].*")
        .hasMessageContaining("pureremote-blobstore-s3");
  }

  @Test
  void blobStoresOpenOfRootWithoutSchemeSaysWhatToUse() {
    assertThatThrownBy(() -> BlobStore.open("/data/memo"))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessageContaining("Blob root '/data/memo' has no scheme")
        .hasMessageContaining("file:///data/memo");
  }

  @Test
  void fileProviderRejectsRelativeFileUris() {
    assertThatThrownBy(() -> BlobStore.open("file:relative/path"))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessageContaining("Invalid file blob root 'file:relative/path'")
        .hasMessageContaining("use an absolute file URI such as file:///data/memo");
  }

  // ---------------------------------------------------------------- helpers

  private static BlobContent bytes(String s) {
    return BlobContent.of(s.getBytes(UTF_8));
  }

  private String text(String key) {
    return new String(store.getBytes(key).orElseThrow(() -> new AssertionError("no blob at " + key)), UTF_8);
  }

  private String version(String key) {
    try (StoredBlob blob = store.get(key).orElseThrow()) {
      return blob.version();
    }
  }

  private static byte[] filled(int value) {
    byte[] b = new byte[MIB + value];
    Arrays.fill(b, (byte) value);
    return b;
  }

  /** Claims {@code length} bytes but yields {@code actual}. */
  private static BlobContent lyingContent(long length, int actual) {
    return new BlobContent() {
      @Override
      public long length() {
        return length;
      }

      @Override
      public InputStream open() {
        return new ByteArrayInputStream(new byte[actual]);
      }
    };
  }

  private static List<Path> regularFilesUnder(Path root) {
    try (Stream<Path> files = Files.walk(root)) {
      return files.filter(Files::isRegularFile).filter(p -> !p.startsWith(root.resolve(".locks"))).toList();
    } catch (IOException e) {
      throw new AssertionError(e);
    }
  }

  /**
   * Runs one {@link FileRaceMain} JVM per argument list, lets them all start racing at once, and
   * returns each one's output lines after it printed {@code ready}.
   */
  private List<List<String>> runChildren(List<List<String>> argLists) throws Exception {
    String java = ProcessHandle.current().info().command()
        .orElse(Path.of(System.getProperty("java.home"), "bin", "java").toString());
    List<Process> processes = new ArrayList<>();
    List<Path> errFiles = new ArrayList<>();
    try {
      for (int i = 0; i < argLists.size(); i++) {
        List<String> command = new ArrayList<>();
        command.add(java);
        if (Runtime.version().feature() >= 24) {
          command.add("--sun-misc-unsafe-memory-access=allow");
        }
        command.addAll(List.of("-Xshare:auto", "-XX:TieredStopAtLevel=1", "-cp", System.getProperty("java.class.path")));
        command.add(FileRaceMain.class.getName());
        command.addAll(argLists.get(i));
        Path err = Files.createTempFile("file-race-" + i + "-", ".err");
        errFiles.add(err);
        processes.add(new ProcessBuilder(command).redirectError(err.toFile()).start());
      }
      List<BufferedReader> outs = new ArrayList<>();
      for (int i = 0; i < processes.size(); i++) {
        BufferedReader out = new BufferedReader(new InputStreamReader(processes.get(i).getInputStream(), UTF_8));
        outs.add(out);
        assertThat(out.readLine()).as("first line of child %d; stderr: %s", i, read(errFiles.get(i))).isEqualTo("ready");
      }
      for (Process p : processes) {
        try (OutputStream in = p.getOutputStream()) {
          in.write("go\n".getBytes(UTF_8));
        }
      }
      List<List<String>> outputs = new ArrayList<>();
      for (int i = 0; i < processes.size(); i++) {
        List<String> lines = outs.get(i).lines().toList();
        Process p = processes.get(i);
        assertThat(p.waitFor(60, TimeUnit.SECONDS)).as("child %d ended", i).isTrue();
        assertThat(p.exitValue()).as("exit code of child %d; stderr: %s", i, read(errFiles.get(i))).isZero();
        assertThat(lines).as("output of child %d", i).endsWith("done");
        outputs.add(lines);
      }
      return outputs;
    } finally {
      for (Process p : processes) {
        p.destroyForcibly();
      }
      for (Path err : errFiles) {
        Files.deleteIfExists(err);
      }
    }
  }

  private static String read(Path file) {
    try {
      return Files.readString(file);
    } catch (IOException e) {
      return "(unreadable: " + e + ")";
    }
  }
}
