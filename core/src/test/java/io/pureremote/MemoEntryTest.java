package io.pureremote;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.example.fns.Calc;
import com.example.fns.CalcImpl;
import io.pureremote.internal.BlobFrame;
import io.pureremote.internal.Json;
import io.pureremote.internal.FileBlobStore;
import io.pureremote.internal.InProcessShell;
import io.pureremote.spi.BlobStore.BlobContent;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The invocation record's on-disk format and the public read API over entries the runtime wrote. */
class MemoEntryTest {
  private static final String HASH = "0f1e2d3c4b5a69788796a5b4c3d2e1f00f1e2d3c4b5a69788796a5b4c3d2e1f0";

  /** A {@code call} section exactly as the code before the typed record wrote it (field order included). */
  private static final String GOLDEN_CALL = "{\"function\":\"com.example.Calc.square\",\"version\":\"1\","
      + "\"pipeline\":\"test\",\"argsHash\":\"" + HASH + "\",\"interface\":\"com.example.fns.Calc\","
      + "\"method\":\"square\",\"parameterTypes\":[\"long\"],\"implementation\":\"com.example.fns.CalcImpl\","
      + "\"allowedPackages\":[\"com.example.fns\"],\"exceptionPolicy\":\"RERUN\",\"invokedBy\":\"ana@build-7\","
      + "\"invokedAt\":\"2026-03-01T10:15:30.123456Z\",\"host\":\"build-7\",\"pid\":4242,"
      + "\"lease\":{\"holder\":\"6f1c2a\",\"expiryMs\":90000,\"renewMs\":30000}}";

  @TempDir Path dir;
  FileBlobStore store;
  InProcessShell shell;
  RemoteRuntime runtime;
  Calc calc;

  @BeforeEach
  void setUp() {
    store = new FileBlobStore(dir);
    shell = new InProcessShell(store);
    runtime = RemoteRuntime.builder().blobStore(store).shell(shell).pipelineId("test").build();
    calc = runtime.create(Calc.class, CalcImpl.class);
  }

  @AfterEach
  void tearDown() {
    runtime.close();
    shell.close();
  }

  @Test
  void readsAHeaderWrittenByTheOldCodeAndWritesItBackByteForByte() {
    MemoEntry.Invocation invocation = MemoEntry.Invocation.fromHeader(Json.parseObject(GOLDEN_CALL));

    assertThat(invocation.function()).isEqualTo(new FunctionId("com.example.Calc.square", "1"));
    assertThat(invocation.pipelineId()).isEqualTo("test");
    assertThat(invocation.argsHash()).isEqualTo(HASH);
    assertThat(invocation.interfaceName()).isEqualTo("com.example.fns.Calc");
    assertThat(invocation.methodName()).isEqualTo("square");
    assertThat(invocation.parameterTypes()).containsExactly("long");
    assertThat(invocation.implementation()).isEqualTo("com.example.fns.CalcImpl");
    assertThat(invocation.allowedPackages()).containsExactly("com.example.fns");
    assertThat(invocation.exceptionPolicy()).isEqualTo("RERUN");
    assertThat(invocation.invokedBy()).isEqualTo("ana@build-7");
    assertThat(invocation.invokedAt()).isEqualTo(Instant.parse("2026-03-01T10:15:30.123456Z"));
    assertThat(invocation.host()).isEqualTo("build-7");
    assertThat(invocation.pid()).isEqualTo(4242);
    assertThat(invocation.lease()).isEqualTo(
        new MemoEntry.Invocation.LeaseTerms("6f1c2a", Duration.ofSeconds(90), Duration.ofSeconds(30)));
    assertThat(Json.write(invocation.toHeader())).isEqualTo(GOLDEN_CALL);
  }

  @Test
  void readsAHeaderFromBeforeLeasesWithDefaultsForWhatIsMissing() {
    String old = "{\"function\":\"f\",\"version\":\"2\",\"interface\":\"a.B\",\"method\":\"m\",\"parameterTypes\":[],"
        + "\"implementation\":\"a.BImpl\",\"allowedPackages\":[],\"invokedBy\":\"u@h\",\"invokedAt\":\"not a time\"}";
    MemoEntry.Invocation invocation = MemoEntry.Invocation.fromHeader(Json.parseObject(old));

    assertThat(invocation.lease()).isNull();
    assertThat(invocation.pid()).isEqualTo(-1);
    assertThat(invocation.invokedAt()).isNull();
    assertThat(invocation.exceptionPolicy()).isNull();
    assertThat(invocation.parameterTypes()).isEmpty();
  }

