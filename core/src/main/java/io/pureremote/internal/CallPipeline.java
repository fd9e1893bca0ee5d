package io.pureremote.internal;

import io.pureremote.BlobStoreException;
import io.pureremote.CallOptions;
import io.pureremote.CallOptions.ExceptionPolicy;
import io.pureremote.FunctionId;
import io.pureremote.RuntimeOptions.LeaseOptions;
import io.pureremote.MemoEntry;
import io.pureremote.RemoteFunctionException;
import io.pureremote.PureRemoteException;
import io.pureremote.RemoteTimeoutException;
import io.pureremote.RuntimeOptions;
import io.pureremote.ShellException;
import io.pureremote.spi.BlobStore.BlobContent;
import io.pureremote.spi.BlobStore;
import io.pureremote.spi.Shell.Launch;
import io.pureremote.spi.Shell.LaunchRequest;
import io.pureremote.spi.Shell.Outcome;
import io.pureremote.spi.Shell;
import java.io.UncheckedIOException;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.ThreadLocalRandom;
import java.util.concurrent.Semaphore;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The caller side of a call: key, single-flight, memo lookup, invocation upload, launch, wait, and
 * reading the outcome back from the blob store.
 *
 * <p>A memo hit costs exactly one blob read ({@code get result}). A miss writes {@code invocation},
 * launches the shell, and on completion reads {@code result}, then {@code error}.
 */
public final class CallPipeline implements AutoCloseable {
  private static final Logger log = LoggerFactory.getLogger(CallPipeline.class);
  private static final Duration PROGRESS_EVERY = Duration.ofSeconds(30);
  /** Reads of one result before a broken stream fails the call. */
  private static final int READ_ATTEMPTS = 3;

  private final BlobStore store;
  private final Shell shell;
  private final RuntimeOptions options;
  private final ExecutorService executor;
  private volatile boolean closing;
  private final Semaphore inFlight;
  private final Map<String, String> remoteEnvironment;
  private final ScheduledExecutorService renewals;
  private final Leases leases;
  private final ConcurrentHashMap<String, InFlight> singleFlight = new ConcurrentHashMap<>();
  /** Functions whose first miss this runtime has logged at INFO. */
  private final Set<FunctionId> announced = ConcurrentHashMap.newKeySet();
  /** Entries recomputed on request in this runtime: each once, later equal calls hit the new result. */
  private final Set<String> recomputed = ConcurrentHashMap.newKeySet();
  /** {@code -Dpureremote.recompute}: {@code all}, or function names ({@code name} or {@code name@version}). */
  private final Set<String> recomputeProperty = recomputeProperty(System.getProperty(RECOMPUTE_PROPERTY));

  /** The system property that recomputes calls of a whole program (see {@code CallOptions.recompute}). */
  public static final String RECOMPUTE_PROPERTY = "pureremote.recompute";
  private final ConcurrentHashMap<RemoteMethod, KryoCodec> codecs = new ConcurrentHashMap<>();
  private final EventLog events;
  private final ProgressTracker progress;
  /** Launches whose outcome a call awaits, for the progress line's count of cluster-queued calls. */
  private final Set<Launch> launches = ConcurrentHashMap.newKeySet();
  private final ScheduledExecutorService progressTicker;
  private final LaunchBatcher batcher;

  /** A pipeline over one store and shell; {@code executor} runs the blocking part of each call. */
  public CallPipeline(BlobStore store, Shell shell, RuntimeOptions options, ExecutorService executor) {
    this(store, shell, options, executor, null);
  }

  /**
   * A pipeline whose progress lines go to {@code progressSink} instead of stderr or the log (when
   * {@link RuntimeOptions#progress()} is not {@code OFF}); null for the usual sink.
   */
  public CallPipeline(BlobStore store, Shell shell, RuntimeOptions options, ExecutorService executor,
      ProgressSink progressSink) {
    this.store = store;
    this.shell = shell;
    this.options = options;
    this.executor = executor;
    this.inFlight = new Semaphore(options.maxConcurrentCalls());
    this.renewals = Executors.newSingleThreadScheduledExecutor(Thread.ofPlatform().daemon().name("pureremote-lease-renewal").factory());
    this.leases = new Leases(store, options.lease().expiry(), options.lease().renewEvery(), Clock.systemUTC(), renewals);
    Map<String, String> env = new LinkedHashMap<>(BlobStore.toEnvironment(store.remoteSettings()));
    env.putAll(options.remoteEnvironment());
    this.remoteEnvironment = Map.copyOf(env);
    this.events = new EventLog(store, options.pipelineId(),
        io.pureremote.spi.CallListener.loaded(Thread.currentThread().getContextClassLoader()));
    Optional<ProgressTracker.Style> style =
        ProgressTracker.style(options.progress(), ProgressOutput.interactive(), System.getenv("TERM"));
    ProgressSink sink = style.isEmpty() ? null
        : progressSink != null ? progressSink : ProgressOutput.sink(style.get());
    this.progress = new ProgressTracker(style.orElse(ProgressTracker.Style.LOG), sink, ProgressOutput::monotonicMillis);
    progress.inClusterQueue(() -> launches.stream().filter(Launch::queued).count());
    this.progressTicker = sink == null ? null : ProgressOutput.startTicker(progress);
    this.batcher = new LaunchBatcher(shell, store);
  }

