package io.pureremote.torch;

import io.fabric8.kubernetes.api.model.ContainerStateTerminated;
import io.fabric8.kubernetes.api.model.ContainerStatus;
import io.fabric8.kubernetes.api.model.Pod;
import io.pureremote.spi.Shell.Outcome;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.Optional;
import java.util.function.Function;
import java.util.function.ToIntFunction;

/**
 * How a failed multi-node run ended, the same on every backend: the first node whose container
 * ended non-zero is the cause (the others were stopped because of it, 137 or 143); node 0's exit
 * code is the call's (42: the function threw and node 0 stored its error), another node's is
 * {@code NodeFailed} with that node's last log lines (only node 0 stores errors). Stateless.
 */
final class NodeFailures {
  private static final int TAIL_LINES = 20;

  record NodeEnd(int index, String pod, int exitCode, String finishedAt) {}

  private NodeFailures() {}

  /** The node whose {@code container} failed first among {@code pods}; {@code index} gives a pod's node rank. */
  static Optional<NodeEnd> first(List<Pod> pods, String container, ToIntFunction<Pod> index) {
    List<NodeEnd> ends = new ArrayList<>();
    for (Pod pod : pods) {
      if (pod.getStatus() == null || pod.getStatus().getContainerStatuses() == null) {
        continue;
      }
      for (ContainerStatus s : pod.getStatus().getContainerStatuses()) {
        ContainerStateTerminated t = s.getState() == null ? null : s.getState().getTerminated();
        if (container.equals(s.getName()) && t != null && t.getExitCode() != null && t.getExitCode() != 0) {
          ends.add(new NodeEnd(index.applyAsInt(pod), pod.getMetadata().getName(), t.getExitCode(),
              t.getFinishedAt() == null ? "~" : t.getFinishedAt()));
        }
      }
    }
    return ends.stream().min(Comparator.comparing(NodeEnd::finishedAt));
  }

  /**
   * The call's outcome for {@code node}'s failure: {@code detail} says what failed, {@code
   * rankZeroTail} is node 0's last lines, {@code podLog} reads another node's log (null when it
   * cannot).
   */
  static Outcome outcome(NodeEnd node, String detail, int nodes, String rankZeroTail, Function<String, String> podLog) {
    if (node.index() == 0) {
      return Outcome.exited(node.exitCode(), detail + "; node 0 (" + node.pod() + ") exited with " + node.exitCode()
          + rankZeroTail);
    }
    String text = podLog.apply(node.pod());
    List<String> lines = text == null ? List.of() : List.of(text.split("\n"));
    String nodeTail = lines.isEmpty() ? "" : "\nLast lines of node " + node.index() + ":\n"
        + String.join("\n", lines.subList(Math.max(0, lines.size() - TAIL_LINES), lines.size()));
    return new Outcome("NodeFailed", node.exitCode(), detail + "; node " + node.index() + " of " + nodes + " (pod "
        + node.pod() + ") failed first with exit code " + node.exitCode()
        + (node.exitCode() == Outcome.EXIT_FUNCTION_FAILED ? " (the function threw there; only node 0 stores errors, so its "
            + "exception is in the lines below and in its log beside the memo entry)" : "") + nodeTail);
  }
}
