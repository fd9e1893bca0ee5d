package io.pureremote.torch;

import io.pureremote.k8s.values.Ranges;
import io.pureremote.Distributed.TorchDistributed;
import io.pureremote.k8s.ClusterShellOptions;
import io.pureremote.k8s.PodTemplateOptions;
import io.pureremote.k8s.values.KubernetesValues;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Objects;
import java.util.Optional;

/**
 * How the torch shell runs a call on several pods: the pod every node runs (a {@link
 * PodTemplateOptions}, the same vocabulary and checks as the Job shell: image, resources and GPUs,
 * tolerations and spot helpers, node placement, service account, env and Secret references), the
 * number of nodes, the processes per node {@code torchrun} starts, the rendezvous port, and the
 * Job's limits.
 *
 * <pre>{@code
 * TorchShellOptions options = TorchShellOptions.builder()
 *     .namespace("ml")
 *     .pod(PodTemplateOptions.builder().image("acme/train:1").gpus(1).build())
 *     .nodes(2).processesPerNode("gpu")
 *     .activeDeadline(Duration.ofHours(4))
 *     .build();
 * }</pre>
 *
 * <p>The namespace, kube context, TTL, deadline, pending timeout and re-creations after evictions
 * are the settings every cluster shell shares ({@link ClusterShellOptions}).
 *
 * <p>Immutable and thread-safe; each setter checks its value and throws at once.
 */
public final class TorchShellOptions extends ClusterShellOptions {
  /** Default number of nodes (pods). */
  public static final int DEFAULT_NODES = 2;
  /** The ClusterTrainingRuntime TrainJobs reference by default (Trainer's shipped torch runtime). */
  public static final String DEFAULT_RUNTIME = "torch-distributed";

  private final PodTemplateOptions pod;
  private final int nodes;
  private final String processesPerNode;
  private final int masterPort;
  private final int backoffLimitPerIndex;
  private final Optional<TorchBackend> backend;
  private final String runtime;

  private TorchShellOptions(Builder b) {
    super(b);
    pod = b.pod;
    nodes = b.nodes;
    processesPerNode = b.processesPerNode;
    masterPort = b.masterPort;
    backoffLimitPerIndex = b.backoffLimitPerIndex;
    backend = Optional.ofNullable(b.backend);
    runtime = b.runtime;
  }

  /** A builder with the defaults: namespace {@code pureremote}, 2 nodes, 1 process per node, port 29500. */
  public static Builder builder() {
    return new Builder();
  }

  /** The pod every node runs; its container runs {@code RemoteMain run <memo uri>}. */
  public PodTemplateOptions pod() {
    return pod;
  }

  /** The number of nodes (pods); node rank 0 commits the result. */
  public int nodes() {
    return nodes;
  }

  /** Processes per node for {@code torchrun} ({@code PET_NPROC_PER_NODE}): a number, {@code auto}, {@code cpu} or {@code gpu}. */
  public String processesPerNode() {
    return processesPerNode;
  }

  /** The rendezvous port on node 0 ({@code MASTER_PORT}). */
  public int masterPort() {
    return masterPort;
  }

  /**
   * Retries of one node's pod before the call fails ({@code backoffLimitPerIndex} from 1.33,
   * else the Job's {@code backoffLimit} = this × nodes); 0 by default: a static rendezvous cannot
   * take a replaced node back, so a failed node fails the call and the caller's retries decide.
   */
  public int backoffLimitPerIndex() {
    return backoffLimitPerIndex;
  }

  /** The forced backend; empty: discovered at the first launch ({@link TorchBackend}). */
  public Optional<TorchBackend> backend() {
    return backend;
  }

  /** The ClusterTrainingRuntime a TrainJob references ({@code runtimeRef.name}); default {@value #DEFAULT_RUNTIME}. */
  public String runtime() {
    return runtime;
  }

  /** A builder holding these options. */
  public Builder toBuilder() {
    Builder b = new Builder();
    b.shared(this);
    b.pod = pod;
    b.nodes = nodes;
    b.processesPerNode = processesPerNode;
    b.masterPort = masterPort;
    b.backoffLimitPerIndex = backoffLimitPerIndex;
    b.backend = backend.orElse(null);
    b.runtime = runtime;
    return b;
  }

  @Override
  public String toString() {
    return "TorchShellOptions[namespace=" + namespace() + ", image=" + pod.qualifiedImage() + ", nodes=" + nodes
        + ", processesPerNode=" + processesPerNode + ", masterPort=" + masterPort + ", backend="
        + backend.map(TorchBackend::id).orElse("auto") + "]";
  }

