package io.pureremote.lease;

import static org.assertj.core.api.Assertions.assertThat;

import com.example.fns.Work;
import com.example.fns.WorkImpl;
import io.pureremote.BlobStoreException;
import io.pureremote.PureRemoteException;
import io.pureremote.RemoteRuntime;
import io.pureremote.ShellException;
import io.pureremote.internal.ArgsEncoder;
import io.pureremote.internal.FileBlobStore;
import io.pureremote.internal.InProcessShell;
import io.pureremote.spi.BlobStore.BlobContent;
import io.pureremote.spi.BlobStore;
import io.pureremote.spi.BlobStore.StoredBlob;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Random;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.ThreadLocalRandom;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.stream.Collectors;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Exactly one execution per key across processes, and no partial or wrong result after crashes
 * or storage faults. Real caller JVMs, real child JVMs, kill -9.
 */
class ExactlyOnceTest {
  private static final String FUNCTION_PREFIX = "pureremote/v1/leases/com.example.fns.Work%23";

  @TempDir Path dir;

  private static List<String> javaCommand(String... args) {
    List<String> cmd = new ArrayList<>();
    cmd.add(ProcessHandle.current().info().command().orElseThrow());
    if (Runtime.version().feature() >= 24) {
      cmd.add("--sun-misc-unsafe-memory-access=allow");
    }
    cmd.addAll(List.of("-XX:TieredStopAtLevel=1", "-XX:+UseSerialGC", "-cp", System.getProperty("java.class.path")));
    cmd.add(CallerMain.class.getName());
    cmd.addAll(List.of(args));
    return cmd;
  }

  /** Run records: every remote execution writes exactly one. */
  private static Map<String, Long> executionsPerEntry(BlobStore store, String function) {
    return store.list(FUNCTION_PREFIX + function + "@1/").stream()
        .filter(k -> k.contains("/runs/") && k.endsWith(".json"))
        .collect(Collectors.groupingBy(k -> k.substring(0, k.indexOf("/runs/")), Collectors.counting()));
  }

  @Test
  void eightCallerProcessesOnFiftyKeysRunEachKeyExactlyOnce() throws Exception {
    Path root = dir.resolve("memo");
    List<Process> callers = new ArrayList<>();
    for (int i = 0; i < 8; i++) {
      callers.add(new ProcessBuilder(javaCommand("fanout", root.toString(), "50", String.valueOf(i)))
          .redirectErrorStream(true).redirectOutput(dir.resolve("caller-" + i + ".log").toFile()).start());
    }
    for (int i = 0; i < callers.size(); i++) {
      assertThat(callers.get(i).waitFor(120, TimeUnit.SECONDS)).as("caller %d finished", i).isTrue();
      String out = Files.readString(dir.resolve("caller-" + i + ".log"));
      assertThat(callers.get(i).exitValue()).as("caller %d output:%n%s", i, out).isZero();
      assertThat(out).contains("done 50");
    }
    Map<String, Long> executions = executionsPerEntry(new FileBlobStore(root), "slowSquare");
    System.out.printf("exactly-once: 8 callers x 50 keys -> %d entries, %d executions%n",
        executions.size(), executions.values().stream().mapToLong(Long::longValue).sum());
    FileBlobStore store = new FileBlobStore(root);
    executions.forEach((entry, n) -> {
      if (n > 1) {
        store.list(entry + "/runs/").forEach(k -> System.out.println(k + " " + new String(store.getBytes(k).orElseThrow())));
      }
    });
    assertThat(executions).hasSize(50);
    assertThat(executions.values()).allMatch(n -> n == 1);
  }

