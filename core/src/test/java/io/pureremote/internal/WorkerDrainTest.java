package io.pureremote.internal;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.example.fns.Calc;
import com.example.fns.CalcImpl;
import io.pureremote.RemoteRuntime;
import io.pureremote.spi.Shell;
import io.pureremote.spi.Shell.Launch;
import io.pureremote.spi.Shell.LaunchRequest;
import io.pureremote.spi.Shell.Outcome;
import io.pureremote.spi.Shell.WorkerConnection;
import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStreamReader;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * SIGTERM on a real {@code RemoteMain worker --listen} child JVM, over the TCP transport a
 * Kubernetes pool uses: the worker finishes the call it runs (or hands it back when the drain
 * period is too short), refuses new work, and exits; the call completes exactly once.
 */
class WorkerDrainTest {
  private static final String TOKEN = "drain-token-0123456789abcdefABCDEF";

  @TempDir Path dir;
  private final List<Process> workers = new ArrayList<>();

  @AfterEach
  void killWorkers() {
    workers.forEach(Process::destroyForcibly);
  }

  /** A started worker JVM and the port it listens on. */
  private record Started(Process process, int port) {}

  private Started startWorker(FileBlobStore store, int drainSeconds) throws IOException {
    String java = Path.of(System.getProperty("java.home"), "bin", "java").toString();
    ProcessBuilder pb = new ProcessBuilder(java, "-cp", System.getProperty("java.class.path"),
        LaunchRequest.MAIN_CLASS, "worker", "--root", store.root(), "--slots", "2",
        "--drain-seconds", Integer.toString(drainSeconds), "--listen", "0", "--token-env", "PUREREMOTE_TEST_POOL_TOKEN");
    pb.environment().put("PUREREMOTE_TEST_POOL_TOKEN", TOKEN);
    pb.redirectError(ProcessBuilder.Redirect.INHERIT);
    Process p = pb.start();
    workers.add(p);
    BufferedReader out = new BufferedReader(new InputStreamReader(p.getInputStream(), StandardCharsets.UTF_8));
    String line;
    while ((line = out.readLine()) != null) {
      if (line.startsWith("listening ")) {
        for (String field : line.split(" ")) {
          if (field.startsWith("port=")) {
            Thread.ofVirtual().start(() -> drain(out)); // keep its stdout from filling up
            return new Started(p, Integer.parseInt(field.substring("port=".length())));
          }
        }
      }
    }
    throw new AssertionError("the worker exited with " + waitExit(p) + " before it listened");
  }

  private static void drain(BufferedReader out) {
    try {
      while (out.readLine() != null) {
        // Discarded.
      }
    } catch (IOException e) {
      // The worker ended.
    }
  }

  private static int waitExit(Process p) {
    try {
      return p.waitFor(60, TimeUnit.SECONDS) ? p.exitValue() : -1;
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      return -1;
    }
  }

  private static WorkerConnection connect(int port) throws IOException {
    return WorkerConnection.open("127.0.0.1", port, TOKEN.getBytes(StandardCharsets.UTF_8), Duration.ofSeconds(20));
  }

  /**
   * Dispatches each call to the first connection; a call the worker hands back goes to the next
   * one, as the pool shells re-dispatch.
   */
  private static final class DispatchingShell implements Shell {
    final List<WorkerConnection> connections;
    final AtomicInteger ids = new AtomicInteger();
    final AtomicInteger handedBack = new AtomicInteger();

    DispatchingShell(List<WorkerConnection> connections) {
      this.connections = connections;
    }

    @Override
    public String name() {
      return "dispatching";
    }

    @Override
    public Launch launch(LaunchRequest request) {
      String id = "c" + ids.incrementAndGet();
      CompletableFuture<Outcome> done = run(0, id, request);
      return new Launch() {
        @Override
        public CompletableFuture<Outcome> completion() {
          return done;
        }

        @Override
        public void cancel() {
          connections.forEach(c -> c.cancel(id));
        }

        @Override
        public String description() {
          return "call " + id;
        }
      };
    }

