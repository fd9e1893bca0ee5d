package io.pureremote;

import io.pureremote.RuntimeOptions.Progress;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.example.fns.Calc;
import com.example.fns.CalcImpl;
import io.pureremote.internal.ProgressSink;
import io.pureremote.internal.FileBlobStore;
import io.pureremote.internal.InProcessShell;
import io.pureremote.spi.Shell.Launch;
import io.pureremote.spi.Shell.LaunchRequest;
import io.pureremote.spi.Shell.Outcome;
import io.pureremote.spi.Shell;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.nio.file.Path;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.stream.IntStream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The progress counts of a real fan-out through the runtime and the in-process shell. */
class ProgressEndToEndTest {
  @TempDir Path dir;

  /** Takes every burst's closing line, short bursts included. */
  static class Lines implements ProgressSink {
    final List<String> finished = new CopyOnWriteArrayList<>();

    @Override
    public void update(String line) {}

    @Override
    public void finish(String line) {
      finished.add(line);
    }

    @Override
    public boolean everyBurst() {
      return true;
    }
  }

  @Test
  void aFanOutReportsItsHitsMissesAndFailures() {
    Lines lines = new Lines();
    FileBlobStore store = new FileBlobStore(dir);
    try (InProcessShell shell = new InProcessShell(store);
        RemoteRuntime runtime = RemoteRuntime.builder().blobStore(store).shell(shell)
            .progress(Progress.LOG).progressSink(lines).build()) {
      Calc calc = runtime.create(Calc.class, CalcImpl.class);
      runtime.map(List.of(1L, 2L, 3L, 4L, 6L), calc::square); // memoized: hits later

      List<Long> inputs = IntStream.rangeClosed(1, 20).mapToObj(i -> (long) i).toList();
      assertThatThrownBy(() -> runtime.map(inputs, x -> x % 5 == 0 ? calc.fail("no " + x) : calc.square(x)))
          .hasMessageContaining("no 5");

      assertThat(lines.finished).hasSize(2);
      assertThat(lines.finished.get(0)).matches("pureremote: 5/5 done \\(0 cached, 0 failed\\) in \\d+s");
      // 5 hits (1, 2, 3, 4, 6), 4 failures (5, 10, 15, 20), 11 runs.
      assertThat(lines.finished.get(1)).matches("pureremote: 20/20 done \\(5 cached, 4 failed\\) in \\d+s");
    }
  }

  @Test
  void offReportsNothing() {
    Lines lines = new Lines();
    FileBlobStore store = new FileBlobStore(dir);
    try (InProcessShell shell = new InProcessShell(store);
        RemoteRuntime runtime = RemoteRuntime.builder().blobStore(store).shell(shell)
            .progress(Progress.OFF).progressSink(lines).build()) {
      Calc calc = runtime.create(Calc.class, CalcImpl.class);
      runtime.map(List.of(1L, 2L, 3L), calc::square);
    }
    assertThat(lines.finished).isEmpty();
  }

  /** Takes the live lines too. */
  static final class LiveLines extends Lines {
    final List<String> live = new CopyOnWriteArrayList<>();

    @Override
    public void update(String line) {
      live.add(line);
    }
  }

  @Test
  void callsTheirShellReportsQueuedAreShownWaitingInAClusterQueue() throws Exception {
    LiveLines lines = new LiveLines();
    FileBlobStore store = new FileBlobStore(dir);
    CountDownLatch admit = new CountDownLatch(1);
    // A shell whose launches wait "in the cluster's queue" until admitted, then run in process.
    try (InProcessShell inProcess = new InProcessShell(store);
        Shell queueing = new Shell() {
          @Override
          public String name() {
            return "queueing";
          }

          @Override
          public Launch launch(LaunchRequest request) {
            CompletableFuture<Outcome> done = CompletableFuture.runAsync(() -> {
              try {
                admit.await();
              } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
              }
            }).thenCompose(v -> inProcess.launch(request).completion());
            return new Launch() {
              @Override
              public CompletableFuture<Outcome> completion() {
                return done;
              }

              @Override
              public void cancel() {}

              @Override
              public String description() {
                return "queued test launch";
              }

              @Override
              public boolean queued() {
                return admit.getCount() > 0;
              }
            };
          }
        };
        RemoteRuntime runtime = RemoteRuntime.builder().blobStore(store).shell(queueing)
            .progress(Progress.TERMINAL).progressSink(lines).build()) {
      Calc calc = runtime.create(Calc.class, CalcImpl.class);
      CompletableFuture<List<Long>> fanOut = CompletableFuture.supplyAsync(() -> runtime.map(List.of(1L, 2L), calc::square));
      long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(30);
      while (lines.live.stream().noneMatch(l -> l.contains("2 running (2 waiting in a cluster queue)"))) {
        assertThat(System.nanoTime()).as("a live line with the queued calls; got %s", lines.live).isLessThan(deadline);
        Thread.sleep(20);
      }
      admit.countDown();
      assertThat(fanOut.get(30, TimeUnit.SECONDS)).containsExactly(1L, 4L);
    }
  }
}
