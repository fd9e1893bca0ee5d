package io.pureremote.internal;

import io.pureremote.FunctionId;
import io.pureremote.MemoEntry;
import io.pureremote.Distributed.TorchDistributed;
import io.pureremote.spi.BlobStore.BlobContent;
import io.pureremote.spi.BlobStore;
import io.pureremote.spi.Shell.Outcome;
import io.pureremote.spi.BlobStore.StoredBlob;
import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.lang.reflect.InvocationTargetException;
import java.lang.reflect.Method;
import java.nio.charset.StandardCharsets;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The remote side of a call: reads {@code invocation}, resolves and runs the function, and commits
 * exactly one of {@code result} or {@code error} with a create-if-absent write. Used by {@code
 * RemoteMain} in child JVMs and pods, and directly by the in-process shell.
 */
public final class RemoteExecutor {
  // Exit codes live next to Outcome (one definition for RemoteMain and every shell); these aliases
  // keep the executor's code readable.
  static final int EXIT_OK = Outcome.EXIT_OK;
  static final int EXIT_FUNCTION_FAILED = Outcome.EXIT_FUNCTION_FAILED;
  static final int EXIT_INFRASTRUCTURE = Outcome.EXIT_INFRASTRUCTURE;
  static final int EXIT_LEASE_LOST = Outcome.EXIT_LEASE_LOST;

  private static final Logger log = LoggerFactory.getLogger(RemoteExecutor.class);

  private final BlobStore store;
  private final ClassLoader loader;
  private final LogCapture logCapture;
  /**
   * One lease-renewal thread for every run of this JVM (a pool worker runs thousands), started on
   * first use; a daemon, so a one-shot {@code RemoteMain run} exits as before.
   */
  private static final class RenewalScheduler {
    static final ScheduledExecutorService INSTANCE = Executors.newSingleThreadScheduledExecutor(
        Thread.ofPlatform().daemon().name("pureremote-remote-lease").factory());
  }

  /**
   * Codecs by allowed packages and class loader, for this executor's store: building one (its
   * Kryo registrations) cost more than a small run's own work. Bounded: a JVM serves few of each,
   * so past the bound the cache starts again. Lock-free to read: the slots of a pool worker look
   * it up on every run (a synchronized, access-ordered map was a point of contention).
   */
  private static final Map<CodecKey, KryoCodec> CODECS = new java.util.concurrent.ConcurrentHashMap<>();
  private static final int MAX_CODECS = 32;

  private record CodecKey(List<String> packages, ClassLoader loader, BlobStore store) {}

  private KryoCodec codec(MemoEntry.Invocation call) {
    CodecKey key = new CodecKey(call.allowedPackages(), loader, store);
    KryoCodec codec = CODECS.get(key);
    if (codec != null) {
      return codec;
    }
    if (CODECS.size() >= MAX_CODECS) {
      CODECS.clear();
    }
    return CODECS.computeIfAbsent(key, k -> new KryoCodec(k.packages(), k.loader(), k.store()));
  }
  private Leases leases;
  private TorchDistributed torch;
  private List<io.pureremote.spi.CallListener> listeners;
  private boolean batchMember;

  /** An executor reading and writing through {@code store}, loading classes with {@code loader}. */
  public RemoteExecutor(BlobStore store, ClassLoader loader) {
    this(store, loader, null);
  }

  /**
   * An executor that also stores the process log captured by {@code logCapture} beside each run
   * record, as {@code runs/<run>.log}.
   */
  public RemoteExecutor(BlobStore store, ClassLoader loader, LogCapture logCapture) {
    this.store = store;
    this.loader = loader;
    this.logCapture = logCapture;
  }

  /**
   * Runs the call at {@code key} as one member of a batch ({@code RemoteMain batch}): like {@link
   * #run}, except that a call its caller no longer waits for (cancelled: the caller released its
   * lease, or never had one) is skipped with {@link Outcome#EXIT_LEASE_LOST}, since a batch starts
   * every member's pod whether or not its caller still wants it.
   */
  public int runBatchMember(MemoKey key) {
    return runBatchMember(key, null);
  }

