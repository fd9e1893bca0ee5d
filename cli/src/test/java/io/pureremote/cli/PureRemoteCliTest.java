package io.pureremote.cli;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.pureremote.FunctionId;
import io.pureremote.Keys;
import io.pureremote.MemoEntry;
import io.pureremote.RemoteFunctionException;
import io.pureremote.RemoteRuntime;
import io.pureremote.spi.Shell;
import io.pureremote.spi.BlobStore;
import java.io.PrintWriter;
import java.io.StringWriter;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.function.Consumer;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import picocli.CommandLine;

/**
 * Each CLI command against a file blob store populated by real calls through {@link RemoteRuntime}
 * and the in-process shell. Set {@code -Dpureremote.cli.print=true} to print the outputs (used for
 * docs/cli.md).
 */
class PureRemoteCliTest {
  static final String SCORE = Scoring.class.getName() + "#score";
  static final Scoring.Features F1 = new Scoring.Features("alice", Map.of("x", 0.5, "y", 1.0), List.of(1, 2, 3));
  static final Scoring.Features F2 = new Scoring.Features("alice", Map.of("x", 0.7, "y", 1.0), List.of(1, 2, 3));

  @TempDir
  Path tmp;

  String root;

  @BeforeEach
  void setUp() {
    root = tmp.resolve("memo").toUri().toString().replaceAll("/$", "");
    ScoringImpl.RUNS.set(0);
  }

  record Run(int code, String out, String err) {}

  static Run cli(String... args) {
    StringWriter out = new StringWriter();
    StringWriter err = new StringWriter();
    CommandLine cl = PureRemoteCli.commandLine();
    cl.setOut(new PrintWriter(out, true));
    cl.setErr(new PrintWriter(err, true));
    int code = cl.execute(args);
    if (Boolean.getBoolean("pureremote.cli.print")) {
      System.out.println("$ pureremote " + String.join(" ", args) + "\n" + out + err + "(exit " + code + ")\n");
    }
    return new Run(code, out.toString(), err.toString());
  }

  /** Runs {@code calls} in one runtime over the test store, then closes it (writing its event log). */
  void withRuntime(Consumer<Scoring> calls) {
    try (Shell shell = Shell.inProcess();
        RemoteRuntime runtime = RemoteRuntime.builder().blobRoot(root).shell(shell).build()) {
      calls.accept(runtime.create(Scoring.class, ScoringImpl.class));
    }
  }

  String memoUri(String function, String version, Object... args) {
    try (BlobStore store = BlobStore.open(root)) {
      return MemoEntry.of(store, "default", new FunctionId(function, version), Keys.argsHash(args)).uri();
    }
  }

  @Test
  void inspectShowsArgumentsResultRunsAndLease() {
    withRuntime(s -> s.score("m1", F1));
    Run run = cli("inspect", memoUri(SCORE, "2", "m1", F1));
    assertThat(run.code()).isZero();
    assertThat(run.out())
        .contains("function    " + SCORE)
        .contains("version     2")
        .contains("pipeline    default")
        .contains("invoked by  ")
        .contains("arguments   2")
        .contains("args[0] java.lang.String = \"m1\"")
        .contains("args[1] " + Scoring.Features.class.getName() + " = Features[name=alice")
        .contains("result      (java.lang.String) \"m1:alice=1.5\"")
        .contains("runs        1")
        .containsPattern("ms  succeeded  host .* pid \\d+")
        .contains("lease       released (holder ");

    // A run the Kubernetes shell recorded for a pod it saw evicted: no pid to show.
    try (BlobStore store = BlobStore.open(root)) {
      java.time.Instant at = java.time.Instant.parse("2026-12-07T10:00:00Z");
      MemoEntry.at(store, memoUri(SCORE, "2", "m1", F1)).recordRun("node-3", at, at.plusSeconds(2),
          "disrupted: EvictionByEvictionAPI: Eviction API: evicting", java.util.Map.of("pod", "score-0-x7k2p"));
    }
    assertThat(cli("inspect", memoUri(SCORE, "2", "m1", F1)).out()).contains("runs        2")
        .containsPattern("2000 ms  disrupted: EvictionByEvictionAPI: Eviction API: evicting  host node-3\\R");
  }

