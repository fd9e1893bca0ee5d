package io.pureremote.internal;

import io.pureremote.BlobStoreException;
import io.pureremote.spi.BlobStore.BlobContent;
import io.pureremote.spi.BlobStore;
import io.pureremote.spi.BlobStore.StoredBlob;
import io.pureremote.spi.BlobStore.VersionConflictException;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Optional;
import java.util.UUID;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.ScheduledFuture;
import java.util.concurrent.TimeUnit;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Per-call leases over conditional writes: {@code <memo>/lease} is a small JSON record naming its
 * holder and an expiry. Taking a free lease is a create-if-absent; taking over an expired or
 * released one, renewing and releasing are writes conditioned on the version just read, so of
 * several contenders exactly one wins. The caller and its remote process share one holder id and
 * both renew; a version conflict with a record that still names that holder is not a loss.
 *
 * <p>The record also lists the processes of its holder (host, boot id, pid, process start time):
 * when every one of them ran on this machine and is gone (its pid no longer exists, or now belongs
 * to a process started at another time), the lease is abandoned and free at once, without waiting
 * for the expiry. A holder on another machine can only be judged by its expiry.
 */
public final class Leases {
  private static final Logger log = LoggerFactory.getLogger(Leases.class);

  /** Name of the lease blob inside a memo entry. */
  public static final String LEASE = "lease";

  /**
   * Leases this JVM holds now, by holder id: a run in this very process (the in-process shell, or
   * any executor sharing the caller's JVM) finds the caller's lease here instead of joining it
   * through the store, since the record already names this process and the caller renews it.
   */
  private static final java.util.concurrent.ConcurrentHashMap<String, Lease> HELD_HERE =
      new java.util.concurrent.ConcurrentHashMap<>();

  private final BlobStore store;
  private final Duration expiry;
  private final Duration renewEvery;
  private final Clock clock;
  private final ScheduledExecutorService scheduler;

  /** Leases in {@code store}, renewed on {@code scheduler}. */
  public Leases(BlobStore store, Duration expiry, Duration renewEvery, Clock clock, ScheduledExecutorService scheduler) {
    this.store = store;
    this.expiry = expiry;
    this.renewEvery = renewEvery;
    this.clock = clock;
    this.scheduler = scheduler;
  }

  /**
   * A lease record as stored.
   *
   * @param host the host of the process that wrote it last
   * @param pid that process's id, or -1
   * @param processes every process of the holder the record names (caller and remote side); empty
   *     in records written before processes were recorded
   */
  public record State(String holder, String host, long pid, long expiresAtMillis, boolean released, String version,
      List<HolderProcess> processes) {
    /** Whether someone holds it now: not released, not expired, and not abandoned. */
    boolean live(Instant now) {
      return !released && expiresAtMillis > now.toEpochMilli() && !abandoned();
    }

    /** Whether every process of the holder ran on this machine and is gone. */
    public boolean abandoned() {
      return !processes.isEmpty() && processes.stream().allMatch(HolderProcess::goneFromThisMachine);
    }
  }

  /**
   * A process that holds a lease, as recorded in it.
   *
   * @param host its host name
   * @param bootId the kernel boot id of its machine (Linux), or empty: tells two machines with the
   *     same host name apart, and a reboot
   * @param pid its process id
   * @param startMillis its start time (epoch ms), or -1 when unknown
   */
  public record HolderProcess(String host, String bootId, long pid, long startMillis) {
    private static final HolderProcess CURRENT = current();

    /** This JVM's process. */
    static HolderProcess current() {
      if (CURRENT != null) {
        return CURRENT;
      }
      long start = ProcessHandle.current().info().startInstant().map(Instant::toEpochMilli).orElse(-1L);
      return new HolderProcess(CallMetadata.host(), readBootId(), CallMetadata.pid(), start);
    }

    private static String readBootId() {
      try {
        return Files.readString(Path.of("/proc/sys/kernel/random/boot_id")).strip();
      } catch (IOException | RuntimeException e) {
        return "";
      }
    }

