package io.pureremote.testing;

import static java.nio.charset.StandardCharsets.UTF_8;
import static org.assertj.core.api.Assertions.assertThat;

import io.pureremote.BlobRef;
import io.pureremote.FunctionId;
import io.pureremote.Keys;
import io.pureremote.MemoEntry;
import io.pureremote.PureRemote;
import io.pureremote.RemoteRuntime;
import io.pureremote.spi.Shell;
import io.pureremote.spi.BlobStore.BlobContent;
import io.pureremote.spi.BlobStore;
import java.io.IOException;
import java.io.InputStream;
import java.nio.ByteBuffer;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.HexFormat;
import java.util.List;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.function.UnaryOperator;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/**
 * A memo that heals itself, on a real store: a stored {@code result} that cannot be used (bad
 * checksum, truncated, not a frame at all, naming a class this build lacks, of another type than
 * the function returns, or holding a {@code BlobRef} whose content is gone) is a miss. The next
 * call sets the bad blob aside under {@code <entry>/aside/result-<sha256>} (with a note saying
 * why), recomputes once, commits, and the call after that is a hit. A backend's test extends this
 * class and implements {@link #newStore()}, as with {@link BlobStoreContract}.
 *
 * <p>Calls run through {@link RemoteRuntime} and the in-process shell; several runtimes on one store
 * stand for several processes (each has its own single-flight, so only the store's lease keeps them
 * to one run).
 */
public abstract class MemoHealingContract {
  /** Runs of each function, counted by the implementation. */
  static final AtomicInteger SQUARES = new AtomicInteger();
  static final AtomicInteger LABELS = new AtomicInteger();
  static final AtomicInteger CONTENTS = new AtomicInteger();

  /** The store under test: a fresh one, on an empty root, for each test. */
  protected BlobStore store;

  /** A new store on a fresh, empty root that no other test uses. Called once before each test. */
  protected abstract BlobStore newStore() throws Exception;

  /** A value the functions return: a record of this package, so its class name is in the payload. */
  public record Cell(int x, long square) {}

  /** The functions whose results the tests damage. */
  public interface Healed {
    @PureRemote(name = "healing.square", version = "1")
    Cell square(int x);

    @PureRemote(name = "healing.label", version = "1")
    String label(int x);

    @PureRemote(name = "healing.content", version = "1")
    BlobRef content(int x);
  }

  /** Counts its runs. */
  public static final class HealedImpl implements Healed {
    @Override
    public Cell square(int x) {
      SQUARES.incrementAndGet();
      return new Cell(x, (long) x * x);
    }

    @Override
    public String label(int x) {
      LABELS.incrementAndGet();
      return "label-" + x;
    }

    @Override
    public BlobRef content(int x) {
      CONTENTS.incrementAndGet();
      return BlobRef.of(("content of " + x).getBytes(UTF_8));
    }
  }

  @BeforeEach
  void openStore() throws Exception {
    store = newStore();
    SQUARES.set(0);
    LABELS.set(0);
    CONTENTS.set(0);
  }

  @AfterEach
  void closeStore() {
    if (store != null) {
      store.close();
    }
  }

  /** Runs {@code call} in a runtime of its own (as one process would), with the in-process shell, and returns its value. */
  protected <T> T inRuntime(java.util.function.Function<Healed, T> call) {
    try (Shell shell = Shell.inProcess(store);
        RemoteRuntime runtime = RemoteRuntime.builder().blobStore(store).shell(shell).build()) {
      return call.apply(runtime.create(Healed.class, HealedImpl.class));
    }
  }

  /** {@code square(x)} in a runtime of its own. */
  protected Cell square(int x) {
    return inRuntime(h -> h.square(x));
  }

  /** {@code label(x)} in a runtime of its own. */
  protected String label(int x) {
    return inRuntime(h -> h.label(x));
  }

  /** {@code content(x)} in a runtime of its own. */
  protected BlobRef content(int x) {
    return inRuntime(h -> h.content(x));
  }

  /** The store key of blob {@code blob} of {@code function}'s entry for the argument {@code x}. */
  protected String key(String function, int x, String blob) {
    String uri = MemoEntry.of(store, "default", new FunctionId(function, "1"), Keys.argsHash(x)).uri();
    return uri.substring(store.root().length() + 1) + "/" + blob;
  }

  private byte[] read(String key) {
    return store.getBytes(key).orElseThrow(() -> new AssertionError("no blob at " + store.uri(key)));
  }

