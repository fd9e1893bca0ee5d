package io.pureremote.internal;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.example.fns.Calc;
import com.example.fns.CalcImpl;
import io.pureremote.RemoteFunctionException;
import io.pureremote.RemoteRuntime;
import io.pureremote.spi.Shell.Launch;
import io.pureremote.spi.Shell.LaunchRequest;
import io.pureremote.spi.Shell.Outcome;
import io.pureremote.spi.Shell;
import io.pureremote.spi.Shell.WorkerConnection;
import java.io.DataInputStream;
import java.io.DataOutputStream;
import java.io.IOException;
import java.net.Socket;
import java.net.HttpURLConnection;
import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** {@code pureremote-worker/1} over TCP: a listening worker in this JVM, real calls through a real store. */
class WorkerListenerTest {
  private static final byte[] TOKEN = "pool-token-0123456789abcdefABCDEF".getBytes(StandardCharsets.UTF_8);

  @TempDir Path dir;
  FileBlobStore store;
  WorkerListener listener;

  @BeforeEach
  void setUp() throws Exception {
    store = new FileBlobStore(dir.resolve("memo"));
    listener = new WorkerListener(store, getClass().getClassLoader(), 2, 1 << 16, TOKEN);
    listener.start(0, 0, Duration.ofSeconds(20));
  }

  @AfterEach
  void tearDown() {
    listener.close();
  }

  /** The smallest shell over one connection: how a pool shell uses it. */
  private static final class OneWorkerShell implements Shell {
    final WorkerConnection connection;
    final AtomicInteger ids = new AtomicInteger();

    OneWorkerShell(WorkerConnection connection) {
      this.connection = connection;
    }

    @Override
    public String name() {
      return "one-worker";
    }

    @Override
    public Launch launch(LaunchRequest request) {
      String id = "c" + ids.incrementAndGet();
      CompletableFuture<Outcome> done = connection.run(id, request.memoUri())
          .thenApply(code -> Outcome.exited(code, "worker " + connection));
      return new Launch() {
        @Override
        public CompletableFuture<Outcome> completion() {
          return done;
        }

        @Override
        public void cancel() {
          connection.cancel(id);
        }

        @Override
        public String description() {
          return "call " + id + " on " + connection;
        }
      };
    }
  }

  private WorkerConnection connect(byte[] token) throws IOException {
    return WorkerConnection.open("127.0.0.1", listener.port(), token, Duration.ofSeconds(5));
  }

  @Test
  void callsRunOnTheListeningWorkerAndTheSecondIsAHit() throws Exception {
    try (WorkerConnection connection = connect(TOKEN);
         RemoteRuntime runtime = RemoteRuntime.builder().blobRoot(store.root()).pipelineId("net")
             .shell(new OneWorkerShell(connection)).build()) {
      Calc calc = runtime.create(Calc.class, CalcImpl.class);
      int before = CalcImpl.EXECUTIONS.get();
      assertThat(calc.square(12)).isEqualTo(144);
      assertThat(calc.square(12)).isEqualTo(144);
      assertThat(CalcImpl.EXECUTIONS.get() - before).as("ran once, on the worker (this JVM)").isEqualTo(1);
      assertThatThrownBy(() -> calc.fail("net boom")).isInstanceOf(RemoteFunctionException.class)
          .cause().hasMessage("net boom");
      assertThat(store.list("pureremote/v1/net/").stream().filter(k -> k.contains("/runs/") && k.endsWith(".json")))
          .as("a run record per run, as a child JVM writes").hasSize(2);
      WorkerConnection.Status status = connection.status(Duration.ofSeconds(5));
      assertThat(status).isEqualTo(new WorkerConnection.Status(2, 0, false, store.root()));
    }
  }

  @Test
  void aRequestWithoutThePoolTokenIsRefusedRunsNothingAndLosesTheConnection() throws Exception {
    String memo = store.root() + "/pureremote/v1/p/f@1/" + "0".repeat(64);
    byte[] wrong = "pool-token-0123456789abcdefABCDEX".getBytes(StandardCharsets.UTF_8);
    try (WorkerConnection bad = connect(wrong)) {
      CompletableFuture<Integer> run = bad.run("c1", memo);
      assertThatThrownBy(() -> run.get(10, TimeUnit.SECONDS)).isInstanceOf(ExecutionException.class)
          .cause().isInstanceOfSatisfying(WorkerConnection.Refused.class, e -> {
            assertThat(e.reason()).isEqualTo("Unauthorized");
            assertThat(e.getMessage()).contains("did not carry this pool's token")
                .doesNotContain(new String(TOKEN, StandardCharsets.UTF_8)).doesNotContain(new String(wrong, StandardCharsets.UTF_8));
          });
      waitUntil(() -> !bad.isOpen());
    }
    try (WorkerConnection good = connect(TOKEN)) {
      assertThat(good.status(Duration.ofSeconds(5)).running()).as("nothing was started").isZero();
    }
    assertThat(store.list("pureremote/v1/p/")).as("nothing ran").isEmpty();
  }

