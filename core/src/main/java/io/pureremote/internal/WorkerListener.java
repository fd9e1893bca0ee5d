package io.pureremote.internal;

import com.sun.net.httpserver.HttpServer;
import io.pureremote.spi.BlobStore;
import io.pureremote.spi.Shell.Outcome;
import java.io.BufferedInputStream;
import java.io.BufferedOutputStream;
import java.io.ByteArrayOutputStream;
import java.io.DataInputStream;
import java.io.DataOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.io.PrintStream;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Arrays;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;
import java.util.regex.Pattern;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * {@code pureremote-worker/1} over TCP: the network front of a {@link Worker} for a worker in a
 * pod ({@code RemoteMain worker --listen <port> --token-file <path>}).
 *
 * <p>The front does not run calls itself. It feeds the worker the same lines the pipe protocol
 * carries and routes the worker's replies back to the connection that asked, so slots, root
 * checks, cancel, drain, handback, per-call logs and the one {@link RemoteExecutor} are exactly
 * the local pool's. What the network adds is checked here, before a line reaches the worker:
 *
 * <ul>
 *   <li>every request frame ({@link WorkerFrames}) carries the pool token, compared in constant
 *       time; a frame without it is answered {@code refused - Unauthorized} and the connection is
 *       closed (the log names the peer address, never what it sent);
 *   <li>a request is one of {@code run <id> <memo uri>}, {@code cancel <id>} and {@code status
 *       <id>}; ids are {@code [A-Za-z0-9._:-]{1,64}} and messages hold no line break, so a request
 *       cannot smuggle a second line (a {@code drain}) to the worker;
 *   <li>the worker still refuses a memo URI of another store root ({@code RootMismatch}).
 * </ul>
 *
 * <p>Replies: {@code done <id> <code>}, {@code refused <id> <Reason>: <why>}, {@code handback
 * <id>} as on the pipe, and {@code status <id> slots=<K> running=<R> draining=<bool> root=<root>}.
 * The port opens only after the worker is ready (its store answered). The readiness endpoint
 * ({@code GET /ready} on {@code --ready-port}, plain HTTP, no token, no data) answers 200 while the
 * worker is ready and not draining, else 503: Kubernetes keeps a worker out of its Service until it
 * can take work, and takes it out when it drains.
 *
 * <p>A connection that breaks does not cancel its calls: they finish and commit (write-once), and
 * a caller that re-dispatched a call elsewhere joins the same lease and finds one result.
 */
public final class WorkerListener {
  private static final Logger log = LoggerFactory.getLogger(WorkerListener.class);
  private static final Pattern ID = Pattern.compile("[A-Za-z0-9._:-]{1,64}");

  private final Worker worker;
  private final byte[] token;
  private final int slots;
  private final String root;
  private final LinkedBlockingQueue<byte[]> lines = new LinkedBlockingQueue<>();
  private final Map<Long, Connection> connections = new ConcurrentHashMap<>();
  private final Map<String, Connection> outstanding = new ConcurrentHashMap<>();
  private final AtomicLong connectionIds = new AtomicLong();
  private final CountDownLatch readyLatch = new CountDownLatch(1);
  private final CountDownLatch ended = new CountDownLatch(1);
  private volatile boolean ready;
  private volatile boolean draining;
  private volatile int exitCode = Outcome.EXIT_OK;
  private ServerSocket server;
  private HttpServer readiness;

  /**
   * A worker running calls of {@code store}'s root, up to {@code slots} at once, behind a front that
   * admits requests carrying {@code token}. Nothing runs before {@link #start}.
   */
  public WorkerListener(BlobStore store, ClassLoader loader, int slots, int logLimit, byte[] token) {
    String problem = WorkerFrames.tokenProblem(token);
    if (problem != null) {
      throw new IllegalArgumentException(problem);
    }
    this.token = token.clone();
    this.slots = slots;
    this.root = store.root();
    this.worker = new Worker(store, loader, slots, logLimit, new ReplySink());
  }

  /** The worker's reply stream: each line it writes is routed to the connection that asked. */
  private final class ReplySink extends OutputStream {
    private final ByteArrayOutputStream line = new ByteArrayOutputStream();

    @Override
    public synchronized void write(int b) {
      if (b == '\n') {
        String text = line.toString(StandardCharsets.UTF_8);
        line.reset();
        onReply(text);
      } else {
        line.write(b);
      }
    }

    @Override
    public synchronized void write(byte[] b, int off, int len) {
      for (int i = off; i < off + len; i++) {
        write(b[i]);
      }
    }
  }