  private void write(String key, byte[] bytes) {
    store.put(key, BlobContent.of(bytes), null);
  }

  /** Damages the result of {@code square(7)} with {@code damage}, heals it and checks what is left. */
  private void healsSquare(String kind, UnaryOperator<byte[]> damage) {
    assertThat(square(7)).isEqualTo(new Cell(7, 49));
    String result = key("healing.square", 7, "result");
    byte[] bad = damage.apply(read(result));
    write(result, bad);

    // Before the fix: every call failed (CorruptBlobException, SerializationException or a type
    // error) until someone deleted the blob.
    assertThat(square(7)).isEqualTo(new Cell(7, 49));
    assertThat(SQUARES).as("ran once more to recompute").hasValue(2);
    assertSetAside("healing.square", 7, bad, kind);
    assertThat(square(7)).isEqualTo(new Cell(7, 49));
    assertThat(SQUARES).as("then a hit").hasValue(2);
  }

  /** The bad bytes are kept, unchanged, under {@code aside/result-<sha256>}, with a note naming the kind. */
  protected void assertSetAside(String function, int x, byte[] bad, String kind) {
    String aside = key(function, x, "aside/result-" + sha256(bad));
    assertThat(read(aside)).as("the bad blob, kept as it was").isEqualTo(bad);
    String note = new String(read(aside + ".json"), UTF_8);
    assertThat(note).contains("\"kind\":\"" + kind + "\"").contains("/result");
    String prefix = key(function, x, "aside/");
    assertThat(store.list(prefix)).as("one bad blob, one note").hasSize(2);
  }

  @Test
  public void aResultWithABadChecksumIsSetAsideAndRecomputed() {
    healsSquare("corrupt", bytes -> {
      byte[] copy = bytes.clone();
      copy[copy.length - 1] ^= 0x5A;
      return copy;
    });
  }

  @Test
  public void aTruncatedResultIsSetAsideAndRecomputed() {
    healsSquare("corrupt", bytes -> Arrays.copyOf(bytes, bytes.length - 5));
  }

  @Test
  public void aResultThatIsNotAFrameIsSetAsideAndRecomputed() {
    healsSquare("corrupt", bytes -> "not written by Pure Remote".getBytes(UTF_8));
  }

  @Test
  public void aResultNamingAClassThisBuildLacksIsAMissWithAReason() {
    healsSquare("undecodable", bytes -> {
      Frame frame = Frame.parse(bytes);
      // Kryo writes an ASCII class name with the high bit set on its last character.
      byte[] name = (Cell.class.getName().substring(0, Cell.class.getName().length() - 1)).getBytes(UTF_8);
      int at = indexOf(frame.payload, name);
      assertThat(at).as("the payload names " + Cell.class.getName()).isGreaterThanOrEqualTo(0);
      assertThat(frame.payload[at + name.length] & 0xff).isEqualTo('l' | 0x80);
      byte[] payload = frame.payload.clone();
      byte[] gone = "Gone".getBytes(UTF_8);
      int start = at + name.length - 3; // "Cel" + 'l'|0x80 -> "Gon" + 'e'|0x80
      System.arraycopy(gone, 0, payload, start, 4);
      payload[start + 3] = (byte) ('e' | 0x80);
      return frame.withPayload(payload);
    });
    String note = new String(read(key("healing.square", 7, "aside/")
        + store.list(key("healing.square", 7, "aside/")).stream().filter(k -> k.endsWith(".json")).findFirst()
            .orElseThrow().substring(key("healing.square", 7, "aside/").length())), UTF_8);
    assertThat(note).contains("MemoHealingContract$Gone");
  }

  @Test
  public void aResultOfAnotherTypeIsSetAsideAndRecomputedWithTheFixInItsNote() {
    assertThat(label(7)).isEqualTo("label-7");
    byte[] label = read(key("healing.label", 7, "result"));
    healsSquare("wrong-type", bytes -> label);
    String aside = key("healing.square", 7, "aside/result-" + sha256(label)) + ".json";
    assertThat(new String(read(aside), UTF_8)).contains("is a java.lang.String")
        .contains("bump @PureRemote(version");
  }

