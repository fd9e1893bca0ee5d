package io.pureremote.internal;

import static org.assertj.core.api.Assertions.assertThat;

import io.pureremote.RuntimeOptions.Progress;
import io.pureremote.internal.ProgressTracker.End;
import io.pureremote.internal.ProgressTracker.Style;
import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;

/** The tracker's counts and timing, driven by a hand-moved clock: no sleeps, no wall clock. */
class ProgressTrackerTest {
  /** Records what the tracker sends, as {@code update: ...} and {@code finish: ...}. */
  static final class Recorder implements ProgressSink {
    final List<String> lines = new ArrayList<>();
    boolean everyBurst;

    @Override
    public synchronized void update(String line) {
      lines.add("update: " + line);
    }

    @Override
    public synchronized void finish(String line) {
      lines.add("finish: " + line);
    }

    @Override
    public boolean everyBurst() {
      return everyBurst;
    }
  }

  long now = 1_000_000;
  final Recorder sink = new Recorder();

  ProgressTracker tracker(Style style) {
    return new ProgressTracker(style, sink, () -> now);
  }

  static void calls(ProgressTracker t, int n) {
    for (int i = 0; i < n; i++) {
      t.submitted();
    }
  }

  static void finish(ProgressTracker t, End end, int n) {
    for (int i = 0; i < n; i++) {
      t.started();
      t.finished(end);
    }
  }

  @Test
  void autoIsATerminalOnlyWithAConsoleAndAUsefulTerm() {
    assertThat(ProgressTracker.style(Progress.AUTO, true, "xterm-256color")).contains(Style.TERMINAL);
    assertThat(ProgressTracker.style(Progress.AUTO, true, "dumb")).contains(Style.LOG);
    assertThat(ProgressTracker.style(Progress.AUTO, true, null)).contains(Style.LOG);
    assertThat(ProgressTracker.style(Progress.AUTO, false, "xterm")).contains(Style.LOG);
    assertThat(ProgressTracker.style(Progress.TERMINAL, false, null)).contains(Style.TERMINAL);
    assertThat(ProgressTracker.style(Progress.LOG, true, "xterm")).contains(Style.LOG);
    assertThat(ProgressTracker.style(Progress.OFF, true, "xterm")).isEmpty();
  }

  @Test
  void terminalShowsAfterASecondAndClosesTheBurstWithASummary() {
    ProgressTracker t = tracker(Style.TERMINAL);
    calls(t, 10);
    finish(t, End.CACHED, 2);
    t.tick();
    assertThat(sink.lines).as("younger than a second: quiet").isEmpty();

    now += 1_000;
    t.started();
    t.started();
    t.tick();
    t.finished(End.RAN);
    t.finished(End.RAN);
    finish(t, End.RAN, 3);
    t.started();
    now += 250;
    t.tick();
    now += 1_250;
    t.finished(End.FAILED);
    finish(t, End.RAN, 2);
    assertThat(sink.lines).containsExactly(
        "update: pureremote: 2/10 done (2 cached, 0 failed), 2 running, 6 queued",
        // 5 runs in 1.25 s: 250 ms per call, 1 running + 2 queued left → 750 ms.
        "update: pureremote: 7/10 done (2 cached, 0 failed), 1 running, 2 queued — ETA 1s",
        "finish: pureremote: 10/10 done (2 cached, 1 failed) in 3s");
    assertThat(t.current().submitted()).as("idle again").isZero();
  }

  @Test
  void quickBurstsStayQuiet() {
    ProgressTracker t = tracker(Style.TERMINAL);
    calls(t, 3);
    now += 999;
    finish(t, End.RAN, 3);
    t.tick();
    assertThat(sink.lines).isEmpty();
  }

  @Test
  void aBurstEndingBetweenTicksAfterTheDelayStillGetsItsSummary() {
    ProgressTracker t = tracker(Style.TERMINAL);
    calls(t, 3);
    now += 1_500;
    finish(t, End.RAN, 3);
    assertThat(sink.lines).containsExactly("finish: pureremote: 3/3 done (0 cached, 0 failed) in 2s");
  }

  @Test
  void countsRestartWithEachBurst() {
    sink.everyBurst = true;
    ProgressTracker t = tracker(Style.TERMINAL);
    calls(t, 2);
    finish(t, End.CACHED, 2);
    calls(t, 3);
    finish(t, End.RAN, 1);
    finish(t, End.FAILED, 2);
    assertThat(sink.lines).containsExactly(
        "finish: pureremote: 2/2 done (2 cached, 0 failed) in 0s",
        "finish: pureremote: 3/3 done (0 cached, 2 failed) in 0s");
  }

  @Test
  void callsOverlappingABurstJoinIt() {
    sink.everyBurst = true;
    ProgressTracker t = tracker(Style.TERMINAL);
    calls(t, 2);
    finish(t, End.RAN, 1);
    calls(t, 1); // an async call while one is still out
    finish(t, End.RAN, 2);
    assertThat(sink.lines).containsExactly("finish: pureremote: 3/3 done (0 cached, 0 failed) in 0s");
  }

