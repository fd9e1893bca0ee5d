package io.pureremote.blobstore.s3;

import io.pureremote.BlobRef;
import io.pureremote.PureRemote;

/**
 * Pure functions for the end-to-end test: the size and SHA-256 of some content, read in different
 * ways. The remote side returns what it actually read, so the caller can check every byte arrived.
 */
public interface Fingerprints {
  /** How many bytes were read and their lowercase hex SHA-256. */
  record Fingerprint(long bytes, String sha256) {}

  /** The fingerprint of {@code text} in UTF-8: a small call for the miss-then-hit part. */
  @PureRemote(name = "s3-e2e-text", version = "1")
  Fingerprint ofText(String text);

  /** Reads the content through {@link BlobRef#path()} (downloaded once, hash-checked). */
  @PureRemote(name = "s3-e2e-path", version = "1")
  Fingerprint viaPath(BlobRef data);

  /** Reads the content through {@link BlobRef#open()} (streamed), {@code bufferSize} bytes at a time. */
  @PureRemote(name = "s3-e2e-stream", version = "1")
  Fingerprint viaStream(BlobRef data, int bufferSize);
}
