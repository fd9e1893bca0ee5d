package io.pureremote;

import io.pureremote.internal.RemoteEntry;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.example.fns.Calc;
import com.example.fns.CalcImpl;
import io.pureremote.internal.BatchManifest;
import io.pureremote.internal.FileBlobStore;
import io.pureremote.internal.InProcessShell;
import io.pureremote.spi.BlobStore.BlobContent;
import io.pureremote.spi.Shell.Launch;
import io.pureremote.spi.Shell.LaunchGroup;
import io.pureremote.spi.Shell.LaunchRequest;
import io.pureremote.spi.Shell.Outcome;
import io.pureremote.spi.Shell;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.stream.IntStream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The core side of batched launches: the pipeline collects misses of one function into groups for
 * a shell that asks for them, the shell writes a manifest, and {@code RemoteMain batch} runs each
 * member by its index, as an Indexed Job's pods would.
 */
class BatchedLaunchTest {
  @TempDir Path dir;

  /** A shell that runs each group's members on threads through {@code RemoteMain batch}, by index. */
  static final class BatchingShell implements Shell {
    final List<List<String>> groups = new CopyOnWriteArrayList<>();
    final List<Integer> exitCodes = new CopyOnWriteArrayList<>();
    final List<String> manifests = new CopyOnWriteArrayList<>();
    final InProcessShell single;
    final int maxCalls;

    BatchingShell(FileBlobStore store, int maxCalls) {
      this.single = new InProcessShell(store);
      this.maxCalls = maxCalls;
    }

    @Override
    public String name() {
      return "batching-test";
    }

    @Override
    public Launch launch(LaunchRequest request) {
      return single.launch(request);
    }

    @Override
    public LaunchGroup.Policy grouping(FunctionId function) {
      return new LaunchGroup.Policy(Duration.ofMillis(300), maxCalls);
    }

    @Override
    public List<Launch> launchGroup(LaunchGroup group) {
      groups.add(group.requests().stream().map(LaunchRequest::memoUri).toList());
      String manifest = group.writeManifest(group.requests());
      manifests.add(manifest);
      List<Launch> launches = new ArrayList<>();
      for (int i = 0; i < group.requests().size(); i++) {
        int index = i;
        CompletableFuture<Outcome> done = CompletableFuture.supplyAsync(() -> {
          int code = RemoteEntry.batch(manifest, Integer.toString(index), null);
          exitCodes.add(code);
          return Outcome.exited(code, "");
        });
        launches.add(new Launch() {
          @Override
          public CompletableFuture<Outcome> completion() {
            return done;
          }

          @Override
          public void cancel() {}

          @Override
          public String description() {
            return "member " + index;
          }
        });
      }
      return launches;
    }
  }

  @Test
  void missesOfOneFunctionGoAsOneGroupAndHitsStayOut() {
    FileBlobStore store = new FileBlobStore(dir);
    BatchingShell shell = new BatchingShell(store, 100);
    try (RemoteRuntime runtime = RemoteRuntime.builder().blobStore(store).shell(shell).build()) {
      Calc calc = runtime.create(Calc.class, CalcImpl.class);
      assertThat(calc.square(3)).isEqualTo(9L); // a group of one, then a hit below
      shell.groups.clear();

      List<Long> inputs = IntStream.rangeClosed(1, 30).mapToObj(i -> (long) i).toList();
      List<Long> squares = runtime.map(inputs, calc::square);

      assertThat(squares).isEqualTo(inputs.stream().map(x -> x * x).toList());
      assertThat(shell.groups).hasSize(1);
      assertThat(shell.groups.getFirst()).hasSize(29).noneMatch(uri -> uri.endsWith(Keys.argsHash(3L)));
    }
  }

  @Test
  void aGroupIsHandedOverWhenFullAndAFailingMemberFailsOnlyItself() {
    FileBlobStore store = new FileBlobStore(dir);
    BatchingShell shell = new BatchingShell(store, 10);
    try (RemoteRuntime runtime = RemoteRuntime.builder().blobStore(store).shell(shell).build()) {
      Calc calc = runtime.create(Calc.class, CalcImpl.class);
      List<Integer> inputs = IntStream.range(0, 20).boxed().toList();
      List<CompletableFuture<String>> calls = inputs.stream()
          .map(i -> CompletableFuture.supplyAsync(() -> i == 7 ? calc.fail("seven") : calc.echo("v" + i).toString()))
          .toList();
      for (int i = 0; i < 20; i++) {
        if (i == 7) {
          int index = i;
          assertThatThrownBy(() -> calls.get(index).join()).cause().isInstanceOf(RemoteFunctionException.class)
              .hasMessageContaining("seven");
        } else {
          assertThat(calls.get(i).join()).isEqualTo("v" + i);
        }
      }
      // echo and fail are two functions: groups never mix them, and none is larger than 10.
      assertThat(shell.groups).allSatisfy(g -> assertThat(g).hasSizeLessThanOrEqualTo(10));
      assertThat(shell.groups.stream().mapToInt(List::size).sum()).isEqualTo(20);
      assertThat(shell.exitCodes).containsOnlyOnce(Outcome.EXIT_FUNCTION_FAILED);
    }
  }

