package io.pureremote;

import io.pureremote.internal.Ranges;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
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
      return (int) Ranges.atLeast(name, min, Integer.parseInt(value.trim()));
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

  /**
   * Where the running call sits in a distributed PyTorch-style run: its node rank among the pods,
   * the number of nodes, processes per node, the world size and the rendezvous master, read from
   * whichever environment convention started this process, plus a helper that runs {@code torchrun}
   * (or any program) with those values filled in. The sibling of {@link Distributed} (MPI); no
   * Kubernetes types.
   *
   * <pre>{@code
   * TorchDistributed torch = TorchDistributed.current();
   * if (torch.isDistributed()) {
   *   torch.torchrun(List.of(), List.of("/app/train.py", "--epochs", "3"));   // on every node
   * }
   * return torch.isCommitter() ? summary : null;                              // only rank 0's value is kept
   * }</pre>
   *
   * <p>The conventions, all read into this one shape ({@link #convention()} says which one was
   * found):
   *
   * <ul>
   *   <li>{@link Convention#PYTORCHJOB}: Kubeflow's PyTorchJob sets {@code MASTER_ADDR}, {@code
   *       MASTER_PORT}, {@code RANK} (the pod's rank: master 0, worker i+1), {@code WORLD_SIZE}
   *       (pods × processes per pod) and {@code PET_NNODES}, {@code PET_NODE_RANK}, {@code
   *       PET_NPROC_PER_NODE}.
   *   <li>{@link Convention#TRAINJOB}: Trainer v2's torch runtime sets only {@code PET_NNODES},
   *       {@code PET_NODE_RANK}, {@code PET_NPROC_PER_NODE}, {@code PET_MASTER_ADDR} and {@code
   *       PET_MASTER_PORT} (no {@code RANK}, no {@code WORLD_SIZE}).
   *   <li>{@link Convention#INDEXED_JOB}: a plain Indexed Job gives {@code JOB_COMPLETION_INDEX}
   *       (the node rank); the torch shell adds the master and the counts.
   * </ul>
   *
   * <p>Precedence: the node rank is {@code PET_NODE_RANK}, else {@code RANK}, else {@code
   * JOB_COMPLETION_INDEX}; the master is {@code PET_MASTER_ADDR}/{@code PET_MASTER_PORT}, else
   * {@code MASTER_ADDR}/{@code MASTER_PORT}; the nodes are {@code PET_NNODES}, else {@code
   * WORLD_SIZE} / processes per node. Without a master address and a node rank the context is {@link
   * Convention#SINGLE}: one node, rank 0, no master. Immutable and thread-safe.
   *
   * <p>The function runs once per node (pod); "rank" here is always that node-level process's place.
   * Under the torch shell ({@value #ENV_BACKEND} is set) only node rank 0 commits the call's result
   * or error: the others run the function for its side effects (their part of a collective) and
   * leave the store alone.
   */
  public static final class TorchDistributed {
    private static final Logger log = LoggerFactory.getLogger(TorchDistributed.class);

    /** Set by the torch shell in every pod: the backend that runs the call (e.g. {@code indexed-job}). */
    public static final String ENV_BACKEND = "PUREREMOTE_TORCH_BACKEND";
    /** Environment variable naming the {@code torchrun} executable; default {@code torchrun} on the PATH. */
    public static final String ENV_TORCHRUN = "PUREREMOTE_TORCHRUN";
    /** The rendezvous port torch uses when none is given ({@code torchrun}'s default). */
    public static final int DEFAULT_MASTER_PORT = 29500;

    /** Which environment convention described this process. */
    public enum Convention {
      /** Kubeflow training-operator PyTorchJob ({@code kubeflow.org/v1}): {@code RANK}, {@code WORLD_SIZE}, {@code MASTER_*}. */
      PYTORCHJOB,
      /** Kubeflow Trainer v2 TrainJob ({@code trainer.kubeflow.org}): {@code PET_*} only. */
      TRAINJOB,
      /** A Kubernetes Indexed Job: {@code JOB_COMPLETION_INDEX}. */
      INDEXED_JOB,
      /** Not a distributed call: one process. */
      SINGLE
    }

    private static final TorchDistributed SINGLE =
        new TorchDistributed(Convention.SINGLE, 0, 1, "1", 1, null, DEFAULT_MASTER_PORT, null, "torchrun");

    private final Convention convention;
    private final int nodeRank;
    private final int nodes;
    private final String processesPerNode;
    private final int worldSize;
    private final String masterAddress;
    private final int masterPort;
    private final String backend;
    private final String torchrun;

    private TorchDistributed(Convention convention, int nodeRank, int nodes, String processesPerNode, int worldSize,
        String masterAddress, int masterPort, String backend, String torchrun) {
      this.convention = convention;
      this.nodeRank = nodeRank;
      this.nodes = nodes;
      this.processesPerNode = processesPerNode;
      this.worldSize = worldSize;
      this.masterAddress = masterAddress;
      this.masterPort = masterPort;
      this.backend = backend;
      this.torchrun = torchrun;
    }

    /** The context of this process, from its environment. */
    public static TorchDistributed current() {
      return fromEnvironment(System.getenv());
    }

    /**
     * The context described by {@code env}.
     *
     * @throws IllegalArgumentException when a variable holds something no launcher sets (not a
     *     number, a rank outside the nodes), naming the variable
     */
    public static TorchDistributed fromEnvironment(Map<String, String> env) {
      Objects.requireNonNull(env, "env");
      String petMaster = value(env, "PET_MASTER_ADDR");
      String master = petMaster != null ? petMaster : value(env, "MASTER_ADDR");
      String rankVariable = value(env, "PET_NODE_RANK") != null ? "PET_NODE_RANK"
          : value(env, "RANK") != null ? "RANK" : value(env, "JOB_COMPLETION_INDEX") != null ? "JOB_COMPLETION_INDEX" : null;
      if (master == null || rankVariable == null) {
        if (value(env, ENV_BACKEND) != null) {
          throw new IllegalArgumentException(ENV_BACKEND + "=" + value(env, ENV_BACKEND) + " says the torch shell started this "
              + "process, but " + (master == null ? "neither PET_MASTER_ADDR nor MASTER_ADDR" : "none of PET_NODE_RANK, RANK "
              + "and JOB_COMPLETION_INDEX") + " is set: the pod's environment was changed (a customizer or a runtime that "
              + "drops env); keep the shell's variables");
        }
        return SINGLE;
      }
      Convention convention = value(env, "JOB_COMPLETION_INDEX") != null && value(env, ENV_BACKEND) != null
          && "indexed-job".equals(value(env, ENV_BACKEND)) ? Convention.INDEXED_JOB
          : value(env, "RANK") != null && value(env, "WORLD_SIZE") != null ? Convention.PYTORCHJOB
          : petMaster != null ? Convention.TRAINJOB
          : value(env, "JOB_COMPLETION_INDEX") != null ? Convention.INDEXED_JOB : Convention.PYTORCHJOB;
      String nproc = Optional.ofNullable(value(env, "PET_NPROC_PER_NODE")).orElse("1").toLowerCase(Locale.ROOT);
      Integer nprocNumber = null;
      if (nproc.chars().allMatch(Character::isDigit)) {
        nprocNumber = number(Map.of("PET_NPROC_PER_NODE", nproc), "PET_NPROC_PER_NODE", 1);
      } else if (!List.of("auto", "cpu", "gpu").contains(nproc)) {
        throw new IllegalArgumentException("PET_NPROC_PER_NODE=" + nproc + " is not a process count: expected a whole number, "
            + "auto, cpu or gpu (torchrun's --nproc-per-node)");
      }
      int nodeRank = number(env, rankVariable, 0);
      Integer worldSizeVar = value(env, "WORLD_SIZE") == null ? null : number(env, "WORLD_SIZE", 1);
      int nodes;
      if (value(env, "PET_NNODES") != null) {
        nodes = nnodes(env);
      } else if (worldSizeVar != null && nprocNumber != null) {
        nodes = Math.max(1, worldSizeVar / nprocNumber);
      } else {
        throw new IllegalArgumentException("PET_NNODES is not set and cannot be derived (WORLD_SIZE "
            + (worldSizeVar == null ? "is unset" : "with PET_NPROC_PER_NODE=" + nproc) + "): the launcher sets it; set "
            + "PET_NNODES to the number of pods");
      }
      if (nodeRank >= nodes) {
        throw new IllegalArgumentException(rankVariable + "=" + nodeRank + " is not below the " + nodes + " node(s) (PET_NNODES"
            + " or WORLD_SIZE): the pods disagree on their count; check the replicas / numNodes / completions");
      }
      int worldSize = worldSizeVar != null ? worldSizeVar : nprocNumber != null ? nodes * nprocNumber : -1;
      String portVariable = value(env, "PET_MASTER_PORT") != null ? "PET_MASTER_PORT" : "MASTER_PORT";
      int port = value(env, portVariable) == null ? DEFAULT_MASTER_PORT : number(env, portVariable, 1);
      if (port > 65535) {
        throw new IllegalArgumentException(portVariable + "=" + port + " is not a TCP port (1 to 65535)");
      }
      return new TorchDistributed(convention, nodeRank, nodes, nproc, worldSize, master, port, value(env, ENV_BACKEND),
          env.getOrDefault(ENV_TORCHRUN, "torchrun"));
    }

    private static int nnodes(Map<String, String> env) {
      String raw = value(env, "PET_NNODES");
      // torchrun accepts MIN:MAX for elastic runs; the pods that exist are MAX.
      if (raw.contains(":")) {
        return number(Map.of("PET_NNODES", raw.substring(raw.indexOf(':') + 1)), "PET_NNODES", 1);
      }
      return number(env, "PET_NNODES", 1);
    }

    private static String value(Map<String, String> env, String name) {
      String v = env.get(name);
      return v == null || v.isBlank() ? null : v.trim();
    }

    private static int number(Map<String, String> env, String name, int min) {
      String value = value(env, name);
      try {
        return (int) Ranges.atLeast(name, min, Integer.parseInt(value));
      } catch (NumberFormatException e) {
        throw new IllegalArgumentException(name + " must be a whole number, got '" + value + "'", e);
      }
    }

    /** The convention that described this process; {@link Convention#SINGLE} outside a distributed call. */
    public Convention convention() {
      return convention;
    }

    /** Whether this process is one node of a distributed call. */
    public boolean isDistributed() {
      return convention != Convention.SINGLE;
    }

    /** The backend the torch shell named ({@value #ENV_BACKEND}); empty when another launcher started the pod. */
    public Optional<String> backend() {
      return Optional.ofNullable(backend);
    }

    /** This node's rank, 0 to {@code nodes() - 1}; 0 outside a distributed call. */
    public int nodeRank() {
      return nodeRank;
    }

    /** The number of nodes (pods) in the run; 1 outside a distributed call. */
    public int nodes() {
      return nodes;
    }

    /** Processes per node as the launcher gave it: a number, or {@code auto}, {@code cpu} or {@code gpu}; "1" by default. */
    public String processesPerNode() {
      return processesPerNode;
    }

    /**
     * The global rank of this node's first process: {@code nodeRank × processesPerNode} (the rank
     * the JVM itself holds in a collective among the pods when processes per node is 1).
     *
     * @throws IllegalStateException when processes per node is {@code auto}/{@code cpu}/{@code gpu} (only torchrun knows)
     */
    public int rank() {
      return nodeRank * numericProcessesPerNode("rank()");
    }

    /**
     * The number of processes in the run: {@code WORLD_SIZE} when the launcher set it, else
     * {@code nodes × processesPerNode}.
     *
     * @throws IllegalStateException when it is not known (processes per node is {@code auto}/{@code
     *     cpu}/{@code gpu} and no {@code WORLD_SIZE} was given)
     */
    public int worldSize() {
      if (worldSize < 0) {
        throw new IllegalStateException("The world size is decided by torchrun here (PET_NPROC_PER_NODE=" + processesPerNode
            + "): read WORLD_SIZE inside the torchrun-started processes, or give a number of processes per node");
      }
      return worldSize;
    }

    /** The rendezvous master's host (rank 0's pod); empty outside a distributed call. */
    public Optional<String> masterAddress() {
      return Optional.ofNullable(masterAddress);
    }

    /** The rendezvous master's port; {@value #DEFAULT_MASTER_PORT} when unset. */
    public int masterPort() {
      return masterPort;
    }

    /** Whether this process commits the call's result or error: node rank 0 (and any single process). */
    public boolean isCommitter() {
      return nodeRank == 0;
    }

    /**
     * The variables a program started from here needs to join the run: {@code MASTER_ADDR}, {@code
     * MASTER_PORT}, {@code WORLD_SIZE} (when known), {@code RANK} (this node's first process, when
     * known), {@code NODE_RANK}, and the {@code PET_*} set torchrun reads.
     *
     * @throws IllegalStateException outside a distributed call
     */
    public Map<String, String> environment() {
      requireDistributed("environment()");
      Map<String, String> env = new LinkedHashMap<>();
      env.put("MASTER_ADDR", masterAddress);
      env.put("MASTER_PORT", Integer.toString(masterPort));
      if (worldSize >= 0) {
        env.put("WORLD_SIZE", Integer.toString(worldSize));
        env.put("RANK", Integer.toString(rank()));
      }
      env.put("NODE_RANK", Integer.toString(nodeRank));
      env.put("PET_MASTER_ADDR", masterAddress);
      env.put("PET_MASTER_PORT", Integer.toString(masterPort));
      env.put("PET_NNODES", Integer.toString(nodes));
      env.put("PET_NODE_RANK", Integer.toString(nodeRank));
      env.put("PET_NPROC_PER_NODE", processesPerNode);
      return Map.copyOf(env);
    }

    /**
     * {@code torchrun --nnodes=N --node-rank=R --nproc-per-node=P --master-addr=A --master-port=M
     * <options...> <program...>}: the static rendezvous every node of this run agrees on.
     *
     * @param options extra torchrun options, e.g. {@code --max-restarts=0}
     * @param program the training script and its arguments
     * @throws IllegalStateException outside a distributed call
     */
    public List<String> torchrunCommand(List<String> options, List<String> program) {
      Objects.requireNonNull(options, "options");
      Objects.requireNonNull(program, "program");
      requireDistributed("torchrunCommand");
      if (program.isEmpty()) {
        throw new IllegalArgumentException("program is empty: name the training script to run, e.g. List.of(\"/app/train.py\")");
      }
      List<String> cmd = new ArrayList<>(List.of(torchrun, "--nnodes=" + nodes, "--node-rank=" + nodeRank,
          "--nproc-per-node=" + processesPerNode, "--master-addr=" + masterAddress, "--master-port=" + masterPort));
      cmd.addAll(options);
      cmd.addAll(program);
      return List.copyOf(cmd);
    }

    /**
     * Runs {@link #torchrunCommand} and waits for it; every output line goes to the call's log
     * (SLF4J logger {@code io.pureremote.Distributed.TorchDistributed} at INFO), stored beside the memo entry.
     *
     * @return the output lines, in order
     * @throws IllegalStateException outside a distributed call, or when torchrun exits non-zero
     *     (the message has the exit code and the last lines)
     * @throws java.io.UncheckedIOException when torchrun cannot be started
     */
    public List<String> torchrun(List<String> options, List<String> program) {
      return Programs.run(log, "torchrun", torchrunCommand(options, program), environment(),
          "install PyTorch in the image (pip install torch puts torchrun on the PATH) or set " + ENV_TORCHRUN);
    }

    /**
     * Runs any program with {@link #environment()} added to its environment (so it finds the master,
     * its rank and the world size) and waits for it; output goes to the call's log like {@link
     * #torchrun}'s.
     *
     * @throws IllegalStateException outside a distributed call, or when the program exits non-zero
     */
    public List<String> run(List<String> command) {
      Objects.requireNonNull(command, "command");
      requireDistributed("run");
      if (command.isEmpty()) {
        throw new IllegalArgumentException("command is empty: name the program to run");
      }
      return Programs.run(log, command.get(0), List.copyOf(command), environment(),
          "install it in the image or give its absolute path");
    }

    private int numericProcessesPerNode(String what) {
      if (!processesPerNode.chars().allMatch(Character::isDigit)) {
        throw new IllegalStateException(what + " is decided by torchrun here (PET_NPROC_PER_NODE=" + processesPerNode
            + "): read RANK inside the torchrun-started processes, or give a number of processes per node");
      }
      return Integer.parseInt(processesPerNode);
    }

    private void requireDistributed(String what) {
      if (convention == Convention.SINGLE) {
        throw new IllegalStateException(what + ": not a distributed call (single process; no MASTER_ADDR/PET_MASTER_ADDR and "
            + "node rank in the environment): run the function with the torch shell (shell \"torch\"), or check "
            + "TorchDistributed.isDistributed() first");
      }
    }

    @Override
    public String toString() {
      if (convention == Convention.SINGLE) {
        return "single process";
      }
      return "node " + nodeRank + " of " + nodes + " × " + processesPerNode + " process(es), master " + masterAddress + ":"
          + masterPort + " (" + convention.name().toLowerCase(Locale.ROOT) + (backend == null ? "" : ", backend " + backend) + ")";
    }
  }
}
