package io.pureremote.spi;

import java.util.TreeMap;
import java.util.ServiceLoader;
import io.pureremote.internal.RoutingShell;
import io.pureremote.internal.RemoteEntry;
import io.pureremote.internal.InProcessShell;
import io.pureremote.FunctionId;
import io.pureremote.internal.WorkerFrames;
import java.io.BufferedInputStream;
import java.io.BufferedOutputStream;
import java.io.DataInputStream;
import java.io.DataOutputStream;
import java.io.IOException;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;
import java.util.OptionalInt;
import java.util.Set;
import java.util.TreeSet;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import java.util.function.Function;

/**
 * Runs one invocation somewhere: in this JVM, in a child JVM, in a Kubernetes Job. A shell only
 * starts {@code RemoteMain run <memo uri>} and reports how it ended; the call's value or error
 * always comes from the blob store, never from the shell.
 *
 * <p>Implementations are thread-safe; {@link #launch} must not block for the run itself.
 */
public interface Shell extends AutoCloseable {

  /** A short name for logs and configuration, e.g. {@code in-process}, {@code local}. */
  String name();

  /**
   * Starts the invocation described by {@code request}. Failures to start are reported through
   * the returned launch's {@link Launch#completion()}, completed exceptionally with a {@link
   * io.pureremote.ShellException}.
   */
  Launch launch(LaunchRequest request);

  /**
   * How this shell wants misses of {@code function} collected into groups for {@link
   * #launchGroup}. The default, {@link LaunchGroup.Policy#NONE}, launches every miss on its own.
   * Must be cheap: the pipeline asks on every miss.
   */
  default LaunchGroup.Policy grouping(io.pureremote.FunctionId function) {
    return LaunchGroup.Policy.NONE;
  }

  /**
   * Starts every member of {@code group} and returns one launch per request, in the group's
   * order; each launch ends, and is cancelled, on its own (cancelling one member must not stop
   * the others). Must not block for the runs. The default launches each request with {@link
   * #launch}.
   */
  default java.util.List<Launch> launchGroup(LaunchGroup group) {
    return group.requests().stream().map(this::launch).toList();
  }

  /**
   * Whether the processes this shell starts run on this machine, and so read a {@code file:} blob
   * root at the caller's path. True by default (the in-process, child-JVM and local-pool shells);
   * a shell whose processes run elsewhere, such as a pod, returns false, and the runtime then
   * refuses a {@code file:} root at build unless the caller declares the folder shared ({@link
   * io.pureremote.RuntimeOptions.Builder#sharedFolder}).
   */
  default boolean readsCallerFolders() {
    return true;
  }

  /** Stops what the shell still runs and releases its threads. The default does nothing. */
  @Override
  default void close() {}

  /**
   * Creates the shell registered as {@code name} with no settings, found with this library's class
   * loader: {@code Shell.create("local")}.
   *
   * @throws IllegalArgumentException when no provider has that name; the message lists the names
   *     available on the class path
   */
  static Shell create(String name) {
    return create(name, Settings.empty(), Shell.class.getClassLoader());
  }

  /**
   * Creates the shell registered as {@code name} from settings in the shape its TOML table has
   * (keys such as {@code max-processes}; values strings, numbers, booleans, lists or tables):
   * {@code Shell.create("local", Map.of("jvm-args", List.of("-Xmx2g")))}.
   *
   * @throws IllegalArgumentException when no provider has that name, naming each unknown key and
   *     each value the shell refuses
   */
  static Shell create(String name, Map<String, ?> settings) {
    return create(name, Settings.builder("code").putAll(settings).build(), Shell.class.getClassLoader());
  }

  /**
   * Creates the shell registered as {@code name}.
   *
   * @throws IllegalArgumentException when no provider has that name; the message lists the names
   *     available on the class path
   */
  static Shell create(String name, Settings settings, ClassLoader loader) {
    return provider(name, providers(loader)).create(settings);
  }

  /** The providers {@code loader} finds, by shell name; the first of a name wins. */
  static Map<String, Provider> providers(ClassLoader loader) {
    Map<String, Provider> available = new TreeMap<>();
    for (Provider provider : ServiceLoader.load(Provider.class, loader)) {
      available.putIfAbsent(provider.name(), provider);
    }
    return available;
  }

