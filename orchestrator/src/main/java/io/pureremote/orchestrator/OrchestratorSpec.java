package io.pureremote.orchestrator;

import io.pureremote.k8s.values.Ranges;
import io.pureremote.config.KubernetesConfig;
import io.pureremote.config.PureRemoteConfig;
import io.pureremote.k8s.Images;
import io.pureremote.k8s.KubeConfigs;
import io.pureremote.k8s.values.KubernetesValues;
import io.pureremote.spi.BlobStore;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;
import java.util.regex.Pattern;

/**
 * What an orchestrator pod runs: the user's driver program ({@code main}) from the application
 * image, in the team's namespace, with the environment that makes Pure Remote inside the pod run
 * its calls as Jobs beside it. Build with {@link #builder()}; {@link Builder#configuration} fills
 * namespace, environment, service account and workload identity from a {@link PureRemoteConfig}.
 *
 * <pre>{@code
 * OrchestratorSpec spec = OrchestratorSpec.builder()
 *     .configuration(ConfiguredRuntime.configLoader().build().read())  // team namespace, blob root, ...
 *     .name("backfill-2026").image("myregistry.azurecr.io/fc/app:42")
 *     .mainClass("com.acme.Pipeline").args(List.of("--month", "2026-10"))
 *     .memory("8Gi")
 *     .build();
 * }</pre>
 *
 * <p>The container runs {@code java <jvmFlags> -cp <classPath> <mainClass> <args>} (Jib's layout by
 * default), or {@code <command> <mainClass> <args>} when {@link #command()} is set.
 *
 * @param name the Job's name; a DNS-1123 label
 * @param namespace where the Job runs; a DNS-1123 label
 * @param image the application image (qualified with the configured registry if it has none)
 * @param mainClass the driver's main class
 * @param args the driver's arguments
 * @param classPath the class path inside the image
 * @param jvmFlags flags before {@code -cp}
 * @param command replaces {@code java <jvmFlags> -cp <classPath>} when not empty
 * @param serviceAccount the pod's service account, which the Role is bound to
 * @param env the container's variables, in order
 * @param cpu CPU request; empty leaves it to the namespace
 * @param memory memory request and limit; empty leaves it to the namespace
 * @param team the configuration team it was made for, recorded as an annotation
 * @param workloadIdentity whether the pod gets label {@code azure.workload.identity/use: "true"}
 * @param ttlAfterFinished how long the finished Job is kept (so {@code list} and {@code attach} see it)
 */
