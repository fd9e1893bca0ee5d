package io.pureremote;

/**
 * A stored blob is not what Pure Remote wrote: wrong magic bytes, an unknown format version, a
 * truncated payload, or a checksum mismatch. Nothing is deleted; the message says what to do.
 */
public final class CorruptBlobException extends BlobStoreException {
  private static final long serialVersionUID = 1L;

  /** A corrupt or unreadable blob at {@code uri}. */
  public CorruptBlobException(String uri, String message) {
    super(uri, message, null, false);
  }
}