  /**
   * The provider named {@code name} among {@code available}.
   *
   * @throws IllegalArgumentException when none has that name; the message lists the names
   *     available on the class path
   */
  static Provider provider(String name, Map<String, Provider> available) {
    Provider provider = available.get(name);
    if (provider == null) {
      throw new IllegalArgumentException("No shell named '" + name + "'. Available: " + new TreeMap<>(available).keySet()
          + ". Add the backend module (e.g. pureremote-k8s-shell for 'kubernetes') to the class path.");
    }
    return provider;
  }

  /**
   * The {@code in-process} shell: runs each call on a virtual thread in this JVM, through the same
   * store round trip as every other shell, opening the store from the memo URI.
   */
  static Shell inProcess() {
    return new InProcessShell();
  }

  /**
   * The {@code in-process} shell running every call against {@code store} (which the shell does
   * not close), e.g. a decorated or instrumented store in a test.
   */
  static Shell inProcess(BlobStore store) {
    return new InProcessShell(store);
  }

  /**
   * A shell that sends each call to the shell configured for its function ({@code
   * com.acme.Fns#score}) and every other call to {@code fallback}: how per-function settings reach
   * the launch without the pipeline knowing. Closing it closes every distinct delegate once.
   */
  static Shell routing(Shell fallback, Map<String, Shell> byFunction) {
    return new RoutingShell(fallback, byFunction);
  }

  /**
   * Runs {@code RemoteMain} with {@code args} ({@link LaunchRequest#remoteMainArgs()}, or the
   * container arguments of a pod) in this JVM with {@code environment} in place of the process's
   * (the blob store settings, {@code JOB_COMPLETION_INDEX}), and returns its exit code: for code
   * that plays a pod or a child JVM inside its own JVM, such as a test kubelet. Never exits the JVM.
   */
  static int runRemoteMain(List<String> args, Map<String, String> environment) {
    return RemoteEntry.run(args.toArray(String[]::new), environment);
  }

  /**
   * Creates {@link Shell}s by name, found through {@link java.util.ServiceLoader}: list the
   * implementation in {@code META-INF/services/io.pureremote.spi.Provider}.
   *
   * <p>The assembly from configuration calls {@link #create} once per distinct {@link
   * Shell.Settings} (a function with its own image or resources gets its own shell) on one provider
   * instance, so shells made by one instance may share resources such as a cluster client; each
   * shell is closed by whoever created it. Code may pass a configured instance of its own (e.g. with
   * a client it owns) instead of the one {@code ServiceLoader} finds.
   */
  public interface Provider {
    /** The shell name this provider creates, e.g. {@code local}, {@code kubernetes}. */
    String name();

    /**
     * Creates a shell from its resolved settings.
     *
     * @throws IllegalArgumentException naming each unknown key and each value the shell refuses
     */
    Shell create(Shell.Settings settings);
  }

  /**
   * The resolved settings of one shell, as a {@link Shell.Provider} receives them: the values of the
   * shell's configuration table (for {@code kubernetes}: {@code [kubernetes]} with the selected
   * team's values and one function's overrides laid over it), keyed by their names inside that
   * table ({@code namespace}, {@code resources.cpu}, {@code workload-identity.namespaces}).
   *
   * <p>Values are typed: {@link String}, {@link Integer}, {@link Double}, {@link Boolean}, {@link
   * Duration}, a {@code List<String>}, a {@code List<Map<String, String>>} (e.g. tolerations) or a
   * {@code Map<String, String>} (e.g. plain environment variables). Configuration has checked the
   * types and value rules it knows; a provider reads what it understands and refuses the rest with
   * {@link #unknownKeys(Set)}. Two settings are equal when their values are, so equal settings can
   * share one shell. Immutable and thread-safe.
   *
   * <pre>{@code
   * Settings s = Settings.builder("code")
   *     .put("image", "team/app:1")
   *     .put("resources.memory", "4Gi")
   *     .put("pending-timeout", Duration.ofMinutes(5))
   *     .build();
   * }</pre>
   */
  public static final class Settings {
    private static final Settings EMPTY = new Settings("defaults", Map.of());
    private static final List<Class<?>> TYPES = List.of(String.class, Integer.class, Double.class, Boolean.class,
        Duration.class, List.class, Map.class);

    private final String source;
    private final Map<String, Object> values;