  /** Log lines print the first 8 digits of the args hash; every command that takes a memo URI takes that too. */
  @Test
  void commandsTakeTheShortHashLogLinesPrint() {
    withRuntime(s -> {
      s.score("m1", F1);
      s.score("m2", F1);
    });
    String full = memoUri(SCORE, "2", "m1", F1);
    String shortUri = full.substring(0, full.length() - 56);

    Run inspect = cli("inspect", shortUri);
    assertThat(inspect.code()).as(inspect.err()).isZero();
    assertThat(inspect.out()).contains("memo        " + full).contains("args[0] java.lang.String = \"m1\"");
    Run whyMiss = cli("why-miss", shortUri, memoUri(SCORE, "2", "m2", F1));
    assertThat(whyMiss.code()).as(whyMiss.err()).isZero();
    assertThat(whyMiss.out()).contains("A  " + full);

    Run unknown = cli("inspect", full.substring(0, full.length() - 64) + "00000000");
    assertThat(unknown.code()).isEqualTo(2);
    assertThat(unknown.err()).startsWith("No memo entry whose args hash starts with 00000000 under ");
    Run invalidate = cli("invalidate", shortUri);
    assertThat(invalidate.code()).as(invalidate.err()).isZero();
    assertThat(cli("inspect", full).code()).isNotZero();
  }

  @Test
  void versionNamesTheLibraryVersionTheHeadersRecord() {
    Run run = cli("--version");
    assertThat(run.code()).isZero();
    assertThat(RemoteRuntime.VERSION).matches("\\d+\\.\\d+\\.\\d+.*");
    assertThat(run.out().strip()).isEqualTo("pureremote " + RemoteRuntime.VERSION + " (Java " + Runtime.version() + ")");
  }

  @Test
  void inspectShowsTheErrorRecordWithItsStack() {
    withRuntime(s -> assertThatThrownBy(() -> s.fail("boom")).isInstanceOf(RemoteFunctionException.class));
    Run run = cli("inspect", memoUri(Scoring.class.getName() + "#fail", "1", "boom"));
    assertThat(run.code()).isZero();
    assertThat(run.out())
        .contains("args[0] java.lang.String = \"boom\"")
        .contains("error       java.lang.IllegalStateException: boom")
        .contains("at " + ScoringImpl.class.getName() + ".fail")
        .contains("runs        1");
  }

  @Test
  void inspectSaysWhenNothingIsThereOrTheUriIsBad() {
    Run missing = cli("inspect", memoUri(SCORE, "2", "nothing", F1));
    assertThat(missing.code()).isEqualTo(1);
    assertThat(missing.err()).contains("No memo entry at " + memoUri(SCORE, "2", "nothing", F1));

    Run bad = cli("inspect", root + "/not/a/memo");
    assertThat(bad.code()).isEqualTo(2);
    assertThat(bad.err()).contains("Not a memo URI").contains("<pipeline>/<function>@<version>/<args hash>");

    Run scheme = cli("inspect", "nosuch://x/pureremote/v1/default/f@1/" + "0".repeat(64));
    assertThat(scheme.code()).isEqualTo(2);
    assertThat(scheme.err()).contains("No BlobStore for scheme 'nosuch'");
  }

