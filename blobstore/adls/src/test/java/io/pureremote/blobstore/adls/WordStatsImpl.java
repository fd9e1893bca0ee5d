package io.pureremote.blobstore.adls;

import java.util.List;
import java.util.concurrent.atomic.AtomicInteger;

/** Counts its executions so the test can tell a memo hit from a run. */
public class WordStatsImpl implements WordStats {
  /** Executions in this JVM. */
  public static final AtomicInteger EXECUTIONS = new AtomicInteger();

  @Override
  public Summary summarize(List<String> words) {
    EXECUTIONS.incrementAndGet();
    return new Summary(words.size(), words.stream().mapToInt(String::length).sum());
  }
}