    private Settings(String source, Map<String, Object> values) {
      this.source = source;
      this.values = Collections.unmodifiableMap(new LinkedHashMap<>(values));
    }

    /** No settings: every provider's defaults. */
    public static Settings empty() {
      return EMPTY;
    }

    /**
     * A builder.
     *
     * @param source where the settings come from, for error messages (a file name, {@code code})
     */
    public static Builder builder(String source) {
      return new Builder(source);
    }

    /** Where the settings come from, for error messages. */
    public String source() {
      return source;
    }

    /** The keys present, in the order they were put. */
    public Set<String> keys() {
      return values.keySet();
    }

    /** Every value, by key. */
    public Map<String, Object> values() {
      return values;
    }

    /** Whether no key is present. */
    public boolean isEmpty() {
      return values.isEmpty();
    }

    /** A text value. */
    public Optional<String> string(String key) {
      return typed(key, String.class, "text");
    }

    /** A whole number. */
    public Optional<Integer> integer(String key) {
      return typed(key, Integer.class, "a whole number");
    }

    /** A number; a whole number is accepted too. */
    public Optional<Double> decimal(String key) {
      Object v = values.get(key);
      return v instanceof Integer i ? Optional.of(i.doubleValue()) : typed(key, Double.class, "a number");
    }

    /** {@code true} or {@code false}. */
    public Optional<Boolean> bool(String key) {
      return typed(key, Boolean.class, "true or false");
    }

    /**
     * A duration: a {@link Duration}, or text in the form {@link #parseDuration} reads (a TOML shell
     * table writes {@code ttl-after-finished = "1h"}).
     */
    public Optional<Duration> duration(String key) {
      if (values.get(key) instanceof String text) {
        try {
          return Optional.of(parseDuration(text));
        } catch (IllegalArgumentException e) {
          throw new IllegalArgumentException(key + " in " + source + ": " + e.getMessage());
        }
      }
      return typed(key, Duration.class, "a duration");
    }

    /**
     * Parses the one duration syntax of settings and configuration files: {@code 500ms}, {@code
     * 90s}, {@code 10m}, {@code 2h}, {@code 1d}, sums of them ({@code 1h30m}), or ISO-8601 ({@code
     * PT10M}).
     *
     * @throws IllegalArgumentException naming the accepted forms
     */
    public static Duration parseDuration(String text) {
      String v = text.strip();
      if (DURATION.matcher(v).matches()) {
        Duration total = Duration.ZERO;
        java.util.regex.Matcher m = DURATION_PART.matcher(v);
        while (m.find()) {
          long n = Long.parseLong(m.group(1));
          total = total.plus(switch (m.group(2)) {
            case "ms" -> Duration.ofMillis(n);
            case "s" -> Duration.ofSeconds(n);
            case "m" -> Duration.ofMinutes(n);
            case "h" -> Duration.ofHours(n);
            default -> Duration.ofDays(n);
          });
        }
        return total;
      }
      if (v.startsWith("P") || v.startsWith("p")) {
        try {
          return Duration.parse(v);
        } catch (java.time.format.DateTimeParseException e) {
          // fall through to the common message
        }
      }
      throw new IllegalArgumentException("expected " + DURATION_EXAMPLES + ", got \"" + text + "\"");
    }

    /** How messages describe the accepted duration forms. */
    public static final String DURATION_EXAMPLES = "a duration such as \"90s\", \"10m\", \"2h\", \"1h30m\" or \"PT10M\"";
    private static final java.util.regex.Pattern DURATION_PART = java.util.regex.Pattern.compile("(\\d+)(ms|s|m|h|d)");
    private static final java.util.regex.Pattern DURATION = java.util.regex.Pattern.compile("(\\d+(ms|s|m|h|d))+");

    /** A list of text values; empty when absent. */
    public List<String> strings(String key) {
      return listOf(key, String.class, "a list of text values");
    }

    /** A list of tables of text values (e.g. tolerations); empty when absent. */
    @SuppressWarnings("unchecked")
    public List<Map<String, String>> tables(String key) {
      return (List<Map<String, String>>) (List<?>) listOf(key, Map.class, "a list of tables");
    }

    /** A table of text values (e.g. environment variables); empty when absent. */
    @SuppressWarnings("unchecked")
    public Map<String, String> table(String key) {
      return (Map<String, String>) typed(key, Map.class, "a table of text values").orElse(Map.of());
    }

