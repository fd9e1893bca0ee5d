package io.pureremote.cli;

import static io.pureremote.cli.PureRemoteCliTest.cli;
import static java.nio.charset.StandardCharsets.UTF_8;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.pureremote.BlobRef;
import io.pureremote.FunctionId;
import io.pureremote.Keys;
import io.pureremote.MemoEntry;
import io.pureremote.RemoteFunctionException;
import io.pureremote.RemoteRuntime;
import io.pureremote.spi.Shell;
import io.pureremote.spi.BlobStore.BlobContent;
import io.pureremote.spi.BlobStore;
import java.nio.file.Path;
import java.security.MessageDigest;
import java.time.Instant;
import java.util.Arrays;
import java.util.HexFormat;
import java.util.List;
import java.util.Map;
import java.util.function.Consumer;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** {@code pureremote verify} on a file root seeded, by real calls and then by hand, with each fault it reports. */
class VerifyCommandTest {
  static final String SCORE = Scoring.class.getName() + "#score";
  static final Scoring.Features F = new Scoring.Features("alice", Map.of("x", 0.5), List.of(1));

  @TempDir Path tmp;
  String root;
  BlobStore store;

  @BeforeEach
  void setUp() {
    root = tmp.resolve("memo").toUri().toString().replaceAll("/$", "");
    ScoringImpl.RUNS.set(0);
  }

  @AfterEach
  void tearDown() {
    if (store != null) {
      store.close();
    }
  }

  void calls(Consumer<RemoteRuntime> calls) {
    try (Shell shell = Shell.inProcess();
        RemoteRuntime runtime = RemoteRuntime.builder().blobRoot(root).shell(shell).build()) {
      calls.accept(runtime);
    }
  }

  String key(String function, String version, String blob, Object... args) {
    String uri = MemoEntry.of(store, "default", new FunctionId(function, version), Keys.argsHash(args)).uri();
    return uri.substring(store.root().length() + 1) + "/" + blob;
  }

  byte[] read(String key) {
    return store.getBytes(key).orElseThrow();
  }

  void write(String key, byte[] bytes) {
    store.put(key, BlobContent.of(bytes), null);
  }

  /** Seeds one entry per fault beside a sound one; returns the blob keys it damaged, by fault. */
  Map<String, String> seed() {
    calls(r -> {
      Scoring s = r.create(Scoring.class, ScoringImpl.class);
      for (String m : List.of("sound", "corrupt", "partial", "stale", "unfinished")) {
        s.score(m, F);
      }
      assertThatThrownBy(() -> s.fail("boom")).isInstanceOf(RemoteFunctionException.class);
      r.create(Attachments.class, Attachments.Impl.class).attach("attached");
    });
    store = BlobStore.open(root);
    String corrupt = key(SCORE, "2", "result", "corrupt", F);
    byte[] bytes = read(corrupt);
    bytes[bytes.length - 1] ^= 0x5A;
    write(corrupt, bytes);
    String partial = key(SCORE, "2", "invocation", "partial", F);
    byte[] invocation = read(partial);
    write(partial, Arrays.copyOf(invocation, invocation.length / 2));
    String error = key(Scoring.class.getName() + "#fail", "1", "error", "boom");
    byte[] record = read(error);
    write(error, Arrays.copyOf(record, record.length - 4));
    String attached = key(Attachments.class.getName() + "#attach", "1", "result", "attached");
    String content = BlobRef.CAS_PREFIX + sha256("attached".getBytes(UTF_8));
    assertThat(store.delete(content)).isTrue();
    String lease = key(SCORE, "2", "lease", "stale", F);
    write(lease, ("{\"holder\":\"gone\",\"host\":\"elsewhere\",\"pid\":7,\"expiresAt\":"
        + Instant.now().minusSeconds(60).toEpochMilli() + ",\"released\":false}").getBytes(UTF_8));
    String unfinished = key(SCORE, "2", "result", "unfinished", F);
    assertThat(store.delete(unfinished)).isTrue();
    String orphan = BlobRef.CAS_PREFIX + sha256("nobody's".getBytes(UTF_8));
    write(orphan, "nobody's".getBytes(UTF_8));
    return Map.of("corrupt", corrupt, "partial", partial, "error", error, "attached", attached, "lease", lease,
        "unfinished", unfinished.replace("/result", ""), "orphan", orphan);
  }