  @Test
  void whyMissNamesTheDifferingFieldPath() {
    Scoring.Features f3 = new Scoring.Features("alice", Map.of("x", 0.5, "z", 2.0), List.of(1, 2));
    withRuntime(s -> {
      s.score("m1", F1);
      s.score("m1", F2);
      s.score("m2", f3);
    });
    Run run = cli("why-miss", memoUri(SCORE, "2", "m1", F1), memoUri(SCORE, "2", "m1", F2));
    assertThat(run.code()).isZero();
    assertThat(run.out())
        .contains("function    same (" + SCORE + ")")
        .contains("version     same (2)")
        .contains("args hash   differs: ")
        .contains("arguments   1 difference (A ≠ B)")
        .contains("args[1].weights[\"x\"]: 0.5 ≠ 0.7");

    Run more = cli("why-miss", memoUri(SCORE, "2", "m1", F1), memoUri(SCORE, "2", "m2", f3));
    assertThat(more.out())
        .contains("args[0]: \"m1\" ≠ \"m2\"")
        .contains("args[1].ids: size 3 ≠ 2")
        .contains("args[1].ids[2]: only in A (3)")
        .contains("args[1].weights[\"y\"]: only in A (1.0)")
        .contains("args[1].weights[\"z\"]: only in B (2.0)");

    Run same = cli("why-miss", memoUri(SCORE, "2", "m1", F1), memoUri(SCORE, "2", "m1", F1));
    assertThat(same.out()).contains("same memo key");
  }

  @Test
  void whyMissComparesKeySegmentsFirst() {
    withRuntime(s -> s.score("m1", F1));
    String a = memoUri(SCORE, "2", "m1", F1);
    String b = memoUri(SCORE, "3", "m1", F1);
    Run run = cli("why-miss", a, b);
    assertThat(run.out())
        .contains("version     differs: 2 ≠ 3 (a new version never reuses older results)")
        .contains("arguments   identical (same canonical encoding)");
  }

  @Test
  void invalidateDryRunListsThenDeletesAndTheNextCallRunsAgain() {
    withRuntime(s -> s.score("m1", F1));
    String uri = memoUri(SCORE, "2", "m1", F1);

    Run dry = cli("invalidate", "--dry-run", uri);
    assertThat(dry.code()).isZero();
    assertThat(dry.out())
        .contains("would delete " + uri + "/result")
        .contains("would delete " + uri + "/invocation")
        .contains("would delete " + uri + "/lease")
        .contains("would delete " + uri + "/runs/")
        .contains("blobs in 1 entry");
    assertThat(cli("inspect", uri).code()).isZero(); // still there

    Run real = cli("invalidate", uri);
    assertThat(real.code()).isZero();
    assertThat(real.out()).contains("deleted " + uri + "/result").contains("blobs in 1 entry");
    assertThat(cli("inspect", uri).code()).isEqualTo(1);
    assertThat(cli("invalidate", uri).code()).isEqualTo(1); // nothing left

    withRuntime(s -> s.score("m1", F1));
    assertThat(ScoringImpl.RUNS).hasValue(2);
  }

  @Test
  void invalidateAFunctionRemovesAllItsEntriesOnly() {
    withRuntime(s -> {
      s.score("m1", F1);
      s.score("m1", F2);
      assertThatThrownBy(() -> s.fail("boom")).isInstanceOf(RemoteFunctionException.class);
    });
    Run dry = cli("invalidate", "--function", SCORE, "--root", root, "--dry-run");
    assertThat(dry.code()).isZero();
    assertThat(dry.out()).contains("blobs in 2 entries of " + SCORE + " (all versions)");

    Run summary = cli("invalidate", "--function", SCORE, "--root", root, "--dry-run", "--summary");
    assertThat(summary.code()).isZero();
    assertThat(summary.out().lines().toList()).hasSize(1).first().asString().startsWith("would delete ")
        .endsWith("blobs in 2 entries of " + SCORE + " (all versions) in pipeline default at " + root);

    Run wrongVersion = cli("invalidate", "--function", SCORE, "--version", "9", "--root", root);
    assertThat(wrongVersion.code()).isEqualTo(1);
    assertThat(wrongVersion.err()).contains("Nothing to invalidate");
    Run wrongPipeline = cli("invalidate", "--function", SCORE, "--root", root, "--pipeline", "nightly");
    assertThat(wrongPipeline.code()).isEqualTo(1);
    assertThat(wrongPipeline.err()).contains("in pipeline nightly")
        .contains("; pipelines with entries of it: default (give one with --pipeline)");
    assertThat(cli("invalidate", "--function", "com.acme.Nobody#f", "--root", root).err())
        .contains("(nor in any other pipeline)");

    Run real = cli("invalidate", "--function", SCORE, "--version", "2", "--root", root);
    assertThat(real.code()).isZero();
    assertThat(real.out()).contains("blobs in 2 entries of " + SCORE + "@2");
    assertThat(cli("inspect", memoUri(SCORE, "2", "m1", F2)).code()).isEqualTo(1);
    assertThat(cli("inspect", memoUri(Scoring.class.getName() + "#fail", "1", "boom")).code()).isZero();

    assertThat(cli("invalidate", "--function", SCORE).code()).isEqualTo(2); // no --root
    assertThat(cli("invalidate").code()).isEqualTo(2);
  }

