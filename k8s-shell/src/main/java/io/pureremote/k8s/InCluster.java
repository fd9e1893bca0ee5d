package io.pureremote.k8s;

import io.pureremote.k8s.values.KubernetesValues;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;

/**
 * Tells whether this JVM runs in a Kubernetes pod, and the pod's namespace. A pod is recognised
 * the way client libraries do it: {@code KUBERNETES_SERVICE_HOST} is set and the service-account
 * folder ({@value #SERVICE_ACCOUNT_DIR}) holds a {@code token}; the namespace is its {@code
 * namespace} file. In a pod the shell's default namespace is the pod's own (an orchestrator pod
 * starts its Jobs beside itself), and {@link KubernetesShell#fromKubeConfig} connects with the
 * service account when there is no kubeconfig.
 *
 * <pre>{@code
 * Optional<String> ns = InCluster.namespace();            // "ml-team" in a pod of ml-team, else empty
 * Optional<String> t = InCluster.namespace(Path.of("/tmp/fake-sa"), Map.of("KUBERNETES_SERVICE_HOST", "10.0.0.1"));
 * }</pre>
 *
 * <p>Stateless; thread-safe.
 */
public final class InCluster {
  /** Where Kubernetes mounts a pod's service-account token, CA certificate and namespace. */
  public static final String SERVICE_ACCOUNT_DIR = "/var/run/secrets/kubernetes.io/serviceaccount";

  /** The variable Kubernetes sets in every container: the API server's address. */
  public static final String SERVICE_HOST_ENV = "KUBERNETES_SERVICE_HOST";

  private InCluster() {}

  /** The namespace of the pod this JVM runs in; empty outside a pod. */
  public static Optional<String> namespace() {
    return namespace(Path.of(SERVICE_ACCOUNT_DIR), System.getenv());
  }

  /**
   * The pod's namespace as seen through {@code serviceAccountDir} and {@code environment}: empty
   * unless {@value #SERVICE_HOST_ENV} is set, the folder has a {@code token}, and its {@code
   * namespace} file holds a valid namespace name.
   *
   * @param serviceAccountDir the service-account folder ({@value #SERVICE_ACCOUNT_DIR} in a pod;
   *     another folder in tests)
   * @param environment the process environment
   */
  public static Optional<String> namespace(Path serviceAccountDir, Map<String, String> environment) {
    Objects.requireNonNull(serviceAccountDir, "serviceAccountDir");
    String host = environment.get(SERVICE_HOST_ENV);
    if (host == null || host.isBlank() || !Files.isRegularFile(serviceAccountDir.resolve("token"))) {
      return Optional.empty();
    }
    try {
      String ns = Files.readString(serviceAccountDir.resolve("namespace"), StandardCharsets.UTF_8).strip();
      // A damaged file must not become a namespace; the user-name default is safer than garbage.
      return KubernetesValues.isDnsLabel(ns) ? Optional.of(ns) : Optional.empty();
    } catch (IOException e) {
      return Optional.empty();
    }
  }
}
