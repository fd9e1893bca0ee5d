package io.pureremote.examples.wordstats;

import io.pureremote.PureRemote;
import java.util.List;
import java.util.Map;

/** Word statistics over a corpus: a pure function worth memoizing. */
public interface WordStats {

  /** A named set of documents. */
  record Corpus(String name, List<String> documents) {}

  /** What to count: words at least {@code minLength} long, top {@code top} of them. */
  record Settings(int minLength, int top) {}

  /** Per-corpus result: document and word totals, and the most frequent words. */
  record Summary(String corpus, int documents, long words, Map<String, Long> topWords) {}

  /** Counts words. Bump the version when the counting logic changes. */
  @PureRemote(version = "1")
  Summary summarize(Corpus corpus, Settings settings);
}
