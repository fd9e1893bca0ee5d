package io.pureremote.spi;

import io.pureremote.internal.WorkerFrames;
import java.io.BufferedInputStream;
import java.io.BufferedOutputStream;
import java.io.DataInputStream;
import java.io.DataOutputStream;
import java.io.IOException;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;

/**
 * The caller's side of {@code pureremote-worker/1} over TCP: one connection to one worker that
 * listens on a port ({@code RemoteMain worker --listen}), for pool shells. Every request carries
 * the pool token; values never cross it (the worker commits {@code result} or {@code error} to the
 * store, the connection only says how a run ended). Thread-safe; many calls share one connection.
 *
 * <p>{@link #run} completes with the run's exit code ({@link Outcome#EXIT_OK}, {@link
 * Outcome#EXIT_FUNCTION_FAILED}, ...), or exceptionally with {@link Refused} (the worker did not
 * run it, or handed it back while draining: run it elsewhere) or an {@link IOException} when the
 * connection broke (the call may still finish there; run it elsewhere, the lease and the
 * write-once commit keep one result). The token is never part of a message, a log line or {@link
 * #toString()}.
 */
public final class WorkerConnection implements AutoCloseable {
  private final String address;
  private final byte[] token;
  private final Socket socket;
  private final DataOutputStream out;
  private final DataInputStream in;
  private final Map<String, CompletableFuture<String>> pending = new ConcurrentHashMap<>();
  private volatile IOException broken;

  /** A worker's answer that it did not run a call (or handed it back), with the worker's reason. */
  public static final class Refused extends IOException {
    private static final long serialVersionUID = 1L;
    private final String reason;

    /** A refusal: {@code reason} as the worker gave it ({@code Busy}, {@code RootMismatch}, ...). */
    public Refused(String reason, String message) {
      super(message);
      this.reason = reason;
    }

    /**
     * {@code Unauthorized}, {@code RootMismatch}, {@code BadUri}, {@code Busy}, {@code Draining},
     * {@code BadRequest}, {@code BadFrame} or {@code HandedBack}.
     */
    public String reason() {
      return reason;
    }
  }

  /** A worker's {@code status} answer. */
  public record Status(int slots, int running, boolean draining, String root) {}

  private WorkerConnection(String address, byte[] token, Socket socket) throws IOException {
    this.address = address;
    this.token = token.clone();
    this.socket = socket;
    socket.setTcpNoDelay(true);
    this.out = new DataOutputStream(new BufferedOutputStream(socket.getOutputStream()));
    this.in = new DataInputStream(new BufferedInputStream(socket.getInputStream()));
    Thread.ofVirtual().name("pureremote-worker-client-" + address).start(this::readLoop);
  }

  /**
   * Connects to the worker at {@code host:port} within {@code timeout}.
   *
   * @param token the pool token (from the pool's Secret); copied, never shown
   * @throws IOException when the worker cannot be reached
   */
  public static WorkerConnection open(String host, int port, byte[] token, Duration timeout) throws IOException {
    String problem = WorkerFrames.tokenProblem(token);
    if (problem != null) {
      throw new IllegalArgumentException(problem);
    }
    Socket socket = new Socket();
    try {
      socket.connect(new InetSocketAddress(host, port), (int) Math.min(Integer.MAX_VALUE, timeout.toMillis()));
    } catch (IOException e) {
      socket.close();
      throw new IOException("cannot reach the worker at " + host + ":" + port + ": " + e.getMessage(), e);
    }
    return new WorkerConnection(host + ":" + port, token, socket);
  }

  /** Asks the worker to run the invocation at {@code memoUri} under this connection's call {@code id}. */
  public CompletableFuture<Integer> run(String id, String memoUri) {
    return run(id, memoUri, null);
  }

  /**
   * {@link #run(String, String)} for a call launched under the lease of {@code holder} (the
   * launch request's {@link LaunchRequest#holder()}; {@code null}: none): the worker runs nothing
   * and answers {@value Outcome#EXIT_LEASE_LOST} when the entry names another holder by then.
   */
  public CompletableFuture<Integer> run(String id, String memoUri, String holder) {
    return request(id, "run " + id + " " + memoUri + (holder == null ? "" : " " + holder)).thenApply(reply -> {
      String[] parts = reply.split(" ", 3);
      if (parts[0].equals("done") && parts.length == 3) {
        try {
          return Integer.parseInt(parts[2].trim());
        } catch (NumberFormatException e) {
          // Reported below.
        }
      }
      throw new IllegalStateException("unexpected reply from the worker at " + address + ": " + reply);
    });
  }

