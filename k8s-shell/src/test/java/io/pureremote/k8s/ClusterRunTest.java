package io.pureremote.k8s;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.fabric8.kubernetes.api.model.Pod;
import io.fabric8.kubernetes.api.model.PodBuilder;
import io.fabric8.kubernetes.api.model.PodConditionBuilder;
import io.fabric8.kubernetes.api.model.batch.v1.Job;
import io.fabric8.kubernetes.api.model.batch.v1.JobBuilder;
import io.pureremote.ShellException;
import io.pureremote.spi.Shell.Outcome;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletionException;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;

/**
 * What every cluster run does alike, on a small run of its own with no API server: ending once,
 * cancel, deletion from outside, re-creation after disruptions up to the limit, the pending
 * failure and the poll gate. The cluster side is {@link RecordedActions}, which writes down what
 * the run asked for and holds submitted tasks until the test runs them. The MPI and torch runs are
 * tested end to end on the mock cluster in their modules.
 */
class ClusterRunTest {
  private static final String NAME = PodSpecs.callName(JobFactoryTest.REQUEST);
  private static final ClusterRun.Spec SPEC = new ClusterRun.Spec("Job", "ml", "DemoOptions", 1, Duration.ofSeconds(60),
      "Last lines");

  private final RecordedActions actions = new RecordedActions();

  @Test
  void cancelDeletesTheCreatedObjectOnceAndEndsTheRun() {
    DemoRun run = createdRun();

    run.cancel();
    run.cancel();

    Outcome outcome = run.completion().join();
    assertThat(outcome.reason()).isEqualTo("Cancelled");
    assertThat(outcome.detail()).isEqualTo("cancelled by the caller; Job ml/" + NAME + " deleted");
    assertThat(actions.log).containsExactly("untrack " + NAME, "delete " + NAME + " (cancelled)");
  }

  @Test
  void aRunCancelledWhileBeingCreatedLeavesTheDeletionToItsCreator() {
    DemoRun run = new DemoRun(actions);

    run.cancel();

    assertThat(run.completion().join().reason()).isEqualTo("Cancelled");
    assertThat(actions.log).containsExactly("untrack " + NAME);
    assertThat(run.onCreated(NAME)).as("the creator must delete what it created").isFalse();
  }

  @Test
  void theRunEndsOnceWhateverComesAfter() {
    DemoRun run = createdRun();
    run.onObject(job(NAME, "Complete"));
    actions.runTasks();

    assertThat(run.completion().join()).isEqualTo(Outcome.exited(0, "Job " + NAME + " completed"));
    run.fail(new ShellException("Late", null, "too late", false));
    run.onDeleted(NAME);
    run.cancel();
    assertThat(run.completion().join().reason()).isEqualTo("Exited");
    assertThat(actions.log).containsExactly("untrack " + NAME, "delete " + NAME + " (the call succeeded)");
  }

  @Test
  void anObjectDeletedFromOutsideEndsTheRunWithJobDeletedButAnOldNameDoesNot() {
    DemoRun run = createdRun();

    run.onDeleted("some-other-job");
    assertThat(run.completion()).isNotDone();
    run.onDeleted(NAME);

    Outcome outcome = run.completion().join();
    assertThat(outcome.reason()).isEqualTo("JobDeleted");
    assertThat(outcome.detail()).startsWith("Job ml/" + NAME + " was deleted before it reported completion")
        .contains("this process did not delete it");
  }

  @Test
  void aDisruptionRecreatesTheRunUnderTheNextNameUntilTheLimitThenEvicted() {
    DemoRun run = createdRun();

    run.onObject(job(NAME, "Disrupted"));
    String next = PodSpecs.callName(JobFactoryTest.REQUEST, "-r1");
    assertThat(run.name()).isEqualTo(next);
    assertThat(run.attempt()).isEqualTo(1);
    assertThat(actions.log).containsExactly("retrack " + NAME + " -> " + next);
    actions.runTasks();
    assertThat(actions.log).containsExactly("retrack " + NAME + " -> " + next,
        "delete " + NAME + " (disrupted; re-created as " + next + ")", "create " + next + " #1");
    run.onDeleted(NAME); // the old object going is no news
    assertThat(run.completion()).isNotDone();

    assertThat(run.onCreated(next)).isTrue();
    run.onObject(job(next, "Disrupted"));
    actions.runTasks();

    assertThat(run.completion()).isCompletedExceptionally();
    assertThatThrownBy(() -> run.completion().join()).isInstanceOf(CompletionException.class).cause()
        .isInstanceOfSatisfying(ShellException.class, e -> {
          assertThat(e.reason()).isEqualTo("Evicted");
          assertThat(e.getMessage()).contains("disrupted 2 times and the shell re-creates it at most 1 times "
              + "(DemoOptions.maxEvictionRetries)");
        });
    assertThat(actions.log).endsWith("delete " + next + " (disrupted too often)", "untrack " + next);
  }

