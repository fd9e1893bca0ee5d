package io.pureremote.cli;

import static io.pureremote.cli.PureRemoteCliTest.cli;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.pureremote.FunctionId;
import io.pureremote.Keys;
import io.pureremote.MemoEntry;
import io.pureremote.RemoteFunctionException;
import io.pureremote.RemoteRuntime;
import io.pureremote.spi.Shell;
import io.pureremote.spi.BlobStore;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.function.Consumer;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** {@code pureremote gc} over a file store filled by real calls through the in-process shell. */
class GcCommandTest {
  static final String SCORE = Scoring.class.getName() + "#score";
  static final Scoring.Features F = new Scoring.Features("alice", Map.of("x", 0.5), List.of(1));

  @TempDir
  Path tmp;

  String root;

  @BeforeEach
  void setUp() {
    root = tmp.resolve("memo").toUri().toString().replaceAll("/$", "");
    ScoringImpl.RUNS.set(0);
  }

  void calls(String pipeline, Consumer<Scoring> calls) {
    try (Shell shell = Shell.inProcess();
        RemoteRuntime runtime = RemoteRuntime.builder().blobRoot(root).pipelineId(pipeline).shell(shell).build()) {
      calls.accept(runtime.create(Scoring.class, ScoringImpl.class));
    }
  }

  boolean exists(String pipeline, String function, String version, Object... args) {
    try (BlobStore store = BlobStore.open(root)) {
      return MemoEntry.of(store, pipeline, new FunctionId(function, version), Keys.argsHash(args)).hasResult();
    }
  }

  @Test
  void keepsNewerEntriesThenDeletesOlderOnesAndTheNextCallRunsAgain() {
    calls("default", s -> s.score("m1", F));
    calls("nightly/eu", s -> s.score("m2", F));

    Run young = run("gc", "--root", root, "--older-than", "1d");
    assertThat(young.code()).isZero();
    assertThat(young.out()).contains("deleted 0 blobs in 0 entries").contains("kept 2 newer, 0 held by a live lease");

    Run dry = run("gc", "--root", root, "--older-than", "0s", "--dry-run");
    assertThat(dry.code()).isZero();
    assertThat(dry.out()).contains("would delete " + root + "/pureremote/v1/default/")
        .contains("would delete " + root + "/pureremote/v1/nightly/eu/")
        .contains("in 2 entries").contains("of every function in every pipeline at " + root);
    assertThat(exists("default", SCORE, "2", "m1", F)).isTrue();

    Run onePipeline = run("gc", "--root", root, "--older-than", "0s", "--pipeline", "nightly/eu", "--summary");
    assertThat(onePipeline.out().lines().toList()).hasSize(1).first().asString()
        .startsWith("deleted ").contains("in 1 entry").contains("in pipeline nightly/eu");
    assertThat(exists("nightly/eu", SCORE, "2", "m2", F)).isFalse();
    assertThat(exists("default", SCORE, "2", "m1", F)).isTrue();

    calls("default", s -> s.score("m1", F));
    assertThat(ScoringImpl.RUNS).hasValue(2); // a hit: gc has not touched it
    run("gc", "--root", root, "--older-than", "0s");
    calls("default", s -> s.score("m1", F));
    assertThat(ScoringImpl.RUNS).hasValue(3); // gone, so it ran again
  }

  @Test
  void errorsOnlyAndFunctionSelectWhatGoes() {
    calls("default", s -> {
      s.score("m1", F);
      assertThatThrownBy(() -> s.fail("boom")).isInstanceOf(RemoteFunctionException.class);
    });
    Run errors = run("gc", "--root", root, "--older-than", "0s", "--errors-only");
    assertThat(errors.out()).contains("in 1 entry holding errors");
    assertThat(exists("default", SCORE, "2", "m1", F)).isTrue();

    Run other = run("gc", "--root", root, "--older-than", "0s", "--function", "com.acme.Nobody#f");
    assertThat(other.out()).contains("deleted 0 blobs in 0 entries");
    assertThat(run("gc", "--root", root, "--older-than", "0s", "--function", SCORE).out()).contains("in 1 entry");
    assertThat(exists("default", SCORE, "2", "m1", F)).isFalse();
  }

  @Test
  void neverTouchesAnEntryWhoseLeaseIsLive() throws Exception {
    ScoringImpl.GATE = new CountDownLatch(1);
    ScoringImpl.HOLDING = new CountDownLatch(1);
    CompletableFuture<String> running = CompletableFuture.supplyAsync(() -> {
      String[] out = new String[1];
      calls("default", s -> out[0] = s.hold("busy"));
      return out[0];
    });
    try {
      assertThat(ScoringImpl.HOLDING.await(30, TimeUnit.SECONDS)).isTrue();
      Run gc = run("gc", "--root", root, "--older-than", "0s");
      assertThat(gc.code()).isZero();
      assertThat(gc.out()).contains("kept " + root).contains("(lease held by ").contains("1 held by a live lease")
          .contains("deleted 0 blobs");
    } finally {
      ScoringImpl.GATE.countDown();
    }
    assertThat(running.get(30, TimeUnit.SECONDS)).isEqualTo("busy");
    assertThat(exists("default", Scoring.class.getName() + "#hold", "1", "busy")).isTrue();
  }

  @Test
  void badAgesAndMissingOptionsAreUsageErrors() {
    Run bad = run("gc", "--root", root, "--older-than", "soon");
    assertThat(bad.code()).isEqualTo(2);
    assertThat(bad.err()).contains("--older-than: expected a duration such as");
    assertThat(run("gc", "--root", root).code()).isEqualTo(2);
    Run positional = run("gc", root, "--older-than", "1d");
    assertThat(positional.code()).isEqualTo(2);
    assertThat(positional.err()).contains("hint: give the blob root with --root: pureremote gc --root " + root);
  }

  private static Run run(String... args) {
    PureRemoteCliTest.Run r = cli(args);
    return new Run(r.code(), r.out(), r.err());
  }

  record Run(int code, String out, String err) {}
}
