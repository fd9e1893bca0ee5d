package io.pureremote.examples.wordstats;

import io.pureremote.FunctionId;
import io.pureremote.Keys;
import io.pureremote.MemoEntry;
import io.pureremote.RemoteRuntime;
import io.pureremote.RuntimeOptions;
import io.pureremote.examples.wordstats.WordStats.Corpus;
import io.pureremote.examples.wordstats.WordStats.Settings;
import io.pureremote.examples.wordstats.WordStats.Summary;
import java.util.ArrayList;
import java.util.List;
import java.util.Random;

/**
 * The README's main job: summarizes three corpora in child JVMs (the local shell) with results
 * memoized in a local folder, then asks again and gets every answer from the memo.
 *
 * <p>Run it twice: on the second run even the first round is all memo hits, because the memo lives
 * in the blob store, not in this process.
 */
public final class WordStatsExample {
  private WordStatsExample() {}

  public static void main(String[] args) {
    // bin/example [BLOB_ROOT]: an empty argument (none given) means the default, ~/.pureremote.
    String root = args.length > 0 && !args[0].isBlank() ? args[0] : RuntimeOptions.defaultBlobRoot();
    List<Corpus> corpora = List.of(corpus("fables", 1), corpus("letters", 2), corpus("reports", 3));
    Settings settings = new Settings(4, 5);

    try (RemoteRuntime runtime = RemoteRuntime.builder().blobRoot(root).pipelineId("examples").build()) {
      WordStats stats = runtime.create(WordStats.class, WordStatsImpl.class);
      System.out.println("Blob root: " + runtime.blobStore().root());
      for (int round = 1; round <= 2; round++) {
        int hits = memoized(runtime, corpora, settings);
        long start = System.nanoTime();
        List<Summary> summaries = runtime.map(corpora, c -> stats.summarize(c, settings));
        long ms = (System.nanoTime() - start) / 1_000_000;
        System.out.printf("round %d: %d corpora in %d ms (%d memo hits, %d ran in child JVMs)%n", round,
            summaries.size(), ms, hits, summaries.size() - hits);
        for (Summary s : summaries) {
          System.out.printf("  %-8s %3d docs %6d words  top %s%n", s.corpus(), s.documents(), s.words(), s.topWords());
        }
      }
    }
  }

  /**
   * How many of this round's calls the memo already answers: an entry with a result, read the way
   * tools read entries ({@link MemoEntry}), keyed like the call ({@link Keys#argsHash}).
   */
  static int memoized(RemoteRuntime runtime, List<Corpus> corpora, Settings settings) {
    FunctionId summarize = new FunctionId(WordStats.class.getName() + "#summarize", "1");
    int hits = 0;
    for (Corpus c : corpora) {
      if (MemoEntry.of(runtime.blobStore(), "examples", summarize, Keys.argsHash(c, settings)).hasResult()) {
        hits++;
      }
    }
    return hits;
  }

  /** A deterministic synthetic corpus, so every run asks the same questions. */
  static Corpus corpus(String name, long seed) {
    String[] vocabulary = {"river", "stone", "lantern", "harvest", "window", "market", "letter", "winter",
        "garden", "thread", "copper", "island", "silver", "orchard", "bridge", "meadow"};
    Random random = new Random(seed);
    List<String> docs = new ArrayList<>();
    for (int d = 0; d < 200; d++) {
      StringBuilder doc = new StringBuilder();
      for (int w = 0; w < 300; w++) {
        doc.append(vocabulary[(int) Math.abs(random.nextGaussian() * 4) % vocabulary.length]).append(' ');
      }
      docs.add(doc.toString());
    }
    return new Corpus(name, docs);
  }
}
