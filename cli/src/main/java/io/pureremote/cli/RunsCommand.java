package io.pureremote.cli;

import io.pureremote.k8s.values.Ranges;
import io.pureremote.FunctionId;
import io.pureremote.MemoEntry;
import io.pureremote.RemoteRuntime;
import io.pureremote.RuntimeOptions;
import io.pureremote.spi.BlobStore;
import java.io.PrintWriter;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.TreeMap;
import java.util.concurrent.Callable;
import java.util.function.Predicate;
import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

/**
 * {@code pureremote runs}: recent calls as recorded by callers in the event log beside the memo
 * ({@code pureremote/events/<day>/<start>-<host>-<pid>.jsonl}, written when a runtime closes);
 * with {@code --html FILE}, the same calls as a self-contained HTML timeline ({@link RunsHtmlReport}).
 */
@Command(name = "runs", mixinStandardHelpOptions = true,
    description = "Recent calls recorded by callers (hit / miss / failed / joined, durations), newest first.")
final class RunsCommand implements Callable<Integer> {
  @CommandLine.Spec CommandLine.Model.CommandSpec spec;

  @Option(names = "--root", paramLabel = "ROOT", description = "blob root URI (default: ~/.pureremote)")
  String root;

  @Option(names = "--last", paramLabel = "N", defaultValue = "20", description = "how many calls to show (default: ${DEFAULT-VALUE})")
  int last;

  @Option(names = "--function", paramLabel = "NAME",
      description = "only calls of this function: its @PureRemote name, optionally with @VERSION")
  String function;

  @Option(names = "--pipeline", paramLabel = "ID", description = "only calls made with this pipeline id")
  String pipeline;

  @Option(names = "--why",
      description = "say why each miss missed (new arguments, new version, code changed, an unusable result set aside, an earlier error re-run), judged from the store: reads every entry of the functions shown")
  boolean why;

  @Option(names = "--html", paramLabel = "FILE",
      description = "write the calls as a self-contained HTML timeline to FILE instead of printing them")
  Path html;

  @Override
  public Integer call() {
    CommandLine cl = spec.commandLine();
    Ranges.atLeastProblem(1, last).ifPresent(p -> {
      throw new CommandLine.ParameterException(cl, "--last " + p);
    });
    if (why && html != null) {
      throw new CommandLine.ParameterException(cl, "--why explains the printed list; leave it out with --html");
    }
    String storeRoot = root != null ? root : RuntimeOptions.defaultBlobRoot();
    if (storeRoot.endsWith("/") && !storeRoot.endsWith(":///")) {
      storeRoot = storeRoot.substring(0, storeRoot.length() - 1);
    }
    PrintWriter out = cl.getOut();
    try (BlobStore store = PureRemoteCli.openStore(cl, storeRoot)) {
      List<Map<String, Object>> events = newest(store, last, this::selected);
      if (events.isEmpty()) {
        cl.getErr().println((function == null && pipeline == null ? "No call events under " : "No call events matching "
            + filters() + " under ") + store.uri(RemoteRuntime.EVENT_LOG_PREFIX) + " (runtimes write them when they close)");
        cl.getErr().flush();
        return PureRemoteCli.NOT_FOUND;
      }
      if (html != null) {
        return writeHtml(out, store.root(), events);
      }
      int width = Math.max("FUNCTION".length(), events.stream().mapToInt(e -> label(e).length()).max().orElse(0));
      out.printf("%-23s  %-" + width + "s  %-7s  %10s  %s%n", "TIME (UTC)", "FUNCTION", "OUTCOME", "DURATION", "MEMO");
      Map<String, Integer> totals = new TreeMap<>();
      for (String o : List.of("hit", "miss", "failed", "joined")) {
        totals.put(o, 0);
      }
      MissReasons reasons = why ? new MissReasons(store) : null;
      for (Map<String, Object> e : events) {
        String outcome = String.valueOf(e.get("outcome"));
        totals.merge(outcome, 1, Integer::sum);
        out.printf("%-23s  %-" + width + "s  %-7s  %7s ms  %s%s%n", Render.time(e.get("startedAt")), label(e), outcome,
            e.get("durationMs"), memoUri(store.root(), e), e.get("errorClass") == null ? "" : "  " + e.get("errorClass"));
        if (reasons != null && "miss".equals(outcome)) {
          out.println("    why: " + reasons.explain(e));
        }
      }
      out.printf("%d %s: %d hit, %d miss, %d failed, %d joined%n", events.size(), events.size() == 1 ? "call" : "calls",
          totals.get("hit"),
          totals.get("miss"), totals.get("failed"), totals.get("joined"));
      out.flush();
      return PureRemoteCli.OK;
    }
  }

