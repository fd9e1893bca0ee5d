package io.pureremote.blobstore.s3;

import java.util.regex.Pattern;

/**
 * A parsed {@code s3://bucket/prefix} root: the bucket and the key prefix (no leading or trailing
 * slash; empty for the bucket's top level).
 */
record S3Location(String bucket, String prefix) {
  // DNS-compatible names, the rules AWS enforces for buckets created since 2018.
  private static final Pattern BUCKET = Pattern.compile("[a-z0-9][a-z0-9.-]{1,61}[a-z0-9]");

  /** {@code s3://bucket} or {@code s3://bucket/prefix}, without a trailing slash. */
  String root() {
    return prefix.isEmpty() ? "s3://" + bucket : "s3://" + bucket + "/" + prefix;
  }

  /** The object key of the store-relative {@code key}. */
  String objectKey(String key) {
    return prefix.isEmpty() ? key : prefix + "/" + key;
  }

  /**
   * Parses a root URI.
   *
   * @throws IllegalArgumentException naming the URI and what is wrong with it
   */
  static S3Location parse(String rootUri) {
    if (rootUri == null || rootUri.isBlank()) {
      throw invalid(String.valueOf(rootUri), "it is empty");
    }
    int colon = rootUri.indexOf(':');
    String scheme = colon < 0 ? "" : rootUri.substring(0, colon);
    if (!scheme.equalsIgnoreCase("s3")) {
      throw invalid(rootUri, colon < 0 ? "it has no scheme" : "its scheme is '" + scheme + "', not 's3'");
    }
    String rest = rootUri.substring(colon + 1);
    if (!rest.startsWith("//")) {
      throw invalid(rootUri, "it must start with s3:// followed by the bucket name");
    }
    rest = rest.substring(2);
    if (rest.contains("?") || rest.contains("#")) {
      throw invalid(rootUri, "query strings and fragments ('?', '#') are not part of a blob root");
    }
    int slash = rest.indexOf('/');
    String bucket = slash < 0 ? rest : rest.substring(0, slash);
    String prefix = slash < 0 ? "" : rest.substring(slash + 1);
    if (bucket.isEmpty()) {
      throw invalid(rootUri, "the bucket name is missing");
    }
    if (!BUCKET.matcher(bucket).matches() || bucket.contains("..")) {
      throw invalid(rootUri, "'" + bucket + "' is not a valid bucket name (3-63 characters: lowercase letters, "
          + "digits, '.' and '-', starting and ending with a letter or digit)");
    }
    while (prefix.endsWith("/")) {
      prefix = prefix.substring(0, prefix.length() - 1);
    }
    if (!prefix.isEmpty()) {
      for (String segment : prefix.split("/", -1)) {
        if (segment.isEmpty() || segment.startsWith(".")) {
          throw invalid(rootUri, "the prefix '" + prefix + "' has an empty segment or one starting with '.'");
        }
      }
    }
    return new S3Location(bucket, prefix);
  }

  private static IllegalArgumentException invalid(String uri, String why) {
    return new IllegalArgumentException(
        "Invalid S3 blob root '" + uri + "': " + why
            + ". Use s3://<bucket>/<optional/prefix>, e.g. s3://my-bucket/memo");
  }
}
