package io.pureremote.internal;

import static org.assertj.core.api.Assertions.assertThat;

import io.pureremote.spi.BlobStore.BlobContent;
import io.pureremote.spi.BlobStore;
import io.pureremote.spi.BlobStore.StoredBlob;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Clock;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.ScheduledExecutorService;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class LeasesTest {
  @TempDir Path dir;
  FileBlobStore store;
  ScheduledExecutorService scheduler;
  Leases leases;
  static final String KEY = "pureremote/v1/p/f@1/" + "a".repeat(64) + "/lease";

  @BeforeEach
  void setUp() {
    store = new FileBlobStore(dir);
    scheduler = Executors.newScheduledThreadPool(2);
    // Expiries are seconds, not milliseconds: on a loaded 2-core machine a renewal can be late by
    // hundreds of milliseconds, and a lease that lapses is rightly taken over.
    leases = new Leases(store, Duration.ofSeconds(3), Duration.ofMillis(300), Clock.systemUTC(), scheduler);
  }

  @AfterEach
  void tearDown() {
    scheduler.shutdownNow();
  }

  @Test
  void aLiveLeaseCannotBeTakenAndIsKeptAliveByRenewal() throws Exception {
    Leases.Lease held = leases.tryAcquire(KEY).orElseThrow();
    Thread.sleep(4500); // well past the expiry: only renewal keeps it
    assertThat(leases.tryAcquire(KEY)).isEmpty();
    assertThat(held.lost()).isFalse();
    assertThat(leases.read(KEY).orElseThrow().holder()).isEqualTo(held.holder());
    held.release();
  }

  @Test
  void releasedLeaseIsFreeAtOnce() {
    Leases.Lease held = leases.tryAcquire(KEY).orElseThrow();
    held.release();
    assertThat(leases.read(KEY).orElseThrow().released()).isTrue();
    Leases.Lease next = leases.tryAcquire(KEY).orElseThrow();
    assertThat(next.holder()).isNotEqualTo(held.holder());
    next.release();
  }

  @Test
  void anExpiredLeaseIsTakenOverByExactlyOneOfManyContenders() throws Exception {
    Leases shortLived = new Leases(store, Duration.ofMillis(300), Duration.ofMillis(250), Clock.systemUTC(), scheduler);
    Leases.Lease dead = shortLived.tryAcquire(KEY).orElseThrow();
    dead.stop(); // the holder dies: no renewal, no release
    Thread.sleep(500);
    int contenders = 8;
    CountDownLatch start = new CountDownLatch(1);
    ExecutorService pool = Executors.newFixedThreadPool(contenders);
    List<Future<Optional<Leases.Lease>>> attempts = new ArrayList<>();
    for (int i = 0; i < contenders; i++) {
      attempts.add(pool.submit(() -> {
        start.await();
        return leases.tryAcquire(KEY);
      }));
    }
    start.countDown();
    // Collect every attempt before releasing: a lease released while a slow contender is still
    // trying is rightly free for it to take.
    List<Leases.Lease> winners = new ArrayList<>();
    for (Future<Optional<Leases.Lease>> a : attempts) {
      a.get().ifPresent(winners::add);
    }
    pool.shutdownNow();
    winners.forEach(Leases.Lease::release);
    assertThat(winners).hasSize(1);
  }

  @Test
  void theOldHolderNoticesATakeover() throws Exception {
    Leases slow = new Leases(store, Duration.ofMillis(300), Duration.ofMillis(250), Clock.systemUTC(), scheduler);
    Leases.Lease old = slow.tryAcquire(KEY).orElseThrow();
    old.stop();
    Thread.sleep(400);
    Leases.Lease taker = leases.tryAcquire(KEY).orElseThrow();
    assertThat(old.stillHeld()).isFalse();
    assertThat(taker.stillHeld()).isTrue();
    taker.release();
  }

  @Test
  void callerAndRemoteShareOneLeaseWithoutLosingIt() throws Exception {
    Leases.Lease caller = leases.tryAcquire(KEY).orElseThrow();
    Leases remoteSide = new Leases(store, Duration.ofSeconds(3), Duration.ofMillis(110), Clock.systemUTC(), scheduler);
    Leases.Lease remote = remoteSide.join(KEY, caller.holder()).orElseThrow();
    Thread.sleep(2000); // both renew, interleaved, with conflicting versions
    assertThat(caller.lost()).isFalse();
    assertThat(remote.lost()).isFalse();
    assertThat(remote.stillHeld()).isTrue();
    remote.stop();
    caller.release();
  }

  @Test
  void joinRefusesWhenAnotherHolderIsLive() {
    Leases.Lease other = leases.tryAcquire(KEY).orElseThrow();
    assertThat(leases.join(KEY, "someone-else")).isEmpty();
    other.release();
  }

  @Test
  void aDamagedLeaseRecordDoesNotBlockTheCall() {
    store.put(KEY, BlobContent.of("{not json".getBytes(StandardCharsets.UTF_8)), null);
    Leases.Lease l = leases.tryAcquire(KEY).orElseThrow();
    assertThat(leases.read(KEY).orElseThrow().holder()).isEqualTo(l.holder());
    l.release();
  }

  @Test
  void aRemoteWhoseCallIsTakenOverWhileItJoinsDoesNotRunIt() {
    Leases.Lease caller = leases.tryAcquire(KEY).orElseThrow();
    caller.stop(); // the caller dies: no more renewals, no release
    // Another caller takes the lease over (here: it sees it expired) right after the remote read
    // the record and before the remote's first write: the window in which the caller's death left
    // a record naming no live process.
    Leases later = new Leases(store, Duration.ofSeconds(3), Duration.ofMillis(300),
        Clock.offset(Clock.systemUTC(), Duration.ofHours(1)), scheduler);
    List<Leases.Lease> takeovers = new ArrayList<>();
    BlobStore racing = new BlobStore() {
      @Override public String root() { return store.root(); }
      @Override public Optional<StoredBlob> get(String key) { return store.get(key); }
      @Override public Optional<String> putIfAbsent(String key, BlobContent content) { return store.putIfAbsent(key, content); }
      @Override public String put(String key, BlobContent content, String expectedVersion) {
        if (key.equals(KEY) && takeovers.isEmpty()) {
          takeovers.add(later.tryAcquire(KEY).orElseThrow());
        }
        return store.put(key, content, expectedVersion);
      }
      @Override public boolean exists(String key) { return store.exists(key); }
      @Override public List<String> list(String prefix) { return store.list(prefix); }
      @Override public boolean delete(String key) { return store.delete(key); }
    };
    Leases remoteSide = new Leases(racing, Duration.ofSeconds(3), Duration.ofMillis(300), Clock.systemUTC(), scheduler);

    assertThat(remoteSide.join(KEY, caller.holder())).as("the remote must not run a call taken over").isEmpty();
    assertThat(takeovers).hasSize(1);
    assertThat(leases.read(KEY).orElseThrow().holder()).isEqualTo(takeovers.get(0).holder());
    takeovers.get(0).release();
  }

  @Test
  void aRemoteThatJoinsAfterItsCallWasTakenOverAndFinishedDoesNotRunIt() {
    // The interleaving behind the orphan double run: the caller dies before its remote named itself
    // in the record; a new caller takes the lease over at once, its own run commits and it releases;
    // only then does the slow orphan (a child JVM still starting) join. Its look for a result came
    // before that commit, so the join is its last chance to see that the call is another's.
    Leases.Lease caller = leases.tryAcquire(KEY).orElseThrow();
    caller.stop(); // the caller dies: no more renewals, no release
    Leases later = new Leases(store, Duration.ofSeconds(3), Duration.ofMillis(300),
        Clock.offset(Clock.systemUTC(), Duration.ofHours(1)), scheduler);
    Leases.Lease newCaller = later.tryAcquire(KEY).orElseThrow();
    newCaller.release(); // its run committed

    assertThat(later.join(KEY, caller.holder())).as("join after the new holder released").isEmpty();
    assertThat(leases.read(KEY).orElseThrow().holder()).isEqualTo(newCaller.holder());
    assertThat(leases.read(KEY).orElseThrow().released()).isTrue();

    // Likewise when the new holder's lease merely expired (its caller died too): the call is still
    // the new holder's, whose own run (or the next caller's takeover) decides it.
    Leases.Lease third = later.tryAcquire(KEY).orElseThrow();
    third.stop();
    Leases muchLater = new Leases(store, Duration.ofSeconds(3), Duration.ofMillis(300),
        Clock.offset(Clock.systemUTC(), Duration.ofHours(2)), scheduler);
    assertThat(muchLater.join(KEY, caller.holder())).as("join after the new holder expired").isEmpty();
    assertThat(leases.read(KEY).orElseThrow().holder()).isEqualTo(third.holder());
  }
}
