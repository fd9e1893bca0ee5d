package io.pureremote.mpi.testfns;

import io.pureremote.Distributed;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.TreeSet;

/** Runs in the launcher; prints to stdout, which becomes the launcher pod's log. */
public final class RanksImpl implements Ranks {
  /** The function's own failure. */
  public static final class RanksException extends RuntimeException {
    /** With {@code message}. */
    public RanksException(String message) {
      super(message);
    }
  }

  @Override
  public String context() {
    String d = Distributed.current().toString();
    System.out.println("context: " + d);
    return d;
  }

  @Override
  public String fail(String message) {
    System.out.println("about to fail: " + message);
    throw new RanksException(message);
  }

  @Override
  public String crash(int exitCode) {
    System.out.println("crashing with " + exitCode);
    System.out.flush();
    Runtime.getRuntime().halt(exitCode);
    return "unreachable";
  }

  @Override
  public String slow(String tag, long millis) {
    System.out.println("working on " + tag);
    System.out.flush();
    try {
      Thread.sleep(millis);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
    }
    return "done " + tag;
  }

  @Override
  public String runMpi(String source) {
    Distributed mpi = Distributed.current();
    try {
      Path dir = Files.createTempDirectory("mpi-prog");
      Path c = Files.writeString(dir.resolve("ranks.c"), source);
      Process cc = new ProcessBuilder("mpicc", "-o", dir.resolve("ranks").toString(), c.toString()).inheritIO().start();
      if (cc.waitFor() != 0) {
        throw new IllegalStateException("mpicc failed with " + cc.exitValue());
      }
      List<String> out = mpi.mpirun(List.of("--oversubscribe"), List.of(dir.resolve("ranks").toString()));
      TreeSet<Integer> ranks = new TreeSet<>();
      String sum = "?";
      for (String line : out) {
        if (line.startsWith("rank ")) {
          ranks.add(Integer.parseInt(line.split(" ")[1]));
        } else if (line.startsWith("sum=")) {
          sum = line.substring(4);
        }
      }
      return "np=" + mpi.totalSlots() + " ranks=" + ranks + " sum of rank^2=" + sum;
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new IllegalStateException(e);
    }
  }
}
