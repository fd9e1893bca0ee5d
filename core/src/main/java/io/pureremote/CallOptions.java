package io.pureremote;

import java.time.Duration;
import java.util.Objects;

/**
 * Per-call behaviour that is not identity: how long to wait and what to do with stored errors.
 * Immutable; build with {@link #builder()}. Set runtime-wide defaults with {@link
 * RemoteRuntime.Builder#defaults(CallOptions)} and per-function overrides with {@link
 * RemoteRuntime.Builder#function(String, CallOptions)}.
 *
 * @param timeout longest wait for one call, from launch to result; {@link Duration#ZERO} means no
 *     limit
 * @param exceptionPolicy what to do when the memo holds an error
 */
public record CallOptions(Duration timeout, ExceptionPolicy exceptionPolicy) {

  /** The built-in defaults: no timeout, {@link ExceptionPolicy#RERUN}. */
  public static final CallOptions DEFAULTS = new CallOptions(Duration.ZERO, ExceptionPolicy.RERUN);

  /** Validates the values. */
  public CallOptions {
    Objects.requireNonNull(timeout, "timeout");
    Objects.requireNonNull(exceptionPolicy, "exceptionPolicy");
    if (timeout.isNegative()) {
      throw new IllegalArgumentException("timeout must be >= 0 (0 = no limit), got " + timeout);
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

  /** Whether a timeout is set. */
  public boolean hasTimeout() {
    return !timeout.isZero();
  }

  /** Builder for {@link CallOptions}; not thread-safe. */
  public static final class Builder {
    private Duration timeout;
    private ExceptionPolicy exceptionPolicy;

    private Builder(CallOptions from) {
      this.timeout = from.timeout;
      this.exceptionPolicy = from.exceptionPolicy;
    }

    /** Longest wait for one call from launch to result. Defaults to no limit ({@code ZERO}). */
    public Builder timeout(Duration timeout) {
      this.timeout = Objects.requireNonNull(timeout, "timeout");
      return this;
    }

    /** What to do with a stored error. Defaults to {@link ExceptionPolicy#RERUN}. */
    public Builder exceptionPolicy(ExceptionPolicy exceptionPolicy) {
      this.exceptionPolicy = Objects.requireNonNull(exceptionPolicy, "exceptionPolicy");
      return this;
    }

    /** Builds the options; throws {@link IllegalArgumentException} on invalid values. */
    public CallOptions build() {
      return new CallOptions(timeout, exceptionPolicy);
    }
  }
}
