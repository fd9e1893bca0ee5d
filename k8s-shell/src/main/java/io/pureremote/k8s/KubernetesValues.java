package io.pureremote.k8s;

import java.util.List;
import java.util.Locale;
import java.util.Optional;
import java.util.Set;
import java.util.regex.Pattern;

/**
 * The one place of the Kubernetes value rules this library checks before it sends an object to the
 * API server: DNS-1123 labels and subdomains, label keys and values, quantities, environment
 * variable names, and which variable names look like credentials. The shell's options, the
 * orchestrator's pods and configuration all check with these, so they accept and refuse the same
 * values. Pure functions; thread-safe.
 */
public final class KubernetesValues {
  /** The longest DNS-1123 label (namespaces, Job names, label values, label names). */
  public static final int MAX_LABEL = 63;

  /** The longest DNS-1123 subdomain (service accounts, Secret names, label key prefixes). */
  public static final int MAX_SUBDOMAIN = 253;

  private static final Pattern DNS_LABEL = Pattern.compile("[a-z0-9]([-a-z0-9]*[a-z0-9])?");
  private static final Pattern DNS_SUBDOMAIN =
      Pattern.compile("[a-z0-9]([-a-z0-9]*[a-z0-9])?(\\.[a-z0-9]([-a-z0-9]*[a-z0-9])?)*");
  private static final Pattern LABEL_VALUE = Pattern.compile("([A-Za-z0-9]([-A-Za-z0-9_.]*[A-Za-z0-9])?)?");
  private static final Pattern LABEL_NAME = Pattern.compile("[A-Za-z0-9]([-A-Za-z0-9_.]*[A-Za-z0-9])?");
  // Kubernetes quantity syntax: a decimal number with an optional binary/decimal suffix or exponent.
  private static final Pattern QUANTITY =
      Pattern.compile("(\\d+(\\.\\d*)?|\\.\\d+)(Ki|Mi|Gi|Ti|Pi|Ei|n|u|m|k|M|G|T|P|E|[eE][+-]?\\d+)?");
  private static final Pattern ENV_NAME = Pattern.compile("[A-Za-z_][A-Za-z0-9_]*");

  // Words of a name (split at '_') that mark a credential wherever they stand: DB_PASS, SMTP_PWD, AZURE_STORAGE_SAS.
  private static final Set<String> CREDENTIAL_WORDS = Set.of("SECRET", "SECRETS", "PASSWORD", "PASSWORDS", "PASSWD",
      "PASS", "PWD", "PASSPHRASE", "TOKEN", "TOKENS", "CREDENTIAL", "CREDENTIALS", "APIKEY", "SAS");
  // Word endings that mark one too when glued to another word: GITHUBTOKEN, DBPASSWORD, CLIENTSECRET.
  private static final List<String> CREDENTIAL_ENDINGS = List.of("PASSWORD", "PASSWD", "SECRET", "TOKEN");
  private static final List<String> CREDENTIAL_PHRASES =
      List.of("ACCESS_KEY", "PRIVATE_KEY", "API_KEY", "ACCOUNT_KEY", "CONNECTION_STRING", "SAS_TOKEN");
  // The shell's own working-directory variables, set by every POSIX shell: never a password.
  private static final Set<String> NOT_CREDENTIALS = Set.of("PWD", "OLDPWD");

  private KubernetesValues() {}

  /** Whether {@code s} is a DNS-1123 label: lowercase alphanumerics and '-', alnum ends, at most 63. */
  public static boolean isDnsLabel(String s) {
    return s != null && s.length() <= MAX_LABEL && DNS_LABEL.matcher(s).matches();
  }

  /** Whether {@code s} is a DNS-1123 subdomain: dot-separated DNS-1123 labels, at most 253 in all. */
  public static boolean isDnsSubdomain(String s) {
    return s != null && s.length() <= MAX_SUBDOMAIN && DNS_SUBDOMAIN.matcher(s).matches();
  }

  /** Whether {@code s} is a valid label value (empty, or at most 63 of alnum . _ - with alnum ends). */
  public static boolean isLabelValue(String s) {
    return s != null && s.length() <= MAX_LABEL && LABEL_VALUE.matcher(s).matches();
  }

