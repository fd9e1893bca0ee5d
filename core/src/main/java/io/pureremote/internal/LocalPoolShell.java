package io.pureremote.internal;

import io.pureremote.spi.Shell.LaunchRequest;
import io.pureremote.ShellException;
import io.pureremote.spi.Shell.Launch;
import io.pureremote.spi.Shell.Outcome;
import io.pureremote.spi.Shell;
import java.io.BufferedReader;
import java.io.BufferedWriter;
import java.io.IOException;
import java.io.InputStreamReader;
import java.io.OutputStreamWriter;
import java.nio.charset.StandardCharsets;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Deque;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Runs invocations on a pool of warm child JVMs on this machine ({@code RemoteMain worker}), so a
 * miss costs a few blob reads and writes instead of a JVM start. Shell name {@code local-pool}.
 *
 * <p>Per store root the pool keeps {@link LocalPoolOptions#workers()} workers, started at the first
 * call (not when the runtime is built), each running up to {@link
 * LocalPoolOptions#slotsPerWorker()} calls at once; further calls wait in a queue, so {@link
 * #launch} never blocks. A call goes to the ready worker with the most free slots. The value still
 * goes through the store exactly as with the {@code local} shell: the worker joins the call's
 * lease and commits {@code result} or {@code error} once; the shell only reports the exit code.
 *
 * <p>A worker that dies (crash, {@code System.exit} in user code, SIGKILL) is restarted, and the
 * calls it was running go to another worker, up to {@link LocalPoolOptions#maxDispatches()}
 * workers per call; the lease and the write-once commit keep a call that was already committed to
 * that one result. Cancelling interrupts the call's thread on its worker. Closing cancels what
 * runs, asks the workers to drain and kills any that outlive {@link
 * LocalPoolOptions#closeTimeout()}: no worker outlives the shell (nor its JVM: a worker whose stdin
 * closes drains and exits).
 *
 * <p>Workers share one JVM between calls: static state a function changes stays for the next call
 * on that worker. Use the {@code local} shell for code that needs a fresh JVM per call.
 */
public final class LocalPoolShell implements Shell {
  private static final Logger log = LoggerFactory.getLogger(LocalPoolShell.class);
  private static final int TAIL_LINES = 20;
  private static final int MAX_START_FAILURES = 3;

  private final LocalPoolOptions options;
  private final Map<String, Group> groups = new LinkedHashMap<>();
  private final AtomicLong ids = new AtomicLong();
  private volatile Optional<String> classpathProblem;
  private boolean closed;

  /** A pool with the given options; no worker starts before the first call. */
  public LocalPoolShell(LocalPoolOptions options) {
    this.options = options;
  }

  /** A pool with {@link LocalPoolOptions#defaults()}. */
  public LocalPoolShell() {
    this(LocalPoolOptions.defaults());
  }

  @Override
  public String name() {
    return "local-pool";
  }

  /** The command line that starts one worker for {@code root}. */
  public List<String> workerCommand(String root) {
    List<String> cmd = new ArrayList<>();
    cmd.add(options.javaExecutable().toString());
    cmd.addAll(options.jvmArgs());
    cmd.add("-cp");
    cmd.add(options.classpath());
    cmd.add(LaunchRequest.MAIN_CLASS);
    cmd.addAll(List.of("worker", "--root", root, "--slots", Integer.toString(options.slotsPerWorker())));
    return cmd;
  }

  @Override
  public Launch launch(LaunchRequest request) {
    PoolCall call = new PoolCall(request, "c" + ids.incrementAndGet());
    Optional<String> problem = classpathProblem();
    if (problem.isPresent()) {
      call.completion.completeExceptionally(new ShellException("ClasspathLacksLibrary", null, problem.get(), false));
      return call;
    }
    String root;
    try {
      root = MemoKey.parseUri(request.memoUri()).root();
    } catch (IllegalArgumentException e) {
      call.completion.completeExceptionally(new ShellException("BadRequest", e.getMessage(), e));
      return call;
    }
    Group group;
    synchronized (this) {
      if (closed) {
        call.completion.completeExceptionally(new ShellException("ShellClosed", null,
            "The local-pool shell is closed; build a new runtime to run more calls.", false));
        return call;
      }
      group = groups.computeIfAbsent(root, r -> new Group(r, request.environment()));
    }
    group.submit(call);
    return call;
  }

  private Optional<String> classpathProblem() {
    Optional<String> problem = classpathProblem;
    if (problem == null) {
      problem = ChildClasspath.problem(options.classpath());
      classpathProblem = problem;
    }
    return problem;
  }

  /** Process ids of the workers running at least one call, for tests and diagnostics. */
  List<Long> busyWorkerPids() {
    List<Group> all;
    synchronized (this) {
      all = List.copyOf(groups.values());
    }
    List<Long> pids = new ArrayList<>();
    for (Group g : all) {
      synchronized (g) {
        for (WorkerProcess w : g.workers) {
          if (w != null && !w.inFlight.isEmpty()) {
            pids.add(w.process.pid());
          }
        }
      }
    }
    return pids;
  }

  /** Process ids of the live workers. */
  List<Long> workerPids() {
    List<Group> all;
    synchronized (this) {
      all = List.copyOf(groups.values());
    }
    List<Long> pids = new ArrayList<>();
    for (Group g : all) {
      synchronized (g) {
        for (WorkerProcess w : g.workers) {
          if (w != null) {
            pids.add(w.process.pid());
          }
        }
      }
    }
    return pids;
  }

  /**
   * Cancels the calls still running or waiting, asks every worker to drain, waits up to {@link
   * LocalPoolOptions#closeTimeout()} and kills those still alive.
   */
  @Override
  public void close() {
    List<Group> all;
    synchronized (this) {
      closed = true;
      all = List.copyOf(groups.values());
      groups.clear();
    }
    List<WorkerProcess> stopping = new ArrayList<>();
    for (Group g : all) {
      stopping.addAll(g.close());
    }
    long deadline = System.nanoTime() + options.closeTimeout().toNanos();
    for (WorkerProcess w : stopping) {
      try {
        long left = Math.max(0, deadline - System.nanoTime());
        if (!w.process.waitFor(left, TimeUnit.NANOSECONDS)) {
          log.warn("local-pool worker pid {} did not drain within {}; killing it", w.process.pid(), options.closeTimeout());
        }
      } catch (InterruptedException e) {
        Thread.currentThread().interrupt();
      }
      w.kill();
    }
  }

  /** The workers of one store root and the calls waiting for them. Guarded by its own monitor. */
  private final class Group {
    private final String root;
    private final Map<String, String> environment;
    private final WorkerProcess[] workers = new WorkerProcess[options.workers()];
    private final Deque<PoolCall> pending = new ArrayDeque<>();
    private int startFailures;
    private String lastStartFailure = "";
    private boolean closed;

    Group(String root, Map<String, String> environment) {
      this.root = root;
      this.environment = Map.copyOf(environment);
    }

    synchronized void submit(PoolCall call) {
      call.group = this;
      if (closed) {
        call.completion.complete(new Outcome("Cancelled", null, "the local-pool shell closed"));
        return;
      }
      pending.addLast(call);
      for (int i = 0; i < workers.length; i++) {
        if (workers[i] == null) {
          workers[i] = start(i);
          if (workers[i] == null) {
            return;
          }
        }
      }
      dispatch();
    }

    /** Starts worker {@code index}; on failure fails what waits and returns null. */
    private WorkerProcess start(int index) {
      ProcessBuilder pb = new ProcessBuilder(workerCommand(root));
      pb.environment().putAll(options.environment());
      pb.environment().putAll(environment);
      Process process;
      try {
        process = pb.start();
      } catch (IOException e) {
        failPending(new ShellException("LaunchFailed",
            "Cannot start a local-pool worker JVM with " + options.javaExecutable() + ": " + e.getMessage(), e));
        return null;
      }
      WorkerProcess w = new WorkerProcess(this, index, process);
      w.startReaders();
      return w;
    }

    private void dispatch() {
      while (!pending.isEmpty()) {
        WorkerProcess best = null;
        for (WorkerProcess w : workers) {
          if (w != null && w.ready && !w.exited && w.inFlight.size() < w.slots
              && (best == null || w.inFlight.size() < best.inFlight.size())) {
            best = w;
          }
        }
        if (best == null) {
          return;
        }
        PoolCall call = pending.pollFirst();
        if (!call.completion.isDone()) {
          best.send(call);
        }
      }
    }

    synchronized void onReady(WorkerProcess w, String line) {
      if (!line.startsWith("ready " + Worker.PROTOCOL + " ")) {
        lastStartFailure = "it speaks '" + line + "', this library " + Worker.PROTOCOL
            + ": the workers' class path holds another Pure Remote version than the caller's; give both the same";
        w.kill();
        return;
      }
      for (String field : line.split(" ")) {
        if (field.startsWith("slots=")) {
          w.slots = Math.min(options.slotsPerWorker(), Integer.parseInt(field.substring("slots=".length())));
        }
      }
      w.ready = true;
      startFailures = 0;
      log.debug("local-pool worker {} (pid {}) ready for {}", w.index, w.process.pid(), root);
      dispatch();
    }

    synchronized void onDone(WorkerProcess w, String id, int code) {
      PoolCall call = w.inFlight.remove(id);
      if (call != null) {
        call.completion.complete(Outcome.exited(code, "on local-pool worker pid " + w.process.pid()));
      }
      dispatch();
    }

    synchronized void onRefused(WorkerProcess w, String id, String reason, String message) {
      PoolCall call = w.inFlight.remove(id);
      if (call == null) {
        log.warn("local-pool worker pid {} refused a request: {}: {}", w.process.pid(), reason, message);
      } else if (reason.equals("Busy") || reason.equals("Draining")) {
        requeue(call, w, null);
      } else {
        call.completion.completeExceptionally(new ShellException(reason, null,
            "The local-pool worker refused " + call.request.memoUri() + ": " + message, false));
      }
      dispatch();
    }

    synchronized void onHandback(WorkerProcess w, String id) {
      PoolCall call = w.inFlight.remove(id);
      if (call != null) {
        requeue(call, w, null);
      }
      dispatch();
    }

    synchronized void onExit(WorkerProcess w, int exitCode) {
      w.exited = true;
      if (workers[w.index] == w) {
        workers[w.index] = null;
      }
      List<PoolCall> orphans = new ArrayList<>(w.inFlight.values());
      w.inFlight.clear();
      if (closed) {
        orphans.forEach(c -> c.completion.complete(new Outcome("Cancelled", exitCode, "the local-pool shell closed")));
        return;
      }
      String tail = String.join("\n", w.tail());
      if (!w.ready) {
        startFailures++;
        if (lastStartFailure.isEmpty() || !tail.isEmpty()) {
          lastStartFailure = "it exited with code " + exitCode + (tail.isEmpty() ? "" : "; its last lines:\n" + tail);
        }
      } else {
        log.warn("local-pool worker pid {} exited with code {} while running {} call(s); sending them to another worker",
            w.process.pid(), exitCode, orphans.size());
      }
      for (PoolCall c : orphans) {
        requeue(c, w, "local-pool worker pid " + w.process.pid() + " exited with code " + exitCode
            + " while running it (on " + c.dispatches + " worker(s) so far); its last lines:\n" + tail);
      }
      if (startFailures >= MAX_START_FAILURES) {
        startFailures = 0;
        failPending(new ShellException("WorkerStartFailed", null, "The local-pool worker JVM for " + root
            + " did not become ready " + MAX_START_FAILURES + " times in a row; " + lastStartFailure
            + "\nCommand: " + String.join(" ", workerCommand(root)), false));
        return;
      }
      if (w.ready || !pending.isEmpty()) {
        workers[w.index] = start(w.index);
      }
      dispatch();
    }

    /** Puts a call whose worker gave it back or died first in the queue, or ends it when it has used its dispatches. */
    private void requeue(PoolCall call, WorkerProcess from, String death) {
      if (call.completion.isDone()) {
        return;
      }
      if (death != null && call.dispatches >= options.maxDispatches()) {
        call.completion.complete(new Outcome("WorkerDied", null, death));
        return;
      }
      pending.addFirst(call);
    }

    private void failPending(ShellException e) {
      PoolCall c;
      while ((c = pending.pollFirst()) != null) {
        c.completion.completeExceptionally(e);
      }
    }

    synchronized void cancel(PoolCall call) {
      if (!pending.remove(call) && call.worker != null && call.worker.inFlight.get(call.id) == call) {
        // Its slot stays taken until the worker says done.
        call.worker.write("cancel " + call.id);
      }
    }

    /** Cancels everything and asks every worker to drain; returns the workers to wait for. */
    synchronized List<WorkerProcess> close() {
      closed = true;
      PoolCall c;
      while ((c = pending.pollFirst()) != null) {
        c.completion.complete(new Outcome("Cancelled", null, "the local-pool shell closed"));
      }
      List<WorkerProcess> live = new ArrayList<>();
      for (WorkerProcess w : workers) {
        if (w != null) {
          w.inFlight.keySet().forEach(id -> w.write("cancel " + id));
          w.write("drain");
          w.closeInput();
          live.add(w);
        }
      }
      return live;
    }
  }

  /** One worker JVM: its pipes, the calls it runs and the last lines of its stderr. */
  private final class WorkerProcess {
    private final Group group;
    private final int index;
    private final Process process;
    private final BufferedWriter input;
    private final Map<String, PoolCall> inFlight = new LinkedHashMap<>(); // guarded by group
    private final Deque<String> tail = new ArrayDeque<>();
    private boolean ready; // guarded by group
    private boolean exited; // guarded by group
    private int slots = options.slotsPerWorker();

    WorkerProcess(Group group, int index, Process process) {
      this.group = group;
      this.index = index;
      this.process = process;
      this.input = new BufferedWriter(new OutputStreamWriter(process.getOutputStream(), StandardCharsets.UTF_8));
    }

    void startReaders() {
      String name = "pureremote-local-pool-" + index + "-pid" + process.pid();
      Thread.ofPlatform().daemon().name(name + "-protocol").start(this::readReplies);
      Thread.ofPlatform().daemon().name(name + "-output").start(this::readOutput);
    }

    private void readReplies() {
      try (BufferedReader in = new BufferedReader(new InputStreamReader(process.getInputStream(), StandardCharsets.UTF_8))) {
        String line;
        while ((line = in.readLine()) != null) {
          handle(line);
        }
      } catch (IOException | RuntimeException e) {
        log.debug("local-pool worker pid {}: protocol stream ended: {}", process.pid(), e.toString());
      }
      int code;
      try {
        code = process.waitFor();
      } catch (InterruptedException e) {
        Thread.currentThread().interrupt();
        code = -1;
      }
      group.onExit(this, code);
    }

    private void handle(String line) {
      if (line.startsWith("done ")) {
        String[] parts = line.split(" ", 3);
        group.onDone(this, parts[1], Integer.parseInt(parts[2].trim()));
      } else if (line.startsWith("ready ")) {
        group.onReady(this, line);
      } else if (line.startsWith("refused ")) {
        String[] parts = line.split(" ", 4);
        String reason = parts.length > 2 ? parts[2].replace(":", "") : "Refused";
        group.onRefused(this, parts[1], reason, parts.length > 3 ? parts[3] : line);
      } else if (line.startsWith("handback ")) {
        group.onHandback(this, line.substring("handback ".length()).trim());
      } else if (!line.equals("bye")) {
        log.warn("local-pool worker pid {} sent an unknown message: {}", process.pid(), line);
      }
    }

    private void readOutput() {
      String prefix = "[local-pool worker " + index + " pid " + process.pid() + "] ";
      try (BufferedReader out = new BufferedReader(new InputStreamReader(process.getErrorStream(), StandardCharsets.UTF_8))) {
        String line;
        while ((line = out.readLine()) != null) {
          if (options.streamOutput()) {
            log.info("{}{}", prefix, line);
          }
          synchronized (tail) {
            if (tail.size() == TAIL_LINES) {
              tail.removeFirst();
            }
            tail.addLast(line);
          }
        }
      } catch (IOException e) {
        log.debug("{}output stream closed: {}", prefix, e.toString());
      }
    }

    List<String> tail() {
      synchronized (tail) {
        return List.copyOf(tail);
      }
    }

    /** Called with the group's monitor held. */
    void send(PoolCall call) {
      call.dispatches++;
      call.worker = this;
      inFlight.put(call.id, call);
      write("run " + call.id + " " + call.request.memoUri()
          + (call.request.holder() == null ? "" : " " + call.request.holder()));
    }

    void write(String line) {
      try {
        input.write(line);
        input.write('\n');
        input.flush();
      } catch (IOException e) {
        // The worker is dying; its exit hands its calls to another worker.
        log.debug("local-pool worker pid {}: cannot write '{}': {}", process.pid(), line, e.toString());
      }
    }

    void closeInput() {
      try {
        input.close();
      } catch (IOException e) {
        log.debug("local-pool worker pid {}: closing its input: {}", process.pid(), e.toString());
      }
    }

    void kill() {
      process.descendants().forEach(ProcessHandle::destroyForcibly);
      process.destroyForcibly();
    }
  }

  /** One call: waiting in its group's queue, or running on a worker. */
  private static final class PoolCall implements Launch {
    private final LaunchRequest request;
    private final String id;
    private final CompletableFuture<Outcome> completion = new CompletableFuture<>();
    private volatile Group group;
    private volatile WorkerProcess worker;
    private int dispatches; // guarded by group

    PoolCall(LaunchRequest request, String id) {
      this.request = request;
      this.id = id;
    }

    @Override
    public CompletableFuture<Outcome> completion() {
      return completion;
    }

    @Override
    public void cancel() {
      Group g = group;
      if (g != null && !completion.isDone()) {
        g.cancel(this);
      }
      completion.complete(new Outcome("Cancelled", null, "cancelled by the caller"));
    }

    @Override
    public String description() {
      WorkerProcess w = worker;
      return w == null ? "waiting for a local-pool worker" : "local-pool worker pid " + w.process.pid();
    }
  }
}
