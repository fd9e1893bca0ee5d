package io.pureremote.config;

import io.pureremote.k8s.values.KubernetesValues;
import java.util.ArrayList;
import java.util.List;
import java.util.Objects;
import java.util.Optional;
import java.util.OptionalInt;

/**
 * Container resources of a Kubernetes Job, as Kubernetes quantities. Immutable; build with {@link
 * #builder()}. Unset values are left to the namespace's LimitRange.
 *
 * <p>How they reach the pod: {@code cpu} is the request and, unless {@code cpuLimit} is set, there
 * is no CPU limit (a limit only throttles); {@code memory} is the request and also the limit
 * unless {@code memoryLimit} is set (a JVM should not be overcommitted); {@code ephemeralStorage}
 * is request and limit; {@code gpus} asks for that many {@code nvidia.com/gpu}.
 *
 * @param cpu CPU request: cores ({@code "2"}, {@code "1.5"}) or millicores ({@code "500m"})
 * @param cpuLimit CPU limit
 * @param memory memory request (and limit): {@code "512Mi"}, {@code "4Gi"}, {@code "1e9"}
 * @param memoryLimit memory limit, when it should differ from the request
 * @param ephemeralStorage node-local scratch space, request and limit
 * @param gpus NVIDIA GPUs
 */
public record Resources(
    Optional<String> cpu,
    Optional<String> cpuLimit,
    Optional<String> memory,
    Optional<String> memoryLimit,
    Optional<String> ephemeralStorage,
    OptionalInt gpus) {

  /** No resources set. */
  public static final Resources NONE = builder().build();

  /** Validates each quantity and that requests do not exceed limits. */
  public Resources {
    Objects.requireNonNull(cpu, "cpu");
    Objects.requireNonNull(cpuLimit, "cpuLimit");
    Objects.requireNonNull(memory, "memory");
    Objects.requireNonNull(memoryLimit, "memoryLimit");
    Objects.requireNonNull(ephemeralStorage, "ephemeralStorage");
    Objects.requireNonNull(gpus, "gpus");
    List<String> problems = problems(cpu, cpuLimit, memory, memoryLimit, ephemeralStorage, gpus);
    if (!problems.isEmpty()) {
      throw new IllegalArgumentException("Invalid resources: " + String.join("; ", problems));
    }
  }

  static List<String> problems(Optional<String> cpu, Optional<String> cpuLimit, Optional<String> memory,
      Optional<String> memoryLimit, Optional<String> ephemeralStorage, OptionalInt gpus) {
    List<String> problems = new ArrayList<>();
    cpu.flatMap(KubernetesValues::cpuProblem).ifPresent(p -> problems.add("cpu: " + p));
    cpuLimit.flatMap(KubernetesValues::cpuProblem).ifPresent(p -> problems.add("cpu-limit: " + p));
    memory.flatMap(KubernetesValues::bytesProblem).ifPresent(p -> problems.add("memory: " + p));
    memoryLimit.flatMap(KubernetesValues::bytesProblem).ifPresent(p -> problems.add("memory-limit: " + p));
    ephemeralStorage.flatMap(KubernetesValues::bytesProblem).ifPresent(p -> problems.add("ephemeral-storage: " + p));
    if (gpus.isPresent() && gpus.getAsInt() < 0) {
      problems.add("gpus: expected an integer >= 0, got " + gpus.getAsInt());
    }
    if (problems.isEmpty()) {
      exceeds("cpu", cpu, "cpu-limit", cpuLimit).ifPresent(problems::add);
      exceeds("memory", memory, "memory-limit", memoryLimit).ifPresent(problems::add);
    }
    return problems;
  }

  private static Optional<String> exceeds(String requestKey, Optional<String> request, String limitKey,
      Optional<String> limit) {
    if (request.isPresent() && limit.isPresent()
        && KubernetesValues.quantity(request.get()).compareTo(KubernetesValues.quantity(limit.get())) > 0) {
      return Optional.of(requestKey + " " + request.get() + " exceeds " + limitKey + " " + limit.get());
    }
    return Optional.empty();
  }

  /** These resources with each value {@code override} sets replacing this one's. */
  public Resources overriddenBy(Resources override) {
    return new Resources(
        override.cpu.or(() -> cpu),
        override.cpuLimit.or(() -> cpuLimit),
        override.memory.or(() -> memory),
        override.memoryLimit.or(() -> memoryLimit),
        override.ephemeralStorage.or(() -> ephemeralStorage),
        override.gpus.isPresent() ? override.gpus : gpus);
  }

  /** Whether no value is set. */
  public boolean isEmpty() {
    return equals(NONE);
  }

  /** A builder with nothing set. */
  public static Builder builder() {
    return new Builder();
  }

  /** A builder starting from these values. */
  public Builder toBuilder() {
    Builder b = new Builder();
    b.cpu = cpu.orElse(null);
    b.cpuLimit = cpuLimit.orElse(null);
    b.memory = memory.orElse(null);
    b.memoryLimit = memoryLimit.orElse(null);
    b.ephemeralStorage = ephemeralStorage.orElse(null);
    b.gpus = gpus.isPresent() ? gpus.getAsInt() : null;
    return b;
  }

  /** Builder for {@link Resources}; not thread-safe. Each setter takes {@code null} to unset. */
  public static final class Builder {
    private String cpu;
    private String cpuLimit;
    private String memory;
    private String memoryLimit;
    private String ephemeralStorage;
    private Integer gpus;

    private Builder() {}

    /** CPU request, e.g. {@code "500m"} or {@code "2"}. Defaults to unset. */
    public Builder cpu(String cpu) {
      this.cpu = cpu;
      return this;
    }

    /** CPU limit. Defaults to unset (no throttling). */
    public Builder cpuLimit(String cpuLimit) {
      this.cpuLimit = cpuLimit;
      return this;
    }

    /** Memory request, also the limit unless {@link #memoryLimit} is set. Defaults to unset. */
    public Builder memory(String memory) {
      this.memory = memory;
      return this;
    }

    /** Memory limit. Defaults to unset (the memory request). */
    public Builder memoryLimit(String memoryLimit) {
      this.memoryLimit = memoryLimit;
      return this;
    }

    /** Ephemeral storage, request and limit. Defaults to unset. */
    public Builder ephemeralStorage(String ephemeralStorage) {
      this.ephemeralStorage = ephemeralStorage;
      return this;
    }

    /** NVIDIA GPUs. Defaults to unset (none). */
    public Builder gpus(Integer gpus) {
      this.gpus = gpus;
      return this;
    }

    /** Builds and validates; throws {@link IllegalArgumentException} listing every problem. */
    public Resources build() {
      return new Resources(Optional.ofNullable(cpu), Optional.ofNullable(cpuLimit), Optional.ofNullable(memory),
          Optional.ofNullable(memoryLimit), Optional.ofNullable(ephemeralStorage),
          gpus == null ? OptionalInt.empty() : OptionalInt.of(gpus));
    }
  }
}
