package io.pureremote.spi;

import io.pureremote.BlobStoreException;

/**
 * A conditional write found a different version (or no blob) than expected: someone else wrote
 * first. Callers decide what that means (a lost lease, a lost race); it is not retried.
 */
public final class VersionConflictException extends BlobStoreException {
  private static final long serialVersionUID = 1L;

  /** The blob at {@code uri} was not at {@code expectedVersion}. */
  public VersionConflictException(String uri, String expectedVersion) {
    super(uri, "Blob is no longer at version " + expectedVersion + " (written by someone else)", null, false);
  }
}
