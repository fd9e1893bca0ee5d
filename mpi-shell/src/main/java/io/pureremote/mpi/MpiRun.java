package io.pureremote.mpi;

import io.fabric8.kubernetes.api.model.ContainerStateTerminated;
import io.fabric8.kubernetes.api.model.ContainerStatus;
import io.fabric8.kubernetes.api.model.GenericKubernetesResource;
import io.fabric8.kubernetes.api.model.Pod;
import io.pureremote.ShellException;
import io.pureremote.k8s.LogTail;
import io.pureremote.k8s.PodSpecs;
import io.pureremote.spi.Shell.Launch;
import io.pureremote.spi.Shell.LaunchRequest;
import io.pureremote.spi.Shell.Outcome;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * One call's MPIJob, from creation to its outcome: reads the MPIJob's conditions from the shared
 * informer, re-creates it after {@code MPIJobEvicted}, runs the pick-up and pending watchdogs on
 * the shell's ticks, and follows the launcher pod's log. Thread-safe: state is guarded by {@code
 * this}; cluster requests run on the shell's executor, never under the lock.
 */
final class MpiRun implements Launch {
  private static final Logger log = LoggerFactory.getLogger(MpiRun.class);
  static final String EVICTED = "MPIJobEvicted";
  private static final long LOG_POLL_NANOS = TimeUnit.SECONDS.toNanos(1);
  private static final int TAIL_LINES = 20;

  private enum Phase { CREATING, CREATED, STARTED, RUNNING, ENDING, DONE }

  private final MpiShell shell;
  private final LaunchRequest request;
  private final String baseName;
  private final CompletableFuture<Outcome> completion = new CompletableFuture<>();
  private final LogTail tail = new LogTail(TAIL_LINES);
  private Phase phase = Phase.CREATING;
  private String name;
  private int evictions;
  private long createdAt;
  private long lastLogPoll;
  private boolean logPollBusy;
  private boolean cancelled;

  MpiRun(MpiShell shell, LaunchRequest request, String name) {
    this.shell = shell;
    this.request = request;
    this.baseName = name;
    this.name = name;
  }

  LaunchRequest request() {
    return request;
  }

  synchronized String name() {
    return name;
  }

  @Override
  public CompletableFuture<Outcome> completion() {
    return completion;
  }

  @Override
  public synchronized String description() {
    return "mpijob " + shell.options().namespace() + "/" + name;
  }

  @Override
  public void cancel() {
    String toDelete;
    synchronized (this) {
      if (phase == Phase.DONE) {
        return;
      }
      cancelled = true;
      toDelete = phase == Phase.CREATING ? null : name;
      finish(new Outcome("Cancelled", null, "cancelled by the caller; MPIJob " + shell.options().namespace() + "/" + name
          + " deleted"));
    }
    if (toDelete != null) {
      shell.delete(toDelete, "cancelled");
    }
  }

  /** The MPIJob was created; false when the run was cancelled meanwhile (the creator deletes it). */
  synchronized boolean onCreated(String created) {
    if (cancelled || phase == Phase.DONE) {
      return false;
    }
    name = created;
    phase = Phase.CREATED;
    createdAt = System.nanoTime();
    return true;
  }

  synchronized void fail(ShellException e) {
    if (phase == Phase.DONE) {
      return;
    }
    phase = Phase.DONE;
    shell.untrack(this);
    completion.completeExceptionally(e);
  }