    /**
     * Whether it ran on this machine (same host name and boot id) and no longer exists: its pid is
     * gone, or belongs to a process that started at another time (the pid was reused). Unknown
     * start times never count as gone.
     */
    boolean goneFromThisMachine() {
      HolderProcess here = current();
      if (startMillis < 0 || pid < 0 || !host.equals(here.host) || !bootId.equals(here.bootId)) {
        return false;
      }
      Optional<ProcessHandle> process = ProcessHandle.of(pid);
      if (process.isEmpty() || !process.get().isAlive()) {
        return true;
      }
      // The JDK derives start times from clock ticks since boot; a second of slack is far more
      // than its rounding and far less than a pid takes to be reused.
      return process.get().info().startInstant()
          .map(started -> Math.abs(started.toEpochMilli() - startMillis) > 1_000)
          .orElse(false);
    }

    Map<String, Object> toJson() {
      Map<String, Object> json = new LinkedHashMap<>();
      json.put("host", host);
      json.put("bootId", bootId);
      json.put("pid", pid);
      json.put("start", startMillis);
      return json;
    }

    static Optional<HolderProcess> fromJson(Object value) {
      if (value instanceof Map<?, ?> m && m.get("host") instanceof String host && m.get("pid") instanceof Long pid) {
        return Optional.of(new HolderProcess(host, m.get("bootId") instanceof String b ? b : "", pid,
            m.get("start") instanceof Long start ? start : -1));
      }
      return Optional.empty();
    }
  }

  /**
   * The lease {@code holder} holds in this JVM on {@code leaseKey} of the store at {@code root},
   * while it is held (neither released nor lost); empty otherwise.
   */
  public static Optional<Lease> heldHere(String root, String leaseKey, String holder) {
    Lease lease = HELD_HERE.get(holder);
    if (lease == null || !lease.key.equals(leaseKey) || !lease.owner().store.root().equals(root) || lease.released
        || lease.lost) {
      return Optional.empty();
    }
    return Optional.of(lease);
  }

  /** Frames up to this size are handed between a caller and a run in its JVM ({@link Lease#handInvocation}). */
  static final long HAND_OFF_LIMIT = 1 << 20;

  /** The bytes of {@code frame} when it is small enough to hand over in memory; null otherwise. */
  static byte[] handOffBytes(BlobContent frame) {
    if (frame.length() > HAND_OFF_LIMIT) {
      return null;
    }
    try (java.io.InputStream in = frame.open()) {
      return in.readAllBytes();
    } catch (IOException e) {
      throw new UncheckedIOException("Cannot read a frame built in memory", e);
    }
  }

  /**
   * Marks the record released when it names {@code holder} live: for a run that finds the call
   * already committed, and holds no lease object of its own.
   *
   * @return whether it wrote the record
   */
  public boolean releaseHeldBy(String leaseKey, String holder) {
    Optional<State> current = read(leaseKey);
    if (current.isEmpty() || !current.get().holder().equals(holder) || current.get().released()) {
      return false;
    }
    try {
      store.put(leaseKey, record(holder, true, current.get().processes()), current.get().version());
      return true;
    } catch (VersionConflictException e) {
      return false; // written meanwhile: by its holder (who releases it) or a new holder
    }
  }

  /** Reads the lease of an entry, if any. */
  public Optional<State> read(String leaseKey) {
    Optional<StoredBlob> blob = store.get(leaseKey);
    if (blob.isEmpty()) {
      return Optional.empty();
    }
    try (StoredBlob b = blob.get()) {
      Map<String, Object> json = Json.parseObject(new String(b.stream().readAllBytes(), StandardCharsets.UTF_8));
      List<HolderProcess> processes = new ArrayList<>();
      if (json.get("processes") instanceof List<?> list) {
        list.forEach(p -> HolderProcess.fromJson(p).ifPresent(processes::add));
      }
      return Optional.of(new State(String.valueOf(json.get("holder")), String.valueOf(json.get("host")),
          json.get("pid") instanceof Long l ? l : -1, json.get("expiresAt") instanceof Long e ? e : 0,
          Boolean.TRUE.equals(json.get("released")), b.version(), List.copyOf(processes)));
    } catch (IOException e) {
      throw new UncheckedIOException("reading lease " + store.uri(leaseKey), e);
    } catch (IllegalArgumentException e) {
      // A damaged lease must not block the call forever: treat it as released, so a conditional
      // takeover replaces it.
      log.warn("Lease {} is not valid JSON ({}); treating it as released", store.uri(leaseKey), e.getMessage());
      return Optional.of(new State("?", "?", -1, 0, true, blob.get().version(), List.of()));
    }
  }

