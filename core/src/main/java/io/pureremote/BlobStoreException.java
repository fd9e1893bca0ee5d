package io.pureremote;

/**
 * A blob store operation failed. The message names the URI and the cause. {@link #isRetryable()}
 * tells transient failures (already retried inside the store, then given up) from permanent ones
 * (no permission, missing bucket).
 */
public class BlobStoreException extends PureRemoteException {
  private static final long serialVersionUID = 1L;

  private final String uri;
  private final boolean retryable;

  /** A failure of an operation on {@code uri}. */
  public BlobStoreException(String uri, String message, Throwable cause, boolean retryable) {
    super(message + " [" + uri + "]", cause);
    this.uri = uri;
    this.retryable = retryable;
  }

  /** The blob or prefix the failed operation addressed. */
  public String uri() {
    return uri;
  }

  @Override
  public boolean isRetryable() {
    return retryable;
  }
}
