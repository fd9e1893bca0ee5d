package io.pureremote;

/**
 * Where a runtime reports the progress of its calls: done, running, cached and failed counts and
 * an ETA, for {@link RemoteRuntime#map} fan-outs and concurrent asynchronous calls alike.
 *
 * <p>Counts cover one <em>burst</em>: from a call submitted while the runtime was idle to the
 * moment no call is outstanding any more. A {@code map} over 10,000 inputs is one burst; so are
 * asynchronous calls that overlap it. Bursts shorter than a second (a terminal) or ten seconds (a
 * log) report nothing, so single quick calls stay quiet.
 *
 * <pre>{@code
 * pureremote: 812/10000 done (640 cached, 3 failed), 150 running, 9038 queued — ETA 4m12s
 * }</pre>
 */
public enum Progress {
  /** {@link #TERMINAL} when stderr looks like an interactive terminal, else {@link #LOG}. The default. */
  AUTO,
  /** One line on stderr, redrawn in place with {@code \r} a few times a second, ended by a newline. */
  TERMINAL,
  /** An SLF4J INFO line at a low rate: every 10 % of the calls, and at least every minute. */
  LOG,
  /** No progress output. */
  OFF
}