  /** {@link #runBatchMember(MemoKey)} for a member launched under lease {@code launchedBy} (see {@link #run(MemoKey, String)}). */
  public int runBatchMember(MemoKey key, String launchedBy) {
    batchMember = true;
    return run(key, launchedBy);
  }

  /**
   * Runs the invocation at {@code key} and returns the process exit code to report. Never throws
   * for a user function's failure; infrastructure failures are logged and give {@link
   * Outcome#EXIT_INFRASTRUCTURE}.
   */
  public int run(MemoKey key) {
    return run(key, null);
  }

  /**
   * {@link #run(MemoKey)} for a launch its caller made under the lease of holder {@code
   * launchedBy} ({@code RemoteMain run <memo uri> --holder <id>}). When the entry's invocation
   * names another holder (a new caller took the call over and rewrote it), this launch is an
   * orphan of the old caller: it runs nothing, commits nothing and returns {@link
   * Outcome#EXIT_LEASE_LOST}. {@code null}: a launch outside a lease, which trusts the invocation.
   */
  public int run(MemoKey key, String launchedBy) {
    String memoUri = store.uri(key.prefix());
    Instant started = Instant.now();
    try {
      Optional<BlobFrame.Spooled> read = handedInvocation(key, launchedBy);
      if (read.isEmpty()) {
        // Read whole again when its stream breaks part-way: the store's SDK retried the request, not the body.
        read = RemoteStoreRetries.idempotent("reading " + memoUri + "/invocation", () -> readInvocation(key));
      }
      if (read.isEmpty()) {
        log.error("No invocation at {}; the caller writes it before launching. Nothing to run.", memoUri);
        return EXIT_INFRASTRUCTURE;
      }
      try (BlobFrame.Spooled invocation = read.get()) {
        MemoEntry.Invocation call = MemoEntry.Invocation.fromHeader(invocation.section("call"));
        String named = call.lease() == null ? null : call.lease().holder();
        if (launchedBy != null && !launchedBy.equals(named)) {
          // The launch's own holder, not the invocation's, says whose run this is: the invocation
          // is rewritten by every new holder, so an orphan reading it would otherwise join and run
          // as the new holder's run, beside that holder's own.
          log.warn("{}: launched under lease holder {}, but the invocation now names {}: the call was taken over by"
              + " another caller, whose run decides it; not running this orphaned launch (exit {})", memoUri,
              launchedBy, named == null ? "no lease" : "holder " + named, EXIT_LEASE_LOST);
          return EXIT_LEASE_LOST;
        }
        ResolvedCall resolved = resolve(call, key.function());
        torch = TorchDistributed.current();
        // The caller's own lease when this run shares its JVM (the in-process shell): the record
        // already names this process and the caller renews it, so there is nothing to join.
        Optional<Leases.Lease> local = call.lease() == null || torch.backend().isPresent() ? Optional.empty()
            : Leases.heldHere(store.root(), key.key(Leases.LEASE), call.lease().holder());
        // The first run the holder launched under a lease it created needs no look for a result:
        // the caller made sure there was none when it took the lease. Any other run (a retry of
        // a pod, a re-dispatch) may come after a commit.
        boolean knownEmpty = local.isPresent() && local.get().created() && local.get().claimLocalRun();
        boolean follower = torch.backend().isPresent() && !torch.isCommitter();
        // A run in another process joins the record its caller created and handed over in the
        // invocation with one conditional write; when that write succeeds, the record is still the
        // caller's new one, so no run has joined it and none can have committed.
        Optional<Leases.Lease> fresh = local.isPresent() || follower ? Optional.empty() : joinHanded(key, call, invocation);
        knownEmpty |= fresh.isPresent();
        if (!knownEmpty && RemoteStoreRetries.idempotent("looking for " + memoUri + "/result",
            () -> store.exists(key.key(MemoKey.RESULT)))) {
          log.info("{} already has a result; not running it again", memoUri);
          if (!follower) {
            releaseFound(key, call, local);
          }
          return EXIT_OK;
        }
        if (follower) {
          return runFollower(key, call, invocation, resolved, started);
        }
        if (local.isPresent()) {
          return runHolding(key, call, invocation, resolved, local, true, started);
        }
        if (fresh.isEmpty() && batchMember && givenUp(key, call)) {
          log.info("{}: the caller cancelled this call (its lease is released); skipping this member of the batch",
              memoUri);
          writeRunRecord(key, started, "skipped: cancelled by the caller");
          return EXIT_LEASE_LOST;
        }
        LeaseJoin join = fresh.isPresent() ? new LeaseJoin(fresh.get(), false) : joinLease(key, call);
        if (join.takenOver()) {
          return EXIT_LEASE_LOST;
        }
        try {
          return runHolding(key, call, invocation, resolved, Optional.ofNullable(join.lease()), false, started);
        } finally {
          if (join.lease() != null) {
            join.lease().stop();
          }
          // The renewal scheduler is shared by every run in this JVM; stopping the lease ends ours.
        }
      }
    } catch (RuntimeException | LinkageError | ReflectiveOperationException e) {
      log.error("Cannot run {}: {}", memoUri, e.toString(), e);
      try {
        writeRunRecord(key, started, "infrastructure-failure: " + e);
      } catch (RuntimeException ignored) {
        // The store itself may be what failed; the exit code still tells the caller.
      }
      return EXIT_INFRASTRUCTURE;
    }
  }

