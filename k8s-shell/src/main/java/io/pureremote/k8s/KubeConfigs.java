package io.pureremote.k8s;

import io.fabric8.kubernetes.api.model.NamedContext;
import io.fabric8.kubernetes.client.Config;
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
}
