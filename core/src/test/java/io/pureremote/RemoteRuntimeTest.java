package io.pureremote;

import io.pureremote.CallOptions.ExceptionPolicy;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.example.fns.Calc;
import com.example.fns.Calc.Point;
import com.example.fns.Calc.Stats;
import com.example.fns.CalcImpl;
import com.example.other.Outsider;
import io.pureremote.internal.FileBlobStore;
import io.pureremote.internal.InProcessShell;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.stream.IntStream;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The call pipeline end to end through the in-process shell and a real folder store. */
class RemoteRuntimeTest {
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
    CalcImpl.EXECUTIONS.set(0);
  }

  @AfterEach
  void tearDown() {
    runtime.close();
    shell.close();
  }

  @Test
  void secondIdenticalCallIsAMemoHitAndDoesNotRun() {
    Map<String, Long> tags = new HashMap<>(Map.of("a", 1L, "b", 2L));
    Stats first = calc.stats(List.of(new Point(1, 2), new Point(3, 4)), tags);
    // Equal arguments built differently: another map implementation and insertion order.
    Map<String, Long> sameTags = new TreeMap<>();
    sameTags.put("b", 2L);
    sameTags.put("a", 1L);
    Stats second = calc.stats(new ArrayList<>(List.of(new Point(1, 2), new Point(3, 4))), sameTags);

    assertThat(first).isEqualTo(new Stats(2, 10.0, Map.of("a", 1L, "b", 2L)));
    assertThat(second).isEqualTo(first);
    assertThat(CalcImpl.EXECUTIONS).hasValue(1);
  }

  @Test
  void aMemoHitIsExactlyOneGetAndNothingElse() {
    calc.square(21);
    io.pureremote.spi.CountingBlobStore counting = new io.pureremote.spi.CountingBlobStore(store);
    Map<String, Long> beforeClose;
    try (RemoteRuntime other = RemoteRuntime.builder().blobStore(counting).shell(shell).pipelineId("test").build()) {
      assertThat(other.create(Calc.class, CalcImpl.class).square(21)).isEqualTo(441);
      beforeClose = counting.counts();
    }
    assertThat(beforeClose).containsExactly(Map.entry("get", 1L));
    // Closing adds only the runtime's one event-log blob, not a per-call request.
    assertThat(counting.counts()).containsExactly(Map.entry("get", 1L), Map.entry("putIfAbsent", 1L));
  }

  @Test
  void aPlainMethodsMemoHitIsReadOnTheCallersThreadAFuturesOnACallThread() throws Exception {
    calc.square(21);
    calc.greetAsync("ann").get();
    io.pureremote.spi.CountingBlobStore counting = new io.pureremote.spi.CountingBlobStore(store);
    try (RemoteRuntime other = RemoteRuntime.builder().blobStore(counting).shell(shell).pipelineId("test").build()) {
      Calc hits = other.create(Calc.class, CalcImpl.class);
      assertThat(hits.square(21)).isEqualTo(441);
      assertThat(counting.getThreads()).containsExactly(Thread.currentThread()); // no hop to a call thread
      counting.reset();
      assertThat(hits.greetAsync("ann").get()).isEqualTo("hello ann");
      assertThat(counting.getThreads()).hasSize(1).noneMatch(t -> t == Thread.currentThread());
    }
    assertThat(CalcImpl.EXECUTIONS).hasValue(2);
  }

  @Test
  void aHitWaitsForASlotWhileMaxConcurrentCallsRun() throws Exception {
    calc.square(21);
    io.pureremote.spi.CountingBlobStore counting = new io.pureremote.spi.CountingBlobStore(store);
    try (RemoteRuntime one = RemoteRuntime.builder().blobStore(counting).shell(shell).pipelineId("test")
        .maxConcurrentCalls(1).build()) {
      Calc c = one.create(Calc.class, CalcImpl.class);
      CompletableFuture<String> busy = c.sleepAsync(Duration.ofMinutes(5)); // holds the only slot
      long deadline = System.nanoTime() + Duration.ofSeconds(30).toNanos();
      while (CalcImpl.EXECUTIONS.get() < 2 && System.nanoTime() < deadline) {
        Thread.sleep(10);
      }
      assertThat(CalcImpl.EXECUTIONS).as("the sleeping call started").hasValue(2);
      counting.reset();
      CompletableFuture<Long> hit = CompletableFuture.supplyAsync(() -> c.square(21));
      Thread.sleep(200); // not a timing assert: the hit must still be queued after any pause
      assertThat(hit).isNotDone();
      assertThat(counting.getThreads()).isEmpty(); // it has not looked yet: the slot is taken
      busy.cancel(true);
      assertThat(hit.get(30, java.util.concurrent.TimeUnit.SECONDS)).isEqualTo(441);
    }
  }

  @Test
  void aMissWritesTheInvocationUnderALeaseAndCommitsOnce() {
    io.pureremote.spi.CountingBlobStore counting = new io.pureremote.spi.CountingBlobStore(store);
    Map<String, Long> counts;
    try (InProcessShell countingShell = new InProcessShell(counting);
        RemoteRuntime other = RemoteRuntime.builder().blobStore(counting).shell(countingShell).pipelineId("test").build()) {
      assertThat(other.create(Calc.class, CalcImpl.class).square(22)).isEqualTo(484);
      counts = counting.counts(); // before close, which writes the runtime's event log
    }
    // The requests of a miss, as docs/memo-layout.md lists them. Caller: get result, create the
    // lease, put invocation; the run (in this JVM, under the caller's lease, handed the invocation
    // in memory): put-if-absent result, release the lease (one put), put-if-absent run record;
    // the caller takes the committed result from its run, so it reads nothing more.
    assertThat(counts).containsExactlyInAnyOrderEntriesOf(Map.of("get", 1L, "putIfAbsent", 3L, "put", 2L));
    assertThat(CalcImpl.EXECUTIONS).hasValue(1);
  }

  @Test
  void memoHitSurvivesANewRuntimeOnTheSameStore() {
    assertThat(calc.square(12)).isEqualTo(144);
    try (RemoteRuntime other = RemoteRuntime.builder().blobStore(store).shell(shell).pipelineId("test").build()) {
      assertThat(other.create(Calc.class, CalcImpl.class).square(12)).isEqualTo(144);
    }
    assertThat(CalcImpl.EXECUTIONS).hasValue(1);
  }

  @Test
  void differentArgumentsVersionsAndPipelinesAreDifferentEntries() {
    calc.square(2);
    calc.square(3);
    try (RemoteRuntime other = RemoteRuntime.builder().blobStore(store).shell(shell).pipelineId("other").build()) {
      other.create(Calc.class, CalcImpl.class).square(2);
    }
    assertThat(CalcImpl.EXECUTIONS).hasValue(3);
  }

  @Test
  void memoEntryFollowsTheDocumentedLayout() {
    calc.square(5);
    List<String> keys = store.list("pureremote/v1/test/");
    assertThat(keys).anyMatch(k -> k.matches("pureremote/v1/test/com\\.example\\.Calc\\.square@1/[0-9a-f]{64}/invocation"));
    assertThat(keys).anyMatch(k -> k.matches("pureremote/v1/test/com\\.example\\.Calc\\.square@1/[0-9a-f]{64}/result"));
    assertThat(keys).anyMatch(k -> k.matches("pureremote/v1/test/com\\.example\\.Calc\\.square@1/[0-9a-f]{64}/runs/.+\\.json"));
    assertThat(keys).noneMatch(k -> k.endsWith("/error"));

    calc.stats(List.of(), Map.of());
    assertThat(store.list("pureremote/v1/test/com.example.fns.Calc%23stats@3/")).isNotEmpty();
  }

  @Test
  void userExceptionComesBackWithRemoteClassMessageStackAndOriginalCause() {
    assertThatThrownBy(() -> calc.fail("bad input 7"))
        .isInstanceOfSatisfying(RemoteFunctionException.class, e -> {
          assertThat(e.function()).isEqualTo("com.example.fns.Calc#fail@3");
          assertThat(e.remoteClassName()).isEqualTo(CalcImpl.CalcException.class.getName());
          assertThat(e.remoteMessage()).isEqualTo("bad input 7");
          assertThat(e.remoteStackTrace()).contains("CalcImpl.fail").contains("Caused by: java.lang.IllegalStateException: root cause");
          assertThat(e.getCause()).isInstanceOf(CalcImpl.CalcException.class).hasMessage("bad input 7");
          assertThat(e.getCause().getStackTrace()[0].getMethodName()).isEqualTo("fail");
          // The whole chain comes back, each cause with its remote frames.
          assertThat(e.getCause().getCause()).isInstanceOf(IllegalStateException.class).hasMessage("root cause");
          assertThat(e.getCause().getCause().getStackTrace()).isNotEmpty();
          assertThat(e.getCause().getCause().getStackTrace()[0].getMethodName()).isEqualTo("fail");
          // Its own frames are the caller's: the line in this test that called the proxy.
          assertThat(e.getStackTrace()).anyMatch(f -> f.getClassName().equals(RemoteRuntimeTest.class.getName()));
          assertThat(e.getStackTrace()).noneMatch(f -> f.getClassName().endsWith("CallPipeline"));
          assertThat(e.memoUri()).startsWith(store.root() + "/pureremote/v1/test/");
          assertThat(e.isRetryable()).isFalse();
        });
  }

  @Test
  void errorsRerunByDefaultAndAreReplayedUnderMemoize() {
    assertThatThrownBy(() -> calc.fail("x")).isInstanceOf(RemoteFunctionException.class);
    assertThatThrownBy(() -> calc.fail("x")).isInstanceOf(RemoteFunctionException.class);
    assertThat(CalcImpl.EXECUTIONS).as("RERUN runs again").hasValue(2);

    CallOptions memoize = CallOptions.builder().exceptionPolicy(ExceptionPolicy.MEMOIZE).build();
    try (RemoteRuntime strict = RemoteRuntime.builder().blobStore(store).shell(shell).pipelineId("test")
        .function("com.example.fns.Calc#fail", memoize).build()) {
      Calc c = strict.create(Calc.class, CalcImpl.class);
      assertThatThrownBy(() -> c.fail("x")).isInstanceOf(RemoteFunctionException.class).hasMessageContaining("threw");
    }
    assertThat(CalcImpl.EXECUTIONS).as("MEMOIZE replays the stored error").hasValue(2);
  }

  @Test
  void nullResultsAreMemoizedToo() {
    assertThat(calc.nullResult(1)).isNull();
    assertThat(calc.nullResult(1)).isNull();
    assertThat(CalcImpl.EXECUTIONS).hasValue(1);
  }

  @Test
  void concurrentIdenticalCallsShareOneExecution() throws Exception {
    int threads = 16;
    CountDownLatch start = new CountDownLatch(1);
    ExecutorService pool = Executors.newFixedThreadPool(threads);
    try {
      List<Future<String>> results = new ArrayList<>();
      for (int i = 0; i < threads; i++) {
        results.add(pool.submit(() -> {
          start.await();
          return calc.sleep(Duration.ofMillis(300));
        }));
      }
      start.countDown();
      for (Future<String> f : results) {
        assertThat(f.get()).isEqualTo("slept PT0.3S");
      }
    } finally {
      pool.shutdownNow();
    }
    assertThat(CalcImpl.EXECUTIONS).hasValue(1);
  }

  @Test
  void asyncMethodsReturnAFutureAndAreMemoized() throws Exception {
    CompletableFuture<String> f = calc.greetAsync("ada");
    assertThat(f.get()).isEqualTo("hello ada");
    assertThat(calc.greetAsync("ada").get()).isEqualTo("hello ada");
    assertThat(CalcImpl.EXECUTIONS).hasValue(1);
  }

  @Test
  void defaultMethodsRunLocallyAndCallRemoteOnes() {
    assertThat(calc.squarePlusOne(4)).isEqualTo(17);
    assertThat(CalcImpl.EXECUTIONS).hasValue(1);
  }

  @Test
  void mapFansOutAndKeepsInputOrder() {
    List<Long> inputs = IntStream.range(0, 40).mapToObj(i -> (long) i).toList();
    List<Long> squares = runtime.map(inputs, calc::square);
    assertThat(squares).isEqualTo(inputs.stream().map(x -> x * x).toList());
    assertThat(runtime.map(inputs, calc::square)).isEqualTo(squares);
    assertThat(CalcImpl.EXECUTIONS).hasValue(40);
  }

  @Test
  void mapReportsTheFirstFailureAfterAllCallsFinish() {
    assertThatThrownBy(() -> runtime.map(List.of("a", "b", "c"), calc::fail))
        .isInstanceOf(RemoteFunctionException.class)
        .hasMessageContaining("threw")
        .satisfies(e -> assertThat(e.getSuppressed()).hasSize(2));
    assertThat(CalcImpl.EXECUTIONS).hasValue(3);
  }

  @Test
  void timeoutCancelsTheRunAndSaysWhat() {
    try (RemoteRuntime quick = RemoteRuntime.builder().blobStore(store).shell(shell).pipelineId("test")
        .defaults(CallOptions.builder().timeout(Duration.ofMillis(300)).build()).build()) {
      Calc c = quick.create(Calc.class, CalcImpl.class);
      assertThatThrownBy(() -> c.sleep(Duration.ofSeconds(30)))
          .isInstanceOf(RemoteTimeoutException.class)
          .hasMessageContaining("com.example.fns.Calc#sleep@3")
          .hasMessageContaining("did not finish within PT0.3S");
    }
  }

  @Test
  void argumentOfAClassOutsideTheAllowlistIsRefusedClearly() {
    assertThatThrownBy(() -> calc.echo(new Outsider("s")))
        .isInstanceOf(SerializationException.class)
        .hasMessageContaining("com.example.other.Outsider is not allowed")
        .hasMessageContaining("allowPackages(\"com.example.other\")");
    try (RemoteRuntime allowing = RemoteRuntime.builder().blobStore(store).shell(shell).pipelineId("test")
        .allowPackages("com.example.other").build()) {
      assertThat(allowing.create(Calc.class, CalcImpl.class).echo(new Outsider("s"))).isEqualTo(new Outsider("s"));
    }
  }

  @Test
  void unencodableArgumentValueNamesThePath() {
    Map<String, Object> nested = new LinkedHashMap<>();
    nested.put("ok", 1);
    nested.put("bad", new Thread());
    assertThatThrownBy(() -> calc.echo(List.of(nested)))
        .isInstanceOf(ArgumentKeyException.class)
        .hasMessageContaining("java.lang.Thread")
        .hasMessageContaining("args[0][0][\"bad\"]");
    assertThat(CalcImpl.EXECUTIONS).hasValue(0);
  }

  @Test
  void corruptResultIsDetectedNotReturnedAndRecomputed() throws Exception {
    calc.square(9);
    String resultKey = store.list("pureremote/v1/test/com.example.Calc.square@1/").stream()
        .filter(k -> k.endsWith("/result")).findFirst().orElseThrow();
    Path file = dir.resolve(resultKey);
    byte[] bytes = Files.readAllBytes(file);
    bytes[bytes.length - 1] ^= 0x5A;
    Files.write(file, bytes);
    // Not returned, and not a failure of every later call either: a miss that sets it aside.
    assertThat(calc.square(9)).isEqualTo(81);
    assertThat(CalcImpl.EXECUTIONS).hasValue(2);
    assertThat(AsideNotes.under(dir)).contains("checksum mismatch").contains(resultKey);
    assertThat(calc.square(9)).isEqualTo(81);
    assertThat(CalcImpl.EXECUTIONS).hasValue(2);
  }

  @Test
  void blobRootWithUnknownSchemeListsWhatIsAvailable() {
    assertThatThrownBy(() -> RemoteRuntime.builder().blobRoot("gs://bucket/memo").build())
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessageContaining("No BlobStore for scheme 'gs'")
        .hasMessageContaining("[file]");
  }

  @Test
  void unknownShellNameListsWhatIsAvailable() {
    assertThatThrownBy(() -> RemoteRuntime.builder().blobStore(store).shell("kubernetes").build())
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessageContaining("No shell named 'kubernetes'")
        .hasMessageContaining("[in-process, local, local-pool]");
  }

  @Test
  void invalidPipelineIdIsRejectedAtBuild() {
    assertThatThrownBy(() -> RemoteRuntime.builder().blobStore(store).pipelineId("../x").build())
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessageContaining("Invalid pipeline id '../x'");
  }

  /** Payloads past the spool's memory limit go through temporary files, which are all deleted. */
  @Test
  void largeArgumentsAndResultsSpillToTemporaryFilesAndLeaveNoneBehind() throws Exception {
    Path tmp = Path.of(System.getProperty("java.io.tmpdir"));
    java.util.function.Supplier<Long> spoolFiles = () -> {
      try (var files = Files.list(tmp)) {
        return files.filter(f -> f.getFileName().toString().startsWith("pureremote-spool-")).count();
      } catch (java.io.IOException e) {
        throw new java.io.UncheckedIOException(e);
      }
    };
    long before = spoolFiles.get();
    double[] big = new java.util.Random(3).doubles(200_000).toArray(); // 1.6 MB of Kryo payload
    String old = System.getProperty(io.pureremote.internal.Spool.MEMORY_PROPERTY);
    System.setProperty(io.pureremote.internal.Spool.MEMORY_PROPERTY, "65536");
    try {
      assertThat((double[]) calc.echo(big)).isEqualTo(big);
      CalcImpl.EXECUTIONS.set(0);
      assertThat((double[]) calc.echo(big)).as("a memo hit read through the spool").isEqualTo(big);
    } finally {
      if (old == null) {
        System.clearProperty(io.pureremote.internal.Spool.MEMORY_PROPERTY);
      } else {
        System.setProperty(io.pureremote.internal.Spool.MEMORY_PROPERTY, old);
      }
    }
    assertThat(spoolFiles.get()).isEqualTo(before);
  }
}