  /** An MPIJob event from the informer. */
  void onMpiJob(GenericKubernetesResource job) {
    String failedReason = null;
    String failedMessage = null;
    boolean succeeded = false;
    synchronized (this) {
      if (phase == Phase.DONE || phase == Phase.ENDING || !job.getMetadata().getName().equals(name)) {
        return;
      }
      Map<String, Object> status = map(job.getAdditionalProperties().get("status"));
      boolean created = condition(status, "Created").isPresent() || status.get("startTime") != null;
      if (created && phase == Phase.CREATED) {
        phase = Phase.STARTED;
      }
      if (condition(status, "Running").isPresent()) {
        phase = Phase.RUNNING;
      }
      Optional<Map<String, Object>> done = condition(status, "Succeeded");
      Optional<Map<String, Object>> failed = condition(status, "Failed");
      if (done.isPresent()) {
        succeeded = true;
        phase = Phase.ENDING;
      } else if (failed.isPresent()) {
        failedReason = String.valueOf(failed.get().getOrDefault("reason", "Failed"));
        failedMessage = String.valueOf(failed.get().getOrDefault("message", ""));
        if (EVICTED.equals(failedReason) && evictions < shell.options().maxEvictionRetries()) {
          evictions++;
          String old = name;
          String next = PodSpecs.callName(request, "-r" + evictions);
          log.info("MPIJob {}/{} for {} failed with {} ({}); re-creating it as {} (eviction {} of {}; the caller's retries "
              + "are not spent)", shell.options().namespace(), old, request.shortLabel(), failedReason, failedMessage, next,
              evictions, shell.options().maxEvictionRetries());
          name = next;
          phase = Phase.CREATING;
          tail.reset();
          shell.rename(this, old, next);
          int attempt = evictions;
          shell.submit(() -> {
            shell.delete(old, "evicted; re-created as " + next);
            shell.create(this, next, attempt);
          });
          return;
        }
        phase = Phase.ENDING;
      } else {
        return;
      }
    }
    String ended = name();
    if (succeeded) {
      shell.submit(() -> {
        followLogOnce();
        finish(Outcome.exited(Outcome.EXIT_OK, "MPIJob " + ended + " succeeded"));
      });
      return;
    }
    String reason = failedReason;
    String message = failedMessage;
    shell.submit(() -> {
      followLogOnce();
      if (EVICTED.equals(reason)) {
        failAndKeep(new ShellException("Evicted", null, "MPIJob " + shell.options().namespace() + "/" + ended + " was evicted "
            + (evictions + 1) + " times (" + message + "); the shell re-creates it at most "
            + shell.options().maxEvictionRetries() + " times (MpiShellOptions.maxEvictionRetries). Nodes are being drained "
            + "or preempted: use on-demand nodes or retry later." + tailText(), true));
        return;
      }
      Optional<Integer> exit = launcherExitCode(ended);
      String detail = "MPIJob " + ended + " failed: " + reason + (message.isEmpty() ? "" : " (" + message + ")") + tailText();
      finish(exit.map(code -> Outcome.exited(code, detail)).orElseGet(() -> new Outcome(reason, null, detail)));
    });
  }

  /** The MPIJob was deleted before it ended. */
  void onDeleted(String deleted) {
    synchronized (this) {
      if (phase == Phase.DONE || phase == Phase.ENDING || phase == Phase.CREATING || !deleted.equals(name)) {
        return;
      }
      finish(new Outcome("MpiJobDeleted", null, "MPIJob " + shell.options().namespace() + "/" + deleted + " was deleted before "
          + "it reported completion; this process did not delete it: look for `kubectl delete`, namespace cleanup or a short "
          + "ttlSecondsAfterFinished." + tailText()));
    }
  }

