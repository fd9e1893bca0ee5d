package io.pureremote.internal;

import io.pureremote.FunctionId;
import io.pureremote.ShellException;
import io.pureremote.spi.BlobStore;
import io.pureremote.spi.Shell.Launch;
import io.pureremote.spi.Shell.LaunchGroup;
import io.pureremote.spi.Shell.LaunchRequest;
import io.pureremote.spi.Shell;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Collects the misses of one function that reach their launch close together ({@link
 * Shell#grouping}) and hands them to the shell as one {@link LaunchGroup}; without a window every
 * miss is launched on its own. A group is handed over once no miss has joined it for the window,
 * when it holds the shell's most calls, or {@value #MAX_WINDOWS} windows after its first miss,
 * whichever comes first: a fan-out whose misses trickle in (each writes its invocation first)
 * still fills its groups, and no miss waits more than {@value #MAX_WINDOWS} windows. Thread-safe.
 */
final class LaunchBatcher implements AutoCloseable {
  private static final Logger log = LoggerFactory.getLogger(LaunchBatcher.class);
  /** The longest a group stays open, in windows. */
  static final int MAX_WINDOWS = 8;

  private final Shell shell;
  private final BlobStore store;
  private final ScheduledExecutorService timer = Executors.newSingleThreadScheduledExecutor(
      Thread.ofPlatform().daemon().name("pureremote-launch-groups").factory());
  // Guarded by this.
  private final Map<FunctionId, Pending> pending = new HashMap<>();

  private static final class Pending {
    final List<LaunchRequest> requests = new ArrayList<>();
    final List<CompletableFuture<Launch>> launches = new ArrayList<>();
    final long openedNanos = System.nanoTime();
    java.util.concurrent.ScheduledFuture<?> handOver;
  }

  LaunchBatcher(Shell shell, BlobStore store) {
    this.shell = shell;
    this.store = store;
  }

  /**
   * Launches {@code request}, alone or in a group; blocks until its group is handed over (at most
   * the shell's window). When interrupted while waiting, the launch that later comes is cancelled.
   * The request's lease holder ({@link LaunchRequest#holder()}) is what a batch manifest names.
   */
  Launch launch(LaunchRequest request) throws InterruptedException {
    LaunchGroup.Policy policy = shell.grouping(request.function());
    if (!policy.groups()) {
      return shell.launch(request);
    }
    CompletableFuture<Launch> mine = new CompletableFuture<>();
    Pending full = null;
    synchronized (this) {
      Pending group = pending.computeIfAbsent(request.function(), f -> new Pending());
      group.requests.add(request);
      group.launches.add(mine);
      if (group.handOver != null) {
        group.handOver.cancel(false);
      }
      if (group.requests.size() >= policy.maxCalls()) {
        pending.remove(request.function(), group);
        full = group;
      } else {
        // Another window from now, but never past MAX_WINDOWS windows from the first miss.
        long window = policy.window().toNanos();
        long left = group.openedNanos + MAX_WINDOWS * window - System.nanoTime();
        Pending g = group;
        group.handOver = timer.schedule(() -> handOver(request.function(), g), Math.max(0, Math.min(window, left)),
            TimeUnit.NANOSECONDS);
      }
    }
    if (full != null) {
      launchGroup(full);
    }
    try {
      return mine.get();
    } catch (InterruptedException e) {
      mine.thenAccept(Launch::cancel);
      throw e;
    } catch (ExecutionException e) {
      Throwable cause = e.getCause();
      if (cause instanceof ShellException s) {
        throw s;
      }
      throw new ShellException("LaunchFailed", "Shell " + shell.name() + " failed to launch a group of "
          + request.function() + ": " + cause, cause);
    }
  }

  private void handOver(FunctionId function, Pending group) {
    synchronized (this) {
      if (!pending.remove(function, group)) {
        return; // handed over already, when it was full
      }
    }
    launchGroup(group);
  }

  private void launchGroup(Pending group) {
    try {
      LaunchGroup launchGroup = new LaunchGroup(group.requests,
          members -> BatchManifest.write(store, members));
      List<Launch> launches = shell.launchGroup(launchGroup);
      if (launches.size() != group.requests.size()) {
        throw new IllegalStateException("Shell " + shell.name() + " returned " + launches.size() + " launches for a group of "
            + group.requests.size());
      }
      log.debug("handed a group of {} calls of {} to the {} shell", group.requests.size(),
          group.requests.getFirst().function(), shell.name());
      for (int i = 0; i < launches.size(); i++) {
        group.launches.get(i).complete(launches.get(i));
      }
    } catch (RuntimeException e) {
      group.launches.forEach(f -> f.completeExceptionally(e));
    }
  }

  @Override
  public void close() {
    timer.shutdownNow();
    List<Pending> left;
    synchronized (this) {
      left = List.copyOf(pending.values());
      pending.clear();
    }
    for (Pending group : left) {
      IllegalStateException closed = CallPipeline.closedError(group.requests.getFirst().function().name(), null);
      group.launches.forEach(f -> f.completeExceptionally(closed));
    }
  }
}
