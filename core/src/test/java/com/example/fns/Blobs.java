package com.example.fns;

import io.pureremote.BlobRef;
import io.pureremote.PureRemote;

/** Test functions over large content passed by reference. */
@PureRemote
public interface Blobs {
  /** Reads the content through path() and returns "size:firstByte:lastByte". */
  String describe(BlobRef data);

  /** Reads the content through open(); a different function over the same content. */
  long countBytes(BlobRef data);

  /** Returns new content: the input repeated twice. */
  BlobRef doubled(BlobRef data);
}
