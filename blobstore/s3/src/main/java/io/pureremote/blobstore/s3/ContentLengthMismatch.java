package io.pureremote.blobstore.s3;

/**
 * Content to upload did not yield the number of bytes it declared. Unchecked on purpose: the SDK
 * retries requests whose body fails with an {@link java.io.IOException}, and this is no transient
 * failure.
 */
final class ContentLengthMismatch extends IllegalStateException {
  private static final long serialVersionUID = 1L;

  ContentLengthMismatch(String message) {
    super(message);
  }
}