  /**
   * A torch node other than rank 0: runs the function (its part of the collective) but commits
   * neither result nor error, so the one committer stays rank 0; it holds no lease (rank 0 does).
   * Its run record and log still land beside the entry, and its exit code tells the shell how it
   * ended.
   */
  private int runFollower(MemoKey key, MemoEntry.Invocation call, BlobFrame.Spooled invocation, ResolvedCall resolved,
      Instant started) throws ReflectiveOperationException {
    KryoCodec codec = codec(call);
    Object[] args;
    try (InputStream payload = invocation.payload().open()) {
      args = (Object[]) codec.read(payload, invocation.payload().length(), store.uri(key.key(MemoKey.INVOCATION)));
    } catch (IOException e) {
      throw new UncheckedIOException("Cannot read the spooled invocation", e);
    }
    log.info("running {} as node {} of {} (rank 0 commits the result)", key.function(), torch.nodeRank(), torch.nodes());
    try {
      resolved.invoke(args);
    } catch (InvocationTargetException e) {
      log.error("{} threw on node {}: {}", key.function(), torch.nodeRank(), e.getCause().toString(), e.getCause());
      writeRunRecord(key, started, "node-failed: " + e.getCause());
      return EXIT_FUNCTION_FAILED;
    }
    writeRunRecord(key, started, "node-succeeded");
    return EXIT_OK;
  }

  /** The outcome of joining the caller's lease: held (lease set), none taken, or taken over. */
  private record LeaseJoin(Leases.Lease lease, boolean takenOver) {}

  /** Whether the caller of a batch member gave it up: its lease is released, gone or another's. */
  private boolean givenUp(MemoKey key, MemoEntry.Invocation call) {
    MemoEntry.Invocation.LeaseTerms terms = call.lease();
    if (terms == null) {
      return false;
    }
    Leases reader = new Leases(store, terms.expiry(), terms.renewEvery(), Clock.systemUTC(), null);
    Optional<Leases.State> state = RemoteStoreRetries.idempotent("reading " + store.uri(key.key(Leases.LEASE)),
        () -> reader.read(key.key(Leases.LEASE)));
    return state.isEmpty() || state.get().released() || !state.get().holder().equals(terms.holder());
  }

  /**
   * The invocation its caller in this JVM (the in-process shell) wrote, handed over in memory
   * while the caller surely holds the lease: the very bytes stored, checked and decoded the same
   * way, without reading them back.
   */
  private Optional<BlobFrame.Spooled> handedInvocation(MemoKey key, String launchedBy) {
    if (launchedBy == null) {
      return Optional.empty();
    }
    return Leases.heldHere(store.root(), key.key(Leases.LEASE), launchedBy).flatMap(Leases.Lease::handedInvocation)
        .map(frame -> BlobFrame.readSpooled(new java.io.ByteArrayInputStream(frame),
            store.uri(key.key(MemoKey.INVOCATION))));
  }