  /** Builds {@link TorchShellOptions}; every setter checks its value. */
  public static final class Builder extends ClusterShellOptions.Builder<Builder> {
    private PodTemplateOptions pod;
    private int nodes = DEFAULT_NODES;
    private String processesPerNode = "1";
    private int masterPort = TorchDistributed.DEFAULT_MASTER_PORT;
    private int backoffLimitPerIndex;
    private TorchBackend backend;
    private String runtime = DEFAULT_RUNTIME;

    private Builder() {
      super(KubernetesValues.FALLBACK_NAMESPACE);
    }

    @Override
    protected Builder self() {
      return this;
    }

    private void shared(TorchShellOptions options) {
      copy(options);
    }

    /** Forces {@code backend} instead of discovering one; {@code null}: discover (the default). */
    public Builder backend(TorchBackend backend) {
      this.backend = backend;
      return this;
    }

    /** The ClusterTrainingRuntime a TrainJob references (a DNS-1123 subdomain name, e.g. {@code torch-distributed}). */
    public Builder runtime(String runtime) {
      Objects.requireNonNull(runtime, "runtime");
      if (runtime.isEmpty() || runtime.length() > 253 || !runtime.matches("[a-z0-9]([-a-z0-9.]*[a-z0-9])?")) {
        throw new IllegalArgumentException("runtime must name a ClusterTrainingRuntime (lower-case letters, digits, '-' "
            + "and '.', at most 253), got \"" + runtime + "\"");
      }
      this.runtime = runtime;
      return this;
    }

    /** The pod every node runs (required: it names the image). */
    public Builder pod(PodTemplateOptions pod) {
      this.pod = Objects.requireNonNull(pod, "pod");
      return this;
    }

    /** The number of nodes, 1 to 1000. */
    public Builder nodes(int nodes) {
      Ranges.check("nodes", Ranges.betweenProblem(1, 1000, nodes));
      this.nodes = nodes;
      return this;
    }

    /** Processes per node: a whole number ≥ 1, or {@code auto}, {@code cpu}, {@code gpu} (torchrun's --nproc-per-node). */
    public Builder processesPerNode(String value) {
      Objects.requireNonNull(value, "value");
      String v = value.trim().toLowerCase(Locale.ROOT);
      boolean number = !v.isEmpty() && v.chars().allMatch(Character::isDigit) && v.length() < 6 && Integer.parseInt(v) >= 1;
      if (!number && !List.of("auto", "cpu", "gpu").contains(v)) {
        throw new IllegalArgumentException("processes per node must be a whole number from 1, or auto, cpu or gpu "
            + "(torchrun's --nproc-per-node), got \"" + value + "\"");
      }
      this.processesPerNode = v;
      return this;
    }

    /** Processes per node as a number. */
    public Builder processesPerNode(int value) {
      return processesPerNode(Integer.toString(value));
    }

    /** The rendezvous port, 1024 to 65535. */
    public Builder masterPort(int port) {
      Ranges.check("masterPort", Ranges.betweenProblem(1024, 65535, port).map(p -> p + " (an unprivileged TCP port)"));
      this.masterPort = port;
      return this;
    }

    /** Retries per node, 0 to 10. */
    public Builder backoffLimitPerIndex(int retries) {
      Ranges.check("backoffLimitPerIndex", Ranges.betweenProblem(0, 10, retries));
      this.backoffLimitPerIndex = retries;
      return this;
    }

    /**
     * The options.
     *
     * @throws IllegalArgumentException naming every problem (no pod)
     */
    public TorchShellOptions build() {
      List<String> problems = new ArrayList<>();
      if (pod == null) {
        problems.add("pod(PodTemplateOptions) is required: it names the image every node runs");
      }
      if (backend == TorchBackend.TRAIN_JOB && List.of("cpu", "gpu").contains(processesPerNode)) {
        problems.add("processesPerNode " + processesPerNode + " cannot be expressed on a TrainJob (trainer.numProcPerNode is "
            + "a number; leave it auto or give a number), or use backend pytorchjob or indexed-job");
      }
      if (!problems.isEmpty()) {
        throw new IllegalArgumentException("Invalid torch shell options:\n  - " + String.join("\n  - ", problems));
      }
      return new TorchShellOptions(this);
    }
  }
}
