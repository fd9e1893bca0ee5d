package io.pureremote.k8s;

import static io.pureremote.testing.kubernetes.MockKubernetes.SHELL;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.fabric8.kubernetes.api.model.batch.v1.Job;
import io.fabric8.kubernetes.client.utils.Serialization;
import io.pureremote.Keys;
import io.pureremote.RemoteFunctionException;
import io.pureremote.RemoteRuntime;
import io.pureremote.k8s.testfns.Work;
import io.pureremote.k8s.testfns.WorkImpl;
import io.pureremote.spi.BlobStore;
import io.pureremote.spi.Shell;
import io.pureremote.testing.kubernetes.ApiServerJobRules;
import io.pureremote.testing.kubernetes.FakeKubelet;
import io.pureremote.testing.kubernetes.MockKubernetes;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentHashMap;
import java.util.function.UnaryOperator;
import java.util.stream.LongStream;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Batched fan-outs end to end: misses of one function launched together become one Indexed Job
 * (per batch) on the mock API server, whose pods {@link FakeKubelet} runs, each picking its call
 * from the batch manifest by {@code JOB_COMPLETION_INDEX}.
 */
class BatchedFanOutTest {
  static final String NS = "batch";
  static final String IMAGE = "acme/app:inproc";
  static final String JVM_IMAGE = "acme/app:jvm";

  @TempDir Path dir;
  MockKubernetes cluster;
  FakeKubelet kubelet;
  KubernetesShell shell;
  RemoteRuntime runtime;
  BlobStore store;
  Work work;

  void start(String version, String image, UnaryOperator<KubernetesShellOptions.Builder> options) {
    cluster = new MockKubernetes().kubernetesVersion(version);
    kubelet = new FakeKubelet(cluster, NS).inProcess(IMAGE).image(JVM_IMAGE, FakeKubelet.javaEntrypoint()).start();
    shell = new KubernetesShell(cluster.client(SHELL),
        options.apply(KubernetesShellOptions.builder().namespace(NS).image(image).batchWindow(Duration.ofMillis(800))).build());
    shell.logSink((prefix, line) -> { });
    store = BlobStore.folder(dir);
    runtime = RemoteRuntime.builder().sharedFolder(true).blobStore(store).shell(shell).pipelineId("fan").build();
    work = runtime.create(Work.class, WorkImpl.class);
  }

  @AfterEach
  void stop() {
    if (runtime != null) {
      cluster.quiesce();
      runtime.close();
      shell.close();
      kubelet.close();
      cluster.close();
    }
  }

  private List<Job> jobs() {
    return cluster.client("test").batch().v1().jobs().inNamespace(NS).list().getItems();
  }

  private String memoUri(String method, Object... args) {
    return store.root() + "/pureremote/v1/fan/" + Work.class.getName().replace("#", "%23") + "%23" + method + "@1/"
        + Keys.argsHash(args);
  }

  @Test
  void aFanOutIsOneIndexedJobWhosePodsRunOneCallEach() throws Exception {
    start("1.34", JVM_IMAGE, b -> b);
    List<String> followed = new java.util.concurrent.CopyOnWriteArrayList<>();
    shell.logSink((prefix, line) -> followed.add(prefix + line));
    List<Long> inputs = LongStream.rangeClosed(1, 8).boxed().toList();

    assertThat(runtime.map(inputs, work::square)).containsExactlyElementsOf(inputs.stream().map(x -> x * x).toList());
    // Each batch pod's log is followed to the caller's log, prefixed by its Job and pod.
    waitFor(() -> inputs.stream().allMatch(x -> followed.stream().anyMatch(l -> l.endsWith("squaring " + x))));
    assertThat(followed).filteredOn(l -> l.contains("squaring 3")).first().asString().startsWith("[work-square-").contains("-b/");

    assertThat(cluster.count(SHELL, "create jobs")).as("one Job for the batch").isEqualTo(1);
    Job job = jobs().getFirst();
    assertThat(job.getSpec().getCompletionMode()).isEqualTo("Indexed");
    assertThat(job.getSpec().getCompletions()).isEqualTo(8);
    assertThat(job.getSpec().getParallelism()).isEqualTo(8);
    assertThat(job.getSpec().getBackoffLimitPerIndex()).isZero();
    assertThat(job.getSpec().getMaxFailedIndexes()).isEqualTo(8);
    assertThat(job.getSpec().getBackoffLimit()).isNull();
    assertThat(job.getSpec().getPodReplacementPolicy()).isEqualTo("Failed");
    assertThat(job.getSpec().getPodFailurePolicy().getRules().getFirst().getAction()).isEqualTo("FailIndex");
    assertThat(job.getSpec().getTemplate().getSpec().getContainers().getFirst().getArgs()).first().isEqualTo("batch");
    assertThat(job.getStatus().getCompletedIndexes()).isEqualTo("0-7");
    assertThat(ApiServerJobRules.jobProblems(job)).as("what the API server would refuse in the batch Job").isEmpty();
    // Each call keeps its own run record and log, written by its own pod.
    for (long x : inputs) {
      String prefix = memoUri("square", x).substring(store.root().length() + 1);
      assertThat(store.list(prefix + "/runs/")).as("runs of square(%d)", x)
          .anyMatch(k -> k.endsWith(".json")).anyMatch(k -> k.endsWith(".log"));
    }
    // The emitted Job, for docs/kubernetes.md.
    Path out = Path.of("target", "batch-job.yaml");
    Files.createDirectories(out.getParent());
    Job created = cluster.client("test").batch().v1().jobs().inNamespace(NS).withName(job.getMetadata().getName()).get();
    created.setStatus(null);
    Files.writeString(out, Serialization.asYaml(created), StandardCharsets.UTF_8);
  }