  /**
   * Reads the pool token from a file (a mounted Secret) or, if {@code file} is null, from the
   * environment variable {@code envName} (a {@code secretKeyRef}); trailing line breaks are dropped.
   * Errors name where it was looked for, never its content.
   */
  public static byte[] readToken(String file, String envName) {
    byte[] token;
    if (file != null) {
      try {
        token = Files.readAllBytes(Path.of(file));
      } catch (IOException e) {
        throw new IllegalArgumentException("cannot read the pool token file " + file + ": " + e.getClass().getSimpleName()
            + " (mount the pool's Secret there)");
      }
    } else if (envName != null) {
      String value = System.getenv(envName);
      if (value == null) {
        throw new IllegalArgumentException("the environment variable " + envName
            + " holding the pool token is not set (give it from the pool's Secret with a secretKeyRef)");
      }
      token = value.getBytes(StandardCharsets.UTF_8);
    } else {
      throw new IllegalArgumentException("a listening worker needs --token-file <path> or --token-env <NAME>;"
          + " the token is never given on the command line");
    }
    int end = token.length;
    while (end > 0 && (token[end - 1] == '\n' || token[end - 1] == '\r')) {
      end--;
    }
    token = Arrays.copyOf(token, end);
    String problem = WorkerFrames.tokenProblem(token);
    if (problem != null) {
      throw new IllegalArgumentException(problem + " (" + (file != null ? "file " + file : "variable " + envName) + ")");
    }
    return token;
  }

  /**
   * Starts the worker, waits until it is ready, then opens {@code port} (and {@code readyPort} for
   * the readiness endpoint; -1 for none; 0 picks a free port). Returns when both listen.
   */
  public void start(int port, int readyPort, Duration readyWithin) throws IOException, InterruptedException {
    Thread serving = Thread.ofPlatform().name("pureremote-worker-serve").daemon(true).start(() -> {
      try {
        exitCode = worker.serve(queueInput());
      } finally {
        ready = false;
        ended.countDown();
        readyLatch.countDown();
      }
    });
    if (!readyLatch.await(readyWithin.toMillis(), TimeUnit.MILLISECONDS) || !ready) {
      serving.interrupt();
      throw new IOException("the worker did not become ready within " + readyWithin + " (its store did not answer)");
    }
    server = new ServerSocket();
    server.setReuseAddress(true);
    server.bind(new InetSocketAddress(port));
    if (readyPort >= 0) {
      readiness = HttpServer.create(new InetSocketAddress(readyPort), 0);
      readiness.createContext("/ready", exchange -> {
        boolean ok = ready && !draining;
        byte[] body = (ok ? "ready\n" : "not ready\n").getBytes(StandardCharsets.UTF_8);
        exchange.sendResponseHeaders(ok ? 200 : 503, body.length);
        try (OutputStream out = exchange.getResponseBody()) {
          out.write(body);
        }
      });
      readiness.start();
    }
    Thread.ofPlatform().name("pureremote-worker-accept").daemon(true).start(this::acceptLoop);
  }

  /** The TCP port requests come to. */
  public int port() {
    return server.getLocalPort();
  }

  /** The readiness endpoint's port, or -1. */
  public int readyPort() {
    return readiness == null ? -1 : readiness.getAddress().getPort();
  }

  /** Blocks until the worker has ended (drained) and returns its exit code. */
  public int awaitEnd() throws InterruptedException {
    ended.await();
    return exitCode;
  }

  /**
   * For SIGTERM: not ready any more (the Service stops sending), no new calls, up to {@code grace}
   * for those running, then hands the rest back.
   */
  public void shutdown(Duration grace) {
    draining = true;
    worker.shutdown(grace);
  }

  /** Drains the worker (finishes what runs) and closes the ports. */
  public void close() {
    draining = true;
    lines.add("drain\n".getBytes(StandardCharsets.UTF_8));
    try {
      ended.await(30, TimeUnit.SECONDS);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
    }
    closePorts();
  }

  private void closePorts() {
    try {
      if (server != null) {
        server.close();
      }
    } catch (IOException e) {
      // Closing.
    }
    if (readiness != null) {
      readiness.stop(0);
    }
    for (Connection c : connections.values()) {
      c.close();
    }
  }

