package io.pureremote.config;

import java.util.Locale;
import java.util.Optional;

/**
 * The managed Kubernetes service a cluster runs on. It decides what the toleration name {@code
 * spot} means, since each provider taints its spot nodes differently.
 */
public enum Cloud {
  /** Azure Kubernetes Service: spot node pools carry {@code kubernetes.azure.com/scalesetpriority=spot}. */
  AKS,
  /** Amazon EKS with Karpenter: spot capacity carries {@code karpenter.sh/capacity-type=spot}. */
  EKS,
  /** Google Kubernetes Engine: spot VMs carry {@code cloud.google.com/gke-spot=true}. */
  GKE;

  /** The name used in configuration: {@code aks}, {@code eks} or {@code gke}. */
  public String id() {
    return name().toLowerCase(Locale.ROOT);
  }

  /** The cloud named {@code id} ({@code aks}, {@code eks}, {@code gke}; case-insensitive). */
  public static Optional<Cloud> fromId(String id) {
    for (Cloud c : values()) {
      if (c.id().equalsIgnoreCase(id.strip())) {
        return Optional.of(c);
      }
    }
    return Optional.empty();
  }
}
