package io.pureremote.internal;

import io.pureremote.BlobStoreException;
import io.pureremote.spi.BlobContent;
import io.pureremote.spi.BlobStore;
import io.pureremote.spi.StoredBlob;
import io.pureremote.spi.VersionConflictException;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
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
 */
public final class Leases {
  private static final Logger log = LoggerFactory.getLogger(Leases.class);

  /** Name of the lease blob inside a memo entry. */
  public static final String LEASE = "lease";

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

  /** A lease record as stored. */
  public record State(String holder, String host, long pid, long expiresAtMillis, boolean released, String version) {
    /** Whether someone holds it now. */
    boolean live(Instant now) {
      return !released && expiresAtMillis > now.toEpochMilli();
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
      return Optional.of(new State(String.valueOf(json.get("holder")), String.valueOf(json.get("host")),
          json.get("pid") instanceof Long l ? l : -1, json.get("expiresAt") instanceof Long e ? e : 0,
          Boolean.TRUE.equals(json.get("released")), b.version()));
    } catch (IOException e) {
      throw new UncheckedIOException("reading lease " + store.uri(leaseKey), e);
    } catch (IllegalArgumentException e) {
      // A damaged lease must not block the call forever: treat it as released, so a conditional
      // takeover replaces it.
      log.warn("Lease {} is not valid JSON ({}); treating it as released", store.uri(leaseKey), e.getMessage());
      return Optional.of(new State("?", "?", -1, 0, true, blob.get().version()));
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
    Optional<String> created = store.putIfAbsent(leaseKey, record(holder, false));
    if (created.isPresent()) {
      return Optional.of(start(leaseKey, holder, created.get()));
    }
    Optional<State> current = read(leaseKey);
    if (current.isEmpty()) {
      return tryAcquire(leaseKey); // released by deletion between our two requests
    }
    if (current.get().live(clock.instant())) {
      return Optional.empty();
    }
    try {
      String version = store.put(leaseKey, record(holder, false), current.get().version());
      log.info("took over the {} lease of {} ({})", current.get().released() ? "released" : "expired",
          store.uri(leaseKey), current.get().holder());
      return Optional.of(start(leaseKey, holder, version));
    } catch (VersionConflictException e) {
      return Optional.empty(); // another contender won the takeover
    }
  }

  /**
   * Joins a lease that {@code holder} took elsewhere (the remote side of a call): renews it in the
   * background while its record still names that holder.
   *
   * @return the lease, or empty when the record names another live holder (the call was taken over)
   */
  public Optional<Lease> join(String leaseKey, String holder) {
    Optional<State> current = read(leaseKey);
    if (current.isPresent() && !current.get().holder().equals(holder) && current.get().live(clock.instant())) {
      return Optional.empty();
    }
    String version = current.map(State::version).orElse(null);
    return Optional.of(start(leaseKey, holder, version));
  }

  private Lease start(String leaseKey, String holder, String version) {
    Lease lease = new Lease(leaseKey, holder, version);
    lease.renewal = scheduler.scheduleWithFixedDelay(lease::renew, renewEvery.toMillis(), renewEvery.toMillis(), TimeUnit.MILLISECONDS);
    return lease;
  }

  private BlobContent record(String holder, boolean released) {
    Instant now = clock.instant();
    Map<String, Object> json = new LinkedHashMap<>();
    json.put("holder", holder);
    json.put("host", CallMetadata.host());
    json.put("pid", CallMetadata.pid());
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

    private Lease(String key, String holder, String version) {
      this.key = key;
      this.holder = holder;
      this.version = version;
    }

    /** The holder id, shared with the remote process. */
    public String holder() {
      return holder;
    }

    /** Whether a renewal found another holder in the record. */
    public boolean lost() {
      return lost;
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
        version = writeConditionally(false);
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

    /** Ends the renewal without releasing: the other side of the call releases after reading. */
    public synchronized void stop() {
      released = true;
      ScheduledFuture<?> r = renewal;
      if (r != null) {
        r.cancel(false);
      }
    }

    /** Ends the renewal and marks the record released, unless someone else holds it now. */
    public synchronized void release() {
      if (released) {
        return;
      }
      released = true;
      ScheduledFuture<?> r = renewal;
      if (r != null) {
        r.cancel(false);
      }
      if (lost) {
        return;
      }
      try {
        writeConditionally(true);
      } catch (VersionConflictException e) {
        log.debug("lease {} was taken over before release", store.uri(key));
      } catch (RuntimeException e) {
        log.warn("could not release the lease {} (it expires by itself): {}", store.uri(key), e.getMessage());
      }
    }

    /**
     * Writes a new record conditioned on the version we know; when a partner holder (the other
     * side of the same call) wrote in between, adopt its version once and retry.
     */
    private String writeConditionally(boolean release) {
      for (int attempt = 0; ; attempt++) {
        try {
          return version == null
              ? store.putIfAbsent(key, record(holder, release)).orElseThrow(() -> new VersionConflictException(store.uri(key), "none"))
              : store.put(key, record(holder, release), version);
        } catch (VersionConflictException e) {
          Optional<State> s = read(key);
          if (attempt >= 3 || s.isEmpty() || !s.get().holder().equals(holder)) {
            throw e;
          }
          version = s.get().version();
        }
      }
    }
  }
}