  @Test
  void oneFailingCallFailsOnlyItself() {
    start("1.34", IMAGE, b -> b);
    List<Long> inputs = List.of(1L, 2L, -3L, 4L, 5L);
    List<CompletableFuture<Long>> calls = new ArrayList<>();
    for (long x : inputs) {
      calls.add(CompletableFuture.supplyAsync(() -> work.checkedSquare(x)));
    }
    for (int i = 0; i < inputs.size(); i++) {
      long x = inputs.get(i);
      if (x < 0) {
        int index = i;
        assertThatThrownBy(() -> calls.get(index).join()).cause().isInstanceOf(RemoteFunctionException.class)
            .hasMessageContaining("negative: -3");
      } else {
        assertThat(calls.get(i).join()).isEqualTo(x * x);
      }
    }
    assertThat(cluster.count(SHELL, "create jobs")).isEqualTo(1);
    Job job = jobs().getFirst();
    assertThat(BatchRun.parseRanges(job.getStatus().getFailedIndexes())).hasSize(1);
    assertThat(BatchRun.parseRanges(job.getStatus().getCompletedIndexes())).hasSize(4);
    assertThat(job.getStatus().getConditions()).anySatisfy(c -> {
      assertThat(c.getType()).isEqualTo("FailureTarget");
      assertThat(c.getReason()).isEqualTo("FailedIndexes");
    });
  }

  @Test
  void hitsAndCallsLeasedByAnotherProcessAreNeverInABatch() throws Exception {
    start("1.34", IMAGE, b -> b);
    assertThat(work.slow("hit", 10)).isEqualTo("done hit"); // a batch of one: its own Job
    int jobsBefore = cluster.count(SHELL, "create jobs");
    // Another process runs slow("taken") and holds its lease while this one fans out.
    try (RemoteRuntime other = RemoteRuntime.builder().blobStore(store).shell(Shell.inProcess(store)).pipelineId("fan").build()) {
      Work theirs = other.create(Work.class, WorkImpl.class);
      CompletableFuture<String> taken = CompletableFuture.supplyAsync(() -> theirs.slow("taken", 2_500));
      waitFor(() -> store.exists(memoUri("slow", "taken", 2_500L).substring(store.root().length() + 1) + "/lease"));

      List<String> tags = List.of("a", "hit", "b", "taken", "c");
      List<String> results = runtime.map(tags, t -> work.slow(t, t.equals("taken") ? 2_500 : 10));

      assertThat(results).containsExactly("done a", "done hit", "done b", "done taken", "done c");
      assertThat(taken.join()).isEqualTo("done taken");
    }
    assertThat(cluster.count(SHELL, "create jobs") - jobsBefore).isEqualTo(1);
    Job batch = jobs().stream().filter(j -> "Indexed".equals(j.getSpec().getCompletionMode())).findFirst().orElseThrow();
    assertThat(batch.getSpec().getCompletions()).as("a, b and c only").isEqualTo(3);
  }

