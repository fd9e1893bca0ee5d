package io.pureremote;

import io.pureremote.CallOptions.ExceptionPolicy;
import static java.nio.charset.StandardCharsets.UTF_8;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.example.fns.Calc;
import com.example.fns.CalcImpl;
import io.pureremote.internal.FileBlobStore;
import io.pureremote.internal.InProcessShell;
import io.pureremote.spi.BlobStore.BlobContent;
import io.pureremote.spi.Shell.Launch;
import io.pureremote.spi.Shell.LaunchRequest;
import io.pureremote.spi.Shell;
import java.nio.file.Path;
import java.time.Instant;
import java.util.Arrays;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The parts of the self-healing memo the store contract ({@code MemoHealingContract} in the test
 * kit) does not cover: a result that is unusable right after its own run, a damaged error record
 * under MEMOIZE, and the public check and repair that tools use (docs/memo-layout.md).
 */
class HealingTest {
  @TempDir Path dir;
  FileBlobStore store;
  InProcessShell shell;

  @BeforeEach
  void setUp() {
    store = new FileBlobStore(dir);
    shell = new InProcessShell(store);
    CalcImpl.EXECUTIONS.set(0);
  }

  @AfterEach
  void tearDown() {
    shell.close();
  }

  private RemoteRuntime runtime(Shell with) {
    return RemoteRuntime.builder().blobStore(store).shell(with).pipelineId("test").build();
  }

  private String key(String function, String version, String blob, Object... args) {
    MemoEntry entry = MemoEntry.of(store, "test", new FunctionId(function, version), Keys.argsHash(args));
    return entry.uri().substring(store.root().length() + 1) + "/" + blob;
  }

  /** A shell whose runs commit, then have their result replaced: a remote on another build. */
  private Shell replacingResultWith(byte[] bytes) {
    return new Shell() {
      @Override
      public String name() {
        return "other-build";
      }

      @Override
      public Launch launch(LaunchRequest request) {
        Launch launch = shell.launch(request);
        String result = request.memoUri().substring(store.root().length() + 1) + "/result";
        CompletableFuture<io.pureremote.spi.Shell.Outcome> replaced = launch.completion().thenApply(outcome -> {
          store.delete(result);
          store.put(result, BlobContent.of(bytes), null);
          return outcome;
        });
        return new Launch() {
          @Override
          public CompletableFuture<io.pureremote.spi.Shell.Outcome> completion() {
            return replaced;
          }

          @Override
          public void cancel() {
            launch.cancel();
          }

          @Override
          public String description() {
            return launch.description();
          }
        };
      }
    };
  }

  @Test
  void aResultUnusableRightAfterItsOwnRunIsAnErrorNamingTheBuildMismatch() {
    try (RemoteRuntime runtime = runtime(shell)) {
      runtime.create(Calc.class, CalcImpl.class).echo("text");
    }
    byte[] aString = store.getBytes(key("com.example.fns.Calc#echo", "3", "result", "text")).orElseThrow();
    try (RemoteRuntime runtime = runtime(replacingResultWith(aString))) {
      Calc calc = runtime.create(Calc.class, CalcImpl.class);
      // Recomputing cannot help here, so it is not retried in a loop: the caller is told why.
      assertThatThrownBy(() -> calc.square(4))
          .isInstanceOf(PureRemoteException.class)
          .hasMessageContaining("The run of com.example.Calc.square@1 committed a result this caller cannot use (wrong-type)")
          .hasMessageContaining("/result is a java.lang.String, but com.example.Calc.square@1 returns long")
          .hasMessageContaining("The remote side runs a different build than the caller");
    }
  }

