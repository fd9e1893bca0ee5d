package io.pureremote.lease;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.example.fns.Work;
import com.example.fns.WorkImpl;
import io.pureremote.CallOptions;
import io.pureremote.RemoteRuntime;
import io.pureremote.RemoteTimeoutException;
import io.pureremote.internal.RemoteEntry;
import io.pureremote.internal.BatchManifest;
import io.pureremote.internal.MemoKey;
import io.pureremote.internal.Worker;
import io.pureremote.internal.InProcessShell;
import io.pureremote.internal.FileBlobStore;
import io.pureremote.internal.LocalProcessShell;
import io.pureremote.spi.BlobStore;
import io.pureremote.spi.Shell.Launch;
import io.pureremote.spi.Shell.LaunchGroup;
import io.pureremote.spi.Shell.LaunchRequest;
import io.pureremote.spi.Shell.Outcome;
import io.pureremote.spi.Shell;
import java.io.ByteArrayInputStream;
import java.io.ByteArrayOutputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The second orphan path: a launch that outlived its caller (a pod still pending, a child JVM
 * still starting) reads the invocation only after a new caller took the call over and rewrote it.
 * The invocation then names the new holder; without the launch's own holder the orphan would join
 * the new holder's lease and run beside that holder's run. Real child JVMs run both launches; the
 * order is forced by holding each launch until the test releases it.
 */
class OrphanLaunchTest {
  @TempDir Path dir;

  /**
   * A shell that hands each launch to the test instead of starting it; the test starts it later
   * with a real child JVM ({@link #startNow}). Cancelling a held launch ends the caller's wait but
   * not the launch, as a pod outlives a caller whose delete never took effect.
   */
  private static final class HeldShell implements Shell {
    final LinkedBlockingQueue<Held> held = new LinkedBlockingQueue<>();

    record Held(LaunchRequest request, CompletableFuture<Outcome> completion) {}

    @Override
    public String name() {
      return "held";
    }

    @Override
    public Launch launch(LaunchRequest request) {
      CompletableFuture<Outcome> completion = new CompletableFuture<>();
      held.add(new Held(request, completion));
      return new Launch() {
        @Override
        public CompletableFuture<Outcome> completion() {
          return completion;
        }

        @Override
        public void cancel() {
          completion.complete(new Outcome("Cancelled", null, "the caller gave up"));
        }

        @Override
        public String description() {
          return "held " + request.shortLabel();
        }
      };
    }

    Held next() throws InterruptedException {
      Held h = held.poll(60, TimeUnit.SECONDS);
      assertThat(h).as("a launch reached the shell").isNotNull();
      return h;
    }
  }

  /** Starts {@code request} now in a real child JVM and returns how it ended. */
  private static Outcome startNow(LaunchRequest request) throws Exception {
    try (LocalProcessShell local = CallerMain.quickShell()) {
      return local.launch(request).completion().get(60, TimeUnit.SECONDS);
    }
  }

  private static long runRecords(BlobStore store, String memoUri) {
    String prefix = MemoKey.parseUri(memoUri).key().prefix();
    return store.list(prefix + "/runs/").stream().filter(k -> k.endsWith(".json")).count();
  }

  /** Caller A gave up while its launch was held; caller B took the call over and holds its own launch. */
  private record TakenOver(HeldShell.Held orphan, HeldShell.Held own, CompletableFuture<Long> b,
      RemoteRuntime callerA, RemoteRuntime callerB) implements AutoCloseable {
    @Override
    public void close() {
      own.completion().complete(new Outcome("Cancelled", null, "test over"));
      callerA.close();
      callerB.close();
    }
  }

  private static TakenOver takenOver(FileBlobStore store, long x) throws Exception {
    HeldShell first = new HeldShell();
    HeldShell second = new HeldShell();
    CallOptions giveUpSoon = CallOptions.builder().timeout(Duration.ofMillis(300)).build();
    RemoteRuntime callerA = RemoteRuntime.builder().blobStore(store).shell(first).pipelineId("leases")
        .lease(CallerMain.FAST_LEASES).defaults(giveUpSoon).build();
    RemoteRuntime callerB = RemoteRuntime.builder().blobStore(store).shell(second).pipelineId("leases")
        .lease(CallerMain.FAST_LEASES).build();
    // Caller A takes the lease, writes the invocation and launches; its launch does not start
    // before A gives up (A releases the lease; the launch lives on).
    assertThatThrownBy(() -> callerA.create(Work.class, WorkImpl.class).slowSquare(x, 0))
        .isInstanceOf(RemoteTimeoutException.class);
    HeldShell.Held orphan = first.next();
    assertThat(orphan.request().holder()).as("the launch names A's lease").isNotNull();

    // Caller B takes the released lease over and rewrites the invocation with its own holder.
    CompletableFuture<Long> b = CompletableFuture.supplyAsync(
        () -> callerB.create(Work.class, WorkImpl.class).slowSquare(x, 0));
    HeldShell.Held own = second.next();
    assertThat(own.request().memoUri()).isEqualTo(orphan.request().memoUri());
    assertThat(own.request().holder()).isNotEqualTo(orphan.request().holder());
    String invocation = new String(store.getBytes(MemoKey.parseUri(own.request().memoUri()).key()
        .key(MemoKey.INVOCATION)).orElseThrow(), StandardCharsets.ISO_8859_1);
    assertThat(invocation).as("B rewrote the invocation").contains(own.request().holder());
    return new TakenOver(orphan, own, b, callerA, callerB);
  }