  @Test
  void cancellingOneCallSkipsItsIndexAndLeavesTheOthers() throws Exception {
    // One pod at a time, so the cancelled call's pod starts after the cancel.
    start("1.34", IMAGE, b -> b.batchParallelism(1));
    Map<String, String> results = new ConcurrentHashMap<>();
    Map<String, Throwable> failures = new ConcurrentHashMap<>();
    List<Thread> callers = new ArrayList<>();
    for (String tag : List.of("a", "b", "c")) {
      callers.add(Thread.ofPlatform().start(() -> {
        try {
          results.put(tag, work.slow(tag, 1_000));
        } catch (RuntimeException e) {
          failures.put(tag, e);
        }
      }));
      // Arrival order a, b, c: c is not index 0 (whose pod runs first)
      waitFor(() -> store.exists(memoUri("slow", tag, 1_000L).substring(store.root().length() + 1) + "/invocation"));
      Thread.sleep(100);
    }
    waitFor(() -> cluster.count(SHELL, "create jobs") == 1);
    callers.get(2).interrupt(); // cancels c while a's pod runs
    for (Thread t : callers) {
      t.join(30_000);
    }

    assertThat(results).containsOnly(Map.entry("a", "done a"), Map.entry("b", "done b"));
    assertThat(failures).containsOnlyKeys("c");
    assertThat(store.exists(memoUri("slow", "c", 1_000L).substring(store.root().length() + 1) + "/result")).isFalse();
    waitFor(() -> jobs().getFirst().getStatus().getFailedIndexes() != null);
    // The failed index is c's: the manifest lists the calls by index.
    String manifestUri = jobs().getFirst().getMetadata().getAnnotations().get("pureremote.io/batch-manifest");
    Path manifest = Path.of(java.net.URI.create(manifestUri));
    @SuppressWarnings("unchecked")
    List<String> calls = (List<String>) Serialization.unmarshal(Files.readString(manifest), Map.class).get("calls");
    assertThat(jobs().getFirst().getStatus().getFailedIndexes())
        .isEqualTo(Integer.toString(calls.indexOf(memoUri("slow", "c", 1_000L))));
    assertThat(cluster.count(SHELL, "delete jobs")).as("the batch was not cancelled").isZero();
    assertThat(cluster.count(SHELL, "create jobs")).isEqualTo(1);
  }

  @Test
  void disruptionsOfACallInABatchAreRecordedAndCountedAgainstItsEvictionRetriesOnly() throws Exception {
    // Child JVMs, so an eviction really kills the container; one disruption per call is survived.
    start("1.34", JVM_IMAGE, b -> b.maxEvictionRetries(1));
    List<String> tags = List.of("a", "b", "c");
    Map<String, String> results = new ConcurrentHashMap<>();
    Map<String, Throwable> failures = new ConcurrentHashMap<>();
    List<Thread> callers = new ArrayList<>();
    for (String tag : tags) {
      callers.add(Thread.ofPlatform().start(() -> {
        try {
          results.put(tag, work.slow(tag, 4_000));
        } catch (RuntimeException e) {
          failures.put(tag, e);
        }
      }));
    }
    waitFor(() -> cluster.count(SHELL, "create jobs") == 1);
    List<String> calls = manifestCalls();
    int a = calls.indexOf(memoUri("slow", "a", 4_000L));
    int b = calls.indexOf(memoUri("slow", "b", 4_000L));

    // a is evicted once (survived: the controller's replacement pod runs it); b twice (one too many).
    evictRunningPod(a, null, "EvictionByEvictionAPI", "Eviction API: evicting");
    String bFirst = evictRunningPod(b, null, "PreemptionByScheduler", "default-scheduler: preempting to make room");
    evictRunningPod(b, bFirst, "DeletionByTaintManager", "Taint manager: deleting due to NoExecute taint");
    for (Thread t : callers) {
      t.join(60_000);
    }

    assertThat(results).containsOnly(Map.entry("a", "done a"), Map.entry("c", "done c"));
    assertThat(failures).containsOnlyKeys("b");
    assertEvicted(failures.get("b"), b);
    assertThat(cluster.count(SHELL, "create jobs")).as("no Job re-created, no batch torn down").isEqualTo(1);
    assertThat(cluster.count(SHELL, "delete jobs")).isZero();
    // Each disruption is in its call's run records, with the reason the cluster gave.
    waitFor(() -> runStatuses("a").stream().anyMatch(st -> st.startsWith("disrupted")) && runStatuses("b").stream()
        .filter(st -> st.startsWith("disrupted")).count() == 2);
    assertThat(runStatuses("a")).contains("succeeded")
        .anyMatch(st -> st.startsWith("disrupted: ") && st.contains("EvictionByEvictionAPI: Eviction API: evicting"));
    assertThat(runStatuses("b")).anyMatch(st -> st.contains("PreemptionByScheduler"))
        .anyMatch(st -> st.contains("DeletionByTaintManager")).doesNotContain("succeeded");
    assertThat(runStatuses("c")).containsExactly("succeeded");
    assertThat(store.exists(memoUri("slow", "b", 4_000L).substring(store.root().length() + 1) + "/result")).isFalse();
  }