  /** The in-memory log of this pipeline's calls; the runtime flushes it on close. */
  public EventLog events() {
    return events;
  }

  /**
   * Keeps one progress burst open from now until the returned handle is closed, so the calls of a
   * fan-out count as one burst even when some finish before the rest are submitted.
   *
   * @return ends the hold; run it exactly once
   */
  public Runnable holdProgress() {
    progress.hold();
    return progress::release;
  }

  /**
   * Starts a call. The arguments are keyed on the calling thread, so an argument that cannot be
   * keyed fails here, synchronously; everything else completes the returned future.
   */
  public CompletableFuture<Object> submit(RemoteMethod method, Object[] args) {
    return submit(method, args, false);
  }

  /**
   * Starts a call, as {@link #submit(RemoteMethod, Object[])}; with {@code callerWaits} (the
   * caller blocks on the future at once, as a proxy's plain method does) the memo lookup runs on
   * the calling thread, so a hit returns a completed future without a hop to a call thread. A
   * miss, or a call that joins another or must wait for a slot, goes on as usual.
   */
  public CompletableFuture<Object> submit(RemoteMethod method, Object[] args, boolean callerWaits) {
    String argsHash = ArgsEncoder.hash(args);
    MemoKey key = new MemoKey(options.pipelineId(), method.id(), method.entryHash(argsHash));
    progress.submitted();
    InFlight mine = new InFlight();
    Instant submitted = Instant.now();
    InFlight existing = singleFlight.putIfAbsent(key.prefix(), mine);
    if (existing != null && existing.join()) {
      log.debug("{} joins a call already in flight", key.prefix());
      progress.started();
      CompletableFuture<Object> joined = existing.waiter();
      joined.whenComplete((v, e) -> {
        progress.finished(e == null ? ProgressTracker.End.CACHED : ProgressTracker.End.FAILED);
        events.record(key, EventLog.Outcome.JOINED, submitted,
            Duration.between(submitted, Instant.now()).toMillis(), e == null ? null : errorClass(e));
      });
      return joined;
    }
    if (existing != null) {
      singleFlight.replace(key.prefix(), existing, mine); // every waiter of it had cancelled
    }
    mine.join();
    EntryReader.Read looked = callerWaits ? lookupOnCaller(method, key, mine, submitted) : NOT_LOOKED;
    if (looked == null) {
      return mine.waiter(); // answered on this thread: a hit, or a look that failed
    }
    try {
      executor.execute(() -> runAndComplete(method, key, args, mine, submitted, looked));
    } catch (RuntimeException e) {
      singleFlight.remove(key.prefix(), mine);
      if (looked == NOT_LOOKED) {
        progress.started();
      }
      progress.finished(ProgressTracker.End.FAILED);
      if (e instanceof java.util.concurrent.RejectedExecutionException) {
        // The runtime closed between its own check and this submit.
        throw closedError(method.id().name(), e);
      }
      throw e;
    }
    return mine.waiter();
  }

  /**
   * The first look at the memo, on the caller's thread, when a slot is free at once and the call is
   * not recomputed: a hit (or a failure of the look) completes the call here and returns null; a
   * miss or an unusable result returns what was read, for the call thread to go on from without
   * reading it again. Returns {@link #NOT_LOOKED} when the call thread must make the first look.
   */
  private EntryReader.Read lookupOnCaller(RemoteMethod method, MemoKey key, InFlight mine, Instant submitted) {
    if (closing || Thread.currentThread().isInterrupted() || recomputes(method.id(), options.callOptions(method.id().name()))
        || !inFlight.tryAcquire()) {
      return NOT_LOOKED;
    }
    EntryReader.Read read = null;
    Throwable failure = null;
    long queuedMs = Duration.between(submitted, Instant.now()).toMillis();
    progress.started();
    try {
      read = lookup(method, codec(method), key);
    } catch (Throwable t) {
      failure = closing ? closedError(method.id().name(), t)
          : Thread.currentThread().isInterrupted() ? new PureRemoteException("Interrupted while waiting for a remote call", t)
          : t;
    } finally {
      inFlight.release();
    }
    if (failure == null && !read.hit()) {
      return read;
    }
    if (failure == null) {
      log.debug("memo hit {}", store.uri(key.prefix()));
      mine.hit = true;
    }
    complete(method, key, mine, submitted, queuedMs, true, failure == null ? read.decoded().value() : null, failure);
    return null;
  }

