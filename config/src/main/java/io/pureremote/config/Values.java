package io.pureremote.config;

import io.pureremote.FunctionId;
import io.pureremote.RuntimeOptions;
import java.math.BigDecimal;
import java.net.URI;
import java.net.URISyntaxException;
import java.text.Normalizer;
import java.time.Duration;
import java.time.format.DateTimeParseException;
import java.util.List;
import java.util.Locale;
import java.util.Optional;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * Parsers and checks for configuration values, shared by the loader (which reports problems with
 * their position) and the model records (which refuse invalid values built in code). Each check
 * returns the problem text, or empty when the value is fine. Pure functions; thread-safe.
 */
final class Values {
  static final int MAX_DNS_LABEL = 63;
  static final String FALLBACK_NAMESPACE = "pureremote";

  private static final Pattern DNS_LABEL = Pattern.compile("[a-z0-9]([-a-z0-9]*[a-z0-9])?");
  private static final Pattern DNS_SUBDOMAIN =
      Pattern.compile("[a-z0-9]([-a-z0-9]*[a-z0-9])?(\\.[a-z0-9]([-a-z0-9]*[a-z0-9])?)*");
  private static final Pattern CPU = Pattern.compile("(\\d+(\\.\\d{1,3})?|\\.\\d{1,3})|(\\d+)m");
  // Kubernetes quantity: decimal number, then a binary or decimal suffix or an exponent.
  private static final Pattern QUANTITY =
      Pattern.compile("(\\d+(?:\\.\\d*)?|\\.\\d+)(Ki|Mi|Gi|Ti|Pi|Ei|n|u|m|k|M|G|T|P|E|[eE][+-]?\\d+)?");
  private static final Pattern DURATION_PART = Pattern.compile("(\\d+)(ms|s|m|h|d)");
  private static final Pattern DURATION = Pattern.compile("(\\d+(ms|s|m|h|d))+");
  private static final Pattern GUID =
      Pattern.compile("[0-9a-fA-F]{8}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{12}");
  private static final BigDecimal ONE_MI = BigDecimal.valueOf(1024L * 1024L);

  static final String DURATION_EXAMPLES = "a duration such as \"90s\", \"10m\", \"2h\", \"1h30m\" or \"PT10M\"";
  static final String CPU_EXAMPLES = "a CPU quantity such as \"500m\", \"2\" or \"1.5\"";
  static final String BYTES_EXAMPLES = "a quantity of bytes such as \"512Mi\", \"4Gi\" or \"1e9\"";

  private Values() {}

  /** Whether {@code s} is a DNS-1123 label: lowercase alphanumerics and '-', alphanumeric ends, at most 63. */
  static boolean isDnsLabel(String s) {
    return s != null && s.length() <= MAX_DNS_LABEL && DNS_LABEL.matcher(s).matches();
  }

  static Optional<String> checkNamespace(String s) {
    if (isDnsLabel(s)) {
      return Optional.empty();
    }
    return Optional.of("'" + s + "' is not a valid namespace name: expected a DNS-1123 label (at most 63 lowercase "
        + "letters, digits and '-', starting and ending with a letter or digit), e.g. '" + dnsLabel(s) + "'");
  }

  /**
   * Any text as a DNS-1123 label: the user part of {@code DOMAIN\\user} or {@code user@domain},
   * accents dropped, lowercase, each run of other characters one '-', trimmed to 63 with
   * alphanumeric ends; {@value #FALLBACK_NAMESPACE} when nothing is left. Never empty.
   */
  static String dnsLabel(String raw) {
    String s = raw == null ? "" : raw.strip();
    int backslash = s.lastIndexOf('\\');
    if (backslash >= 0) {
      s = s.substring(backslash + 1);
    }
    int at = s.indexOf('@');
    if (at > 0) {
      s = s.substring(0, at);
    }
    s = Normalizer.normalize(s, Normalizer.Form.NFD).replaceAll("\\p{M}", "");
    s = s.toLowerCase(Locale.ROOT).replaceAll("[^a-z0-9]+", "-");
    s = stripDashes(s);
    if (s.length() > MAX_DNS_LABEL) {
      s = stripDashes(s.substring(0, MAX_DNS_LABEL));
    }
    return s.isEmpty() ? FALLBACK_NAMESPACE : s;
  }

  private static String stripDashes(String s) {
    return s.replaceAll("^-+", "").replaceAll("-+$", "");
  }

  static Optional<String> checkServiceAccount(String s) {
    if (s.length() <= 253 && DNS_SUBDOMAIN.matcher(s).matches()) {
      return Optional.empty();
    }
    return Optional.of("'" + s + "' is not a valid service account name: expected lowercase letters, digits, '-' and '.'");
  }

  static Optional<String> checkCpu(String s) {
    Matcher m = CPU.matcher(s);
    if (!m.matches()) {
      return Optional.of("expected " + CPU_EXAMPLES + " (cores, or millicores with 'm'), got \"" + s + "\"");
    }
    if (quantity(s).signum() <= 0) {
      return Optional.of("expected a CPU quantity above 0, got \"" + s + "\"");
    }
    return Optional.empty();
  }

