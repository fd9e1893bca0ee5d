package io.pureremote;

import java.time.Duration;

/** A call did not finish within its {@link CallOptions#timeout()}; the launch was cancelled. */
public final class RemoteTimeoutException extends PureRemoteException {
  private static final long serialVersionUID = 1L;

  private final Duration timeout;

  /** {@code what} did not finish within {@code timeout}. */
  public RemoteTimeoutException(String what, Duration timeout) {
    super(what + " did not finish within " + timeout + "; the launch was cancelled");
    this.timeout = timeout;
  }

  /** The timeout that expired. */
  public Duration timeout() {
    return timeout;
  }
}
