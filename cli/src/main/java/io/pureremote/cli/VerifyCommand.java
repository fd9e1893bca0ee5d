package io.pureremote.cli;

import io.pureremote.k8s.values.Ranges;
import io.pureremote.BlobRef;
import io.pureremote.MemoEntry;
import io.pureremote.spi.BlobStore;
import java.io.PrintWriter;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.Callable;
import java.util.regex.Pattern;
import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;

/**
 * {@code pureremote verify <root>}: scans a blob root page by page ({@link BlobStore#listPage}),
 * one memo entry at a time, so memory stays bounded whatever the root holds, and reports damaged
 * or partial blobs, results whose content-addressed content is gone, stale leases, invocations
 * that never got a result or error, and content-addressed blobs no entry references. {@code
 * --repair} does what a call does when it meets a damaged result ({@link MemoEntry#repair()}: set
 * it aside under the entry's lease; with {@code --decode} also a result that does not decode or is
 * of the wrong type, {@link MemoEntry#repair(ClassLoader)}) and releases stale leases; it deletes
 * nothing else.
 */
@Command(name = "verify", mixinStandardHelpOptions = true,
    description = {"Check every memo entry under a blob root: damaged or partial blobs, missing content, stale leases,",
        "invocations without a result, content no entry references. --repair sets damaged blobs aside",
        "(as a call does) and releases stale leases."})
final class VerifyCommand implements Callable<Integer> {
  private static final Pattern HASH = Pattern.compile("[0-9a-f]{64}");
  private static final String LAYOUT = "pureremote/v1/";

  @CommandLine.Spec CommandLine.Model.CommandSpec spec;

  @Parameters(paramLabel = "ROOT", description = "blob root URI, e.g. file:///data/memo or s3://bucket/prefix")
  String root;

  @Option(names = "--pipeline", paramLabel = "P",
      description = "only this pipeline and those nested under it (content references are then not checked)")
  String pipeline;

  @Option(names = "--repair", description = "set damaged blobs aside (with --decode also results that do not decode or"
      + " are of the wrong type) and release stale leases")
  boolean repair;

  @Option(names = "--decode", description = "also decode each result with the application's classes on this class path"
      + " (CLASSPATH) and report results that do not decode or are not of the function's return type")
  boolean decode;

  @Option(names = "--page", paramLabel = "N", defaultValue = "1000",
      description = "keys listed per request (default ${DEFAULT-VALUE}); memory holds one page and one entry")
  int page;

  @Option(names = "--progress-every", paramLabel = "N", defaultValue = "1000",
      description = "print a progress line to stderr every N entries (default ${DEFAULT-VALUE}; 0: none)")
  int progressEvery;

  /** Totals of one scan. */
  private int entries;
  private long blobs;
  private int damaged;
  private int missingContent;
  private int repaired;
  private int left;
  private int staleLeases;
  private int released;
  private int unfinished;
  private int running;
  private int contentBlobs;
  private int orphaned;
  private int unrecorded;
  private int unjudged;
  private int judged;

  private static ClassLoader loader() {
    return java.util.Objects.requireNonNullElse(Thread.currentThread().getContextClassLoader(),
        VerifyCommand.class.getClassLoader());
  }

  @Override
  public Integer call() {
    CommandLine cl = spec.commandLine();
    Ranges.atLeastProblem(1, page).ifPresent(p -> {
      throw new CommandLine.ParameterException(cl, "--page " + p);
    });
    Ranges.atLeastProblem(0, progressEvery).ifPresent(p -> {
      throw new CommandLine.ParameterException(cl, "--progress-every " + p);
    });
    if (root.contains("/" + LAYOUT)) {
      throw new CommandLine.ParameterException(cl, "verify takes a blob root, not a memo URI: give the part before /"
          + LAYOUT + " (" + root.substring(0, root.indexOf("/" + LAYOUT)) + "); --pipeline narrows the scan");
    }
    String storeRoot = root.endsWith("/") && !root.endsWith(":///") ? root.substring(0, root.length() - 1) : root;
    String prefix = LAYOUT;
    if (pipeline != null) {
      if (!pipeline.matches("[A-Za-z0-9._-]+(/[A-Za-z0-9._-]+)*") || pipeline.startsWith(".") || pipeline.contains("/.")) {
        throw new CommandLine.ParameterException(cl, "--pipeline: invalid pipeline id '" + pipeline
            + "': use letters, digits and . _ - in '/'-separated segments that do not start with '.'");
      }
      prefix = LAYOUT + pipeline + "/";
    }
    PrintWriter out = cl.getOut();
    PrintWriter err = cl.getErr();
    Instant now = Instant.now();
    ContentRefs refs = new ContentRefs();
    try (BlobStore store = PureRemoteCli.openStore(cl, storeRoot)) {
      // Keys come sorted, so an entry's blobs are contiguous: check each entry when the next begins.
      String current = null;
      List<String> currentNames = new ArrayList<>();
      String after = null;
      while (true) {
        List<String> keys = store.listPage(prefix, after, page);
        if (keys.isEmpty()) {
          break;
        }
        for (String key : keys) {
          blobs++;
          String entry = entryPrefix(key);
          if (entry != null && !entry.equals(current)) {
            if (current != null) {
              verifyEntry(store, current, currentNames, now, refs, out, err);
            }
            current = entry;
            currentNames.clear();
          }
          if (entry != null) {
            currentNames.add(key.substring(entry.length() + 1));
          }
        }
        after = keys.get(keys.size() - 1);
      }
      if (current != null) {
        verifyEntry(store, current, currentNames, now, refs, out, err);
      }
      if (pipeline == null) {
        verifyContent(store, refs, out);
      }
      out.println(summary(store.root()));
      out.flush();
      err.flush();
      return damaged + missingContent - repaired + judged > 0 ? PureRemoteCli.NOT_FOUND : PureRemoteCli.OK;
    }
  }

