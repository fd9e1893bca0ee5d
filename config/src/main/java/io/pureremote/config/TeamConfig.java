package io.pureremote.config;

import io.pureremote.k8s.values.KubernetesSettings;
import io.pureremote.k8s.values.KubernetesValues;
import java.util.ArrayList;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;

/**
 * One {@code [teams.<name>]} section: where a team's calls run and what they may use when several
 * teams share a cluster. Selecting the team ({@code team = "<name>"} or {@code PUREREMOTE_TEAM})
 * lays these values over {@code [kubernetes]} and the top-level {@code blob-root}. Immutable; build
 * with {@link #builder(String)}.
 *
 * @param name the team's name, the key of its section
 * @param namespace the team's namespace; when empty, the team's name as a DNS-1123 label
 * @param kubeContext the kubeconfig context of the team's cluster
 * @param blobRoot the team's memo store root URI
 * @param blobSettings settings for opening {@code blobRoot}; used instead of the top-level ones
 *     when the team sets its own root
 * @param registry registry that unqualified images are prefixed with
 * @param image the team's application image
 * @param serviceAccount the service account the team's pods run as
 * @param workloadIdentity whether pods use Azure workload identity in the team's namespace even
 *     when it is not listed in {@code [kubernetes.workload-identity] namespaces}
 * @param azureClientId the client id of the team's Azure managed identity, given to pods as {@code
 *     AZURE_CLIENT_ID} where workload identity applies
 * @param cloud the cluster's cloud, which decides what toleration {@code spot} means
 * @param queue the Kueue LocalQueue of the team's Jobs
 * @param queuePriority the Kueue WorkloadPriorityClass of the team's Jobs
 */
