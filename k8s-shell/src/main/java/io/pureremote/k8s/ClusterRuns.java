package io.pureremote.k8s;

import io.fabric8.kubernetes.api.model.HasMetadata;
import io.fabric8.kubernetes.client.informers.ResourceEventHandler;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.function.BiConsumer;
import java.util.function.Consumer;

/**
 * The {@link ClusterRun}s of one kind of object a cluster shell follows, by their object's name:
 * it routes the informer's events to the run whose current object they are about ({@link
 * #events()}), ticks every run's watchdogs ({@link #tick}), cancels them all at close ({@link
 * #cancelAll()}), and gives the runs their {@link ClusterRun.Actions}: the shell's executor, its
 * create and delete, and the routing kept here (a run is untracked when it ends and retracked when
 * it is re-created under a new name). Public for the MPI and torch shells, which live in modules of
 * their own. Thread-safe.
 *
 * @param <T> the type of the runs' objects
 */
public final class ClusterRuns<T extends HasMetadata> {
  /** Creates object {@code name} for {@code run}: {@link ClusterRun.Actions#create}. */
  @FunctionalInterface
  public interface Creator<T extends HasMetadata> {
    /** Creates object {@code name} for {@code run} ({@code attempt} counts re-creations). */
    void create(ClusterRun<T> run, String name, int attempt);
  }

  private final Map<String, ClusterRun<T>> runs = new ConcurrentHashMap<>();
  private final ClusterRun.Actions<T> actions;

  /**
   * Runs whose actions run tasks with {@code submit}, create objects with {@code create} and delete
   * them with {@code delete} ({@code (name, why)}); each is called only when a run asks.
   */
  public ClusterRuns(Consumer<Runnable> submit, Creator<T> create, BiConsumer<String, String> delete) {
    Objects.requireNonNull(submit, "submit");
    Objects.requireNonNull(create, "create");
    Objects.requireNonNull(delete, "delete");
    this.actions = new ClusterRun.Actions<>() {
      @Override
      public void submit(Runnable task) {
        submit.accept(task);
      }

      @Override
      public void create(ClusterRun<T> run, String name, int attempt) {
        create.create(run, name, attempt);
      }

      @Override
      public void delete(String name, String why) {
        delete.accept(name, why);
      }

      @Override
      public void untrack(ClusterRun<T> run) {
        runs.remove(run.name(), run);
      }

      @Override
      public void retrack(ClusterRun<T> run, String from, String to) {
        runs.put(to, run);
        runs.remove(from, run);
      }
    };
  }

  /** What the runs ask of their shell: pass it to each run's constructor. */
  public ClusterRun.Actions<T> actions() {
    return actions;
  }

  /** Routes the events of object {@code name} to {@code run} (before the object is created, so none is missed). */
  public void track(String name, ClusterRun<T> run) {
    runs.put(Objects.requireNonNull(name, "name"), Objects.requireNonNull(run, "run"));
  }

  /** An informer's handler that passes each event to the run whose current object it is about. */
  public ResourceEventHandler<T> events() {
    return new ResourceEventHandler<>() {
      @Override
      public void onAdd(T object) {
        dispatch(object, false);
      }

      @Override
      public void onUpdate(T old, T object) {
        dispatch(object, false);
      }

      @Override
      public void onDelete(T object, boolean unknownFinalState) {
        dispatch(object, true);
      }
    };
  }

  private void dispatch(T object, boolean deleted) {
    String name = object.getMetadata().getName();
    ClusterRun<T> run = runs.get(name);
    if (run == null || !name.equals(run.name())) {
      return;
    }
    if (deleted) {
      run.onDeleted(name);
    } else {
      run.onObject(object);
    }
  }

  /** Ticks every run's watchdogs ({@code now} from {@link System#nanoTime()}). */
  public void tick(long now) {
    for (ClusterRun<T> run : Set.copyOf(runs.values())) {
      run.tick(now);
    }
  }

  /** Cancels every run still followed (the shell is closing). */
  public void cancelAll() {
    for (ClusterRun<T> run : List.copyOf(runs.values())) {
      run.cancel();
    }
  }
}
