package io.pureremote.cli;

import io.pureremote.k8s.values.Ranges;
import io.pureremote.MemoEntry;
import io.pureremote.spi.BlobStore;
import io.pureremote.spi.Shell;
import java.io.PrintWriter;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.Callable;
import java.util.stream.Stream;
import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

/**
 * {@code pureremote gc}: deletes memo entries last written longer ago than {@code --older-than},
 * in every pipeline or one, of every function or one; never an entry whose lease is live (a call
 * is running on it). {@code --dry-run} lists what would go.
 *
 * <p>An entry's age is the time since it was last written: its invocation, or the end of its
 * latest run. Reading an entry (a memo hit) does not make it younger, because stores keep no
 * cheap access time; a bucket lifecycle rule is the store-side alternative (docs/cli.md).
 */
@Command(name = "gc", mixinStandardHelpOptions = true,
    description = {"Delete memo entries last written more than --older-than ago (never one a live lease holds).",
        "Reads do not count as writes: a result hit every day still ages."})
final class GcCommand implements Callable<Integer> {
  @CommandLine.Spec CommandLine.Model.CommandSpec spec;

  @Option(names = "--root", required = true, paramLabel = "ROOT", description = "blob root URI, e.g. file:///data/memo")
  String root;

  @Option(names = "--older-than", required = true, paramLabel = "AGE",
      description = "delete entries last written longer ago than this: 30d, 12h, 1h30m or PT12H")
  String olderThan;

  @Option(names = "--pipeline", paramLabel = "P", description = "only this pipeline (default: every pipeline)")
  String pipeline;

  @Option(names = "--function", paramLabel = "NAME", description = "only this function, e.g. com.acme.Scoring#score")
  String function;

  @Option(names = "--errors-only", description = "only entries that hold a stored error, not a result")
  boolean errorsOnly;

  @Option(names = "--dry-run", description = "list what would be deleted, delete nothing")
  boolean dryRun;

  @Option(names = "--summary", description = "print only the totals, not one line per entry")
  boolean summary;

  /** Now; a field so the age rule reads the same clock throughout one run. */
  private final Clock clock = Clock.systemUTC();

  @Override
  public Integer call() {
    CommandLine cl = spec.commandLine();
    Duration age;
    try {
      age = Shell.Settings.parseDuration(olderThan); // the configuration files' duration syntax
    } catch (IllegalArgumentException e) {
      throw new CommandLine.ParameterException(cl, "--older-than: " + e.getMessage());
    }
    if (age.isNegative()) {
      throw new CommandLine.ParameterException(cl, "--older-than " + Ranges.atLeast("0s", olderThan));
    }
    String storeRoot = root.endsWith("/") && !root.endsWith(":///") ? root.substring(0, root.length() - 1) : root;
    Instant now = clock.instant();
    Instant cutoff = now.minus(age);
    PrintWriter out = cl.getOut();
    try (BlobStore store = PureRemoteCli.openStore(cl, storeRoot)) {
      List<MemoEntry> entries;
      try {
        entries = MemoEntry.all(store, pipeline);
      } catch (IllegalArgumentException e) {
        throw new CommandLine.ParameterException(cl, e.getMessage());
      }
      int deletedEntries = 0;
      int deletedBlobs = 0;
      int newer = 0;
      List<String> held = new ArrayList<>();
      List<String> undated = new ArrayList<>();
      for (MemoEntry entry : entries) {
        if ((function != null && !entry.function().name().equals(function))
            || (errorsOnly && entry.error().isEmpty())) {
          continue;
        }
        Optional<MemoEntry.LeaseState> lease = entry.lease().filter(l -> l.live(now));
        if (lease.isPresent()) {
          held.add(entry.uri() + " (lease held by " + lease.get().holder() + " until " + lease.get().expiresAt() + ")");
          continue;
        }
        Optional<Instant> written = lastWritten(entry);
        if (written.isEmpty()) {
          undated.add(entry.uri());
          continue;
        }
        if (!written.get().isBefore(cutoff)) {
          newer++;
          continue;
        }
        List<String> blobs = InvalidateCommand.entryBlobs(entry).getOrDefault(entry.uri(), List.of());
        if (!dryRun) {
          blobs.forEach(store::delete);
        }
        deletedEntries++;
        deletedBlobs += blobs.size();
        if (!summary) {
          out.println((dryRun ? "would delete " : "deleted ") + entry.uri() + " (" + blobs.size() + " blobs, last written "
              + written.get() + ", " + Render.age(Duration.between(written.get(), now)) + " ago)");
        }
      }
      if (!summary) {
        held.forEach(h -> out.println("kept " + h));
        undated.forEach(u -> out.println("kept " + u + " (no invocation or run record says when it was written;"
            + " inspect it, then pureremote invalidate it)"));
      }
      String scope = (function != null ? function : "every function") + " in "
          + (pipeline != null ? "pipeline " + pipeline : "every pipeline") + " at " + store.root();
      out.println((dryRun ? "would delete " : "deleted ") + deletedBlobs + " blobs in " + deletedEntries
          + (deletedEntries == 1 ? " entry" : " entries") + (errorsOnly ? " holding errors" : "")
          + " last written before " + cutoff + " (" + olderThan + " ago), of " + scope + "; kept " + newer + " newer, "
          + held.size() + " held by a live lease" + (undated.isEmpty() ? "" : ", " + undated.size() + " undated"));
      out.flush();
      return PureRemoteCli.OK;
    }
  }

  /** The latest of the invocation's start and each run's start and end: when the entry was last written. */
  private static Optional<Instant> lastWritten(MemoEntry entry) {
    Stream<Instant> invoked = entry.invocation().map(MemoEntry.Invocation::invokedAt).stream();
    Stream<Instant> runs = entry.runs().stream().flatMap(r -> Stream.of(r.startedAt(), r.endedAt()));
    return Stream.concat(invoked, runs).filter(java.util.Objects::nonNull).max(Instant::compareTo);
  }
}
