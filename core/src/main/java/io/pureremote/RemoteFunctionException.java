package io.pureremote;

import java.util.Objects;

/**
 * The user function threw. Carries the remote exception's class name, message and full stack
 * trace text (including causes). Its {@link #getCause() cause} is the remote exception rebuilt
 * with its remote stack trace, its whole cause chain and its suppressed exceptions: each of the
 * original class where that class is loadable here (with a {@code (String)} or no-arg
 * constructor), otherwise a {@link RemoteCause} that names the original class. So {@code catch}
 * logic can inspect the chain the way it would locally.
 *
 * <p>Thrown from a synchronous call, this exception's own stack trace is the caller's: the frames
 * of the thread that called the proxied method, down to the call site, as Temporal and Retrofit do.
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

  /** A copy made on the calling thread, so its stack trace shows where the caller called. */
  RemoteFunctionException rethrownHere() {
    RemoteFunctionException copy = new RemoteFunctionException(function, remoteClassName, remoteMessage,
        remoteStackTrace, memoUri, getCause());
    for (Throwable s : getSuppressed()) {
      copy.addSuppressed(s);
    }
    return copy;
  }

  /**
   * Stands in for a remote exception (or one of its causes or suppressed exceptions) whose class is
   * not loadable here, or cannot be rebuilt: it carries the original class name and message and
   * the remote stack trace, and prints as the original would ({@code com.acme.RateLimited: ...}).
   */
  public static final class RemoteCause extends RuntimeException {
    private static final long serialVersionUID = 1L;

    private final String remoteClassName;

    /** Built by the library from a stored error record. */
    public RemoteCause(String remoteClassName, String message) {
      super(message);
      this.remoteClassName = Objects.requireNonNull(remoteClassName);
    }

    /** Fully qualified class name of the remote exception this stands in for. */
    public String remoteClassName() {
      return remoteClassName;
    }

    @Override
    public String toString() {
      return getMessage() == null ? remoteClassName : remoteClassName + ": " + getMessage();
    }
  }
}