    /**
     * Refuses keys outside {@code known}.
     *
     * @throws IllegalArgumentException naming the unknown keys, the source and the known keys
     */
    public void unknownKeys(Set<String> known) {
      Set<String> unknown = new TreeSet<>(values.keySet());
      unknown.removeAll(known);
      if (!unknown.isEmpty()) {
        throw new IllegalArgumentException("unknown setting(s) " + unknown + " in " + source + "; known: "
            + new TreeSet<>(known));
      }
    }

    private <T> Optional<T> typed(String key, Class<T> type, String expected) {
      Object v = values.get(key);
      if (v == null) {
        return Optional.empty();
      }
      if (!type.isInstance(v)) {
        throw wrongType(key, expected, v);
      }
      return Optional.of(type.cast(v));
    }

    private <T> List<T> listOf(String key, Class<T> element, String expected) {
      Object v = values.get(key);
      if (v == null) {
        return List.of();
      }
      if (!(v instanceof List<?> list) || !list.stream().allMatch(element::isInstance)) {
        throw wrongType(key, expected, v);
      }
      List<T> result = new ArrayList<>();
      list.forEach(o -> result.add(element.cast(o)));
      return List.copyOf(result);
    }

    private IllegalArgumentException wrongType(String key, String expected, Object v) {
      return new IllegalArgumentException(key + " in " + source + " must be " + expected + ", got "
          + v.getClass().getSimpleName() + " " + v);
    }

    @Override
    public boolean equals(Object o) {
      return o instanceof Settings other && values.equals(other.values);
    }

    @Override
    public int hashCode() {
      return values.hashCode();
    }

    @Override
    public String toString() {
      return "Settings" + values + " from " + source;
    }

    /** Builder for {@link Settings}; not thread-safe. */
    public static final class Builder {
      private final String source;
      private final Map<String, Object> values = new LinkedHashMap<>();

      private Builder(String source) {
        this.source = Objects.requireNonNull(source, "source");
      }

      /**
       * Sets {@code key}; a {@code null} value removes it.
       *
       * @throws IllegalArgumentException when the value is not one of the types listed on {@link
       *     Settings}
       */
      public Builder put(String key, Object value) {
        Objects.requireNonNull(key, "key");
        if (value == null) {
          values.remove(key);
          return this;
        }
        if (TYPES.stream().noneMatch(t -> t.isInstance(value))) {
          throw new IllegalArgumentException("setting " + key + " has type " + value.getClass().getName()
              + "; use text, Integer, Double, Boolean, Duration, a List or a Map");
        }
        values.put(key, value instanceof List<?> l ? l.stream().map(Builder::frozen).toList() : frozen(value));
        return this;
      }

      private static Object frozen(Object value) {
        return value instanceof Map<?, ?> m ? Collections.unmodifiableMap(new LinkedHashMap<>(m)) : value;
      }

      /** Sets every entry of {@code settings}. */
      public Builder putAll(Map<String, ?> settings) {
        settings.forEach(this::put);
        return this;
      }

      /** The settings. */
      public Settings build() {
        return new Settings(source, values);
      }
    }
  }

  /** A started invocation: how it ends, and a way to stop it. */
  public interface Launch {
    /**
     * Completes when the process or Job has ended, with how it ended. Completes exceptionally with
     * a {@link io.pureremote.ShellException} when it could not be started or watched.
     */
    CompletableFuture<Outcome> completion();

    /** Stops the invocation if it still runs (kills the process, deletes the Job). Idempotent. */
    void cancel();

    /** Where it runs, for logs: {@code pid 4711}, {@code job ns/name}. */
    String description();

    /**
     * Whether it waits in a queue of the place it runs, not yet admitted to run (e.g. a Kubernetes
     * Job that Kueue holds suspended): progress lines count such calls apart from the running ones.
     * Defaults to false; must be cheap and never block (progress lines ask several times a second).
     */
    default boolean queued() {
      return false;
    }
  }

