package io.pureremote;

import io.pureremote.internal.Ranges;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
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
  private final boolean sharedFolder;

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
    sharedFolder = b.sharedFolder;
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

  /**
   * Whether a {@code file:} blob root is a folder every remote process also reads at the same path
   * (a network mount every pod mounts), which lets shells that run elsewhere use it; see {@link
   * Builder#sharedFolder}.
   */
  public boolean sharedFolder() {
    return sharedFolder;
  }

  @Override
  public boolean equals(Object o) {
    return o instanceof RuntimeOptions other && blobRoot.equals(other.blobRoot) && pipelineId.equals(other.pipelineId)
        && shell.equals(other.shell) && callDefaults.equals(other.callDefaults) && functions.equals(other.functions)
        && allowedPackages.equals(other.allowedPackages) && maxConcurrentCalls == other.maxConcurrentCalls
        && remoteEnvironment.equals(other.remoteEnvironment) && lease.equals(other.lease)
        && blobSettings.equals(other.blobSettings) && progress.equals(other.progress)
        && sharedFolder == other.sharedFolder;
  }

  @Override
  public int hashCode() {
    return Objects.hash(blobRoot, pipelineId, shell, callDefaults, functions, allowedPackages, maxConcurrentCalls,
        remoteEnvironment, lease, blobSettings, progress, sharedFolder);
  }

  /** The settings, with environment values and blob settings left out (they may be long or private). */
  @Override
  public String toString() {
    return "RuntimeOptions[blobRoot=" + blobRoot + ", pipelineId=" + pipelineId + ", shell=" + shell
        + ", callDefaults=" + callDefaults + ", functions=" + functions + ", allowedPackages=" + allowedPackages
        + ", maxConcurrentCalls=" + maxConcurrentCalls + ", remoteEnvironment=" + remoteEnvironment.keySet()
        + ", lease=" + lease + ", blobSettings=" + blobSettings.keySet() + ", progress=" + progress
        + ", sharedFolder=" + sharedFolder + "]";
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
    b.sharedFolder = sharedFolder;
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
    private boolean sharedFolder;

    private Builder() {}

    /**
     * Declares that a {@code file:} blob root is a folder every remote process reads at the same
     * path, e.g. a network mount (NFS, Azure Files, EFS) that every pod also mounts there. Without
     * it, building a runtime whose shell runs calls elsewhere (the Kubernetes Job, pool, MPI and
     * torch shells) on a {@code file:} root fails, since a pod cannot read this machine's folder.
     * Defaults to false.
     */
    public Builder sharedFolder(boolean shared) {
      this.sharedFolder = shared;
      return this;
    }

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
      Ranges.atLeast("maxConcurrentCalls", 1, maxConcurrentCalls);
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

  /**
   * Timing of the per-call leases that make a call run once even when several processes ask for it
   * at the same time. Immutable; build with {@link #builder()}: each setter checks its own value,
   * {@link Builder#build()} the relations between them, naming every problem at once.
   *
   * <p>A caller that misses the memo takes the call's lease with a conditional create before
   * launching; the lease names its holder and an expiry, and is renewed (by the caller while it
   * waits and by the remote process while it runs) every {@link #renewEvery()}. Another caller that
   * finds a live lease does not launch: it polls the one result object with back-off between {@link
   * #pollInitial()} and {@link #pollMax()}, and takes the call over only after the lease expires.
   */
  public static final class LeaseOptions {
    private static final Duration MIN_EXPIRY = Duration.ofMillis(100);

    /** 90 s expiry, renewed every 45 s; polling from 0.5 s up to 15 s. */
    public static final LeaseOptions DEFAULTS =
        new LeaseOptions(Duration.ofSeconds(90), Duration.ofSeconds(45), Duration.ofMillis(500), Duration.ofSeconds(15));

    private final Duration expiry;
    private final Duration renewEvery;
    private final Duration pollInitial;
    private final Duration pollMax;

    private LeaseOptions(Duration expiry, Duration renewEvery, Duration pollInitial, Duration pollMax) {
      this.expiry = expiry;
      this.renewEvery = renewEvery;
      this.pollInitial = pollInitial;
      this.pollMax = pollMax;
    }

    /** A builder starting from {@link #DEFAULTS}. */
    public static Builder builder() {
      return new Builder(DEFAULTS);
    }

    /** A builder starting from these values. */
    public Builder toBuilder() {
      return new Builder(this);
    }

    /** How long a lease lives without renewal. */
    public Duration expiry() {
      return expiry;
    }

    /** How often holders renew; less than {@link #expiry()}. */
    public Duration renewEvery() {
      return renewEvery;
    }

    /** First wait between result checks while another process holds the lease. */
    public Duration pollInitial() {
      return pollInitial;
    }

    /** Longest wait between result checks. */
    public Duration pollMax() {
      return pollMax;
    }

    @Override
    public boolean equals(Object o) {
      return o instanceof LeaseOptions other && expiry.equals(other.expiry) && renewEvery.equals(other.renewEvery)
          && pollInitial.equals(other.pollInitial) && pollMax.equals(other.pollMax);
    }

    @Override
    public int hashCode() {
      return Objects.hash(expiry, renewEvery, pollInitial, pollMax);
    }

    @Override
    public String toString() {
      return "LeaseOptions[expiry=" + expiry + ", renewEvery=" + renewEvery + ", pollInitial=" + pollInitial
          + ", pollMax=" + pollMax + "]";
    }

    /** Builder for {@link LeaseOptions}; not thread-safe. */
    public static final class Builder {
      private Duration expiry;
      private Duration renewEvery;
      private Duration pollInitial;
      private Duration pollMax;

      private Builder(LeaseOptions from) {
        expiry = from.expiry;
        renewEvery = from.renewEvery;
        pollInitial = from.pollInitial;
        pollMax = from.pollMax;
      }

      /**
       * Lease lifetime without renewal. Defaults to 90 s; also sets renewEvery to half of it.
       *
       * @throws IllegalArgumentException when shorter than 100 ms
       */
      public Builder expiry(Duration expiry) {
        Objects.requireNonNull(expiry, "expiry");
        if (expiry.compareTo(MIN_EXPIRY) < 0) {
          throw new IllegalArgumentException("lease expiry must be >= 100 ms, got " + expiry);
        }
        this.expiry = expiry;
        this.renewEvery = expiry.dividedBy(2);
        return this;
      }

      /**
       * Renewal interval, less than the expiry (checked at {@link #build()}). Defaults to half the expiry.
       *
       * @throws IllegalArgumentException when not positive
       */
      public Builder renewEvery(Duration renewEvery) {
        this.renewEvery = positive("renewEvery", renewEvery);
        return this;
      }

      /**
       * First poll interval while waiting on another holder, at most pollMax (checked at {@link
       * #build()}). Defaults to 0.5 s.
       *
       * @throws IllegalArgumentException when not positive
       */
      public Builder pollInitial(Duration pollInitial) {
        this.pollInitial = positive("pollInitial", pollInitial);
        return this;
      }

      /**
       * Longest poll interval. Defaults to 15 s.
       *
       * @throws IllegalArgumentException when not positive
       */
      public Builder pollMax(Duration pollMax) {
        this.pollMax = positive("pollMax", pollMax);
        return this;
      }

      /**
       * The options.
       *
       * @throws IllegalArgumentException naming every relation that does not hold (renewEvery &lt;
       *     expiry, pollInitial &lt;= pollMax)
       */
      public LeaseOptions build() {
        List<String> problems = new ArrayList<>();
        if (renewEvery.compareTo(expiry) >= 0) {
          problems.add("lease renewEvery must be > 0 and < expiry (" + expiry + "), got " + renewEvery);
        }
        if (pollMax.compareTo(pollInitial) < 0) {
          problems.add("lease polling needs 0 < pollInitial <= pollMax, got " + pollInitial + " and " + pollMax);
        }
        if (!problems.isEmpty()) {
          throw new IllegalArgumentException(String.join("; ", problems));
        }
        return new LeaseOptions(expiry, renewEvery, pollInitial, pollMax);
      }

      private static Duration positive(String name, Duration value) {
        Objects.requireNonNull(value, name);
        if (value.isNegative() || value.isZero()) {
          throw new IllegalArgumentException("lease " + name + " must be > 0, got " + value);
        }
        return value;
      }
    }
  }

  /**
   * Where a runtime reports the progress of its calls: done, running, cached and failed counts and
   * an ETA, for {@link RemoteRuntime#map} fan-outs and concurrent asynchronous calls alike.
   *
   * <p>Counts cover one <em>burst</em>: from a call submitted while the runtime was idle to the
   * moment no call is outstanding any more. A {@code map} over 10,000 inputs is one burst; so are
   * asynchronous calls that overlap it. Bursts shorter than a second (a terminal) or ten seconds (a
   * log) report nothing, so single quick calls stay quiet.
   *
   * <pre>{@code
   * pureremote: 812/10000 done (640 cached, 3 failed), 150 running, 9038 queued — ETA 4m12s
   * }</pre>
   */
  public enum Progress {
    /** {@link #TERMINAL} when stderr looks like an interactive terminal, else {@link #LOG}. The default. */
    AUTO,
    /** One line on stderr, redrawn in place with {@code \r} a few times a second, ended by a newline. */
    TERMINAL,
    /** An SLF4J INFO line at a low rate: every 10 % of the calls, and at least every minute. */
    LOG,
    /** No progress output. */
    OFF
  }
}