  /** Joins the record the caller handed over in the invocation, if it did and the record is unchanged. */
  private Optional<Leases.Lease> joinHanded(MemoKey key, MemoEntry.Invocation call, BlobFrame.Spooled invocation) {
    MemoEntry.Invocation.LeaseTerms terms = call.lease();
    Optional<Leases.HandedRecord> handed = terms == null ? Optional.empty()
        : Leases.HandedRecord.of(invocation.section("call"));
    if (handed.isEmpty()) {
      return Optional.empty();
    }
    leases = new Leases(store, terms.expiry(), terms.renewEvery(), Clock.systemUTC(), RenewalScheduler.INSTANCE);
    // A write whose answer was lost after it took effect fails on its retry (the version moved
    // on): the run then joins as any other, from a read.
    return RemoteStoreRetries.idempotent("joining " + store.uri(key.key(Leases.LEASE)),
        () -> leases.joinHanded(key.key(Leases.LEASE), terms.holder(), handed.get()));
  }

  /**
   * A run that found the result already committed (a retried pod after a commit) releases the
   * caller's lease as a committing run would: the caller leaves that to the run.
   */
  private void releaseFound(MemoKey key, MemoEntry.Invocation call, Optional<Leases.Lease> local) {
    if (local.isPresent()) {
      releaseAfterCommit(key, local);
      return;
    }
    MemoEntry.Invocation.LeaseTerms terms = call.lease();
    if (terms == null) {
      return;
    }
    Leases reader = new Leases(store, terms.expiry(), terms.renewEvery(), Clock.systemUTC(), RenewalScheduler.INSTANCE);
    try {
      RemoteStoreRetries.idempotent("releasing " + store.uri(key.key(Leases.LEASE)),
          () -> reader.releaseHeldBy(key.key(Leases.LEASE), terms.holder()));
    } catch (RuntimeException e) {
      log.warn("{}: could not release the call's lease (it expires by itself): {}", store.uri(key.prefix()),
          e.getMessage());
    }
  }

  /**
   * Releases the lease right after the commit: a committed call leaves no live lease behind,
   * even when its caller is gone. A failure is logged; the record then expires by itself.
   */
  private void releaseAfterCommit(MemoKey key, Optional<Leases.Lease> lease) {
    if (lease.isEmpty()) {
      return;
    }
    try {
      RemoteStoreRetries.idempotent("releasing " + store.uri(key.key(Leases.LEASE)), () -> {
        lease.get().releaseAfterCommit();
        return null;
      });
    } catch (RuntimeException e) {
      log.warn("{}: committed, but the lease could not be released (it expires by itself): {}",
          store.uri(key.prefix()), e.getMessage());
    }
  }

  /** Joins the lease the caller took, so it stays renewed while the function runs. */
  private LeaseJoin joinLease(MemoKey key, MemoEntry.Invocation call) {
    MemoEntry.Invocation.LeaseTerms terms = call.lease();
    if (terms == null) {
      return new LeaseJoin(null, false);
    }
    leases = new Leases(store, terms.expiry(), terms.renewEvery(), Clock.systemUTC(), RenewalScheduler.INSTANCE);
    // Joining reads the record, then renews it at its version: a join that failed part-way is
    // joined again from a new read (the renewal either applied, naming this process, or did not).
    Optional<Leases.Lease> joined = RemoteStoreRetries.idempotent("joining " + store.uri(key.key(Leases.LEASE)),
        () -> leases.join(key.key(Leases.LEASE), terms.holder()));
    if (joined.isEmpty()) {
      log.warn("{}: the call's lease names another holder now (a new caller took it over); not running it again",
          key.function());
      return new LeaseJoin(null, true);
    }
    return new LeaseJoin(joined.get(), false);
  }

