package io.pureremote.internal;

import io.pureremote.spi.Shell.LaunchRequest;
import io.pureremote.ShellException;
import io.pureremote.spi.Shell.Launch;
import io.pureremote.spi.Shell.Outcome;
import io.pureremote.spi.Shell;
import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStreamReader;
import java.nio.charset.StandardCharsets;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Deque;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.Semaphore;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.slf4j.event.Level;

/**
 * Runs each invocation in a child JVM on this machine: {@code java [flags] -cp <class path>
 * io.pureremote.RemoteMain run <memo uri>}, with the same Java and class path as the caller by
 * default. The embedded default shell.
 *
 * <p>At most {@link LocalProcessShellOptions#maxProcesses()} children run at once; others wait on a
 * virtual thread, so {@link #launch} never blocks. Child output goes to the caller's log prefixed
 * with {@code [function@version/hash]}; the last lines are kept for failure reports. Cancelling
 * kills the child and its descendants.
 */
public final class LocalProcessShell implements Shell {
  private static final Logger log = LoggerFactory.getLogger(LocalProcessShell.class);
  /** A line a child logger wrote at WARN or ERROR: the level as a word of its own, as layouts print it. */
  private static final java.util.regex.Pattern WARNING_LINE = java.util.regex.Pattern.compile("(^|[\\s\\[])(WARN|WARNING|ERROR)([\\s\\]:]|$)");

  /** The level a child's output line is relayed at: WARN for the child's warnings and errors, else DEBUG. */
  static Level relayLevel(String line) {
    return WARNING_LINE.matcher(line).find() ? Level.WARN : Level.DEBUG;
  }

  private final LocalProcessShellOptions options;
  private final Semaphore slots;
  private final ClassDataArchive classData; // null when off
  // Checked at the first launch, not at construction: building a runtime must not read jars.
  private volatile Optional<String> classpathProblem;

  /** A shell with the given options. */
  public LocalProcessShell(LocalProcessShellOptions options) {
    this.options = options;
    this.slots = new Semaphore(options.maxProcesses(), true);
    this.classData = options.classDataSharingFolder() == null ? null : new ClassDataArchive(options.classDataSharingFolder());
  }

  /** A shell with {@link LocalProcessShellOptions#defaults()}. */
  public LocalProcessShell() {
    this(LocalProcessShellOptions.defaults());
  }

  @Override
  public String name() {
    return "local";
  }

  /** The command line for {@code request}, without the class-data sharing flags a launch may add. */
  public List<String> command(LaunchRequest request) {
    return command(request, List.of());
  }

  private List<String> command(LaunchRequest request, List<String> classDataFlags) {
    List<String> cmd = new ArrayList<>();
    cmd.add(options.javaExecutable().toString());
    cmd.addAll(classDataFlags);
    cmd.addAll(options.jvmArgs());
    cmd.add("-cp");
    cmd.add(options.classpath());
    cmd.add(LaunchRequest.MAIN_CLASS);
    cmd.addAll(request.remoteMainArgs());
    return cmd;
  }

  private Optional<String> classpathProblem() {
    Optional<String> problem = classpathProblem;
    if (problem == null) {
      problem = ChildClasspath.problem(options.classpath());
      classpathProblem = problem;
    }
    return problem;
  }

  @Override
  public Launch launch(LaunchRequest request) {
    ChildLaunch launch = new ChildLaunch(request);
    Thread.ofVirtual().name("pureremote-local-" + request.shortLabel()).start(launch::run);
    return launch;
  }

  private final class ChildLaunch implements Launch {
    private final LaunchRequest request;
    private final CompletableFuture<Outcome> completion = new CompletableFuture<>();
    private final Deque<String> tail = new ArrayDeque<>();
    private volatile Process process;
    private volatile boolean cancelled;

    ChildLaunch(LaunchRequest request) {
      this.request = request;
    }

    void run() {
      try {
        slots.acquire();
      } catch (InterruptedException e) {
        completion.complete(new Outcome("Cancelled", null, "interrupted while waiting for a process slot"));
        return;
      }
      ClassDataArchive.Use archive = null;
      try {
        if (cancelled) {
          completion.complete(new Outcome("Cancelled", null, "cancelled before it started"));
          return;
        }
        Optional<String> problem = classpathProblem();
        if (problem.isPresent()) {
          completion.completeExceptionally(new ShellException("ClasspathLacksLibrary", null, problem.get(), false));
          return;
        }
        Map<String, String> environment = new HashMap<>(options.environment());
        environment.putAll(request.environment());
        archive = classData == null ? null
            : classData.forChild(options.javaExecutable(), options.classpath(), options.jvmArgs(), environment);
        ProcessBuilder pb = new ProcessBuilder(command(request, archive == null ? List.of() : archive.flags()))
            .redirectErrorStream(true);
        pb.environment().putAll(environment);
        try {
          process = pb.start();
        } catch (IOException e) {
          completion.completeExceptionally(new ShellException("LaunchFailed",
              "Cannot start a child JVM with " + options.javaExecutable() + ": " + e.getMessage(), e));
          return;
        }
        if (cancelled) {
          destroy();
        }
        String prefix = "[" + request.shortLabel() + " pid " + process.pid() + "] ";
        try (BufferedReader out = new BufferedReader(new InputStreamReader(process.getInputStream(), StandardCharsets.UTF_8))) {
          String line;
          while ((line = out.readLine()) != null) {
            if (options.streamOutput()) {
              relay(prefix, line);
            }
            remember(line);
          }
        } catch (IOException e) {
          log.debug("{}output stream closed: {}", prefix, e.toString());
        }
        int code = process.waitFor();
        if (archive != null) {
          archive.exited(cancelled ? null : code);
        }
        String detail = String.join("\n", tailSnapshot());
        completion.complete(cancelled ? new Outcome("Cancelled", code, detail) : Outcome.exited(code, detail));
      } catch (InterruptedException e) {
        destroy();
        completion.complete(new Outcome("Cancelled", null, "interrupted"));
      } catch (RuntimeException e) {
        completion.completeExceptionally(new ShellException("LaunchFailed", "Local process shell failed: " + e, e));
      } finally {
        if (archive != null) {
          archive.exited(null); // no-op after a normal exit was reported
        }
        slots.release();
      }
    }

    /**
     * One child output line into the caller's log: per-call detail, so DEBUG, except a line the
     * child's own logger marked as a warning or error (the SLF4J simple and Logback default
     * layouts write the level as a word), which stays visible at WARN.
     */
    private void relay(String prefix, String line) {
      if (relayLevel(line) == Level.WARN) {
        log.warn("{}{}", prefix, line);
      } else {
        log.debug("{}{}", prefix, line);
      }
    }

    private synchronized void remember(String line) {
      if (options.outputTailLines() == 0) {
        return;
      }
      if (tail.size() == options.outputTailLines()) {
        tail.removeFirst();
      }
      tail.addLast(line);
    }

    private synchronized List<String> tailSnapshot() {
      return List.copyOf(tail);
    }

    private void destroy() {
      Process p = process;
      if (p != null) {
        p.descendants().forEach(ProcessHandle::destroyForcibly);
        p.destroyForcibly();
      }
    }

    @Override
    public CompletableFuture<Outcome> completion() {
      return completion;
    }

    @Override
    public void cancel() {
      cancelled = true;
      destroy();
    }

    @Override
    public String description() {
      Process p = process;
      return p == null ? "waiting for a process slot" : "pid " + p.pid();
    }
  }
}