public record TeamConfig(
    String name,
    Optional<String> namespace,
    Optional<String> kubeContext,
    Optional<String> blobRoot,
    Map<String, String> blobSettings,
    Optional<String> registry,
    Optional<String> image,
    Optional<String> serviceAccount,
    boolean workloadIdentity,
    Optional<String> azureClientId,
    Optional<Cloud> cloud,
    Optional<String> queue,
    Optional<String> queuePriority) {

  /**
   * Copies and checks for nulls. The values are checked once, where they enter: by {@link
   * Builder#build()} for code, by the reader (with key and line) for a file.
   */
  public TeamConfig {
    Objects.requireNonNull(name, "name");
    Objects.requireNonNull(namespace, "namespace");
    Objects.requireNonNull(kubeContext, "kubeContext");
    Objects.requireNonNull(blobRoot, "blobRoot");
    blobSettings = Collections.unmodifiableMap(new LinkedHashMap<>(blobSettings));
    Objects.requireNonNull(registry, "registry");
    Objects.requireNonNull(image, "image");
    Objects.requireNonNull(serviceAccount, "serviceAccount");
    Objects.requireNonNull(azureClientId, "azureClientId");
    Objects.requireNonNull(cloud, "cloud");
    Objects.requireNonNull(queue, "queue");
    Objects.requireNonNull(queuePriority, "queuePriority");
  }

  /** Every problem of these values, each named by its key in {@code [teams.<team>]}. */
  private List<String> problems() {
    List<String> problems = new ArrayList<>();
    if (name.isBlank()) {
      problems.add("name must not be blank");
    }
    namespace.flatMap(KubernetesValues::namespaceProblem).ifPresent(p -> problems.add("namespace: " + p));
    blobRoot.flatMap(Values::checkBlobRoot).ifPresent(p -> problems.add("blob-root: " + p));
    registry.flatMap(KubernetesValues::registryProblem).ifPresent(p -> problems.add("registry: " + p));
    image.flatMap(KubernetesValues::imageProblem).ifPresent(p -> problems.add("image: " + p));
    serviceAccount.flatMap(KubernetesValues::serviceAccountProblem).ifPresent(p -> problems.add("service-account: " + p));
    azureClientId.flatMap(KubernetesValues::azureClientIdProblem).ifPresent(p -> problems.add("azure-client-id: " + p));
    queue.flatMap(KubernetesSettings::queueProblem).ifPresent(p -> problems.add("queue: " + p));
    queuePriority.flatMap(KubernetesSettings::queuePriorityProblem).ifPresent(p -> problems.add("queue-priority: " + p));
    return problems;
  }

  /** The namespace the team's calls run in: {@link #namespace()}, else the name as a DNS-1123 label. */
  public String effectiveNamespace() {
    return namespace.orElseGet(() -> KubernetesValues.namespaceFor(name));
  }

  /** A builder for team {@code name} with nothing else set. */
  public static Builder builder(String name) {
    return new Builder(name);
  }

  /** A builder starting from these values. */
  public Builder toBuilder() {
    Builder b = new Builder(name);
    b.namespace = namespace.orElse(null);
    b.kubeContext = kubeContext.orElse(null);
    b.blobRoot = blobRoot.orElse(null);
    b.blobSettings.putAll(blobSettings);
    b.registry = registry.orElse(null);
    b.image = image.orElse(null);
    b.serviceAccount = serviceAccount.orElse(null);
    b.workloadIdentity = workloadIdentity;
    b.azureClientId = azureClientId.orElse(null);
    b.cloud = cloud.orElse(null);
    b.queue = queue.orElse(null);
    b.queuePriority = queuePriority.orElse(null);
    return b;
  }

  /** Builder for {@link TeamConfig}; not thread-safe. Setters take {@code null} to unset. */
  public static final class Builder {
    private final String name;
    private String namespace;
    private String kubeContext;
    private String blobRoot;
    private final Map<String, String> blobSettings = new LinkedHashMap<>();
    private String registry;
    private String image;
    private String serviceAccount;
    private boolean workloadIdentity;
    private String azureClientId;
    private Cloud cloud;
    private String queue;
    private String queuePriority;

    private Builder(String name) {
      this.name = Objects.requireNonNull(name, "name");
    }

    /** The team's namespace. Defaults to the team's name as a DNS-1123 label. */
    public Builder namespace(String namespace) {
      this.namespace = namespace;
      return this;
    }

    /** The kubeconfig context of the team's cluster. Defaults to unset (the current context). */
    public Builder kubeContext(String kubeContext) {
      this.kubeContext = kubeContext;
      return this;
    }

    /** The team's memo store root. Defaults to unset (the top-level {@code blob-root}). */
    public Builder blobRoot(String blobRoot) {
      this.blobRoot = blobRoot;
      return this;
    }

    /** Replaces the settings for the team's blob root. Defaults to none. */
    public Builder blobSettings(Map<String, String> blobSettings) {
      this.blobSettings.clear();
      this.blobSettings.putAll(blobSettings);
      return this;
    }

    /** The team's image registry. Defaults to unset. */
    public Builder registry(String registry) {
      this.registry = registry;
      return this;
    }

    /** The team's application image. Defaults to unset. */
    public Builder image(String image) {
      this.image = image;
      return this;
    }

    /** The team's service account. Defaults to unset. */
    public Builder serviceAccount(String serviceAccount) {
      this.serviceAccount = serviceAccount;
      return this;
    }

    /** Whether workload identity applies in the team's namespace. Defaults to false. */
    public Builder workloadIdentity(boolean workloadIdentity) {
      this.workloadIdentity = workloadIdentity;
      return this;
    }

    /** The team's Azure managed identity client id. Defaults to unset. */
    public Builder azureClientId(String azureClientId) {
      this.azureClientId = azureClientId;
      return this;
    }

    /** The cloud of the team's cluster. Defaults to unset. */
    public Builder cloud(Cloud cloud) {
      this.cloud = cloud;
      return this;
    }

    /** The Kueue LocalQueue of the team's Jobs. Defaults to unset. */
    public Builder queue(String queue) {
      this.queue = queue;
      return this;
    }

    /** The Kueue WorkloadPriorityClass of the team's Jobs. Defaults to unset. */
    public Builder queuePriority(String queuePriority) {
      this.queuePriority = queuePriority;
      return this;
    }

    /**
     * Builds and checks every value.
     *
     * @throws IllegalArgumentException listing every problem, each named by its key
     */
    public TeamConfig build() {
      TeamConfig team = buildRead();
      List<String> problems = team.problems();
      if (!problems.isEmpty()) {
        throw new IllegalArgumentException("Invalid team '" + name + "': " + String.join("; ", problems));
      }
      return team;
    }

    /** Builds from values the reader has checked already, each with its key and line. */
    TeamConfig buildRead() {
      return new TeamConfig(name, Optional.ofNullable(namespace), Optional.ofNullable(kubeContext),
          Optional.ofNullable(blobRoot), blobSettings, Optional.ofNullable(registry), Optional.ofNullable(image),
          Optional.ofNullable(serviceAccount), workloadIdentity, Optional.ofNullable(azureClientId),
          Optional.ofNullable(cloud), Optional.ofNullable(queue), Optional.ofNullable(queuePriority));
    }
  }
}