  /**
   * Runs the function and commits its outcome under {@code lease}; {@code sameJvm}: the lease is
   * the caller's own object (the in-process shell), which is handed the committed result frame.
   */
  private int runHolding(MemoKey key, MemoEntry.Invocation call, BlobFrame.Spooled invocation, ResolvedCall resolved,
      Optional<Leases.Lease> lease, boolean sameJvm, Instant started) throws ReflectiveOperationException {
    String memoUri = store.uri(key.prefix());
    {
      KryoCodec codec = codec(call);
      Object[] args;
      try (InputStream payload = invocation.payload().open()) {
        args = (Object[]) codec.read(payload, invocation.payload().length(), store.uri(key.key(MemoKey.INVOCATION)));
      } catch (IOException e) {
        throw new UncheckedIOException("Cannot read the spooled invocation", e);
      }
      log.info("running {} for {} (invoked at {})", key.function(), call.invokedBy(), call.invokedAt());
      Object value;
      try {
        value = resolved.invoke(args);
      } catch (InvocationTargetException e) {
        if (!holdsLease(lease, key)) {
          return EXIT_LEASE_LOST;
        }
        return commitError(key, call, e.getCause(), lease, started);
      }
      Map<String, Object> fields = new LinkedHashMap<>();
      fields.put("serializer", KryoCodec.NAME);
      fields.put("serializerVersion", KryoCodec.VERSION);
      fields.put("library", CallMetadata.LIBRARY_VERSION);
      fields.put("java", CallMetadata.JAVA_VERSION);
      fields.put("call", identityFields(call));
      fields.put("run", runFields(started));
      boolean won;
      long size;
      List<io.pureremote.BlobRef> refs = new ArrayList<>();
      try (Spool payload = codec.spool(value, refs)) {
        // The content a reader must find, recorded so tools can check it without decoding.
        fields.put("blobRefs", Aside.headerField(refs));
        BlobContent frame = BlobFrame.content(BlobFrame.KRYO, fields, payload);
        // Handed back only to a caller that handed its invocation over (it knows the shell runs here).
        byte[] handed = sameJvm && lease.get().handsOff() ? Leases.handOffBytes(frame) : null;
        if (handed != null) {
          frame = BlobContent.of(handed);
        }
        if (!holdsLease(lease, key)) {
          return EXIT_LEASE_LOST;
        }
        size = frame.length();
        won = RemoteStoreRetries.commit(store, key.key(MemoKey.RESULT), frame) == RemoteStoreRetries.Commit.WON;
        if (won && handed != null) {
          lease.get().handResult(handed);
        }
      }
      if (won) {
        log.info("{}: result committed ({} bytes) after {} ms", key.function(), size,
            Duration.between(started, Instant.now()).toMillis());
      } else {
        log.info("{}: another run committed the result first; keeping theirs", memoUri);
      }
      releaseAfterCommit(key, lease);
      writeRunRecordAfterCommit(key, started, won ? "succeeded" : "lost-race");
      return EXIT_OK;
    }
  }

  /** Checked right before committing: a run whose call was taken over must not commit. */
  private boolean holdsLease(Optional<Leases.Lease> lease, MemoKey key) {
    if (lease.isPresent() && (lease.get().lost() || !lease.get().heldForSure() && !lease.get().stillHeld())) {
      log.warn("{}: the call's lease was taken over by another run; not committing", key.function());
      writeRunRecord(key, Instant.now(), "lease-lost");
      return false;
    }
    return true;
  }

  private int commitError(MemoKey key, MemoEntry.Invocation call, Throwable thrown, Optional<Leases.Lease> lease,
      Instant started) {
    log.info("{} threw {}", key.function(), thrown.toString());
    Map<String, Object> fields = new LinkedHashMap<>();
    fields.put("library", CallMetadata.LIBRARY_VERSION);
    fields.put("java", CallMetadata.JAVA_VERSION);
    fields.put("call", identityFields(call));
    fields.put("run", runFields(started));
    byte[] payload = Json.write(ErrorRecord.of(thrown)).getBytes(StandardCharsets.UTF_8);
    byte[] frame = BlobFrame.of(BlobFrame.JSON, fields, payload).toBytes();
    if (RemoteStoreRetries.commit(store, key.key(MemoKey.ERROR), BlobContent.of(frame))
        == RemoteStoreRetries.Commit.LOST) {
      log.info("{}: an error was already committed by another run; keeping it", store.uri(key.prefix()));
    }
    releaseAfterCommit(key, lease);
    writeRunRecordAfterCommit(key, started, "function-failed");
    return EXIT_FUNCTION_FAILED;
  }

