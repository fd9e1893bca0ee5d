package io.pureremote.k8s;

import io.fabric8.kubernetes.api.model.NamedContext;
import io.fabric8.kubernetes.client.Config;
import io.fabric8.kubernetes.client.KubernetesClient;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Collection;
import java.util.List;
import java.util.Objects;
import java.util.Optional;

/**
 * Client configuration the way {@code kubectl} finds it, shared by the shell, the assembly and the
 * orchestrator commands so a kube context means the same thing everywhere. Stateless; thread-safe.
 */
public final class KubeConfigs {
  /** The variable the Azure SDK reads to pick a managed identity when a service account maps to several. */
  public static final String AZURE_CLIENT_ID = "AZURE_CLIENT_ID";

  private KubeConfigs() {}

  /**
   * The kubeconfig ({@code $KUBECONFIG}, {@code ~/.kube/config}) with {@code context}, or the
   * current context when empty, else the in-cluster service account.
   *
   * @throws IllegalArgumentException when the kubeconfig has contexts but not {@code context}:
   *     fabric8 would silently use the current one, which may be another team's cluster
   */
  public static Config forContext(Optional<String> context) {
    Config config = Config.autoConfigure(context.orElse(null));
    if (context.isPresent()) {
      List<NamedContext> contexts = Objects.requireNonNullElse(config.getContexts(), List.of());
      String wanted = context.get();
      // No contexts at all means in-cluster configuration: the pod's service account, no choice to make.
      if (!contexts.isEmpty() && contexts.stream().noneMatch(c -> wanted.equals(c.getName()))) {
        throw new IllegalArgumentException("kube context \"" + wanted + "\" is not in the kubeconfig, whose contexts are "
            + contexts.stream().map(NamedContext::getName).sorted().toList()
            + "; add it (e.g. az aks get-credentials / aws eks update-kubeconfig) or fix the name");
      }
    }
    return config;
  }

  /**
   * {@link #forContext} for a shell's own client: the client's built-in request retries are off,
   * because every request the shell makes goes through {@link ApiGate}, which retries; both
   * together multiply (fabric8 retries 10 times by default, about 100 s on an unknown host).
   */
  public static Config forShell(Optional<String> context) {
    Config config = forContext(context);
    config.setRequestRetryBackoffLimit(0);
    return config;
  }

  /**
   * Where a shell's client got its cluster from, for error messages: which kubeconfig and
   * context, the in-cluster service account, or nothing at all.
   *
   * @param description e.g. {@code kube context "dev" of kubeconfig /home/me/.kube/config}
   * @param nothingConfigured no kubeconfig was found and this JVM is not in a pod: the client fell
   *     back to the in-cluster address, which cannot work here
   * @param contextName the kube context used, when one was
   */
  public record Source(String description, boolean nothingConfigured, Optional<String> contextName) {
    /** A client built by the caller: the shell knows only its server URL. */
    public static Source givenClient() {
      return new Source("the KubernetesClient given to the shell", false, Optional.empty());
    }
  }

  /** What {@code client} (built from {@link #forContext}) was configured from. */
  public static Source sourceOf(KubernetesClient client) {
    Config config = client.getConfiguration();
    String context = config.getCurrentContext() == null ? null : config.getCurrentContext().getName();
    if (config.getFile() != null) {
      return new Source((context == null ? "kubeconfig " : "kube context \"" + context + "\" of kubeconfig ") + config.getFile(), false,
          Optional.ofNullable(context));
    }
    if (InCluster.namespace().isPresent()) {
      return new Source("the in-cluster service account (no kubeconfig)", false, Optional.empty());
    }
    Collection<String> looked = Config.getKubeconfigFilenames();
    String where = looked == null || looked.isEmpty() ? "~/.kube/config" : String.join(", ", looked);
    boolean anyFile = looked != null && looked.stream().anyMatch(f -> Files.isRegularFile(Path.of(f)));
    return new Source("no kubeconfig (" + (anyFile ? "none usable at " : "no file at ") + where + ", $KUBECONFIG "
        + (System.getenv("KUBECONFIG") == null ? "not set" : "= " + System.getenv("KUBECONFIG"))
        + ") and not in a pod", true, Optional.empty());
  }
}
