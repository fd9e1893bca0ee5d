package io.pureremote;

import java.time.Duration;
import java.util.Objects;

/**
 * Timing of the per-call leases that make a call run once even when several processes ask for it
 * at the same time. Immutable; build with {@link #builder()}.
 *
 * <p>A caller that misses the memo takes the call's lease with a conditional create before
 * launching; the lease names its holder and an expiry, and is renewed (by the caller while it
 * waits and by the remote process while it runs) every {@link #renewEvery()}. Another caller that
 * finds a live lease does not launch: it polls the one result object with back-off between {@link
 * #pollInitial()} and {@link #pollMax()}, and takes the call over only after the lease expires.
 *
 * @param expiry how long a lease lives without renewal
 * @param renewEvery how often holders renew; less than {@code expiry}
 * @param pollInitial first wait between result checks while another process holds the lease
 * @param pollMax longest wait between result checks
 */
public record LeaseOptions(Duration expiry, Duration renewEvery, Duration pollInitial, Duration pollMax) {

  /** 90 s expiry, renewed every 45 s; polling from 0.5 s up to 15 s. */
  public static final LeaseOptions DEFAULTS =
      new LeaseOptions(Duration.ofSeconds(90), Duration.ofSeconds(45), Duration.ofMillis(500), Duration.ofSeconds(15));

  /** Validates the values. */
  public LeaseOptions {
    Objects.requireNonNull(expiry, "expiry");
    Objects.requireNonNull(renewEvery, "renewEvery");
    Objects.requireNonNull(pollInitial, "pollInitial");
    Objects.requireNonNull(pollMax, "pollMax");
    if (expiry.compareTo(Duration.ofMillis(100)) < 0) {
      throw new IllegalArgumentException("lease expiry must be >= 100 ms, got " + expiry);
    }
    if (renewEvery.isNegative() || renewEvery.isZero() || renewEvery.compareTo(expiry) >= 0) {
      throw new IllegalArgumentException("lease renewEvery must be > 0 and < expiry (" + expiry + "), got " + renewEvery);
    }
    if (pollInitial.isNegative() || pollInitial.isZero() || pollMax.compareTo(pollInitial) < 0) {
      throw new IllegalArgumentException("lease polling needs 0 < pollInitial <= pollMax, got " + pollInitial + " and " + pollMax);
    }
  }

  /** A builder starting from {@link #DEFAULTS}. */
  public static Builder builder() {
    return new Builder(DEFAULTS);
  }

  /** A builder starting from these values. */
  public Builder toBuilder() {
    return new Builder(this);
  }

  /** Builder for {@link LeaseOptions}; not thread-safe. */
  public static final class Builder {
    private Duration expiry;
    private Duration renewEvery;
    private Duration pollInitial;
    private Duration pollMax;

    private Builder(LeaseOptions from) {
      expiry = from.expiry;
      renewEvery = from.renewEvery;
      pollInitial = from.pollInitial;
      pollMax = from.pollMax;
    }

    /** Lease lifetime without renewal. Defaults to 90 s; also sets renewEvery to half of it. */
    public Builder expiry(Duration expiry) {
      this.expiry = expiry;
      this.renewEvery = expiry.dividedBy(2);
      return this;
    }

    /** Renewal interval. Defaults to half the expiry. */
    public Builder renewEvery(Duration renewEvery) {
      this.renewEvery = renewEvery;
      return this;
    }

    /** First poll interval while waiting on another holder. Defaults to 0.5 s. */
    public Builder pollInitial(Duration pollInitial) {
      this.pollInitial = pollInitial;
      return this;
    }

    /** Longest poll interval. Defaults to 15 s. */
    public Builder pollMax(Duration pollMax) {
      this.pollMax = pollMax;
      return this;
    }

    /** Builds the options; throws {@link IllegalArgumentException} on invalid values. */
    public LeaseOptions build() {
      return new LeaseOptions(expiry, renewEvery, pollInitial, pollMax);
    }
  }
}
