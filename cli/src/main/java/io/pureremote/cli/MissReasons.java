package io.pureremote.cli;

import io.pureremote.FunctionId;
import io.pureremote.MemoEntry;
import io.pureremote.spi.BlobStore;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;

/**
 * Why a miss missed ({@code pureremote runs --why}), judged from the store after the fact: the
 * call's own entry (set-aside results, earlier failed runs, the code it was keyed with) and the
 * other entries of the same function (another version, or other code, with the same arguments).
 * Reads each entry of the functions shown once: one list per function and one request per entry.
 */
final class MissReasons {
  /** Slack around a call's own span for the note it left (written by the same caller, so one clock). */
  private static final Duration SLACK = Duration.ofMillis(10);

  private final BlobStore store;
  private final Map<String, List<Seen>> byFunction = new HashMap<>();

  /** An entry of the function, with what the reasons need from its invocation. */
  private record Seen(MemoEntry entry, String version, String argsHash, MemoEntry.Invocation.Code code,
      Instant invokedAt) {}

  MissReasons(BlobStore store) {
    this.store = store;
  }

  /** The reason for one {@code miss} event of the log, in a few words. */
  String explain(Map<String, Object> event) {
    String pipeline = String.valueOf(event.get("pipeline"));
    FunctionId function;
    try {
      function = new FunctionId(String.valueOf(event.get("function")), String.valueOf(event.get("version")));
    } catch (IllegalArgumentException e) {
      return "unknown (the event names no valid function)";
    }
    String hash = String.valueOf(event.get("argsHash"));
    Instant at = instant(event.get("startedAt"));
    MemoEntry entry;
    try {
      entry = MemoEntry.of(store, pipeline, function, hash);
    } catch (IllegalArgumentException e) {
      return "unknown (the event's key is malformed)";
    }
    long durationMs = event.get("durationMs") instanceof Number n ? n.longValue() : 0;
    Optional<String> aside = setAside(entry, at, durationMs);
    if (aside.isPresent() && aside.get().equals("recomputed")) {
      return "recomputed on request (CallOptions.recompute or -Dpureremote.recompute): the old result is set aside";
    }
    if (aside.isPresent()) {
      return "the stored result was unusable (" + aside.get() + "): set aside and recomputed";
    }
    boolean failedBefore = entry.runs().stream().anyMatch(r -> "function-failed".equals(r.status())
        && r.startedAt() != null && at != null && r.startedAt().isBefore(at.minus(Duration.ofMillis(1))));
    if (failedBefore) {
      return "an earlier run threw, and errors are not memoized (ExceptionPolicy.RERUN): ran again";
    }
    List<Seen> others = entries(pipeline, function.name());
    Optional<Seen> self = others.stream().filter(s -> s.entry().uri().equals(entry.uri())).findFirst();
    MemoEntry.Invocation.Code code = self.map(Seen::code).orElse(null);
    String argsHash = code != null && code.argsHash() != null ? code.argsHash() : hash;
    Optional<Seen> earlier = others.stream()
        .filter(s -> !s.entry().uri().equals(entry.uri()) && argsHash.equals(s.argsHash()))
        // Only an entry a caller wrote before this call began can explain it (both are callers' clocks).
        .filter(s -> at != null && s.invokedAt() != null && s.invokedAt().isBefore(at))
        .reduce((a, b) -> b.invokedAt() != null && (a.invokedAt() == null || b.invokedAt().isAfter(a.invokedAt())) ? b : a);
    if (earlier.isPresent()) {
      Seen before = earlier.get();
      if (!before.version().equals(function.version())) {
        return "new version: " + before.version() + " had these arguments, " + function.version() + " never ran them";
      }
      if (code != null && before.code() != null) {
        List<String> changes = before.code().changesTo(code);
        return "code changed: " + (changes.isEmpty() ? "same code, other key" : String.join(", ", changes));
      }
      if (code != null || before.code() != null) {
        return "codeHash was turned " + (code != null ? "on" : "off") + " since the earlier call";
      }
    }
    return "new arguments: no earlier entry of " + function.name() + " has them (or it was invalidated or collected)";
  }

  /** The kind of a result set aside while the call ran, as the aside note says. */
  private Optional<String> setAside(MemoEntry entry, Instant at, long durationMs) {
    if (at == null) {
      return Optional.empty();
    }
    Instant from = at.minus(SLACK);
    Instant to = at.plusMillis(durationMs).plus(SLACK);
    String prefix = entry.uri().substring(store.root().length() + 1) + "/aside/";
    for (String key : store.list(prefix)) {
      if (!key.endsWith(".json") || !key.startsWith(prefix + "result-")) {
        continue;
      }
      Optional<byte[]> bytes = store.getBytes(key);
      if (bytes.isEmpty()) {
        continue;
      }
      try {
        Map<String, Object> note = JsonText.parseObject(new String(bytes.get(), StandardCharsets.UTF_8));
        Instant when = instant(note.get("setAsideAt"));
        if (when != null && !when.isBefore(from) && !when.isAfter(to)) {
          return Optional.of(String.valueOf(note.get("kind")));
        }
      } catch (IllegalArgumentException e) {
        // An unreadable note says nothing about this call.
      }
    }
    return Optional.empty();
  }

  private List<Seen> entries(String pipeline, String function) {
    return byFunction.computeIfAbsent(pipeline + "\n" + function, k -> {
      List<Seen> seen = new ArrayList<>();
      for (MemoEntry e : MemoEntry.list(store, pipeline, function, null)) {
        try {
          e.invocation().ifPresent(call -> seen.add(new Seen(e, call.function().version(),
              call.code() != null && call.code().argsHash() != null ? call.code().argsHash() : call.argsHash(),
              call.code(), call.invokedAt())));
        } catch (RuntimeException damaged) {
          // A damaged invocation cannot explain another call's miss.
        }
      }
      return seen;
    });
  }

  private static Instant instant(Object value) {
    try {
      return value == null ? null : Instant.parse(String.valueOf(value));
    } catch (java.time.format.DateTimeParseException e) {
      return null;
    }
  }
}