  @Test
  void logWaitsTenSecondsThenWritesOnTenPercentStepsOrAMinute() {
    ProgressTracker t = tracker(Style.LOG);
    calls(t, 100);
    for (int second = 1; second <= 200; second++) {
      now += 1_000;
      if (second <= 80) {
        finish(t, End.RAN, 1); // one a second for 80 s, then nothing for two minutes
      }
      t.tick();
    }
    assertThat(sink.lines).containsExactly(
        "update: pureremote: 10/100 done (0 cached, 0 failed), 0 running, 90 queued — ETA 1m30s",
        "update: pureremote: 20/100 done (0 cached, 0 failed), 0 running, 80 queued — ETA 1m20s",
        "update: pureremote: 30/100 done (0 cached, 0 failed), 0 running, 70 queued — ETA 1m10s",
        "update: pureremote: 40/100 done (0 cached, 0 failed), 0 running, 60 queued — ETA 1m00s",
        "update: pureremote: 50/100 done (0 cached, 0 failed), 0 running, 50 queued — ETA 50s",
        "update: pureremote: 60/100 done (0 cached, 0 failed), 0 running, 40 queued — ETA 40s",
        "update: pureremote: 70/100 done (0 cached, 0 failed), 0 running, 30 queued — ETA 30s",
        "update: pureremote: 80/100 done (0 cached, 0 failed), 0 running, 20 queued — ETA 20s",
        // No progress: a heartbeat a minute later, then another; the ETA grows as the rate falls.
        "update: pureremote: 80/100 done (0 cached, 0 failed), 0 running, 20 queued — ETA 35s",
        "update: pureremote: 80/100 done (0 cached, 0 failed), 0 running, 20 queued — ETA 50s");
  }

  @Test
  void logIsQuietForBurstsUnderTenSeconds() {
    ProgressTracker t = tracker(Style.LOG);
    calls(t, 50);
    for (int i = 0; i < 9; i++) {
      now += 1_000;
      finish(t, End.RAN, 5);
      t.tick();
    }
    finish(t, End.RAN, 5);
    assertThat(sink.lines).isEmpty();
  }

  @Test
  void closeEndsALineStillShown() {
    ProgressTracker t = tracker(Style.TERMINAL);
    calls(t, 4);
    finish(t, End.RAN, 1);
    now += 2_000;
    t.tick();
    t.close();
    assertThat(sink.lines).containsExactly(
        "update: pureremote: 1/4 done (0 cached, 0 failed), 0 running, 3 queued",
        "finish: pureremote: 1/4 done (0 cached, 0 failed), 0 running, 3 queued in 2s");
  }

  @Test
  void withoutASinkItOnlyCounts() {
    ProgressTracker t = new ProgressTracker(Style.LOG, null, () -> now);
    calls(t, 2);
    finish(t, End.RAN, 2);
    t.tick();
    t.close();
    assertThat(t.current().submitted()).isZero();
  }

  @Test
  void concurrentCallsAddUpAndEndInOneIdleState() throws Exception {
    sink.everyBurst = true;
    ProgressTracker t = tracker(Style.TERMINAL);
    t.submitted(); // holds the burst open while the threads run
    ExecutorService pool = Executors.newFixedThreadPool(8);
    for (int i = 0; i < 8; i++) {
      int k = i;
      pool.execute(() -> {
        for (int j = 0; j < 10_000; j++) {
          t.submitted();
          t.started();
          t.finished(k % 2 == 0 ? End.RAN : End.CACHED);
        }
      });
    }
    pool.shutdown();
    assertThat(pool.awaitTermination(1, TimeUnit.MINUTES)).isTrue();
    t.started();
    t.finished(End.FAILED);
    assertThat(sink.lines).containsExactly("finish: pureremote: 80001/80001 done (40000 cached, 1 failed) in 0s");
  }

  @Test
  void terminalSinkRedrawsInPlaceAndEndsWithANewline() {
    ByteArrayOutputStream bytes = new ByteArrayOutputStream();
    ProgressSink terminal = ProgressSink.terminal(new PrintStream(bytes, true, StandardCharsets.UTF_8), 0);
    terminal.update("pureremote: 1/10 done");
    terminal.update("short");
    terminal.finish("pureremote: 10/10 done");
    assertThat(bytes.toString(StandardCharsets.UTF_8)).isEqualTo(
        "\rpureremote: 1/10 done\rshort                \rpureremote: 10/10 done" + System.lineSeparator());

    ByteArrayOutputStream narrow = new ByteArrayOutputStream();
    ProgressSink.terminal(new PrintStream(narrow, true, StandardCharsets.UTF_8), 11).update("pureremote: 1/10 done");
    assertThat(narrow.toString(StandardCharsets.UTF_8)).isEqualTo("\rpureremot…");
  }

  @Test
  void runningCallsWaitingInAClusterQueueAreCountedApart() {
    ProgressTracker t = tracker(Style.TERMINAL);
    long[] inQueue = {2};
    t.inClusterQueue(() -> inQueue[0]);
    calls(t, 5);
    for (int i = 0; i < 3; i++) {
      t.started();
    }
    now += 1_000;
    t.tick();
    inQueue[0] = 0; // admitted
    now += 250;
    t.tick();
    assertThat(sink.lines).containsExactly(
        "update: pureremote: 0/5 done (0 cached, 0 failed), 3 running (2 waiting in a cluster queue), 2 queued",
        "update: pureremote: 0/5 done (0 cached, 0 failed), 3 running, 2 queued");
  }
}
