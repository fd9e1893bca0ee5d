package io.pureremote.cli;

import io.fabric8.kubernetes.client.KubernetesClient;
import io.pureremote.testing.kubernetes.FakeKubelet;
import io.pureremote.testing.kubernetes.MockKubernetes;
import java.time.Duration;
import java.util.List;

/**
 * The orchestrator tests' cluster: the Kubernetes test kit's {@link MockKubernetes} (the mock API
 * server in CRUD mode) with a {@link FakeKubelet} that disrupts quickly, behind the few calls the
 * tests make.
 */
public final class TestCluster implements AutoCloseable {
  private final MockKubernetes cluster = new MockKubernetes();
  private FakeKubelet kubelet;

  /** A mock API server; until a kubelet starts, pod logs answer 404 (CRUD mode has no log endpoint). */
  public TestCluster() {
    cluster.logSource(r -> MockKubernetes.status(404, "NotFound", "no kubelet serves logs in this test"));
  }

  /** A client whose requests are recorded under {@code actor}. */
  public KubernetesClient client(String actor) {
    return cluster.client(actor);
  }

  /** How many requests of {@code kind} ({@code "create jobs"}) {@code actor} made. */
  public int count(String actor, String kind) {
    return cluster.count(actor, kind);
  }

  /** The next {@code times} requests with {@code method} whose path contains {@code pathPart} get {@code code}. */
  public void failNext(String method, String pathPart, int code, int times) {
    cluster.failNext(method, pathPart, code, times);
  }

  /**
   * Starts a kubelet for {@code namespace} whose containers of {@code image} run {@code entrypoint}
   * followed by the container's args, as a local process; it also serves their logs.
   */
  public TestCluster kubelet(String namespace, String image, List<String> entrypoint) {
    kubelet = new FakeKubelet(cluster, namespace).image(image, entrypoint).disruptAfter(Duration.ofMillis(800)).start();
    return this;
  }

  /** The next Job's pod is OOM-killed after a moment. */
  public void nextOomKilled() {
    kubelet.then(FakeKubelet.Behaviour.OOM_KILL);
  }

  /** The next Job's image never pulls. */
  public void nextImagePullFailure() {
    kubelet.then(FakeKubelet.Behaviour.IMAGE_PULL_FAILURE);
  }

  /** Whether a container process the kubelet started still runs. */
  public boolean anyProcessAlive() {
    return kubelet != null && kubelet.anyProcessAlive();
  }

  @Override
  public void close() {
    if (kubelet != null) {
      kubelet.close();
    }
    cluster.close();
  }
}
