package io.pureremote.torch;

import io.pureremote.ShellException;
import io.pureremote.spi.Shell.Launch;
import io.pureremote.spi.Shell.Outcome;
import java.util.concurrent.CompletableFuture;

/**
 * The launch a caller holds while the shell chooses the backend (once per shell, at the first
 * launch; it needs the API server): then it follows the backend's run ({@link TorchRun} or {@link
 * OperatorRun}). A cancel before that is passed on as soon as the run exists. Thread-safe.
 */
final class TorchLaunch implements Launch {
  private final CompletableFuture<Outcome> completion = new CompletableFuture<>();
  private final String label;
  private Launch run;
  private boolean cancelled;

  TorchLaunch(String label) {
    this.label = label;
  }

  /** The backend's run for this call; false (and cancelled) when the caller cancelled before. */
  boolean attach(Launch backendRun) {
    synchronized (this) {
      run = backendRun;
    }
    backendRun.completion().whenComplete((outcome, failure) -> {
      if (failure != null) {
        completion.completeExceptionally(failure);
      } else {
        completion.complete(outcome);
      }
    });
    synchronized (this) {
      if (!cancelled) {
        return true;
      }
    }
    backendRun.cancel();
    return false;
  }

  void fail(ShellException e) {
    completion.completeExceptionally(e);
  }

  @Override
  public CompletableFuture<Outcome> completion() {
    return completion;
  }

  @Override
  public void cancel() {
    Launch current;
    synchronized (this) {
      cancelled = true;
      current = run;
    }
    if (current != null) {
      current.cancel();
    } else {
      completion.complete(new Outcome("Cancelled", null, "cancelled by the caller before the torch shell created anything"));
    }
  }

  @Override
  public synchronized String description() {
    return run != null ? run.description() : "torch " + label + " (choosing the backend)";
  }

  @Override
  public String toString() {
    return description();
  }
}
