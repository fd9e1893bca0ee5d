package io.pureremote.spi;

import java.util.Objects;
import java.util.OptionalInt;

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
