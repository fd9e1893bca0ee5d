package io.pureremote;

import java.util.Objects;

/**
 * The user function threw. Carries the remote exception's class name, message and full stack
 * trace text (including causes). When the remote exception class is loadable here, it is rebuilt
 * and attached as this exception's {@link #getCause() cause}, so {@code catch} logic can inspect it.
 */
public final class RemoteFunctionException extends PureRemoteException {
  private static final long serialVersionUID = 1L;

  private final String function;
  private final String remoteClassName;
  private final String remoteMessage;
  private final String remoteStackTrace;
  private final String memoUri;

  /** Built by the library from a stored error record. */
  public RemoteFunctionException(
      String function,
      String remoteClassName,
      String remoteMessage,
      String remoteStackTrace,
      String memoUri,
      Throwable original) {
    super(
        "Remote function "
            + function
            + " threw "
            + remoteClassName
            + (remoteMessage == null ? "" : ": " + remoteMessage)
            + "\n    memo: "
            + memoUri,
        original);
    this.function = Objects.requireNonNull(function);
    this.remoteClassName = Objects.requireNonNull(remoteClassName);
    this.remoteMessage = remoteMessage;
    this.remoteStackTrace = Objects.requireNonNull(remoteStackTrace);
    this.memoUri = Objects.requireNonNull(memoUri);
  }

  /** The function that threw, as {@code name@version}. */
  public String function() {
    return function;
  }

  /** Fully qualified class name of the exception thrown remotely. */
  public String remoteClassName() {
    return remoteClassName;
  }

  /** The remote exception's message, or {@code null}. */
  public String remoteMessage() {
    return remoteMessage;
  }

  /** The remote exception's stack trace as printed by {@link Throwable#printStackTrace()}. */
  public String remoteStackTrace() {
    return remoteStackTrace;
  }

  /** The memo entry that holds the error record. */
  public String memoUri() {
    return memoUri;
  }
}
