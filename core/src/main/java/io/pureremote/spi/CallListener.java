package io.pureremote.spi;

import io.pureremote.FunctionId;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Objects;
import java.util.ServiceLoader;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Hears how calls and remote runs end, for metrics and traces: found with {@link ServiceLoader}
 * on the class path (module {@code pureremote-observability} provides one that feeds Micrometer
 * and OpenTelemetry when they are present). Called on the library's threads after the fact, so it
 * costs a call nothing while it runs; it must be fast and must not throw (a listener that throws
 * is logged once and then ignored for that event).
 */
public interface CallListener {
  /**
   * One call as its caller saw it, the same fields as the event log beside the memo.
   *
   * @param function the function's identity
   * @param pipelineId the pipeline id
   * @param memoUri the call's memo entry
   * @param outcome {@code hit}, {@code miss}, {@code failed} or {@code joined}
   * @param startedAt when the caller submitted the call
   * @param queuedMs milliseconds it waited for a slot, or -1 when not known
   * @param durationMs milliseconds from submit until it ended
   * @param errorClass the exception class of a failed call, else null
   */
  record Call(FunctionId function, String pipelineId, String memoUri, String outcome, Instant startedAt,
      long queuedMs, long durationMs, String errorClass) {
    /** Checks the required fields. */
    public Call {
      Objects.requireNonNull(function, "function");
      Objects.requireNonNull(memoUri, "memoUri");
      Objects.requireNonNull(outcome, "outcome");
      Objects.requireNonNull(startedAt, "startedAt");
    }
  }

  /**
   * One remote run as {@code RemoteMain} (or the in-process shell) saw it: what its run record says.
   *
   * @param function the function's identity
   * @param memoUri the call's memo entry, which links the run to the caller's {@link Call}
   * @param status the run record's status: {@code succeeded}, {@code function-failed}, {@code
   *     lost-race}, {@code lease-lost} or {@code infrastructure-failure: ...}
   * @param startedAt when the run started
   * @param endedAt when it ended
   */
  record Run(FunctionId function, String memoUri, String status, Instant startedAt, Instant endedAt) {
    /** Checks the required fields. */
    public Run {
      Objects.requireNonNull(function, "function");
      Objects.requireNonNull(memoUri, "memoUri");
      Objects.requireNonNull(status, "status");
      Objects.requireNonNull(startedAt, "startedAt");
      Objects.requireNonNull(endedAt, "endedAt");
    }
  }

  /** A call ended (on the caller's side). */
  default void callEnded(Call call) {}

  /** A remote run ended and wrote its run record (on the remote side). */
  default void runEnded(Run run) {}

  /**
   * The listeners on the class path of {@code loader} (and of the library), each once; empty when
   * there are none. A provider that cannot be created is logged and left out.
   */
  static List<CallListener> loaded(ClassLoader loader) {
    Logger log = LoggerFactory.getLogger(CallListener.class);
    List<CallListener> listeners = new ArrayList<>();
    java.util.Set<Class<?>> seen = new java.util.HashSet<>();
    for (ClassLoader l : new ClassLoader[] {loader, CallListener.class.getClassLoader()}) {
      if (l == null) {
        continue;
      }
      ServiceLoader.Provider<CallListener> provider;
      var it = ServiceLoader.load(CallListener.class, l).stream().iterator();
      while (true) {
        try {
          if (!it.hasNext()) {
            break;
          }
          provider = it.next();
          if (seen.add(provider.type())) {
            listeners.add(provider.get());
          }
        } catch (java.util.ServiceConfigurationError | RuntimeException | LinkageError e) {
          log.warn("A CallListener on the class path cannot be created, so it is left out: {}", e.toString());
        }
      }
    }
    return List.copyOf(listeners);
  }

  /** Tells each listener, logging instead of throwing when one fails. */
  static void notify(List<CallListener> listeners, java.util.function.Consumer<CallListener> event) {
    for (CallListener listener : listeners) {
      try {
        event.accept(listener);
      } catch (RuntimeException | LinkageError e) {
        LoggerFactory.getLogger(CallListener.class).warn("CallListener {} failed: {}", listener.getClass().getName(), e.toString());
      }
    }
  }
}