  /** Interrupts call {@code id} on the worker; its {@link #run} future then completes with the run's code. */
  public void cancel(String id) {
    try {
      send("cancel " + id);
    } catch (IOException e) {
      // Broken: the run future already failed.
    }
  }

  /** Asks the worker for its slots and load, within {@code timeout}. */
  public Status status(Duration timeout) throws IOException {
    String id = "s" + System.nanoTime();
    try {
      String reply = request(id, "status " + id).get(timeout.toMillis(), TimeUnit.MILLISECONDS);
      Map<String, String> fields = new java.util.HashMap<>();
      for (String part : reply.split(" ")) {
        int eq = part.indexOf('=');
        if (eq > 0) {
          fields.put(part.substring(0, eq), part.substring(eq + 1));
        }
      }
      return new Status(Integer.parseInt(fields.getOrDefault("slots", "0")),
          Integer.parseInt(fields.getOrDefault("running", "0")), Boolean.parseBoolean(fields.get("draining")),
          fields.getOrDefault("root", ""));
    } catch (java.util.concurrent.ExecutionException e) {
      throw e.getCause() instanceof IOException io ? io : new IOException(e.getCause());
    } catch (TimeoutException e) {
      throw new IOException("the worker at " + address + " did not answer a status request within " + timeout);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new IOException("interrupted");
    }
  }

  /** False once the connection broke or was closed. */
  public boolean isOpen() {
    return broken == null;
  }

  private CompletableFuture<String> request(String id, String message) {
    CompletableFuture<String> reply = new CompletableFuture<>();
    if (pending.putIfAbsent(id, reply) != null) {
      reply.completeExceptionally(new IllegalArgumentException("call " + id + " already runs on this connection"));
      return reply;
    }
    try {
      send(message);
    } catch (IOException e) {
      pending.remove(id);
      reply.completeExceptionally(e);
    }
    return reply;
  }

  private void send(String message) throws IOException {
    IOException b = broken;
    if (b != null) {
      throw new IOException("the connection to the worker at " + address + " is closed: " + b.getMessage());
    }
    synchronized (out) {
      WorkerFrames.write(out, WorkerFrames.request(token, message));
    }
  }

  private void readLoop() {
    IOException end = null;
    try {
      byte[] payload;
      while ((payload = WorkerFrames.read(in)) != null) {
        onReply(new String(payload, StandardCharsets.UTF_8));
      }
      end = new IOException("the worker at " + address + " closed the connection");
    } catch (IOException e) {
      end = broken != null ? broken
          : new IOException("the connection to the worker at " + address + " broke: " + e.getMessage(), e);
    } finally {
      fail(end == null ? new IOException("the connection to the worker at " + address + " ended") : end);
    }
  }

  private void onReply(String reply) {
    String[] parts = reply.split(" ", 3);
    if (parts.length < 2) {
      return;
    }
    if (parts[1].equals("-")) {
      // About the connection (Unauthorized, BadFrame): the worker closes it; fail everything with the reason.
      String rest = parts.length > 2 ? parts[2] : "";
      int colon = rest.indexOf(':');
      String reason = colon > 0 ? rest.substring(0, colon) : rest;
      if (!reason.equals("Unauthorized") && !reason.equals("BadFrame")) {
        return; // a malformed request of ours; its call has no id to fail
      }
      fail(new Refused(reason, "the worker at " + address + " refused the connection: " + rest));
      return;
    }
    CompletableFuture<String> f = pending.remove(parts[1]);
    if (f == null) {
      return;
    }
    switch (parts[0]) {
      case "refused" -> {
        String rest = parts.length > 2 ? parts[2] : "";
        int colon = rest.indexOf(':');
        f.completeExceptionally(new Refused(colon > 0 ? rest.substring(0, colon) : rest,
            "the worker at " + address + " refused call " + parts[1] + ": " + rest));
      }
      case "handback" -> f.completeExceptionally(new Refused("HandedBack",
          "the worker at " + address + " is shutting down and handed call " + parts[1] + " back"));
      default -> f.complete(reply);
    }
  }

  private void fail(IOException cause) {
    if (broken == null) {
      broken = cause;
    }
    for (String id : pending.keySet()) {
      CompletableFuture<String> f = pending.remove(id);
      if (f != null) {
        f.completeExceptionally(cause);
      }
    }
    try {
      socket.close();
    } catch (IOException e) {
      // Closing.
    }
  }

  /** Closes the connection; calls still pending fail with an {@link IOException}. */
  @Override
  public void close() {
    fail(new IOException("the connection to the worker at " + address + " was closed by this side"));
  }

  @Override
  public String toString() {
    return "WorkerConnection[" + address + (broken == null ? "" : ", closed") + "]";
  }
}
