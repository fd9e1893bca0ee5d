package io.pureremote.k8s.pool;

import java.util.List;

/**
 * A worker pool as the cluster has it now: its name and namespace, the store root its workers
 * serve, slots per worker, the Deployment's desired replicas and the workers ready now. A snapshot:
 * {@link WorkerPools#connect} reads a fresh one.
 *
 * @param name the pool's name
 * @param namespace where its objects live
 * @param storeRoot the store root its workers serve
 * @param slots calls one worker runs at once
 * @param desired the Deployment's replicas
 * @param ready the ready workers' pods
 */
public record WorkerPool(String name, String namespace, String storeRoot, int slots, int desired, List<ReadyWorker> ready) {
  /** Copies. */
  public WorkerPool {
    ready = List.copyOf(ready);
  }

  /**
   * A ready worker pod.
   *
   * @param pod the pod's name
   * @param ip the pod's IP (reached in-cluster on {@link WorkerPools#WORKER_PORT})
   */
  public record ReadyWorker(String pod, String ip) {}

  @Override
  public String toString() {
    return "pool " + name + " (namespace " + namespace + ", " + ready.size() + " of " + desired + " workers ready, "
        + slots + " slots each, root " + storeRoot + ")";
  }
}
