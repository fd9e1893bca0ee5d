package io.pureremote;

import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Set;

/**
 * Runtime-wide settings of a {@link RemoteRuntime}, as plain values so configuration files can
 * produce them. Immutable; build with {@link #builder()} (each setter checks its value, so a
 * mistake points at the line that made it).
 */
public final class RuntimeOptions {

  /** The pipeline id used when none is given. */
  public static final String DEFAULT_PIPELINE_ID = "default";

  /** The shell used when none is given: a child JVM on this machine. */
  public static final String DEFAULT_SHELL = "local";

  private final String blobRoot;
  private final String pipelineId;
  private final String shell;
  private final CallOptions callDefaults;
  private final Map<String, CallOptions> functions;
  private final Set<String> allowedPackages;
  private final int maxConcurrentCalls;
  private final Map<String, String> remoteEnvironment;
  private final LeaseOptions lease;
  private final Map<String, String> blobSettings;
  private final Progress progress;

  private RuntimeOptions(Builder b) {
    blobRoot = b.blobRoot;
    pipelineId = b.pipelineId;
    shell = b.shell;
    callDefaults = b.callDefaults;
    functions = Map.copyOf(b.functions);
    allowedPackages = Set.copyOf(b.allowedPackages);
    maxConcurrentCalls = b.maxConcurrentCalls;
    remoteEnvironment = Map.copyOf(b.remoteEnvironment);
    lease = b.lease;
    blobSettings = Map.copyOf(b.blobSettings);
    progress = b.progress;
  }

  /** URI of the memo store root, e.g. {@code file:///data/memo}, {@code s3://bucket/x} (no trailing slash). */
  public String blobRoot() {
    return blobRoot;
  }

  /** Grouping segment of the memo path; never random per run. */
  public String pipelineId() {
    return pipelineId;
  }

  /**
   * Name of the shell to run calls with: {@code local}, {@code in-process}, or one registered by a
   * backend module (e.g. {@code kubernetes}).
   */
  public String shell() {
    return shell;
  }

  /** Call options for every function. */
  public CallOptions callDefaults() {
    return callDefaults;
  }

  /** Per-function overrides keyed by function name ({@code com.acme.Fns#score}). */
  public Map<String, CallOptions> functions() {
    return functions;
  }

  /** Extra packages whose classes may appear in payloads. */
  public Set<String> allowedPackages() {
    return allowedPackages;
  }

  /** Upper bound on calls in flight at once in this runtime. */
  public int maxConcurrentCalls() {
    return maxConcurrentCalls;
  }

  /** Environment variables passed to every remote process (no credentials). */
  public Map<String, String> remoteEnvironment() {
    return remoteEnvironment;
  }

  /** Timing of the per-call leases that keep concurrent callers from running a call twice. */
  public LeaseOptions lease() {
    return lease;
  }

  /** Backend settings for opening the blob root (e.g. {@code endpoint}, {@code region}); never credentials. */
  public Map<String, String> blobSettings() {
    return blobSettings;
  }

  /** Where the progress of fan-outs is reported; see {@link Progress}. */
  public Progress progress() {
    return progress;
  }

  @Override
  public boolean equals(Object o) {
    return o instanceof RuntimeOptions other && blobRoot.equals(other.blobRoot) && pipelineId.equals(other.pipelineId)
        && shell.equals(other.shell) && callDefaults.equals(other.callDefaults) && functions.equals(other.functions)
        && allowedPackages.equals(other.allowedPackages) && maxConcurrentCalls == other.maxConcurrentCalls
        && remoteEnvironment.equals(other.remoteEnvironment) && lease.equals(other.lease)
        && blobSettings.equals(other.blobSettings) && progress.equals(other.progress);
  }

  @Override
  public int hashCode() {
    return Objects.hash(blobRoot, pipelineId, shell, callDefaults, functions, allowedPackages, maxConcurrentCalls,
        remoteEnvironment, lease, blobSettings, progress);
  }

