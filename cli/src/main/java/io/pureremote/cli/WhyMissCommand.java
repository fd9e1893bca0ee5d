package io.pureremote.cli;

import io.pureremote.Keys.KeyDiff;
import io.pureremote.Keys;
import io.pureremote.MemoEntry;
import io.pureremote.spi.BlobStore;
import java.io.PrintWriter;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.Callable;
import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;

/**
 * {@code pureremote why-miss <memo uri A> <memo uri B>}: why two calls got different memo keys —
 * which key segments differ and, field by field, which argument values. With {@code --function}
 * and two {@code --args}, the same for two calls that never ran (see {@link WhyMissByArgs}).
 */
@Command(name = "why-miss", mixinStandardHelpOptions = true,
    description = {"Explain why two calls got different memo keys: differing key segments and argument fields.",
        "Either two memo URIs, or --function with two --args: the keys two argument sets would get, without running."})
final class WhyMissCommand implements Callable<Integer> {
  @CommandLine.Spec CommandLine.Model.CommandSpec spec;

  @Parameters(index = "0", arity = "0..1", paramLabel = "MEMO_URI_A", description = "memo URI of the first call")
  String uriA;

  @Parameters(index = "1", arity = "0..1", paramLabel = "MEMO_URI_B", description = "memo URI of the second call")
  String uriB;

  @Option(names = "--function", paramLabel = "INTERFACE#METHOD",
      description = "the @PureRemote method, as <interface binary or canonical name>#<method>, e.g. com.acme.Scoring#score")
  String function;

  @Option(names = "--classpath", paramLabel = "PATH",
      description = "where the interface and its argument types are: jars and folders separated by '${sys:path.separator}', dir/* for every jar in dir (default: the CLI's class path)")
  String classpath;

  @Option(names = "--args", paramLabel = "JSON", description = "a JSON array with one value per parameter; give it twice (A, then B)")
  List<String> args = new ArrayList<>();

  @Override
  public Integer call() {
    if (function != null || !args.isEmpty() || classpath != null) {
      if (uriA != null) {
        throw new CommandLine.ParameterException(spec.commandLine(),
            "Give either two memo URIs or --function with two --args, not both");
      }
      return WhyMissByArgs.run(spec.commandLine(), function, classpath, args);
    }
    if (uriA == null || uriB == null) {
      throw new CommandLine.ParameterException(spec.commandLine(),
          "Give two memo URIs, or --function <interface>#<method> with two --args '<json array>'");
    }
    MemoEntry.Address a = PureRemoteCli.parseMemoUri(spec.commandLine(), uriA);
    MemoEntry.Address b = PureRemoteCli.parseMemoUri(spec.commandLine(), uriB);
    PrintWriter out = spec.commandLine().getOut();
    try (BlobStore storeA = PureRemoteCli.openStore(spec.commandLine(), a.root());
        BlobStore storeB = a.root().equals(b.root()) ? null : PureRemoteCli.openStore(spec.commandLine(), b.root())) {
      a = PureRemoteCli.resolve(spec.commandLine(), storeA, a);
      b = PureRemoteCli.resolve(spec.commandLine(), storeB == null ? storeA : storeB, b);
      StoredEntry entryA = new StoredEntry(storeA, a);
      StoredEntry entryB = new StoredEntry(storeB == null ? storeA : storeB, b);
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
      segment(out, "function", a.function().name(), b.function().name(), "");
      segment(out, "version", a.function().version(), b.function().version(),
          " (a new version never reuses older results)");
      segment(out, "pipeline", a.pipelineId(), b.pipelineId(), " (each pipeline id has its own entries)");
      boolean sameArgs = a.argsHash().equals(b.argsHash());
      segment(out, "args hash", a.argsHash(), b.argsHash(), "");
      if (!sameArgs && codeChanged(out, entryA, entryB)) {
        out.flush();
        return PureRemoteCli.OK;
      }
      if (sameArgs) {
        out.println("arguments   identical (same canonical encoding)");
        out.flush();
        return PureRemoteCli.OK;
      }
      Optional<StoredEntry.Decoded> invA = entryA.arguments();
      Optional<StoredEntry.Decoded> invB = entryB.arguments();
      if (invA.isEmpty() || invB.isEmpty()) {
        out.println("arguments   cannot compare: no invocation at "
            + (invA.isEmpty() ? entryA.uri() : "") + (invA.isEmpty() && invB.isEmpty() ? " and " : "")
            + (invB.isEmpty() ? entryB.uri() : "") + "; only the args hashes differ");
        out.flush();
        return PureRemoteCli.NOT_FOUND;
      }
      StoredEntry.Decoded argsA = invA.get();
      StoredEntry.Decoded argsB = invB.get();
      if (!argsA.ok() || !argsB.ok()) {
        out.println("arguments   differ (different args hashes); field comparison unavailable: "
            + (argsA.ok() ? argsB.problem() : argsA.problem()));
        out.flush();
        return PureRemoteCli.OK;
      }
      KeyDiff diff = Keys.diff(a.function(), (Object[]) argsA.value(), (Object[]) argsB.value());
      List<String> differences = new ArrayList<>();
      diff.differences().forEach(d -> differences.add(d.text()));
      if (diff.omitted() > 0) {
        differences.add("… and " + diff.omitted() + " more " + (diff.omitted() == 1 ? "difference" : "differences"));
      }
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

  /**
   * For functions keyed with their code ({@code codeHash = true}): says whether the code changed
   * (and which classes) and whether the arguments did. True when that explains the miss fully (the
   * arguments' own hashes are equal), so no field comparison is needed.
   */
  private static boolean codeChanged(PrintWriter out, StoredEntry a, StoredEntry b) {
    MemoEntry.Invocation.Code codeA = a.entry.invocation().map(MemoEntry.Invocation::code).orElse(null);
    MemoEntry.Invocation.Code codeB = b.entry.invocation().map(MemoEntry.Invocation::code).orElse(null);
    if (codeA == null && codeB == null) {
      return false;
    }
    if (codeA == null || codeB == null) {
      out.println("code        keyed in " + (codeA == null ? "B" : "A") + " only (codeHash = true was turned "
          + (codeA == null ? "on" : "off") + " between the calls), so the keys differ");
      return true;
    }
    List<String> changes = codeA.changesTo(codeB);
    if (changes.isEmpty()) {
      out.println("code        same (" + codeA.hash().substring(0, 12) + ")");
    } else {
      out.println("code        changed: " + changes.size() + (changes.size() == 1 ? " class" : " classes") + " (A → B)");
      changes.forEach(c -> out.println("  " + c));
    }
    if (codeA.argsHash() != null && codeA.argsHash().equals(codeB.argsHash())) {
      out.println("arguments   identical (same canonical encoding); only the code differs");
      return true;
    }
    return false;
  }

  private static void segment(PrintWriter out, String label, String a, String b, String note) {
    String padded = String.format("%-12s", label);
    out.println(padded + (a.equals(b) ? "same (" + a + ")" : "differs: " + a + " ≠ " + b + note));
  }
}
