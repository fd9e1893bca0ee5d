package io.pureremote.internal;

import io.pureremote.FunctionId;
import java.nio.charset.StandardCharsets;
import java.util.Objects;
import java.util.Optional;
import java.util.regex.Pattern;

/**
 * Where one call's memo entry lives, relative to a blob root:
 * {@code pureremote/v1/<pipeline>/<function name>@<version>/<args hash>/}, holding {@code
 * invocation}, then exactly one of {@code result} or {@code error}, plus {@code runs/} records.
 *
 * <p>The function name is percent-encoded into one path segment ({@code #} becomes {@code %23}) so
 * names stay readable and distinct names never share a folder.
 *
 * @param pipelineId grouping segment(s), e.g. {@code default} or {@code forecasting/2026-q4}
 * @param function function identity
 * @param argsHash lowercase hex SHA-256 of the canonical argument encoding
 */
public record MemoKey(String pipelineId, FunctionId function, String argsHash) {
  /** Marks the start of the layout inside a memo URI. */
  public static final String LAYOUT = "pureremote/v1";

  public static final String INVOCATION = "invocation";
  public static final String RESULT = "result";
  public static final String ERROR = "error";
  public static final String RUNS = "runs";


  /** Validates the parts. */
  public MemoKey {
    checkPipelineId(pipelineId);
    Objects.requireNonNull(function, "function");
    if (!isHash(argsHash)) {
      throw new IllegalArgumentException("Invalid args hash '" + argsHash + "': expected 64 lowercase hex digits");
    }
  }

  /** Throws a clear error for a pipeline id that cannot be a path segment. */
  public static String checkPipelineId(String pipelineId) {
    Objects.requireNonNull(pipelineId, "pipelineId");
    if (!isPipelineId(pipelineId)) {
      throw new IllegalArgumentException(
          "Invalid pipeline id '" + pipelineId + "': use letters, digits and . _ - in '/'-separated "
              + "segments that do not start with '.' (at most 200 characters)");
    }
    return pipelineId;
  }

  // Both checks run for every call's key, so they are loops rather than regular expressions.

  /** 64 lowercase hex digits. */
  private static boolean isHash(String s) {
    if (s.length() != 64) {
      return false;
    }
    for (int i = 0; i < 64; i++) {
      char c = s.charAt(i);
      if (!(c >= '0' && c <= '9') && !(c >= 'a' && c <= 'f')) {
        return false;
      }
    }
    return true;
  }

  /** At most 200 characters: '/'-separated non-empty segments of {@code A-Za-z0-9._-}, none starting with '.'. */
  private static boolean isPipelineId(String s) {
    if (s.isEmpty() || s.length() > 200) {
      return false;
    }
    for (int i = 0; i < s.length(); i++) {
      char c = s.charAt(i);
      boolean segmentStart = i == 0 || s.charAt(i - 1) == '/';
      if (c == '/') {
        if (segmentStart || i == s.length() - 1) {
          return false; // an empty segment
        }
      } else if ((segmentStart && c == '.') || !segmentChar(c)) {
        return false;
      }
    }
    return true;
  }

  private static boolean segmentChar(char c) {
    return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') || c == '.' || c == '_' || c == '-';
  }

  /** The entry's folder key, without a trailing slash. */
  public String prefix() {
    return LAYOUT + "/" + pipelineId + "/" + functionSegment(function) + "/" + argsHash;
  }

  /** The key of a file inside the entry, e.g. {@code result}. */
  public String key(String name) {
    return prefix() + "/" + name;
  }

  /** The folder key of all entries of one function version. */
  public static String functionPrefix(String pipelineId, FunctionId function) {
    return LAYOUT + "/" + checkPipelineId(pipelineId) + "/" + functionSegment(function);
  }

  /** {@code <encoded name>@<version>}. */
  static String functionSegment(FunctionId function) {
    // Computed on every call (each request names a key under it): kept per function.
    return SEGMENTS.computeIfAbsent(function, MemoKey::encodeSegment);
  }

  /** Encoded segments by function; one entry per function a process calls. */
  private static final java.util.concurrent.ConcurrentHashMap<FunctionId, String> SEGMENTS =
      new java.util.concurrent.ConcurrentHashMap<>();

