package io.pureremote.examples.wordstats;

import java.util.Comparator;
import java.util.LinkedHashMap;
import java.util.Locale;
import java.util.Map;
import java.util.TreeMap;

/** The implementation the remote side instantiates; it must have a no-arg constructor. */
public final class WordStatsImpl implements WordStats {
  @Override
  public Summary summarize(Corpus corpus, Settings settings) {
    Map<String, Long> counts = new TreeMap<>();
    long words = 0;
    for (String doc : corpus.documents()) {
      for (String word : doc.toLowerCase(Locale.ROOT).split("[^\\p{L}']+")) {
        if (word.length() >= settings.minLength()) {
          counts.merge(word, 1L, Long::sum);
          words++;
        }
      }
    }
    Map<String, Long> top = new LinkedHashMap<>();
    counts.entrySet().stream()
        .sorted(Map.Entry.<String, Long>comparingByValue(Comparator.reverseOrder()).thenComparing(Map.Entry.comparingByKey()))
        .limit(settings.top())
        .forEach(e -> top.put(e.getKey(), e.getValue()));
    return new Summary(corpus.name(), corpus.documents().size(), words, top);
  }
}
