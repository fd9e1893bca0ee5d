package io.pureremote;

/** What a call does when the memo holds an error from an earlier run of the same call. */
public enum ExceptionPolicy {
  /**
   * Ignore a stored error and run the function again (the default): failures are often caused by
   * the environment (data not yet there, a flaky dependency) rather than by the arguments.
   */
  RERUN,
  /**
   * Treat a stored error as the memoized outcome: rethrow it without running the function. Use it
   * for functions whose failures are deterministic and expensive to reproduce.
   */
  MEMOIZE
}