    private CompletableFuture<Outcome> run(int index, String id, LaunchRequest request) {
      WorkerConnection c = connections.get(index);
      return c.run(id, request.memoUri(), request.holder())
          .thenApply(code -> Outcome.exited(code, "worker " + c))
          .exceptionallyCompose(e -> {
            Throwable cause = e instanceof CompletionException && e.getCause() != null ? e.getCause() : e;
            if (cause instanceof WorkerConnection.Refused r && r.reason().equals("HandedBack")
                && index + 1 < connections.size()) {
              handedBack.incrementAndGet();
              return run(index + 1, id, request);
            }
            return CompletableFuture.failedFuture(cause);
          });
    }
  }

  private static void awaitRunning(WorkerConnection c, int running) throws Exception {
    long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(60);
    while (c.status(Duration.ofSeconds(20)).running() != running) {
      if (System.nanoTime() > deadline) {
        throw new AssertionError("the worker did not report " + running + " running call(s) within 60 s");
      }
      Thread.sleep(20);
    }
  }

  private static long runRecords(FileBlobStore store) {
    return store.list("pureremote/v1/drain/").stream()
        .filter(k -> k.contains("/runs/") && k.endsWith(".json")).count();
  }

  @Test
  void sigtermFinishesTheRunningCallRefusesNewWorkAndExits() throws Exception {
    FileBlobStore store = new FileBlobStore(dir.resolve("memo"));
    Started worker = startWorker(store, 60);
    try (WorkerConnection connection = connect(worker.port());
         RemoteRuntime runtime = RemoteRuntime.builder().blobStore(store).pipelineId("drain")
             .shell(new DispatchingShell(List.of(connection))).build()) {
      Calc calc = runtime.create(Calc.class, CalcImpl.class);
      CompletableFuture<String> slow = CompletableFuture.supplyAsync(() -> calc.sleep(Duration.ofSeconds(10)));
      awaitRunning(connection, 1);

      worker.process().destroy(); // SIGTERM
      long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(60);
      while (!connection.status(Duration.ofSeconds(20)).draining()) {
        assertThat(System.nanoTime()).as("the worker says it drains within 60 s of SIGTERM").isLessThan(deadline);
        Thread.sleep(20);
      }
      assertThatThrownBy(() -> calc.square(7)).as("a draining worker takes no new call")
          .hasStackTraceContaining("Draining");

      assertThat(slow.get(60, TimeUnit.SECONDS)).as("the running call finished on the draining worker")
          .isEqualTo("slept PT10S");
      assertThat(worker.process().waitFor(60, TimeUnit.SECONDS)).as("the worker exits once drained").isTrue();
      assertThat(worker.process().exitValue()).isIn(0, 143);
      assertThat(runRecords(store)).as("the call ran once; the refused one not at all").isEqualTo(1);
    }
  }

  @Test
  void aCallLongerThanTheDrainPeriodIsHandedBackAndCompletesOnceElsewhere() throws Exception {
    FileBlobStore store = new FileBlobStore(dir.resolve("memo"));
    Started first = startWorker(store, 1);
    Started second = startWorker(store, 60);
    try (WorkerConnection one = connect(first.port());
         WorkerConnection two = connect(second.port())) {
      DispatchingShell shell = new DispatchingShell(List.of(one, two));
      try (RemoteRuntime runtime = RemoteRuntime.builder().blobStore(store).pipelineId("drain").shell(shell).build()) {
        Calc calc = runtime.create(Calc.class, CalcImpl.class);
        CompletableFuture<String> slow = CompletableFuture.supplyAsync(() -> calc.sleep(Duration.ofSeconds(8)));
        awaitRunning(one, 1);

        first.process().destroy(); // SIGTERM; 1 s of drain is less than the call needs
        assertThat(first.process().waitFor(60, TimeUnit.SECONDS)).as("the worker exits after its drain period").isTrue();

        assertThat(slow.get(120, TimeUnit.SECONDS)).as("the handed-back call completed on the other worker")
            .isEqualTo("slept PT8S");
        assertThat(shell.handedBack.get()).as("the first worker handed the call back").isEqualTo(1);
        assertThat(store.list("pureremote/v1/drain/").stream().filter(k -> k.endsWith("/result")))
            .as("one committed result").hasSize(1);
        assertThat(runRecords(store)).as("one finished run: the handed-back run ended with its JVM, before any record")
            .isEqualTo(1);
      }
    }
  }
}
