package io.pureremote.k8s;

import static org.assertj.core.api.Assertions.assertThat;

import io.fabric8.kubernetes.api.model.Pod;
import io.fabric8.kubernetes.api.model.PodBuilder;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
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

  @Test
  void followsTheNewestCandidateUntilReset() {
    LogTail tail = new LogTail(5);
    List<String> seen = new ArrayList<>();
    List<Pod> candidates = new ArrayList<>();
    Map<String, String> logs = Map.of("old", "from old\n", "new", "from new\n", "newer", "from newer\n");
    tail.follow("job", () -> candidates, logs::get, (prefix, line) -> seen.add(prefix + line));
    assertThat(seen).isEmpty(); // no pod yet: nothing read

    candidates.addAll(List.of(pod("new", "2026-12-07T10:00:01Z"), pod("old", "2026-12-07T10:00:00Z")));
    tail.follow("job", () -> candidates, logs::get, (prefix, line) -> seen.add(prefix + line));
    candidates.add(pod("newer", "2026-12-07T10:00:02Z"));
    tail.follow("job", () -> candidates, logs::get, (prefix, line) -> seen.add(prefix + line));
    assertThat(seen).containsExactly("[job/new] from new"); // the pod chosen first is kept

    tail.reset();
    tail.follow("job-r1", () -> candidates, logs::get, (prefix, line) -> seen.add(prefix + line));
    assertThat(seen).endsWith("[job-r1/newer] from newer");
  }

  private static Pod pod(String name, String created) {
    return new PodBuilder().withNewMetadata().withName(name).withCreationTimestamp(created).endMetadata().build();
  }
}
