package io.pureremote.internal;

import io.pureremote.spi.BlobStore;
import io.pureremote.spi.Shell.Outcome;
import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStream;
import java.io.InputStreamReader;
import java.io.OutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The warm side of a worker pool ({@code RemoteMain worker}): one JVM that runs invocations on
 * request, up to {@code slots} at once, each exactly as {@code RemoteMain run} would (same {@link
 * RemoteExecutor}: lease joined, one write-once commit, run record and log beside the memo).
 *
 * <h2>Protocol {@value #PROTOCOL}</h2>
 *
 * <p>One UTF-8 line per message, over the worker's stdin (requests) and stdout (replies). The
 * worker is a child of the process that dispatches to it, so its pipes are the channel: they need
 * no port, no address and no token (nothing else on the machine can write to them), they end when
 * either side dies (the parent sees EOF when the worker dies; the worker sees EOF and drains when
 * the parent dies, so no worker outlives its pool), and a line is small enough that the round trip
 * costs microseconds. A Kubernetes pool speaks the same messages over an authenticated connection.
 * User code's {@code System.out} is redirected to stderr, so nothing but the protocol reaches
 * stdout.
 *
 * <pre>
 * worker → parent  ready pureremote-worker/1 slots=&lt;K&gt; pid=&lt;pid&gt; root=&lt;store root&gt;   (once it can take work)
 * parent → worker  run &lt;id&gt; &lt;memo uri&gt; [&lt;holder&gt;]   run one invocation (id: the parent's, no spaces;
 *                                                 holder: the caller's lease, checked as RemoteMain run --holder does)
 * worker → parent  done &lt;id&gt; &lt;exit code&gt;         it ended; the codes of RemoteMain run (0, 42, 70, 75)
 * worker → parent  refused &lt;id&gt; &lt;Reason&gt;: &lt;why&gt;  not run: RootMismatch, BadUri, Busy, Draining, BadRequest
 * parent → worker  cancel &lt;id&gt;                    interrupt the call's thread (its done line follows)
 * parent → worker  drain                          take no more; finish what runs, then "bye" and exit 0
 * worker → parent  handback &lt;id&gt;                  on SIGTERM: not finished within the drain period; run it elsewhere
 * worker → parent  bye
 * </pre>
 *
 * <p>The worker runs memo URIs of its own store root only: any other root is refused, so a worker
 * never opens a store it was not started for. End of stdin counts as {@code drain}.
 *
 * <p>Each call's output (its thread's and the threads it starts, through an inheritable
 * thread-local) goes to that call's own log capture, stored as {@code runs/<run>.log}; calls running
 * side by side never see each other's lines. Output from threads the call did not start (a shared
 * pool) goes to the worker's stderr only.
 */
public final class Worker {
  /** The protocol name and version the worker announces in its {@code ready} line. */
  public static final String PROTOCOL = "pureremote-worker/1";

  private static final Logger log = LoggerFactory.getLogger(Worker.class);
  private static final InheritableThreadLocal<LogCapture> CURRENT = new InheritableThreadLocal<>();

  private final BlobStore store;
  private final ClassLoader loader;
  private final int slots;
  private final int logLimit;
  private final PrintStream replies;
  private final Map<String, Thread> running = new ConcurrentHashMap<>();
  private final CountDownLatch finished = new CountDownLatch(1);
  private volatile boolean draining;
  private volatile boolean handingBack;

  /**
   * A worker running calls of {@code store}'s root, up to {@code slots} at once, replying on {@code
   * replies} (the real stdout).
   */
  public Worker(BlobStore store, ClassLoader loader, int slots, int logLimit, OutputStream replies) {
    Ranges.atLeast("slots", 1, slots);
    this.store = store;
    this.loader = loader;
    this.slots = slots;
    this.logLimit = logLimit;
    this.replies = new PrintStream(replies, false, StandardCharsets.UTF_8);
  }

  /**
   * Replaces {@code System.out} and {@code System.err} with streams that write to {@code sink}
   * (the worker's stderr) and to the log capture of the call the writing thread runs.
   */
  public static void routeOutput(PrintStream sink) {
    PrintStream routed = new PrintStream(new OutputStream() {
      @Override
      public void write(int b) {
        write(new byte[] {(byte) b}, 0, 1);
      }

      @Override
      public void write(byte[] b, int off, int len) {
        sink.write(b, off, len);
        LogCapture capture = CURRENT.get();
        if (capture != null) {
          capture.write(b, off, len);
        }
      }

      @Override
      public void flush() {
        sink.flush();
      }
    }, true, StandardCharsets.UTF_8);
    System.setOut(routed);
    System.setErr(routed);
  }

