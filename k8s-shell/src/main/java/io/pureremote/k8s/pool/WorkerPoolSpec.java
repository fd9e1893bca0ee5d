package io.pureremote.k8s.pool;

import io.pureremote.k8s.PodTemplateOptions;
import io.pureremote.k8s.values.KubernetesValues;
import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Set;

/**
 * What {@link WorkerPools#create} makes: a pool's name, where it lives, the store root its workers
 * serve, their pod template (the Job shell's {@link PodTemplateOptions}: image, resources,
 * tolerations/spot, service account and identity, env), how many workers and how many must be
 * ready before {@code create} returns. Built with {@link #builder}; {@code build()} names every
 * problem at once.
 */
public final class WorkerPoolSpec {
  /** Longest pool name: the derived object names ({@code pool-<name>-caller}) stay DNS labels. */
  public static final int MAX_NAME = 40;

  private final String name;
  private final String namespace;
  private final boolean ownNamespace;
  private final String storeRoot;
  private final PodTemplateOptions pod;
  private final int workers;
  private final int minReady;
  private final int slots;
  private final Duration readyTimeout;
  private final int drainSeconds;
  private final Set<String> allowNamespaces;

  private WorkerPoolSpec(Builder b) {
    this.name = b.name;
    this.ownNamespace = b.namespace == null;
    this.namespace = b.namespace == null ? defaultNamespace(b.name) : b.namespace;
    this.storeRoot = b.storeRoot;
    this.pod = b.pod;
    this.workers = b.workers;
    this.minReady = b.minReady == null ? b.workers : b.minReady;
    this.slots = b.slots;
    this.readyTimeout = b.readyTimeout;
    this.drainSeconds = b.drainSeconds;
    this.allowNamespaces = Set.copyOf(b.allowNamespaces);
  }

  /** The namespace a pool gets when none is given: {@code pureremote-pool-<name>}, created and deleted with it. */
  public static String defaultNamespace(String name) {
    return "pureremote-pool-" + name;
  }

  /** A new builder. */
  public static Builder builder() {
    return new Builder();
  }

  /** The pool's name (a DNS label of at most {@value #MAX_NAME}). */
  public String name() {
    return name;
  }

  /** The namespace the pool's objects go to. */
  public String namespace() {
    return namespace;
  }

  /** Whether the pool creates (and {@code stop} deletes) its namespace: true when none was given. */
  public boolean ownsNamespace() {
    return ownNamespace;
  }

  /** The blob store root the workers serve (they refuse memo URIs of any other). */
  public String storeRoot() {
    return storeRoot;
  }

  /** The workers' pod template. */
  public PodTemplateOptions pod() {
    return pod;
  }

  /** Workers (the Deployment's replicas). */
  public int workers() {
    return workers;
  }

  /** Ready workers {@code create} waits for. */
  public int minReady() {
    return minReady;
  }

  /** Calls one worker runs at once. */
  public int slots() {
    return slots;
  }

  /** How long {@code create} waits for {@link #minReady()} workers. */
  public Duration readyTimeout() {
    return readyTimeout;
  }

  /** How long a worker told to stop (SIGTERM) finishes its calls before handing them back. */
  public int drainSeconds() {
    return drainSeconds;
  }

  /**
   * Namespaces whose pods labelled {@code pureremote.io/pool-client=<name>} may reach the workers,
   * besides the pool's own namespace (the NetworkPolicy).
   */
  public Set<String> allowNamespaces() {
    return allowNamespaces;
  }

  /** Builder; every setter checks its value, {@link #build()} the whole. */
  public static final class Builder {
    private String name;
    private String namespace;
    private String storeRoot;
    private PodTemplateOptions pod;
    private int workers = 2;
    private Integer minReady;
    private int slots = 4;
    private Duration readyTimeout = Duration.ofMinutes(5);
    private int drainSeconds = 30;
    private final Set<String> allowNamespaces = new LinkedHashSet<>();
    private final List<String> problems = new ArrayList<>();

