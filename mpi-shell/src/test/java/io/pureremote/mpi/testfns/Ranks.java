package io.pureremote.mpi.testfns;

import io.pureremote.PureRemote;

/** Functions the MPI tests run in the launcher (a child JVM started by the fake kubelet). */
@PureRemote(version = "1")
public interface Ranks {
  /** {@code Distributed.current().toString()} as the launcher sees it. */
  String context();

  /** Throws {@link RanksImpl.RanksException}. */
  String fail(String message);

  /** Halts the launcher JVM with {@code exitCode}, committing nothing. */
  String crash(int exitCode);

  /** Sleeps, returns {@code done <tag>}. */
  String slow(String tag, long millis);

  /**
   * Compiles the MPI C program {@code source} with {@code mpicc}, runs it through {@code
   * Distributed.mpirun} on every slot, returns what the ranks reported.
   */
  String runMpi(String source);
}
