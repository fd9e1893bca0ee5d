package io.pureremote.orchestrator;

import io.fabric8.kubernetes.api.model.NamedContext;
import io.fabric8.kubernetes.api.model.Toleration;
import io.fabric8.kubernetes.api.model.TolerationBuilder;
import io.fabric8.kubernetes.client.Config;
import io.pureremote.config.ConfigException;
import io.pureremote.config.ConfigProblem;
import io.pureremote.config.KubernetesConfig;
import io.pureremote.config.Resources;
import io.pureremote.config.TolerationConfig;
import io.pureremote.k8s.KubernetesShellOptions;
import io.pureremote.k8s.Tolerations;
import java.util.List;
import java.util.Optional;

/**
 * Turns configuration into Kubernetes shell options. The taints behind the spot names live in the
 * shell module ({@link Tolerations}), so configuration only names them. Stateless; thread-safe.
 */
final class KubernetesShells {
  /** The variable the Azure SDK reads to pick a managed identity when a service account maps to several. */
  static final String AZURE_CLIENT_ID = "AZURE_CLIENT_ID";

  private KubernetesShells() {}

  /** A builder holding everything {@code k} says; callers may refine it before building. */
  static KubernetesShellOptions.Builder options(KubernetesConfig k) {
    KubernetesShellOptions.Builder b = KubernetesShellOptions.builder()
        .namespace(k.namespace())
        .kubeContext(k.kubeContext().orElse(null))
        .registry(k.registry().orElse(null))
        .image(k.image().orElse(null))
        .imagePullPolicy(k.imagePullPolicy())
        .serviceAccount(k.serviceAccount().orElse(null))
        .ttlAfterFinished(k.ttlAfterFinished())
        .backoffLimit(k.backoffLimit())
        .activeDeadline(k.activeDeadline().orElse(null))
        .pendingTimeout(k.pendingTimeout())
        .imagePullBound(k.imagePullBound())
        .maxEvictionRetries(k.maxEvictionRetries())
        .logStreaming(k.logStreaming())
        .logSampleFraction(k.logSampleFraction())
        .launchConcurrency(k.launchConcurrency())
        .workloadIdentity(k.workloadIdentity())
        .workloadIdentityNamespaces(k.workloadIdentityNamespaces());
    resources(b, k.resources());
    k.tolerations().forEach(t -> b.toleration(toleration(t)));
    if (k.workloadIdentityApplies()) {
      // A public identifier, not a credential: it selects which federated identity the SDK uses.
      k.workloadIdentityClientId().ifPresent(id -> b.env(AZURE_CLIENT_ID, id));
    }
    return b;
  }

  /**
   * The client configuration for {@code context}, like {@code kubectl}: the kubeconfig ({@code
   * $KUBECONFIG}, {@code ~/.kube/config}) with that context, or the current one when empty, else the
   * in-cluster service account.
   *
   * @param source the configuration file, for the error message
   * @throws ConfigException when the kubeconfig has contexts but not {@code context}: fabric8 would
   *     silently use the current context, which may be another team's cluster
   */
  static Config clientConfig(Optional<String> context, String source) {
    Config config = Config.autoConfigure(context.orElse(null));
    if (context.isPresent()) {
      List<NamedContext> contexts = Optional.ofNullable(config.getContexts()).orElse(List.of());
      boolean known = contexts.stream().anyMatch(c -> context.get().equals(c.getName()));
      // No contexts at all means in-cluster configuration: the pod's service account, no choice to make.
      if (!known && !contexts.isEmpty()) {
        throw new ConfigException(List.of(new ConfigProblem(source, "kube-context", 0, 0,
            "kube context \"" + context.get() + "\" is not in the kubeconfig, whose contexts are "
                + contexts.stream().map(NamedContext::getName).sorted().toList()
                + "; add it (e.g. az aks get-credentials / aws eks update-kubeconfig) or fix the name")));
      }
    }
    return config;
  }

  private static void resources(KubernetesShellOptions.Builder b, Resources r) {
    r.cpu().ifPresent(v -> b.resourceRequest("cpu", v));
    r.cpuLimit().ifPresent(v -> b.resourceLimit("cpu", v));
    r.memory().ifPresent(v -> b.memory(v, r.memoryLimit().orElse(v)));
    if (r.memory().isEmpty()) {
      r.memoryLimit().ifPresent(v -> b.resourceLimit("memory", v));
    }
    r.ephemeralStorage().ifPresent(v -> b.ephemeralStorage(v, v));
    r.gpus().ifPresent(b::gpus);
  }

  static Toleration toleration(TolerationConfig t) {
    return switch (t) {
      case TolerationConfig.Spot spot -> switch (spot.cloud()) {
        case AKS -> Tolerations.spotAks();
        case EKS -> Tolerations.spotEksKarpenter();
        case GKE -> Tolerations.spotGke();
      };
      case TolerationConfig.Taint taint -> new TolerationBuilder()
          .withKey(taint.key().isEmpty() ? null : taint.key())
          .withOperator(taint.operator())
          .withValue(taint.value().isEmpty() ? null : taint.value())
          .withEffect(taint.effect().isEmpty() ? null : taint.effect())
          .build();
    };
  }
}