  /** The settings, with environment values and blob settings left out (they may be long or private). */
  @Override
  public String toString() {
    return "RuntimeOptions[blobRoot=" + blobRoot + ", pipelineId=" + pipelineId + ", shell=" + shell
        + ", callDefaults=" + callDefaults + ", functions=" + functions + ", allowedPackages=" + allowedPackages
        + ", maxConcurrentCalls=" + maxConcurrentCalls + ", remoteEnvironment=" + remoteEnvironment.keySet()
        + ", lease=" + lease + ", blobSettings=" + blobSettings.keySet() + ", progress=" + progress + "]";
  }

  private static final java.util.regex.Pattern PACKAGE_NAME =
      java.util.regex.Pattern.compile("[A-Za-z_$][\\w$]*(\\.[A-Za-z_$][\\w$]*)*");

  /**
   * Why {@code name} cannot be an allowed package (see {@link Builder#allowPackages}), or empty
   * when it can: the one rule for code and configuration alike.
   */
  public static java.util.Optional<String> packageNameProblem(String name) {
    if (name != null && PACKAGE_NAME.matcher(name).matches()) {
      return java.util.Optional.empty();
    }
    return java.util.Optional.of((name == null ? "null" : "'" + name + "'")
        + " is not a Java package name such as \"com.acme.model\"");
  }

  /** The default blob root: {@code ~/.pureremote} as a file URI. */
  public static String defaultBlobRoot() {
    return Path.of(System.getProperty("user.home"), ".pureremote").toUri().toString();
  }

  /** Call options for {@code functionName}: its override if any, else the defaults. */
  public CallOptions callOptions(String functionName) {
    return functions.getOrDefault(functionName, callDefaults);
  }

  /** A builder with the built-in defaults. */
  public static Builder builder() {
    return new Builder();
  }

  /** A builder starting from these values. */
  public Builder toBuilder() {
    Builder b = new Builder();
    b.blobRoot = blobRoot;
    b.pipelineId = pipelineId;
    b.shell = shell;
    b.callDefaults = callDefaults;
    b.functions.putAll(functions);
    b.allowedPackages.addAll(allowedPackages);
    b.maxConcurrentCalls = maxConcurrentCalls;
    b.remoteEnvironment.putAll(remoteEnvironment);
    b.lease = lease;
    b.blobSettings.putAll(blobSettings);
    b.progress = progress;
    return b;
  }

  /** Builder for {@link RuntimeOptions}; not thread-safe. */
  public static final class Builder {
    private String blobRoot = normalizedRoot(defaultBlobRoot());
    private String pipelineId = DEFAULT_PIPELINE_ID;
    private String shell = DEFAULT_SHELL;
    private CallOptions callDefaults = CallOptions.DEFAULTS;
    private final Map<String, CallOptions> functions = new LinkedHashMap<>();
    private final Set<String> allowedPackages = new LinkedHashSet<>();
    private int maxConcurrentCalls = 512;
    private final Map<String, String> remoteEnvironment = new LinkedHashMap<>();
    private LeaseOptions lease = LeaseOptions.DEFAULTS;
    private final Map<String, String> blobSettings = new LinkedHashMap<>();
    private Progress progress = Progress.AUTO;

    private Builder() {}

    /** Where fan-out progress is reported. Defaults to {@link Progress#AUTO}. */
    public Builder progress(Progress progress) {
      this.progress = Objects.requireNonNull(progress, "progress");
      return this;
    }

    /**
     * A backend setting used to open {@link #blobRoot(String)}, such as {@code endpoint} or {@code
     * region} (see each store's provider). Never credentials. None by default.
     */
    public Builder blobSetting(String name, String value) {
      blobSettings.put(Objects.requireNonNull(name, "name"), Objects.requireNonNull(value, "value"));
      return this;
    }