  @Test
  void aMemoUriOfAnotherRootIsRefused() throws Exception {
    String other = new FileBlobStore(dir.resolve("other")).root() + "/pureremote/v1/p/f@1/" + "0".repeat(64);
    try (WorkerConnection connection = connect(TOKEN)) {
      CompletableFuture<Integer> run = connection.run("c1", other);
      assertThatThrownBy(() -> run.get(10, TimeUnit.SECONDS)).cause()
          .isInstanceOfSatisfying(WorkerConnection.Refused.class, e -> assertThat(e.reason()).isEqualTo("RootMismatch"));
      assertThat(connection.isOpen()).as("a refused call keeps the connection").isTrue();
      CompletableFuture<Integer> smuggled = connection.run("c2", other + "\ndrain");
      assertThatThrownBy(() -> smuggled.get(10, TimeUnit.SECONDS)).isInstanceOf(ExecutionException.class);
      assertThat(connection.status(Duration.ofSeconds(5)).draining()).as("no line smuggled to the worker").isFalse();
    }
  }

  @Test
  void bytesThatAreNoFrameAreRefusedBeforeAnythingIsRead() throws Exception {
    try (Socket socket = new Socket("127.0.0.1", listener.port())) {
      socket.getOutputStream().write("GET / HTTP/1.1\r\nHost: x\r\n\r\n".getBytes(StandardCharsets.US_ASCII));
      DataInputStream in = new DataInputStream(socket.getInputStream());
      assertThat(new String(WorkerFrames.read(in), StandardCharsets.UTF_8)).startsWith("refused - BadFrame: not a pureremote-worker/1 frame");
      assertThat(in.read()).as("closed").isEqualTo(-1);
    }
    try (Socket socket = new Socket("127.0.0.1", listener.port())) {
      DataOutputStream out = new DataOutputStream(socket.getOutputStream());
      out.writeInt(WorkerFrames.MAGIC);
      out.writeInt(WorkerFrames.MAX_PAYLOAD + 1);
      out.flush();
      DataInputStream in = new DataInputStream(socket.getInputStream());
      assertThat(new String(WorkerFrames.read(in), StandardCharsets.UTF_8)).isEqualTo("refused - BadFrame: frame length 16385 outside 1..16384");
    }
    try (Socket socket = new Socket("127.0.0.1", listener.port())) {
      DataOutputStream out = new DataOutputStream(socket.getOutputStream());
      byte[] payload = WorkerFrames.request(TOKEN, "status s1");
      out.writeInt(WorkerFrames.MAGIC);
      out.writeInt(payload.length);
      out.write(payload);
      out.writeInt(12345);
      out.flush();
      assertThat(new String(WorkerFrames.read(new DataInputStream(socket.getInputStream())), StandardCharsets.UTF_8))
          .isEqualTo("refused - BadFrame: frame checksum mismatch");
    }
  }

  @Test
  void readinessIs200WhileTheWorkerTakesWorkAnd503OnceItDrains() throws Exception {
    URI ready = URI.create("http://127.0.0.1:" + listener.readyPort() + "/ready");
    assertThat(status(ready)).isEqualTo(200);
    listener.shutdown(Duration.ofSeconds(1));
    assertThat(status(ready)).isEqualTo(503);
  }

  @Test
  void theTokenComesFromAFileOrAVariableAndErrorsNeverShowIt() throws Exception {
    Path file = dir.resolve("token");
    Files.writeString(file, new String(TOKEN, StandardCharsets.UTF_8) + "\n");
    assertThat(WorkerListener.readToken(file.toString(), null)).isEqualTo(TOKEN);
    Files.writeString(file, "short-secret\n");
    assertThatThrownBy(() -> WorkerListener.readToken(file.toString(), null)).isInstanceOf(IllegalArgumentException.class)
        .hasMessage("the pool token is 12 bytes; at least 22 are required (file " + file + ")");
    assertThatThrownBy(() -> WorkerListener.readToken(null, "PUREREMOTE_TEST_NO_SUCH_VARIABLE"))
        .hasMessageContaining("PUREREMOTE_TEST_NO_SUCH_VARIABLE holding the pool token is not set");
    assertThatThrownBy(() -> WorkerListener.readToken(null, null))
        .hasMessageContaining("the token is never given on the command line");
    assertThat(WorkerFrames.sameToken(TOKEN, TOKEN.clone())).isTrue();
    assertThat(WorkerFrames.sameToken(TOKEN, new byte[0])).isFalse();
  }

  private static int status(URI uri) throws IOException {
    HttpURLConnection c = (HttpURLConnection) uri.toURL().openConnection();
    try {
      return c.getResponseCode();
    } finally {
      c.disconnect();
    }
  }

  private static void waitUntil(java.util.function.BooleanSupplier condition) throws InterruptedException {
    long until = System.nanoTime() + TimeUnit.SECONDS.toNanos(10);
    while (!condition.getAsBoolean()) {
      assertThat(System.nanoTime()).isLessThan(until);
      Thread.sleep(20);
    }
  }
}