  @Test
  void killingTheRemoteAtRandomPointsNeverLeavesAPartialOrWrongResult() throws Exception {
    FileBlobStore store = new FileBlobStore(dir.resolve("memo"));
    int trials = 50;
    int size = 2 * 1024 * 1024;
    AtomicInteger completed = new AtomicInteger();
    AtomicInteger killed = new AtomicInteger();
    AtomicInteger otherFailures = new AtomicInteger();
    ExecutorService pool = Executors.newFixedThreadPool(4);
    try (InProcessShell inProcess = new InProcessShell(store);
        RemoteRuntime runtime = RemoteRuntime.builder().blobStore(store).shell(CallerMain.quickShell())
            .pipelineId("leases").lease(CallerMain.FAST_LEASES).build();
        RemoteRuntime checker = RemoteRuntime.builder().blobStore(store).shell(inProcess)
            .pipelineId("leases").lease(CallerMain.FAST_LEASES).build()) {
      Work work = runtime.create(Work.class, WorkImpl.class);
      Work check = checker.create(Work.class, WorkImpl.class);
      List<Future<?>> futures = new ArrayList<>();
      for (int t = 0; t < trials; t++) {
        int seed = t;
        futures.add(pool.submit(() -> {
          Random random = new Random(seed);
          int sleepMs = random.nextInt(400);
          String hash = ArgsEncoder.hash(new Object[] {seed, sleepMs, size});
          Thread killer = Thread.ofVirtual().start(() -> killRemoteAfter(hash, random.nextInt(1800)));
          try {
            byte[] value = work.slowBlob(seed, sleepMs, size);
            assertThat(value).isEqualTo(WorkImpl.expectedBlob(seed, size));
            completed.incrementAndGet();
          } catch (ShellException e) {
            killed.incrementAndGet();
          } catch (PureRemoteException e) {
            otherFailures.incrementAndGet();
            throw e;
          } finally {
            killer.interrupt();
          }
          // Whatever the kill hit, the entry now holds a complete, correct result or none, and a
          // new call (in this JVM, to keep the test quick) completes correctly.
          assertThat(check.slowBlob(seed, sleepMs, size)).isEqualTo(WorkImpl.expectedBlob(seed, size));
          return null;
        }));
      }
      for (Future<?> f : futures) {
        f.get(5, TimeUnit.MINUTES);
      }
    } finally {
      pool.shutdownNow();
    }
    System.out.printf("kill -9 trials: %d, completed before the kill: %d, killed: %d, other failures: %d%n",
        trials, completed.get(), killed.get(), otherFailures.get());
    assertThat(completed.get() + killed.get()).isEqualTo(trials);
    assertThat(killed.get()).as("the kills hit some runs").isPositive();
    assertThat(store.list("pureremote/").stream().filter(k -> k.endsWith("/result")).count()).isEqualTo(trials);
  }

  /**
   * Kills -9 the child JVM that runs the entry with {@code hash}, {@code delayMs} after it appears:
   * during JVM start, while the function runs, or while it writes its result.
   */
  private static void killRemoteAfter(String hash, int delayMs) {
    try {
      long giveUp = System.nanoTime() + TimeUnit.SECONDS.toNanos(20);
      Optional<ProcessHandle> remote = Optional.empty();
      while (remote.isEmpty() && System.nanoTime() < giveUp) {
        remote = ProcessHandle.current().descendants()
            .filter(p -> p.info().commandLine().orElse("").contains(hash)).findFirst();
        Thread.sleep(5);
      }
      Thread.sleep(delayMs);
      remote.ifPresent(ProcessHandle::destroyForcibly);
    } catch (InterruptedException e) {
      // the call finished first
    }
  }

  @Test
  void aNewCallerReattachesToTheRunOfAKilledCaller() throws Exception {
    Path root = dir.resolve("memo");
    Process first = new ProcessBuilder(javaCommand("single", root.toString(), "7", "5000"))
        .redirectErrorStream(true).redirectOutput(dir.resolve("first.log").toFile()).start();
    // Wait until the first caller's remote JVM runs, then kill the caller only: the remote lives on.
    long until = System.nanoTime() + TimeUnit.SECONDS.toNanos(30);
    while (first.descendants().noneMatch(p -> p.info().commandLine().orElse("").contains("RemoteMain"))) {
      assertThat(System.nanoTime()).as("first caller launched its remote").isLessThan(until);
      Thread.sleep(50);
    }
    List<ProcessHandle> orphans = first.descendants().toList();
    // Kill the caller only once its remote has named itself in the lease record: before that, the
    // lease rightly looks abandoned (all its processes gone) and the new caller takes the call over.
    // A fixed sleep was too short for a JVM start on a loaded machine.
    while (leaseProcesses(root) < 2) {
      assertThat(System.nanoTime()).as("the remote joined the first caller's lease").isLessThan(until);
      Thread.sleep(50);
    }
    first.destroyForcibly().waitFor();

    FileBlobStore store = new FileBlobStore(root);
    long start = System.nanoTime();
    try (RemoteRuntime runtime = RemoteRuntime.builder().blobStore(store).shell(CallerMain.quickShell())
        .pipelineId("leases").lease(CallerMain.FAST_LEASES).build()) {
      assertThat(runtime.create(Work.class, WorkImpl.class).slowSquare(7, 5000)).isEqualTo(49);
      for (ProcessHandle orphan : orphans) {
        orphan.onExit().get(60, TimeUnit.SECONDS); // it releases the lease right after its commit, then exits
      }
    } finally {
      orphans.forEach(ProcessHandle::destroyForcibly);
    }
    // Re-attached rather than re-ran: the orphaned remote's run is the only execution.
    assertThat(executionsPerEntry(store, "slowSquare").values()).containsExactly(1L);
    // The caller that took the lease is gone, yet the committed call left no live lease: its run
    // released it right after the commit (issue 18: a killed caller used to leave it behind).
    List<io.pureremote.MemoEntry> entries = io.pureremote.MemoEntry.all(store, "leases");
    assertThat(entries).hasSize(1);
    assertThat(entries.getFirst().lease()).hasValueSatisfying(l -> assertThat(l.released()).isTrue());
    assertThat(entries.getFirst().leaseStale(java.time.Instant.now())).isFalse();
    System.out.printf("re-attach: the new caller waited %d ms for the orphaned run%n",
        Duration.ofNanos(System.nanoTime() - start).toMillis());
  }

