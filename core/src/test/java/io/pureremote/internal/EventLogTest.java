package io.pureremote.internal;

import static org.assertj.core.api.Assertions.assertThat;

import io.pureremote.FunctionId;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Instant;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class EventLogTest {
  @TempDir
  Path tmp;

  static final MemoKey KEY = new MemoKey("default", new FunctionId("com.acme.Scoring#score", "2"), "ab".repeat(32));

  @Test
  void writesQueueTimeWhenKnownAndLeavesItOutOtherwise() {
    try (FileBlobStore store = new FileBlobStore(tmp)) {
      EventLog log = new EventLog(store, "default");
      Instant t = Instant.parse("2026-11-23T20:22:53.675Z");
      log.record(KEY, EventLog.Outcome.MISS, t, 40, 1444, null);
      log.record(KEY, EventLog.Outcome.JOINED, t, 1400, null);            // the older signature: no queue time
      log.record(KEY, EventLog.Outcome.HIT, t, 50, 3, null);              // capped at the duration
      log.flush();

      List<String> keys = store.list(EventLog.PREFIX + "/");
      assertThat(keys).hasSize(1);
      String text = new String(store.getBytes(keys.get(0)).orElseThrow(), StandardCharsets.UTF_8);
      List<Map<String, Object>> events = Arrays.stream(text.split("\n")).map(Json::parseObject).toList();
      assertThat(events).hasSize(3);
      assertThat(events.get(0)).containsEntry("queuedMs", 40L).containsEntry("durationMs", 1444L)
          .containsEntry("startedAt", "2026-11-23T20:22:53.675Z").containsEntry("outcome", "miss");
      assertThat(events.get(1)).doesNotContainKey("queuedMs").containsEntry("outcome", "joined");
      assertThat(events.get(2)).containsEntry("queuedMs", 3L);
    }
  }
}