    /** Lease timing. Defaults to {@link LeaseOptions#DEFAULTS}. */
    public Builder lease(LeaseOptions lease) {
      this.lease = Objects.requireNonNull(lease, "lease");
      return this;
    }

    /**
     * Memo store root URI. Defaults to {@code ~/.pureremote} (a local folder). Trailing slashes
     * are dropped.
     *
     * @throws IllegalArgumentException when it is not a URI
     */
    public Builder blobRoot(String blobRoot) {
      this.blobRoot = normalizedRoot(blobRoot);
      return this;
    }

    private static String normalizedRoot(String blobRoot) {
      Objects.requireNonNull(blobRoot, "blobRoot");
      if (!blobRoot.contains(":")) {
        throw new IllegalArgumentException("blobRoot '" + blobRoot + "' is not a URI: use e.g. file:///data/memo or s3://bucket/prefix");
      }
      while (blobRoot.endsWith("/") && !blobRoot.endsWith(":///")) {
        blobRoot = blobRoot.substring(0, blobRoot.length() - 1);
      }
      return blobRoot;
    }

    /**
     * Pipeline id. Defaults to {@value RuntimeOptions#DEFAULT_PIPELINE_ID}.
     *
     * @throws IllegalArgumentException when it cannot be one segment of a memo path
     */
    public Builder pipelineId(String pipelineId) {
      io.pureremote.internal.MemoKey.checkPipelineId(Objects.requireNonNull(pipelineId, "pipelineId"));
      this.pipelineId = pipelineId;
      return this;
    }

    /**
     * Shell name. Defaults to {@value RuntimeOptions#DEFAULT_SHELL}.
     *
     * @throws IllegalArgumentException when blank
     */
    public Builder shell(String shell) {
      Objects.requireNonNull(shell, "shell");
      if (shell.isBlank()) {
        throw new IllegalArgumentException("shell must not be blank; use local, in-process or a registered shell name");
      }
      this.shell = shell;
      return this;
    }

    /** Call options for every function. Defaults to {@link CallOptions#DEFAULTS}. */
    public Builder callDefaults(CallOptions callDefaults) {
      this.callDefaults = Objects.requireNonNull(callDefaults, "callDefaults");
      return this;
    }

    /** Call options for one function, by name. None by default. */
    public Builder function(String functionName, CallOptions options) {
      functions.put(Objects.requireNonNull(functionName, "functionName"), Objects.requireNonNull(options, "options"));
      return this;
    }

    /**
     * Extra packages (and their subpackages) whose classes may appear in payloads. None by default.
     *
     * @throws IllegalArgumentException when a name is not a Java package name (nothing is added then)
     */
    public Builder allowPackages(String... packages) {
      for (String p : packages) {
        packageNameProblem(p).ifPresent(problem -> {
          throw new IllegalArgumentException("allowPackages: " + problem + " (give the package itself, without a"
              + " trailing dot, wildcard or class name; its subpackages are allowed too)");
        });
      }
      allowedPackages.addAll(List.of(packages));
      return this;
    }

    /**
     * Upper bound on calls in flight in one runtime. Defaults to 512.
     *
     * @throws IllegalArgumentException when below 1
     */
    public Builder maxConcurrentCalls(int maxConcurrentCalls) {
      if (maxConcurrentCalls < 1) {
        throw new IllegalArgumentException("maxConcurrentCalls must be >= 1, got " + maxConcurrentCalls);
      }
      this.maxConcurrentCalls = maxConcurrentCalls;
      return this;
    }

    /** An environment variable for every remote process. None by default. */
    public Builder remoteEnvironment(String name, String value) {
      remoteEnvironment.put(Objects.requireNonNull(name, "name"), Objects.requireNonNull(value, "value"));
      return this;
    }

    /** The options. */
    public RuntimeOptions build() {
      return new RuntimeOptions(this);
    }
  }
}