  /** The shell's watchdog tick. */
  void tick(long now) {
    Phase p;
    boolean pollLog = false;
    synchronized (this) {
      p = phase;
      if (p == Phase.CREATED && now - createdAt > shell.options().operatorPickupBound().toNanos()) {
        String ns = shell.options().namespace();
        String stuck = name;
        phase = Phase.DONE;
        shell.untrack(this);
        shell.submit(() -> shell.delete(stuck, "not picked up by the MPI Operator"));
        completion.completeExceptionally(new ShellException("OperatorNotRunning", null, "MPIJob " + ns + "/" + stuck
            + " got no Created condition and no startTime within " + shell.options().operatorPickupBound().toSeconds()
            + " s: the MPI Operator is not running or does not watch namespace '" + ns + "'. Check `kubectl get pods -n "
            + "mpi-operator` and its logs, or raise MpiShellOptions.operatorPickupBound.", false));
        return;
      }
      if ((p == Phase.STARTED || p == Phase.CREATED) && now - createdAt > shell.options().pendingTimeout().toNanos()) {
        phase = Phase.ENDING;
        String stuck = name;
        shell.submit(() -> failPending(stuck));
        return;
      }
      if ((p == Phase.STARTED || p == Phase.RUNNING) && !logPollBusy && now - lastLogPoll > LOG_POLL_NANOS) {
        logPollBusy = true;
        lastLogPoll = now;
        pollLog = true;
      }
    }
    if (pollLog) {
      shell.submit(() -> {
        try {
          followLogOnce();
        } finally {
          synchronized (this) {
            logPollBusy = false;
          }
        }
      });
    }
  }

  private void failPending(String stuck) {
    List<String> reasons = new ArrayList<>();
    for (String role : List.of("worker", "launcher")) {
      reasons.addAll(PodSpecs.pendingReasons(shell.pods(stuck, role)));
    }
    shell.delete(stuck, "pending too long");
    failAndKeep(new ShellException("PodsPending", null, "MPIJob " + shell.options().namespace() + "/" + stuck + " did not start "
        + "running within " + shell.options().pendingTimeout().toSeconds() + " s (MpiShellOptions.pendingTimeout); "
        + (reasons.isEmpty() ? "no pod reported a reason (were its pods created? `kubectl describe mpijob -n "
            + shell.options().namespace() + " " + stuck + "`)" : "pending pods: " + String.join("; ", reasons)), false));
  }

  private synchronized void failAndKeep(ShellException e) {
    phase = Phase.ENDING;
    if (completion.isDone()) {
      return;
    }
    phase = Phase.DONE;
    shell.untrack(this);
    completion.completeExceptionally(e);
  }

  private synchronized void finish(Outcome outcome) {
    if (phase == Phase.DONE && completion.isDone()) {
      return;
    }
    phase = Phase.DONE;
    shell.untrack(this);
    completion.complete(outcome);
  }

  /** Reads the launcher pod's log and passes on the lines not seen yet. */
  private void followLogOnce() {
    String job = name();
    tail.follow(job, () -> shell.pods(job, "launcher"), shell::podLog, shell.logSink());
  }

  private Optional<Integer> launcherExitCode(String job) {
    Integer code = null;
    for (Pod pod : shell.pods(job, "launcher")) {
      if (pod.getStatus() == null || pod.getStatus().getContainerStatuses() == null) {
        continue;
      }
      for (ContainerStatus s : pod.getStatus().getContainerStatuses()) {
        if (!MpiJobFactory.CONTAINER.equals(s.getName())) {
          continue;
        }
        ContainerStateTerminated t = s.getState() != null && s.getState().getTerminated() != null ? s.getState().getTerminated()
            : s.getLastState() != null ? s.getLastState().getTerminated() : null;
        if (t != null && t.getExitCode() != null) {
          code = t.getExitCode();
        }
      }
    }
    return Optional.ofNullable(code);
  }

  private String tailText() {
    return tail.text("Last launcher log lines");
  }

  @SuppressWarnings("unchecked")
  private static Map<String, Object> map(Object o) {
    return o instanceof Map<?, ?> m ? (Map<String, Object>) m : Map.of();
  }

  private static Optional<Map<String, Object>> condition(Map<String, Object> status, String type) {
    if (!(status.get("conditions") instanceof List<?> list)) {
      return Optional.empty();
    }
    for (Object o : list) {
      Map<String, Object> c = map(o);
      if (type.equals(c.get("type")) && "True".equals(c.get("status"))) {
        return Optional.of(c);
      }
    }
    return Optional.empty();
  }

  @Override
  public String toString() {
    return description() + " (" + baseName + ")";
  }
}
