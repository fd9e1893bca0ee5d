package io.pureremote;

import java.time.Duration;
import java.util.Objects;

/**
 * Per-call behaviour that is not identity: how long to wait and what to do with stored errors.
 * Immutable; build with {@link #builder()} (each setter checks its value, so a mistake points at
 * the line that made it). Set runtime-wide defaults with {@link
 * RemoteRuntime.Builder#defaults(CallOptions)} and per-function overrides with {@link
 * RemoteRuntime.Builder#function(String, CallOptions)}.
 */
public final class CallOptions {

  /** The built-in defaults: no timeout, {@link ExceptionPolicy#RERUN}. */
  public static final CallOptions DEFAULTS = new CallOptions(Duration.ZERO, ExceptionPolicy.RERUN, false);

  private final Duration timeout;
  private final ExceptionPolicy exceptionPolicy;
  private final boolean recompute;

  private CallOptions(Duration timeout, ExceptionPolicy exceptionPolicy, boolean recompute) {
    this.timeout = timeout;
    this.exceptionPolicy = exceptionPolicy;
    this.recompute = recompute;
  }

  /** A builder starting from {@link #DEFAULTS}. */
  public static Builder builder() {
    return new Builder(DEFAULTS);
  }

  /** A builder starting from these values. */
  public Builder toBuilder() {
    return new Builder(this);
  }

  /** Longest wait for one call, from launch to result; {@link Duration#ZERO} means no limit. */
  public Duration timeout() {
    return timeout;
  }

  /** What to do when the memo holds an error. */
  public ExceptionPolicy exceptionPolicy() {
    return exceptionPolicy;
  }

  /**
   * Whether calls ignore a stored result (and error) and run again: the old result is set aside
   * under {@code <entry>/aside/} (kind {@code recomputed}), the new one committed. Each distinct
   * call is recomputed once per runtime; later equal calls hit the new result.
   */
  public boolean recompute() {
    return recompute;
  }

  /** Whether a timeout is set. */
  public boolean hasTimeout() {
    return !timeout.isZero();
  }

  @Override
  public boolean equals(Object o) {
    return o instanceof CallOptions other && timeout.equals(other.timeout) && exceptionPolicy == other.exceptionPolicy
        && recompute == other.recompute;
  }

  @Override
  public int hashCode() {
    return Objects.hash(timeout, exceptionPolicy, recompute);
  }

  @Override
  public String toString() {
    return "CallOptions[timeout=" + timeout + ", exceptionPolicy=" + exceptionPolicy
        + (recompute ? ", recompute" : "") + "]";
  }

  /** Builder for {@link CallOptions}; not thread-safe. */
  public static final class Builder {
    private Duration timeout;
    private ExceptionPolicy exceptionPolicy;
    private boolean recompute;

    private Builder(CallOptions from) {
      this.timeout = from.timeout;
      this.exceptionPolicy = from.exceptionPolicy;
      this.recompute = from.recompute;
    }

    /**
     * Longest wait for one call from launch to result. Defaults to no limit ({@code ZERO}).
     *
     * @throws IllegalArgumentException when negative
     */
    public Builder timeout(Duration timeout) {
      Objects.requireNonNull(timeout, "timeout");
      if (timeout.isNegative()) {
        throw new IllegalArgumentException("timeout must be >= 0, got " + timeout + " (0: no limit)");
      }
      this.timeout = timeout;
      return this;
    }

    /** What to do with a stored error. Defaults to {@link ExceptionPolicy#RERUN}. */
    public Builder exceptionPolicy(ExceptionPolicy exceptionPolicy) {
      this.exceptionPolicy = Objects.requireNonNull(exceptionPolicy, "exceptionPolicy");
      return this;
    }

    /**
     * Run calls again even when a result is stored ({@link CallOptions#recompute()}). Defaults to
     * false. For a whole program without a code change: {@code -Dpureremote.recompute=all}, or a
     * comma-separated list of function names ({@code name} or {@code name@version}).
     */
    public Builder recompute(boolean recompute) {
      this.recompute = recompute;
      return this;
    }

    /** The options. */
    public CallOptions build() {
      return new CallOptions(timeout, exceptionPolicy, recompute);
    }
  }

  /** What a call does when the memo holds an error from an earlier run of the same call. */
  public enum ExceptionPolicy {
    /**
     * Ignore a stored error and run the function again (the default): failures are often caused by
     * the environment (data not yet there, a flaky dependency) rather than by the arguments.
     */
    RERUN,
    /**
     * Treat a stored error as the memoized outcome: rethrow it without running the function. Use it
     * for functions whose failures are deterministic and expensive to reproduce.
     */
    MEMOIZE
  }
}
