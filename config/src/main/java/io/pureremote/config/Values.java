package io.pureremote.config;

import io.pureremote.FunctionId;
import io.pureremote.RuntimeOptions;
import java.net.URI;
import java.net.URISyntaxException;
import java.time.Duration;
import java.time.format.DateTimeParseException;
import java.util.Locale;
import java.util.Optional;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * Parsers and checks for configuration values, shared by the loader (which reports problems with
 * their position) and the model records (which refuse invalid values built in code). Kubernetes
 * values (names, quantities, images) are checked with {@code KubernetesValues} of the
 * pureremote-k8s-values module, the rules the shells use. Each check
 * returns the problem text, or empty when the value is fine. Pure functions; thread-safe.
 */
final class Values {

  static final String DURATION_EXAMPLES = io.pureremote.spi.Shell.Settings.DURATION_EXAMPLES;

  private Values() {}

  /**
   * Parses {@code 500ms}, {@code 90s}, {@code 10m}, {@code 2h}, {@code 1d}, sums of them ({@code
   * 1h30m}), or ISO-8601 ({@code PT10M}).
   *
   * @throws IllegalArgumentException naming the accepted forms
   */
  static Duration parseDuration(String s) {
    return io.pureremote.spi.Shell.Settings.parseDuration(s);
  }

  /** A duration the way the configuration writes it: {@code 90s}, {@code 2h}, {@code 1h30m}. */
  static String formatDuration(Duration d) {
    if (d.isZero()) {
      return "0s";
    }
    if (d.toMillisPart() != 0 || d.toNanosPart() % 1_000_000 != 0) {
      return d.toMillis() + "ms";
    }
    StringBuilder b = new StringBuilder();
    long days = d.toDaysPart();
    if (days > 0) {
      b.append(days).append('d');
    }
    if (d.toHoursPart() > 0) {
      b.append(d.toHoursPart()).append('h');
    }
    if (d.toMinutesPart() > 0) {
      b.append(d.toMinutesPart()).append('m');
    }
    if (d.toSecondsPart() > 0) {
      b.append(d.toSecondsPart()).append('s');
    }
    return b.toString();
  }

  static Optional<String> checkBlobRoot(String s) {
    int colon = s.indexOf(':');
    if (colon <= 0) {
      return Optional.of("expected a URI with a scheme such as \"file:///data/memo\", \"s3://bucket/prefix\" or "
          + "\"abfss://container@account.dfs.core.windows.net/path\", got \"" + s + "\"");
    }
    try {
      new URI(s);
      return Optional.empty();
    } catch (URISyntaxException e) {
      return Optional.of("\"" + s + "\" is not a valid URI: " + e.getReason());
    }
  }

  static Optional<String> checkPipelineId(String s) {
    try {
      // RuntimeOptions owns the rule (the id is a memo path segment); ask it rather than copy it.
      RuntimeOptions.builder().pipelineId(s).build();
      return Optional.empty();
    } catch (IllegalArgumentException e) {
      return Optional.of(e.getMessage());
    }
  }

  static Optional<String> checkFunctionName(String s) {
    try {
      new FunctionId(s, "1");
      return Optional.empty();
    } catch (IllegalArgumentException e) {
      return Optional.of("'" + s + "' is not a function name: use 1-200 of letters, digits and . _ - $ # "
          + "(the @PureRemote name, e.g. \"com.acme.Scoring#score\")");
    }
  }

  static Optional<String> checkPackage(String s) {
    return io.pureremote.RuntimeOptions.packageNameProblem(s);
  }

  /** Classic edit distance, for "did you mean" hints. */
  static int editDistance(String a, String b) {
    int[] prev = new int[b.length() + 1];
    int[] cur = new int[b.length() + 1];
    for (int j = 0; j <= b.length(); j++) {
      prev[j] = j;
    }
    for (int i = 1; i <= a.length(); i++) {
      cur[0] = i;
      for (int j = 1; j <= b.length(); j++) {
        int cost = a.charAt(i - 1) == b.charAt(j - 1) ? 0 : 1;
        cur[j] = Math.min(Math.min(cur[j - 1] + 1, prev[j] + 1), prev[j - 1] + cost);
      }
      int[] t = prev;
      prev = cur;
      cur = t;
    }
    return prev[b.length()];
  }

  /**
   * {@code " (did you mean 'x'?)"} for the closest candidate within 2 edits or starting with what
   * was given ({@code pipeline} → {@code pipeline-id}), else empty text.
   */
  static String didYouMean(String given, Iterable<String> candidates) {
    String best = null;
    int bestDistance = 3;
    String g = given.toLowerCase(Locale.ROOT);
    for (String c : candidates) {
      String lc = c.toLowerCase(Locale.ROOT);
      int d = editDistance(g, lc);
      if (g.length() >= 4 && lc.startsWith(g)) {
        d = Math.min(d, 2);
      }
      if (d < bestDistance) {
        best = c;
        bestDistance = d;
      }
    }
    return best == null ? "" : " (did you mean '" + best + "'?)";
  }
}