  /** {@code pureremote/v1/<pipeline...>/<fn>@<v>/<hash>} of a key inside an entry, or null. */
  static String entryPrefix(String key) {
    if (!key.startsWith(LAYOUT)) {
      return null;
    }
    String[] parts = key.substring(LAYOUT.length()).split("/");
    // <pipeline segments...>/<function>@<version>/<hash>/<blob...>: pipeline ids hold no '@'.
    for (int i = 1; i + 2 < parts.length; i++) {
      if (parts[i].contains("@")) {
        return HASH.matcher(parts[i + 1]).matches()
            ? LAYOUT + String.join("/", java.util.Arrays.asList(parts).subList(0, i + 2)) : null;
      }
    }
    return null;
  }

  private void verifyEntry(BlobStore store, String entryPrefix, List<String> names, Instant now, ContentRefs refs,
      PrintWriter out, PrintWriter err) {
    MemoEntry entry;
    try {
      MemoEntry.Address address = MemoEntry.parseUri(store.root() + "/" + entryPrefix);
      entry = MemoEntry.of(store, address.pipelineId(), address.function(), address.argsHash());
    } catch (IllegalArgumentException e) {
      return; // a folder that only looks like an entry
    }
    entries++;
    MemoEntry.Check check = entry.check();
    check.contentRefs().forEach(refs::add);
    if (!check.refsRecorded()) {
      unrecorded++;
    }
    for (MemoEntry.Problem p : check.problems()) {
      if (p.kind().equals("missing-content")) {
        missingContent++;
      } else {
        damaged++;
      }
      out.println(pad(p.kind()) + entry.uri() + "/" + p.blob() + ": " + p.detail());
    }
    boolean resultDamaged = check.problems().stream().anyMatch(p -> p.blob().equals("result"));
    boolean undecodable = false;
    if (decode && names.contains("result") && !resultDamaged) {
      Optional<MemoEntry.Problem> judgedProblem = entry.judgeResult(loader());
      if (judgedProblem.isPresent()) {
        MemoEntry.Problem p = judgedProblem.get();
        boolean unusable = p.kind().equals("undecodable") || p.kind().equals("wrong-type");
        undecodable = unusable;
        if (p.kind().equals("unjudged")) {
          unjudged++;
        } else if (unusable) {
          judged++;
        } else if (p.kind().equals("missing-content")) {
          missingContent++;
        } else {
          damaged++;
        }
        out.println(pad(p.kind()) + entry.uri() + "/" + p.blob() + ": " + p.detail()
            + (unusable && !repair ? " (the next call sets it aside and recomputes it)" : ""));
      }
    }
    if (repair && (!check.problems().isEmpty() || undecodable)) {
      // With --decode a result a call could not use is set aside too, as that call would (MemoEntry.repair).
      for (MemoEntry.Repair r : decode ? entry.repair(loader()) : entry.repair()) {
        if (r.asideUri() != null && r.outcome().equals("set aside")) {
          repaired++;
          out.println(pad("repaired") + entry.uri() + "/" + r.problem().blob() + ": set aside as " + r.asideUri()
              + "; the next call recomputes it");
        } else {
          left++;
          out.println(pad("not repaired") + entry.uri() + "/" + r.problem().blob() + ": " + r.outcome());
        }
      }
    }
    Optional<MemoEntry.LeaseState> lease = entry.lease();
    boolean live = lease.isPresent() && lease.get().live(now) && !entry.leaseStale(now);
    if (entry.leaseStale(now)) {
      staleLeases++;
      MemoEntry.LeaseState l = lease.orElseThrow();
      out.println(pad("stale-lease") + entry.uri() + "/lease: held by " + l.holder() + " (host " + l.host() + ", pid "
          + l.pid() + "), " + (l.expiresAt().isAfter(now) ? "whose processes on this machine are gone"
              : "expired at " + l.expiresAt()) + "; the next equal call takes it over");
      if (repair && entry.releaseStaleLease()) {
        released++;
        out.println(pad("repaired") + entry.uri() + "/lease: released");
      }
    }
    if (live) {
      running++;
    }
    if (names.contains("invocation") && !names.contains("result") && !names.contains("error") && !live) {
      unfinished++;
      boolean setAside = names.stream().anyMatch(n -> n.startsWith("aside/") && !n.endsWith(".json"));
      out.println(pad("unfinished") + entry.uri() + ": an invocation without a result or error, and no live lease"
          + (setAside ? " (what it had was set aside, see its aside/ folder)" : " (its run died or was cancelled)")
          + "; the next equal call runs it");
    }
    if (progressEvery > 0 && entries % progressEvery == 0) {
      err.println("verify: " + entries + " entries, " + blobs + " blobs so far");
      err.flush();
    }
  }