  private static String encodeSegment(FunctionId function) {
    StringBuilder sb = new StringBuilder();
    for (byte b : function.name().getBytes(StandardCharsets.UTF_8)) {
      char c = (char) (b & 0xff);
      if ((c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') || c == '.' || c == '_' || c == '-') {
        sb.append(c);
      } else {
        sb.append('%').append(String.format("%02X", b & 0xff));
      }
    }
    return sb.append('@').append(function.version()).toString();
  }

  /**
   * Splits a memo URI ({@code <root>/pureremote/v1/<pipeline>/<fn>@<ver>/<hash>}) into its blob root
   * and memo key.
   *
   * @throws IllegalArgumentException when the URI does not follow the layout
   */
  public static Located parseUri(String memoUri) {
    String marker = "/" + LAYOUT + "/";
    int at = memoUri.lastIndexOf(marker);
    if (at <= 0) {
      throw new IllegalArgumentException(
          "Not a memo URI: '" + memoUri + "'. Expected <blob root>/" + LAYOUT + "/<pipeline>/<function>@<version>/<args hash>");
    }
    String root = memoUri.substring(0, at);
    String rest = memoUri.substring(at + marker.length());
    if (rest.endsWith("/")) {
      rest = rest.substring(0, rest.length() - 1);
    }
    int hashSlash = rest.lastIndexOf('/');
    int fnSlash = hashSlash <= 0 ? -1 : rest.lastIndexOf('/', hashSlash - 1);
    if (fnSlash <= 0) {
      throw new IllegalArgumentException(
          "Not a memo URI: '" + memoUri + "'. Expected .../" + LAYOUT + "/<pipeline>/<function>@<version>/<args hash>");
    }
    String pipeline = rest.substring(0, fnSlash);
    String fnSegment = rest.substring(fnSlash + 1, hashSlash);
    String hash = rest.substring(hashSlash + 1);
    int atSign = fnSegment.lastIndexOf('@');
    if (atSign <= 0) {
      throw new IllegalArgumentException("Not a memo URI: '" + memoUri + "': function segment '" + fnSegment + "' lacks @<version>");
    }
    String name;
    try {
      name = decode(fnSegment.substring(0, atSign));
    } catch (NumberFormatException e) {
      throw new IllegalArgumentException(
          "Not a memo URI: '" + memoUri + "': function segment '" + fnSegment + "' has a bad %-escape", e);
    }
    FunctionId fn = new FunctionId(name, fnSegment.substring(atSign + 1));
    return new Located(root, new MemoKey(pipeline, fn, hash));
  }

  /** An args hash abbreviated the way log lines print it: 8 to 63 lowercase hex digits. */
  public static final Pattern ABBREVIATED_HASH = Pattern.compile("[0-9a-f]{8,63}");

  /**
   * A memo URI whose args hash is abbreviated ({@link #ABBREVIATED_HASH}): its root, and the key it
   * would have with {@code fullHash} in place of the abbreviation; empty when the URI's last
   * segment is not an abbreviation (then {@link #parseUri} says what is wrong with it).
   */
  public static Optional<Abbreviated> parseAbbreviatedUri(String memoUri) {
    String trimmed = memoUri.endsWith("/") ? memoUri.substring(0, memoUri.length() - 1) : memoUri;
    int slash = trimmed.lastIndexOf('/');
    String hash = slash < 0 ? "" : trimmed.substring(slash + 1);
    if (!ABBREVIATED_HASH.matcher(hash).matches()) {
      return Optional.empty();
    }
    Located located = parseUri(trimmed.substring(0, slash + 1) + "0".repeat(64));
    return Optional.of(new Abbreviated(located.root(), located.key().pipelineId(), located.key().function(), hash));
  }

  /** The parts of a memo URI whose args hash is abbreviated to {@code hashPrefix}. */
  public record Abbreviated(String root, String pipelineId, FunctionId function, String hashPrefix) {
    /** The key prefix that every entry matching the abbreviation starts with. */
    public String keyPrefix() {
      return functionPrefix(pipelineId, function) + "/" + hashPrefix;
    }

    /** The key with the full hash. */
    public MemoKey withHash(String argsHash) {
      return new MemoKey(pipelineId, function, argsHash);
    }
  }

  private static String decode(String segment) {
    java.io.ByteArrayOutputStream out = new java.io.ByteArrayOutputStream();
    for (int i = 0; i < segment.length(); i++) {
      char c = segment.charAt(i);
      if (c == '%' && i + 2 < segment.length()) {
        out.write(Integer.parseInt(segment.substring(i + 1, i + 3), 16));
        i += 2;
      } else {
        out.write(c);
      }
    }
    return out.toString(StandardCharsets.UTF_8);
  }

  /** A memo key together with the blob root it lives under. */
  public record Located(String root, MemoKey key) {
    /** The full memo URI. */
    public String uri() {
      return root + "/" + key.prefix();
    }
  }
}
