package io.pureremote;

import java.util.OptionalInt;

/**
 * The process or Job that should have run a call failed without committing a result or an error:
 * it could not start, crashed, was killed, or ended without writing anything. The {@link #reason()}
 * is machine-readable (e.g. {@code Exited}, {@code OOMKilled}, {@code DeadlineExceeded}).
 */
public class ShellException extends PureRemoteException {
  private static final long serialVersionUID = 1L;

  private final String reason;
  private final Integer exitCode;
  private final boolean retryable;

  /** A failure with a reason, an optional exit code and a human message. */
  public ShellException(String reason, Integer exitCode, String message, boolean retryable) {
    super(message);
    this.reason = reason;
    this.exitCode = exitCode;
    this.retryable = retryable;
  }

  /** A failure caused by another exception. */
  public ShellException(String reason, String message, Throwable cause) {
    super(message, cause);
    this.reason = reason;
    this.exitCode = null;
    this.retryable = false;
  }

  /** Machine-readable reason, e.g. {@code Exited}, {@code LaunchFailed}, {@code OOMKilled}. */
  public String reason() {
    return reason;
  }

  /** The process exit code, when there was one. */
  public OptionalInt exitCode() {
    return exitCode == null ? OptionalInt.empty() : OptionalInt.of(exitCode);
  }

  @Override
  public boolean isRetryable() {
    return retryable;
  }
}