  /**
   * What a {@link Shell} needs to start one invocation.
   *
   * @param memoUri the memo entry URI; the remote side runs {@code RemoteMain run <memoUri>}
   * @param function the function's identity, for names and labels
   * @param argsHash the canonical arguments hash (hex), for names and labels
   * @param environment extra environment variables the remote process must see (e.g. blob store
   *     settings); never credentials
   * @param holder the id of the call's lease the caller holds for this launch, or {@code null} when
   *     it holds none. The remote side refuses to run (exit {@value Outcome#EXIT_LEASE_LOST}, nothing
   *     committed) when the entry's invocation or lease names another holder by then: the call was
   *     taken over, and this launch is an orphan of the caller that made it. A shell passes it on
   *     with {@link #remoteMainArgs()}.
   */
  public record LaunchRequest(
      String memoUri, FunctionId function, String argsHash, Map<String, String> environment, String holder) {

    /** Validates and copies. */
    public LaunchRequest {
      Objects.requireNonNull(memoUri, "memoUri");
      Objects.requireNonNull(function, "function");
      Objects.requireNonNull(argsHash, "argsHash");
      environment = Map.copyOf(environment);
      if (holder != null && !holder.matches("[A-Za-z0-9._-]{1,128}")) {
        throw new IllegalArgumentException("A lease holder id is 1 to 128 letters, digits, '.', '_' or '-'; got '"
            + holder + "'");
      }
    }

    /** A request launched outside a lease (no holder for the remote side to check). */
    public LaunchRequest(String memoUri, FunctionId function, String argsHash, Map<String, String> environment) {
      this(memoUri, function, argsHash, environment, null);
    }

    /**
     * The remote side's entry point, the class an image's entrypoint or a child JVM's command line
     * starts: {@code java -cp <app> io.pureremote.RemoteMain run <memoUri>}.
     */
    public static final String MAIN_CLASS = "io.pureremote.RemoteMain";

    /**
     * Arguments for {@link #MAIN_CLASS}: {@code run <memoUri>}, followed by {@code --holder
     * <holder>} when the request has a holder.
     */
    public List<String> remoteMainArgs() {
      return holder == null ? List.of("run", memoUri) : List.of("run", memoUri, "--holder", holder);
    }

    /** A short label for logs: function name and the first 8 hex digits of the hash. */
    public String shortLabel() {
      return function.name() + "@" + function.version() + "/" + argsHash.substring(0, Math.min(8, argsHash.length()));
    }
  }

  /**
   * How a launched invocation ended, as the shell saw it. It says nothing about the value: the
   * pipeline reads {@code result} or {@code error} from the blob store and uses the outcome only to
   * explain a run that committed neither.
   *
   * @param reason machine-readable reason: {@code Exited}, {@code Killed}, {@code OOMKilled}, ...
   * @param exitCode the process exit code, or {@code null} when there is none
   * @param detail human-readable detail (last log lines, the Kubernetes message), may be empty
   */
  public record Outcome(String reason, Integer exitCode, String detail) {
    /** {@code RemoteMain}: the function ran and its result is stored (or an earlier run had stored it). */
    public static final int EXIT_OK = 0;

    /**
     * {@code RemoteMain}: the function threw and its error record is stored. Final: shells must not
     * retry it (a Kubernetes Job fails it through its pod failure policy).
     */
    public static final int EXIT_FUNCTION_FAILED = 42;

    /** {@code RemoteMain}: bad command line. */
    public static final int EXIT_USAGE = 64;

    /** {@code RemoteMain}: the library could not run the function (unreadable invocation, missing class, storage). */
    public static final int EXIT_INFRASTRUCTURE = 70;

  /**
   * {@code RemoteMain}: the call's lease is another holder's (taken over while this run went on, or
   * before it started: a launch whose {@code --holder} the entry no longer names); this run
   * committed nothing.
   */
    public static final int EXIT_LEASE_LOST = 75;

    /** Validates. */
    public Outcome {
      Objects.requireNonNull(reason, "reason");
      detail = detail == null ? "" : detail;
    }

    /** A process that exited with {@code code}. */
    public static Outcome exited(int code, String detail) {
      return new Outcome("Exited", code, detail);
    }

    /** The exit code, when there is one. */
    public OptionalInt exitCodeIfAny() {
      return exitCode == null ? OptionalInt.empty() : OptionalInt.of(exitCode);
    }
  }

