package io.pureremote.k8s;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;

class LogTailTest {
  @Test
  void passesOnlyNewLinesAndKeepsTheLastFew() {
    LogTail tail = new LogTail(2);
    List<String> seen = new ArrayList<>();
    tail.offer("a\nb\n", "[p] ", (prefix, line) -> seen.add(prefix + line));
    tail.offer("a\nb\nc\n", "[p] ", (prefix, line) -> seen.add(prefix + line));
    tail.offer("a\nb\nc\n", "[p] ", (prefix, line) -> seen.add(prefix + line));
    assertThat(seen).containsExactly("[p] a", "[p] b", "[p] c");
    assertThat(tail.text("Last lines")).isEqualTo("\nLast lines:\nb\nc");
    tail.reset();
    tail.offer("x\n", "[q] ", (prefix, line) -> seen.add(prefix + line));
    assertThat(seen).endsWith("[q] x");
    assertThat(tail.text("Last lines")).isEqualTo("\nLast lines:\nc\nx");
    assertThat(new LogTail(3).text("Last lines")).isEmpty();
  }
}
