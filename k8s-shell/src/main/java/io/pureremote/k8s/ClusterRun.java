package io.pureremote.k8s;

import io.pureremote.k8s.values.Ranges;
import io.fabric8.kubernetes.api.model.GenericKubernetesResource;
import io.fabric8.kubernetes.api.model.HasMetadata;
import io.fabric8.kubernetes.api.model.Pod;
import io.pureremote.ShellException;
import io.pureremote.spi.Shell.Launch;
import io.pureremote.spi.Shell.LaunchRequest;
import io.pureremote.spi.Shell.Outcome;
import java.time.Duration;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * One call's object on a cluster shell (an MPIJob, a torch Indexed Job, PyTorchJob or TrainJob),
 * from creation to its outcome: the part the MPI and torch shells' runs share. A subclass reads its
 * object's status ({@link #onObject}) and runs its watchdogs ({@link #tick}); this class keeps the
 * call's state and does what every run does alike:
 *
 * <ul>
 *   <li>ends the call exactly once: {@link #finish} with an {@link Outcome} or {@link #fail} with a
 *       {@link ShellException}, each untracking the run;
 *   <li>cancels: the object is deleted unless it is still being created (then its creator deletes
 *       it when {@link #onCreated} answers false);
 *   <li>re-creates the run after a disruption ({@link #recreate}) as {@code <name>-r<n>}, without
 *       spending the caller's retries, up to {@link Spec#maxRecreations()}; then {@link
 *       #disruptedTooOften};
 *   <li>words the outcomes every run has alike: cancelled, deleted from outside ({@code
 *       JobDeleted}), pods pending too long ({@link #failPending}, {@code PodsPending}), disrupted
 *       too often ({@code Evicted});
 *   <li>gates the watchdog's log polls: at most one a second, never two at once ({@link
 *       #pollDue}, {@link #poll}).
 * </ul>
 *
 * <p>It reaches the cluster only through its {@link Actions}, so its decisions can be checked
 * without an API server. Public for the MPI and torch shells, which live in modules of their own.
 * Thread-safe: state is guarded by {@code this} (subclasses take the same lock); cluster requests
 * run on the shell's executor ({@link Actions#submit}), never under the lock.
 *
 * @param <T> the type of the object whose events the run reads
 */
public abstract class ClusterRun<T extends HasMetadata> implements Launch {
  private static final long POLL_NANOS = TimeUnit.SECONDS.toNanos(1);
  private static final int TAIL_LINES = 20;

  /** Where a run is. */
  protected enum Phase {
    /** The object is being created (first, or again after a disruption). */
    CREATING,
    /** The object exists; the operator or controller has not started it yet. */
    CREATED,
    /** The operator picked the object up; its pods are not all running yet (MPIJob). */
    STARTED,
    /** The pods run. */
    RUNNING,
    /** The object reported its end; the outcome is being read from its pods. */
    ENDING,
    /** The call's outcome is known. */
    DONE
  }

  /**
   * What a run asks of the shell that made it: the only way out of its state machine, besides the
   * reads its subclass makes. Every action may call back into the run later, on another thread,
   * but never from inside the call.
   *
   * @param <T> the type of the run's object
   */
  public interface Actions<T extends HasMetadata> {
    /** Runs {@code task} on the shell's executor. */
    void submit(Runnable task);

    /**
     * Creates object {@code name} for {@code run} ({@code attempt} 0 first, then one per
     * re-creation), then calls {@link ClusterRun#onCreated} or {@link ClusterRun#fail}.
     */
    void create(ClusterRun<T> run, String name, int attempt);

    /** Deletes object {@code name} with foreground propagation; {@code why} goes to the log. */
    void delete(String name, String why);

    /** The run is over: stop routing events to it. */
    void untrack(ClusterRun<T> run);

    /** The run moved from object {@code from} to object {@code to}: route the new name's events to it. */
    void retrack(ClusterRun<T> run, String from, String to);
  }

  /**
   * What a run is of and the limits it keeps, fixed when it is made.
   *
   * @param kind the object's kind, as messages name it ({@code MPIJob}, {@code Job}, {@code PyTorchJob})
   * @param namespace the object's namespace
   * @param optionsType the options type whose settings messages name ({@code MpiShellOptions})
   * @param maxRecreations how many times a disrupted run is re-created (the options' {@code maxEvictionRetries})
   * @param pendingTimeout how long the pods may take to run (the options' {@code pendingTimeout})
   * @param tailHeading the heading of the followed pod's last log lines in messages
   */
  public record Spec(String kind, String namespace, String optionsType, int maxRecreations, Duration pendingTimeout,
      String tailHeading) {
    /** Checks that no part is missing and {@code maxRecreations} is not negative. */
    public Spec {
      Objects.requireNonNull(kind, "kind");
      Objects.requireNonNull(namespace, "namespace");
      Objects.requireNonNull(optionsType, "optionsType");
      Objects.requireNonNull(pendingTimeout, "pendingTimeout");
      Objects.requireNonNull(tailHeading, "tailHeading");
      Ranges.check("maxRecreations", Ranges.atLeastProblem(0, maxRecreations));
    }
  }

  private final Logger log = LoggerFactory.getLogger(getClass());
  private final Actions<T> actions;
  private final LaunchRequest request;
  private final Spec spec;
  private final CompletableFuture<Outcome> completion = new CompletableFuture<>();
  private final LogTail tail = new LogTail(TAIL_LINES);
  private volatile String name;
  private volatile int attempt;
  private Phase phase = Phase.CREATING;
  private long createdAt;
  private long lastPoll;
  private boolean pollBusy;
  private boolean cancelled;

  /**
   * A run of {@code request} whose first object is {@code name}, in phase {@link Phase#CREATING}.
   */
  protected ClusterRun(Actions<T> actions, LaunchRequest request, String name, Spec spec) {
    this.actions = Objects.requireNonNull(actions, "actions");
    this.request = Objects.requireNonNull(request, "request");
    this.name = Objects.requireNonNull(name, "name");
    this.spec = Objects.requireNonNull(spec, "spec");
  }

  // ---- events in ----

  /** An event for the run's object from the shell's informer (it may name an older object of the run). */
  public abstract void onObject(T object);

  /** The shell's watchdog tick, {@code now} from {@link System#nanoTime()}. */
  public abstract void tick(long now);

  /** The object was created; false when the run was cancelled or ended meanwhile (the creator deletes it). */
  public final synchronized boolean onCreated(String created) {
    if (cancelled || phase == Phase.DONE) {
      return false;
    }
    name = created;
    phase = Phase.CREATED;
    createdAt = System.nanoTime();
    return true;
  }

  /** Object {@code deleted} was deleted; the run ends with {@code JobDeleted} when it was the live one. */
  public final void onDeleted(String deleted) {
    synchronized (this) {
      if (phase == Phase.DONE || phase == Phase.ENDING || phase == Phase.CREATING || !deleted.equals(name)) {
        return;
      }
      finish(new Outcome("JobDeleted", null, spec.kind() + " " + spec.namespace() + "/" + deleted + " was deleted before "
          + "it reported completion; this process did not delete it: look for `kubectl delete`, namespace cleanup or a "
          + "short ttlSecondsAfterFinished." + tailText()));
    }
  }

  /**
   * Ends the run with {@code e} unless it ended already: the shell could not create or watch its
   * object, or a watchdog or the object's status decided.
   */
  public final synchronized void fail(ShellException e) {
    if (end()) {
      completion.completeExceptionally(e);
    }
  }

  @Override
  public final void cancel() {
    String toDelete;
    synchronized (this) {
      if (phase == Phase.DONE) {
        return;
      }
      cancelled = true;
      toDelete = phase == Phase.CREATING ? null : name;
      finish(new Outcome("Cancelled", null, "cancelled by the caller; " + spec.kind() + " " + spec.namespace() + "/" + name
          + " deleted"));
    }
    if (toDelete != null) {
      actions.delete(toDelete, "cancelled");
    }
  }

  // ---- what the shell reads ----

  @Override
  public final CompletableFuture<Outcome> completion() {
    return completion;
  }

  /** The call this run is for. */
  public final LaunchRequest request() {
    return request;
  }

  /** The name of the run's current object. */
  public final String name() {
    return name;
  }

  /** How many times the run was re-created after a disruption (0 for the first object). */
  public final int attempt() {
    return attempt;
  }

  @Override
  public String toString() {
    return description();
  }

  // ---- for subclasses ----

  /** What the run is of. */
  protected final Spec spec() {
    return spec;
  }

  /** What the run asks of its shell. */
  protected final Actions<T> actions() {
    return actions;
  }

  /** The followed pod's log so far (for {@link #followLog}). */
  protected final LogTail tail() {
    return tail;
  }

  /** Where the run is. */
  protected final synchronized Phase phase() {
    return phase;
  }

  /** Moves the run to {@code next}; the caller holds this run's lock and decided the move. */
  protected final synchronized void phase(Phase next) {
    phase = Objects.requireNonNull(next, "next");
  }

  /** When the current object was created ({@link System#nanoTime()}); 0 before. */
  protected final synchronized long createdAt() {
    return createdAt;
  }

  /** Reads the followed pod's log and passes on the lines not seen yet (through {@link #tail()}). */
  protected abstract void followLog();

  /** The followed pod's last log lines under {@link Spec#tailHeading()}, or empty. */
  protected final String tailText() {
    return tail.text(spec.tailHeading());
  }

  /**
   * The object's name for re-creation {@code attempt} (1, 2, ...); by default the call's name with
   * the suffix {@code -r<attempt>}.
   */
  protected String nameFor(int attempt) {
    return PodSpecs.callName(request, "-r" + attempt);
  }

  /** Whether a disrupted run may be re-created once more. */
  protected final synchronized boolean mayRecreate() {
    return attempt < spec.maxRecreations();
  }

  /**
   * Re-creates the run after a disruption, without spending the caller's retries: the next object
   * ({@link #nameFor}) gets the run's events and a fresh log tail; on the executor the old object is
   * deleted and the next created. Check {@link #mayRecreate()} first, holding this run's lock.
   *
   * @param cause what happened, for the log (e.g. {@code "failed with MPIJobEvicted (...)"})
   */
  protected final synchronized void recreate(String cause) {
    if (!mayRecreate()) {
      throw new IllegalStateException(spec.kind() + " " + name + " was re-created " + attempt + " times already, the most "
          + "its options allow; check mayRecreate() first");
    }
    int next = attempt + 1;
    attempt = next;
    String old = name;
    String nextName = nameFor(next);
    log.info("{} {}/{} for {} {}; re-creating the run as {} (disruption {} of {}; the caller's retries are not spent)",
        spec.kind(), spec.namespace(), old, request.shortLabel(), cause, nextName, next, spec.maxRecreations());
    name = nextName;
    phase = Phase.CREATING;
    tail.reset();
    actions.retrack(this, old, nextName);
    actions.submit(() -> {
      actions.delete(old, "disrupted; re-created as " + nextName);
      actions.create(this, nextName, next);
    });
  }

  /**
   * The error of a run disrupted more often than it may be re-created ({@code Evicted}, transient).
   *
   * @param what what happened, worded so that "the shell re-creates it at most n times" follows
   */
  protected final ShellException disruptedTooOften(String what) {
    return new ShellException("Evicted", null, what + " the shell re-creates it at most " + spec.maxRecreations() + " times ("
        + spec.optionsType() + ".maxEvictionRetries). Nodes are being drained or preempted: use on-demand nodes or retry "
        + "later." + tailText(), true);
  }

  /**
   * Ends the run with exit 0 after passing on the followed pod's last lines; with {@code delete},
   * deletes object {@code ended} too (nodes still running would hold their quota; the result is in
   * the store already). Runs on the executor.
   */
  protected final void succeed(String ended, String detail, boolean delete) {
    followLog();
    finish(Outcome.exited(Outcome.EXIT_OK, detail));
    if (delete) {
      actions.delete(ended, "the call succeeded");
    }
  }

  /**
   * Deletes object {@code stuck} and ends the run with {@code PodsPending}, naming why each of
   * {@code pods} is pending. Runs on the executor.
   *
   * @param notRunning what did not happen in time, e.g. {@code "start running"}
   */
  protected final void failPending(String stuck, String notRunning, List<Pod> pods) {
    List<String> reasons = PodSpecs.pendingReasons(pods);
    actions.delete(stuck, "pending too long");
    fail(new ShellException("PodsPending", null, spec.kind() + " " + spec.namespace() + "/" + stuck + " did not "
        + notRunning + " within " + spec.pendingTimeout().toSeconds() + " s (" + spec.optionsType() + ".pendingTimeout); "
        + (reasons.isEmpty() ? "no pod reported a reason (`kubectl describe " + spec.kind().toLowerCase(Locale.ROOT) + " -n "
            + spec.namespace() + " " + stuck + "`)" : "pending pods: " + String.join("; ", reasons)), false));
  }

  /** Ends the run with {@code outcome} unless it ended already. */
  protected final synchronized void finish(Outcome outcome) {
    if (end()) {
      completion.complete(outcome);
    }
  }

  /** Moves the run to {@link Phase#DONE} and untracks it; false when it was done already. */
  private synchronized boolean end() {
    if (phase == Phase.DONE) {
      return false;
    }
    phase = Phase.DONE;
    actions.untrack(this);
    return true;
  }

  /**
   * Whether a log poll is due at {@code now} (at most one a second, never two at once); a true
   * answer claims it, to be run with {@link #poll}.
   */
  protected final synchronized boolean pollDue(long now) {
    if (pollBusy || now - lastPoll <= POLL_NANOS) {
      return false;
    }
    pollBusy = true;
    lastPoll = now;
    return true;
  }

  /** Runs the claimed poll {@code body} on the executor and releases the claim after it. */
  protected final void poll(Runnable body) {
    actions.submit(() -> {
      try {
        body.run();
      } finally {
        synchronized (this) {
          pollBusy = false;
        }
      }
    });
  }

  /** The {@code status} of a custom object, or an empty map. */
  @SuppressWarnings("unchecked")
  protected static Map<String, Object> status(GenericKubernetesResource object) {
    return object.getAdditionalProperties().get("status") instanceof Map<?, ?> m ? (Map<String, Object>) m : Map.of();
  }

  /** The condition of {@code type} with status {@code True} in a custom object's {@code status}, if any. */
  @SuppressWarnings("unchecked")
  protected static Optional<Map<String, Object>> condition(Map<String, Object> status, String type) {
    if (!(status.get("conditions") instanceof List<?> list)) {
      return Optional.empty();
    }
    for (Object o : list) {
      if (o instanceof Map<?, ?> c && type.equals(c.get("type")) && "True".equals(c.get("status"))) {
        return Optional.of((Map<String, Object>) c);
      }
    }
    return Optional.empty();
  }
}
