package io.pureremote.config;

import io.pureremote.spi.Shell;
import io.pureremote.CallOptions.ExceptionPolicy;
import io.pureremote.k8s.values.KubernetesSettings;
import io.pureremote.k8s.values.KubernetesValues;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Objects;
import java.util.Optional;

/**
 * One {@code [functions."<function name>"]} section: settings of one function that differ from the
 * runtime-wide ones. Unset values fall back to them. Immutable; build with {@link
 * #builder(String)}.
 *
 * <p>{@code image}, {@code resources} and {@code tolerations} shape the Kubernetes Job and apply
 * only when the function runs on the {@code kubernetes} shell; other shells ignore them, so a
 * cluster configuration still works with {@code PUREREMOTE_SHELL=local}.
 *
 * @param name the function's name as {@code @PureRemote} gives it, e.g. {@code com.acme.Scoring#score}
 * @param shell the shell the function runs on
 * @param timeout longest wait for one call; {@link Duration#ZERO} means no limit
 * @param exceptionPolicy whether a stored error is rethrown or the call re-run
 * @param image the application image for this function's Jobs
 * @param resources requests and limits, each replacing the runtime-wide value it sets
 * @param shellTable the function's {@code [functions."<name>".<shell>]} table for a shell beyond
 *     the built-in ones (e.g. {@code mpi}), laid over that shell's runtime-wide table
 * @param tolerations the function's tolerations, replacing the runtime-wide list (an empty list
 *     keeps the function off tainted nodes such as spot pools)
 * @param queue the Kueue LocalQueue of this function's Jobs
 * @param queuePriority the Kueue WorkloadPriorityClass of this function's Jobs
 * @param batching whether this function's misses may run as batch Jobs ({@code false}: one Job
 *     per call), replacing the runtime-wide {@code kubernetes.batching}
 */
