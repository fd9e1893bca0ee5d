package io.pureremote;

import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Where the running call sits in a distributed (MPI) run: its role, the workers and their slots,
 * the hostfile, and a helper that runs {@code mpirun} with the call's log as its output. No
 * Kubernetes types: a function reads it the same way under any shell.
 *
 * <pre>{@code
 * Distributed mpi = Distributed.current();
 * if (mpi.isDistributed()) {
 *   List<String> out = mpi.mpirun(List.of(), List.of("khiops", "-b", "-i", "scenario._kh"));
 * }
 * }</pre>
 *
 * <p>The MPI shell sets the context in the launcher's environment ({@value #ENV_ROLE}, {@value
 * #ENV_WORKERS}, {@value #ENV_SLOTS_PER_WORKER}, {@value #ENV_LAUNCHER_SLOTS}); the hostfile is
 * the one the MPI Operator mounts, found through {@value #ENV_OMPI_HOSTFILE} (the operator sets it)
 * or {@value #DEFAULT_HOSTFILE}. Outside an MPI call the context is {@link Role#SINGLE}: one
 * process, one slot, no hostfile. Immutable and thread-safe.
 */
public final class Distributed {
  private static final Logger log = LoggerFactory.getLogger(Distributed.class);

  /** Environment variable with the role: {@code launcher} or {@code worker}. */
  public static final String ENV_ROLE = "PUREREMOTE_MPI_ROLE";
  /** Environment variable with the number of worker replicas. */
  public static final String ENV_WORKERS = "PUREREMOTE_MPI_WORKERS";
  /** Environment variable with the MPI slots per worker ({@code slotsPerWorker}). */
  public static final String ENV_SLOTS_PER_WORKER = "PUREREMOTE_MPI_SLOTS_PER_WORKER";
  /** Environment variable with the slots on the launcher itself (non-zero with {@code runLauncherAsWorker}). */
  public static final String ENV_LAUNCHER_SLOTS = "PUREREMOTE_MPI_LAUNCHER_SLOTS";
  /** Environment variable naming the {@code mpirun} executable; default {@code mpirun} on the PATH. */
  public static final String ENV_MPIRUN = "PUREREMOTE_MPIRUN";
  /** The hostfile setting the MPI Operator gives OpenMPI in the launcher. */
  public static final String ENV_OMPI_HOSTFILE = "OMPI_MCA_orte_default_hostfile";
  /** Where the MPI Operator mounts the hostfile (its {@code <name>-config} ConfigMap). */
  public static final String DEFAULT_HOSTFILE = "/etc/mpi/hostfile";

  /** The part this process plays. */
  public enum Role {
    /** The MPIJob's launcher: runs the function and starts the ranks with {@code mpirun}. */
    LAUNCHER,
    /** An MPIJob worker: hosts ranks. */
    WORKER,
    /** Not an MPI call: one process. */
    SINGLE
  }

  private static final Distributed SINGLE = new Distributed(Role.SINGLE, 0, 1, 1, null, "mpirun");

  private final Role role;
  private final int workers;
  private final int slotsPerWorker;
  private final int launcherSlots;
  private final Path hostfile;
  private final String mpirun;

  private Distributed(Role role, int workers, int slotsPerWorker, int launcherSlots, Path hostfile, String mpirun) {
    this.role = role;
    this.workers = workers;
    this.slotsPerWorker = slotsPerWorker;
    this.launcherSlots = launcherSlots;
    this.hostfile = hostfile;
    this.mpirun = mpirun;
  }

  /** The context of this process, from its environment. */
  public static Distributed current() {
    return fromEnvironment(System.getenv());
  }

  /**
   * The context described by {@code env} (the variables named by the {@code ENV_} constants).
   *
   * @throws IllegalArgumentException when a variable holds something the MPI shell never sets
   */
  public static Distributed fromEnvironment(Map<String, String> env) {
    Objects.requireNonNull(env, "env");
    String roleName = env.get(ENV_ROLE);
    if (roleName == null || roleName.isBlank()) {
      return SINGLE;
    }
    Role role = switch (roleName.trim().toLowerCase(java.util.Locale.ROOT)) {
      case "launcher" -> Role.LAUNCHER;
      case "worker" -> Role.WORKER;
      default -> throw new IllegalArgumentException(ENV_ROLE + "=" + roleName + " is not a role: expected launcher or worker"
          + " (the MPI shell sets it; unset it to run as a single process)");
    };
    int workers = count(env, ENV_WORKERS, 1, 0);
    int slots = count(env, ENV_SLOTS_PER_WORKER, 1, 1);
    int launcherSlots = count(env, ENV_LAUNCHER_SLOTS, 0, 0);
    String file = env.getOrDefault(ENV_OMPI_HOSTFILE, DEFAULT_HOSTFILE);
    String mpirun = env.getOrDefault(ENV_MPIRUN, "mpirun");
    return new Distributed(role, workers, slots, launcherSlots, Path.of(file), mpirun);
  }

  private static int count(Map<String, String> env, String name, int fallback, int min) {
    String value = env.get(name);
    if (value == null || value.isBlank()) {
      return fallback;
    }
    try {
      int n = Integer.parseInt(value.trim());
      if (n < min) {
        throw new IllegalArgumentException(name + " must be at least " + min + ", got " + value);
      }
      return n;
    } catch (NumberFormatException e) {
      throw new IllegalArgumentException(name + " must be a whole number, got '" + value + "'", e);
    }
  }

  /** The role of this process; {@link Role#SINGLE} outside an MPI call. */
  public Role role() {
    return role;
  }

  /** Whether this process is part of an MPI call (launcher or worker). */
  public boolean isDistributed() {
    return role != Role.SINGLE;
  }

  /** The number of worker replicas; 0 outside an MPI call. */
  public int workers() {
    return workers;
  }

  /** MPI slots per worker ({@code slotsPerWorker}); 1 outside an MPI call. */
  public int slotsPerWorker() {
    return slotsPerWorker;
  }

  /** Slots on the launcher itself: {@code slotsPerWorker} with {@code runLauncherAsWorker}, else 0. */
  public int launcherSlots() {
    return launcherSlots;
  }

  /** The {@code -np} of a full run: workers × slotsPerWorker + launcher slots; 1 outside an MPI call. */
  public int totalSlots() {
    return role == Role.SINGLE ? 1 : workers * slotsPerWorker + launcherSlots;
  }

  /** The hostfile the operator mounted; empty outside an MPI call. */
  public Optional<Path> hostfile() {
    return Optional.ofNullable(hostfile);
  }

  /**
   * {@code mpirun -np <totalSlots> --hostfile <hostfile> <options...> <program...>}.
   *
   * @param options extra mpirun options, e.g. {@code --oversubscribe}, {@code -x VAR}
   * @param program the program and its arguments
   * @throws IllegalStateException outside an MPI call (there is no hostfile to run on)
   */
  public List<String> mpirunCommand(List<String> options, List<String> program) {
    Objects.requireNonNull(options, "options");
    Objects.requireNonNull(program, "program");
    if (role == Role.SINGLE) {
      throw new IllegalStateException("Not an MPI call (single process; " + ENV_ROLE + " is unset): run the function with "
          + "the MPI shell (shell \"mpi\") to get workers and a hostfile, or check Distributed.isDistributed() first");
    }
    if (program.isEmpty()) {
      throw new IllegalArgumentException("program is empty: name the MPI program to run, e.g. List.of(\"./ring\")");
    }
    List<String> cmd = new ArrayList<>();
    cmd.add(mpirun);
    cmd.add("-np");
    cmd.add(Integer.toString(totalSlots()));
    cmd.add("--hostfile");
    cmd.add(hostfile.toString());
    cmd.addAll(options);
    cmd.addAll(program);
    return List.copyOf(cmd);
  }

  /**
   * Runs {@link #mpirunCommand} and waits for it. Every output line (stdout and stderr, which
   * mpirun forwards from all ranks) goes to the call's log (SLF4J logger {@code
   * io.pureremote.Distributed} at INFO), so it is stored with the run's log beside the memo entry.
   *
   * @return the output lines, in order
   * @throws IllegalStateException when the hostfile is missing or mpirun exits non-zero (the
   *     message has the exit code and the last lines)
   * @throws UncheckedIOException when mpirun cannot be started
   */
  public List<String> mpirun(List<String> options, List<String> program) {
    List<String> cmd = mpirunCommand(options, program);
    if (!Files.isReadable(hostfile)) {
      throw new IllegalStateException("The MPI hostfile " + hostfile + " is missing: the MPI Operator mounts it from the "
          + "MPIJob's <name>-config ConfigMap; check that the launcher pod mounts /etc/mpi or that " + ENV_OMPI_HOSTFILE
          + " names the file");
    }
    return Programs.run(log, "mpirun", cmd, Map.of(), "install an MPI implementation in the launcher image (e.g. "
        + "Debian's openmpi-bin) or set " + ENV_MPIRUN);
  }

  @Override
  public String toString() {
    return role == Role.SINGLE ? "single process"
        : role.name().toLowerCase(java.util.Locale.ROOT) + " of " + workers + " worker(s) × " + slotsPerWorker
            + " slot(s)" + (launcherSlots > 0 ? " + " + launcherSlots + " on the launcher" : "") + ", hostfile " + hostfile;
  }
}
