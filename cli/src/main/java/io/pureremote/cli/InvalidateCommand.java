package io.pureremote.cli;

import io.pureremote.MemoEntry;
import io.pureremote.spi.BlobStore;
import java.io.PrintWriter;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.Callable;
import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;

/**
 * {@code pureremote invalidate}: deletes one memo entry, or every entry of a function (optionally
 * of one version), so the next call runs again. {@code --dry-run} lists what would go.
 */
@Command(name = "invalidate", mixinStandardHelpOptions = true,
    description = {"Delete a memo entry (result, error, invocation, lease, runs) or all entries of a function.",
        "Use either MEMO_URI or --function with --root."})
final class InvalidateCommand implements Callable<Integer> {
  @CommandLine.Spec CommandLine.Model.CommandSpec spec;

  @Parameters(arity = "0..1", paramLabel = "MEMO_URI", description = "the entry to delete")
  String memoUri;

  @Option(names = "--function", paramLabel = "NAME", description = "function name, e.g. com.acme.Scoring#score")
  String function;

  @Option(names = "--version", paramLabel = "V", description = "only this function version (default: all versions)")
  String version;

  @Option(names = "--pipeline", paramLabel = "P", defaultValue = "default", description = "pipeline id (default: ${DEFAULT-VALUE})")
  String pipeline;

  @Option(names = "--root", paramLabel = "ROOT", description = "blob root URI, e.g. file:///data/memo (with --function)")
  String root;

  @Option(names = "--dry-run", description = "list what would be deleted, delete nothing")
  boolean dryRun;

  @Option(names = "--summary", description = "print only the totals, not one line per blob")
  boolean summary;

  @Override
  public Integer call() {
    CommandLine cl = spec.commandLine();
    if ((memoUri == null) == (function == null)) {
      throw new CommandLine.ParameterException(cl, "Give either a MEMO_URI or --function NAME --root ROOT, not "
          + (memoUri == null ? "neither" : "both"));
    }
    if (memoUri != null && (version != null || root != null)) {
      throw new CommandLine.ParameterException(cl, "--version and --root go with --function, not with a MEMO_URI");
    }
    if (function != null && root == null) {
      throw new CommandLine.ParameterException(cl, "--function needs --root ROOT (the blob root URI)");
    }
    String storeRoot;
    MemoEntry.Address single = null;
    if (memoUri != null) {
      single = PureRemoteCli.parseMemoUri(cl, memoUri);
      storeRoot = single.root();
    } else {
      storeRoot = root.endsWith("/") && !root.endsWith(":///") ? root.substring(0, root.length() - 1) : root;
    }
    PrintWriter out = cl.getOut();
    try (BlobStore store = PureRemoteCli.openStore(cl, storeRoot)) {
      if (single != null) {
        single = PureRemoteCli.resolve(cl, store, single);
      }
      List<MemoEntry> found;
      try {
        found = single != null
            ? List.of(MemoEntry.of(store, single.pipelineId(), single.function(), single.argsHash()))
            : MemoEntry.list(store, pipeline, function, version);
      } catch (IllegalArgumentException e) {
        throw new CommandLine.ParameterException(cl, e.getMessage());
      }
      Map<String, List<String>> entries = new LinkedHashMap<>();
      found.forEach(entry -> entries.putAll(entryBlobs(entry)));
      int blobs = entries.values().stream().mapToInt(List::size).sum();
      String what = single != null ? found.get(0).uri()
          : function + (version == null ? " (all versions)" : "@" + version) + " in pipeline " + pipeline + " at " + store.root();
      if (blobs == 0) {
        String elsewhere = "";
        if (single == null) {
          List<String> others = MemoEntry.pipelines(store, function);
          elsewhere = others.isEmpty() ? " (nor in any other pipeline)"
              : "; pipelines with entries of it: " + String.join(", ", others) + " (give one with --pipeline)";
        }
        cl.getErr().println("Nothing to invalidate: no memo entries for " + what + elsewhere);
        cl.getErr().flush();
        return PureRemoteCli.NOT_FOUND;
      }
      for (List<String> keys : entries.values()) {
        for (String key : keys) {
          if (!dryRun) {
            store.delete(key);
          }
          if (!summary) {
            out.println((dryRun ? "would delete " : "deleted ") + store.uri(key));
          }
        }
      }
      out.println((dryRun ? "would delete " : "deleted ") + blobs + " blobs in " + entries.size()
          + (entries.size() == 1 ? " entry" : " entries") + " of " + what);
      out.flush();
      return PureRemoteCli.OK;
    }
  }

  /** The entry's blobs; {@code result} and {@code error} first so it stops being a hit at once. */
  static Map<String, List<String>> entryBlobs(MemoEntry entry) {
    List<String> keys = new ArrayList<>(entry.blobs());
    keys.sort(Comparator.comparing((String k) -> !(k.endsWith("/result") || k.endsWith("/error")))
        .thenComparing(Comparator.naturalOrder()));
    Map<String, List<String>> out = new LinkedHashMap<>();
    if (!keys.isEmpty()) {
      out.put(entry.uri(), keys);
    }
    return out;
  }
}
