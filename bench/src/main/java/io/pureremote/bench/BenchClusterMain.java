package io.pureremote.bench;

import io.pureremote.spi.Shell;
import io.fabric8.kubernetes.api.model.Container;
import io.fabric8.kubernetes.api.model.batch.v1.Job;
import io.fabric8.kubernetes.api.model.batch.v1.JobBuilder;
import io.fabric8.kubernetes.api.model.batch.v1.JobCondition;
import io.fabric8.kubernetes.api.model.batch.v1.JobConditionBuilder;
import io.fabric8.kubernetes.api.model.batch.v1.JobStatusBuilder;
import io.fabric8.kubernetes.client.KubernetesClient;
import io.fabric8.kubernetes.client.KubernetesClientException;
import io.fabric8.kubernetes.client.informers.ResourceEventHandler;
import io.fabric8.kubernetes.client.informers.SharedIndexInformer;
import io.pureremote.testing.kubernetes.FakeKubelet;
import io.pureremote.testing.kubernetes.MockKubernetes;
import java.io.BufferedReader;
import java.io.InputStreamReader;
import java.nio.charset.StandardCharsets;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import java.util.stream.Collectors;

/**
 * A fake Kubernetes cluster in its own JVM for the bench's Kubernetes scenarios, on the
 * Kubernetes test kit (pureremote-testing-kubernetes): the fabric8 mock API server in CRUD mode with
 *
 * <ul>
 *   <li>in the first namespace, the fake kubelet / Job controller ({@code FakeKubelet}): a pod per
 *       Job with its status transitions, about five API writes per Job, and the Job's {@code
 *       RemoteMain} run in this JVM;
 *   <li>in the second namespace, a fast Job controller: it runs the Job's {@code RemoteMain} in this
 *       JVM and writes the Job's final status, one API write per Job and no pods, so the mock can
 *       keep up with a 10,000-call fan-out;
 *   <li>in both, what the mock lacks for long runs: a TTL-after-finished controller, which deletes
 *       finished Jobs after their {@code ttlSecondsAfterFinished} (the fake kubelet then deletes
 *       their pods), so the mock's store, which scans every object on each request, stays as small
 *       as a real cluster's.
 * </ul>
 *
 * <p>Kept out of the caller's JVM so the caller's heap, threads and CPU are the shell's alone.
 *
 * <p>Usage: {@code BenchClusterMain <kubelet namespace> <fast namespace> <in-process image>}.
 * Prints {@code ready <API URL>}, then answers one line per command on stdin: {@code counts} (the shell's requests by kind,
 * {@code kind=n;...}), {@code clear}, {@code jobs} (Jobs seen), {@code quiesce} (stop sending watch
 * events, before clients close their watches), {@code quit}. Logs go to stderr. Exits when its
 * parent does.
 */
public final class BenchClusterMain {
  private BenchClusterMain() {}

  /** Runs the cluster until {@code quit} or the end of stdin. */
  public static void main(String[] args) throws Exception {
    if (args.length != 3) {
      System.err.println("usage: BenchClusterMain <kubelet namespace> <fast namespace> <in-process image>");
      System.exit(64);
    }
    // Never outlive the bench JVM, even when a stuck mock server keeps this one from quitting.
    ProcessHandle.current().parent().ifPresent(p -> p.onExit().thenRun(() -> Runtime.getRuntime().halt(0)));
    MockKubernetes cluster = new MockKubernetes();
    FakeKubelet kubelet = new FakeKubelet(cluster, args[0]).inProcess(args[2]).start();
    FastJobController fast = new FastJobController(cluster.client("fast-controller"), args[1]);
    TtlController ttl = new TtlController(cluster.client("ttl-controller"));
    System.out.println("ready " + cluster.server().url("/"));
    System.out.flush();
    BufferedReader in = new BufferedReader(new InputStreamReader(System.in, StandardCharsets.UTF_8));
    String line;
    while ((line = in.readLine()) != null && !line.equals("quit")) {
      switch (line.trim()) {
        case "counts" -> System.out.println("counts " + format(cluster.counts(MockKubernetes.SHELL)));
        case "clear" -> {
          cluster.clearRequests();
          System.out.println("ok");
        }
        case "jobs" -> System.out.println("jobs " + kubelet.jobsSeen().size());
        case "quiesce" -> {
          // The mock's websocket writes can block its event loop when they race with a closing watch.
          cluster.quiesce();
          System.out.println("ok");
        }
        default -> System.out.println("error unknown command: " + line);
      }
      System.out.flush();
    }
    cluster.quiesce();
    ttl.close();
    fast.close();
    kubelet.close();
    cluster.close();
    System.exit(0);
  }

  /** Kubernetes' TTL-after-finished controller, which the mock API server does not have. */
  private static final class TtlController implements AutoCloseable {
    private final KubernetesClient client;
    private final ScheduledExecutorService timer = Executors.newSingleThreadScheduledExecutor(r -> {
      Thread t = new Thread(r, "ttl-controller");
      t.setDaemon(true);
      return t;
    });
    private final Set<String> scheduled = ConcurrentHashMap.newKeySet();
    private final SharedIndexInformer<Job> informer;

