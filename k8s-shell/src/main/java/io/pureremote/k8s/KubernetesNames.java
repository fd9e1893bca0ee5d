package io.pureremote.k8s;

import io.pureremote.FunctionId;
import io.pureremote.k8s.values.KubernetesValues;
import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.ArrayList;
import java.util.HexFormat;
import java.util.List;
import java.util.Locale;

/**
 * The names this shell derives from a call (Job names, label values, the default namespace); the
 * value rules themselves are {@link KubernetesValues}. Pure functions; thread-safe.
 */
final class KubernetesNames {
  /** DNS-1123 label: what namespaces and Job names must be (Job names also end up as a label value). */
  static final int MAX_LABEL = KubernetesValues.MAX_LABEL;

  /** Room the readable part of a Job name may take: 63 minus "-" + 10 hash digits + a 6-char suffix. */
  static final int JOB_PREFIX_MAX = 40;

  /** Hex digits of the memo hash in Job names. */
  static final int JOB_HASH_DIGITS = 10;

  /** Hex digits of the memo hash in the memo-hash label. */
  static final int LABEL_HASH_DIGITS = 16;

  private KubernetesNames() {}

  /**
   * The default namespace: in a pod, the pod's own ({@link InCluster}); elsewhere the user name as
   * a DNS-1123 label ({@code Yu_Zhang} → {@code yu-zhang}).
   */
  static String defaultNamespace() {
    return defaultNamespace(InCluster.namespace(), System.getProperty("user.name", ""));
  }

  static String defaultNamespace(java.util.Optional<String> podNamespace, String userName) {
    return podNamespace.orElseGet(() -> KubernetesValues.namespaceFor(userName));
  }

  /**
   * A label value for {@code raw}: characters outside {@code [A-Za-z0-9._-]} become '_', ends are
   * alphanumeric; longer than 63 keeps the (more specific) tail and appends 8 hex digits of the
   * full text's hash so distinct long names stay distinct.
   */
  static String labelValue(String raw) {
    String s = raw.replaceAll("[^A-Za-z0-9._-]", "_");
    s = stripEnds(s, "[^A-Za-z0-9]");
    if (s.length() <= MAX_LABEL) {
      return s;
    }
    String hash = sha256Hex(raw).substring(0, 8);
    String tail = stripEnds(s.substring(s.length() - (MAX_LABEL - 9)), "[^A-Za-z0-9]");
    return tail + "-" + hash;
  }

  /**
   * The readable part of a Job name: the interface's simple name and the method, kebab-cased
   * ({@code com.acme.WordStats#count} → {@code word-stats-count}), at most {@value #JOB_PREFIX_MAX}.
   */
  static String jobPrefix(FunctionId function) {
    String[] parts = function.name().replace('#', '.').replace('$', '.').split("\\.");
    List<String> kept = new ArrayList<>();
    for (int i = parts.length - 1; i >= 0 && kept.size() < 2; i--) {
      if (!parts[i].isEmpty()) {
        kept.addFirst(parts[i]);
      }
    }
    String kebab = String.join("-", kept).replaceAll("([a-z0-9])([A-Z])", "$1-$2");
    String s = collapse(kebab.toLowerCase(Locale.ROOT), "[^a-z0-9]+", "-");
    s = trimTo(s, JOB_PREFIX_MAX, "-");
    return s.isEmpty() ? "fn" : s;
  }

  /**
   * A Job name: {@code <prefix>-<10 hex of the memo hash><suffix>}; {@code suffix} is empty or
   * starts with '-' and has at most 6 characters. Always a DNS-1123 label.
   */
  static String jobName(FunctionId function, String memoHash, String suffix) {
    if (suffix.length() > 6 || (!suffix.isEmpty() && !suffix.startsWith("-"))) {
      throw new IllegalArgumentException("Job name suffix must be empty or '-' + at most 5 characters, got '" + suffix + "'");
    }
    String name = jobPrefix(function) + "-" + memoHash.substring(0, JOB_HASH_DIGITS) + suffix;
    if (!KubernetesValues.isDnsLabel(name)) {
      throw new IllegalStateException("Derived Job name '" + name + "' is not a DNS-1123 label; this is a bug");
    }
    return name;
  }

  /** Lowercase hex SHA-256 of the UTF-8 bytes of {@code text}. */
  static String sha256Hex(String text) {
    try {
      MessageDigest digest = MessageDigest.getInstance("SHA-256");
      return HexFormat.of().formatHex(digest.digest(text.getBytes(StandardCharsets.UTF_8)));
    } catch (NoSuchAlgorithmException e) {
      throw new IllegalStateException("SHA-256 is missing from this JVM", e);
    }
  }

  private static String collapse(String s, String regex, String with) {
    return s.replaceAll(regex, with);
  }

  private static String trimTo(String s, int max, String strip) {
    s = stripEnds(s, strip);
    if (s.length() > max) {
      s = stripEnds(s.substring(0, max), strip);
    }
    return s;
  }

  private static String stripEnds(String s, String charClass) {
    return s.replaceAll("^(" + charClass + ")+", "").replaceAll("(" + charClass + ")+$", "");
  }
}