  /**
   * Misses of one function that the pipeline collected over a short window and hands to a shell
   * together ({@link Shell#launchGroup}), so a shell that can run many calls as one unit (a
   * Kubernetes Indexed Job) does so. Every request in it is a call this process holds the lease
   * of, with its invocation already written: hits and calls leased by another process never get
   * here.
   *
   * <p>A shell that runs several requests as one unit asks for a <em>batch manifest</em> ({@link
   * #writeManifest}): a small blob in the store listing the members' memo URIs by index, which the
   * remote side reads with {@code RemoteMain batch <manifest uri>}, picking its member by the
   * {@code JOB_COMPLETION_INDEX} environment variable. The pipeline owns the manifest's format and
   * where it lives; shells only pass its URI on.
   */
  public static final class LaunchGroup {
    private final FunctionId function;
    private final List<LaunchRequest> requests;
    private final Function<List<LaunchRequest>, String> manifestWriter;

    /**
     * A group (the pipeline makes these; tests of a shell may too).
     *
     * @param requests the members, all of one function, at least one
     * @param manifestWriter writes a manifest of the given members (in that order) to the store and
     *     returns its URI
     */
    public LaunchGroup(List<LaunchRequest> requests, Function<List<LaunchRequest>, String> manifestWriter) {
      this.requests = List.copyOf(requests);
      if (this.requests.isEmpty()) {
        throw new IllegalArgumentException("A launch group needs at least one request");
      }
      this.function = this.requests.getFirst().function();
      for (LaunchRequest r : this.requests) {
        if (!r.function().equals(function)) {
          throw new IllegalArgumentException("A launch group holds calls of one function; got " + function + " and "
              + r.function());
        }
      }
      this.manifestWriter = Objects.requireNonNull(manifestWriter, "manifestWriter");
    }

    /** The function every member calls. */
    public FunctionId function() {
      return function;
    }

    /** The members, in the order they were collected. */
    public List<LaunchRequest> requests() {
      return requests;
    }

    /**
     * Writes a batch manifest listing {@code members} (a sub-list of {@link #requests()}) by index,
     * 0 to {@code members.size() - 1}, and returns its URI. Blocks for one store write.
     *
     * @throws IllegalArgumentException when a member is not in this group
     */
    public String writeManifest(List<LaunchRequest> members) {
      if (members.isEmpty() || !requests.containsAll(members)) {
        throw new IllegalArgumentException("A batch manifest lists members of its group, at least one");
      }
      return manifestWriter.apply(List.copyOf(members));
    }

    /** Arguments for {@code io.pureremote.RemoteMain} running one member of a manifest: {@code batch <manifestUri>}. */
    public static List<String> remoteMainArgs(String manifestUri) {
      return List.of("batch", Objects.requireNonNull(manifestUri, "manifestUri"));
    }

    /** The environment variable a batch member's process reads its index from (an Indexed Job sets it). */
    public static final String INDEX_VARIABLE = "JOB_COMPLETION_INDEX";

    /**
     * How a shell wants misses of one function collected: a group is handed over once no miss has
     * joined it for {@code window}, when {@code maxCalls} are waiting, or 8 windows after its first
     * miss, whichever comes first.
     *
     * @param window how long a group waits for one more miss; zero: no grouping
     * @param maxCalls the most calls in one group (the shell's batch size)
     */
    public record Policy(Duration window, int maxCalls) {
      /** No grouping: every miss is launched on its own with {@link Shell#launch}. */
      public static final Policy NONE = new Policy(Duration.ZERO, 1);

      /** Validates. */
      public Policy {
        Objects.requireNonNull(window, "window");
        if (window.isNegative() || maxCalls < 1) {
          throw new IllegalArgumentException("A launch group policy needs a window >= 0 and maxCalls >= 1, got "
              + window + " and " + maxCalls);
        }
      }

      /** Whether misses are grouped at all. */
      public boolean groups() {
        return !window.isZero() && maxCalls > 1;
      }
    }
  }

