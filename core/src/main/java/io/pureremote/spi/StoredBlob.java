package io.pureremote.spi;

import java.io.InputStream;

/**
 * A blob opened for reading: its stream, size and version (an ETag or equivalent used for
 * compare-and-swap writes). Close it to release the stream.
 */
public interface StoredBlob extends AutoCloseable {
  /** The blob's bytes; read it once. */
  InputStream stream();

  /** Size in bytes. */
  long size();

  /** Opaque version of this blob, for {@link BlobStore#put(String, BlobContent, String)}. */
  String version();

  @Override
  void close();
}