  @Test
  void reportsEachFaultThenRepairSetsDamagedBlobsAsideAndReleasesStaleLeases() {
    Map<String, String> seeded = seed();
    PureRemoteCliTest.Run found = cli("verify", root, "--progress-every", "1");
    assertThat(found.code()).as(found.out() + found.err()).isEqualTo(1);
    assertThat(found.out())
        .contains("corrupt         " + store.uri(seeded.get("corrupt")) + ": Blob payload checksum mismatch")
        .contains("corrupt         " + store.uri(seeded.get("partial")) + ": Blob is truncated inside its header")
        .contains("corrupt         " + store.uri(seeded.get("error")) + ": Blob payload is truncated")
        .contains("missing-content " + store.uri(seeded.get("attached")) + ": It holds a BlobRef whose content")
        .contains("stale-lease     " + store.uri(seeded.get("lease")) + ": held by gone (host elsewhere, pid 7), expired at")
        .contains("unfinished      " + store.uri(seeded.get("unfinished")) + ": an invocation without a result or error")
        .contains("orphaned        " + store.uri(seeded.get("orphan")) + ": no invocation or result references it")
        .doesNotContain(store.uri(key(SCORE, "2", "", "sound", F)) + ":")
        .contains("verified 7 entries (")
        .contains("and 1 content blobs at " + root
            + ": 3 damaged, 1 missing content, 1 stale leases, 1 unfinished, 1 orphaned content, 0 running;"
            + " run with --repair");
    assertThat(found.err()).contains("verify: 1 entries, ").contains("verify: 7 entries, ");

    // One page of one key at a time finds the same: the scan holds a page and an entry, not the root.
    assertThat(cli("verify", root, "--page", "1", "--progress-every", "0").out()).isEqualTo(found.out());

    byte[] corruptBytes = read(seeded.get("corrupt"));
    PureRemoteCliTest.Run repaired = cli("verify", root, "--repair");
    assertThat(repaired.code()).as(repaired.out()).isZero();
    String aside = seeded.get("corrupt").replace("/result", "/aside/result-" + sha256(corruptBytes));
    assertThat(repaired.out())
        .contains("repaired        " + store.uri(seeded.get("corrupt")) + ": set aside as " + store.uri(aside))
        .contains("repaired        " + store.uri(seeded.get("lease")) + ": released")
        .contains("; repaired 4, released 1 leases");
    assertThat(read(aside)).isEqualTo(corruptBytes);
    assertThat(new String(read(aside + ".json"), UTF_8)).contains("\"kind\":\"corrupt\"");
    assertThat(store.exists(seeded.get("corrupt"))).isFalse();

    PureRemoteCliTest.Run after = cli("verify", root);
    assertThat(after.code()).isZero();
    // What was set aside leaves an invocation without a result: reported, for the next call to run.
    assertThat(after.out()).contains(": 0 damaged, 0 missing content, 0 stale leases, 4 unfinished, 1 orphaned content")
        .contains("unfinished      " + store.uri(seeded.get("corrupt").replace("/result", ""))
            + ": an invocation without a result or error, and no live lease (what it had was set aside, see its aside/"
            + " folder)")
        .doesNotContain("run with --repair");

    // The repaired entries are misses again: the next call recomputes each once.
    calls(r -> {
      Scoring s = r.create(Scoring.class, ScoringImpl.class);
      assertThat(s.score("corrupt", F)).startsWith("corrupt:alice");
      assertThat(s.score("partial", F)).startsWith("partial:alice");
      assertThat(r.create(Attachments.class, Attachments.Impl.class).attach("attached").sha256())
          .isEqualTo(sha256("attached".getBytes(UTF_8)));
    });
    assertThat(ScoringImpl.RUNS).as("6 seeded runs, then 'corrupt' recomputed; 'partial' still had its result")
        .hasValue(7);
    assertThat(store.exists(BlobRef.CAS_PREFIX + sha256("attached".getBytes(UTF_8)))).isTrue();
  }