  @Test
  void recreatingPastTheLimitIsRefused() {
    DemoRun run = createdRun();
    synchronized (run) {
      run.recreateNow();
      assertThatThrownBy(run::recreateNow).isInstanceOf(IllegalStateException.class).hasMessageContaining("mayRecreate");
    }
  }

  @Test
  void pendingPodsFailTheRunWithTheirReasonsAndDeleteTheObject() {
    DemoRun run = createdRun();
    Pod pending = new PodBuilder().withNewMetadata().withName(NAME + "-0").endMetadata().withNewStatus()
        .withPhase("Pending").withConditions(new PodConditionBuilder().withType("PodScheduled").withStatus("False")
            .withReason("Unschedulable").withMessage("0/3 nodes are available: 3 Insufficient nvidia.com/gpu.").build())
        .endStatus().build();

    run.tick(System.nanoTime() + TimeUnit.SECONDS.toNanos(61));
    run.pods = List.of(pending);
    actions.runTasks();

    assertThatThrownBy(() -> run.completion().join()).cause().isInstanceOfSatisfying(ShellException.class, e -> {
      assertThat(e.reason()).isEqualTo("PodsPending");
      assertThat(e.getMessage()).startsWith("Job ml/" + NAME + " did not start running within 60 s "
          + "(DemoOptions.pendingTimeout); pending pods: ").contains("Insufficient nvidia.com/gpu");
    });
    assertThat(actions.log).containsExactly("delete " + NAME + " (pending too long)", "untrack " + NAME);
  }

  @Test
  void withoutPodReasonsThePendingFailureSaysHowToLook() {
    DemoRun run = createdRun();
    run.tick(System.nanoTime() + TimeUnit.SECONDS.toNanos(61));
    actions.runTasks();
    assertThatThrownBy(() -> run.completion().join()).cause().hasMessageContaining("no pod reported a reason "
        + "(`kubectl describe job -n ml " + NAME + "`)");
  }

  @Test
  void logPollsComeAtMostOnceASecondAndNeverTwoAtOnce() {
    DemoRun run = createdRun();
    long now = System.nanoTime();
    run.tick(now);
    run.tick(now + TimeUnit.SECONDS.toNanos(2)); // the first is still queued
    assertThat(actions.tasks).hasSize(1);
    actions.runTasks();
    assertThat(run.logReads).isEqualTo(1);

    run.tick(now + TimeUnit.MILLISECONDS.toNanos(500) + 1); // within a second of the first
    assertThat(actions.tasks).isEmpty();
    run.tick(now + TimeUnit.SECONDS.toNanos(3));
    actions.runTasks();
    assertThat(run.logReads).isEqualTo(2);
  }

  @Test
  void clusterRunsRouteEventsToTheRunOfTheirCurrentObjectAndForgetEndedRuns() {
    List<String> deleted = new ArrayList<>();
    List<Runnable> tasks = new ArrayList<>();
    ClusterRuns<Job> runs = new ClusterRuns<>(tasks::add, (run, name, attempt) -> { }, (name, why) -> deleted.add(name));
    DemoRun run = new DemoRun(runs.actions());
    runs.track(NAME, run);
    assertThat(run.onCreated(NAME)).isTrue();

    runs.events().onUpdate(null, job(NAME, "Disrupted"));
    String next = PodSpecs.callName(JobFactoryTest.REQUEST, "-r1");
    assertThat(run.name()).isEqualTo(next);
    runs.events().onDelete(job(NAME, "Disrupted"), false); // the old object: no longer this run's
    assertThat(run.completion()).isNotDone();
    tasks.forEach(Runnable::run);
    assertThat(deleted).containsExactly(NAME);

    assertThat(run.onCreated(next)).isTrue();
    runs.events().onAdd(job(next, "Complete"));
    tasks.subList(1, tasks.size()).forEach(Runnable::run);
    assertThat(run.completion().join().reason()).isEqualTo("Exited");

    runs.cancelAll(); // the ended run is untracked: nothing is cancelled or deleted again
    runs.tick(System.nanoTime());
    assertThat(deleted).containsExactly(NAME, next);
    assertThat(run.completion().join().reason()).isEqualTo("Exited");
  }

