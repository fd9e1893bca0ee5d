package io.pureremote.k8s;

/**
 * Container image references. Stateless; thread-safe.
 *
 * <pre>{@code
 * Images.qualify("myregistry.azurecr.io", "team/scoring:42");     // myregistry.azurecr.io/team/scoring:42
 * Images.qualify("myregistry.azurecr.io", "ghcr.io/x/y:1");        // ghcr.io/x/y:1 (already qualified)
 * }</pre>
 */
public final class Images {
  private Images() {}

  /**
   * Prefixes {@code image} with {@code registry} unless the image already names a registry.
   * Idempotent: qualifying a qualified image returns it unchanged.
   *
   * <p>An image names a registry when its first path component contains a '.' or a ':' or is
   * {@code localhost} (the Docker reference rules): {@code ghcr.io/x/y:1}, {@code
   * localhost:5000/y}, {@code registry:5000/y}. {@code team/app:1} and {@code ubuntu} do not.
   *
   * @param registry registry host (and optional path), e.g. {@code myregistry.azurecr.io} or
   *     {@code myregistry.azurecr.io/ml}; {@code null} or blank leaves the image alone
   * @param image the image reference, e.g. {@code team/scoring:42}
   * @throws IllegalArgumentException when {@code image} is blank or contains whitespace
   */
  public static String qualify(String registry, String image) {
    if (image == null || image.isBlank() || image.chars().anyMatch(Character::isWhitespace)) {
      throw new IllegalArgumentException("Invalid image reference '" + image + "': expected e.g. team/app:1 or ghcr.io/team/app:1");
    }
    if (registry == null || registry.isBlank()) {
      return image;
    }
    String prefix = registry.strip();
    while (prefix.endsWith("/")) {
      prefix = prefix.substring(0, prefix.length() - 1);
    }
    if (isQualified(image) || image.startsWith(prefix + "/")) {
      return image;
    }
    return prefix + "/" + image;
  }

  /** Whether {@code image} already names a registry (see {@link #qualify}). */
  public static boolean isQualified(String image) {
    int slash = image.indexOf('/');
    if (slash < 0) {
      return false;
    }
    String first = image.substring(0, slash);
    return first.contains(".") || first.contains(":") || first.equals("localhost");
  }
}