  @Test
  void aCleanRootIsExitZeroAndAMemoUriIsAUsageError() {
    calls(r -> r.create(Scoring.class, ScoringImpl.class).score("m", F));
    PureRemoteCliTest.Run clean = cli("verify", root);
    assertThat(clean.code()).isZero();
    assertThat(clean.out().lines().toList()).singleElement().asString()
        .startsWith("verified 1 entry (").contains(": 0 damaged, 0 missing content, 0 stale leases, 0 unfinished");
    PureRemoteCliTest.Run pipeline = cli("verify", root, "--pipeline", "default");
    assertThat(pipeline.out()).contains("verified 1 entry (").contains("in pipeline default at " + root)
        .doesNotContain("orphaned");
    PureRemoteCliTest.Run none = cli("verify", root, "--pipeline", "nightly");
    assertThat(none.out()).contains("verified 0 entries");

    store = BlobStore.open(root);
    String memoUri = store.uri(key(SCORE, "2", "", "m", F)).replaceAll("/$", "");
    PureRemoteCliTest.Run uri = cli("verify", memoUri);
    assertThat(uri.code()).isEqualTo(2);
    assertThat(uri.err()).contains("verify takes a blob root, not a memo URI: give the part before /pureremote/v1/ ("
        + root + ")");
    assertThat(cli("verify", root, "--page", "0").err()).contains("--page must be >= 1, got 0");
  }

  /**
   * Three calls, then two of their results damaged in ways only decoding finds: {@code garbled}
   * names a class no build has, {@code retyped} holds another function's value. Returns both keys.
   */
  List<String> seedUndecodable() {
    calls(r -> {
      Scoring s = r.create(Scoring.class, ScoringImpl.class);
      for (String m : List.of("sound", "garbled", "retyped")) {
        s.score(m, F);
      }
      r.create(Attachments.class, Attachments.Impl.class).attach("attached");
    });
    store = BlobStore.open(root);
    // A sound frame (size and checksum match) whose Kryo payload names a class no build has: the
    // call's own arguments, with the record's class name changed (as an old memo of a renamed class).
    String garbled = key(SCORE, "2", "result", "garbled", F);
    byte[] args = framePayload(read(key(SCORE, "2", "invocation", "garbled", F)));
    String latin = new String(args, java.nio.charset.StandardCharsets.ISO_8859_1);
    assertThat(latin).contains("Scoring$Feature"); // Kryo marks a name's last char with its high bit
    write(garbled, kryoFrame(latin.replace("Scoring$Feature", "Scoring$Fxature")
        .getBytes(java.nio.charset.StandardCharsets.ISO_8859_1)));
    // A sound result of another function: a BlobRef where score returns a String.
    String retyped = key(SCORE, "2", "result", "retyped", F);
    write(retyped, read(key(Attachments.class.getName() + "#attach", "1", "result", "attached")));
    return List.of(garbled, retyped);
  }

  @Test
  void decodeReportsResultsThatDoNotDecodeOrAreOfTheWrongTypeOnePerEntry() {
    List<String> damaged = seedUndecodable();
    String garbled = damaged.get(0);
    String retyped = damaged.get(1);

    PureRemoteCliTest.Run plain = cli("verify", root);
    assertThat(plain.code()).as("without --decode only frames are judged: %s", plain.out()).isZero();

    PureRemoteCliTest.Run decoded = cli("verify", root, "--decode");
    assertThat(decoded.code()).as(decoded.out() + decoded.err()).isEqualTo(1);
    assertThat(decoded.out())
        .contains("undecodable     " + store.uri(garbled) + ": ")
        .contains("wrong-type      " + store.uri(retyped) + ": The stored result " + store.uri(retyped) + " is a "
            + BlobRef.class.getName() + ", but " + SCORE + "@2 returns java.lang.String. The function's return type"
            + " changed without a new version: bump @PureRemote(version = ...)")
        .contains("(the next call sets it aside and recomputes it)")
        .doesNotContain(store.uri(key(SCORE, "2", "result", "sound", F)) + ":")
        .contains(": 0 damaged, 0 missing content, 0 stale leases, 0 unfinished, 0 orphaned content, 0 running,"
            + " 2 undecodable or of the wrong type; the next call of each");
    assertThat(decoded.out().lines().filter(l -> l.startsWith("undecodable") || l.startsWith("wrong-type")))
        .as("one line per damaged entry").hasSize(2);

    // What verify reports is what a call meets: each is recomputed once, then verify is clean.
    ScoringImpl.RUNS.set(0);
    calls(r -> {
      Scoring s = r.create(Scoring.class, ScoringImpl.class);
      assertThat(s.score("garbled", F)).startsWith("garbled:alice");
      assertThat(s.score("retyped", F)).startsWith("retyped:alice");
    });
    assertThat(ScoringImpl.RUNS).hasValue(2);
    assertThat(cli("verify", root, "--decode").code()).isZero();
  }