  @Test
  public void aHitWhoseBlobRefContentIsGoneIsAMissNotALaterCrash() throws IOException {
    BlobRef first = content(3);
    String cas = BlobRef.CAS_PREFIX + first.sha256();
    assertThat(store.exists(cas)).isTrue();
    String result = key("healing.content", 3, "result");
    byte[] stored = read(result);
    assertThat(new String(stored, UTF_8)).as("the header records the content it needs")
        .contains("\"blobRefs\":[{\"sha256\":\"" + first.sha256() + "\"");
    store.delete(cas);

    // Before the fix: a hit whose BlobRef failed later, when the caller opened it.
    BlobRef again = content(3);
    try (InputStream in = again.open()) {
      assertThat(new String(in.readAllBytes(), UTF_8)).isEqualTo("content of 3");
    }
    assertThat(CONTENTS).hasValue(2);
    assertThat(store.exists(cas)).as("uploaded again by the recompute").isTrue();
    assertSetAside("healing.content", 3, stored, "missing-content");
    content(3);
    assertThat(CONTENTS).hasValue(2);
  }

  @Test
  public void callersRacingOnOneBadResultRecomputeItOnceAndKeepOneCopy() throws Exception {
    assertThat(square(5)).isEqualTo(new Cell(5, 25));
    String result = key("healing.square", 5, "result");
    byte[] bad = Arrays.copyOf(read(result), 20);
    write(result, bad);

    int callers = 4;
    CountDownLatch go = new CountDownLatch(1);
    ExecutorService pool = Executors.newFixedThreadPool(callers);
    try {
      List<Future<Cell>> calls = new ArrayList<>();
      for (int i = 0; i < callers; i++) {
        calls.add(pool.submit(() -> {
          go.await();
          return square(5);
        }));
      }
      go.countDown();
      for (Future<Cell> call : calls) {
        assertThat(call.get(120, TimeUnit.SECONDS)).isEqualTo(new Cell(5, 25));
      }
    } finally {
      pool.shutdownNow();
    }
    assertThat(SQUARES).as("one recompute across " + callers + " runtimes").hasValue(2);
    assertSetAside("healing.square", 5, bad, "corrupt");
  }

  @Test
  public void aSecondBadResultIsKeptBesideTheFirstNeverOverIt() {
    assertThat(square(9)).isEqualTo(new Cell(9, 81));
    String result = key("healing.square", 9, "result");
    byte[] good = read(result);
    byte[] bad1 = Arrays.copyOf(good, good.length - 1);
    byte[] bad2 = Arrays.copyOf(good, good.length - 2);
    write(result, bad1);
    square(9);
    write(result, bad2);
    square(9);
    assertThat(SQUARES).hasValue(3);
    assertThat(read(key("healing.square", 9, "aside/result-" + sha256(bad1)))).isEqualTo(bad1);
    assertThat(read(key("healing.square", 9, "aside/result-" + sha256(bad2)))).isEqualTo(bad2);
  }

  /** A framed blob split into its parts (the documented layout), to damage its payload consistently. */
  protected record Frame(byte[] prefix, String header, byte[] payload) {
    static Frame parse(byte[] bytes) {
      ByteBuffer buffer = ByteBuffer.wrap(bytes);
      byte[] magic = new byte[8];
      buffer.get(magic);
      int length = buffer.getInt();
      byte[] header = new byte[length];
      buffer.get(header);
      byte[] payload = new byte[buffer.remaining()];
      buffer.get(payload);
      return new Frame(magic, new String(header, UTF_8), payload);
    }

    /** The frame with another payload and a header whose checksum fits it (same size). */
    byte[] withPayload(byte[] newPayload) {
      String newHeader = header.replace(sha256(payload), sha256(newPayload));
      byte[] h = newHeader.getBytes(UTF_8);
      return ByteBuffer.allocate(8 + 4 + h.length + newPayload.length).put(prefix).putInt(h.length).put(h)
          .put(newPayload).array();
    }
  }

  static int indexOf(byte[] haystack, byte[] needle) {
    outer:
    for (int i = 0; i + needle.length <= haystack.length; i++) {
      for (int j = 0; j < needle.length; j++) {
        if (haystack[i + j] != needle[j]) {
          continue outer;
        }
      }
      return i;
    }
    return -1;
  }

  /** Lowercase hex SHA-256. */
  protected static String sha256(byte[] bytes) {
    try {
      return HexFormat.of().formatHex(MessageDigest.getInstance("SHA-256").digest(bytes));
    } catch (NoSuchAlgorithmException e) {
      throw new IllegalStateException(e);
    }
  }
}
