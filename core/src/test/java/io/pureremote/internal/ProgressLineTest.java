package io.pureremote.internal;

import static org.assertj.core.api.Assertions.assertThat;

import io.pureremote.internal.ProgressLine.Counts;
import java.util.OptionalLong;
import org.junit.jupiter.api.Test;

/** The progress line's text, on exact strings. */
class ProgressLineTest {
  @Test
  void liveLineWithCountsAndEta() {
    // 10000 submitted, 640 cached + 169 ran + 3 failed = 812 done, 150 running, 9038 queued.
    Counts c = new Counts(10_000, 640, 169, 3, 150);
    assertThat(c.queued()).isEqualTo(9_038);
    assertThat(ProgressLine.live(c, OptionalLong.of(252_000)))
        .isEqualTo("pureremote: 812/10000 done (640 cached, 3 failed), 150 running, 9038 queued — ETA 4m12s");
    assertThat(ProgressLine.live(c, OptionalLong.empty()))
        .isEqualTo("pureremote: 812/10000 done (640 cached, 3 failed), 150 running, 9038 queued");
  }

  @Test
  void callsWaitingInAClusterQueueAreShownAmongTheRunningOnes() {
    Counts c = new Counts(10_000, 640, 169, 3, 150);
    assertThat(ProgressLine.live(c, 40, OptionalLong.empty())).isEqualTo(
        "pureremote: 812/10000 done (640 cached, 3 failed), 150 running (40 waiting in a cluster queue), 9038 queued");
    assertThat(ProgressLine.live(c, 0, OptionalLong.empty())).isEqualTo(ProgressLine.live(c, OptionalLong.empty()));
  }

  @Test
  void largeNumbersArePlainDigits() {
    Counts c = new Counts(12_345_678_901L, 1_000_000_000L, 234_567_890L, 0, 512);
    assertThat(ProgressLine.live(c, OptionalLong.empty())).isEqualTo(
        "pureremote: 1234567890/12345678901 done (1000000000 cached, 0 failed), 512 running, 11111110499 queued");
  }

  @Test
  void summaryLines() {
    assertThat(ProgressLine.summary(new Counts(10_000, 640, 9_357, 3, 0), 2_467_000))
        .isEqualTo("pureremote: 10000/10000 done (640 cached, 3 failed) in 41m07s");
    // All cached, nothing ran.
    assertThat(ProgressLine.summary(new Counts(100, 100, 0, 0, 0), 1_200))
        .isEqualTo("pureremote: 100/100 done (100 cached, 0 failed) in 2s");
    // Closed with calls still out.
    assertThat(ProgressLine.summary(new Counts(10, 2, 1, 0, 3), 5_000))
        .isEqualTo("pureremote: 3/10 done (2 cached, 0 failed), 3 running, 4 queued in 5s");
    // Nothing at all: no division anywhere.
    assertThat(ProgressLine.summary(new Counts(0, 0, 0, 0, 0), 0))
        .isEqualTo("pureremote: 0/0 done (0 cached, 0 failed) in 0s");
  }

  @Test
  void etaNeedsEnoughNonCachedCompletions() {
    // 4 runs in 10 s: not enough samples.
    assertThat(ProgressLine.eta(new Counts(100, 0, 4, 0, 10), 10_000)).isEmpty();
    // 5 non-cached (4 ran + 1 failed) in 10 s = 2 s per call; 95 left → 190 s.
    assertThat(ProgressLine.eta(new Counts(100, 0, 4, 1, 10), 10_000)).hasValue(190_000);
    // Cached calls do not speed the estimate up: 50 hits + 5 runs in 10 s, 45 left → 90 s.
    assertThat(ProgressLine.eta(new Counts(100, 50, 5, 0, 45), 10_000)).hasValue(90_000);
  }

  @Test
  void etaIsEmptyWhereItWouldDivideByZeroOrHasNothingToSay() {
    assertThat(ProgressLine.eta(new Counts(0, 0, 0, 0, 0), 0)).isEmpty();
    assertThat(ProgressLine.eta(new Counts(100, 100, 0, 0, 0), 5_000)).as("all cached").isEmpty();
    assertThat(ProgressLine.eta(new Counts(100, 90, 10, 0, 0), 5_000)).as("nothing left").isEmpty();
    assertThat(ProgressLine.eta(new Counts(100, 0, 10, 0, 5), 0)).as("no time passed").isEmpty();
  }

  @Test
  void durations() {
    assertThat(ProgressLine.duration(0)).isEqualTo("0s");
    assertThat(ProgressLine.duration(1)).isEqualTo("1s");
    assertThat(ProgressLine.duration(59_000)).isEqualTo("59s");
    assertThat(ProgressLine.duration(59_001)).isEqualTo("1m00s");
    assertThat(ProgressLine.duration(252_000)).isEqualTo("4m12s");
    assertThat(ProgressLine.duration(3_599_000)).isEqualTo("59m59s");
    assertThat(ProgressLine.duration(3_600_000)).isEqualTo("1h00m");
    assertThat(ProgressLine.duration(3_720_000)).isEqualTo("1h02m");
    assertThat(ProgressLine.duration(86_400_000)).isEqualTo("1d00h");
    assertThat(ProgressLine.duration(100L * 86_400_000 + 4 * 3_600_000)).isEqualTo("100d04h");
    assertThat(ProgressLine.duration(-5)).isEqualTo("0s");
  }

  @Test
  void fitCutsToTheTerminalWidth() {
    String line = "pureremote: 812/10000 done (640 cached, 3 failed), 150 running, 9038 queued — ETA 4m12s";
    assertThat(ProgressLine.fit(line, 0)).isSameAs(line);
    assertThat(ProgressLine.fit(line, line.length())).isSameAs(line);
    assertThat(ProgressLine.fit(line, 30)).isEqualTo("pureremote: 812/10000 done (6…").hasSize(30);
    assertThat(ProgressLine.fit(line, 1)).isEqualTo("…");
  }
}
