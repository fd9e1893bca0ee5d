package io.pureremote.spi;

import java.util.concurrent.CompletableFuture;

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
