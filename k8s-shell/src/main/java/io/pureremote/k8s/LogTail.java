package io.pureremote.k8s;

import java.util.ArrayDeque;
import java.util.Deque;
import java.util.Objects;
import java.util.function.BiConsumer;

/**
 * Follows one pod's log by re-reading it: each {@link #offer} of the whole log so far passes on the
 * lines not passed yet and keeps the last few for an error message. The multi-pod shells (MPI launcher, torch node 0) follow their
 * main pod's log with it; {@link #reset()} starts over for a new pod (a re-created run).
 * Thread-safe; the sink is called under this object's lock, in log order.
 */
public final class LogTail {
  private final int keep;
  private final Deque<String> last = new ArrayDeque<>();
  private int seen;

  /** A tail that keeps the last {@code keep} lines (at least 1). */
  public LogTail(int keep) {
    if (keep < 1) {
      throw new IllegalArgumentException("keep must be at least 1, got " + keep);
    }
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

  /** Forgets what was passed on, for the log of another pod; the kept lines stay until new ones come. */
  public synchronized void reset() {
    seen = 0;
  }

  /** {@code "\n<heading>:\n<last lines>"}, or empty when no line was passed on. */
  public synchronized String text(String heading) {
    return last.isEmpty() ? "" : "\n" + heading + ":\n" + String.join("\n", last);
  }
}