  private InputStream queueInput() {
    return new InputStream() {
      private byte[] current = new byte[0];
      private int pos;

      @Override
      public int read() throws IOException {
        byte[] one = new byte[1];
        return read(one, 0, 1) < 0 ? -1 : one[0] & 0xff;
      }

      @Override
      public int read(byte[] b, int off, int len) throws IOException {
        if (len == 0) {
          return 0;
        }
        while (pos >= current.length) {
          try {
            current = lines.take();
          } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            return -1;
          }
          pos = 0;
        }
        int n = Math.min(len, current.length - pos);
        System.arraycopy(current, pos, b, off, n);
        pos += n;
        return n;
      }
    };
  }

  private void feed(String line) {
    lines.add((line + "\n").getBytes(StandardCharsets.UTF_8));
  }

  private void onReply(String line) {
    if (line.startsWith("ready ")) {
      ready = true;
      readyLatch.countDown();
      return;
    }
    if (line.equals("bye")) {
      return;
    }
    String[] parts = line.split(" ", 3);
    if (parts.length < 2 || parts[1].equals("-")) {
      log.warn("worker reply without a call: {}", line);
      return;
    }
    String global = parts[1];
    Connection c = parts[0].equals("done") || parts[0].equals("refused") || parts[0].equals("handback")
        ? outstanding.remove(global) : outstanding.get(global);
    if (c == null) {
      return; // its connection is gone: the call still committed (or not) in the store
    }
    String local = global.substring(global.indexOf('.') + 1);
    c.send(parts[0] + " " + local + (parts.length > 2 ? " " + parts[2] : ""));
  }

  private void acceptLoop() {
    while (!server.isClosed()) {
      Socket socket;
      try {
        socket = server.accept();
      } catch (IOException e) {
        if (!server.isClosed()) {
          log.warn("worker: accepting a connection failed: {}", e.toString());
        }
        continue;
      }
      long id = connectionIds.incrementAndGet();
      Connection c;
      try {
        c = new Connection(id, socket);
      } catch (IOException e) {
        log.warn("worker: a connection from {} failed at once: {}", socket.getRemoteSocketAddress(), e.toString());
        continue;
      }
      connections.put(id, c);
      Thread.ofVirtual().name("pureremote-worker-conn-" + id).start(c::serve);
    }
  }

  private final class Connection {
    private final long id;
    private final Socket socket;
    private final DataInputStream in;
    private final DataOutputStream out;

    Connection(long id, Socket socket) throws IOException {
      this.id = id;
      this.socket = socket;
      socket.setTcpNoDelay(true);
      this.in = new DataInputStream(new BufferedInputStream(socket.getInputStream()));
      this.out = new DataOutputStream(new BufferedOutputStream(socket.getOutputStream()));
    }

    void serve() {
      try {
        byte[] payload;
        while ((payload = WorkerFrames.read(in)) != null) {
          if (!handle(payload)) {
            break;
          }
        }
      } catch (WorkerFrames.BadFrame e) {
        log.warn("worker: closed the connection from {}: {}", socket.getRemoteSocketAddress(), e.getMessage());
        send("refused - BadFrame: " + e.getMessage());
      } catch (IOException e) {
        // The peer went away.
      } finally {
        close();
      }
    }

    /** One request; false to close the connection. */
    private boolean handle(byte[] payload) {
      int newline = -1;
      for (int i = 0; i < payload.length; i++) {
        if (payload[i] == '\n') {
          newline = i;
          break;
        }
      }
      byte[] given = newline < 0 ? new byte[0] : Arrays.copyOf(payload, newline);
      if (!WorkerFrames.sameToken(token, given)) {
        log.warn("worker: refused a request without this pool's token from {}; closing the connection",
            socket.getRemoteSocketAddress());
        send("refused - Unauthorized: the request did not carry this pool's token");
        return false;
      }
      String message = new String(payload, newline + 1, payload.length - newline - 1, StandardCharsets.UTF_8);
      String[] parts = message.split(" ", 3);
      String verb = parts[0];
      if (parts.length < 2 || !ID.matcher(parts[1]).matches()) {
        send("refused - BadRequest: expected 'run <id> <memo uri>', 'cancel <id>' or 'status <id>' with an id of"
            + " [A-Za-z0-9._:-]{1,64}");
        return true;
      }
      String local = parts[1];
      if (message.indexOf('\n') >= 0 || message.indexOf('\r') >= 0) {
        send("refused " + local + " BadRequest: a request is one line");
        return true;
      }
      String global = "n" + id + "." + local;
      switch (verb) {
        case "run" -> {
          if (parts.length < 3) {
            send("refused " + local + " BadRequest: expected 'run <id> <memo uri>'");
          } else if (outstanding.putIfAbsent(global, this) != null) {
            send("refused " + local + " Busy: call " + local + " already runs on this connection");
          } else {
            feed("run " + global + " " + parts[2]);
          }
        }
        case "cancel" -> feed("cancel " + global);
        case "status" -> send("status " + local + " slots=" + slots + " running=" + outstanding.size()
            + " draining=" + draining + " root=" + root);
        default -> send("refused " + local + " BadRequest: unknown request '" + verb + "' (" + Worker.PROTOCOL
            + " over TCP knows run, cancel and status)");
      }
      return true;
    }

    void send(String message) {
      synchronized (out) {
        try {
          WorkerFrames.writeText(out, message);
        } catch (IOException e) {
          // The peer went away; its reader sees it.
        }
      }
    }

    void close() {
      connections.remove(id);
      try {
        socket.close();
      } catch (IOException e) {
        // Closing.
      }
    }
  }

  /** Writes the {@code listening} line (ports) to {@code out}: how a process that started the worker learns them. */
  public void announce(PrintStream out) {
    out.println("listening " + Worker.PROTOCOL + " port=" + port() + " ready-port=" + readyPort());
    out.flush();
  }
}
