package io.pureremote.assembly;

import io.fabric8.kubernetes.api.model.Toleration;
import io.fabric8.kubernetes.api.model.TolerationBuilder;
import io.fabric8.kubernetes.client.Config;
import io.pureremote.config.ConfigException;
import io.pureremote.config.ConfigProblem;
import io.pureremote.config.KubernetesConfig;
import io.pureremote.config.Resources;
import io.pureremote.config.TolerationConfig;
import io.pureremote.k8s.KubeConfigs;
import io.pureremote.k8s.KubernetesShellOptions;
import io.pureremote.k8s.Tolerations;
import java.util.List;
import java.util.Optional;

/**
 * Turns configuration into Kubernetes shell options. The taints behind the spot names live in the
 * shell module ({@link Tolerations}), so configuration only names them. Stateless; thread-safe.
 */
final class KubernetesShells {
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
      k.workloadIdentityClientId().ifPresent(id -> b.env(KubeConfigs.AZURE_CLIENT_ID, id));
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
    try {
      return KubeConfigs.forContext(context);
    } catch (IllegalArgumentException e) {
      throw new ConfigException(List.of(new ConfigProblem(source, "kube-context", 0, 0, e.getMessage())));
    }
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