  /** Checks the {@code Evicted} failure of the call at {@code index}. */
  private static void assertEvicted(Throwable failure, int index) {
    Throwable e = failure;
    while (e != null && !(e instanceof io.pureremote.ShellException)) {
      e = e.getCause();
    }
    assertThat(e).as("a ShellException in %s", failure).isNotNull();
    io.pureremote.ShellException shell = (io.pureremote.ShellException) e;
    assertThat(shell.reason()).isEqualTo("Evicted");
    assertThat(shell.getMessage()).contains("index " + index + " of batch Job", "disrupted 2 times (maxEvictionRetries=1)",
        "DeletionByTaintManager", "raise maxEvictionRetries");
  }

  private List<String> manifestCalls() throws java.io.IOException {
    String manifestUri = jobs().getFirst().getMetadata().getAnnotations().get("pureremote.io/batch-manifest");
    @SuppressWarnings("unchecked")
    List<String> calls = (List<String>) Serialization.unmarshal(Files.readString(Path.of(java.net.URI.create(manifestUri))),
        Map.class).get("calls");
    return calls;
  }

  /** Waits for a running pod of {@code index} other than {@code not}, evicts it and returns its name. */
  private String evictRunningPod(int index, String not, String reason, String message) throws InterruptedException {
    String[] evicted = new String[1];
    waitFor(() -> cluster.client("test").pods().inNamespace(NS)
        .withLabel("batch.kubernetes.io/job-completion-index", Integer.toString(index)).list().getItems().stream()
        .filter(p -> !p.getMetadata().getName().equals(not) && "Running".equals(p.getStatus().getPhase()))
        .anyMatch(p -> {
          if (kubelet.evict(p.getMetadata().getName(), reason, message)) {
            evicted[0] = p.getMetadata().getName();
            return true;
          }
          return false;
        }));
    return evicted[0];
  }

  private List<String> runStatuses(String tag) {
    return io.pureremote.MemoEntry.at(store, memoUri("slow", tag, 4_000L)).runs().stream()
        .map(io.pureremote.MemoEntry.Run::status).toList();
  }

  @Test
  void onServersWithoutPerIndexBackoffEachCallIsItsOwnJob() {
    start("1.32", IMAGE, b -> b);
    assertThat(runtime.map(List.of(1L, 2L, 3L, 4L), work::square)).containsExactly(1L, 4L, 9L, 16L);
    assertThat(cluster.count(SHELL, "create jobs")).isEqualTo(4);
    assertThat(jobs()).allSatisfy(j -> assertThat(j.getSpec().getCompletionMode()).isNotEqualTo("Indexed"));
    assertThat(jobs()).allSatisfy(j -> assertThat(ApiServerJobRules.jobProblems(j)).as("single-call Job").isEmpty());
  }

  @Test
  void batchingCanBeTurnedOff() {
    start("1.34", IMAGE, b -> b.batching(false));
    assertThat(runtime.map(List.of(1L, 2L, 3L), work::square)).containsExactly(1L, 4L, 9L);
    assertThat(cluster.count(SHELL, "create jobs")).isEqualTo(3);
    assertThat(jobs()).allSatisfy(j -> assertThat(ApiServerJobRules.jobProblems(j)).as("single-call Job").isEmpty());
  }

  private static void waitFor(java.util.function.BooleanSupplier condition) throws InterruptedException {
    long deadline = System.nanoTime() + Duration.ofSeconds(30).toNanos();
    while (!condition.getAsBoolean()) {
      if (System.nanoTime() > deadline) {
        throw new AssertionError("condition not met within 30 s");
      }
      Thread.sleep(50);
    }
  }
}
