package io.pureremote.internal;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.example.fns.Calc;
import com.example.fns.CalcImpl;
import io.pureremote.FunctionId;
import io.pureremote.RemoteFunctionException;
import io.pureremote.RemoteRuntime;
import io.pureremote.ShellException;
import io.pureremote.spi.Shell.LaunchRequest;
import io.pureremote.spi.Shell.Outcome;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import java.util.stream.LongStream;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** End to end through real warm worker JVMs ({@code RemoteMain worker}) started by the local pool. */
class LocalPoolShellTest {
  @TempDir Path dir;
  FileBlobStore store;
  LocalPoolShell shell;
  RemoteRuntime runtime;
  Calc calc;

  @BeforeEach
  void setUp() {
    store = new FileBlobStore(dir);
    shell = new LocalPoolShell(LocalPoolOptions.builder().workers(2).slotsPerWorker(4).build());
    runtime = RemoteRuntime.builder().blobRoot(store.root()).pipelineId("pool").shell(shell).build();
    calc = runtime.create(Calc.class, CalcImpl.class);
  }

  @AfterEach
  void tearDown() throws Exception {
    runtime.close();
    shell.close(); // a shell passed to the builder is closed by whoever made it
    assertNoWorkerLeft();
  }

  private static void assertNoWorkerLeft() throws InterruptedException {
    long until = System.nanoTime() + TimeUnit.SECONDS.toNanos(20);
    while (!workers().isEmpty()) {
      assertThat(System.nanoTime()).as("no worker JVM left running after close").isLessThan(until);
      Thread.sleep(50);
    }
  }

  private static List<ProcessHandle> workers() {
    return ProcessHandle.current().descendants()
        .filter(p -> p.isAlive() && p.info().commandLine().orElse("").contains("RemoteMain worker")).toList();
  }

  private List<String> runRecords(String functionSegment) {
    return store.list("pureremote/v1/pool/" + functionSegment + "/").stream()
        .filter(k -> k.contains("/runs/") && k.endsWith(".json")).toList();
  }

  private String text(String key) {
    return new String(store.getBytes(key).orElseThrow(), StandardCharsets.UTF_8);
  }

  @Test
  void aMissRunsOnAWarmWorkerAndTheSecondCallIsAHit() {
    CalcImpl.EXECUTIONS.set(0); // other test classes in this JVM (RoutingShellTest, BatchedLaunchTest) ran Calc here
    assertThat(runtime.shell()).isSameAs(shell);
    assertThat(shell.workerPids()).as("no worker before the first call").isEmpty();
    assertThat(calc.square(7)).isEqualTo(49);
    assertThat(calc.square(7)).isEqualTo(49);
    assertThat(runRecords("com.example.Calc.square@1")).hasSize(1);
    assertThat(CalcImpl.EXECUTIONS).as("nothing ran in this JVM").hasValue(0);
    List<Long> pids = shell.workerPids();
    assertThat(pids).hasSize(2).doesNotContain(ProcessHandle.current().pid());
    assertThat(calc.square(8)).isEqualTo(64);
    assertThat(shell.workerPids()).as("the same warm workers take the next miss").isEqualTo(pids);
    String log = store.list("pureremote/v1/pool/com.example.Calc.square@1/").stream()
        .filter(k -> k.endsWith(".log")).map(this::text).findFirst().orElseThrow();
    assertThat(log).contains("running com.example.Calc.square@1").contains("result committed");
  }

  @Test
  void anExceptionCrossesTheWorkerBoundary() {
    assertThatThrownBy(() -> calc.fail("pool boom"))
        .isInstanceOfSatisfying(RemoteFunctionException.class, e -> {
          assertThat(e.getCause()).isInstanceOf(CalcImpl.CalcException.class).hasMessage("pool boom");
          assertThat(e.remoteStackTrace()).contains("root cause");
        });
  }

  @Test
  void aFanOutOf2000CallsRunsEachOnceWithItsOwnLog() {
    List<Long> inputs = LongStream.range(0, 2000).boxed().toList();
    List<Long> squares = runtime.map(inputs, calc::square);
    assertThat(squares).isEqualTo(inputs.stream().map(x -> x * x).toList());
    List<String> records = runRecords("com.example.Calc.square@1");
    assertThat(records).hasSize(2000);
    // Calls ran side by side in two JVMs: each stored log holds its own call's lines only.
    List<String> logs = store.list("pureremote/v1/pool/com.example.Calc.square@1/").stream()
        .filter(k -> k.endsWith(".log")).toList();
    assertThat(logs).hasSize(2000);
    for (String key : logs.subList(0, 50)) {
      assertThat(text(key).lines().filter(l -> l.contains("running com.example.Calc.square@1")).count())
          .as(key).isEqualTo(1);
    }
    assertThat(runtime.map(inputs.subList(0, 100), calc::square)).hasSize(100);
    assertThat(runRecords("com.example.Calc.square@1")).as("the second pass is all hits").hasSize(2000);
  }