  private ResolvedCall resolve(MemoEntry.Invocation call, FunctionId expected) throws ReflectiveOperationException {
    Class<?> iface = Class.forName(String.valueOf(call.interfaceName()), false, loader);
    List<String> paramNames = call.parameterTypes();
    Class<?>[] params = new Class<?>[paramNames.size()];
    for (int i = 0; i < params.length; i++) {
      params[i] = typeByName(paramNames.get(i));
    }
    Method method = iface.getMethod(String.valueOf(call.methodName()), params);
    List<String> problems = new ArrayList<>();
    Optional<FunctionId> actual = RemoteMethod.identity(method, problems);
    if (actual.isEmpty() || !actual.get().equals(expected)) {
      throw new IllegalStateException(
          "The code here has " + actual.map(FunctionId::toString).orElse("no @PureRemote identity") + " for "
              + iface.getName() + "." + method.getName() + " but the call is for " + expected
              + ": the remote runs a different build than the caller. Rebuild and push the image (or classpath) the caller uses.");
    }
    Class<?> impl = Class.forName(String.valueOf(call.implementation()), true, loader);
    if (call.code() != null) {
      checkSameCode(call, iface, impl);
    }
    var constructor = impl.getDeclaredConstructor();
    constructor.setAccessible(true);
    Object instance = constructor.newInstance();
    method.setAccessible(true);
    return new ResolvedCall(method, instance);
  }

  /**
   * A code-hashed call must run the code it was keyed with: a remote with other class files (an
   * image built from other sources) would commit its result under the caller's code identity.
   */
  private static void checkSameCode(MemoEntry.Invocation call, Class<?> iface, Class<?> impl) {
    MemoEntry.Invocation.Code here = CodeIdentity.of(impl, RemoteMethod.ownPackages(iface, impl)).recorded(null);
    List<String> changes = call.code().changesTo(here); // "added": only here; "removed": only the caller's
    if (!changes.isEmpty()) {
      throw new IllegalStateException("The code here differs from the code the caller keyed " + call.function()
          + " with (codeHash = true): " + String.join(", ", changes.stream()
              .map(c -> c.endsWith(" added") ? c.replace(" added", " only here")
                  : c.endsWith(" removed") ? c.replace(" removed", " missing here") : c).toList())
          + ". The remote runs a different build than the caller: rebuild and push the image (or class path) the caller uses.");
    }
  }

  /**
   * The call listeners of this executor's class loader. An in-process shell makes an executor per
   * run, so the last loader's listeners are kept: a class-path scan per run would cost a miss more
   * than its store requests. One entry only, so no class loader is kept alive by a cache.
   */
  private List<io.pureremote.spi.CallListener> listeners() {
    if (listeners == null) {
      LoadedListeners last = lastListeners;
      if (last == null || last.loader() != loader) {
        last = new LoadedListeners(loader, io.pureremote.spi.CallListener.loaded(loader));
        lastListeners = last;
      }
      listeners = last.listeners();
    }
    return listeners;
  }

  private record LoadedListeners(ClassLoader loader, List<io.pureremote.spi.CallListener> listeners) {}

  private static volatile LoadedListeners lastListeners;

  private Class<?> typeByName(String name) throws ClassNotFoundException {
    return switch (name) {
      case "boolean" -> boolean.class;
      case "byte" -> byte.class;
      case "short" -> short.class;
      case "char" -> char.class;
      case "int" -> int.class;
      case "long" -> long.class;
      case "float" -> float.class;
      case "double" -> double.class;
      default -> Class.forName(name, false, loader);
    };
  }