  /**
   * Announces readiness, serves requests from {@code requests} until {@code drain} or end of
   * input, waits for the calls still running and says {@code bye}. Returns the exit code.
   */
  public int serve(InputStream requests) {
    // Ready means able to take work: the store answers (a missing root is refused here, not at the
    // first call).
    store.exists(MemoKey.LAYOUT + "/worker-probe");
    reply("ready " + PROTOCOL + " slots=" + slots + " pid=" + ProcessHandle.current().pid() + " root=" + store.root());
    try (BufferedReader in = new BufferedReader(new InputStreamReader(requests, StandardCharsets.UTF_8))) {
      String line;
      while ((line = in.readLine()) != null) {
        if (!handle(line)) {
          break;
        }
      }
    } catch (IOException e) {
      log.warn("worker: reading requests failed ({}); draining", e.toString());
    }
    draining = true;
    awaitRunning(null);
    if (!handingBack) {
      reply("bye");
    }
    finished.countDown();
    return Outcome.EXIT_OK;
  }

  /**
   * For a shutdown hook (SIGTERM): takes no more calls, waits up to {@code grace} for those still
   * running, and hands the rest back to the parent ({@code handback <id>}) so it runs them elsewhere.
   */
  public void shutdown(Duration grace) {
    draining = true;
    if (awaitRunning(grace)) {
      return;
    }
    handingBack = true;
    for (String id : running.keySet()) {
      reply("handback " + id);
    }
  }

  /** Handles one request line; false when the worker must stop reading. */
  private boolean handle(String line) {
    if (line.equals("drain")) {
      return false;
    }
    if (line.startsWith("cancel ")) {
      Thread t = running.get(line.substring("cancel ".length()).trim());
      if (t != null) {
        t.interrupt();
      }
      return true;
    }
    if (!line.startsWith("run ")) {
      reply("refused - BadRequest: unknown request '" + abbreviate(line) + "' (" + PROTOCOL
          + " knows run, cancel and drain)");
      return true;
    }
    int space = line.indexOf(' ', 4);
    if (space < 0) {
      reply("refused - BadRequest: expected 'run <id> <memo uri>', got '" + abbreviate(line) + "'");
      return true;
    }
    String id = line.substring(4, space);
    String rest = line.substring(space + 1).trim();
    int holderAt = rest.indexOf(' ');
    String memoUri = holderAt < 0 ? rest : rest.substring(0, holderAt);
    String holder = holderAt < 0 ? null : rest.substring(holderAt + 1).trim();
    if (holder != null && (holder.isEmpty() || holder.indexOf(' ') >= 0)) {
      reply("refused " + id + " BadRequest: expected 'run <id> <memo uri> [<lease holder>]', got '"
          + abbreviate(line) + "'");
      return true;
    }
    MemoKey.Located located;
    try {
      located = MemoKey.parseUri(memoUri);
    } catch (IllegalArgumentException e) {
      reply("refused " + id + " BadUri: " + e.getMessage());
      return true;
    }
    if (!located.root().equals(store.root())) {
      reply("refused " + id + " RootMismatch: this worker runs calls of " + store.root() + " only, not of "
          + located.root() + "; start a worker (or pool) for that store root");
      return true;
    }
    if (draining) {
      reply("refused " + id + " Draining: the worker is shutting down");
      return true;
    }
    if (running.size() >= slots || running.containsKey(id)) {
      reply("refused " + id + " Busy: " + running.size() + " of " + slots + " slots in use");
      return true;
    }
    Thread thread = Thread.ofVirtual().name("pureremote-worker-call-" + id).unstarted(() -> runCall(id, located, holder));
    running.put(id, thread);
    thread.start();
    return true;
  }

  private void runCall(String id, MemoKey.Located located, String holder) {
    LogCapture capture = LogCapture.buffer(logLimit);
    CURRENT.set(capture);
    int code;
    try {
      code = new RemoteExecutor(store, loader, capture).run(located.key(), holder);
    } catch (Throwable t) {
      log.error("worker: call {} failed outside the executor: {}", id, t.toString(), t);
      code = Outcome.EXIT_INFRASTRUCTURE;
    } finally {
      CURRENT.remove();
    }
    synchronized (running) {
      running.remove(id);
      if (!handingBack) {
        reply("done " + id + " " + code);
      }
      running.notifyAll();
    }
  }

  /** Waits until no call runs; with a {@code limit}, at most that long. True when none runs. */
  private boolean awaitRunning(Duration limit) {
    long deadline = limit == null ? Long.MAX_VALUE : System.nanoTime() + limit.toNanos();
    synchronized (running) {
      while (!running.isEmpty()) {
        long left = deadline - System.nanoTime();
        if (left <= 0) {
          return false;
        }
        try {
          running.wait(Math.max(1, Math.min(TimeUnit.NANOSECONDS.toMillis(left), 1000)));
        } catch (InterruptedException e) {
          Thread.currentThread().interrupt();
          return running.isEmpty();
        }
      }
      return true;
    }
  }

  /** Blocks until {@link #serve} returned, at most {@code limit}. */
  public boolean awaitFinished(Duration limit) throws InterruptedException {
    return finished.await(limit.toMillis(), TimeUnit.MILLISECONDS);
  }

  private void reply(String line) {
    synchronized (replies) {
      replies.print(line);
      replies.print('\n');
      replies.flush();
    }
  }

  private static String abbreviate(String s) {
    return s.length() <= 80 ? s : s.substring(0, 80) + "...";
  }
}