  /**
   * Takes the lease when it is free, released or expired.
   *
   * @return the held lease (renewed in the background until {@link Lease#release()}), or empty
   *     when another holder has it live
   */
  public Optional<Lease> tryAcquire(String leaseKey) {
    String holder = UUID.randomUUID().toString();
    long writing = System.nanoTime();
    Optional<String> created = store.putIfAbsent(leaseKey, record(holder, false, List.of()));
    if (created.isPresent()) {
      Lease lease = start(leaseKey, holder, created.get(), writing);
      lease.created = true;
      lease.createdVersion = created.get();
      return Optional.of(lease);
    }
    Optional<State> current = read(leaseKey);
    if (current.isEmpty()) {
      return tryAcquire(leaseKey); // released by deletion between our two requests
    }
    if (current.get().live(clock.instant())) {
      return Optional.empty();
    }
    try {
      long takeover = System.nanoTime();
      String version = store.put(leaseKey, record(holder, false, List.of()), current.get().version());
      State old = current.get();
      if (old.released() || old.expiresAtMillis() <= clock.millis()) {
        log.info("took over the {} lease of {} ({})", old.released() ? "released" : "expired", store.uri(leaseKey),
            old.holder());
      } else {
        log.warn("took over the abandoned lease of {} ({}) at once: its processes {} ran on this machine and are gone",
            store.uri(leaseKey), old.holder(), old.processes());
      }
      return Optional.of(start(leaseKey, holder, version, takeover));
    } catch (VersionConflictException e) {
      return Optional.empty(); // another contender won the takeover
    }
  }

  /**
   * Joins a lease that {@code holder} took elsewhere (the remote side of a call): renews it in the
   * background while its record still names that holder.
   *
   * @return the lease, or empty when the record names another holder, live or not (the call was
   *     taken over: the new holder's run, or the next caller's takeover of it, decides the call)
   */
  public Optional<Lease> join(String leaseKey, String holder) {
    Optional<State> current = read(leaseKey);
    if (current.isPresent() && !current.get().holder().equals(holder)) {
      // Not only a live one: a slow remote (a child JVM still starting) may join after the new
      // holder's own run committed and released, or after the new holder died in turn. Its look
      // for a result came before that commit, so joining a released or expired record of another
      // holder would run the call twice.
      return Optional.empty();
    }
    String version = current.map(State::version).orElse(null);
    Lease lease = new Lease(leaseKey, holder, version);
    current.filter(s -> s.holder().equals(holder)).ifPresent(s -> lease.adopt(s.processes()));
    // Renew at once, so the record names this process beside the caller's before a full period:
    // were the caller to die now, the lease must not look abandoned while this process runs.
    lease.renew();
    if (lease.lost()) {
      // Taken over between the read and that write (the caller died before this process had named
      // itself in the record): the new holder runs the call, so this process must not.
      return Optional.empty();
    }
    lease.renewal = scheduler.scheduleWithFixedDelay(lease::renew, renewEvery.toMillis(), renewEvery.toMillis(),
        TimeUnit.MILLISECONDS);
    return Optional.of(lease);
  }

  /**
   * Joins the lease its caller created, at the version the caller handed over in the invocation
   * ({@link Lease#handedRecord()}): one conditional write and no read. When it succeeds, the record
   * is the very one the caller created, so no other run has joined it, and since only a run that
   * joined commits, the entry holds no result of this lease: the run may skip its look for one
   * ({@link Lease#fresh()}). When the record changed (the caller renewed or released it, another
   * run joined, a new holder took it over), this falls back to {@link #join}.
   */
  public Optional<Lease> joinHanded(String leaseKey, String holder, HandedRecord handed) {
    Lease lease = new Lease(leaseKey, holder, handed.version());
    lease.adopt(handed.processes());
    try {
      long writing = System.nanoTime();
      lease.version = store.put(leaseKey, record(holder, false, lease.partners), handed.version());
      lease.writtenAtNanos = writing;
    } catch (VersionConflictException e) {
      return Optional.empty();
    }
    lease.fresh = true;
    lease.renewal = scheduler.scheduleWithFixedDelay(lease::renew, renewEvery.toMillis(), renewEvery.toMillis(),
        TimeUnit.MILLISECONDS);
    return Optional.of(lease);
  }