  private record ResolvedCall(Method method, Object instance) {
    Object invoke(Object[] args) throws InvocationTargetException, IllegalAccessException {
      Object value = method.invoke(instance, args);
      if (value instanceof CompletableFuture<?> future) {
        try {
          return future.get();
        } catch (ExecutionException e) {
          throw new InvocationTargetException(e.getCause() == null ? e : e.getCause());
        } catch (InterruptedException e) {
          Thread.currentThread().interrupt();
          throw new InvocationTargetException(e);
        }
      }
      return value;
    }
  }

  /** The caller's identity fields, copied into the result and error headers. */
  private static Map<String, Object> identityFields(MemoEntry.Invocation call) {
    Map<String, Object> header = call.toHeader();
    Map<String, Object> fields = new LinkedHashMap<>();
    for (String k : List.of("function", "version", "pipeline", "invokedBy", "invokedAt")) {
      fields.put(k, header.get(k));
    }
    return fields;
  }

  private static Map<String, Object> runFields(Instant started) {
    Instant ended = Instant.now();
    Map<String, Object> run = new LinkedHashMap<>();
    run.put("host", CallMetadata.host());
    run.put("pid", CallMetadata.pid());
    run.put("startedAt", started.toString());
    run.put("endedAt", ended.toString());
    run.put("durationMs", Duration.between(started, ended).toMillis());
    return run;
  }

  private void writeRunRecord(MemoKey key, Instant started, String status) {
    Map<String, Object> record = runFields(started);
    record.put("status", status);
    if (!listeners().isEmpty()) {
      io.pureremote.spi.CallListener.Run run = new io.pureremote.spi.CallListener.Run(key.function(),
          store.uri(key.prefix()), status, started, Instant.now());
      io.pureremote.spi.CallListener.notify(listeners(), l -> l.runEnded(run));
    }
    if (torch != null && torch.isDistributed()) {
      Map<String, Object> node = new LinkedHashMap<>();
      node.put("backend", torch.backend().orElse(torch.convention().name().toLowerCase(java.util.Locale.ROOT)));
      node.put("nodeRank", torch.nodeRank());
      node.put("nodes", torch.nodes());
      record.put("torch", node);
    }
    // Pods of one run may share a pid (often 1) and a start instant: the node rank keeps their records apart.
    String run = started.toString().replace(":", "").replace(".", "") + "-" + CallMetadata.pid()
        + (torch != null && torch.isDistributed() ? "-node" + torch.nodeRank() : "");
    // Keys only this run names: sending one again after a lost answer cannot clash with anyone.
    String recordKey = key.key(MemoKey.RUNS + "/" + run + ".json");
    BlobContent recordContent = BlobContent.of(Json.write(record).getBytes(StandardCharsets.UTF_8));
    RemoteStoreRetries.idempotent("writing " + store.uri(recordKey), () -> store.putIfAbsent(recordKey, recordContent));
    if (logCapture != null) {
      String logKey = key.key(MemoKey.RUNS + "/" + run + ".log");
      BlobContent logContent = BlobContent.of(logCapture.snapshot());
      RemoteStoreRetries.idempotent("writing " + store.uri(logKey), () -> store.putIfAbsent(logKey, logContent));
    }
  }

  /**
   * The run record of a run that committed: the commit decided the call, so a record that cannot
   * be written (after its retries) is logged, and the run still ends as it committed.
   */
  private void writeRunRecordAfterCommit(MemoKey key, Instant started, String status) {
    try {
      writeRunRecord(key, started, status);
    } catch (RuntimeException e) {
      log.warn("{}: the run committed ({}), but its run record could not be written: {}", store.uri(key.prefix()),
          status, e.getMessage());
    }
  }

  /** The invocation, read and checked whole; empty when there is none. */
  private Optional<BlobFrame.Spooled> readInvocation(MemoKey key) {
    Optional<StoredBlob> blob = store.get(key.key(MemoKey.INVOCATION));
    if (blob.isEmpty()) {
      return Optional.empty();
    }
    try (StoredBlob b = blob.get()) {
      return Optional.of(BlobFrame.readSpooled(b.stream(), store.uri(key.key(MemoKey.INVOCATION))));
    }
  }
}
