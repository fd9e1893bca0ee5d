package io.pureremote.blobstore.s3;

import io.pureremote.blobstore.s3.S3BlobStoreOptions.ConditionalWrites;
import io.pureremote.spi.BlobStore;
import java.net.URI;
import java.util.Locale;
import java.util.Map;
import java.util.Set;
import java.util.TreeSet;

/**
 * Opens {@link S3BlobStore}s for {@code s3://bucket/prefix} roots.
 *
 * <p>Settings (all optional):
 *
 * <ul>
 *   <li>{@code region}: e.g. {@code eu-west-1}
 *   <li>{@code endpoint}: an S3-compatible server, e.g. {@code http://127.0.0.1:9000}
 *   <li>{@code path-style}: {@code true} or {@code false}
 *   <li>{@code conditional-writes}: {@code require} (default) or {@code trust}; see {@link
 *       ConditionalWrites}
 *   <li>{@code max-attempts}: attempts per request, e.g. {@code 5}
 *   <li>{@code multipart-threshold}, {@code part-size}: bytes, or with a {@code KiB}/{@code MiB}/{@code
 *       GiB} suffix
 * </ul>
 *
 * Credentials are never settings: they come from the AWS SDK's default provider chain (environment,
 * profile, web identity / IRSA, container and instance roles). Keys that look like credentials are
 * refused, and so is any other unknown key.
 */
public final class S3BlobStoreProvider implements BlobStore.Provider {
  /** Setting: the bucket's region. */
  public static final String REGION = "region";
  /** Setting: endpoint of an S3-compatible server. */
  public static final String ENDPOINT = "endpoint";
  /** Setting: path-style addressing. */
  public static final String PATH_STYLE = "path-style";
  /** Setting: {@link ConditionalWrites} mode. */
  public static final String CONDITIONAL_WRITES = "conditional-writes";
  /** Setting: attempts per request. */
  public static final String MAX_ATTEMPTS = "max-attempts";
  /** Setting: multipart threshold in bytes. */
  public static final String MULTIPART_THRESHOLD = "multipart-threshold";
  /** Setting: part size in bytes. */
  public static final String PART_SIZE = "part-size";
  /** Setting: parts of one upload sent at once. */
  public static final String PART_CONCURRENCY = "part-concurrency";

  private static final Set<String> KNOWN =
      Set.of(REGION, ENDPOINT, PATH_STYLE, CONDITIONAL_WRITES, MAX_ATTEMPTS, MULTIPART_THRESHOLD, PART_SIZE, PART_CONCURRENCY);

  @Override
  public Set<String> schemes() {
    return Set.of("s3");
  }

  @Override
  public BlobStore open(String rootUri, Map<String, String> settings) {
    return new S3BlobStore(rootUri, options(rootUri, settings));
  }

  @Override
  public Set<String> settingNames() {
    return KNOWN;
  }

  @Override
  public void checkSetting(String rootUri, String name, String value) {
    // Every S3 setting is read on its own; only build() relates them (checkSettings).
    options(rootUri, Map.of(name, value == null ? "" : value));
  }

  @Override
  public void checkSettings(String rootUri, Map<String, String> settings) {
    options(rootUri, settings);
  }

