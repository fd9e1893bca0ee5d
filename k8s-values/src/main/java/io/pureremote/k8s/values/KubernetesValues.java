package io.pureremote.k8s.values;

import java.math.BigDecimal;
import java.text.Normalizer;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * The one place of the Kubernetes value rules this library checks before it sends an object to the
 * API server: DNS-1123 labels and subdomains, namespaces and service accounts, label keys and
 * values, CPU and byte quantities, image and registry references, environment variable names, and
 * which variable names look like credentials. Configuration (when it reads a file, with the line)
 * and the shells' options (when code builds them) check with these, so they accept and refuse the
 * same values with the same words. A module of its own, without the Kubernetes client, so the
 * configuration module can use it. The {@code *Problem} methods return the problem, or empty
 * when the value is fine. Pure functions; thread-safe.
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
      Pattern.compile("(\\d+(?:\\.\\d*)?|\\.\\d+)(Ki|Mi|Gi|Ti|Pi|Ei|n|u|m|k|M|G|T|P|E|[eE][+-]?\\d+)?");
  private static final Pattern CPU = Pattern.compile("(\\d+(\\.\\d{1,3})?|\\.\\d{1,3})|(\\d+)m");
  private static final Pattern GUID =
      Pattern.compile("[0-9a-fA-F]{8}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{12}");
  private static final BigDecimal ONE_MI = BigDecimal.valueOf(1024L * 1024L);

  /** The namespace {@link #namespaceFor} gives when nothing usable is left of the text. */
  public static final String FALLBACK_NAMESPACE = "pureremote";
  /** How a CPU quantity is written, for messages. */
  public static final String CPU_EXAMPLES = "a CPU quantity such as \"500m\", \"2\" or \"1.5\"";
  /** How a byte quantity is written, for messages. */
  public static final String BYTES_EXAMPLES = "a quantity of bytes such as \"512Mi\", \"4Gi\" or \"1e9\"";
  private static final Pattern ENV_NAME = Pattern.compile("[A-Za-z_][A-Za-z0-9_]*");

  // Words of a name (split at '_') that mark a credential wherever they stand: DB_PASS, SMTP_PWD, AZURE_STORAGE_SAS.
  private static final Set<String> CREDENTIAL_WORDS = Set.of("PASS", "PWD", "APIKEY", "SAS", "SASURL", "SASURI",
      "BEARER", "AUTHORIZATION", "COOKIE", "PASSCODE", "DSN");
  // Parts that mark a credential anywhere inside a word: DBPASSWORD, CLIENTSECRETS, MYCREDENTIALFILE.
  private static final List<String> CREDENTIAL_PARTS = List.of("PASSWORD", "PASSWD", "SECRET", "CREDENTIAL", "PASSPHRASE");
  // A word holding TOKEN marks one (HF_TOKEN, GITHUBTOKEN, TOKEN2) unless it is about text tokens.
  private static final Set<String> TOKEN_WORDS_THAT_PASS = Set.of("TOKENS", "TOKENIZER", "TOKENIZERS", "TOKENIZED",
      "TOKENIZATION", "TOKENISER", "TOKENIZE");
  // A word KEY marks one (SIGNING_KEY, STORAGE_KEY_1, KEY) unless the next word says it names or locates the key.
  private static final Set<String> AFTER_KEY_THAT_PASS = Set.of("ID", "IDS", "ARN", "NAME", "ALIAS", "HINT", "FILE",
      "PATH", "URI", "URL", "VAULT", "TYPE", "SIZE", "LENGTH", "ALGORITHM", "PREFIX", "FIELD", "COLUMN", "VERSION", "RING");
  // Glued words ending in KEY that name a key (ACCOUNTKEY, SHAREDACCESSKEY), not MONKEY or HOCKEY.
  private static final List<String> KEY_PREFIXES = List.of("API", "ACCESS", "ACCOUNT", "PRIVATE", "MASTER", "SIGNING",
      "ENCRYPTION", "SHARED", "SUBSCRIPTION", "STORAGE", "LICENSE", "SERVICE", "CLIENT", "AUTH", "HMAC", "AES", "RSA",
      "SSH", "GPG", "PGP", "DEPLOY", "APP", "WEBHOOK", "SECRET", "SESSION");
  private static final List<String> CREDENTIAL_PHRASES = List.of("ACCESS_KEY", "PRIVATE_KEY", "API_KEY", "ACCOUNT_KEY",
      "CONNECTION_STRING", "CONNECTIONSTRING", "CONN_STR", "CONNSTR", "SAS_TOKEN", "SESSION_TOKEN", "SHARED_ACCESS");
  // The shell's own working-directory variables, set by every POSIX shell: never a password.
  private static final Set<String> NOT_CREDENTIALS = Set.of("PWD", "OLDPWD");
  // Values that hold a credential whatever the variable is called, each with what it looks like (never the value).
  private static final List<Map.Entry<Pattern, String>> CREDENTIAL_VALUES = List.of(
      Map.entry(Pattern.compile("(?i)(^|;)\\s*(AccountKey|SharedAccessKey|SharedAccessSignature|Password|Pwd|"
          + "ClientSecret|Client_Secret)\\s*="), "a connection string with a key or password"),
      Map.entry(Pattern.compile("(?i)[?&]sig="), "a SAS URL or query (it has sig=)"),
      Map.entry(Pattern.compile("(?i)^[a-z][a-z0-9+.-]*://[^/\\s:@]*:[^/\\s@]+@"), "a URL with a password in it (user:password@)"),
      Map.entry(Pattern.compile("(^|[^A-Z0-9])(AKIA|ASIA)[A-Z0-9]{16}([^A-Z0-9]|$)"), "an AWS access key id"),
      Map.entry(Pattern.compile("-----BEGIN [A-Z ]*PRIVATE KEY"), "a PEM private key"),
      Map.entry(Pattern.compile("(^|[^A-Za-z0-9])(gh[pousr]_[A-Za-z0-9]{30,}|github_pat_[A-Za-z0-9_]{30,}|xox[abprs]-[A-Za-z0-9-]{10,}|"
          + "sk-[A-Za-z0-9_-]{20,}|hf_[A-Za-z0-9]{30,})"), "an API token"),
      Map.entry(Pattern.compile("(^|[^A-Za-z0-9])eyJ[A-Za-z0-9_-]{8,}\\.eyJ[A-Za-z0-9_-]{8,}\\."), "a JSON web token"));

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

  /**
   * A namespace for a person or team name: the user part of {@code DOMAIN\\user} or {@code
   * user@domain}, accents dropped, then {@link #dnsLabel} with {@value #FALLBACK_NAMESPACE} as the
   * fallback ({@code Yu_Zhang} → {@code yu-zhang}). Never empty.
   */
  public static String namespaceFor(String name) {
    String s = name == null ? "" : name.strip();
    int backslash = s.lastIndexOf('\\');
    if (backslash >= 0) {
      s = s.substring(backslash + 1);
    }
    int at = s.indexOf('@');
    if (at > 0) {
      s = s.substring(0, at);
    }
    s = Normalizer.normalize(s, Normalizer.Form.NFD).replaceAll("\\p{M}", "");
    return dnsLabel(s, FALLBACK_NAMESPACE);
  }

  /** Why {@code s} cannot be a namespace name, with a valid suggestion. */
  public static Optional<String> namespaceProblem(String s) {
    if (isDnsLabel(s)) {
      return Optional.empty();
    }
    return Optional.of("'" + s + "' is not a valid namespace name: expected a DNS-1123 label (at most 63 lowercase "
        + "letters, digits and '-', starting and ending with a letter or digit), e.g. '" + namespaceFor(s) + "'");
  }

  /**
   * Why {@code s} cannot name a Kueue object given through a Job label ({@code kind} a LocalQueue or
   * WorkloadPriorityClass, {@code label} e.g. {@code kueue.x-k8s.io/queue-name}): an object name that
   * also fits a label value.
   */
  public static Optional<String> kueueNameProblem(String s, String kind, String label) {
    if (isDnsSubdomain(s) && isLabelValue(s)) {
      return Optional.empty();
    }
    return Optional.of("'" + s + "' is not a " + kind + " name usable as the label " + label
        + " (lowercase letters, digits, '-' and '.', at most 63)");
  }

  /** Why {@code s} cannot be a service account name. */
  public static Optional<String> serviceAccountProblem(String s) {
    if (isDnsSubdomain(s)) {
      return Optional.empty();
    }
    return Optional.of("'" + s + "' is not a valid service account name: expected lowercase letters, digits, '-' and '.'");
  }

  /** Why {@code s} cannot be a CPU request or limit (a quantity above 0, at most millicores). */
  public static Optional<String> cpuProblem(String s) {
    if (!CPU.matcher(s).matches()) {
      return Optional.of("expected " + CPU_EXAMPLES + " (cores, or millicores with 'm'), got \"" + s + "\"");
    }
    if (quantity(s).signum() <= 0) {
      return Optional.of("expected a CPU quantity above 0, got \"" + s + "\"");
    }
    return Optional.empty();
  }

  /** Why {@code s} cannot be a byte quantity (memory, ephemeral storage) of at least 1Mi. */
  public static Optional<String> bytesProblem(String s) {
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

  /**
   * The amount a quantity stands for (cores, bytes).
   *
   * @throws IllegalArgumentException when {@code s} is not a quantity
   */
  public static BigDecimal quantity(String s) {
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

  /** Why {@code s} cannot be an image reference. */
  public static Optional<String> imageProblem(String s) {
    if (s.isBlank() || s.chars().anyMatch(Character::isWhitespace)) {
      return Optional.of("expected an image reference such as \"team/app:1\" or \"ghcr.io/team/app:1\", got \"" + s + "\"");
    }
    return Optional.empty();
  }

  /** Why {@code s} cannot be a registry ({@code host[/path]}, no scheme). */
  public static Optional<String> registryProblem(String s) {
    if (s.isBlank() || s.contains("://") || s.chars().anyMatch(Character::isWhitespace)) {
      return Optional.of("expected a registry host[/path] without a scheme, such as \"myregistry.azurecr.io\", got \"" + s + "\"");
    }
    return Optional.empty();
  }

  /** Why {@code s} cannot be an Azure managed identity's client id (a GUID). */
  public static Optional<String> azureClientIdProblem(String s) {
    if (GUID.matcher(s).matches()) {
      return Optional.empty();
    }
    return Optional.of("expected an Azure client id (a GUID such as \"00000000-0000-0000-0000-000000000000\"), got \"" + s + "\"");
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
   * Whether a variable name looks like it carries a credential (words are split at '_', any case):
   * {@code PASSWORD}, {@code PASSWD}, {@code SECRET}, {@code CREDENTIAL} or {@code PASSPHRASE}
   * anywhere in a word; a word holding {@code TOKEN} ({@code HF_TOKEN}, {@code AWS_SESSION_TOKEN},
   * {@code GITHUBTOKEN}) other than text tokens ({@code MAX_TOKENS}, {@code TOKENIZER_MODEL}); a word
   * {@code PASS}, {@code PWD} (or ending in it), {@code APIKEY}, {@code SAS}, {@code BEARER}, {@code
   * AUTHORIZATION}, {@code COOKIE}, {@code PASSCODE} or {@code DSN}; a word {@code KEY} ({@code
   * SIGNING_KEY}, {@code STORAGE_KEY_1}) unless the next word names or locates the key ({@code
   * KMS_KEY_ID}, {@code KEY_FILE}); a glued key word such as {@code ACCOUNTKEY}; or {@code
   * CONNECTION_STRING}, {@code SAS_TOKEN}, {@code SHARED_ACCESS} and the like anywhere. Exactly
   * {@code PWD} and {@code OLDPWD} are the shell's working directory and pass; {@code KEYSPACE} or
   * {@code MONKEY} pass.
   */
  public static boolean looksLikeCredential(String name) {
    String upper = name.toUpperCase(Locale.ROOT);
    if (NOT_CREDENTIALS.contains(upper)) {
      return false;
    }
    if (CREDENTIAL_PHRASES.stream().anyMatch(upper::contains)) {
      return true;
    }
    String[] words = upper.split("_");
    for (int i = 0; i < words.length; i++) {
      String word = words[i];
      if (CREDENTIAL_WORDS.contains(word) || CREDENTIAL_PARTS.stream().anyMatch(word::contains)
          || (word.endsWith("PWD") && !word.equals("OLDPWD"))) {
        return true;
      }
      if (word.contains("TOKEN") && !TOKEN_WORDS_THAT_PASS.contains(word) && !word.endsWith("TOKENS")) {
        return true;
      }
      if (word.matches("KEY\\d*") && (i + 1 == words.length || !AFTER_KEY_THAT_PASS.contains(words[i + 1]))) {
        return true;
      }
      if (word.matches("[A-Z]+KEY\\d*")) {
        String before = word.replaceAll("KEY\\d*$", "");
        if (KEY_PREFIXES.stream().anyMatch(before::endsWith)) {
          return true;
        }
      }
    }
    return false;
  }

  /**
   * What credential {@code value} looks like (a connection string with {@code AccountKey=} or
   * {@code Password=}, a SAS query, a URL with a password, an AWS access key id, a PEM private key,
   * a well-known API token or a JSON web token), or empty when it looks like none. The answer never
   * holds the value, so it can go into an error or a log.
   */
  public static Optional<String> credentialValueKind(String value) {
    if (value == null || value.isEmpty()) {
      return Optional.empty();
    }
    for (Map.Entry<Pattern, String> e : CREDENTIAL_VALUES) {
      if (e.getKey().matcher(value).find()) {
        return Optional.of(e.getValue());
      }
    }
    return Optional.empty();
  }

  /**
   * Why {@code name = value} cannot be a plain ({@code value:}) variable in a pod: {@link
   * #plainEnvProblem(String, String)} for the name, then whether the value itself looks like a
   * credential whatever the name ({@link #credentialValueKind}). The problem names the variable and
   * the fix, never the value.
   */
  public static Optional<String> plainEnvProblem(String name, String value, String hint) {
    Optional<String> byName = plainEnvProblem(name, hint);
    if (byName.isPresent()) {
      return byName;
    }
    return credentialValueKind(value).map(kind -> "the value of '" + name + "' looks like a credential (" + kind
        + "; the value is not shown); plain values end up in the Job spec for anyone who can read Jobs. Put it in a "
        + "Secret and use " + hint + ", or use workload identity so no credential is needed");
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