  @Test
  void decodeWithRepairSetsUndecodableAndWrongTypedResultsAsideAsACallWould() {
    List<String> damaged = seedUndecodable();
    Map<String, byte[]> before = new java.util.LinkedHashMap<>();
    damaged.forEach(k -> before.put(k, read(k)));

    PureRemoteCliTest.Run repaired = cli("verify", root, "--decode", "--repair");
    assertThat(repaired.code()).as(repaired.out() + repaired.err()).isZero();
    for (String k : damaged) {
      String aside = k.substring(0, k.length() - "result".length()) + "aside/result-" + sha256(before.get(k));
      assertThat(repaired.out()).contains("repaired        " + store.uri(k) + ": set aside as " + store.uri(aside)
          + "; the next call recomputes it");
      assertThat(store.exists(k)).as("%s removed", k).isFalse();
      assertThat(read(aside)).as("kept byte for byte").isEqualTo(before.get(k));
      assertThat(new String(read(aside + ".json"), UTF_8)).as("the note says why")
          .contains(k.equals(damaged.get(0)) ? "undecodable" : "wrong-type");
    }
    assertThat(store.exists(key(SCORE, "2", "result", "sound", F))).as("a sound result stays").isTrue();
    assertThat(repaired.out()).contains("2 undecodable or of the wrong type; repaired 2, released 0 leases")
        .doesNotContain("the next call of each");

    // The calls recompute them (a call would otherwise have set them aside itself), then all is clean.
    ScoringImpl.RUNS.set(0);
    calls(r -> {
      Scoring s = r.create(Scoring.class, ScoringImpl.class);
      assertThat(s.score("garbled", F)).startsWith("garbled:alice");
      assertThat(s.score("retyped", F)).startsWith("retyped:alice");
      assertThat(s.score("sound", F)).startsWith("sound:alice");
    });
    assertThat(ScoringImpl.RUNS).hasValue(2);
    assertThat(store.list(damaged.get(0).substring(0, damaged.get(0).length() - "result".length()) + "aside/"))
        .as("nothing set aside twice").hasSize(2);
    assertThat(cli("verify", root, "--decode").code()).isZero();
  }

  static String sha256(byte[] bytes) {
    try {
      return HexFormat.of().formatHex(MessageDigest.getInstance("SHA-256").digest(bytes));
    } catch (java.security.NoSuchAlgorithmException e) {
      throw new IllegalStateException(e);
    }
  }

  // The framed-blob layout of docs/memo-layout.md ("Blob format"), written out here so the test
  // builds its damaged blob from the documented format, not from the library's internals.
  private static final byte[] FRAME_MAGIC = {(byte) 0x89, 'P', 'R', 'F', '\r', '\n', 0x1A, '\n'};

  /** The payload of a framed blob: what follows the magic, the header length and the header. */
  private static byte[] framePayload(byte[] blob) {
    assertThat(java.util.Arrays.copyOf(blob, FRAME_MAGIC.length)).isEqualTo(FRAME_MAGIC);
    int headerLength = java.nio.ByteBuffer.wrap(blob, FRAME_MAGIC.length, 4).getInt();
    return java.util.Arrays.copyOfRange(blob, FRAME_MAGIC.length + 4 + headerLength, blob.length);
  }

  /** A sound frame (format 1, size and checksum right) over a Kryo payload. */
  private static byte[] kryoFrame(byte[] payload) {
    String sha256;
    try {
      sha256 = java.util.HexFormat.of().formatHex(java.security.MessageDigest.getInstance("SHA-256").digest(payload));
    } catch (java.security.NoSuchAlgorithmException e) {
      throw new IllegalStateException(e);
    }
    byte[] header = ("{\"format\":1,\"contentType\":\"application/x-pureremote-kryo\",\"payloadSize\":"
        + payload.length + ",\"payloadSha256\":\"" + sha256 + "\"}").getBytes(java.nio.charset.StandardCharsets.UTF_8);
    return java.nio.ByteBuffer.allocate(FRAME_MAGIC.length + 4 + header.length + payload.length)
        .put(FRAME_MAGIC).putInt(header.length).put(header).put(payload).array();
  }
}