  /** Marks a call whose first look at the memo is still to be made (on its call thread). */
  private static final EntryReader.Read NOT_LOOKED = new EntryReader.Read(null, null, null);

  /**
   * The body of a call on its executor thread: run it, record it, complete its future. {@code
   * first} is the caller's first look at the memo, or {@link #NOT_LOOKED}.
   */
  private void runAndComplete(RemoteMethod method, MemoKey key, Object[] args, InFlight mine, Instant submitted,
      EntryReader.Read first) {
    mine.runner = Thread.currentThread();
    Object value = null;
    Throwable failure = null;
    boolean started = first != NOT_LOOKED; // the caller's look counted the start
    long queuedMs = -1;
    try {
      inFlight.acquire();
      // Time spent waiting for a slot (maxConcurrentCalls): the timeline tells waiting from running.
      queuedMs = Duration.between(submitted, Instant.now()).toMillis();
      if (!started) {
        progress.started();
        started = true;
      }
      try {
        if (!mine.abandoned()) {
          value = run(method, key, args, mine, first == NOT_LOOKED ? null : first);
        }
      } finally {
        inFlight.release();
      }
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      failure = new PureRemoteException("Interrupted while running " + key.function(), e);
    } catch (Throwable t) {
      failure = t;
    }
    if (failure != null && closing && interruptedByClose(failure)) {
      failure = closedError(method.id().name(), failure);
    }
    complete(method, key, mine, submitted, queuedMs, started, value, failure);
  }

  /** Ends a call: leaves single-flight, records it, reports its progress and completes its future. */
  private void complete(RemoteMethod method, MemoKey key, InFlight mine, Instant submitted, long queuedMs,
      boolean started, Object value, Throwable failure) {
    // Leave the single-flight map before completing, so a caller that retries at once
    // (e.g. after an error under RERUN) starts a new call instead of joining this one.
    singleFlight.remove(key.prefix(), mine);
    long durationMs = Duration.between(submitted, Instant.now()).toMillis();
    if (failure != null) {
      events.record(key, EventLog.Outcome.FAILED, submitted, queuedMs < 0 ? durationMs : queuedMs, durationMs,
          errorClass(failure));
    } else if (!mine.abandoned()) {
      events.record(key, mine.hit ? EventLog.Outcome.HIT : EventLog.Outcome.MISS, submitted, queuedMs, durationMs, null);
    }
    if (!started) {
      progress.started();
    }
    progress.finished(failure != null || mine.abandoned() ? ProgressTracker.End.FAILED
        : mine.hit ? ProgressTracker.End.CACHED : ProgressTracker.End.RAN);
    if (failure == null) {
      mine.result.complete(value);
    } else {
      mine.result.completeExceptionally(failure);
    }
  }

  /**
   * One execution shared by identical concurrent calls. Each caller gets its own future; when
   * every caller has cancelled theirs, the run is interrupted, which cancels its launch (kills the
   * process, deletes the Job).
   */
  private static final class InFlight {
    final CompletableFuture<Object> result = new CompletableFuture<>();
    private int waiters;
    private boolean closed;
    volatile Thread runner;
    /** Set when the result came from the memo without a run. */
    volatile boolean hit;

    /** Registers one more waiter, unless everyone already gave up on this run. */
    synchronized boolean join() {
      if (closed) {
        return false;
      }
      waiters++;
      return true;
    }

    synchronized boolean abandoned() {
      return closed;
    }

    CompletableFuture<Object> waiter() {
      CompletableFuture<Object> mine = result.copy();
      mine.whenComplete((v, e) -> {
        if (mine.isCancelled()) {
          leave();
        }
      });
      return mine;
    }

    private synchronized void leave() {
      if (--waiters == 0 && !result.isDone()) {
        closed = true;
        Thread t = runner;
        if (t != null) {
          t.interrupt();
        }
      }
    }
  }

  /** The class to log for a failed call: the remote exception's own class when it has one. */
  private static String errorClass(Throwable t) {
    Throwable cause = t instanceof java.util.concurrent.CompletionException c && c.getCause() != null ? c.getCause() : t;
    return cause instanceof RemoteFunctionException r ? r.remoteClassName() : cause.getClass().getName();
  }

  /**
   * Why a stored value does not fit the type the method returns (its return type changed without a
   * new version), said with what and where; null when it fits. Unchecked, it would fail later as a
   * bare ClassCastException in the proxy.
   */
  private String typeProblem(RemoteMethod method, MemoKey key, Object value) {
    Class<?> expected = method.valueType();
    java.lang.reflect.Type declared = method.valueGenericType();
    String problem = null;
    if (value == null) {
      if (declared instanceof Class<?> c && c.isPrimitive()) {
        problem = "is null";
      }
    } else if (!expected.isInstance(value)) {
      problem = "is a " + value.getClass().getName();
    } else if (declared instanceof java.lang.reflect.ParameterizedType p) {
      problem = wrongElement(p, value);
    }
    if (problem == null) {
      return null;
    }
    return "The stored result " + store.uri(key.key(MemoKey.RESULT)) + " " + problem + ", but "
        + method.id().name() + "@" + method.id().version() + " returns " + declared.getTypeName() + ". The function's"
        + " return type changed without a new version: bump @PureRemote(version = ...) so new calls get new entries,"
        + " or delete the old entries (pureremote invalidate --function '" + method.id().name() + "' --pipeline "
        + key.pipelineId() + " --root " + store.root() + ").";
  }

