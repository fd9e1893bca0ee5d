package io.pureremote.k8s;

/**
 * The value checks the Kubernetes shell validates its options with, for other modules that build
 * Kubernetes objects (the orchestrator's pods), so both accept and refuse the same values.
 */
public final class KubernetesValues {
  private KubernetesValues() {}

  /** Whether {@code s} is a DNS-1123 label: lowercase alphanumerics and '-', alnum ends, at most 63. */
  public static boolean isDnsLabel(String s) {
    return KubernetesNames.isDnsLabel(s);
  }

  /** Whether {@code value} is a Kubernetes quantity ({@code 500m}, {@code 4Gi}, {@code 1.5}, {@code 1e3}). */
  public static boolean isQuantity(String value) {
    return KubernetesShellOptions.isQuantity(value);
  }

  /** Whether {@code name} is a valid environment variable name. */
  public static boolean isEnvName(String name) {
    return KubernetesShellOptions.isEnvName(name);
  }

  /** Whether a variable name looks like it carries a credential ({@code *_SECRET}, {@code *_TOKEN}, ...). */
  public static boolean looksLikeCredential(String name) {
    return KubernetesShellOptions.looksLikeCredential(name);
  }
}
