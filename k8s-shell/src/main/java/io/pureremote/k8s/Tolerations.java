package io.pureremote.k8s;

import io.fabric8.kubernetes.api.model.Toleration;
import io.fabric8.kubernetes.api.model.TolerationBuilder;

/**
 * Common pod tolerations, for {@link KubernetesShellOptions.Builder#toleration(Toleration)}. Each
 * call returns a new object; thread-safe.
 *
 * <p>Spot helpers let a call run on spot/preemptible nodes that carry the provider's taint. Spot
 * pods get evicted; the shell re-runs evicted calls without spending the caller's retries (see
 * {@link KubernetesShellOptions#maxEvictionRetries()}).
 */
public final class Tolerations {
  private Tolerations() {}

  /** AKS spot node pools: {@code kubernetes.azure.com/scalesetpriority=spot:NoSchedule}. */
  public static Toleration spotAks() {
    return equal("kubernetes.azure.com/scalesetpriority", "spot", "NoSchedule");
  }

  /**
   * EKS with Karpenter spot capacity: {@code karpenter.sh/capacity-type=spot:NoSchedule}. Karpenter
   * only taints spot nodes when the NodePool says so; the toleration is harmless otherwise.
   */
  public static Toleration spotEksKarpenter() {
    return equal("karpenter.sh/capacity-type", "spot", "NoSchedule");
  }

  /** GKE spot VMs: {@code cloud.google.com/gke-spot=true:NoSchedule}. */
  public static Toleration spotGke() {
    return equal("cloud.google.com/gke-spot", "true", "NoSchedule");
  }

  /** Tolerates taint {@code key=value:effect} ({@code effect}: NoSchedule, PreferNoSchedule, NoExecute). */
  public static Toleration equal(String key, String value, String effect) {
    return new TolerationBuilder().withKey(key).withOperator("Equal").withValue(value).withEffect(effect).build();
  }

  /** Tolerates any taint with {@code key} and {@code effect}, whatever its value. */
  public static Toleration exists(String key, String effect) {
    return new TolerationBuilder().withKey(key).withOperator("Exists").withEffect(effect).build();
  }
}
