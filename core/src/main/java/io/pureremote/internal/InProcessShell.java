package io.pureremote.internal;

import io.pureremote.spi.BlobStore;
import io.pureremote.spi.Shell.Launch;
import io.pureremote.spi.Shell.LaunchRequest;
import io.pureremote.spi.Shell.Outcome;
import io.pureremote.spi.Shell;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicReference;

/**
 * Runs each invocation on a virtual thread in this JVM, through the same executor as a remote run
 * (result committed with create-if-absent, lease released, run record written). The caller hands
 * the run the invocation frame it has just stored, and the run hands back the result frame it has
 * just created, instead of reading each back (docs/memo-layout.md, "The requests of a miss"); both
 * are checked and decoded as stored blobs are. For tests and for functions too cheap to deserve a
 * process. Cancelling interrupts the thread.
 *
 * <p>The function shares the caller's JVM: a {@code System.exit} or {@code Runtime.halt} in it
 * (or in a library it calls) ends the caller itself, and static state it changes is the caller's.
 * Use the child-JVM shell ({@code local}) for code that may do either.
 */
public final class InProcessShell implements Shell {
  private final ConcurrentHashMap<String, BlobStore> stores = new ConcurrentHashMap<>();
  private final java.util.Set<Thread> running = ConcurrentHashMap.newKeySet();
  private final BlobStore sharedStore;

  /** A shell that opens the memo's blob store by URI scheme (and keeps it open until closed). */
  public InProcessShell() {
    this.sharedStore = null;
  }

  /** A shell that uses {@code store} for every invocation under its root. */
  public InProcessShell(BlobStore store) {
    this.sharedStore = store;
  }

  @Override
  public String name() {
    return "in-process";
  }

  /**
   * Whether calls of {@code function} through {@code shell} run in this JVM (an in-process shell,
   * directly or routed to): the caller then hands its run the invocation in memory.
   */
  static boolean runsHere(Shell shell, io.pureremote.FunctionId function) {
    Shell target = shell instanceof RoutingShell routing ? routing.shellFor(function.name()) : shell;
    return target instanceof InProcessShell;
  }

  @Override
  public Launch launch(LaunchRequest request) {
    MemoKey.Located located = MemoKey.parseUri(request.memoUri());
    ClassLoader loader = Thread.currentThread().getContextClassLoader();
    CompletableFuture<Outcome> completion = new CompletableFuture<>();
    AtomicReference<Thread> worker = new AtomicReference<>();
    Thread thread = Thread.ofVirtual().name("pureremote-in-process-" + request.shortLabel()).unstarted(() -> {
      running.add(Thread.currentThread());
      try {
        BlobStore store = store(located.root(), BlobStore.fromEnvironment(request.environment()), loader);
        int code = new RemoteExecutor(store, loader).run(located.key(), request.holder());
        completion.complete(Outcome.exited(code, ""));
      } catch (Throwable t) {
        completion.completeExceptionally(t);
      } finally {
        running.remove(Thread.currentThread());
      }
    });
    worker.set(thread);
    thread.start();
    return new Launch() {
      @Override
      public CompletableFuture<Outcome> completion() {
        return completion;
      }

      @Override
      public void cancel() {
        worker.get().interrupt();
        completion.complete(new Outcome("Cancelled", null, "interrupted by the caller"));
      }

      @Override
      public String description() {
        return "thread " + thread.getName();
      }
    };
  }

  private BlobStore store(String root, Map<String, String> settings, ClassLoader loader) {
    if (sharedStore != null && sharedStore.root().equals(root)) {
      return sharedStore;
    }
    return stores.computeIfAbsent(root, r -> BlobStore.open(r, settings, loader));
  }

  /**
   * Interrupts runs still going and waits (up to 10 s each) for them to finish writing, then
   * closes the stores this shell opened.
   */
  @Override
  public void close() {
    running.forEach(Thread::interrupt);
    for (Thread t : running) {
      try {
        t.join(java.time.Duration.ofSeconds(10));
      } catch (InterruptedException e) {
        Thread.currentThread().interrupt();
        break;
      }
    }
    stores.values().forEach(BlobStore::close);
    stores.clear();
  }
}