  private int writeHtml(PrintWriter out, String storeUri, List<Map<String, Object>> events) {
    Path target = html.toAbsolutePath();
    String selection = String.format(Locale.ROOT, "newest %,d calls (--last %d%s)", events.size(), last,
        function == null && pipeline == null ? "" : ", " + filters());
    String page = RunsHtmlReport.render(events, new RunsHtmlReport.Source(storeUri, selection, Instant.now()));
    long bytes = RunsHtmlReport.write(target, page);
    out.printf(Locale.ROOT, "wrote %s: %d %s, %,d bytes%n", target, events.size(), events.size() == 1 ? "call" : "calls", bytes);
    out.flush();
    return PureRemoteCli.OK;
  }

  /** Whether an event passes {@code --function} and {@code --pipeline}. */
  private boolean selected(Map<String, Object> e) {
    if (pipeline != null && !pipeline.equals(String.valueOf(e.get("pipeline")))) {
      return false;
    }
    if (function == null) {
      return true;
    }
    String name = String.valueOf(e.get("function"));
    return function.contains("@") ? function.equals(label(e)) : function.equals(name);
  }

  private String filters() {
    List<String> parts = new ArrayList<>();
    if (function != null) {
      parts.add("--function " + function);
    }
    if (pipeline != null) {
      parts.add("--pipeline " + pipeline);
    }
    return String.join(" ", parts);
  }

  /** The call's memo URI, for {@code inspect}; {@code ?} when the event's fields cannot form one. */
  private static String memoUri(String root, Map<String, Object> e) {
    try {
      return new MemoEntry.Address(root, String.valueOf(e.get("pipeline")),
          new FunctionId(String.valueOf(e.get("function")), String.valueOf(e.get("version"))),
          String.valueOf(e.get("argsHash"))).uri();
    } catch (IllegalArgumentException ex) {
      return "?";
    }
  }

  private static String label(Map<String, Object> e) {
    return e.get("function") + "@" + e.get("version");
  }

  /**
   * The newest {@code n} events that pass {@code filter}: reads event blobs newest name first until
   * it has {@code n}, then sorts what it read by start time (an unreadable time sorts as oldest).
   */
  private static List<Map<String, Object>> newest(BlobStore store, int n, Predicate<Map<String, Object>> filter) {
    List<String> keys = new ArrayList<>(store.list(RemoteRuntime.EVENT_LOG_PREFIX + "/"));
    keys.removeIf(k -> !k.endsWith(".jsonl"));
    keys.sort(Comparator.reverseOrder());
    List<Map<String, Object>> events = new ArrayList<>();
    for (String key : keys) {
      if (events.size() >= n) {
        break;
      }
      store.getBytes(key).ifPresent(bytes -> {
        for (String line : new String(bytes, StandardCharsets.UTF_8).split("\n")) {
          if (!line.isBlank()) {
            try {
              Map<String, Object> event = JsonText.parseObject(line);
              if (filter.test(event)) {
                events.add(event);
              }
            } catch (IllegalArgumentException ex) {
              // A damaged line does not hide the others.
            }
          }
        }
      });
    }
    events.sort(Comparator.comparing(RunsCommand::startedAt).reversed());
    return events.size() > n ? events.subList(0, n) : events;
  }

  private static Instant startedAt(Map<String, Object> e) {
    try {
      return Instant.parse(String.valueOf(e.get("startedAt")));
    } catch (java.time.format.DateTimeParseException ex) {
      return Instant.MIN;
    }
  }
}