  /**
   * The options {@code settings} describe.
   *
   * @throws IllegalArgumentException naming the setting and what was expected
   */
  static S3BlobStoreOptions options(String rootUri, Map<String, String> settings) {
    S3BlobStoreOptions.Builder b = S3BlobStoreOptions.builder();
    for (Map.Entry<String, String> e : settings.entrySet()) {
      String key = e.getKey();
      String value = e.getValue() == null ? "" : e.getValue().trim();
      String lower = key.toLowerCase(Locale.ROOT);
      if (lower.contains("secret") || lower.contains("access-key") || lower.contains("session-token")
          || lower.contains("password") || lower.contains("credential")) {
        throw new IllegalArgumentException("S3 blob store setting '" + key + "' (root " + rootUri
            + ") is refused: credentials never go into settings. Provide them through the AWS default "
            + "credential chain (AWS_ACCESS_KEY_ID/AWS_SECRET_ACCESS_KEY, AWS_PROFILE, web identity / IRSA, "
            + "instance or container role)");
      }
      switch (key) {
        case REGION -> b.region(requireNonEmpty(rootUri, key, value, "a region id such as eu-west-1"));
        case ENDPOINT -> b.endpointOverride(endpoint(rootUri, value));
        case PATH_STYLE -> b.pathStyle(bool(rootUri, key, value));
        case CONDITIONAL_WRITES -> b.conditionalWrites(conditionalWrites(rootUri, value));
        case MAX_ATTEMPTS -> b.maxAttempts((int) number(rootUri, key, value, false));
        case MULTIPART_THRESHOLD -> b.multipartThreshold(number(rootUri, key, value, true));
        case PART_SIZE -> b.partSize(number(rootUri, key, value, true));
        case PART_CONCURRENCY -> b.partConcurrency((int) number(rootUri, key, value, false));
        default -> throw new IllegalArgumentException("Unknown S3 blob store setting '" + key + "' (root " + rootUri
            + "). Known settings: " + new TreeSet<>(KNOWN));
      }
    }
    try {
      return b.build();
    } catch (IllegalArgumentException e) {
      throw new IllegalArgumentException("Invalid S3 blob store settings for " + rootUri + ": " + e.getMessage(), e);
    }
  }

  private static String requireNonEmpty(String root, String key, String value, String expected) {
    if (value.isEmpty()) {
      throw bad(root, key, value, expected);
    }
    return value;
  }

  private static URI endpoint(String root, String value) {
    try {
      URI uri = new URI(value);
      if (uri.getScheme() == null || uri.getHost() == null
          || !(uri.getScheme().equals("http") || uri.getScheme().equals("https"))) {
        throw bad(root, ENDPOINT, value, "an http(s) URL such as http://127.0.0.1:9000");
      }
      return uri;
    } catch (java.net.URISyntaxException e) {
      throw bad(root, ENDPOINT, value, "an http(s) URL such as http://127.0.0.1:9000");
    }
  }

  private static boolean bool(String root, String key, String value) {
    return switch (value.toLowerCase(Locale.ROOT)) {
      case "true" -> true;
      case "false" -> false;
      default -> throw bad(root, key, value, "true or false");
    };
  }

  private static ConditionalWrites conditionalWrites(String root, String value) {
    for (ConditionalWrites mode : ConditionalWrites.values()) {
      if (mode.name().equalsIgnoreCase(value)) {
        return mode;
      }
    }
    throw bad(root, CONDITIONAL_WRITES, value, "require or trust");
  }

  private static long number(String root, String key, String value, boolean size) {
    String digits = value;
    long unit = 1;
    if (size) {
      for (String[] suffix : new String[][] {{"KiB", "10"}, {"MiB", "20"}, {"GiB", "30"}}) {
        if (value.endsWith(suffix[0])) {
          digits = value.substring(0, value.length() - 3).trim();
          unit = 1L << Integer.parseInt(suffix[1]);
        }
      }
    }
    try {
      long n = Long.parseLong(digits);
      if (n < 0 || n > Long.MAX_VALUE / unit || (!size && n > Integer.MAX_VALUE)) {
        throw new NumberFormatException();
      }
      return n * unit;
    } catch (NumberFormatException e) {
      throw bad(root, key, value, size ? "a byte count such as 16777216 or 16MiB" : "a positive whole number");
    }
  }

  private static IllegalArgumentException bad(String root, String key, String value, String expected) {
    return new IllegalArgumentException(
        "S3 blob store setting '" + key + "' (root " + root + ") is '" + value + "': expected " + expected);
  }
}
