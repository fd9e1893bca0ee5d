package io.pureremote.bench;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Runs the harness with tiny sizes ({@code --smoke}) so CI keeps it compiling and honest. Asserts
 * only what must hold whatever the machine: every scenario has its rows, and the counts are what
 * the design promises. Never a timing.
 */
class ScenariosSmokeTest {
  @TempDir Path dir;

  @Test
  void everyScenarioProducesItsRowsAndTheCountsHold() throws Exception {
    Path out = dir.resolve("RESULTS.md");
    Scenarios.Result result = Scenarios.run("--smoke", "--out", out.toString(), "--scratch", dir.toString());
    Table table = result.table();

    assertThat(result.failures()).isEmpty();
    assertThat(table.rows()).noneMatch(r -> r.metric().startsWith("FAILED"));
    for (String scenario : List.of("1. memo hit · FileBlobStore", "1. memo hit · S3", "2. ", "3. ",
        "4. args · double[]", "4. args · 10k small records", "5. miss · in-process", "5. miss · child-JVM",
        "6. large input 4 MiB · FileBlobStore", "6. large input 4 MiB · S3", "7. miss · local pool", "7. fan-out", "8. miss · Kubernetes pool")) {
      assertThat(table.rows()).as("rows of " + scenario).anyMatch(r -> r.scenario().startsWith(scenario));
    }

    // A memo hit is exactly one store request (one GET on S3), like the raw read it is compared with.
    assertThat(value(table, "1. memo hit · FileBlobStore", "store requests per hit")).isEqualTo(1.0);
    assertThat(value(table, "1. memo hit · S3", "store requests per hit")).isEqualTo(1.0);
    assertThat(value(table, "1. memo hit · S3", "HTTP requests per hit")).isEqualTo(1.0);
    assertThat(table.find("1. memo hit · S3", "HTTP requests per hit").orElseThrow().baseline()).isEqualTo(1.0);

    // Same bytes in, same size out: a double[] is its 8 bytes per element in either format.
    Row size = table.find("4. args · double[]", "serialized size").orElseThrow();
    assertThat(size.pureRemote()).isGreaterThanOrEqualTo(1.0);

    // Content already stored is never uploaded again.
    for (String store : List.of("FileBlobStore", "S3")) {
      String scenario = "6. large input 4 MiB · " + store;
      assertThat(value(table, scenario, "bytes uploaded, repeat call")).isZero();
      assertThat(value(table, scenario, "content bytes uploaded, other function")).isZero();
    }

    assertThat(out).exists();
    String written = Files.readString(out);
    assertThat(written).contains("| scenario | metric | Pure Remote | baseline | ratio |", "nproc", "JDK");
    assertThat(written.lines().filter(l -> l.startsWith("| ")).count()).isEqualTo(table.rows().size() + 1);
  }

  private static double value(Table table, String scenario, String metric) {
    return table.find(scenario, metric).orElseThrow(() -> new AssertionError("no row " + scenario + " / " + metric))
        .pureRemote();
  }
}
