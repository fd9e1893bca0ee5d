package io.pureremote;

/**
 * A value could not be serialized or deserialized: a class outside the allowlist, a class missing
 * on the reading side, or a payload the serializer rejects.
 */
public final class SerializationException extends PureRemoteException {
  private static final long serialVersionUID = 1L;

  /** A failure with a message that names the class and what to do. */
  public SerializationException(String message, Throwable cause) {
    super(message, cause);
  }
}