  @Test
  void runsShowsHitsAndMissesFromTheEventLog() {
    withRuntime(s -> {
      s.score("m1", F1);
      s.score("m1", F1);
    });
    withRuntime(s -> assertThatThrownBy(() -> s.fail("boom")).isInstanceOf(RemoteFunctionException.class));
    try (BlobStore store = BlobStore.open(root)) {
      // One blob per runtime, written at close.
      assertThat(store.list(RemoteRuntime.EVENT_LOG_PREFIX + "/")).hasSize(2).allMatch(k -> k.endsWith(".jsonl"));
    }
    Run run = cli("runs", "--root", root);
    assertThat(run.code()).isZero();
    assertThat(run.out())
        .contains("TIME (UTC)")
        .containsPattern(SCORE.replace("$", "\\$") + "@2\\s+hit\\s+\\d+ ms")
        .containsPattern(SCORE.replace("$", "\\$") + "@2\\s+miss\\s+\\d+ ms")
        .contains("failed")
        .contains("java.lang.IllegalStateException")
        .contains("3 calls: 1 hit, 1 miss, 1 failed, 0 joined")
        .contains(" ms  " + memoUri(SCORE, "2", "m1", F1) + "\n") // the memo URI, for inspect
        .contains(memoUri(Scoring.class.getName() + "#fail", "1", "boom") + "  java.lang.IllegalStateException");
    assertThat(run.out().lines().toList().get(1)).contains("#fail"); // newest first

    Run lastOne = cli("runs", "--root", root, "--last", "1");
    assertThat(lastOne.out()).contains("1 call: 0 hit, 0 miss, 1 failed");

    // A root given as a positional argument: the usage error says to use --root.
    Run positional = cli("runs", root);
    assertThat(positional.code()).isEqualTo(2);
    assertThat(positional.err()).contains("Unmatched argument").contains("hint: give the blob root with --root: pureremote runs --root " + root);

    Run empty = cli("runs", "--root", tmp.resolve("empty").toUri().toString());
    assertThat(empty.code()).isEqualTo(1);
    assertThat(empty.err()).contains("No call events");

    // Filters apply before --last: the newest call of score, although #fail is newer.
    Run scoreOnly = cli("runs", "--root", root, "--function", SCORE, "--last", "1");
    assertThat(scoreOnly.code()).isZero();
    assertThat(scoreOnly.out()).contains("1 call: 1 hit, 0 miss").doesNotContain("#fail");
    assertThat(cli("runs", "--root", root, "--function", SCORE + "@2").out()).contains("2 calls: 1 hit, 1 miss");
    Run wrongVersion = cli("runs", "--root", root, "--function", SCORE + "@9");
    assertThat(wrongVersion.code()).isEqualTo(1);
    assertThat(wrongVersion.err()).contains("No call events matching --function " + SCORE + "@9 under");
    assertThat(cli("runs", "--root", root, "--pipeline", "default").out()).contains("3 calls: 1 hit, 1 miss, 1 failed");
    Run otherPipeline = cli("runs", "--root", root, "--pipeline", "nightly");
    assertThat(otherPipeline.code()).isEqualTo(1);
    assertThat(otherPipeline.err()).contains("No call events matching --pipeline nightly");
  }
}
