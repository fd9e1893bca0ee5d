package io.pureremote.k8s;

import io.pureremote.k8s.values.KubernetesValues;
import java.util.Objects;

/**
 * An environment variable (or a set of them) that the pod reads from a Secret or ConfigMap in its
 * namespace, so credentials never appear in the Job spec. Immutable; thread-safe.
 *
 * <pre>{@code
 * EnvReference.secret("storage-credentials");                       // every key becomes a variable
 * EnvReference.secretKey("AWS_SECRET_ACCESS_KEY", "aws", "secret");  // one variable from one key
 * }</pre>
 *
 * @param kind what is referenced
 * @param source the Secret or ConfigMap name
 * @param key the key inside it, for the {@code *_KEY} kinds; empty otherwise
 * @param variable the variable name, for the {@code *_KEY} kinds; empty otherwise
 */
public record EnvReference(Kind kind, String source, String key, String variable) {

  /** What an {@link EnvReference} points at. */
  public enum Kind {
    /** All keys of a Secret ({@code envFrom.secretRef}). */
    SECRET,
    /** All keys of a ConfigMap ({@code envFrom.configMapRef}). */
    CONFIG_MAP,
    /** One key of a Secret as one variable ({@code env.valueFrom.secretKeyRef}). */
    SECRET_KEY,
    /** One key of a ConfigMap as one variable ({@code env.valueFrom.configMapKeyRef}). */
    CONFIG_MAP_KEY
  }

  /** Validates: names must be DNS subdomains, variables C-like identifiers. */
  public EnvReference {
    Objects.requireNonNull(kind, "kind");
    Objects.requireNonNull(source, "source");
    key = key == null ? "" : key;
    variable = variable == null ? "" : variable;
    if (!source.matches("[a-z0-9]([-a-z0-9.]*[a-z0-9])?") || source.length() > 253) {
      throw new IllegalArgumentException("Invalid " + kind + " name '" + source + "': use lowercase letters, digits, '-' and '.'");
    }
    boolean keyed = kind == Kind.SECRET_KEY || kind == Kind.CONFIG_MAP_KEY;
    if (keyed && !key.matches("[-._a-zA-Z0-9]+")) {
      throw new IllegalArgumentException("Invalid key '" + key + "' in " + kind + " " + source + ": use letters, digits, '-', '_' and '.'");
    }
    if (keyed && !KubernetesValues.isEnvName(variable)) {
      throw new IllegalArgumentException("Invalid environment variable name '" + variable + "' for " + kind + " " + source
          + ": use letters, digits and '_', not starting with a digit");
    }
    if (!keyed && (!key.isEmpty() || !variable.isEmpty())) {
      throw new IllegalArgumentException(kind + " references a whole object; key and variable must be empty");
    }
  }

  /** Every key of Secret {@code name} becomes an environment variable. */
  public static EnvReference secret(String name) {
    return new EnvReference(Kind.SECRET, name, "", "");
  }

  /** Every key of ConfigMap {@code name} becomes an environment variable. */
  public static EnvReference configMap(String name) {
    return new EnvReference(Kind.CONFIG_MAP, name, "", "");
  }

  /** Variable {@code variable} gets the value of {@code key} in Secret {@code secret}. */
  public static EnvReference secretKey(String variable, String secret, String key) {
    return new EnvReference(Kind.SECRET_KEY, secret, key, variable);
  }

  /** Variable {@code variable} gets the value of {@code key} in ConfigMap {@code configMap}. */
  public static EnvReference configMapKey(String variable, String configMap, String key) {
    return new EnvReference(Kind.CONFIG_MAP_KEY, configMap, key, variable);
  }
}