  @Test
  void aDamagedErrorRecordUnderMemoizeIsAMissThatIsSetAside() {
    CallOptions memoize = CallOptions.builder().exceptionPolicy(ExceptionPolicy.MEMOIZE).build();
    try (RemoteRuntime runtime = RemoteRuntime.builder().blobStore(store).shell(shell).pipelineId("test")
        .function("com.example.fns.Calc#fail", memoize).build()) {
      Calc calc = runtime.create(Calc.class, CalcImpl.class);
      assertThatThrownBy(() -> calc.fail("x")).isInstanceOf(RemoteFunctionException.class);
      String error = key("com.example.fns.Calc#fail", "3", "error", "x");
      byte[] stored = store.getBytes(error).orElseThrow();
      byte[] bad = Arrays.copyOf(stored, stored.length - 3);
      store.put(error, BlobContent.of(bad), null);

      // Before: every call failed with the CorruptBlobException of the damaged record.
      assertThatThrownBy(() -> calc.fail("x")).isInstanceOf(RemoteFunctionException.class)
          .hasMessageContaining("x");
      assertThat(CalcImpl.EXECUTIONS).hasValue(2);
      assertThat(store.getBytes(error.replace("/error", "/aside/error-" + sha256(bad)))).hasValue(bad);
      assertThatThrownBy(() -> calc.fail("x")).isInstanceOf(RemoteFunctionException.class);
      assertThat(CalcImpl.EXECUTIONS).as("the new record is replayed").hasValue(2);
    }
  }

  @Test
  void checkFindsWhatIsWrongWithoutTheFunctionsClassesAndRepairSetsItAside() {
    try (RemoteRuntime runtime = runtime(shell)) {
      runtime.create(Calc.class, CalcImpl.class).square(6);
    }
    MemoEntry entry = MemoEntry.of(store, "test", new FunctionId("com.example.Calc.square", "1"), Keys.argsHash(6L));
    assertThat(entry.check().problems()).isEmpty();
    assertThat(entry.repair()).isEmpty();
    String result = key("com.example.Calc.square", "1", "result", 6L);
    byte[] bad = "garbage".getBytes(UTF_8);
    store.put(result, BlobContent.of(bad), null);

    List<MemoEntry.Problem> problems = entry.check().problems();
    assertThat(problems).singleElement().satisfies(p -> {
      assertThat(p.blob()).isEqualTo("result");
      assertThat(p.kind()).isEqualTo("corrupt");
      assertThat(p.detail()).contains("wrong magic bytes");
    });
    List<MemoEntry.Repair> repairs = entry.repair();
    assertThat(repairs).singleElement().satisfies(r -> {
      assertThat(r.outcome()).isEqualTo("set aside");
      assertThat(r.asideUri()).isEqualTo(store.uri(result.replace("/result", "/aside/result-" + sha256(bad))));
    });
    assertThat(store.exists(result)).isFalse();
    assertThat(entry.check().problems()).isEmpty();
    assertThat(entry.lease()).hasValueSatisfying(l -> assertThat(l.released()).isTrue());
    try (RemoteRuntime runtime = runtime(shell)) {
      assertThat(runtime.create(Calc.class, CalcImpl.class).square(6)).isEqualTo(36);
    }
    assertThat(CalcImpl.EXECUTIONS).hasValue(2);
  }

  @Test
  void repairLeavesAnEntryWhoseLeaseALiveCallHoldsToThatCall() {
    try (RemoteRuntime runtime = runtime(shell)) {
      runtime.create(Calc.class, CalcImpl.class).square(8);
    }
    MemoEntry entry = MemoEntry.of(store, "test", new FunctionId("com.example.Calc.square", "1"), Keys.argsHash(8L));
    String result = key("com.example.Calc.square", "1", "result", 8L);
    store.put(result, BlobContent.of("garbage".getBytes(UTF_8)), null);
    String lease = key("com.example.Calc.square", "1", "lease", 8L);
    long in = Instant.now().plusSeconds(600).toEpochMilli();
    store.put(lease, BlobContent.of(("{\"holder\":\"someone\",\"host\":\"elsewhere\",\"pid\":1,\"expiresAt\":" + in
        + ",\"released\":false}").getBytes(UTF_8)), null);

    assertThat(entry.repair()).singleElement().satisfies(r -> {
      assertThat(r.asideUri()).isNull();
      assertThat(r.outcome()).contains("a live call holds the entry's lease");
    });
    assertThat(store.exists(result)).isTrue();
    assertThat(entry.leaseStale(Instant.now())).isFalse();
    assertThat(entry.leaseStale(Instant.now().plusSeconds(601))).isTrue();
  }

  static String sha256(byte[] bytes) {
    try {
      return java.util.HexFormat.of().formatHex(java.security.MessageDigest.getInstance("SHA-256").digest(bytes));
    } catch (java.security.NoSuchAlgorithmException e) {
      throw new IllegalStateException(e);
    }
  }
}
