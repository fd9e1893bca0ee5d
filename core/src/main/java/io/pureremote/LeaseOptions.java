package io.pureremote;

import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Objects;

/**
 * Timing of the per-call leases that make a call run once even when several processes ask for it
 * at the same time. Immutable; build with {@link #builder()}: each setter checks its own value,
 * {@link Builder#build()} the relations between them, naming every problem at once.
 *
 * <p>A caller that misses the memo takes the call's lease with a conditional create before
 * launching; the lease names its holder and an expiry, and is renewed (by the caller while it
 * waits and by the remote process while it runs) every {@link #renewEvery()}. Another caller that
 * finds a live lease does not launch: it polls the one result object with back-off between {@link
 * #pollInitial()} and {@link #pollMax()}, and takes the call over only after the lease expires.
 */
public final class LeaseOptions {
  private static final Duration MIN_EXPIRY = Duration.ofMillis(100);

  /** 90 s expiry, renewed every 45 s; polling from 0.5 s up to 15 s. */
  public static final LeaseOptions DEFAULTS =
      new LeaseOptions(Duration.ofSeconds(90), Duration.ofSeconds(45), Duration.ofMillis(500), Duration.ofSeconds(15));

  private final Duration expiry;
  private final Duration renewEvery;
  private final Duration pollInitial;
  private final Duration pollMax;

  private LeaseOptions(Duration expiry, Duration renewEvery, Duration pollInitial, Duration pollMax) {
    this.expiry = expiry;
    this.renewEvery = renewEvery;
    this.pollInitial = pollInitial;
    this.pollMax = pollMax;
  }

  /** A builder starting from {@link #DEFAULTS}. */
  public static Builder builder() {
    return new Builder(DEFAULTS);
  }

  /** A builder starting from these values. */
  public Builder toBuilder() {
    return new Builder(this);
  }

  /** How long a lease lives without renewal. */
  public Duration expiry() {
    return expiry;
  }

  /** How often holders renew; less than {@link #expiry()}. */
  public Duration renewEvery() {
    return renewEvery;
  }

  /** First wait between result checks while another process holds the lease. */
  public Duration pollInitial() {
    return pollInitial;
  }

  /** Longest wait between result checks. */
  public Duration pollMax() {
    return pollMax;
  }

  @Override
  public boolean equals(Object o) {
    return o instanceof LeaseOptions other && expiry.equals(other.expiry) && renewEvery.equals(other.renewEvery)
        && pollInitial.equals(other.pollInitial) && pollMax.equals(other.pollMax);
  }

  @Override
  public int hashCode() {
    return Objects.hash(expiry, renewEvery, pollInitial, pollMax);
  }

  @Override
  public String toString() {
    return "LeaseOptions[expiry=" + expiry + ", renewEvery=" + renewEvery + ", pollInitial=" + pollInitial
        + ", pollMax=" + pollMax + "]";
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

    /**
     * Lease lifetime without renewal. Defaults to 90 s; also sets renewEvery to half of it.
     *
     * @throws IllegalArgumentException when shorter than 100 ms
     */
    public Builder expiry(Duration expiry) {
      Objects.requireNonNull(expiry, "expiry");
      if (expiry.compareTo(MIN_EXPIRY) < 0) {
        throw new IllegalArgumentException("lease expiry must be >= 100 ms, got " + expiry);
      }
      this.expiry = expiry;
      this.renewEvery = expiry.dividedBy(2);
      return this;
    }

    /**
     * Renewal interval, less than the expiry (checked at {@link #build()}). Defaults to half the expiry.
     *
     * @throws IllegalArgumentException when not positive
     */
    public Builder renewEvery(Duration renewEvery) {
      this.renewEvery = positive("renewEvery", renewEvery);
      return this;
    }

    /**
     * First poll interval while waiting on another holder, at most pollMax (checked at {@link
     * #build()}). Defaults to 0.5 s.
     *
     * @throws IllegalArgumentException when not positive
     */
    public Builder pollInitial(Duration pollInitial) {
      this.pollInitial = positive("pollInitial", pollInitial);
      return this;
    }

    /**
     * Longest poll interval. Defaults to 15 s.
     *
     * @throws IllegalArgumentException when not positive
     */
    public Builder pollMax(Duration pollMax) {
      this.pollMax = positive("pollMax", pollMax);
      return this;
    }

    /**
     * The options.
     *
     * @throws IllegalArgumentException naming every relation that does not hold (renewEvery &lt;
     *     expiry, pollInitial &lt;= pollMax)
     */
    public LeaseOptions build() {
      List<String> problems = new ArrayList<>();
      if (renewEvery.compareTo(expiry) >= 0) {
        problems.add("lease renewEvery must be > 0 and < expiry (" + expiry + "), got " + renewEvery);
      }
      if (pollMax.compareTo(pollInitial) < 0) {
        problems.add("lease polling needs 0 < pollInitial <= pollMax, got " + pollInitial + " and " + pollMax);
      }
      if (!problems.isEmpty()) {
        throw new IllegalArgumentException(String.join("; ", problems));
      }
      return new LeaseOptions(expiry, renewEvery, pollInitial, pollMax);
    }

    private static Duration positive(String name, Duration value) {
      Objects.requireNonNull(value, name);
      if (value.isNegative() || value.isZero()) {
        throw new IllegalArgumentException("lease " + name + " must be > 0, got " + value);
      }
      return value;
    }
  }
}