  /**
   * What a caller hands its run in the invocation about the lease record it created: its version
   * and the caller's processes, so the run can join with one conditional write ({@link
   * #joinHanded}).
   */
  public record HandedRecord(String version, List<HolderProcess> processes) {
    private static final String FIELD = "record";

    /** The record handed in an invocation's {@code call} section, if any. */
    public static Optional<HandedRecord> of(Map<String, ?> callSection) {
      if (callSection.get("lease") instanceof Map<?, ?> terms && terms.get(FIELD) instanceof Map<?, ?> record
          && record.get("version") instanceof String version && record.get("processes") instanceof List<?> list) {
        List<HolderProcess> processes = new ArrayList<>();
        list.forEach(p -> HolderProcess.fromJson(p).ifPresent(processes::add));
        return Optional.of(new HandedRecord(version, List.copyOf(processes)));
      }
      return Optional.empty();
    }

    /** Adds this record to the {@code lease} map of an invocation's {@code call} section. */
    public void addTo(Map<String, Object> callSection) {
      if (callSection.get("lease") instanceof Map<?, ?> terms) {
        Map<String, Object> record = new LinkedHashMap<>();
        record.put("version", version);
        record.put("processes", processes.stream().map(p -> (Object) p.toJson()).toList());
        @SuppressWarnings("unchecked")
        Map<String, Object> writable = (Map<String, Object>) terms;
        writable.put(FIELD, record);
      }
    }
  }

  private Lease start(String leaseKey, String holder, String version, long writtenAtNanos) {
    Lease lease = new Lease(leaseKey, holder, version);
    lease.writtenAtNanos = writtenAtNanos;
    HELD_HERE.put(holder, lease);
    lease.renewal = scheduler.scheduleWithFixedDelay(lease::renew, renewEvery.toMillis(), renewEvery.toMillis(), TimeUnit.MILLISECONDS);
    return lease;
  }

  private BlobContent record(String holder, boolean released, List<HolderProcess> partners) {
    Instant now = clock.instant();
    HolderProcess self = HolderProcess.current();
    List<Object> processes = new ArrayList<>();
    processes.add(self.toJson());
    partners.stream().filter(p -> !p.equals(self)).forEach(p -> processes.add(p.toJson()));
    Map<String, Object> json = new LinkedHashMap<>();
    json.put("holder", holder);
    json.put("host", self.host());
    json.put("pid", self.pid());
    json.put("processes", processes);
    json.put("renewedAt", now.toString());
    json.put("expiresAt", released ? 0L : now.plus(expiry).toEpochMilli());
    json.put("released", released);
    return BlobContent.of(Json.write(json).getBytes(StandardCharsets.UTF_8));
  }

  /** A held lease. Thread-safe. */
  public final class Lease {
    private final String key;
    private final String holder;
    private volatile String version;
    private volatile boolean lost;
    private volatile boolean released;
    private volatile ScheduledFuture<?> renewal;
    /** The other side's processes of this holder, learnt from the record. */
    private volatile List<HolderProcess> partners = List.of();
    /** {@link System#nanoTime()} before the last write of the record that succeeded. */
    private volatile long writtenAtNanos;
    /** Whether it was taken by creating the record: no lease, hence no run, existed on the entry before. */
    private volatile boolean created;
    /** The version its creation wrote, when it was taken by creating the record. */
    private volatile String createdVersion;
    /** Whether a run joined it by {@link Leases#joinHanded}: the record was still the caller's new one. */
    private volatile boolean fresh;
    /** The invocation frame its holder wrote, for a run in this JVM ({@link #handInvocation}). */
    private volatile byte[] handedInvocation;
    /** The result frame a run in this JVM committed under it ({@link #handResult}). */
    private volatile byte[] handedResult;
    /** Whether the holder launched a run under this lease ({@link #launched()}). */
    private volatile boolean launched;
    /** Whether a run in this JVM has used this lease already ({@link #claimLocalRun()}). */
    private final java.util.concurrent.atomic.AtomicBoolean localRun = new java.util.concurrent.atomic.AtomicBoolean();