  /**
   * For a {@code Collection<E>}, {@code Optional<E>} or {@code Map<K, V>} whose type arguments are
   * plain classes, the first element of another class, said as "holds a ..."; else null. One level
   * deep: nested generics are not checked.
   */
  private static String wrongElement(java.lang.reflect.ParameterizedType p, Object value) {
    java.lang.reflect.Type[] args = p.getActualTypeArguments();
    if (value instanceof java.util.Collection<?> c && args.length == 1) {
      return wrongIn(c, args[0]);
    }
    if (value instanceof java.util.Optional<?> o && args.length == 1) {
      return o.isPresent() ? wrongIn(List.of(o.get()), args[0]) : null;
    }
    if (value instanceof Map<?, ?> m && args.length == 2) {
      String k = wrongIn(m.keySet(), args[0]);
      return k != null ? k + " key" : wrongIn(m.values(), args[1]);
    }
    return null;
  }

  private static String wrongIn(java.util.Collection<?> items, java.lang.reflect.Type type) {
    if (!(type instanceof Class<?> c) || c == Object.class) {
      return null;
    }
    for (Object item : items) {
      if (item != null && !c.isInstance(item)) {
        return "holds a " + item.getClass().getName();
      }
    }
    return null;
  }

  /** Runs a call; {@code looked} is the caller's first look at the memo, or null to look now. */
  private Object run(RemoteMethod method, MemoKey key, Object[] args, InFlight flight, EntryReader.Read looked)
      throws InterruptedException {
    KryoCodec codec = codec(method);
    String memoUri = store.uri(key.prefix());
    CallOptions callOptions = options.callOptions(method.id().name());
    Instant started = Instant.now();

    if (recomputes(method.id(), callOptions) && recomputed.add(key.prefix())) {
      log.info("{}: recomputing on request (the stored result, if any, is set aside)", memoUri);
      return runRecomputing(method, key, args, codec, callOptions, started);
    }
    EntryReader.Read first = looked != null ? looked : lookup(method, codec, key);
    if (first.hit()) {
      log.debug("memo hit {}", memoUri);
      flight.hit = true;
      return first.decoded().value();
    }
    if (first.problem() != null) {
      log.warn("{}: the stored result cannot be used ({}: {}); treating the call as a miss: it is set aside and"
          + " recomputed", memoUri, first.problem().kind().label(), first.problem().detail());
    }
    boolean memoizeErrors = callOptions.exceptionPolicy() == ExceptionPolicy.MEMOIZE;
    // Whether the first look found the entry empty: no result, and (under MEMOIZE) no error record
    // either, not even a damaged one.
    boolean foundEmpty = first.problem() == null && first.version() == null;
    if (memoizeErrors) {
      ErrorRead stored = readError(method, key);
      if (stored.error().isPresent()) {
        throw stored.error().get();
      }
      foundEmpty &= !stored.present();
    }
    while (true) {
      Optional<Leases.Lease> lease = leases.tryAcquire(key.key(Leases.LEASE));
      if (lease.isEmpty()) {
        // Another process runs this call: wait for its result instead of launching a second run.
        Optional<Value> theirs = awaitOtherHolder(method, key, codec, callOptions, memoizeErrors, started);
        if (theirs.isPresent()) {
          return theirs.get().value();
        }
        continue; // their lease ended without a result: try to take the call over
      }
      try {
        Optional<Value> value = runHoldingLease(method, key, args, codec, callOptions, lease.get(), started, foundEmpty);
        foundEmpty = false; // a later round follows another holder: look again
        if (value.isPresent()) {
          return value.get().value();
        }
      } finally {
        lease.get().release();
      }
      // We lost the lease while our run went on and nothing was committed: follow the new holder.
    }
  }

  private boolean recomputes(FunctionId function, CallOptions callOptions) {
    return callOptions.recompute() || recomputeProperty.contains("all") || recomputeProperty.contains(function.name())
        || recomputeProperty.contains(function.toString());
  }

  private static Set<String> recomputeProperty(String value) {
    Set<String> names = new java.util.HashSet<>();
    if (value != null) {
      for (String part : value.split(",")) {
        if (!part.isBlank()) {
          names.add(part.strip());
        }
      }
    }
    return Set.copyOf(names);
  }