  /**
   * The caller's side of {@code pureremote-worker/1} over TCP: one connection to one worker that
   * listens on a port ({@code RemoteMain worker --listen}), for pool shells. Every request carries
   * the pool token; values never cross it (the worker commits {@code result} or {@code error} to the
   * store, the connection only says how a run ended). Thread-safe; many calls share one connection.
   *
   * <p>{@link #run} completes with the run's exit code ({@link Outcome#EXIT_OK}, {@link
   * Outcome#EXIT_FUNCTION_FAILED}, ...), or exceptionally with {@link Refused} (the worker did not
   * run it, or handed it back while draining: run it elsewhere) or an {@link IOException} when the
   * connection broke (the call may still finish there; run it elsewhere, the lease and the
   * write-once commit keep one result). The token is never part of a message, a log line or {@link
   * #toString()}.
   */
  public static final class WorkerConnection implements AutoCloseable {
    private final String address;
    private final byte[] token;
    private final Socket socket;
    private final DataOutputStream out;
    private final DataInputStream in;
    private final Map<String, CompletableFuture<String>> pending = new ConcurrentHashMap<>();
    private volatile IOException broken;

    /** A worker's answer that it did not run a call (or handed it back), with the worker's reason. */
    public static final class Refused extends IOException {
      private static final long serialVersionUID = 1L;
      private final String reason;

      /** A refusal: {@code reason} as the worker gave it ({@code Busy}, {@code RootMismatch}, ...). */
      public Refused(String reason, String message) {
        super(message);
        this.reason = reason;
      }

      /**
       * {@code Unauthorized}, {@code RootMismatch}, {@code BadUri}, {@code Busy}, {@code Draining},
       * {@code BadRequest}, {@code BadFrame} or {@code HandedBack}.
       */
      public String reason() {
        return reason;
      }
    }

    /** A worker's {@code status} answer. */
    public record Status(int slots, int running, boolean draining, String root) {}

    private WorkerConnection(String address, byte[] token, Socket socket) throws IOException {
      this.address = address;
      this.token = token.clone();
      this.socket = socket;
      socket.setTcpNoDelay(true);
      this.out = new DataOutputStream(new BufferedOutputStream(socket.getOutputStream()));
      this.in = new DataInputStream(new BufferedInputStream(socket.getInputStream()));
      Thread.ofVirtual().name("pureremote-worker-client-" + address).start(this::readLoop);
    }

    /**
     * Connects to the worker at {@code host:port} within {@code timeout}.
     *
     * @param token the pool token (from the pool's Secret); copied, never shown
     * @throws IOException when the worker cannot be reached
     */
    public static WorkerConnection open(String host, int port, byte[] token, Duration timeout) throws IOException {
      String problem = WorkerFrames.tokenProblem(token);
      if (problem != null) {
        throw new IllegalArgumentException(problem);
      }
      Socket socket = new Socket();
      try {
        socket.connect(new InetSocketAddress(host, port), (int) Math.min(Integer.MAX_VALUE, timeout.toMillis()));
      } catch (IOException e) {
        socket.close();
        throw new IOException("cannot reach the worker at " + host + ":" + port + ": " + e.getMessage(), e);
      }
      return new WorkerConnection(host + ":" + port, token, socket);
    }

    /** Asks the worker to run the invocation at {@code memoUri} under this connection's call {@code id}. */
    public CompletableFuture<Integer> run(String id, String memoUri) {
    return run(id, memoUri, null);
  }

  /**
   * {@link #run(String, String)} for a call launched under the lease of {@code holder} (the
   * launch request's {@link LaunchRequest#holder()}; {@code null}: none): the worker runs nothing
   * and answers {@value Outcome#EXIT_LEASE_LOST} when the entry names another holder by then.
   */
  public CompletableFuture<Integer> run(String id, String memoUri, String holder) {
    return request(id, "run " + id + " " + memoUri + (holder == null ? "" : " " + holder)).thenApply(reply -> {
        String[] parts = reply.split(" ", 3);
        if (parts[0].equals("done") && parts.length == 3) {
          try {
            return Integer.parseInt(parts[2].trim());
          } catch (NumberFormatException e) {
            // Reported below.
          }
        }
        throw new IllegalStateException("unexpected reply from the worker at " + address + ": " + reply);
      });
    }

    /** Interrupts call {@code id} on the worker; its {@link #run} future then completes with the run's code. */
    public void cancel(String id) {
      try {
        send("cancel " + id);
      } catch (IOException e) {
        // Broken: the run future already failed.
      }
    }

