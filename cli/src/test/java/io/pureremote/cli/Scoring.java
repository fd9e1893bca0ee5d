package io.pureremote.cli;

import io.pureremote.PureRemote;
import java.util.List;
import java.util.Map;

/** Functions the CLI tests populate a memo store with. */
public interface Scoring {
  /** Arguments with nested structure, so why-miss has field paths to name. */
  record Features(String name, Map<String, Double> weights, List<Integer> ids) {}

  @PureRemote(version = "2")
  String score(String model, Features features);

  @PureRemote(version = "1")
  int fail(String why);

  /** Runs until {@link ScoringImpl#GATE} opens: a call whose lease is live while a test looks. */
  @PureRemote(version = "1")
  String hold(String why);
}