  /**
   * A call recomputed on request: under its lease, the stored result is set aside and a stored
   * error deleted, then it runs as a miss. Another process holding the lease is followed as usual
   * (its run is a recomputation too, or a result it commits is new).
   */
  private Object runRecomputing(RemoteMethod method, MemoKey key, Object[] args, KryoCodec codec,
      CallOptions callOptions, Instant started) throws InterruptedException {
    boolean memoizeErrors = callOptions.exceptionPolicy() == ExceptionPolicy.MEMOIZE;
    boolean setAside = false;
    while (true) {
      Optional<Leases.Lease> lease = leases.tryAcquire(key.key(Leases.LEASE));
      if (lease.isEmpty()) {
        Optional<Value> theirs = awaitOtherHolder(method, key, codec, callOptions, memoizeErrors, started);
        if (theirs.isPresent()) {
          return theirs.get().value();
        }
        continue;
      }
      try {
        if (!setAside) {
          Aside.setAside(store, key, new Aside.Problem(MemoKey.RESULT, Aside.Kind.RECOMPUTED,
              "recomputed on request (CallOptions.recompute or -D" + RECOMPUTE_PROPERTY + ")", null));
          store.delete(key.key(MemoKey.ERROR));
          setAside = true;
        }
        Optional<Value> value = runHoldingLease(method, key, args, codec, callOptions, lease.get(), started, false);
        if (value.isPresent()) {
          return value.get().value();
        }
      } finally {
        lease.get().release();
      }
    }
  }

  /** Runs the call while holding its lease; empty when the lease was lost and nothing committed. */
  private Optional<Value> runHoldingLease(RemoteMethod method, MemoKey key, Object[] args, KryoCodec codec,
      CallOptions callOptions, Leases.Lease lease, Instant started, boolean foundEmpty) throws InterruptedException {
    String memoUri = store.uri(key.prefix());
    if (!foundEmpty || !lease.created()) {
      // Another process may have committed between our first read and taking the lease. Not when
      // we found the entry empty and took its lease by creating the record: no lease existed, so no
      // run could have committed anything (only a lease holder's run commits).
      EntryReader.Read done = lookup(method, codec, key);
      if (done.hit()) {
        return Optional.of(new Value(done.decoded().value()));
      }
      if (done.problem() != null) {
        // We hold the lease, so no run can commit meanwhile: set the bad result aside, then recompute.
        Aside.setAside(store, key, done.problem());
      }
      if (callOptions.exceptionPolicy() == ExceptionPolicy.RERUN) {
        // A stored error is not authoritative under RERUN; clear it so the new run can commit its own.
        store.delete(key.key(MemoKey.ERROR));
      } else {
        // A damaged error record read as a miss (readError); set it aside so the run can commit anew.
        Aside.checkFrame(store, key, MemoKey.ERROR).ifPresent(p -> Aside.setAside(store, key, p));
      }
    }
    List<io.pureremote.BlobRef> refs = new ArrayList<>();
    try (Spool payload = codec.spool(args, refs)) {
      BlobContent frame = invocationFrame(method, key, payload, refs, codec, callOptions, lease,
          // A code-hashed key mixes the args hash with the code's, so the args' own hash is
          // recomputed here (misses only) for why-miss to tell "code changed" from "new args".
          method.code() == null ? null : ArgsEncoder.hash(args));
      // A run in this JVM (the in-process shell) is handed these very bytes instead of reading them back.
      byte[] handed = InProcessShell.runsHere(shell, key.function()) ? Leases.handOffBytes(frame) : null;
      if (handed != null) {
        lease.handInvocation(handed);
        frame = BlobContent.of(handed);
      }
      store.put(key.key(MemoKey.INVOCATION), frame, null);
    }
    // The holder travels with the launch: a run launched under this lease refuses once the entry
    // names another holder (its call was taken over), so an orphan of ours never runs as theirs.
    LaunchRequest request = new LaunchRequest(memoUri, key.function(), key.argsHash(), remoteEnvironment,
        lease.holder());
    // The first miss of each function says where it runs, at INFO; the rest are per-call detail
    // (a fan-out of 2,000 calls is one progress line and one summary, not 2,000 lines).
    if (announced.add(key.function())) {
      log.info("memo miss: launching {} via the {} shell ({}); further misses of {} log at DEBUG",
          request.shortLabel(), shell.name(), memoUri, key.function());
    } else {
      log.debug("memo miss: launching {} via the {} shell ({})", request.shortLabel(), shell.name(), memoUri);
    }
    Instant launched = Instant.now();
    lease.launched();
    // Alone, or with other misses of the function when the shell groups them (Shell.grouping).
    Launch launch = batcher.launch(request);
    Outcome outcome;
    launches.add(launch);
    try {
      outcome = await(launch, key, callOptions, started);
    } finally {
      launches.remove(launch);
    }

    // A run in this JVM hands over the result it committed: the bytes the store now holds.
    Optional<byte[]> committed = lease.takeHandedResult();
    EntryReader.Read result = committed.isPresent()
        ? typed(method, key, () -> new EntryReader(store, key).checkedResult(codec, committed.get()))
        : lookup(method, codec, key);
    if (ranToCommit(outcome) && (result.hit() || result.problem() != null)) {
      lease.stop(); // the run released the lease right after its commit
    }
    if (result.hit()) {
      log.debug("{} finished in {} ms", request.shortLabel(), Duration.between(launched, Instant.now()).toMillis());
      return Optional.of(new Value(result.decoded().value()));
    }
    if (result.problem() != null) {
      // Just computed, and still unusable here: recomputing cannot help (the remote runs another
      // build, or the store lost content at once). Say so; the next call sets it aside and retries.
      throw new PureRemoteException("The run of " + key.function() + " committed a result this caller cannot use ("
          + result.problem().kind().label() + "): " + result.problem().detail()
          + (result.problem().kind() == Aside.Kind.WRONG_TYPE || result.problem().kind() == Aside.Kind.UNDECODABLE
              ? " The remote side runs a different build than the caller: rebuild and push the image (or class"
                  + " path) the caller uses." : ""));
    }
    Optional<RemoteFunctionException> error = readErrorRecord(method, key);
    if (error.isPresent()) {
      if (ranToCommit(outcome)) {
        lease.stop(); // the run released the lease right after committing the error
      }
      throw error.get();
    }
    // Exit 75: the run found another holder on the lease and did not run. Under load our lease can
    // expire, be taken over, and be released again before we look, so the store no longer shows a
    // live holder; the run's word is enough: follow or take the call over, never fail it.
    if (lease.lost() || Integer.valueOf(Outcome.EXIT_LEASE_LOST).equals(outcome.exitCode()) || !lease.stillHeld()) {
      log.warn("{}: our run ended without a result and another process holds the call now; following it",
          request.shortLabel());
      return Optional.empty();
    }
    throw new ShellException(outcome.reason(), outcome.exitCode(),
        key.function() + " ended (" + outcome.reason()
            + (outcome.exitCode() == null ? "" : ", exit code " + outcome.exitCode())
            + ") without committing a result or an error at " + memoUri + exitHint(outcome)
            + (Integer.valueOf(Outcome.EXIT_INFRASTRUCTURE).equals(outcome.exitCode()) ? recordedFailure(key) : "")
            + (outcome.detail().isEmpty() ? "" : "\n    details from the shell:\n" + outcome.detail()),
        false);
  }