  /** Lists the content-addressed area once, reporting content that no entry's header references. */
  private void verifyContent(BlobStore store, ContentRefs refs, PrintWriter out) {
    String after = null;
    while (true) {
      List<String> keys = store.listPage(BlobRef.CAS_PREFIX, after, page);
      if (keys.isEmpty()) {
        return;
      }
      for (String key : keys) {
        String sha = key.substring(BlobRef.CAS_PREFIX.length());
        if (!HASH.matcher(sha).matches()) {
          continue;
        }
        contentBlobs++;
        if (!refs.mightContain(sha)) {
          orphaned++;
          out.println(pad("orphaned") + store.uri(key) + ": no invocation or result references it"
              + (unrecorded > 0 ? " (as far as their headers say: " + unrecorded
                  + " entries predate recorded references)" : ""));
        }
      }
      after = keys.get(keys.size() - 1);
    }
  }

  private String summary(String storeRoot) {
    StringBuilder sb = new StringBuilder("verified " + entries + (entries == 1 ? " entry" : " entries") + " (" + blobs
        + " blobs)" + (pipeline == null ? " and " + contentBlobs + " content blobs" : " in pipeline " + pipeline)
        + " at " + storeRoot + ": " + damaged + " damaged, " + missingContent + " missing content, " + staleLeases
        + " stale leases, " + unfinished + " unfinished, " + (pipeline == null ? orphaned + " orphaned content, " : "")
        + running + " running");
    if (decode) {
      sb.append(", ").append(judged).append(" undecodable or of the wrong type");
      if (unjudged > 0) {
        sb.append(", ").append(unjudged).append(" not judged (classes not on the class path)");
      }
    }
    if (repair) {
      sb.append("; repaired ").append(repaired).append(", released ").append(released).append(" leases");
      if (left > 0) {
        sb.append(", left ").append(left).append(" to the calls that hold them");
      }
    } else if (damaged + missingContent + staleLeases > 0) {
      sb.append("; run with --repair to set damaged blobs aside and release stale leases");
    }
    if (judged > 0 && !repair) {
      sb.append("; the next call of each undecodable or wrong-typed result sets it aside and recomputes it,"
          + " or --repair sets it aside now");
    }
    return sb.toString();
  }

  private static String pad(String label) {
    return String.format("%-16s", label);
  }

  /**
   * The content hashes entries reference, in fixed memory: a Bloom filter of 2^26 bits (8 MiB) and
   * 5 probes, read straight from the SHA-256 (already uniform). It never forgets a hash it was
   * given, so content that is referenced is never reported orphaned; content that is not may, with
   * a few million references, rarely be taken for referenced and go unreported.
   */
  static final class ContentRefs {
    private static final int BITS = 1 << 26;
    private static final int PROBES = 5;
    private final long[] words = new long[BITS / 64];

    void add(String sha256) {
      for (int i = 0; i < PROBES; i++) {
        int bit = probe(sha256, i);
        words[bit >>> 6] |= 1L << (bit & 63);
      }
    }

    boolean mightContain(String sha256) {
      for (int i = 0; i < PROBES; i++) {
        int bit = probe(sha256, i);
        if ((words[bit >>> 6] & (1L << (bit & 63))) == 0) {
          return false;
        }
      }
      return true;
    }

    /** Probe {@code i}: 7 hex digits (28 bits) of the hash at offset 8·i, folded into the table. */
    private static int probe(String sha256, int i) {
      return Integer.parseInt(sha256.substring(i * 8, i * 8 + 7), 16) & (BITS - 1);
    }
  }
}