public record OrchestratorSpec(
    String name,
    String namespace,
    String image,
    String mainClass,
    List<String> args,
    String classPath,
    List<String> jvmFlags,
    List<String> command,
    String serviceAccount,
    Map<String, String> env,
    Optional<String> cpu,
    Optional<String> memory,
    Optional<String> team,
    boolean workloadIdentity,
    Duration ttlAfterFinished) {

  /** Where Jib puts an application's resources, classes and dependencies. */
  public static final String JIB_CLASS_PATH = "/app/resources:/app/classes:/app/libs/*";

  /** The default service account, which {@link OrchestratorManifests#rbac} creates. */
  public static final String DEFAULT_SERVICE_ACCOUNT = "pureremote-orchestrator";

  /** Default of {@link #ttlAfterFinished()}. */
  public static final Duration DEFAULT_TTL_AFTER_FINISHED = Duration.ofDays(1);

  private static final Pattern JAVA_NAME = Pattern.compile("\\p{javaJavaIdentifierStart}\\p{javaJavaIdentifierPart}*"
      + "(\\.\\p{javaJavaIdentifierStart}\\p{javaJavaIdentifierPart}*)*(\\$\\p{javaJavaIdentifierPart}+)*");

  /** Validates and copies; throws {@link IllegalArgumentException} listing every problem. */
  public OrchestratorSpec {
    args = List.copyOf(args);
    jvmFlags = List.copyOf(jvmFlags);
    command = List.copyOf(command);
    env = Collections.unmodifiableMap(new LinkedHashMap<>(env));
    Objects.requireNonNull(cpu, "cpu");
    Objects.requireNonNull(memory, "memory");
    Objects.requireNonNull(team, "team");
    List<String> problems = new ArrayList<>();
    if (!KubernetesValues.isDnsLabel(name)) {
      problems.add("name '" + name + "' is not a DNS-1123 label (lowercase letters, digits and '-', starting and ending"
          + " with a letter or digit, at most 63), e.g. 'nightly-backfill'");
    }
    if (!KubernetesValues.isDnsLabel(namespace)) {
      problems.add("namespace '" + namespace + "' is not a DNS-1123 label");
    }
    if (image == null || image.isBlank() || image.chars().anyMatch(Character::isWhitespace)) {
      problems.add("image '" + image + "' is not an image reference such as myregistry.azurecr.io/team/app:42");
    }
    if (mainClass == null || !JAVA_NAME.matcher(mainClass).matches()) {
      problems.add("main class '" + mainClass + "' is not a Java class name such as com.acme.Pipeline");
    }
    if (command.isEmpty() && (classPath == null || classPath.isBlank())) {
      problems.add("class path is empty: give the image's class path (Jib: " + JIB_CLASS_PATH + ") or a command");
    }
    if (serviceAccount == null || serviceAccount.length() > 253
        || !serviceAccount.matches("[a-z0-9]([-a-z0-9]*[a-z0-9])?(\\.[a-z0-9]([-a-z0-9]*[a-z0-9])?)*")) {
      problems.add("service account '" + serviceAccount + "' is not a valid name");
    }
    env.forEach((k, v) -> {
      if (!KubernetesValues.isEnvName(k)) {
        problems.add("env: '" + k + "' is not a variable name");
      } else if (KubernetesValues.looksLikeCredential(k)) {
        problems.add("env: " + k + " looks like a credential; never put credentials in a Job spec: use workload"
            + " identity or a Secret the image reads");
      } else {
        KubernetesValues.credentialValueKind(v).ifPresent(kind -> problems.add("env: the value of " + k
            + " looks like a credential (" + kind + "; the value is not shown); never put credentials in a Job spec:"
            + " use workload identity or a Secret the image reads"));
      }
      if (v == null) {
        problems.add("env: " + k + " has no value");
      }
    });
    cpu.filter(q -> !KubernetesValues.isQuantity(q))
        .ifPresent(q -> problems.add("cpu '" + q + "' is not a Kubernetes quantity such as 500m or 2"));
    memory.filter(q -> !KubernetesValues.isQuantity(q))
        .ifPresent(q -> problems.add("memory '" + q + "' is not a Kubernetes quantity such as 4Gi"));
    if (ttlAfterFinished == null) {
      problems.add("ttlAfterFinished is required");
    } else {
      Ranges.atLeastProblem(Duration.ZERO, ttlAfterFinished).ifPresent(p -> problems.add("ttlAfterFinished " + p));
    }
    if (!problems.isEmpty()) {
      throw new IllegalArgumentException("Invalid orchestrator: " + String.join("; ", problems));
    }
  }

  /** The container's command: {@code java <flags> -cp <class path> <main>}, or {@code <command> <main>}. */
  public List<String> containerCommand() {
    List<String> cmd = new ArrayList<>();
    if (command.isEmpty()) {
      cmd.add("java");
      cmd.addAll(jvmFlags);
      cmd.add("-cp");
      cmd.add(classPath);
    } else {
      cmd.addAll(command);
    }
    cmd.add(mainClass);
    return cmd;
  }

  /** A builder with the defaults. */
  public static Builder builder() {
    return new Builder();
  }

  /** Builder for {@link OrchestratorSpec}; not thread-safe. */
  public static final class Builder {
    private String name;
    private String namespace;
    private String image;
    private String registry;
    private String mainClass;
    private List<String> args = List.of();
    private String classPath = JIB_CLASS_PATH;
    private List<String> jvmFlags = List.of();
    private List<String> command = List.of();
    private String serviceAccount = DEFAULT_SERVICE_ACCOUNT;
    private final Map<String, String> configEnv = new LinkedHashMap<>();
    private final Map<String, String> env = new LinkedHashMap<>();
    private String cpu;
    private String memory;
    private String team;
    private boolean workloadIdentity;
    private Duration ttlAfterFinished = DEFAULT_TTL_AFTER_FINISHED;

    private Builder() {}

    /**
     * Takes from {@code config}: the namespace, the team, the registry for an unqualified image,
     * the service account (the team's, when it sets one: it may carry the store's workload
     * identity), workload identity, and the pod environment that makes Pure Remote inside the pod
     * use the cluster ({@code PUREREMOTE_SHELL=kubernetes}, the blob root and its settings, the
     * pipeline id, the namespace, and the Jobs' image and service account). Settings given
     * afterwards win.
     *
     * @throws IllegalArgumentException when the blob root is a local folder ({@code file:}), which
     *     a pod cannot share with its Jobs
     */
    public Builder configuration(PureRemoteConfig config) {
      KubernetesConfig k = config.kubernetes();
      if (config.blobRoot().startsWith("file:")) {
        throw new IllegalArgumentException("The blob root " + config.blobRoot() + " is a local folder, which an"
            + " orchestrator pod and its Jobs cannot share; set blob-root (for the team) to a bucket such as"
            + " s3://bucket/memo or abfss://memo@account.dfs.core.windows.net/x, or PUREREMOTE_BLOB_ROOT");
      }
      namespace = k.namespace();
      registry = k.registry().orElse(null);
      team = config.team().orElse(null);
      k.serviceAccount().ifPresent(sa -> serviceAccount = sa);
      workloadIdentity = k.workloadIdentityApplies();
      configEnv.clear();
      configEnv.put("PUREREMOTE_SHELL", PureRemoteConfig.KUBERNETES_SHELL);
      configEnv.put("PUREREMOTE_BLOB_ROOT", config.blobRoot());
      configEnv.putAll(BlobStore.toEnvironment(config.blobSettings()));
      configEnv.put("PUREREMOTE_PIPELINE_ID", config.pipelineId());
      // Explicit, though the pod's own namespace is also the in-cluster default.
      configEnv.put("PUREREMOTE_KUBERNETES_NAMESPACE", k.namespace());
      k.registry().ifPresent(r -> configEnv.put("PUREREMOTE_KUBERNETES_REGISTRY", r));
      k.image().ifPresent(i -> configEnv.put("PUREREMOTE_KUBERNETES_IMAGE", i));
      k.serviceAccount().ifPresent(sa -> configEnv.put("PUREREMOTE_KUBERNETES_SERVICE_ACCOUNT", sa));
      k.cloud().ifPresent(c -> configEnv.put("PUREREMOTE_KUBERNETES_CLOUD", c.name().toLowerCase(Locale.ROOT)));
      if (workloadIdentity) {
        configEnv.put("PUREREMOTE_KUBERNETES_WORKLOAD_IDENTITY_NAMESPACES", k.namespace());
        k.workloadIdentityClientId().ifPresent(id -> {
          configEnv.put("PUREREMOTE_KUBERNETES_WORKLOAD_IDENTITY_CLIENT_ID", id);
          configEnv.put(KubeConfigs.AZURE_CLIENT_ID, id);   // for the driver's own store access
        });
      }
      // No kube context: inside the pod the client uses the service account.
      return this;
    }

    /** The Job's name. Required. */
    public Builder name(String name) {
      this.name = name;
      return this;
    }

    /** The namespace. Required unless {@link #configuration} gave one. */
    public Builder namespace(String namespace) {
      this.namespace = namespace;
      return this;
    }

    /** The application image. Required. Unqualified images get the configured registry. */
    public Builder image(String image) {
      this.image = image;
      return this;
    }

    /** The driver's main class. Required. */
    public Builder mainClass(String mainClass) {
      this.mainClass = mainClass;
      return this;
    }

    /** The driver's arguments. Defaults to none. */
    public Builder args(List<String> args) {
      this.args = List.copyOf(args);
      return this;
    }

    /** The class path inside the image. Defaults to Jib's, {@value #JIB_CLASS_PATH}. */
    public Builder classPath(String classPath) {
      this.classPath = classPath;
      return this;
    }

    /** JVM flags before {@code -cp}, e.g. {@code -XX:MaxRAMPercentage=75}. Defaults to none. */
    public Builder jvmFlags(List<String> jvmFlags) {
      this.jvmFlags = List.copyOf(jvmFlags);
      return this;
    }

    /**
     * A command that replaces {@code java <jvmFlags> -cp <classPath>}; the main class and the
     * arguments follow it. Defaults to none.
     */
    public Builder command(List<String> command) {
      this.command = List.copyOf(command);
      return this;
    }

    /** The pod's service account. Defaults to the configured one, else {@value #DEFAULT_SERVICE_ACCOUNT}. */
    public Builder serviceAccount(String serviceAccount) {
      this.serviceAccount = serviceAccount;
      return this;
    }

    /** Adds a plain variable; beats what {@link #configuration} set. Never credentials. */
    public Builder env(String name, String value) {
      env.put(Objects.requireNonNull(name, "name"), value);
      return this;
    }

    /** CPU request. Defaults to none. */
    public Builder cpu(String cpu) {
      this.cpu = cpu;
      return this;
    }

    /** Memory request and limit (a JVM wants both equal). Defaults to none. */
    public Builder memory(String memory) {
      this.memory = memory;
      return this;
    }

    /** How long the finished Job is kept. Defaults to one day. */
    public Builder ttlAfterFinished(Duration ttl) {
      this.ttlAfterFinished = ttl;
      return this;
    }

    /** Builds and validates. */
    public OrchestratorSpec build() {
      String qualified = image;
      if (image != null && !image.isBlank() && image.chars().noneMatch(Character::isWhitespace)) {
        qualified = Images.qualify(registry, image);
      }
      Map<String, String> all = new LinkedHashMap<>(configEnv);
      // The Jobs run the driver's image unless configuration names another.
      if (qualified != null && !all.containsKey("PUREREMOTE_KUBERNETES_IMAGE")) {
        all.put("PUREREMOTE_KUBERNETES_IMAGE", qualified);
      }
      all.put("PUREREMOTE_ORCHESTRATOR", Objects.requireNonNullElse(name, ""));
      all.putAll(env);
      return new OrchestratorSpec(name, namespace, qualified, mainClass, args, classPath, jvmFlags, command,
          serviceAccount, all, Optional.ofNullable(cpu), Optional.ofNullable(memory), Optional.ofNullable(team),
          workloadIdentity, ttlAfterFinished);
    }
  }
}