  /**
   * Whether the run ended as a run that committed ends (exit 0 or 42): it released the lease right
   * after its commit, so the caller need not write it again.
   */
  private static boolean ranToCommit(Outcome outcome) {
    return "Exited".equals(outcome.reason()) && outcome.exitCode() != null
        && (outcome.exitCode() == Outcome.EXIT_OK || outcome.exitCode() == Outcome.EXIT_FUNCTION_FAILED);
  }

  /**
   * Why the remote side gave up (exit code 70), as its newest run record says, e.g. that it runs
   * other code than the caller; empty when no record says it (the store itself may have failed).
   */
  private String recordedFailure(MemoKey key) {
    String prefix = "infrastructure-failure: ";
    try {
      List<String> failures = new EntryReader(store, key).runs().stream()
          .map(r -> r.get("status") instanceof String status ? status : "")
          .filter(status -> status.startsWith(prefix)).toList();
      return failures.isEmpty() ? "" : "\n    the remote side recorded: " + failures.getLast().substring(prefix.length());
    } catch (RuntimeException e) {
      log.debug("Cannot read the run records of {}", key.prefix(), e);
      return "";
    }
  }

  /**
   * RemoteMain ends only with its own exit codes, after committing (or with 70/75 when it could
   * not); any other plain exit means something inside the function ended the JVM first.
   */
  private static String exitHint(Outcome outcome) {
    Integer code = outcome.exitCode();
    if (!"Exited".equals(outcome.reason()) || code == null || code >= 128 || code == Outcome.EXIT_FUNCTION_FAILED
        || code == Outcome.EXIT_USAGE || code == Outcome.EXIT_INFRASTRUCTURE || code == Outcome.EXIT_LEASE_LOST) {
      return "";
    }
    return ". The process exited with code " + code + " before Pure Remote could commit anything: most likely the"
        + " function or a library it calls ran System.exit(" + code + ") or Runtime.halt. A pure function must return"
        + " its result or throw; with the in-process shell such an exit ends the caller's JVM itself";
  }