  private static boolean hasResult(BlobStore store, String memoUri) {
    return store.exists(MemoKey.parseUri(memoUri).key().key(MemoKey.RESULT));
  }

  @Test
  void aLaunchWhoseCallWasTakenOverAndRewrittenRunsNothing() throws Exception {
    FileBlobStore store = new FileBlobStore(dir.resolve("memo"));
    try (TakenOver t = takenOver(store, 9)) {
      String memoUri = t.own().request().memoUri();
      // Only now does A's orphaned launch start, in a child JVM: it reads B's invocation and must
      // not run it.
      Outcome orphaned = startNow(t.orphan().request());
      assertThat(orphaned.exitCode()).as("the orphan's exit: %s", orphaned).isEqualTo(Outcome.EXIT_LEASE_LOST);
      assertThat(hasResult(store, memoUri)).as("the orphan committed nothing").isFalse();
      assertThat(runRecords(store, memoUri)).as("the orphan ran nothing").isZero();

      // B's own launch runs the call, once.
      t.own().completion().complete(startNow(t.own().request()));
      assertThat(t.b().get(60, TimeUnit.SECONDS)).isEqualTo(81L);
      assertThat(runRecords(store, memoUri)).as("one execution in all").isEqualTo(1);
    }
  }

  @Test
  void anOrphanedBatchMemberOrPoolCallRunsNothingEither() throws Exception {
    FileBlobStore store = new FileBlobStore(dir.resolve("memo"));
    try (TakenOver t = takenOver(store, 4)) {
      String memoUri = t.own().request().memoUri();
      // As one member of an Indexed Job: the manifest carries the holder each member was launched under.
      String manifest = BatchManifest.write(store, List.of(t.orphan().request()));
      assertThat(BatchManifest.memberAt(store, manifest, 0).holder()).isEqualTo(t.orphan().request().holder());
      assertThat(RemoteEntry.run(new String[] {"batch", manifest}, Map.of(LaunchGroup.INDEX_VARIABLE, "0")))
          .isEqualTo(Outcome.EXIT_LEASE_LOST);
      // As a call on a warm worker: the holder is the run request's last word.
      ByteArrayOutputStream out = new ByteArrayOutputStream();
      new Worker(store, getClass().getClassLoader(), 1, 1 << 16, out).serve(new ByteArrayInputStream(
          ("run c1 " + memoUri + " " + t.orphan().request().holder() + "\n").getBytes(StandardCharsets.UTF_8)));
      assertThat(out.toString(StandardCharsets.UTF_8).lines()).contains("done c1 " + Outcome.EXIT_LEASE_LOST);
      assertThat(hasResult(store, memoUri)).as("no orphan committed").isFalse();
      assertThat(runRecords(store, memoUri)).as("no orphan ran").isZero();

      // The holder's own launch, in this JVM, runs it.
      try (InProcessShell inProcess = new InProcessShell(store)) {
        t.own().completion().complete(inProcess.launch(t.own().request()).completion().get(60, TimeUnit.SECONDS));
      }
      assertThat(t.b().get(60, TimeUnit.SECONDS)).isEqualTo(16L);
      assertThat(runRecords(store, memoUri)).isEqualTo(1);
    }
  }

  @Test
  void theHolderTravelsOnTheRemoteCommandLine() {
    LaunchRequest request = new LaunchRequest("file:///m/pureremote/v1/p/f%23g@1/" + "a".repeat(64),
        new io.pureremote.FunctionId("f#g", "1"), "a".repeat(64), Map.of(), "h-1");
    assertThat(request.remoteMainArgs()).containsExactly("run", request.memoUri(), "--holder", "h-1");
    assertThat(new LaunchRequest(request.memoUri(), request.function(), request.argsHash(), Map.of())
        .remoteMainArgs()).containsExactly("run", request.memoUri());
    assertThatThrownBy(() -> new LaunchRequest(request.memoUri(), request.function(), request.argsHash(),
        Map.of(), "two words")).isInstanceOf(IllegalArgumentException.class)
        .hasMessageContaining("lease holder id");
    assertThat(RemoteEntry.run(new String[] {"run", request.memoUri(), "--holder"}))
        .as("--holder without a value is a usage error").isEqualTo(Outcome.EXIT_USAGE);
  }
}