  /** A byte quantity (memory, ephemeral storage) of at least 1Mi. */
  static Optional<String> checkBytes(String s) {
    Matcher m = QUANTITY.matcher(s);
    if (!m.matches()) {
      return Optional.of("expected " + BYTES_EXAMPLES + " (suffixes Ki Mi Gi Ti or k M G T), got \"" + s + "\"");
    }
    String suffix = m.group(2);
    if (suffix != null && List.of("m", "u", "n").contains(suffix)) {
      return Optional.of("\"" + s + "\" is a fraction of a byte ('" + suffix + "' means milli/micro/nano); write "
          + m.group(1) + "Mi or " + m.group(1) + "M");
    }
    if (quantity(s).compareTo(ONE_MI) < 0) {
      return Optional.of("\"" + s + "\" is less than 1Mi; did you forget the unit? e.g. \"" + m.group(1) + "Gi\"");
    }
    return Optional.empty();
  }

  /** The amount a quantity stands for (cores, bytes); the value must be a valid quantity. */
  static BigDecimal quantity(String s) {
    Matcher m = QUANTITY.matcher(s);
    if (!m.matches()) {
      throw new IllegalArgumentException("not a quantity: " + s);
    }
    BigDecimal number = new BigDecimal(m.group(1).startsWith(".") ? "0" + m.group(1) : m.group(1));
    String suffix = m.group(2);
    if (suffix == null) {
      return number;
    }
    if (suffix.startsWith("e") || suffix.startsWith("E")) {
      return number.scaleByPowerOfTen(Integer.parseInt(suffix.substring(1)));
    }
    return switch (suffix) {
      case "Ki" -> number.multiply(BigDecimal.valueOf(1L << 10));
      case "Mi" -> number.multiply(BigDecimal.valueOf(1L << 20));
      case "Gi" -> number.multiply(BigDecimal.valueOf(1L << 30));
      case "Ti" -> number.multiply(BigDecimal.valueOf(1L << 40));
      case "Pi" -> number.multiply(BigDecimal.valueOf(1L << 50));
      case "Ei" -> number.multiply(BigDecimal.valueOf(1L << 60));
      case "n" -> number.scaleByPowerOfTen(-9);
      case "u" -> number.scaleByPowerOfTen(-6);
      case "m" -> number.scaleByPowerOfTen(-3);
      case "k" -> number.scaleByPowerOfTen(3);
      case "M" -> number.scaleByPowerOfTen(6);
      case "G" -> number.scaleByPowerOfTen(9);
      case "T" -> number.scaleByPowerOfTen(12);
      case "P" -> number.scaleByPowerOfTen(15);
      default -> number.scaleByPowerOfTen(18);
    };
  }

  /**
   * Parses {@code 500ms}, {@code 90s}, {@code 10m}, {@code 2h}, {@code 1d}, sums of them ({@code
   * 1h30m}), or ISO-8601 ({@code PT10M}).
   *
   * @throws IllegalArgumentException naming the accepted forms
   */
  static Duration parseDuration(String s) {
    String v = s.strip();
    if (DURATION.matcher(v).matches()) {
      Duration total = Duration.ZERO;
      Matcher m = DURATION_PART.matcher(v);
      while (m.find()) {
        long n = Long.parseLong(m.group(1));
        total = total.plus(switch (m.group(2)) {
          case "ms" -> Duration.ofMillis(n);
          case "s" -> Duration.ofSeconds(n);
          case "m" -> Duration.ofMinutes(n);
          case "h" -> Duration.ofHours(n);
          default -> Duration.ofDays(n);
        });
      }
      return total;
    }
    if (v.startsWith("P") || v.startsWith("p")) {
      try {
        return Duration.parse(v);
      } catch (DateTimeParseException e) {
        // fall through to the common message
      }
    }
    throw new IllegalArgumentException("expected " + DURATION_EXAMPLES + ", got \"" + s + "\"");
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

  static Optional<String> checkImage(String s) {
    if (s.isBlank() || s.chars().anyMatch(Character::isWhitespace)) {
      return Optional.of("expected an image reference such as \"team/app:1\" or \"ghcr.io/team/app:1\", got \"" + s + "\"");
    }
    return Optional.empty();
  }

  static Optional<String> checkRegistry(String s) {
    if (s.isBlank() || s.contains("://") || s.chars().anyMatch(Character::isWhitespace)) {
      return Optional.of("expected a registry host[/path] without a scheme, such as \"myregistry.azurecr.io\", got \"" + s + "\"");
    }
    return Optional.empty();
  }

  static Optional<String> checkClientId(String s) {
    if (GUID.matcher(s).matches()) {
      return Optional.empty();
    }
    return Optional.of("expected an Azure client id (a GUID such as \"00000000-0000-0000-0000-000000000000\"), got \"" + s + "\"");
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
