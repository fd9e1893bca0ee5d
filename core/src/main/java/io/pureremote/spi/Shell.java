package io.pureremote.spi;

/**
 * Runs one invocation somewhere: in this JVM, in a child JVM, in a Kubernetes Job. A shell only
 * starts {@code RemoteMain run <memo uri>} and reports how it ended; the call's value or error
 * always comes from the blob store, never from the shell.
 *
 * <p>Implementations are thread-safe; {@link #launch} must not block for the run itself.
 */
public interface Shell extends AutoCloseable {

  /** A short name for logs and configuration, e.g. {@code in-process}, {@code local}. */
  String name();

  /**
   * Starts the invocation described by {@code request}. Failures to start are reported through
   * the returned launch's {@link Launch#completion()}, completed exceptionally with a {@link
   * io.pureremote.ShellException}.
   */
  Launch launch(LaunchRequest request);

  /**
   * How this shell wants misses of {@code function} collected into groups for {@link
   * #launchGroup}. The default, {@link LaunchGroup.Policy#NONE}, launches every miss on its own.
   * Must be cheap: the pipeline asks on every miss.
   */
  default LaunchGroup.Policy grouping(io.pureremote.FunctionId function) {
    return LaunchGroup.Policy.NONE;
  }

  /**
   * Starts every member of {@code group} and returns one launch per request, in the group's
   * order; each launch ends, and is cancelled, on its own (cancelling one member must not stop
   * the others). Must not block for the runs. The default launches each request with {@link
   * #launch}.
   */
  default java.util.List<Launch> launchGroup(LaunchGroup group) {
    return group.requests().stream().map(this::launch).toList();
  }

  /** Stops what the shell still runs and releases its threads. The default does nothing. */
  @Override
  default void close() {}
}
