package io.pureremote.orchestrator.cli;

import io.pureremote.internal.BlobFrame;
import io.pureremote.internal.KryoCodec;
import io.pureremote.internal.Leases;
import io.pureremote.internal.MemoKey;
import io.pureremote.spi.BlobStore;
import java.io.PrintWriter;
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

  @Parameters(paramLabel = "MEMO_URI", description = "<blob root>/pureremote/v1/<pipeline>/<function>@<version>/<args hash>")
  String memoUri;

  @Override
  public Integer call() {
    MemoKey.Located located = PureRemoteCli.parseMemoUri(spec.commandLine(), memoUri);
    PrintWriter out = spec.commandLine().getOut();
    try (BlobStore store = PureRemoteCli.openStore(spec.commandLine(), located.root())) {
      MemoEntry entry = new MemoEntry(store, located.key());
      List<String> blobs = entry.blobs();
      if (blobs.isEmpty()) {
        spec.commandLine().getErr().println("No memo entry at " + entry.uri());
        return PureRemoteCli.NOT_FOUND;
      }
      MemoKey key = located.key();
      Optional<BlobFrame> invocation = entry.frame(MemoKey.INVOCATION);
      Map<String, Object> call = invocation.map(f -> f.section("call")).orElse(Map.of());
      out.println("memo        " + entry.uri());
      out.println("function    " + key.function().name());
      out.println("version     " + key.function().version());
      out.println("pipeline    " + key.pipelineId());
      out.println("args hash   " + key.argsHash());
      if (invocation.isEmpty()) {
        out.println("invocation  (missing: the call was never started here, or it was invalidated)");
      } else {
        out.println("invoked by  " + call.get("invokedBy") + " at " + Render.time(call.get("invokedAt"))
            + " UTC (host " + call.get("host") + ", pid " + call.get("pid") + ")");
        out.println("implements  " + call.get("interface") + "." + call.get("method")
            + " by " + call.get("implementation") + " (exceptions: " + call.get("exceptionPolicy") + ")");
        out.println("library     " + invocation.get().header().get("library")
            + ", java " + invocation.get().header().get("java"));
        printArguments(out, entry, invocation.get(), call);
      }
      printOutcome(out, entry, invocation);
      printRuns(out, entry);
      printLease(out, entry);
      out.flush();
      return PureRemoteCli.OK;
    }
  }

  private static void printArguments(PrintWriter out, MemoEntry entry, BlobFrame invocation, Map<String, Object> call) {
    List<?> types = call.get("parameterTypes") instanceof List<?> l ? l : List.of();
    MemoEntry.Decoded args = entry.arguments(invocation);
    if (!args.ok()) {
      out.println("arguments   " + types.size() + " (" + String.join(", ", types.stream().map(String::valueOf).toList()) + ")");
      out.println("            " + args.problem());
      return;
    }
    Object[] values = (Object[]) args.value();
    out.println("arguments   " + values.length);
    for (int i = 0; i < values.length; i++) {
      String type = i < types.size() ? String.valueOf(types.get(i)) : "?";
      out.println("  args[" + i + "] " + type + " = " + Render.value(values[i], MAX_VALUE));
    }
  }

  private static void printOutcome(PrintWriter out, MemoEntry entry, Optional<BlobFrame> invocation) {
    Optional<BlobFrame> result = entry.frame(MemoKey.RESULT);
    if (result.isPresent()) {
      KryoCodec codec = entry.codec(invocation);
      MemoEntry.Decoded value = MemoEntry.decode(codec, result.get());
      out.println("result      " + (value.ok() ? typeOf(value.value()) + " " + Render.value(value.value(), MAX_VALUE) : value.problem()));
      printRunSection(out, result.get());
      return;
    }
    Optional<BlobFrame> error = entry.frame(MemoKey.ERROR);
    if (error.isPresent()) {
      Map<String, Object> record = MemoEntry.errorRecord(error.get());
      out.println("error       " + record.get("class") + ": " + record.get("message"));
      printRunSection(out, error.get());
      if (record.get("stack") instanceof String stack) {
        out.println("  stack");
        out.println(Render.indent(Render.truncate(stack, 20_000), "    "));
      }
      return;
    }
    out.println("outcome     none yet (no result or error: running, abandoned or failed outside the function)");
  }

  private static void printRunSection(PrintWriter out, BlobFrame frame) {
    Map<String, Object> run = frame.section("run");
    if (!run.isEmpty()) {
      out.println("  computed on " + run.get("host") + " pid " + run.get("pid") + ", " + Render.time(run.get("startedAt"))
          + " → " + Render.time(run.get("endedAt")) + " UTC, " + run.get("durationMs") + " ms");
    }
  }

  private static String typeOf(Object value) {
    return value == null ? "" : "(" + value.getClass().getName() + ")";
  }

  private static void printRuns(PrintWriter out, MemoEntry entry) {
    List<Map<String, Object>> runs = entry.runs();
    out.println("runs        " + runs.size());
    for (Map<String, Object> run : runs) {
      out.println("  " + Render.time(run.get("startedAt")) + " → " + Render.time(run.get("endedAt"))
          + "  " + run.get("durationMs") + " ms  " + run.get("status") + "  host " + run.get("host") + " pid " + run.get("pid"));
    }
  }

  private static void printLease(PrintWriter out, MemoEntry entry) {
    Optional<Leases.State> lease = entry.lease();
    if (lease.isEmpty()) {
      out.println("lease       none");
      return;
    }
    Leases.State s = lease.get();
    String state = s.released() ? "released" : s.expiresAtMillis() > System.currentTimeMillis() ? "live" : "expired";
    out.println("lease       " + state + " (holder " + s.holder() + ", host " + s.host() + ", pid " + s.pid()
        + (s.released() ? "" : ", expires " + Render.time(s.expiresAtMillis()) + " UTC") + ")");
  }
}
