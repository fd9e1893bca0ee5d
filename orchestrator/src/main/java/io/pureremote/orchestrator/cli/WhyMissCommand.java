package io.pureremote.orchestrator.cli;

import io.pureremote.internal.BlobFrame;
import io.pureremote.internal.MemoKey;
import io.pureremote.spi.BlobStore;
import java.io.PrintWriter;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.Callable;
import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Parameters;

/**
 * {@code pureremote why-miss <memo uri A> <memo uri B>}: why two calls got different memo keys —
 * which key segments differ and, field by field, which argument values.
 */
@Command(name = "why-miss", mixinStandardHelpOptions = true,
    description = "Explain why two calls got different memo keys: differing key segments and argument fields.")
final class WhyMissCommand implements Callable<Integer> {
  @CommandLine.Spec CommandLine.Model.CommandSpec spec;

  @Parameters(index = "0", paramLabel = "MEMO_URI_A", description = "memo URI of the first call")
  String uriA;

  @Parameters(index = "1", paramLabel = "MEMO_URI_B", description = "memo URI of the second call")
  String uriB;

  @Override
  public Integer call() {
    MemoKey.Located a = PureRemoteCli.parseMemoUri(spec.commandLine(), uriA);
    MemoKey.Located b = PureRemoteCli.parseMemoUri(spec.commandLine(), uriB);
    PrintWriter out = spec.commandLine().getOut();
    try (BlobStore storeA = PureRemoteCli.openStore(spec.commandLine(), a.root());
        BlobStore storeB = a.root().equals(b.root()) ? null : PureRemoteCli.openStore(spec.commandLine(), b.root())) {
      MemoEntry entryA = new MemoEntry(storeA, a.key());
      MemoEntry entryB = new MemoEntry(storeB == null ? storeA : storeB, b.key());
      out.println("A  " + entryA.uri());
      out.println("B  " + entryB.uri());
      if (a.uri().equals(b.uri())) {
        out.println("same memo key: both calls share one entry, so the second one is a hit.");
        out.flush();
        return PureRemoteCli.OK;
      }
      if (!a.root().equals(b.root())) {
        out.println("blob root   differs: " + a.root() + " ≠ " + b.root() + " (different stores never share results)");
      }
      segment(out, "function", a.key().function().name(), b.key().function().name(), "");
      segment(out, "version", a.key().function().version(), b.key().function().version(),
          " (a new version never reuses older results)");
      segment(out, "pipeline", a.key().pipelineId(), b.key().pipelineId(), " (each pipeline id has its own entries)");
      boolean sameArgs = a.key().argsHash().equals(b.key().argsHash());
      segment(out, "args hash", a.key().argsHash(), b.key().argsHash(), "");
      if (sameArgs) {
        out.println("arguments   identical (same canonical encoding)");
        out.flush();
        return PureRemoteCli.OK;
      }
      Optional<BlobFrame> invA = entryA.frame(MemoKey.INVOCATION);
      Optional<BlobFrame> invB = entryB.frame(MemoKey.INVOCATION);
      if (invA.isEmpty() || invB.isEmpty()) {
        out.println("arguments   cannot compare: no invocation at "
            + (invA.isEmpty() ? entryA.uri() : "") + (invA.isEmpty() && invB.isEmpty() ? " and " : "")
            + (invB.isEmpty() ? entryB.uri() : "") + "; only the args hashes differ");
        out.flush();
        return PureRemoteCli.NOT_FOUND;
      }
      MemoEntry.Decoded argsA = entryA.arguments(invA.get());
      MemoEntry.Decoded argsB = entryB.arguments(invB.get());
      if (!argsA.ok() || !argsB.ok()) {
        out.println("arguments   differ (different args hashes); field comparison unavailable: "
            + (argsA.ok() ? argsB.problem() : argsA.problem()));
        out.flush();
        return PureRemoteCli.OK;
      }
      List<String> differences = ArgsDiff.diff((Object[]) argsA.value(), (Object[]) argsB.value());
      if (differences.isEmpty()) {
        out.println("arguments   equal field by field, yet their canonical encodings differ: a value's type or an "
            + "encoding detail not visible through equals (e.g. a field excluded here) sets them apart");
      } else {
        out.println("arguments   " + differences.size() + (differences.size() == 1 ? " difference" : " differences") + " (A ≠ B)");
        differences.forEach(d -> out.println("  " + d));
      }
      out.flush();
      return PureRemoteCli.OK;
    }
  }

  private static void segment(PrintWriter out, String label, String a, String b, String note) {
    String padded = String.format("%-12s", label);
    out.println(padded + (a.equals(b) ? "same (" + a + ")" : "differs: " + a + " ≠ " + b + note));
  }
}
