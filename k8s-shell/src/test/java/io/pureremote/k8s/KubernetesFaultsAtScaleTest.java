package io.pureremote.k8s;

import static io.pureremote.testing.kubernetes.MockKubernetes.SHELL;
import static org.assertj.core.api.Assertions.assertThat;

import io.fabric8.kubernetes.client.KubernetesClient;
import io.pureremote.MemoEntry;
import io.pureremote.RemoteRuntime;
import io.pureremote.k8s.testfns.Work;
import io.pureremote.k8s.testfns.WorkImpl;
import io.pureremote.spi.BlobStore;
import io.pureremote.testing.kubernetes.ApiServerRestarts;
import io.pureremote.testing.kubernetes.FakeKubelet;
import io.pureremote.testing.kubernetes.MockKubernetes;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.stream.Collectors;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Issue 18's Kubernetes faults at scale: {@value #DEFAULT_CALLS} calls by default ({@code
 * -Dpureremote.faults.calls=1000} for the full run), one Job each, while the shell's watches are
 * closed every 2 s with {@code 410 Gone} on the next two watch requests after each drop, and the API server is
 * restarted mid-run (every connection dropped, then connections refused for 3 s) through an
 * {@link ApiServerRestarts} proxy. Every caller must return its own value (0 lost completions)
 * within a generous deadline reached only on failure (0 hangs), with one Job and one run per call
 * (0 duplicates). The fake kubelet runs {@code RemoteMain} in process and talks to the server
 * directly: the faults are the shell's.
 */
class KubernetesFaultsAtScaleTest {
  static final String NS = "faults";
  static final int DEFAULT_CALLS = 200;
  static final Duration WATCH_DROPS = Duration.ofSeconds(2);
  static final Duration RESTART_DOWN = Duration.ofSeconds(3);

  @TempDir Path dir;

  @Test
  void droppedWatchesGoneAndARestartLoseNoCompletion() throws Exception {
    int calls = Integer.getInteger("pureremote.faults.calls", DEFAULT_CALLS);
    // Reached only when calls are lost: a healthy run of 1,000 takes a few minutes on 2 loaded cores.
    Duration deadline = Duration.ofSeconds(120 + calls);
    try (MockKubernetes cluster = new MockKubernetes();
         ApiServerRestarts network = ApiServerRestarts.to(cluster)) {
      KubernetesClient client = cluster.shellClientThrough(network.endpoint());
      FakeKubelet kubelet = new FakeKubelet(cluster, NS).inProcess("inproc").start();
      BlobStore store = BlobStore.folder(dir);
      // The default watchSilenceBound (5 min) stays: completions must come from the watches and relists.
      KubernetesShellOptions options = KubernetesShellOptions.builder().namespace(NS).image("inproc")
          .launchConcurrency(50).apiRate(1000, 200).logStreaming(false).batching(false).build();
      ScheduledExecutorService faults = Executors.newSingleThreadScheduledExecutor();
      AtomicInteger drops = new AtomicInteger();
      ExecutorService callers = Executors.newVirtualThreadPerTaskExecutor();
      try (KubernetesShell shell = new KubernetesShell(client, options);
           RemoteRuntime runtime = RemoteRuntime.builder().sharedFolder(true).blobStore(store).shell(shell).pipelineId("faults")
               .maxConcurrentCalls(calls).build()) {
        Work work = runtime.create(Work.class, WorkImpl.class);
        faults.scheduleWithFixedDelay(() -> {
          try {
            int closed = cluster.dropShellWatches();
            drops.addAndGet(closed);
            // Armed after a drop only: armed every tick, it would meet every reconnect of a busy
            // informer (each relist takes a while), and the drops would find no watch to close.
            if (closed > 0) {
              cluster.goneOnNextShellWatches(2);
            }
          } catch (RuntimeException e) {
            // A failure would silently end the schedule (and the faults): say so and go on.
            e.printStackTrace();
          }
        }, WATCH_DROPS.toMillis(), WATCH_DROPS.toMillis(), TimeUnit.MILLISECONDS);

        long started = System.nanoTime();
        List<CompletableFuture<Long>> results = new ArrayList<>();
        for (long i = 0; i < calls; i++) {
          long x = i;
          results.add(CompletableFuture.supplyAsync(() -> work.square(x), callers));
        }
        // The restart lands mid-run: after a third of the calls returned, while the rest run.
        KubernetesShellTest.await("a third of the calls", deadline,
            () -> results.stream().filter(CompletableFuture::isDone).count() >= calls / 3);
        network.restart(RESTART_DOWN);

        CompletableFuture.allOf(results.toArray(CompletableFuture[]::new)).exceptionally(t -> null)
            .get(deadline.toSeconds(), TimeUnit.SECONDS);
        double seconds = (System.nanoTime() - started) / 1e9;
        faults.shutdownNow();

        long lost = 0;
        List<String> why = new ArrayList<>();
        for (int i = 0; i < calls; i++) {
          CompletableFuture<Long> r = results.get(i);
          if (r.isCompletedExceptionally()) {
            lost++;
            why.add("square(" + i + "): " + r.exceptionNow());
          } else if (r.join() != (long) i * i) {
            lost++;
            why.add("square(" + i + ") returned " + r.join());
          }
        }
        Map<String, Long> runsPerEntry = MemoEntry.list(store, "faults", Work.class.getName() + "#square", "1").stream()
            .collect(Collectors.toMap(MemoEntry::uri, e -> (long) e.runs().size()));
        long duplicates = runsPerEntry.values().stream().filter(n -> n > 1).count();
        int jobsCreated = cluster.count(SHELL, "create jobs");
        List<String> jobNames = client.batch().v1().jobs().inNamespace(NS).list().getItems().stream()
            .map(j -> j.getMetadata().getName()).toList();

        String report = String.format("Kubernetes faults at scale: %d calls (one Job each) in %.1f s%n"
                + "faults: shell watches dropped every %d s (%d closed) with 410 Gone on the next two watch requests;"
                + " %d API server restart(s) mid-run (%d connections dropped, %d s refused)%n"
                + "lost completions: %d; hangs: %s; calls with more than one run: %d; Jobs created: %d (%d exist)%n"
                + "shell requests: %s%ninformer restarts (watch gap or stop): %d; resumed watches answered 410: %d%n",
            calls, seconds, WATCH_DROPS.toSeconds(), drops.get(), network.restarts(), network.dropped(),
            RESTART_DOWN.toSeconds(), lost, "0 (all returned within " + deadline.toSeconds() + " s)", duplicates,
            jobsCreated, jobNames.size(), new TreeMap<>(cluster.counts(SHELL)), shell.informerRestarts(),
            cluster.expiredResumes());
        System.out.println(report);
        Files.writeString(Path.of("target", "kubernetes-faults-at-scale.txt"), report);

        assertThat(why).as("lost completions").isEmpty();
        assertThat(runsPerEntry).as("one memo entry per call").hasSize(calls);
        assertThat(duplicates).as("calls that ran more than once").isZero();
        assertThat(jobNames).as("one Job per call, none re-created under another name").hasSize(calls)
            .noneMatch(n -> n.contains("-x"));
        assertThat(network.restarts()).isEqualTo(1);
      } finally {
        faults.shutdownNow();
        callers.shutdownNow();
        cluster.quiesce();
        kubelet.close();
      }
    }
  }
}