    TtlController(KubernetesClient client) {
      this.client = client;
      this.informer = client.batch().v1().jobs().inAnyNamespace().inform(new ResourceEventHandler<Job>() {
        @Override
        public void onAdd(Job job) {
          maybeSchedule(job);
        }

        @Override
        public void onUpdate(Job old, Job job) {
          maybeSchedule(job);
        }

        @Override
        public void onDelete(Job job, boolean unknown) {
          scheduled.remove(job.getMetadata().getNamespace() + "/" + job.getMetadata().getName());
        }
      }, 0);
    }

    private void maybeSchedule(Job job) {
      Integer ttl = job.getSpec().getTtlSecondsAfterFinished();
      String namespace = job.getMetadata().getNamespace();
      String name = job.getMetadata().getName();
      if (ttl == null || !finished(job) || !scheduled.add(namespace + "/" + name)) {
        return;
      }
      timer.schedule(() -> {
        try {
          client.batch().v1().jobs().inNamespace(namespace).withName(name).delete();
        } catch (KubernetesClientException e) {
          System.err.println("ttl-controller: cannot delete Job " + name + ": " + e);
        }
      }, ttl, TimeUnit.SECONDS);
    }

    static boolean finished(Job job) {
      if (job.getStatus() == null || job.getStatus().getConditions() == null) {
        return false;
      }
      for (JobCondition c : job.getStatus().getConditions()) {
        if (("Complete".equals(c.getType()) || "Failed".equals(c.getType())) && "True".equals(c.getStatus())) {
          return true;
        }
      }
      return false;
    }

    @Override
    public void close() {
      informer.close();
      timer.shutdownNow();
    }
  }

  /**
   * The fast fixture: for each new Job, runs {@code RemoteMain} with the container's args in this
   * JVM on a virtual thread, then writes the Job's final status in one request (Complete, or
   * Failed with the exit code). No pods, no intermediate states.
   */
  private static final class FastJobController implements AutoCloseable {
    private final KubernetesClient client;
    private final String namespace;
    private final Set<String> seen = ConcurrentHashMap.newKeySet();
    private final ExecutorService runs = Executors.newThreadPerTaskExecutor(Thread.ofVirtual().name("fast-job-", 0).factory());
    private final SharedIndexInformer<Job> informer;

    FastJobController(KubernetesClient client, String namespace) {
      this.client = client;
      this.namespace = namespace;
      this.informer = client.batch().v1().jobs().inNamespace(namespace).inform(new ResourceEventHandler<Job>() {
        @Override
        public void onAdd(Job job) {
          start(job);
        }

        @Override
        public void onUpdate(Job old, Job job) {
          start(job);
        }

        @Override
        public void onDelete(Job job, boolean unknown) {
          seen.remove(job.getMetadata().getUid());
        }
      }, 0);
    }

    private void start(Job job) {
      if (TtlController.finished(job) || job.getMetadata().getDeletionTimestamp() != null
          || !seen.add(job.getMetadata().getUid())) {
        return;
      }
      runs.execute(() -> run(job));
    }

    private void run(Job job) {
      Container container = job.getSpec().getTemplate().getSpec().getContainers().getFirst();
      List<String> args = container.getArgs() == null ? List.of() : container.getArgs();
      int code;
      try {
        code = Shell.runRemoteMain(args, System.getenv());
      } catch (RuntimeException e) {
        System.err.println("fast controller: " + job.getMetadata().getName() + " crashed: " + e);
        code = 128;
      }
      String now = Instant.now().toString();
      JobStatusBuilder status = new JobStatusBuilder().withStartTime(now).withActive(0).withReady(0);
      if (code == 0) {
        status.withSucceeded(1).withCompletionTime(now).withConditions(
            condition("SuccessCriteriaMet", "CompletionsReached", "Reached expected number of succeeded pods", now),
            condition("Complete", "CompletionsReached", "Reached expected number of succeeded pods", now));
      } else {
        String message = "Container exited with code " + code;
        status.withFailed(1).withConditions(condition("FailureTarget", "BackoffLimitExceeded", message, now),
            condition("Failed", "BackoffLimitExceeded", message, now));
      }
      Job done = new JobBuilder(job).withStatus(status.build()).build();
      try {
        client.batch().v1().jobs().inNamespace(namespace).resource(done).updateStatus();
      } catch (KubernetesClientException e) {
        System.err.println("fast controller: cannot write the status of " + job.getMetadata().getName() + ": " + e);
      }
    }

    private static JobCondition condition(String type, String reason, String message, String at) {
      return new JobConditionBuilder().withType(type).withStatus("True").withReason(reason).withMessage(message)
          .withLastProbeTime(at).withLastTransitionTime(at).build();
    }

    @Override
    public void close() {
      informer.close();
      runs.shutdownNow();
    }
  }

  private static String format(Map<String, Integer> counts) {
    return counts.entrySet().stream().map(e -> e.getKey() + "=" + e.getValue()).collect(Collectors.joining(";"));
  }
}
