package io.pureremote.internal;

import io.pureremote.RemoteRuntime;
import io.pureremote.spi.BlobStore.BlobContent;
import io.pureremote.spi.BlobStore;
import java.nio.charset.StandardCharsets;
import java.time.Instant;
import java.time.ZoneOffset;
import java.time.format.DateTimeFormatter;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The callers' event log, kept beside the memo: one event per call (function, version, args hash,
 * outcome, submit time, time queued, duration, error class), buffered in memory and written as one JSON-lines blob
 * per flush under {@code pureremote/events/<yyyy-MM-dd>/<startedAt>-<host>-<pid>.jsonl}, where
 * {@code startedAt} is when the log (its runtime) started; later flushes of a long-lived runtime
 * are named after their first event.
 *
 * <p>Recording costs no request, so a memo hit stays one {@code get}; the buffer is written when
 * the runtime closes and whenever {@link #FLUSH_EVERY} events are buffered. Writing never throws:
 * a failed flush is logged and its events are dropped, since the log is diagnostics, not state.
 * Thread-safe.
 */
public final class EventLog {
  private static final Logger log = LoggerFactory.getLogger(EventLog.class);

  /** Key prefix of the event blobs, relative to the blob root. */
  public static final String PREFIX = RemoteRuntime.EVENT_LOG_PREFIX;

  /** Number of buffered events that triggers a flush. */
  public static final int FLUSH_EVERY = 1_000;

  private static final DateTimeFormatter DAY = DateTimeFormatter.ofPattern("yyyy-MM-dd").withZone(ZoneOffset.UTC);
  private static final DateTimeFormatter STAMP =
      DateTimeFormatter.ofPattern("yyyyMMdd'T'HHmmssSSS'Z'").withZone(ZoneOffset.UTC);

  /** How a call ended, as seen by its caller. */
  public enum Outcome {
    /** The result was already in the memo. */
    HIT,
    /** The call ran remotely and committed a result. */
    MISS,
    /** The call ended with an exception (a function error, a stored error or a library failure). */
    FAILED,
    /** The call joined an identical call already in flight in this process. */
    JOINED;

    /** The lowercase name written to the log. */
    public String label() {
      return name().toLowerCase(java.util.Locale.ROOT);
    }
  }

  private final BlobStore store;
  private final String pipelineId;
  private final String host;
  private final long pid;
  private final Instant created = Instant.now();
  private boolean firstBatchStarted;
  private final Object lock = new Object();
  private List<Event> buffer = new ArrayList<>();
  private Instant bufferStart;

  private final List<io.pureremote.spi.CallListener> listeners;

  /** A log written to {@code store} for calls of pipeline {@code pipelineId}; no listeners. */
  public EventLog(BlobStore store, String pipelineId) {
    this(store, pipelineId, List.of());
  }

  /**
   * A log written to {@code store} for calls of pipeline {@code pipelineId} that also tells {@code
   * listeners} of each call.
   */
  public EventLog(BlobStore store, String pipelineId, List<io.pureremote.spi.CallListener> listeners) {
    this.listeners = List.copyOf(listeners);
    this.store = store;
    this.pipelineId = pipelineId;
    this.host = CallMetadata.host();
    this.pid = CallMetadata.pid();
  }

  /**
   * Records one call without its queue time (as joined calls are); see {@link #record(MemoKey,
   * Outcome, Instant, long, long, String)}.
   */
  public void record(MemoKey key, Outcome outcome, Instant started, long durationMs, String errorClass) {
    record(key, outcome, started, -1, durationMs, errorClass);
  }

  /**
   * Records one call; flushes when {@link #FLUSH_EVERY} events are buffered.
   *
   * @param started when the caller submitted the call (written as {@code startedAt})
   * @param queuedMs milliseconds from submit until the call started running (it waits for a slot
   *     when {@code maxConcurrentCalls} are in flight), written as {@code queuedMs}; negative when
   *     not known, and then not written (records written before this field existed lack it too)
   * @param durationMs milliseconds from submit until the call finished
   * @param errorClass the exception class of a failed call, else null
   */
  public void record(MemoKey key, Outcome outcome, Instant started, long queuedMs, long durationMs, String errorClass) {
    // Kept as given and written out as JSON at the flush: a memo hit pays for a small record only.
    Event event = new Event(key, outcome, started, queuedMs, durationMs, errorClass);
    if (!listeners.isEmpty()) {
      io.pureremote.spi.CallListener.Call call = new io.pureremote.spi.CallListener.Call(key.function(),
          key.pipelineId(), store.uri(key.prefix()), outcome.label(), started,
          queuedMs < 0 ? -1 : Math.min(queuedMs, durationMs), durationMs, errorClass);
      io.pureremote.spi.CallListener.notify(listeners, l -> l.callEnded(call));
    }
    List<Event> full = null;
    Instant fullStart = null;
    synchronized (lock) {
      if (buffer.isEmpty()) {
        bufferStart = firstBatchStarted ? Instant.now() : created;
        firstBatchStarted = true;
      }
      buffer.add(event);
      if (buffer.size() >= FLUSH_EVERY) {
        full = buffer;
        fullStart = bufferStart;
        buffer = new ArrayList<>();
      }
    }
    if (full != null) {
      write(full, fullStart);
    }
  }

  /** Number of events not yet written. */
  public int buffered() {
    synchronized (lock) {
      return buffer.size();
    }
  }

  /** Writes the buffered events as one blob, if any. Never throws; failures are logged. */
  public void flush() {
    List<Event> events;
    Instant start;
    synchronized (lock) {
      if (buffer.isEmpty()) {
        return;
      }
      events = buffer;
      start = bufferStart;
      buffer = new ArrayList<>();
    }
    write(events, start);
  }

  /** One call as {@link #record} got it. */
  private record Event(MemoKey key, Outcome outcome, Instant started, long queuedMs, long durationMs, String errorClass) {}

  /** The JSON line of one event. */
  private Map<String, Object> json(Event e) {
    Map<String, Object> event = new LinkedHashMap<>();
    event.put("function", e.key().function().name());
    event.put("version", e.key().function().version());
    event.put("pipeline", e.key().pipelineId());
    event.put("argsHash", e.key().argsHash());
    event.put("outcome", e.outcome().label());
    event.put("startedAt", e.started().toString());
    if (e.queuedMs() >= 0) {
      event.put("queuedMs", Math.min(e.queuedMs(), e.durationMs()));
    }
    event.put("durationMs", e.durationMs());
    if (e.errorClass() != null) {
      event.put("errorClass", e.errorClass());
    }
    event.put("host", host);
    event.put("pid", pid);
    return event;
  }

  private void write(List<Event> events, Instant start) {
    StringBuilder lines = new StringBuilder(events.size() * 384); // about one line's length each
    for (Event e : events) {
      Json.write(json(e), lines);
      lines.append('\n');
    }
    byte[] bytes = lines.toString().getBytes(StandardCharsets.UTF_8);
    String base = PREFIX + "/" + DAY.format(start) + "/" + STAMP.format(start) + "-" + safe(host) + "-" + pid;
    try {
      for (int attempt = 0; attempt < 10; attempt++) {
        String key = base + (attempt == 0 ? "" : "-" + attempt) + ".jsonl";
        if (store.putIfAbsent(key, BlobContent.of(bytes)).isPresent()) {
          log.debug("wrote {} call events of pipeline {} to {}", events.size(), pipelineId, store.uri(key));
          return;
        }
      }
      log.warn("could not write {} call events: every candidate name under {} exists", events.size(), store.uri(base));
    } catch (RuntimeException e) {
      log.warn("could not write {} call events to {}: {}", events.size(), store.uri(base), e.toString());
    }
  }

  /** A host name as one key segment: letters, digits and {@code . _ -}. */
  private static String safe(String text) {
    String s = text.replaceAll("[^A-Za-z0-9._-]", "_");
    return s.isEmpty() || s.startsWith(".") ? "_" + s : s;
  }
}