  /** Whether {@code key} is a valid label or annotation key: optional DNS subdomain prefix + '/' + name. */
  public static boolean isQualifiedKey(String key) {
    if (key == null || key.isEmpty()) {
      return false;
    }
    int slash = key.indexOf('/');
    String name = slash < 0 ? key : key.substring(slash + 1);
    if (slash >= 0 && !isDnsSubdomain(key.substring(0, slash))) {
      return false;
    }
    return name.length() <= MAX_LABEL && LABEL_NAME.matcher(name).matches();
  }

  /**
   * Turns any text into a DNS-1123 label: lowercase, runs of other characters become one '-',
   * trimmed to 63 with alphanumeric ends; {@code fallback} when nothing is left.
   */
  public static String dnsLabel(String raw, String fallback) {
    String s = (raw == null ? "" : raw.toLowerCase(Locale.ROOT)).replaceAll("[^a-z0-9]+", "-");
    s = stripDashes(s);
    if (s.length() > MAX_LABEL) {
      s = stripDashes(s.substring(0, MAX_LABEL));
    }
    return s.isEmpty() ? fallback : s;
  }

  /** Whether {@code value} is a Kubernetes quantity ({@code 500m}, {@code 4Gi}, {@code 1.5}, {@code 1e3}). */
  public static boolean isQuantity(String value) {
    return value != null && QUANTITY.matcher(value).matches();
  }

  /** Whether {@code name} is a valid environment variable name (letters, digits, '_', no leading digit). */
  public static boolean isEnvName(String name) {
    return name != null && ENV_NAME.matcher(name).matches();
  }

  /**
   * Whether a variable name looks like it carries a credential: a word {@code SECRET}, {@code
   * PASSWORD}, {@code PASSWD}, {@code PASS}, {@code PWD}, {@code TOKEN}, {@code CREDENTIAL(S)},
   * {@code APIKEY}, {@code SAS} or {@code PASSPHRASE} (words are split at '_', any case), a word
   * ending in {@code PASSWORD}, {@code SECRET} or {@code TOKEN}, a last word {@code KEY} ({@code
   * *_KEY}), or {@code ACCESS_KEY}, {@code PRIVATE_KEY}, {@code API_KEY}, {@code ACCOUNT_KEY},
   * {@code CONNECTION_STRING}, {@code SAS_TOKEN} anywhere. Exactly {@code PWD} and {@code OLDPWD}
   * are the shell's working directory and pass; {@code TOKENIZER_MODEL} or {@code KEYSPACE} pass.
   */
  public static boolean looksLikeCredential(String name) {
    String upper = name.toUpperCase(Locale.ROOT);
    if (NOT_CREDENTIALS.contains(upper)) {
      return false;
    }
    String[] words = upper.split("_");
    for (String word : words) {
      if (CREDENTIAL_WORDS.contains(word) || CREDENTIAL_ENDINGS.stream().anyMatch(word::endsWith)) {
        return true;
      }
    }
    if (words.length > 0 && words[words.length - 1].equals("KEY")) {
      return true;
    }
    return CREDENTIAL_PHRASES.stream().anyMatch(upper::contains);
  }

  /**
   * Why {@code name} cannot be a plain ({@code value:}) variable in a pod this library creates, or
   * empty when it can: every way into a pod's environment (the shell's {@code env}, the runtime's
   * {@code remoteEnvironment}, configuration) goes through this check, because a plain value is
   * readable by anyone who can read Jobs or Pods.
   *
   * @param hint how the caller refers to a secret reference in its own API, for the fix
   */
  public static Optional<String> plainEnvProblem(String name, String hint) {
    if (!isEnvName(name)) {
      return Optional.of("'" + name + "' is not an environment variable name (letters, digits and '_', not starting with a digit)");
    }
    if (looksLikeCredential(name)) {
      return Optional.of("'" + name + "' looks like a credential; plain values end up in the Job spec for anyone who can read "
          + "Jobs. Put it in a Secret and use " + hint + ", or use workload identity so no credential is needed; "
          + "if it is no credential (e.g. a sort key), rename it or read it from a ConfigMap (EnvReference.configMapKey)");
    }
    return Optional.empty();
  }

  private static String stripDashes(String s) {
    return s.replaceAll("^-+", "").replaceAll("-+$", "");
  }
}