  @Test
  void aLeaseWithoutTimingGetsTheOldDefaults() {
    MemoEntry.Invocation invocation = MemoEntry.Invocation.fromHeader(
        Json.parseObject("{\"function\":\"f\",\"version\":\"2\",\"lease\":{\"holder\":\"h1\",\"expiryMs\":10000}}"));

    assertThat(invocation.lease()).isEqualTo(
        new MemoEntry.Invocation.LeaseTerms("h1", Duration.ofSeconds(10), Duration.ofSeconds(5)));
  }

  @Test
  void aHeaderWithoutAFunctionIsRefusedWithTheFix() {
    assertThatThrownBy(() -> MemoEntry.Invocation.fromHeader(Map.of("method", "m")))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessageContaining("no function name and version")
        .hasMessageContaining("Invalidate the entry");
  }

  @Test
  void theRuntimeWritesTheInvocationInTheGoldenFieldOrder() {
    calc.square(21);
    String prefix = entryPrefix("com.example.Calc.square@1");
    BlobFrame frame = BlobFrame.read(store.get(prefix + "/invocation").orElseThrow().stream(), "test");

    assertThat(frame.section("call").keySet()).containsExactlyElementsOf(Json.parseObject(GOLDEN_CALL).keySet());
  }

  @Test
  void readsEverythingAboutAResult() {
    assertThat(calc.square(21)).isEqualTo(441);
    MemoEntry entry = MemoEntry.at(store, store.uri(entryPrefix("com.example.Calc.square@1")));

    assertThat(entry.function()).isEqualTo(new FunctionId("com.example.Calc.square", "1"));
    assertThat(entry.pipelineId()).isEqualTo("test");
    MemoEntry.Invocation invocation = entry.invocation().orElseThrow();
    assertThat(invocation.function()).isEqualTo(entry.function());
    assertThat(invocation.argsHash()).isEqualTo(entry.argsHash());
    assertThat(invocation.implementation()).isEqualTo(CalcImpl.class.getName());
    assertThat(invocation.exceptionPolicy()).isEqualTo("RERUN");
    assertThat(invocation.lease()).isNotNull();
    assertThat(entry.arguments(getClass().getClassLoader()).orElseThrow()).containsExactly(21L);
    assertThat(entry.hasResult()).isTrue();
    MemoEntry.Result result = entry.result(getClass().getClassLoader()).orElseThrow();
    assertThat(result.value()).isEqualTo(441L);
    assertThat(result.run().durationMs()).isGreaterThanOrEqualTo(0);
    assertThat(entry.error()).isEmpty();
    List<MemoEntry.Run> runs = entry.runs();
    assertThat(runs).singleElement().satisfies(run -> {
      assertThat(run.status()).isEqualTo("succeeded");
      assertThat(run.startedAt()).isNotNull();
    });
    MemoEntry.LeaseState lease = entry.lease().orElseThrow();
    assertThat(lease.holder()).isEqualTo(invocation.lease().holder());
    assertThat(lease.live(Instant.now())).isFalse();
    assertThat(entry.blobs()).anyMatch(k -> k.endsWith("/result"));
    assertThat(entry.header("invocation").orElseThrow()).containsKeys("library", "java", "call");
    assertThatThrownBy(() -> entry.header("lease")).isInstanceOf(IllegalArgumentException.class)
        .hasMessageContaining("Use invocation, result or error");
  }

  @Test
  void aShellRecordsARunThatCouldNotRecordItselfAmongTheOthersByStart() {
    assertThat(calc.square(21)).isEqualTo(441);
    MemoEntry entry = MemoEntry.at(store, store.uri(entryPrefix("com.example.Calc.square@1")));
    Instant podStarted = entry.runs().getFirst().startedAt().minusSeconds(30);

    String uri = entry.recordRun("node-7", podStarted, podStarted.plusSeconds(20),
        "disrupted: Evicted (PreemptionByScheduler: preempting to make room)", Map.of("pod", "sq-0-abcde", "job", "sq-b"));
    // The same run recorded twice (a repeated watch event) stays one record.
    entry.recordRun("node-7", podStarted, podStarted.plusSeconds(25), "disrupted: again", Map.of());

    assertThat(uri).startsWith(store.uri(entryPrefix("com.example.Calc.square@1") + "/runs/")).endsWith("-node-7.json");
    assertThat(entry.runs()).extracting(MemoEntry.Run::status)
        .containsExactly("disrupted: Evicted (PreemptionByScheduler: preempting to make room)", "succeeded");
    MemoEntry.Run disrupted = entry.runs().getFirst();
    assertThat(disrupted.host()).isEqualTo("node-7");
    assertThat(disrupted.pid()).isEqualTo(-1);
    assertThat(disrupted.durationMs()).isEqualTo(20_000);
    String record = new String(store.getBytes(uri.substring(store.root().length() + 1)).orElseThrow(),
        java.nio.charset.StandardCharsets.UTF_8);
    assertThat(Json.parseObject(record)).containsEntry("pod", "sq-0-abcde").containsEntry("job", "sq-b");
  }

