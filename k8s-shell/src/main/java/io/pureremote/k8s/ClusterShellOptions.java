package io.pureremote.k8s;

import io.pureremote.k8s.values.KubernetesSettings;
import io.pureremote.k8s.values.KubernetesValues;
import java.time.Duration;
import java.util.Objects;
import java.util.Optional;

/**
 * The part of a multi-pod cluster shell's options that is the same for the MPI and the torch
 * shell: where the objects go (namespace, kube context), how long a finished object is kept and
 * how long a run may take, how long its pods may stay pending, and how often a disrupted run is
 * re-created. Each setting is defined and checked here once; {@code MpiShellOptions} and {@code
 * TorchShellOptions} extend it with their own. {@link ClusterRun} reads the last two.
 *
 * <p>Immutable and thread-safe. Public for the MPI and torch shells, which live in modules of
 * their own.
 */
public abstract class ClusterShellOptions {
  /** The longest {@link #ttlAfterFinished()} and {@link #activeDeadline()}: 400 days. */
  public static final Duration LONGEST = Duration.ofDays(400);
  /** The most re-creations of a disrupted run ({@link #maxEvictionRetries()}). */
  public static final int MAX_EVICTION_RETRIES = 20;

  private final String namespace;
  private final Optional<String> kubeContext;
  private final Duration ttlAfterFinished;
  private final Optional<Duration> activeDeadline;
  private final Duration pendingTimeout;
  private final int maxEvictionRetries;

  /** The options {@code b} holds. */
  protected ClusterShellOptions(Builder<?> b) {
    namespace = b.namespace;
    kubeContext = Optional.ofNullable(b.kubeContext);
    ttlAfterFinished = b.ttlAfterFinished;
    activeDeadline = Optional.ofNullable(b.activeDeadline);
    pendingTimeout = b.pendingTimeout;
    maxEvictionRetries = b.maxEvictionRetries;
  }

  /** The namespace the shell's objects are created in. */
  public final String namespace() {
    return namespace;
  }

  /** The kubeconfig context of a shell that builds its own client; empty: the current one (or in-cluster). */
  public final Optional<String> kubeContext() {
    return kubeContext;
  }

  /** How long a finished object is kept ({@code ttlSecondsAfterFinished}); the shell deletes it itself once the call ended. */
  public final Duration ttlAfterFinished() {
    return ttlAfterFinished;
  }

  /** A bound on the whole run ({@code activeDeadlineSeconds}); empty: none. */
  public final Optional<Duration> activeDeadline() {
    return activeDeadline;
  }

  /** How long the pods may stay pending (unschedulable, image pull) before the call fails with their reasons. */
  public final Duration pendingTimeout() {
    return pendingTimeout;
  }

  /** How many times an evicted or preempted run is re-created without spending the caller's retries. */
  public final int maxEvictionRetries() {
    return maxEvictionRetries;
  }

  /**
   * Builds the shared part; every setter checks its value and throws at once.
   *
   * @param <B> the concrete builder, which every setter returns
   */
  public abstract static class Builder<B extends Builder<B>> {
    private String namespace;
    private String kubeContext;
    private Duration ttlAfterFinished = KubernetesSettings.TTL_AFTER_FINISHED;
    private Duration activeDeadline;
    private Duration pendingTimeout = KubernetesSettings.PENDING_TIMEOUT;
    private int maxEvictionRetries = KubernetesSettings.MAX_EVICTION_RETRIES;

    /**
     * A builder whose namespace is {@code defaultNamespace} until set; the Job shell's defaults
     * ({@link KubernetesSettings}): TTL 1 h, pending 10 min, 3 re-creations.
     */
    protected Builder(String defaultNamespace) {
      this.namespace = Objects.requireNonNull(defaultNamespace, "defaultNamespace");
    }

    /** This builder, as its concrete type. */
    protected abstract B self();

    /** The namespace the objects are created in (a DNS-1123 label). */
    public final B namespace(String namespace) {
      Objects.requireNonNull(namespace, "namespace");
      KubernetesValues.namespaceProblem(namespace).ifPresent(p -> {
        throw new IllegalArgumentException("namespace: " + p);
      });
      this.namespace = namespace;
      return self();
    }

    /** The kubeconfig context of a shell built with {@code fromKubeConfig}. */
    public final B kubeContext(String context) {
      this.kubeContext = Objects.requireNonNull(context, "context");
      return self();
    }

    /** How long the finished object is kept; default 1 h, whole seconds, 0 to 400 days. */
    public final B ttlAfterFinished(Duration ttl) {
      this.ttlAfterFinished = seconds("ttlAfterFinished", ttl, 0);
      return self();
    }

    /** A bound on the whole run ({@code activeDeadlineSeconds}), whole seconds, 1 s to 400 days; past it the run fails. */
    public final B activeDeadline(Duration deadline) {
      this.activeDeadline = seconds("activeDeadline", deadline, 1);
      return self();
    }

    /** How long pods may stay pending before the call fails with their reasons; default 10 min, whole seconds, at least 1 s. */
    public final B pendingTimeout(Duration timeout) {
      this.pendingTimeout = seconds("pendingTimeout", timeout, 1);
      return self();
    }

    /** Re-creations of a run after an eviction or preemption, 0 to {@value ClusterShellOptions#MAX_EVICTION_RETRIES}; default 3. */
    public final B maxEvictionRetries(int retries) {
      this.maxEvictionRetries = range("maxEvictionRetries", retries, 0, MAX_EVICTION_RETRIES);
      return self();
    }

    /** Copies the shared part of {@code options} into this builder (for a subclass's {@code toBuilder}). */
    protected final void copy(ClusterShellOptions options) {
      namespace = options.namespace;
      kubeContext = options.kubeContext.orElse(null);
      ttlAfterFinished = options.ttlAfterFinished;
      activeDeadline = options.activeDeadline.orElse(null);
      pendingTimeout = options.pendingTimeout;
      maxEvictionRetries = options.maxEvictionRetries;
    }

    /** {@code value}, or why it is not between {@code min} and {@code max}: the one wording of a range error. */
    protected static int range(String name, int value, int min, int max) {
      if (value < min || value > max) {
        throw new IllegalArgumentException(name + " must be between " + min + " and " + max + ", got " + value);
      }
      return value;
    }

    /** {@code d}, or why it is not whole seconds between {@code minSeconds} and 400 days. */
    protected static Duration seconds(String name, Duration d, long minSeconds) {
      Objects.requireNonNull(d, name);
      if (d.getNano() != 0 || d.getSeconds() < minSeconds || d.compareTo(LONGEST) > 0) {
        throw new IllegalArgumentException(name + " must be whole seconds between " + minSeconds + " s and 400 days, got "
            + d);
      }
      return d;
    }
  }
}