  /**
   * Polls the one result object, with back-off, while another process holds the call's lease.
   *
   * @return the value once committed; empty when the lease is free again without a result
   */
  private Optional<Value> awaitOtherHolder(RemoteMethod method, MemoKey key, KryoCodec codec, CallOptions callOptions,
      boolean memoizeErrors, Instant started) throws InterruptedException {
    LeaseOptions timing = options.lease();
    Duration pause = timing.pollInitial();
    Instant lastProgress = Instant.now();
    String leaseKey = key.key(Leases.LEASE);
    while (true) {
      // A result that cannot be used is not theirs yet: the lease holder sets it aside.
      EntryReader.Read result = lookup(method, codec, key);
      if (result.hit()) {
        log.info("{}: result committed by another process", key.function());
        return Optional.of(new Value(result.decoded().value()));
      }
      if (memoizeErrors) {
        Optional<RemoteFunctionException> error = readErrorRecord(method, key);
        if (error.isPresent()) {
          throw error.get();
        }
      }
      Optional<Leases.State> state = leases.read(leaseKey);
      if (state.isEmpty() || !state.get().live(Instant.now())) {
        return Optional.empty();
      }
      if (Duration.between(lastProgress, Instant.now()).compareTo(PROGRESS_EVERY) >= 0) {
        log.info("still waiting for {}: another process ({} pid {}) runs it, {} s so far", key.function(),
            state.get().host(), state.get().pid(), Duration.between(started, Instant.now()).toSeconds());
        lastProgress = Instant.now();
      }
      if (callOptions.hasTimeout() && Duration.between(started, Instant.now()).compareTo(callOptions.timeout()) > 0) {
        throw new RemoteTimeoutException(key.function() + " (run by another process)", callOptions.timeout());
      }
      long jitter = ThreadLocalRandom.current().nextLong(pause.toMillis() / 4 + 1);
      Thread.sleep(pause.toMillis() + jitter);
      pause = pause.multipliedBy(2).compareTo(timing.pollMax()) > 0 ? timing.pollMax() : pause.multipliedBy(2);
    }
  }

  private Outcome await(Launch launch, MemoKey key, CallOptions callOptions, Instant started)
      throws InterruptedException {
    CompletableFuture<Outcome> completion = launch.completion();
    try {
      while (true) {
        Duration wait = PROGRESS_EVERY;
        if (callOptions.hasTimeout()) {
          Duration left = callOptions.timeout().minus(Duration.between(started, Instant.now()));
          if (left.isNegative() || left.isZero()) {
            launch.cancel();
            throw new RemoteTimeoutException(key.function() + " (" + launch.description() + ")", callOptions.timeout());
          }
          wait = left.compareTo(wait) < 0 ? left : wait;
        }
        try {
          return completion.get(wait.toMillis(), TimeUnit.MILLISECONDS);
        } catch (TimeoutException e) {
          log.info("still waiting for {} ({}), {} s so far", key.function(), launch.description(),
              Duration.between(started, Instant.now()).toSeconds());
        }
      }
    } catch (ExecutionException e) {
      Throwable cause = e.getCause();
      if (cause instanceof PureRemoteException p) {
        throw p;
      }
      throw new ShellException("LaunchFailed", "Shell " + shell.name() + " failed to run " + key.function() + ": " + cause, cause);
    } catch (InterruptedException e) {
      launch.cancel();
      throw e;
    }
  }

  /**
   * The stored result, judged: usable (decoded, its BlobRefs' content present, of the method's
   * type), unusable (why, see {@link Aside}), or absent.
   */
  private EntryReader.Read lookup(RemoteMethod method, KryoCodec codec, MemoKey key) {
    // A store retries its requests, but not a stream that breaks while it is read (a connection
    // reset mid-body): read the result again a few times before failing the call.
    for (int attempt = 1; ; attempt++) {
      try {
        return lookupOnce(method, codec, key);
      } catch (BlobStoreException e) {
        if (e instanceof io.pureremote.CorruptBlobException || !e.isRetryable() || attempt >= READ_ATTEMPTS) {
          throw e;
        }
        log.debug("reading {} failed (attempt {} of {}), reading it again: {}", store.uri(key.key(MemoKey.RESULT)),
            attempt, READ_ATTEMPTS, e.getMessage());
        try {
          Thread.sleep(100L * attempt);
        } catch (InterruptedException interrupted) {
          Thread.currentThread().interrupt();
          throw e;
        }
      }
    }
  }

  private EntryReader.Read lookupOnce(RemoteMethod method, KryoCodec codec, MemoKey key) {
    return typed(method, key, () -> new EntryReader(store, key).checkedResult(codec));
  }

  /** A result as {@code reading} judges it, and of the method's type. */
  private EntryReader.Read typed(RemoteMethod method, MemoKey key, java.util.function.Supplier<EntryReader.Read> reading) {
    try {
      EntryReader.Read read = reading.get();
      if (read.hit()) {
        String wrong = typeProblem(method, key, read.decoded().value());
        if (wrong != null) {
          return new EntryReader.Read(null,
              new Aside.Problem(MemoKey.RESULT, Aside.Kind.WRONG_TYPE, wrong, read.version()), read.version());
        }
      }
      return read;
    } catch (UncheckedIOException e) {
      throw new BlobStoreException(store.uri(key.key(MemoKey.RESULT)), "Cannot read the spooled result: " + e.getCause(),
          e.getCause(), true);
    }
  }