  @Test
  void findsAnEntryByFunctionAndArgumentsAndListsAFunctionsEntries() {
    calc.square(21);
    calc.square(22);
    FunctionId square = new FunctionId("com.example.Calc.square", "1");

    MemoEntry entry = MemoEntry.of(store, "test", square, Keys.argsHash(21L));
    assertThat(entry.result(getClass().getClassLoader()).orElseThrow().value()).isEqualTo(441L);
    assertThat(MemoEntry.of(store, "test", square, Keys.argsHash(21)).invocation()).isEmpty(); // int is not long
    assertThat(MemoEntry.list(store, "test", square.name(), null)).extracting(MemoEntry::argsHash)
        .containsExactlyInAnyOrder(Keys.argsHash(21L), Keys.argsHash(22L));
    assertThat(MemoEntry.list(store, "test", square.name(), "2")).isEmpty();
    assertThat(MemoEntry.list(store, "test", "com.example.other", null)).isEmpty();
    assertThatThrownBy(() -> MemoEntry.list(store, "../up", square.name(), null))
        .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("Invalid pipeline id");
  }

  @Test
  void readsAnErrorRecordWithoutTheFunctionsClasses() {
    assertThatThrownBy(() -> calc.fail("bad input 7")).isInstanceOf(RemoteFunctionException.class);
    MemoEntry entry = MemoEntry.at(store, store.uri(entryPrefix("com.example.fns.Calc%23fail@3")));

    MemoEntry.Failure failure = entry.error().orElseThrow();
    assertThat(failure.exceptionClass()).isEqualTo(CalcImpl.CalcException.class.getName());
    assertThat(failure.message()).isEqualTo("bad input 7");
    assertThat(failure.stack()).contains("Caused by: java.lang.IllegalStateException: root cause");
    assertThat(failure.record()).containsKeys("frames", "causes");
    assertThat(failure.run()).isNotNull();
    assertThat(entry.hasResult()).isFalse();
    assertThat(entry.result(getClass().getClassLoader())).isEmpty();
    assertThat(entry.runs()).extracting(MemoEntry.Run::status).containsExactly("function-failed");
  }

  @Test
  void anEntryNobodyWroteIsEmptyEverywhere() {
    MemoEntry entry = MemoEntry.of(store, "test", new FunctionId("nobody", "1"), HASH);

    assertThat(entry.blobs()).isEmpty();
    assertThat(entry.invocation()).isEmpty();
    assertThat(entry.arguments(getClass().getClassLoader())).isEmpty();
    assertThat(entry.result(getClass().getClassLoader())).isEmpty();
    assertThat(entry.error()).isEmpty();
    assertThat(entry.runs()).isEmpty();
    assertThat(entry.lease()).isEmpty();
    assertThat(entry.uri()).isEqualTo(store.root() + "/pureremote/v1/test/nobody@1/" + HASH);
  }

  @Test
  void aDamagedResultIsRefusedNotDecoded() {
    calc.square(21);
    String prefix = entryPrefix("com.example.Calc.square@1");
    store.put(prefix + "/result", BlobContent.of(new byte[] {1, 2, 3}), store.get(prefix + "/result").orElseThrow().version());
    MemoEntry entry = MemoEntry.at(store, store.uri(prefix));

    assertThatThrownBy(() -> entry.result(getClass().getClassLoader())).isInstanceOf(CorruptBlobException.class);
  }

  @Test
  void parsesAMemoUriIntoItsParts() {
    MemoEntry.Address address = MemoEntry.parseUri("s3://bucket/team/pureremote/v1/a/b/com.acme.Scoring%23score@2/" + HASH);

    assertThat(address.root()).isEqualTo("s3://bucket/team");
    assertThat(address.pipelineId()).isEqualTo("a/b");
    assertThat(address.function()).isEqualTo(new FunctionId("com.acme.Scoring#score", "2"));
    assertThat(address.argsHash()).isEqualTo(HASH);
    assertThat(address.uri()).isEqualTo("s3://bucket/team/pureremote/v1/a/b/com.acme.Scoring%23score@2/" + HASH);
    assertThatThrownBy(() -> MemoEntry.parseUri("s3://bucket/nothing")).isInstanceOf(IllegalArgumentException.class)
        .hasMessageContaining("Not a memo URI");
  }

