package io.pureremote.docs;

import java.io.File;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;

/**
 * Runs a compiled block's {@code main} in a child JVM, isolated from the developer's machine: a
 * fresh working directory, {@code HOME} and {@code user.home} pointing at a fresh folder (so the
 * default blob root {@code ~/.pureremote} lands there) and a private {@code java.io.tmpdir}.
 */
final class SnippetRunner {
  /** Output kept in a report; longer output keeps its end, where failures usually are. */
  private static final int MAX_REPORTED_OUTPUT = 30_000;

  private SnippetRunner() {}

  /**
   * How a run ended.
   *
   * @param exitCode the child's exit code; meaningless when {@code timedOut}
   * @param timedOut whether the child was killed for running longer than the timeout
   * @param killed how many processes were killed on timeout (the child and its descendants)
   * @param output the child's stdout and stderr, interleaved, possibly shortened to its end
   * @param elapsed how long the run took
   */
  record Result(int exitCode, boolean timedOut, int killed, String output, Duration elapsed) {
    /** Whether the child exited with code 0 in time. */
    boolean ok() {
      return !timedOut && exitCode == 0;
    }
  }

  /**
   * Runs {@code mainClass} with {@code classpath} (directories first, then {@code java.class.path})
   * under {@code sandbox}, which gets the subfolders {@code home}, {@code work} and {@code tmp}.
   * Waits up to {@code timeout}; past it, kills the child and every process it started.
   */
  static Result run(String mainClass, List<Path> classpath, Path sandbox, Duration timeout) {
    Path home = sandbox.resolve("home");
    Path work = sandbox.resolve("work");
    Path tmp = sandbox.resolve("tmp");
    Path log = sandbox.resolve("output.log");
    try {
      Files.createDirectories(home);
      Files.createDirectories(work);
      Files.createDirectories(tmp);
    } catch (IOException e) {
      throw new UncheckedIOException("cannot create " + sandbox, e);
    }

    List<String> command = new ArrayList<>();
    command.add(javaExecutable());
    if (Runtime.version().feature() >= 24) {
      command.add("--sun-misc-unsafe-memory-access=allow");
    }
    command.add("-Duser.home=" + home);
    command.add("-Djava.io.tmpdir=" + tmp);
    command.add("-cp");
    command.add(SnippetCompiler.classpath(classpath));
    command.add(mainClass);

    ProcessBuilder builder = new ProcessBuilder(command)
        .directory(work.toFile())
        .redirectErrorStream(true)
        .redirectOutput(log.toFile())
        .redirectInput(ProcessBuilder.Redirect.from(nullDevice()));
    builder.environment().put("HOME", home.toString());

    long start = System.nanoTime();
    Process process;
    try {
      process = builder.start();
    } catch (IOException e) {
      throw new UncheckedIOException("cannot start " + command, e);
    }
    boolean finished;
    int killed = 0;
    try {
      finished = process.waitFor(timeout.toMillis(), TimeUnit.MILLISECONDS);
      if (!finished) {
        killed = killTree(process);
      }
    } catch (InterruptedException e) {
      killTree(process);
      Thread.currentThread().interrupt();
      throw new IllegalStateException("interrupted while running " + mainClass, e);
    }
    Duration elapsed = Duration.ofNanos(System.nanoTime() - start);
    return new Result(finished ? process.exitValue() : -1, !finished, killed, readOutput(log), elapsed);
  }

  /** The {@code java} launcher of this JVM. */
  static String javaExecutable() {
    return ProcessHandle.current().info().command()
        .orElseGet(() -> Path.of(System.getProperty("java.home"), "bin", "java").toString());
  }

  /** Kills {@code process} and all its descendants; returns how many were alive to kill. */
  private static int killTree(Process process) {
    List<ProcessHandle> tree = new ArrayList<>(process.descendants().toList());
    tree.add(process.toHandle());
    int killed = 0;
    for (ProcessHandle handle : tree) {
      if (handle.destroyForcibly()) {
        killed++;
      }
    }
    for (ProcessHandle handle : tree) {
      try {
        handle.onExit().get(10, TimeUnit.SECONDS);
      } catch (InterruptedException e) {
        Thread.currentThread().interrupt();
        break;
      } catch (ExecutionException | TimeoutException e) {
        // The kill was requested; the caller reports the timeout either way.
      }
    }
    return killed;
  }

  private static String readOutput(Path log) {
    try {
      String text = Files.exists(log) ? new String(Files.readAllBytes(log), StandardCharsets.UTF_8) : "";
      if (text.length() <= MAX_REPORTED_OUTPUT) {
        return text;
      }
      return "[... " + (text.length() - MAX_REPORTED_OUTPUT) + " earlier characters left out ...]\n"
          + text.substring(text.length() - MAX_REPORTED_OUTPUT);
    } catch (IOException e) {
      return "(cannot read the output: " + e + ")";
    }
  }

  private static File nullDevice() {
    return new File(System.getProperty("os.name").startsWith("Windows") ? "NUL" : "/dev/null");
  }
}