public record FunctionConfig(
    String name,
    Optional<String> shell,
    Optional<Duration> timeout,
    Optional<ExceptionPolicy> exceptionPolicy,
    Optional<String> image,
    Resources resources,
    Optional<List<TolerationConfig>> tolerations,
    Optional<Shell.Settings> shellTable,
    Optional<String> queue,
    Optional<String> queuePriority,
    Optional<Boolean> batching) {

  /** Validates and copies; throws {@link IllegalArgumentException} listing every problem. */
  public FunctionConfig {
    Objects.requireNonNull(name, "name");
    Objects.requireNonNull(shell, "shell");
    Objects.requireNonNull(timeout, "timeout");
    Objects.requireNonNull(exceptionPolicy, "exceptionPolicy");
    Objects.requireNonNull(image, "image");
    Objects.requireNonNull(resources, "resources");
    Objects.requireNonNull(batching, "batching");
    tolerations = Objects.requireNonNull(tolerations, "tolerations").map(List::copyOf);
    List<String> problems = new ArrayList<>();
    Values.checkFunctionName(name).ifPresent(problems::add);
    shell.filter(String::isBlank).ifPresent(s -> problems.add("shell: must not be blank"));
    timeout.filter(Duration::isNegative).ifPresent(t -> problems.add("timeout: must be >= 0, got " + t));
    image.flatMap(KubernetesValues::imageProblem).ifPresent(p -> problems.add("image: " + p));
    Objects.requireNonNull(queue, "queue").flatMap(KubernetesSettings::queueProblem)
        .ifPresent(p -> problems.add("queue: " + p));
    Objects.requireNonNull(queuePriority, "queuePriority").flatMap(KubernetesSettings::queuePriorityProblem)
        .ifPresent(p -> problems.add("queue-priority: " + p));
    if (!problems.isEmpty()) {
      throw new IllegalArgumentException("Invalid settings of function '" + name + "': " + String.join("; ", problems));
    }
  }

  /** Whether it sets anything that shapes a Kubernetes Job: image, resources, tolerations, queue or batching. */
  public boolean shapesJob() {
    return image.isPresent() || !resources.isEmpty() || tolerations.isPresent() || queue.isPresent() || queuePriority.isPresent()
        || batching.isPresent();
  }

  /** A builder for function {@code name} with nothing set. */
  public static Builder builder(String name) {
    return new Builder(name);
  }

  /** A builder starting from these values. */
  public Builder toBuilder() {
    Builder b = new Builder(name);
    b.shell = shell.orElse(null);
    b.timeout = timeout.orElse(null);
    b.exceptionPolicy = exceptionPolicy.orElse(null);
    b.image = image.orElse(null);
    b.resources = resources;
    b.tolerations = tolerations.orElse(null);
    b.shellTable = shellTable.orElse(null);
    b.queue = queue.orElse(null);
    b.queuePriority = queuePriority.orElse(null);
    b.batching = batching.orElse(null);
    return b;
  }

  /** Builder for {@link FunctionConfig}; not thread-safe. Setters take {@code null} to unset. */
  public static final class Builder {
    private final String name;
    private String shell;
    private Duration timeout;
    private ExceptionPolicy exceptionPolicy;
    private String image;
    private Resources resources = Resources.NONE;
    private List<TolerationConfig> tolerations;
    private Boolean batching;
    private Shell.Settings shellTable;
    private String queue;
    private String queuePriority;

    private Builder(String name) {
      this.name = Objects.requireNonNull(name, "name");
    }

    /** The shell, e.g. {@code in-process} for a cheap function. Defaults to unset (the runtime's shell). */
    public Builder shell(String shell) {
      this.shell = shell;
      return this;
    }

    /** Longest wait for one call. Defaults to unset (the runtime-wide timeout). */
    public Builder timeout(Duration timeout) {
      this.timeout = timeout;
      return this;
    }

    /** What to do with a stored error. Defaults to unset (the runtime-wide policy). */
    public Builder exceptionPolicy(ExceptionPolicy exceptionPolicy) {
      this.exceptionPolicy = exceptionPolicy;
      return this;
    }

    /** The image for this function's Jobs. Defaults to unset (the runtime-wide image). */
    public Builder image(String image) {
      this.image = image;
      return this;
    }

    /** Resources; each value set replaces the runtime-wide one. Defaults to {@link Resources#NONE}. */
    public Builder resources(Resources resources) {
      this.resources = Objects.requireNonNull(resources, "resources");
      return this;
    }

    /** Tolerations replacing the runtime-wide list. Defaults to unset (the runtime-wide list). */
    public Builder tolerations(List<TolerationConfig> tolerations) {
      this.tolerations = tolerations;
      return this;
    }

    /**
     * The function's own settings of its shell, for a shell beyond the built-in ones ({@code
     * [functions."<name>".mpi]}). Defaults to unset.
     */
    public Builder shellTable(Shell.Settings shellTable) {
      this.shellTable = shellTable;
      return this;
    }

    /** The Kueue LocalQueue of this function's Jobs. Defaults to unset (the runtime-wide queue). */
    public Builder queue(String queue) {
      this.queue = queue;
      return this;
    }

    /** The Kueue WorkloadPriorityClass of this function's Jobs. Defaults to unset (the runtime-wide one). */
    public Builder queuePriority(String queuePriority) {
      this.queuePriority = queuePriority;
      return this;
    }

    /** Whether this function's misses may run as batch Jobs; {@code false}: one Job per call. Defaults to unset (the runtime-wide value). */
    public Builder batching(Boolean batching) {
      this.batching = batching;
      return this;
    }

    /** Builds and validates. */
    public FunctionConfig build() {
      return new FunctionConfig(name, Optional.ofNullable(shell), Optional.ofNullable(timeout),
          Optional.ofNullable(exceptionPolicy), Optional.ofNullable(image), resources,
          Optional.ofNullable(tolerations), Optional.ofNullable(shellTable), Optional.ofNullable(queue),
          Optional.ofNullable(queuePriority), Optional.ofNullable(batching));
    }
  }
}