  @Test
  void anAbbreviatedArgsHashAsLogLinesPrintItFindsItsEntry() {
    calc.square(3);
    calc.square(4);
    String full = entryPrefix("com.example.Calc.square@1");
    String hash = full.substring(full.lastIndexOf('/') + 1);
    String shortUri = store.uri(full.substring(0, full.length() - 56));

    MemoEntry.Address parsed = MemoEntry.parseUri(shortUri);
    assertThat(parsed.abbreviated()).isTrue();
    assertThat(parsed.argsHash()).isEqualTo(hash.substring(0, 8));
    assertThat(MemoEntry.resolve(store, parsed).argsHash()).isEqualTo(hash);
    assertThat(MemoEntry.at(store, shortUri).argsHash()).isEqualTo(hash);
    assertThat(MemoEntry.at(store, shortUri).hasResult()).isTrue();
    assertThat(MemoEntry.resolve(store, MemoEntry.parseUri(store.uri(full)))).isEqualTo(MemoEntry.parseUri(store.uri(full)));
  }

  @Test
  void anAbbreviationThatMatchesNothingOrSeveralEntriesSaysSo() {
    String folder = "pureremote/v1/test/com.example.Calc.square@1/";
    for (String h : List.of("abcdef01" + "0".repeat(56), "abcdef01" + "1".repeat(56))) {
      store.putIfAbsent(folder + h + "/result", BlobContent.of(new byte[] {1}));
    }

    assertThatThrownBy(() -> MemoEntry.at(store, store.uri(folder + "abcdef01")))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessageStartingWith("Args hash abcdef01 is ambiguous under " + store.uri(folder))
        .hasMessageContaining("it starts 2 entries (abcdef01000")
        .hasMessageEndingWith("give more digits");
    assertThatThrownBy(() -> MemoEntry.at(store, store.uri(folder + "0123abcd")))
        .hasMessageStartingWith("No memo entry whose args hash starts with 0123abcd under " + store.uri(folder));
    assertThat(MemoEntry.at(store, store.uri(folder + "abcdef011")).argsHash()).isEqualTo("abcdef01" + "1".repeat(56));
    // Seven digits are too few to be an abbreviation: the URI is refused as before.
    assertThatThrownBy(() -> MemoEntry.parseUri(store.uri(folder + "abcdef0"))).hasMessageContaining("Invalid args hash");
  }

  @Test
  void pipelinesNamesWhereAFunctionHasEntries() {
    calc.square(5);
    store.putIfAbsent("pureremote/v1/team/nightly/com.example.Calc.square@2/" + HASH + "/result", BlobContent.of(new byte[] {1}));
    store.putIfAbsent("pureremote/v1/other/com.example.Calc.squareRoot@1/" + HASH + "/result", BlobContent.of(new byte[] {1}));

    assertThat(MemoEntry.pipelines(store, "com.example.Calc.square")).containsExactly("team/nightly", "test");
    assertThat(MemoEntry.pipelines(store, "com.example.Nothing")).isEmpty();
  }

  /** The one entry folder of {@code functionSegment} in pipeline {@code test}. */
  private String entryPrefix(String functionSegment) {
    String under = "pureremote/v1/test/" + functionSegment + "/";
    String any = store.list(under).get(0);
    return under + any.substring(under.length(), under.length() + 64);
  }

  @Test
  void theQuickTimeParserReadsWhatInstantWritesAndLeavesTheRestToInstantParse() {
    java.util.SplittableRandom random = new java.util.SplittableRandom(17);
    for (int i = 0; i < 20_000; i++) {
      // Years 1000..9999, every fraction length Instant.toString writes (none, 3, 6, 9 digits).
      Instant t = Instant.ofEpochSecond(random.nextLong(-30_610_224_000L, 253_402_300_799L),
          switch (i % 4) {
            case 0 -> 0;
            case 1 -> random.nextInt(1000) * 1_000_000;
            case 2 -> random.nextInt(1_000_000) * 1000;
            default -> random.nextInt(1_000_000_000);
          });
      assertThat(MemoEntry.quickInstant(t.toString())).as(t.toString()).isEqualTo(t);
    }
    assertThat(MemoEntry.quickInstant("2026-12-08T01:17:23.5Z")).isEqualTo(Instant.parse("2026-12-08T01:17:23.5Z"));
    for (String other : List.of("2026-02-30T00:00:00Z", "2026-12-08T24:00:00Z", "2026-12-08T01:17:60Z",
        "2026-12-08T01:17:23.Z", "2026-12-08T01:17:23.1234567890Z", "+12026-12-08T01:17:23Z", "0999-01-01T00:00:00Z",
        "2026-12-08 01:17:23Z", "2026-12-08T01:17:23+01:00", "2026-1a-08T01:17:23Z")) {
      assertThat(MemoEntry.quickInstant(other)).as(other).isNull();
    }
  }

}
