package io.pureremote.blobstore.adls;

import io.pureremote.PureRemote;
import java.util.List;

/** A small pure function for the end-to-end test; its payload types live in this package. */
public interface WordStats {
  /** Counts and total length of the words. */
  record Summary(int words, int letters) {}

  @PureRemote(version = "1")
  Summary summarize(List<String> words);
}
