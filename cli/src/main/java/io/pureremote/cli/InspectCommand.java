package io.pureremote.cli;

import io.pureremote.MemoEntry;
import io.pureremote.spi.BlobStore;
import java.io.PrintWriter;
import java.time.Instant;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.Callable;
import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Parameters;

/** {@code pureremote inspect <memo uri>}: everything the store knows about one call. */
@Command(name = "inspect", mixinStandardHelpOptions = true,
    description = "Show a memo entry: function, arguments, result or error, runs and lease.")
final class InspectCommand implements Callable<Integer> {
  private static final int MAX_VALUE = 2_000;

  @CommandLine.Spec CommandLine.Model.CommandSpec spec;

  @Parameters(paramLabel = "MEMO_URI", description = "<blob root>/pureremote/v1/<pipeline>/<function>@<version>/<args hash or its first 8+ digits>")
  String memoUri;

  @Override
  public Integer call() {
    MemoEntry.Address address = PureRemoteCli.parseMemoUri(spec.commandLine(), memoUri);
    PrintWriter out = spec.commandLine().getOut();
    try (BlobStore store = PureRemoteCli.openStore(spec.commandLine(), address.root())) {
      StoredEntry stored = new StoredEntry(store, PureRemoteCli.resolve(spec.commandLine(), store, address));
      MemoEntry entry = stored.entry;
      if (entry.blobs().isEmpty()) {
        spec.commandLine().getErr().println("No memo entry at " + entry.uri());
        return PureRemoteCli.NOT_FOUND;
      }
      Optional<Map<String, Object>> header = entry.header("invocation");
      out.println("memo        " + entry.uri());
      out.println("function    " + entry.function().name());
      out.println("version     " + entry.function().version());
      out.println("pipeline    " + entry.pipelineId());
      out.println("args hash   " + entry.argsHash());
      if (header.isEmpty()) {
        out.println("invocation  (missing: the call was never started here, or it was invalidated)");
      } else {
        MemoEntry.Invocation call = MemoEntry.Invocation.fromHeader(section(header.get(), "call"));
        out.println("invoked by  " + call.invokedBy() + " at " + Render.time(call.invokedAt())
            + " UTC (host " + call.host() + ", pid " + call.pid() + ")");
        out.println("implements  " + call.interfaceName() + "." + call.methodName()
            + " by " + call.implementation() + " (exceptions: " + call.exceptionPolicy() + ")");
        out.println("library     " + header.get().get("library") + ", java " + header.get().get("java"));
        printArguments(out, stored, call);
      }
      printOutcome(out, stored);
      printRuns(out, entry);
      printLease(out, entry);
      out.flush();
      return PureRemoteCli.OK;
    }
  }

  private static Map<String, Object> section(Map<String, Object> header, String name) {
    Map<String, Object> out = new LinkedHashMap<>();
    if (header.get(name) instanceof Map<?, ?> m) {
      m.forEach((k, v) -> out.put(String.valueOf(k), v));
    }
    return out;
  }

  private static void printArguments(PrintWriter out, StoredEntry entry, MemoEntry.Invocation call) {
    List<String> types = call.parameterTypes();
    StoredEntry.Decoded args = entry.arguments().orElseThrow();
    if (!args.ok()) {
      out.println("arguments   " + types.size() + " (" + String.join(", ", types) + ")");
      out.println("            " + args.problem());
      return;
    }
    Object[] values = (Object[]) args.value();
    out.println("arguments   " + values.length);
    for (int i = 0; i < values.length; i++) {
      String type = i < types.size() ? types.get(i) : "?";
      out.println("  args[" + i + "] " + type + " = " + Render.value(values[i], MAX_VALUE));
    }
  }

  private static void printOutcome(PrintWriter out, StoredEntry stored) {
    MemoEntry entry = stored.entry;
    Optional<StoredEntry.Decoded> value = stored.result();
    if (value.isPresent()) {
      out.println("result      " + (value.get().ok() ? typeOf(value.get().value()) + " "
          + Render.value(value.get().value(), MAX_VALUE) : value.get().problem()));
      // The run section is in the header, readable even when the value is not.
      printRunSection(out, entry.header("result").map(h -> section(h, "run")).orElse(Map.of()));
      return;
    }
    Optional<MemoEntry.Failure> error = entry.error();
    if (error.isPresent()) {
      MemoEntry.Failure failure = error.get();
      out.println("error       " + failure.exceptionClass() + ": " + failure.message());
      printRunSection(out, entry.header("error").map(h -> section(h, "run")).orElse(Map.of()));
      if (failure.stack() != null) {
        out.println("  stack");
        out.println(Render.indent(Render.truncate(failure.stack(), 20_000), "    "));
      }
      return;
    }
    out.println("outcome     none yet (no result or error: running, abandoned or failed outside the function)");
  }

  private static void printRunSection(PrintWriter out, Map<String, Object> run) {
    if (!run.isEmpty()) {
      out.println("  computed on " + run.get("host") + " pid " + run.get("pid") + ", " + Render.time(run.get("startedAt"))
          + " → " + Render.time(run.get("endedAt")) + " UTC, " + run.get("durationMs") + " ms");
    }
  }

  private static String typeOf(Object value) {
    return value == null ? "" : "(" + value.getClass().getName() + ")";
  }

  private static void printRuns(PrintWriter out, MemoEntry entry) {
    List<MemoEntry.Run> runs = entry.runs();
    out.println("runs        " + runs.size());
    for (MemoEntry.Run run : runs) {
      out.println("  " + Render.time(run.startedAt()) + " → " + Render.time(run.endedAt())
          + "  " + run.durationMs() + " ms  " + run.status() + "  host " + run.host()
          // A run recorded by the shell that saw its pod go (disrupted) has no pid.
          + (run.pid() >= 0 ? " pid " + run.pid() : ""));
    }
  }

  private static void printLease(PrintWriter out, MemoEntry entry) {
    Optional<MemoEntry.LeaseState> lease = entry.lease();
    if (lease.isEmpty()) {
      out.println("lease       none");
      return;
    }
    MemoEntry.LeaseState s = lease.get();
    String state = s.released() ? "released" : s.live(Instant.now()) ? "live" : "expired";
    out.println("lease       " + state + " (holder " + s.holder() + ", host " + s.host() + ", pid " + s.pid()
        + (s.released() ? "" : ", expires " + Render.time(s.expiresAt().toEpochMilli()) + " UTC") + ")");
  }
}