  /** How many processes the (one) lease record under {@code root} names, or 0 before it exists. */
  private static int leaseProcesses(Path root) throws java.io.IOException {
    if (!Files.exists(root)) {
      return 0;
    }
    try (var files = Files.walk(root)) {
      for (Path lease : files.filter(f -> f.getFileName().toString().equals("lease")).toList()) {
        try {
          Object processes = io.pureremote.internal.Json.parseObject(Files.readString(lease)).get("processes");
          return processes instanceof List<?> list ? list.size() : 0;
        } catch (RuntimeException | java.io.IOException e) {
          return 0; // being rewritten: look again
        }
      }
    }
    return 0;
  }

  @Test
  void injectedStoreFaultsLoseNoResult() {
    FileBlobStore real = new FileBlobStore(dir.resolve("memo"));
    AtomicInteger retries = new AtomicInteger();
    // 3% of operations fail: a call makes ~15 store operations, so many calls meet a fault.
    FaultyStore faulty = new FaultyStore(real, 0.03, 42);
    int keys = 40;
    try (InProcessShell shell = new InProcessShell(faulty);
        RemoteRuntime runtime = RemoteRuntime.builder().blobStore(faulty).shell(shell).pipelineId("leases")
            .lease(CallerMain.FAST_LEASES).build()) {
      Work work = runtime.create(Work.class, WorkImpl.class);
      for (int k = 0; k < keys; k++) {
        long x = k;
        long value = retry(() -> work.slowSquare(x, 5), retries);
        assertThat(value).isEqualTo(x * x);
      }
    }
    System.out.printf("faulty store: %d keys, %d injected faults over %d operations, %d failed call attempts retried%n",
        keys, faulty.faults.get(), faulty.operations.get(), retries.get());
    assertThat(faulty.faults.get()).isPositive();
    Map<String, Long> before = executionsPerEntry(real, "slowSquare");
    // Every committed result is complete and correct: a clean pass is all memo hits.
    try (InProcessShell shell = new InProcessShell(real);
        RemoteRuntime clean = RemoteRuntime.builder().blobStore(real).shell(shell).pipelineId("leases").build()) {
      Work work = clean.create(Work.class, WorkImpl.class);
      for (int k = 0; k < keys; k++) {
        assertThat(work.slowSquare(k, 5)).isEqualTo((long) k * k);
      }
    }
    assertThat(executionsPerEntry(real, "slowSquare")).isEqualTo(before);
    assertThat(before).hasSize(keys);
  }

  private static long retry(java.util.function.LongSupplier call, AtomicInteger retries) {
    for (int attempt = 1; ; attempt++) {
      try {
        return call.getAsLong();
      } catch (PureRemoteException e) {
        if (attempt == 30) {
          throw e;
        }
        retries.incrementAndGet();
      }
    }
  }

  /**
   * A real store that fails a fraction of operations with a transient error, half of them after
   * the operation took effect (the ambiguous case: a write that happened but reported failure).
   */
  static final class FaultyStore implements BlobStore {
    private final BlobStore delegate;
    private final double rate;
    private final Random random;
    final AtomicInteger faults = new AtomicInteger();
    final AtomicInteger operations = new AtomicInteger();

    FaultyStore(BlobStore delegate, double rate, long seed) {
      this.delegate = delegate;
      this.rate = rate;
      this.random = new Random(seed);
    }

    private synchronized boolean fault() {
      operations.incrementAndGet();
      return random.nextDouble() < rate;
    }

    private <T> T maybeFail(String key, java.util.function.Supplier<T> op) {
      if (fault()) {
        faults.incrementAndGet();
        if (ThreadLocalRandom.current().nextBoolean()) {
          op.get();
        }
        throw new BlobStoreException(uri(key), "injected transient fault", null, true);
      }
      return op.get();
    }

    @Override
    public String root() {
      return delegate.root();
    }

    @Override
    public Optional<StoredBlob> get(String key) {
      return maybeFail(key, () -> delegate.get(key));
    }

    @Override
    public Optional<String> putIfAbsent(String key, BlobContent content) {
      return maybeFail(key, () -> delegate.putIfAbsent(key, content));
    }

    @Override
    public String put(String key, BlobContent content, String expectedVersion) {
      return maybeFail(key, () -> delegate.put(key, content, expectedVersion));
    }

    @Override
    public boolean exists(String key) {
      return maybeFail(key, () -> delegate.exists(key));
    }

    @Override
    public List<String> list(String prefix) {
      return delegate.list(prefix);
    }

    @Override
    public boolean delete(String key) {
      return maybeFail(key, () -> delegate.delete(key));
    }
  }
}