    private Builder() {}

    /** The pool's name: a DNS label of at most {@value #MAX_NAME} characters. */
    public Builder name(String name) {
      this.name = name;
      return this;
    }

    /** An existing namespace to use instead of a pool-own one (which is then neither created nor deleted). */
    public Builder namespace(String namespace) {
      KubernetesValues.namespaceProblem(namespace).ifPresent(p -> problems.add("namespace: " + p));
      this.namespace = namespace;
      return this;
    }

    /** The store root the workers serve, e.g. {@code s3://bucket/memo}. */
    public Builder storeRoot(String storeRoot) {
      this.storeRoot = storeRoot;
      return this;
    }

    /** The workers' pod template (image required). */
    public Builder pod(PodTemplateOptions pod) {
      this.pod = pod;
      return this;
    }

    /** Workers (default 2). */
    public Builder workers(int workers) {
      if (workers < 0) {
        problems.add("workers: must be >= 0, got " + workers);
      }
      this.workers = workers;
      return this;
    }

    /** Ready workers {@code create} waits for (default: all of {@link #workers}). */
    public Builder minReady(int minReady) {
      if (minReady < 0) {
        problems.add("minReady: must be >= 0, got " + minReady);
      }
      this.minReady = minReady;
      return this;
    }

    /** Calls one worker runs at once (default 4). */
    public Builder slots(int slots) {
      if (slots < 1) {
        problems.add("slots: must be >= 1, got " + slots);
      }
      this.slots = slots;
      return this;
    }

    /** How long {@code create} waits for the ready workers (default 5 min). */
    public Builder readyTimeout(Duration readyTimeout) {
      if (readyTimeout == null || readyTimeout.isNegative() || readyTimeout.isZero()) {
        problems.add("readyTimeout: must be > 0, got " + readyTimeout);
      }
      this.readyTimeout = readyTimeout;
      return this;
    }

    /** Seconds a stopping worker finishes its calls before handing them back (default 30). */
    public Builder drainSeconds(int drainSeconds) {
      if (drainSeconds < 1) {
        problems.add("drainSeconds: must be >= 1, got " + drainSeconds);
      }
      this.drainSeconds = drainSeconds;
      return this;
    }

    /** A namespace whose labelled client pods may reach the workers (see {@link #allowNamespaces()}). */
    public Builder allowNamespace(String namespace) {
      KubernetesValues.namespaceProblem(namespace).ifPresent(p -> problems.add("allowNamespace: " + p));
      allowNamespaces.add(namespace);
      return this;
    }

    /** Checks the whole and builds; one {@link IllegalArgumentException} names every problem. */
    public WorkerPoolSpec build() {
      List<String> all = new ArrayList<>(problems);
      if (name == null || !KubernetesValues.isDnsLabel(name) || name.length() > MAX_NAME) {
        all.add("name: '" + name + "' must be a DNS label (lowercase letters, digits, '-') of at most " + MAX_NAME
            + " characters");
      }
      if (storeRoot == null || storeRoot.isBlank()) {
        all.add("storeRoot: required (the blob store root the workers serve, e.g. s3://bucket/memo)");
      }
      if (pod == null) {
        all.add("pod: required (PodTemplateOptions with the workers' image)");
      }
      int min = minReady == null ? workers : minReady;
      if (min > workers) {
        all.add("minReady: " + min + " is more than workers " + workers);
      }
      if (!all.isEmpty()) {
        throw new IllegalArgumentException("Invalid worker pool: " + String.join("; ", all));
      }
      return new WorkerPoolSpec(this);
    }
  }

  @Override
  public String toString() {
    return "WorkerPoolSpec[" + name + " in " + namespace + ", " + workers + " workers x " + slots + " slots, root "
        + storeRoot + ", image " + pod.qualifiedImage() + "]";
  }
}
