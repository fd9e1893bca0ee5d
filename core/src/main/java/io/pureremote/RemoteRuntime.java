package io.pureremote;

import io.pureremote.RuntimeOptions.LeaseOptions;
import io.pureremote.RuntimeOptions.Progress;
import io.pureremote.internal.CallPipeline;
import io.pureremote.internal.FolderRootCheck;
import io.pureremote.internal.ProgressSink;
import io.pureremote.internal.RemoteMethod;
import io.pureremote.spi.BlobStore;
import io.pureremote.spi.Shell;
import java.lang.reflect.InvocationHandler;
import java.lang.reflect.Method;
import java.lang.reflect.Proxy;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Collection;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionException;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.TimeUnit;
import java.util.function.Function;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The front door: turns {@link PureRemote} interfaces into proxies whose calls run remotely once
 * per distinct arguments and are memoized in a blob store.
 *
 * <pre>{@code
 * try (RemoteRuntime runtime = RemoteRuntime.builder()
 *     .blobRoot("file:///data/memo")
 *     .pipelineId("forecast")
 *     .build()) {
 *   WordStats stats = runtime.create(WordStats.class, WordStatsImpl.class);
 *   Histogram h = stats.count(corpus);   // runs in a child JVM; the same call again is a memo hit
 * }
 * }</pre>
 *
 * <p>Immutable and thread-safe; share one per process. Closing it stops its threads and closes
 * the store and shell it created (a store or shell passed in is the caller's to close).
 */
public final class RemoteRuntime implements AutoCloseable {
  private static final Logger log = LoggerFactory.getLogger(RemoteRuntime.class);
  /** How long {@link #close()} waits for interrupted calls to cancel their launches and release leases. */
  private static final Duration CLOSE_GRACE = Duration.ofSeconds(30);

  /**
   * This library's version, e.g. {@code 0.1.0}, as recorded in every blob header and run record;
   * {@code unknown} when the build did not stamp it.
   */
  public static final String VERSION = libraryVersion();

  /**
   * Key prefix, relative to the blob root, of the call events a runtime writes when it closes (and
   * every 1,000 calls): one JSON-lines blob {@code <prefix>/<yyyy-MM-dd>/<start>-<host>-<pid>.jsonl}
   * per write, one object per call with {@code function}, {@code version}, {@code pipeline},
   * {@code argsHash}, {@code outcome} ({@code hit}, {@code miss}, {@code failed}, {@code joined}),
   * {@code startedAt}, {@code queuedMs} (when known), {@code durationMs}, {@code errorClass} (failed
   * calls), {@code host} and {@code pid}. {@code pureremote runs} reads them.
   */
  public static final String EVENT_LOG_PREFIX = "pureremote/events";
  private final RuntimeOptions options;
  private final BlobStore store;
  private final Shell shell;
  private final boolean ownsStore;
  private final boolean ownsShell;
  private final ExecutorService executor;
  private volatile boolean closed;
  private final CallPipeline pipeline;

  private RemoteRuntime(Builder b) {
    this.options = b.options.build();
    ClassLoader loader = Objects.requireNonNullElse(Thread.currentThread().getContextClassLoader(),
        RemoteRuntime.class.getClassLoader());
    this.ownsStore = b.store == null;
    this.store = b.store != null ? b.store : BlobStore.open(options.blobRoot(), options.blobSettings(), loader);
    this.ownsShell = b.shell == null;
    Shell created;
    try {
      created = b.shell != null ? b.shell : Shell.create(options.shell(), b.shellSettings, loader);
    } catch (RuntimeException e) {
      if (ownsStore) {
        store.close();
      }
      throw e;
    }
    try {
      FolderRootCheck.check(store.root(), created, options.sharedFolder());
    } catch (RuntimeException e) {
      if (ownsShell) {
        created.close();
      }
      if (ownsStore) {
        store.close();
      }
      throw e;
    }
    this.shell = created;
    this.executor = Executors.newThreadPerTaskExecutor(Thread.ofVirtual().name("pureremote-call-", 0).factory());
    this.pipeline = new CallPipeline(store, shell, options, executor, b.progressSink);
  }

  /** A builder with the embedded defaults: {@code ~/.pureremote} folder and the local shell. */
  public static Builder builder() {
    return new Builder();
  }

  /** The settings this runtime uses; when a store was passed in, its root replaces {@code blobRoot}. */
  public RuntimeOptions options() {
    return options.toBuilder().blobRoot(store.root()).build();
  }

  /** The blob store results are memoized in. */
  public BlobStore blobStore() {
    return store;
  }

  /** The shell calls run through. */
  public Shell shell() {
    return shell;
  }

  /**
   * Returns a proxy of {@code iface} whose {@link PureRemote} methods run remotely via {@code
   * implementation}, which the remote side instantiates with its no-arg constructor. Default
   * methods run locally; methods returning {@link CompletableFuture} run asynchronously.
   *
   * @throws IllegalArgumentException on misuse (not an interface, void return, a parameter type
   *     that cannot be keyed, no usable implementation); the message lists every problem and names
   *     each method
   */
  public <T> T create(Class<T> iface, Class<? extends T> implementation) {
    Objects.requireNonNull(iface, "iface");
    Map<Method, RemoteMethod> methods = RemoteMethod.parseAll(iface, implementation);
    InvocationHandler handler = (proxy, method, args) -> {
      if (method.getDeclaringClass() == Object.class) {
        return switch (method.getName()) {
          case "equals" -> proxy == args[0];
          case "hashCode" -> System.identityHashCode(proxy);
          case "toString" -> "PureRemote proxy for " + iface.getName();
          default -> method.invoke(this, args);
        };
      }
      if (method.isDefault()) {
        return InvocationHandler.invokeDefault(proxy, method, args);
      }
      RemoteMethod remote = methods.get(method);
      checkOpen(remote.id().name());
      // A plain method's caller waits at once, so its memo hit is answered on its own thread.
      CompletableFuture<Object> call = pipeline.submit(remote, args == null ? new Object[0] : args, !remote.async());
      return remote.async() ? call : await(call, remote.id().name());
    };
    return iface.cast(Proxy.newProxyInstance(iface.getClassLoader(), new Class<?>[] {iface}, handler));
  }

  /**
   * Calls {@code call} once per input, all concurrently (up to {@link
   * RuntimeOptions#maxConcurrentCalls()} in flight), and returns the results in input order. When
   * calls fail, every call still finishes first; then the first failure (in input order) is thrown
   * with the others attached as suppressed exceptions.
   *
   * <p>While the calls run, their progress is reported as {@link RuntimeOptions#progress()} says.
   *
   * <pre>{@code
   * List<Histogram> all = runtime.map(corpora, stats::count);
   * }</pre>
   */
  public <A, R> List<R> map(Collection<? extends A> inputs, Function<? super A, ? extends R> call) {
    List<CompletableFuture<R>> futures = new ArrayList<>(inputs.size());
    List<R> results = new ArrayList<>(inputs.size());
    RuntimeException first = null;
    checkOpen("map");
    Runnable endBurst = pipeline.holdProgress(); // one progress burst for the whole fan-out
    try {
      for (A input : inputs) {
        try {
          futures.add(CompletableFuture.supplyAsync(() -> call.apply(input), executor));
        } catch (java.util.concurrent.RejectedExecutionException e) {
          // close() began after the check above: the inputs not yet started get the same error
          futures.add(CompletableFuture.failedFuture(CallPipeline.closedError("map", e)));
        }
      }
      for (CompletableFuture<R> f : futures) {
        try {
          results.add(await(f, "map"));
        } catch (RuntimeException e) {
          if (first == null) {
            first = e;
          } else if (first != e) {
            first.addSuppressed(e);
          }
          results.add(null);
        }
      }
    } finally {
      endBurst.run();
    }
    if (first != null) {
      throw first;
    }
    return results;
  }

  private <V> V await(CompletableFuture<V> future, String what) {
    try {
      return future.get();
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      future.cancel(true);
      if (closed) { // close() interrupted this waiter (a call of a map, or a caller on a call thread)
        throw CallPipeline.closedError(what, e);
      }
      throw new PureRemoteException("Interrupted while waiting for a remote call", e);
    } catch (ExecutionException e) {
      Throwable cause = e.getCause() instanceof CompletionException c && c.getCause() != null ? c.getCause() : e.getCause();
      if (cause instanceof RemoteFunctionException remote) {
        // A copy made here carries the caller's frames (where the proxied method was called), not
        // the pipeline thread's; it also keeps callers that joined one call from sharing an instance.
        throw remote.rethrownHere();
      }
      if (cause instanceof RuntimeException r) {
        throw r;
      }
      if (cause instanceof Error err) {
        throw err;
      }
      throw new PureRemoteException("Remote call failed: " + cause, cause);
    }
  }

  /** Refuses calls once {@link #close()} began, naming the call and what to do instead. */
  private void checkOpen(String what) {
    if (closed) {
      throw CallPipeline.closedError(what, null);
    }
  }

  /**
   * Stops call threads, writes the calls' event log beside the memo (a failure there is logged,
   * never thrown) and closes the store and shell this runtime created.
   */
  @Override
  public void close() {
    closed = true;
    pipeline.closing();
    executor.shutdownNow();
    // Interrupted calls still cancel their launch, release their lease and record their outcome;
    // wait for that (bounded) so nothing writes to the store after close returns.
    try {
      if (!executor.awaitTermination(CLOSE_GRACE.toMillis(), TimeUnit.MILLISECONDS)) {
        log.warn("Closing the runtime: some calls did not wind down within {}; their leases expire on their own", CLOSE_GRACE);
      }
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
    }
    pipeline.events().flush();
    pipeline.close();
    if (ownsShell) {
      shell.close();
    }
    if (ownsStore) {
      store.close();
    }
  }

  /** Builder for {@link RemoteRuntime}; not thread-safe. */
  private static String libraryVersion() {
    try (java.io.InputStream in = RemoteRuntime.class.getResourceAsStream("version.properties")) {
      if (in == null) {
        return "unknown";
      }
      java.util.Properties p = new java.util.Properties();
      p.load(in);
      return p.getProperty("version", "unknown");
    } catch (java.io.IOException | IllegalArgumentException e) {
      return "unknown";
    }
  }

  public static final class Builder {
    private RuntimeOptions.Builder options = RuntimeOptions.builder();
    private BlobStore store;
    private Shell shell;
    private Shell.Settings shellSettings = Shell.Settings.empty();
    private ProgressSink progressSink;

    private Builder() {}

    /** Replaces all settings with {@code options} (e.g. loaded from configuration). */
    public Builder options(RuntimeOptions options) {
      this.options = options.toBuilder();
      return this;
    }

    /** Memo store root URI, opened by scheme. Defaults to {@code ~/.pureremote}. */
    public Builder blobRoot(String uri) {
      options.blobRoot(uri);
      return this;
    }

    /** A setting for opening the blob root, e.g. {@code endpoint}; see {@link RuntimeOptions.Builder#blobSetting}. */
    public Builder blobSetting(String name, String value) {
      options.blobSetting(name, value);
      return this;
    }

    /** A blob store instance; overrides {@link #blobRoot(String)}. Not closed by the runtime. */
    public Builder blobStore(BlobStore store) {
      this.store = Objects.requireNonNull(store, "store");
      return this;
    }

    /** A shell by registered name. Defaults to {@code local} (a child JVM). */
    public Builder shell(String name) {
      options.shell(name);
      this.shellSettings = Shell.Settings.empty();
      return this;
    }

    /**
     * A shell by registered name with settings in the shape of its TOML table, which the runtime
     * creates and closes: {@code .shell("local", Map.of("jvm-args", List.of("-Xmx2g")))}. The
     * shell's provider refuses unknown keys and bad values at {@link #build()}, naming each.
     */
    public Builder shell(String name, Map<String, ?> settings) {
      options.shell(name);
      this.shellSettings = Shell.Settings.builder("RemoteRuntime.Builder.shell(\"" + name + "\", ...)").putAll(settings).build();
      return this;
    }

    /** A shell instance; overrides {@link #shell(String)}. Not closed by the runtime. */
    public Builder shell(Shell shell) {
      this.shell = Objects.requireNonNull(shell, "shell");
      options.shell(shell.name());
      return this;
    }

    /** Pipeline id, the grouping segment of memo paths. Defaults to {@code default}. */
    public Builder pipelineId(String pipelineId) {
      options.pipelineId(pipelineId);
      return this;
    }

    /** Call options for every function. Defaults to {@link CallOptions#DEFAULTS}. */
    public Builder defaults(CallOptions callOptions) {
      options.callDefaults(callOptions);
      return this;
    }

    /** Call options for one function, by its {@link FunctionId#name()}. */
    public Builder function(String functionName, CallOptions callOptions) {
      options.function(functionName, callOptions);
      return this;
    }

    /** Extra packages whose classes may appear in payloads. */
    public Builder allowPackages(String... packages) {
      options.allowPackages(packages);
      return this;
    }

    /** Upper bound on calls in flight. Defaults to 512. */
    public Builder maxConcurrentCalls(int max) {
      options.maxConcurrentCalls(max);
      return this;
    }

    /** Lease timing for calls that miss the memo. Defaults to {@link LeaseOptions#DEFAULTS}. */
    public Builder lease(LeaseOptions lease) {
      options.lease(lease);
      return this;
    }

    /** Where the progress of fan-outs is reported. Defaults to {@link Progress#AUTO}. */
    public Builder progress(Progress progress) {
      options.progress(progress);
      return this;
    }

    /** Test hook: progress lines go to {@code sink} instead of stderr or the log. */
    Builder progressSink(ProgressSink sink) {
      this.progressSink = Objects.requireNonNull(sink, "sink");
      return this;
    }

    /**
     * Declares the {@code file:} blob root a folder every remote process reads at the same path
     * (a network mount every pod also mounts there); see {@link RuntimeOptions.Builder#sharedFolder}.
     * Without it, a {@code file:} root with a shell that runs calls in pods is refused at {@link
     * #build()}. Defaults to false.
     */
    public Builder sharedFolder(boolean shared) {
      options.sharedFolder(shared);
      return this;
    }

    /** An environment variable for every remote process (no credentials). */
    public Builder remoteEnvironment(String name, String value) {
      options.remoteEnvironment(name, value);
      return this;
    }

    /**
     * Builds the runtime: validates the settings, opens the blob store and creates the shell.
     *
     * @throws IllegalArgumentException on invalid settings or an unknown scheme or shell name, or a
     *     {@code file:} root with a shell that runs calls in pods and no {@link #sharedFolder}
     */
    public RemoteRuntime build() {
      return new RemoteRuntime(this);
    }
  }
}
