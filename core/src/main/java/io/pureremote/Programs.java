package io.pureremote;

import io.pureremote.Distributed.TorchDistributed;
import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStreamReader;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import org.slf4j.Logger;

/**
 * Runs a program a distributed context launches ({@code mpirun}, {@code torchrun}, any other)
 * with every output line going to the call's log: the one definition {@link Distributed} and
 * {@link TorchDistributed} share. Stateless.
 */
final class Programs {
  private Programs() {}

  /**
   * Runs {@code cmd} with {@code env} laid over this process's environment and waits for it;
   * stdout and stderr go, line by line and prefixed {@code [<tag>]}, to {@code log} at INFO.
   *
   * @param notFound what to do when the program cannot be started (appended to the message)
   * @return the output lines, in order
   * @throws IllegalStateException when it exits non-zero (the exit code and the last 10 lines)
   * @throws UncheckedIOException when it cannot be started or its output cannot be read
   */
  static List<String> run(Logger log, String tag, List<String> cmd, Map<String, String> env, String notFound) {
    log.info("running {}", String.join(" ", cmd));
    ProcessBuilder builder = new ProcessBuilder(cmd).redirectErrorStream(true);
    builder.environment().putAll(env);
    Process process;
    try {
      process = builder.start();
    } catch (IOException e) {
      throw new UncheckedIOException("Cannot start " + cmd.get(0) + " (" + e.getMessage() + "): " + notFound, e);
    }
    List<String> lines = new ArrayList<>();
    try (BufferedReader out = new BufferedReader(new InputStreamReader(process.getInputStream(), StandardCharsets.UTF_8))) {
      for (String line; (line = out.readLine()) != null; ) {
        log.info("[{}] {}", tag, line);
        lines.add(line);
      }
      int code = process.waitFor();
      if (code != 0) {
        List<String> tail = lines.subList(Math.max(0, lines.size() - 10), lines.size());
        throw new IllegalStateException(tag + " exited with " + code + "; last lines:\n" + String.join("\n", tail));
      }
    } catch (IOException e) {
      process.destroyForcibly();
      throw new UncheckedIOException("Reading " + tag + "'s output failed: " + e.getMessage(), e);
    } catch (InterruptedException e) {
      process.descendants().forEach(ProcessHandle::destroyForcibly);
      process.destroyForcibly();
      Thread.currentThread().interrupt();
      throw new IllegalStateException("Interrupted while " + tag + " ran; it was killed", e);
    }
    return List.copyOf(lines);
  }
}
