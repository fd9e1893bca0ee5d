package io.pureremote.k8s;

import static io.pureremote.testing.kubernetes.MockKubernetes.SHELL;
import static org.assertj.core.api.Assertions.assertThat;

import io.fabric8.kubernetes.client.KubernetesClient;
import io.pureremote.RemoteRuntime;
import io.pureremote.k8s.testfns.Work;
import io.pureremote.k8s.testfns.WorkImpl;
import io.pureremote.spi.BlobStore;
import io.pureremote.testing.kubernetes.FakeKubelet;
import io.pureremote.testing.kubernetes.MockKubernetes;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.stream.LongStream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * 200 concurrent calls, each a Job, counting the API requests the shell makes by kind. The fake
 * kubelet runs {@code RemoteMain} in process for this one (image {@code inproc}), so the test
 * measures the shell's API traffic rather than 200 JVM starts.
 */
class ApiLoadTest {
  static final String NS = "load";
  static final int CALLS = 200;

  @TempDir Path dir;

  @Test
  void twoHundredCallsCostOneCreatePerCallAndNoPolling() throws Exception {
    run(false);
  }

  @Test
  void twoHundredBatchedCallsCostAFewCreatesAndNoPolling() throws Exception {
    run(true);
  }

  private void run(boolean batching) throws Exception {
    try (MockKubernetes cluster = new MockKubernetes()) {
      KubernetesClient client = cluster.client(SHELL);
      FakeKubelet kubelet = new FakeKubelet(cluster, NS).inProcess("inproc").start();
      BlobStore store = BlobStore.folder(dir);
      KubernetesShellOptions options = KubernetesShellOptions.builder().namespace(NS).image("inproc")
          .launchConcurrency(50).apiRate(1000, 200).logSampleFraction(0.05).batching(batching).build();
      try (KubernetesShell shell = new KubernetesShell(client, options);
           RemoteRuntime runtime = RemoteRuntime.builder().sharedFolder(true).blobStore(store).shell(shell).pipelineId("load").build()) {
        shell.logSink((prefix, line) -> { });
        Work work = runtime.create(Work.class, WorkImpl.class);
        List<Long> inputs = LongStream.range(0, CALLS).boxed().toList();

        long started = System.nanoTime();
        List<Long> squares = runtime.map(inputs, work::square);
        double seconds = (System.nanoTime() - started) / 1e9;
        assertThat(squares).isEqualTo(inputs.stream().map(x -> x * x).toList());
        Map<String, Integer> shellCounts = cluster.counts(SHELL);
        Map<String, Integer> kubeletCounts = cluster.counts("kubelet");

        assertThat(runtime.map(inputs, work::square)).as("memo hits").isEqualTo(squares);
        Map<String, Integer> afterHits = cluster.counts(SHELL);

        String report = report(shellCounts, kubeletCounts, seconds);
        System.out.println(report);
        Files.writeString(Path.of("target", batching ? "api-request-counts-batched.txt" : "api-request-counts.txt"), report);

        if (batching) {
          // Batches of at most 100, one create each; calls that reach their launch apart may make a few more.
          assertThat(shellCounts.get("create jobs")).as("API writes per call <= 0.02").isBetween(2, CALLS / 50);
        } else {
          assertThat(shellCounts.get("create jobs")).isEqualTo(CALLS);
        }
        assertThat(afterHits.get("create jobs")).as("memo hits create no Jobs").isEqualTo(shellCounts.get("create jobs"));
        for (String kind : List.of("create jobs", "get jobs", "list jobs", "watch jobs", "watch pods", "delete jobs")) {
          // Log followers of the last sampled pods may still fetch a tail; everything else is quiet.
          assertThat(afterHits.get(kind)).as("memo hits make no '%s' requests", kind).isEqualTo(shellCounts.get(kind));
        }
        // Waiting is two shared watches (Jobs, Pods), not a request per Job.
        assertThat(shellCounts.getOrDefault("watch jobs", 0)).isLessThanOrEqualTo(2);
        assertThat(shellCounts.getOrDefault("watch pods", 0)).isLessThanOrEqualTo(2);
        assertThat(shellCounts.getOrDefault("list jobs", 0)).isLessThanOrEqualTo(2);
        assertThat(shellCounts.getOrDefault("get jobs", 0)).as("no per-Job GETs").isLessThanOrEqualTo(2);
        assertThat(shellCounts.getOrDefault("delete jobs", 0)).isZero();
        assertThat(shellCounts.get("get version")).as("the server version is asked once, not per call").isEqualTo(1);
        kubelet.close();
      }
    }
  }

  static String report(Map<String, Integer> shell, Map<String, Integer> kubelet, double seconds) {
    StringBuilder sb = new StringBuilder();
    sb.append(String.format("API requests for %d calls (%d Jobs) in %.1f s; log streaming sampled at 5%%%n", CALLS,
        shell.getOrDefault("create jobs", 0), seconds));
    sb.append(String.format("%-26s %8s %10s%n", "shell request", "total", "per call"));
    for (Map.Entry<String, Integer> e : new TreeMap<>(shell).entrySet()) {
      sb.append(String.format("%-26s %8d %10.3f%n", e.getKey(), e.getValue(), e.getValue() / (double) CALLS));
    }
    int total = shell.values().stream().mapToInt(Integer::intValue).sum();
    sb.append(String.format("%-26s %8d %10.3f%n", "all shell requests", total, total / (double) CALLS));
    int kubeletTotal = kubelet.values().stream().mapToInt(Integer::intValue).sum();
    sb.append(String.format("(fake kubelet + Job controller: %d requests, %.1f per Job, not counted above: %s)%n", kubeletTotal,
        kubeletTotal / (double) CALLS, new TreeMap<>(kubelet)));
    return sb.toString();
  }
}