  @Test
  void aWorkerKilledMidCallHandsTheCallToAnotherWorkerAndItCompletesOnce() throws Exception {
    CompletableFuture<String> call = calc.sleepAsync(Duration.ofSeconds(3));
    long until = System.nanoTime() + TimeUnit.SECONDS.toNanos(60);
    while (shell.busyWorkerPids().isEmpty()) {
      assertThat(System.nanoTime()).as("the call reached a worker").isLessThan(until);
      Thread.sleep(20);
    }
    long victim = shell.busyWorkerPids().get(0);
    // Wait until the function itself runs on the victim (its invocation read, the lease joined).
    while (store.list("pureremote/v1/pool/").stream().noneMatch(k -> k.endsWith("/lease"))) {
      assertThat(System.nanoTime()).as("the lease exists").isLessThan(until);
      Thread.sleep(20);
    }
    Thread.sleep(300);
    ProcessHandle.of(victim).orElseThrow().destroyForcibly(); // SIGKILL on Linux

    assertThat(call.get(120, TimeUnit.SECONDS)).isEqualTo("slept PT3S");
    List<String> records = store.list("pureremote/v1/pool/").stream()
        .filter(k -> k.contains("/runs/") && k.endsWith(".json")).toList();
    assertThat(records).as("one run committed; the killed one left no record").hasSize(1);
    assertThat(text(records.get(0))).contains("succeeded").doesNotContain(Long.toString(victim));
    assertThat(shell.workerPids()).as("the dead worker was replaced").hasSize(2).doesNotContain(victim);
  }

  @Test
  void cancellingTheFutureInterruptsTheCallOnItsWorkerAndKeepsTheWorker() throws Exception {
    CompletableFuture<String> call = calc.sleepAsync(Duration.ofMinutes(5));
    long until = System.nanoTime() + TimeUnit.SECONDS.toNanos(60);
    while (shell.busyWorkerPids().isEmpty()) {
      assertThat(System.nanoTime()).as("the call reached a worker").isLessThan(until);
      Thread.sleep(20);
    }
    List<Long> pids = shell.workerPids();
    call.cancel(true);
    while (!shell.busyWorkerPids().isEmpty()) {
      assertThat(System.nanoTime()).as("the worker let the call go").isLessThan(until);
      Thread.sleep(20);
    }
    assertThat(call).isCancelled();
    assertThat(shell.workerPids()).as("cancel stops the call, not the worker").isEqualTo(pids);
    assertThat(calc.square(3)).isEqualTo(9);
  }

  @Test
  void closeCancelsWhatRunsAndLeavesNoWorker() throws Exception {
    CompletableFuture<String> call = calc.sleepAsync(Duration.ofMinutes(5));
    long until = System.nanoTime() + TimeUnit.SECONDS.toNanos(60);
    while (shell.busyWorkerPids().isEmpty()) {
      assertThat(System.nanoTime()).as("the call reached a worker").isLessThan(until);
      Thread.sleep(20);
    }
    assertThat(workers()).hasSize(2);
    shell.close();
    assertNoWorkerLeft();
    assertThat(call).failsWithin(Duration.ofSeconds(60));
  }

  @Test
  void aFunctionThatHaltsItsWorkerFailsAfterMaxDispatchesAndThePoolRecovers() {
    assertThatThrownBy(() -> calc.crash(7))
        .isInstanceOfSatisfying(ShellException.class, e -> {
          assertThat(e.reason()).isEqualTo("WorkerDied");
          assertThat(e.getMessage()).contains("exited with code 7 while running it").contains("about to halt with 7");
        });
    assertThat(calc.square(5)).as("restarted workers take the next call").isEqualTo(25);
  }

  @Test
  void badOptionsNameTheFix() {
    assertThatThrownBy(() -> LocalPoolOptions.builder().workers(0).build())
        .hasMessage("workers must be >= 1, got 0 (for no pool at all use the local shell)");
    assertThatThrownBy(() -> LocalPoolOptions.builder().slotsPerWorker(0).build())
        .hasMessage("slotsPerWorker must be >= 1, got 0");
  }

  @Test
  void aClassPathWithoutTheLibraryFailsBeforeAnyWorkerStarts() {
    try (LocalPoolShell lacking = new LocalPoolShell(LocalPoolOptions.builder()
        .classpath(dir.resolve("nothing").toString()).build())) {
      CompletableFuture<Outcome> c = lacking.launch(new LaunchRequest(store.root() + "/pureremote/v1/pool/f@1/"
          + "0".repeat(64), new FunctionId("f", "1"), "0".repeat(64), Map.of())).completion();
      assertThat(c).failsWithin(Duration.ofSeconds(10)).withThrowableThat()
          .havingCause().isInstanceOfSatisfying(ShellException.class,
              e -> assertThat(e.reason()).isEqualTo("ClasspathLacksLibrary"));
      assertThat(lacking.workerPids()).isEmpty();
    }
  }
}