    /** Asks the worker for its slots and load, within {@code timeout}. */
    public Status status(Duration timeout) throws IOException {
      String id = "s" + System.nanoTime();
      try {
        String reply = request(id, "status " + id).get(timeout.toMillis(), TimeUnit.MILLISECONDS);
        Map<String, String> fields = new java.util.HashMap<>();
        for (String part : reply.split(" ")) {
          int eq = part.indexOf('=');
          if (eq > 0) {
            fields.put(part.substring(0, eq), part.substring(eq + 1));
          }
        }
        return new Status(Integer.parseInt(fields.getOrDefault("slots", "0")),
            Integer.parseInt(fields.getOrDefault("running", "0")), Boolean.parseBoolean(fields.get("draining")),
            fields.getOrDefault("root", ""));
      } catch (java.util.concurrent.ExecutionException e) {
        throw e.getCause() instanceof IOException io ? io : new IOException(e.getCause());
      } catch (TimeoutException e) {
        throw new IOException("the worker at " + address + " did not answer a status request within " + timeout);
      } catch (InterruptedException e) {
        Thread.currentThread().interrupt();
        throw new IOException("interrupted");
      }
    }

    /** False once the connection broke or was closed. */
    public boolean isOpen() {
      return broken == null;
    }

    private CompletableFuture<String> request(String id, String message) {
      CompletableFuture<String> reply = new CompletableFuture<>();
      if (pending.putIfAbsent(id, reply) != null) {
        reply.completeExceptionally(new IllegalArgumentException("call " + id + " already runs on this connection"));
        return reply;
      }
      try {
        send(message);
      } catch (IOException e) {
        pending.remove(id);
        reply.completeExceptionally(e);
      }
      return reply;
    }

    private void send(String message) throws IOException {
      IOException b = broken;
      if (b != null) {
        throw new IOException("the connection to the worker at " + address + " is closed: " + b.getMessage());
      }
      synchronized (out) {
        WorkerFrames.write(out, WorkerFrames.request(token, message));
      }
    }

    private void readLoop() {
      IOException end = null;
      try {
        byte[] payload;
        while ((payload = WorkerFrames.read(in)) != null) {
          onReply(new String(payload, StandardCharsets.UTF_8));
        }
        end = new IOException("the worker at " + address + " closed the connection");
      } catch (IOException e) {
        end = broken != null ? broken
            : new IOException("the connection to the worker at " + address + " broke: " + e.getMessage(), e);
      } finally {
        fail(end == null ? new IOException("the connection to the worker at " + address + " ended") : end);
      }
    }

    private void onReply(String reply) {
      String[] parts = reply.split(" ", 3);
      if (parts.length < 2) {
        return;
      }
      if (parts[1].equals("-")) {
        // About the connection (Unauthorized, BadFrame): the worker closes it; fail everything with the reason.
        String rest = parts.length > 2 ? parts[2] : "";
        int colon = rest.indexOf(':');
        String reason = colon > 0 ? rest.substring(0, colon) : rest;
        if (!reason.equals("Unauthorized") && !reason.equals("BadFrame")) {
          return; // a malformed request of ours; its call has no id to fail
        }
        fail(new Refused(reason, "the worker at " + address + " refused the connection: " + rest));
        return;
      }
      CompletableFuture<String> f = pending.remove(parts[1]);
      if (f == null) {
        return;
      }
      switch (parts[0]) {
        case "refused" -> {
          String rest = parts.length > 2 ? parts[2] : "";
          int colon = rest.indexOf(':');
          f.completeExceptionally(new Refused(colon > 0 ? rest.substring(0, colon) : rest,
              "the worker at " + address + " refused call " + parts[1] + ": " + rest));
        }
        case "handback" -> f.completeExceptionally(new Refused("HandedBack",
            "the worker at " + address + " is shutting down and handed call " + parts[1] + " back"));
        default -> f.complete(reply);
      }
    }

    private void fail(IOException cause) {
      if (broken == null) {
        broken = cause;
      }
      for (String id : pending.keySet()) {
        CompletableFuture<String> f = pending.remove(id);
        if (f != null) {
          f.completeExceptionally(cause);
        }
      }
      try {
        socket.close();
      } catch (IOException e) {
        // Closing.
      }
    }

    /** Closes the connection; calls still pending fail with an {@link IOException}. */
    @Override
    public void close() {
      fail(new IOException("the connection to the worker at " + address + " was closed by this side"));
    }

    @Override
    public String toString() {
      return "WorkerConnection[" + address + (broken == null ? "" : ", closed") + "]";
    }
  }
}
