package io.pureremote;

/**
 * An argument value has no canonical encoding, so no memo key can be computed for it. The message
 * names the value's type and its path, e.g. {@code args[1].features["x"]}.
 */
public final class ArgumentKeyException extends PureRemoteException {
  private static final long serialVersionUID = 1L;

  private final String path;
  private final String typeName;

  /** An argument at {@code path} of type {@code typeName} could not be encoded. */
  public ArgumentKeyException(String path, String typeName, String reason) {
    super("Cannot compute a memo key: " + typeName + " at " + path + " " + reason);
    this.path = path;
    this.typeName = typeName;
  }

  /** Path of the offending value, e.g. {@code args[0].items[3]}. */
  public String path() {
    return path;
  }

  /** Name of the offending value's type. */
  public String typeName() {
    return typeName;
  }
}
