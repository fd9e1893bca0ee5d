package io.pureremote.k8s;

import io.pureremote.k8s.values.Ranges;
import io.fabric8.kubernetes.api.model.Pod;
import java.util.ArrayDeque;
import java.util.Comparator;
import java.util.Deque;
import java.util.List;
import java.util.Objects;
import java.util.function.BiConsumer;
import java.util.function.Function;
import java.util.function.Supplier;

/**
 * Follows one pod's log by re-reading it: each {@link #offer} of the whole log so far passes on the
 * lines not passed yet and keeps the last few for an error message. The multi-pod shells (MPI launcher, torch node 0) follow their
 * main pod's log with it ({@link #follow}); {@link #reset()} starts over for a new pod (a
 * re-created run). Thread-safe; the sink is called under this object's lock, in log order; cluster
 * requests run outside it.
 */
public final class LogTail {
  private final int keep;
  private final Deque<String> last = new ArrayDeque<>();
  private int seen;
  private String pod;

  /** A tail that keeps the last {@code keep} lines (at least 1). */
  public LogTail(int keep) {
    Ranges.check("keep", Ranges.atLeastProblem(1, keep));
    this.keep = keep;
  }

  /**
   * Passes the lines of {@code log} (the pod's whole log so far) that were not passed yet to {@code
   * sink} as {@code (prefix, line)}; the line after the last newline counts as one.
   */
  public synchronized void offer(String log, String prefix, BiConsumer<String, String> sink) {
    Objects.requireNonNull(sink, "sink");
    if (log == null || log.isEmpty()) {
      return;
    }
    String[] lines = log.split("\n", -1);
    int complete = log.endsWith("\n") ? lines.length - 1 : lines.length;
    for (int i = seen; i < complete; i++) {
      sink.accept(prefix, lines[i]);
      last.addLast(lines[i]);
      if (last.size() > keep) {
        last.removeFirst();
      }
    }
    seen = Math.max(seen, complete);
  }

  /**
   * Reads the log of the pod this tail follows and passes on its new lines, prefixed {@code
   * [job/pod] }. The pod is the newest of {@code candidates} (by creation time), chosen at the first
   * call that finds one and kept until {@link #reset()}; while there is none, nothing happens.
   *
   * @param readLog the pod's whole log so far by pod name; null when it cannot be read (yet)
   */
  public void follow(String job, Supplier<List<Pod>> candidates, Function<String, String> readLog,
      BiConsumer<String, String> sink) {
    String followed;
    synchronized (this) {
      followed = pod;
    }
    if (followed == null) {
      followed = candidates.get().stream()
          .max(Comparator.comparing(p -> String.valueOf(p.getMetadata().getCreationTimestamp())))
          .map(p -> p.getMetadata().getName()).orElse(null);
      if (followed == null) {
        return;
      }
      synchronized (this) {
        pod = followed;
      }
    }
    offer(readLog.apply(followed), "[" + job + "/" + followed + "] ", sink);
  }

  /**
   * Forgets what was passed on and the pod followed, for the log of another pod; the kept lines
   * stay until new ones come.
   */
  public synchronized void reset() {
    seen = 0;
    pod = null;
  }

  /** {@code "\n<heading>:\n<last lines>"}, or empty when no line was passed on. */
  public synchronized String text(String heading) {
    return last.isEmpty() ? "" : "\n" + heading + ":\n" + String.join("\n", last);
  }
}
