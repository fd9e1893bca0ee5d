package io.pureremote;

/**
 * Base of every exception Pure Remote throws for a failed call. Subclasses say where it failed:
 * {@link RemoteFunctionException} (the user function threw), {@link ShellException} (the process or
 * Job failed), {@link BlobStoreException} (storage), {@link SerializationException} (payloads),
 * {@link ArgumentKeyException} (an argument cannot be keyed), {@link RemoteTimeoutException}.
 */
public class PureRemoteException extends RuntimeException {
  private static final long serialVersionUID = 1L;

  /** An exception with a message. */
  public PureRemoteException(String message) {
    super(message);
  }

  /** An exception with a message and a cause. */
  public PureRemoteException(String message, Throwable cause) {
    super(message, cause);
  }

  /**
   * Whether retrying the same call may succeed. Infrastructure failures that are transient say
   * {@code true}; a user function's own exception and bad input say {@code false}.
   */
  public boolean isRetryable() {
    return false;
  }
}