  private DemoRun createdRun() {
    DemoRun run = new DemoRun(actions);
    assertThat(run.onCreated(NAME)).isTrue();
    return run;
  }

  private static Job job(String name, String condition) {
    return new JobBuilder().withNewMetadata().withName(name).endMetadata().withNewStatus().addNewCondition()
        .withType(condition).withStatus("True").endCondition().endStatus().build();
  }

  /**
   * A run that reads a Job's one condition: {@code Complete} succeeds (and deletes), {@code
   * Disrupted} re-creates or gives up; pending past the timeout fails; a poll reads the log.
   */
  private static final class DemoRun extends ClusterRun<Job> {
    volatile List<Pod> pods = List.of();
    int logReads;

    DemoRun(Actions<Job> actions) {
      super(actions, JobFactoryTest.REQUEST, NAME, SPEC);
    }

    @Override
    public String description() {
      return "demo " + name();
    }

    @Override
    public void onObject(Job job) {
      String type = job.getStatus().getConditions().get(0).getType();
      synchronized (this) {
        if (phase() == Phase.DONE || phase() == Phase.ENDING || !job.getMetadata().getName().equals(name())) {
          return;
        }
        if (type.equals("Disrupted") && mayRecreate()) {
          recreate("was disrupted");
          return;
        }
        phase(Phase.ENDING);
      }
      String ended = name();
      if (type.equals("Complete")) {
        actions().submit(() -> succeed(ended, "Job " + ended + " completed", true));
      } else {
        actions().submit(() -> {
          actions().delete(ended, "disrupted too often");
          fail(disruptedTooOften("Job " + ended + " was disrupted " + (attempt() + 1) + " times and"));
        });
      }
    }

    @Override
    public void tick(long now) {
      synchronized (this) {
        if (phase() == Phase.CREATED && now - createdAt() > spec().pendingTimeout().toNanos()) {
          phase(Phase.ENDING);
          String stuck = name();
          actions().submit(() -> failPending(stuck, "start running", pods));
          return;
        }
        if (phase() != Phase.CREATED || !pollDue(now)) {
          return;
        }
      }
      poll(this::followLog);
    }

    void recreateNow() {
      recreate("test");
    }

    @Override
    protected synchronized void followLog() {
      logReads++;
    }
  }

  /** Writes down what a run asked for; holds submitted tasks until {@link #runTasks()}. */
  private static final class RecordedActions implements ClusterRun.Actions<Job> {
    final List<String> log = new ArrayList<>();
    final List<Runnable> tasks = new ArrayList<>();

    @Override
    public synchronized void submit(Runnable task) {
      tasks.add(task);
    }

    /** Runs the submitted tasks, and those they submit, in order. */
    void runTasks() {
      while (true) {
        Runnable next;
        synchronized (this) {
          if (tasks.isEmpty()) {
            return;
          }
          next = tasks.remove(0);
        }
        next.run();
      }
    }

    @Override
    public synchronized void create(ClusterRun<Job> run, String name, int attempt) {
      log.add("create " + name + " #" + attempt);
    }

    @Override
    public synchronized void delete(String name, String why) {
      log.add("delete " + name + " (" + why + ")");
    }

    @Override
    public synchronized void untrack(ClusterRun<Job> run) {
      log.add("untrack " + run.name());
    }

    @Override
    public synchronized void retrack(ClusterRun<Job> run, String from, String to) {
      log.add("retrack " + from + " -> " + to);
    }
  }
}