  private Optional<RemoteFunctionException> readErrorRecord(RemoteMethod method, MemoKey key) {
    return readError(method, key).error();
  }

  /** An error record as read: the exception it holds, if usable, and whether a blob was there at all. */
  private record ErrorRead(Optional<RemoteFunctionException> error, boolean present) {}

  private ErrorRead readError(RemoteMethod method, MemoKey key) {
    try {
      Optional<RemoteFunctionException> error = new EntryReader(store, key).error(method.implementation().getClassLoader());
      return new ErrorRead(error, error.isPresent());
    } catch (io.pureremote.CorruptBlobException e) {
      // Like a damaged result: a miss, set aside by whoever holds the lease (runHoldingLease).
      log.warn("{}: the stored error record cannot be used (corrupt: {}); treating the call as a miss",
          store.uri(key.prefix()), e.getMessage());
      return new ErrorRead(Optional.empty(), true);
    }
  }

  private BlobContent invocationFrame(RemoteMethod method, MemoKey key, Spool payload, List<io.pureremote.BlobRef> refs,
      KryoCodec codec, CallOptions callOptions, Leases.Lease lease, String codeArgsHash) {
    List<String> paramTypes = new ArrayList<>();
    for (Class<?> p : method.method().getParameterTypes()) {
      paramTypes.add(p.getName());
    }
    MemoEntry.Invocation invocation = new MemoEntry.Invocation(key.function(), key.pipelineId(), key.argsHash(),
        method.iface().getName(), method.method().getName(), paramTypes, method.implementation().getName(),
        codec.packages(), callOptions.exceptionPolicy().name(), CallMetadata.user() + "@" + CallMetadata.host(),
        Instant.now(), CallMetadata.host(), CallMetadata.pid(),
        new MemoEntry.Invocation.LeaseTerms(lease.holder(), options.lease().expiry(), options.lease().renewEvery()),
        codeArgsHash == null ? null : method.code().recorded(codeArgsHash));
    Map<String, Object> fields = new LinkedHashMap<>();
    fields.put("serializer", KryoCodec.NAME);
    fields.put("serializerVersion", KryoCodec.VERSION);
    fields.put("library", CallMetadata.LIBRARY_VERSION);
    fields.put("java", CallMetadata.JAVA_VERSION);
    Map<String, Object> call = invocation.toHeader();
    // The lease record as created, so a run in another process joins it with one write.
    lease.handedRecord().ifPresent(record -> record.addTo(call));
    fields.put("call", call);
    fields.put("blobRefs", Aside.headerField(refs)); // what tools check without decoding (pureremote verify)
    return BlobFrame.content(BlobFrame.KRYO, fields, payload);
  }

  private KryoCodec codec(RemoteMethod method) {
    return codecs.computeIfAbsent(method, m -> {
      List<String> packages = new ArrayList<>(m.ownPackages());
      packages.addAll(options.allowedPackages());
      return new KryoCodec(packages, m.implementation().getClassLoader(), store);
    });
  }

  /**
   * Marks the runtime as closing, before it interrupts its calls: a call that fails because of that
   * (queued for a slot, or running) then says the runtime is closed instead of "interrupted".
   */
  public void closing() {
    closing = true;
  }

  /** The error of a call that meets a closed runtime: what, why and what to do. */
  public static IllegalStateException closedError(String what, Throwable cause) {
    return new IllegalStateException("Cannot run " + what + ": this RemoteRuntime is closed. Keep the runtime open"
        + " until its calls are done (one try-with-resources around them), or build a new one with"
        + " RemoteRuntime.builder()...build(); proxies of a closed runtime cannot be reused.", cause);
  }

  /** Whether a failure seen while closing comes from close() interrupting the call. */
  private static boolean interruptedByClose(Throwable failure) {
    if (Thread.currentThread().isInterrupted()) {
      return true;
    }
    for (Throwable t = failure; t != null; t = t.getCause() == t ? null : t.getCause()) {
      if (t instanceof InterruptedException || t instanceof java.io.InterruptedIOException
          || t instanceof java.nio.channels.ClosedByInterruptException
          || t instanceof java.util.concurrent.CancellationException
          || t instanceof java.util.concurrent.RejectedExecutionException) {
        return true;
      }
    }
    return false;
  }

  /** Stops lease renewals; leases still held expire by themselves. */
  @Override
  public void close() {
    batcher.close();
    renewals.shutdownNow();
    if (progressTicker != null) {
      progressTicker.shutdownNow();
      progress.close();
    }
  }

  /** A decoded result; its value may be null. */
  private record Value(Object value) {}
}
