package io.pureremote.internal;

import static org.assertj.core.api.Assertions.assertThat;

import io.pureremote.spi.BlobStore.BlobContent;
import java.io.BufferedReader;
import java.io.File;
import java.io.IOException;
import java.io.InputStreamReader;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Clock;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * A lease whose holder processes ran on this machine and are gone is free at once (issue 18,
 * defect 5: with the default 90 s expiry an equal call used to wait about 104 s).
 */
class AbandonedLeaseTest {
  static final String KEY = "pureremote/v1/p/f@1/" + "b".repeat(64) + "/lease";
  @TempDir Path dir;
  FileBlobStore store;
  ScheduledExecutorService scheduler;
  Leases leases;
  final List<Process> children = new ArrayList<>();

  @BeforeEach
  void setUp() {
    store = new FileBlobStore(dir);
    scheduler = Executors.newScheduledThreadPool(1);
    leases = new Leases(store, Duration.ofSeconds(90), Duration.ofSeconds(45), Clock.systemUTC(), scheduler);
  }

  @AfterEach
  void tearDown() {
    children.forEach(Process::destroyForcibly);
    scheduler.shutdownNow();
  }

  private Process holder(String... extra) throws IOException, InterruptedException {
    String java = ProcessHandle.current().info().command()
        .orElse(System.getProperty("java.home") + File.separator + "bin" + File.separator + "java");
    List<String> command = new ArrayList<>(List.of(java));
    if (Runtime.version().feature() >= 24) {
      command.add("--sun-misc-unsafe-memory-access=allow");
    }
    command.addAll(List.of("-cp", System.getProperty("java.class.path"), LeaseHolderMain.class.getName(),
        dir.toString(), KEY));
    command.addAll(List.of(extra));
    Process child = new ProcessBuilder(command).redirectErrorStream(true).start();
    children.add(child);
    BufferedReader out = new BufferedReader(new InputStreamReader(child.getInputStream(), StandardCharsets.UTF_8));
    for (String line; (line = out.readLine()) != null; ) {
      if (line.startsWith("HELD")) {
        return child;
      }
    }
    throw new AssertionError("the child JVM ended before holding the lease: exit " + child.waitFor());
  }

  private static void kill(Process child) throws InterruptedException {
    child.destroyForcibly(); // SIGKILL: no shutdown hook, no release
    assertThat(child.waitFor(30, TimeUnit.SECONDS)).isTrue();
  }

  @Test
  void aLeaseWhoseHolderJvmWasKilledIsTakenOverAtOnce() throws Exception {
    Process child = holder();
    assertThat(leases.tryAcquire(KEY)).as("the child holds the lease while it lives").isEmpty();
    assertThat(leases.read(KEY).orElseThrow().processes()).extracting(Leases.HolderProcess::pid)
        .containsExactly(child.pid());

    kill(child);
    long started = System.nanoTime();
    Leases.Lease taken = leases.tryAcquire(KEY).orElseThrow(() -> new AssertionError("the abandoned lease was not taken"));
    Duration took = Duration.ofNanos(System.nanoTime() - started);

    assertThat(took).as("no wait for the 90 s expiry").isLessThan(Duration.ofSeconds(10));
    assertThat(leases.read(KEY).orElseThrow().holder()).isEqualTo(taken.holder());
    taken.release();
  }

  @Test
  void aLeaseIsAbandonedOnlyWhenTheCallerAndTheRemoteAreBothGone() throws Exception {
    Process caller = holder();
    String holder = leases.read(KEY).orElseThrow().holder();
    Process remote = holder(holder); // joins as the remote side of the same call
    assertThat(leases.read(KEY).orElseThrow().processes()).extracting(Leases.HolderProcess::pid)
        .containsExactlyInAnyOrder(caller.pid(), remote.pid());

    kill(caller);
    assertThat(leases.tryAcquire(KEY)).as("the remote still runs the call").isEmpty();
    kill(remote);
    assertThat(leases.tryAcquire(KEY)).as("both are gone").isPresent();
  }

  @Test
  void aReusedPidWithAnotherStartTimeIsGone() {
    Leases.HolderProcess self = Leases.HolderProcess.current();
    assertThat(self.startMillis()).as("this JVM's start time is known").isPositive();
    write(new Leases.HolderProcess(self.host(), self.bootId(), self.pid(), self.startMillis() - 60_000));
    assertThat(leases.tryAcquire(KEY)).as("our pid, but a process started a minute earlier").isPresent();
  }

  @Test
  void aLiveHolderOnThisMachineKeepsItsLease() {
    write(Leases.HolderProcess.current());
    assertThat(leases.tryAcquire(KEY)).isEmpty();
  }

  @Test
  void aHolderOnAnotherMachineIsJudgedByItsExpiryOnly() {
    Leases.HolderProcess self = Leases.HolderProcess.current();
    write(new Leases.HolderProcess("another-host", self.bootId(), Long.MAX_VALUE - 1, 1));
    assertThat(leases.tryAcquire(KEY)).isEmpty();
    store.delete(KEY);
    write(new Leases.HolderProcess(self.host(), "another-boot", Long.MAX_VALUE - 1, 1));
    assertThat(leases.tryAcquire(KEY)).as("same host name, another machine or boot").isEmpty();
  }

  @Test
  void aRecordWithoutProcessesReadsAsBefore() {
    // As written before processes and start times were recorded: host and pid only.
    String old = Json.write(Map.of("holder", "h", "host", CallMetadata.host(), "pid", Long.MAX_VALUE - 1,
        "renewedAt", "2026-01-01T00:00:00Z", "expiresAt", System.currentTimeMillis() + 60_000, "released", false));
    store.putIfAbsent(KEY, BlobContent.of(old.getBytes(StandardCharsets.UTF_8)));
    Leases.State state = leases.read(KEY).orElseThrow();
    assertThat(state.processes()).isEmpty();
    assertThat(state.pid()).isEqualTo(Long.MAX_VALUE - 1);
    assertThat(leases.tryAcquire(KEY)).as("live until it expires, as before").isEmpty();
  }

  private void write(Leases.HolderProcess process) {
    String record = Json.write(Map.of("holder", "h", "host", process.host(), "pid", process.pid(),
        "processes", List.of(Map.of("host", process.host(), "bootId", process.bootId(), "pid", process.pid(),
            "start", process.startMillis())),
        "renewedAt", "2026-01-01T00:00:00Z", "expiresAt", System.currentTimeMillis() + 60_000, "released", false));
    store.putIfAbsent(KEY, BlobContent.of(record.getBytes(StandardCharsets.UTF_8)));
  }
}