    private Lease(String key, String holder, String version) {
      this.key = key;
      this.holder = holder;
      this.version = version;
    }

    /** The holder id, shared with the remote process. */
    public String holder() {
      return holder;
    }

    /** Remembers the processes a record of this holder names, so later writes keep naming them. */
    private synchronized void adopt(List<HolderProcess> processes) {
      List<HolderProcess> merged = new ArrayList<>(partners);
      processes.stream().filter(p -> !merged.contains(p) && !p.equals(HolderProcess.current())).forEach(merged::add);
      partners = List.copyOf(merged);
    }

    /** Whether a renewal found another holder in the record. */
    public boolean lost() {
      return lost;
    }

    private Leases owner() {
      return Leases.this;
    }

    /**
     * Whether this lease was taken by creating its record (no earlier lease on the entry): since
     * only a lease holder's run commits, the entry then holds no result or error of a run yet.
     */
    public boolean created() {
      return created;
    }

    /**
     * What to hand the run in the invocation ({@link HandedRecord}): the record's version while it
     * is still the one this lease created; empty once it was written again (renewed), or when the
     * lease was taken over rather than created.
     */
    public Optional<HandedRecord> handedRecord() {
      String v = version;
      if (!created || createdVersion == null || !createdVersion.equals(v) || released || lost) {
        return Optional.empty();
      }
      List<HolderProcess> processes = new ArrayList<>();
      processes.add(HolderProcess.current());
      processes.addAll(partners);
      return Optional.of(new HandedRecord(v, List.copyOf(processes)));
    }

    /** Whether this run joined the record its caller created, untouched ({@link Leases#joinHanded}). */
    public boolean fresh() {
      return fresh;
    }

    /**
     * Hands the invocation frame the holder wrote to a run in this JVM (the in-process shell), so
     * the run checks and decodes these very bytes instead of reading them back from the store.
     */
    public void handInvocation(byte[] frame) {
      handedInvocation = frame;
    }

    /** Whether its holder handed the invocation over in memory ({@link #handInvocation}). */
    public boolean handsOff() {
      return handedInvocation != null;
    }

    /** The invocation frame its holder wrote, while this JVM surely holds the lease. */
    public Optional<byte[]> handedInvocation() {
      return heldForSure() ? Optional.ofNullable(handedInvocation) : Optional.empty();
    }

    /**
     * Hands the result frame a run in this JVM committed (created: a write-once blob, so the store
     * holds exactly these bytes) to the holder, which then judges them as it would the stored blob.
     */
    public void handResult(byte[] frame) {
      handedResult = frame;
    }

    /** The result frame a run in this JVM committed under this lease, once; empty when none. */
    public Optional<byte[]> takeHandedResult() {
      byte[] frame = handedResult;
      handedResult = null;
      return Optional.ofNullable(frame);
    }

    /**
     * Claims the first run of this lease's call in this JVM: true once, for the run the holder
     * launched itself; a later run under the same lease (a shell's retry) gets false and checks the
     * store as any other run does.
     */
    public boolean claimLocalRun() {
      return localRun.compareAndSet(false, true);
    }

    /**
     * Notes that a run was launched under this lease. A run in another process joins the lease by
     * writing the record, so the version this side knows is then stale: the release reads the
     * record first instead of failing a write on the old version and reading after.
     */
    public void launched() {
      launched = true;
    }

    /**
     * Whether this process knows, without a request, that it still holds the lease: not released,
     * not lost, and its last successful write is younger than half the expiry (no one may take a
     * live lease over before it expires, and this JVM's renewals would have seen a takeover).
     * Only a lease taken in this JVM knows this (a joined one cannot see its caller's release);
     * when false, {@link #stillHeld()} asks the store.
     */
    public boolean heldForSure() {
      return HELD_HERE.get(holder) == this && !released && !lost
          && System.nanoTime() - writtenAtNanos < expiry.toNanos() / 2;
    }