  @Test
  void aCancelledMemberIsSkippedWhenItsIndexStarts() throws Exception {
    FileBlobStore store = new FileBlobStore(dir);
    try (RemoteRuntime runtime = RemoteRuntime.builder().blobStore(store).shell(new InProcessShell(store)).build()) {
      Calc calc = runtime.create(Calc.class, CalcImpl.class);
      calc.square(5);
    }
    // The call's lease is released (its caller is done or cancelled); its result is deleted so
    // only the lease tells the member to skip.
    String memoUri = store.root() + "/pureremote/v1/default/com.example.Calc.square@1/" + Keys.argsHash(5L);
    String prefix = memoUri.substring(store.root().length() + 1);
    store.delete(prefix + "/result");
    String manifest = BatchManifest.write(store, List.of(new LaunchRequest(memoUri,
        new FunctionId("com.example.Calc.square", "1"), Keys.argsHash(5L), java.util.Map.of())));

    assertThat(RemoteEntry.batch(manifest, "0", null)).isEqualTo(Outcome.EXIT_LEASE_LOST);
    assertThat(store.exists(prefix + "/result")).isFalse();
  }

  @Test
  void aMemberWhoseCallAnotherHolderTookOverIsNotMineAndIsSkipped() throws Exception {
    FileBlobStore store = new FileBlobStore(dir);
    FunctionId sleep = new FunctionId(Calc.class.getName() + "#sleep", "3");
    String memoUri = MemoEntry.of(store, "default", sleep, Keys.argsHash(Duration.ofSeconds(4))).uri();
    String prefix = memoUri.substring(store.root().length() + 1);
    try (RemoteRuntime runtime = RemoteRuntime.builder().blobStore(store).shell(new InProcessShell(store)).build()) {
      Calc calc = runtime.create(Calc.class, CalcImpl.class);
      // A new caller took the call over: its lease is live and it rewrote the invocation with its holder.
      CompletableFuture<String> theirs = CompletableFuture.supplyAsync(() -> calc.sleep(Duration.ofSeconds(4)));
      long deadline = System.nanoTime() + Duration.ofSeconds(20).toNanos();
      while (MemoEntry.at(store, memoUri).invocation().isEmpty() && System.nanoTime() < deadline) {
        Thread.sleep(20);
      }
      String newHolder = MemoEntry.at(store, memoUri).invocation().orElseThrow().lease().holder();
      LaunchRequest request = new LaunchRequest(memoUri, sleep, Keys.argsHash(Duration.ofSeconds(4)), java.util.Map.of(),
          "holder-of-the-caller-that-gave-up");
      // An old batch, made for the caller that held the call before, starts its pod only now.
      String stale = BatchManifest.write(store, List.of(request));
      assertThat(BatchManifest.memberAt(store, stale, 0).holder()).isEqualTo("holder-of-the-caller-that-gave-up");

      long before = System.nanoTime();
      assertThat(RemoteEntry.batch(stale, "0", null)).isEqualTo(Outcome.EXIT_LEASE_LOST);
      assertThat(Duration.ofNanos(System.nanoTime() - before)).as("skipped, not run").isLessThan(Duration.ofSeconds(3));
      assertThat(MemoEntry.at(store, memoUri).runs()).as("an orphaned member writes nothing (exactly-once.md, step 5)")
          .isEmpty();
      assertThat(store.exists(prefix + "/result")).as("only the new holder's run commits").isFalse();

      assertThat(theirs.join()).isEqualTo("slept PT4S");
      assertThat(MemoEntry.at(store, memoUri).runs()).extracting(MemoEntry.Run::status).contains("succeeded");
      assertThat(newHolder).isNotEqualTo("holder-of-the-caller-that-gave-up");
    }
  }

  @Test
  void thePipelinesManifestsNameEachCallsLeaseHolder() {
    FileBlobStore store = new FileBlobStore(dir);
    BatchingShell shell = new BatchingShell(store, 10);
    try (RemoteRuntime runtime = RemoteRuntime.builder().blobStore(store).shell(shell).build()) {
      Calc calc = runtime.create(Calc.class, CalcImpl.class);
      List<Long> inputs = List.of(1L, 2L, 3L);
      assertThat(runtime.map(inputs, calc::square)).containsExactly(1L, 4L, 9L);
      String manifest = shell.manifests.getLast();
      for (int i = 0; i < 3; i++) {
        BatchManifest.Member member = BatchManifest.memberAt(store, manifest, i);
        assertThat(member.holder()).isEqualTo(MemoEntry.at(store, member.memoUri()).invocation().orElseThrow().lease().holder());
      }
    }
  }

  @Test
  void aBadManifestOrIndexIsAClearErrorNotARun() {
    FileBlobStore store = new FileBlobStore(dir);
    String uri = store.uri(BatchManifest.PREFIX + "/2026-12-07/x.json");
    store.put(BatchManifest.PREFIX + "/2026-12-07/x.json",
        BlobContent.of("{\"format\":\"pureremote-batch/9\",\"calls\":[]}".getBytes(StandardCharsets.UTF_8)), null);
    assertThatThrownBy(() -> BatchManifest.callAt(store, uri, 0)).hasMessageContaining("has format 'pureremote-batch/9'")
        .hasMessageContaining("Rebuild and push the image");
    assertThat(RemoteEntry.batch(uri, "0", null)).isEqualTo(Outcome.EXIT_INFRASTRUCTURE);
    assertThat(RemoteEntry.batch(uri, null, null)).isEqualTo(Outcome.EXIT_USAGE);
    assertThat(RemoteEntry.batch("file:///tmp/not-a-manifest", "0", null)).isEqualTo(Outcome.EXIT_USAGE);

    String good = BatchManifest.write(store, List.of(new LaunchRequest(store.root() + "/pureremote/v1/default/f@1/"
        + "a".repeat(64), new FunctionId("f", "1"), "a".repeat(64), java.util.Map.of())));
    assertThatThrownBy(() -> BatchManifest.callAt(store, good, 1)).hasMessageContaining("lists 1 calls (indexes 0 to 0), not index 1");
    assertThat(BatchManifest.callAt(store, good, 0)).endsWith("/f@1/" + "a".repeat(64));
  }
}