    /** Whether the record still names this holder live (one read). */
    public boolean stillHeld() {
      Optional<State> s = read(key);
      return s.isEmpty() || s.get().holder().equals(holder) || !s.get().live(clock.instant());
    }

    synchronized void renew() {
      if (released || lost) {
        return;
      }
      try {
        long writing = System.nanoTime();
        String written = writeConditionally(false);
        if (written == null) {
          // The other side of the call released the record (the run, right after its commit; or
          // the caller, giving up): renewing it would bring a finished call's lease back to life.
          log.debug("lease {} was released by the other side of the call; renewal ends", store.uri(key));
          endRenewal();
          return;
        }
        version = written;
        writtenAtNanos = writing;
      } catch (VersionConflictException e) {
        lost = true;
        log.warn("lost the lease {}: another process took it over", store.uri(key));
      } catch (BlobStoreException | UncheckedIOException e) {
        // Retry soon rather than a whole period later: two missed periods would let the lease
        // lapse while the call still runs, and another process would rightly take it over.
        Duration soon = renewEvery.dividedBy(4);
        log.warn("could not renew the lease {} (retrying in {} ms): {}", store.uri(key), soon.toMillis(), e.getMessage());
        if (!scheduler.isShutdown()) {
          scheduler.schedule(this::renew, soon.toMillis(), TimeUnit.MILLISECONDS);
        }
      }
    }

    /**
     * Ends the renewal without writing: the other side of the call released the record (a run
     * releases it right after its commit), or will.
     */
    public synchronized void stop() {
      endRenewal();
    }

    private void endRenewal() {
      released = true;
      HELD_HERE.remove(holder, this);
      ScheduledFuture<?> r = renewal;
      if (r != null) {
        r.cancel(false);
      }
    }

    /**
     * Ends the renewal and marks the record released, unless someone else holds it now; a store
     * failure is logged (the record then expires by itself).
     */
    public synchronized void release() {
      if (released) {
        return;
      }
      try {
        releaseRecord(launched && !localRun.get());
      } catch (RuntimeException e) {
        log.warn("could not release the lease {} (it expires by itself): {}", store.uri(key), e.getMessage());
      }
    }

    /**
     * Releases the record for the run that holds it, right after its commit, letting a store
     * failure through so the run may retry: sent again after a lost answer, the write meets its
     * own record and writes it once more.
     */
    public synchronized void releaseAfterCommit() {
      releaseRecord(false);
    }

    private void releaseRecord(boolean readFirst) {
      endRenewal();
      if (lost) {
        return;
      }
      try {
        if (readFirst) {
          // A run in another process joined (and renewed) the record: take its version first.
          Optional<State> s = read(key);
          if (s.isPresent() && s.get().holder().equals(holder)) {
            if (s.get().released()) {
              return; // the run released it after its commit
            }
            version = s.get().version();
            adopt(s.get().processes());
          }
        }
        writeConditionally(true);
      } catch (VersionConflictException e) {
        log.debug("lease {} was taken over before release", store.uri(key));
      }
    }

    /**
     * Writes a new record conditioned on the version we know; when a partner holder (the other
     * side of the same call) wrote in between, adopt its version once and retry.
     *
     * @return the new version; null when a renewal found the record released by the partner
     *     (nothing written)
     */
    private String writeConditionally(boolean release) {
      for (int attempt = 0; ; attempt++) {
        try {
          return version == null
              ? store.putIfAbsent(key, record(holder, release, partners))
                  .orElseThrow(() -> new VersionConflictException(store.uri(key), "none"))
              : store.put(key, record(holder, release, partners), version);
        } catch (VersionConflictException e) {
          Optional<State> s = read(key);
          if (attempt >= 3 || s.isEmpty() || !s.get().holder().equals(holder)) {
            throw e;
          }
          if (s.get().released()) {
            if (release) {
              version = s.get().version();
              return version; // released already, by the other side of the call
            }
            return null; // renewing: the call ended on the other side
          }
          version = s.get().version();
          adopt(s.get().processes());
        }
      }
    }
  }
}
