package io.pureremote.internal;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.File;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;

/**
 * The same values, built differently in another JVM (other identity hash codes, so other hash-based
 * iteration orders), must give the same keys.
 */
class ArgsEncoderCrossJvmTest {
  @Test
  void bothWaysOfBuildingAgreeInThisJvm() {
    Map<String, Object[]> forward = ArgsFixtures.crossJvmSamples(false);
    Map<String, Object[]> reverse = ArgsFixtures.crossJvmSamples(true);
    forward.forEach(
        (name, args) ->
            assertThat(ArgsEncoder.hash(reverse.get(name)))
                .as(name)
                .isEqualTo(ArgsEncoder.hash(args)));
  }

  @Test
  void childJvmComputesTheSameHashes() throws Exception {
    Map<String, String> expected = new LinkedHashMap<>();
    ArgsFixtures.crossJvmSamples(false)
        .forEach((name, args) -> expected.put(name, ArgsEncoder.hash(args)));

    Map<String, String> fromChild = runChild("reverse");

    assertThat(fromChild).containsExactlyEntriesOf(expected);
  }

  private static Map<String, String> runChild(String mode)
      throws IOException, InterruptedException {
    String java =
        ProcessHandle.current()
            .info()
            .command()
            .orElse(
                System.getProperty("java.home") + File.separator + "bin" + File.separator + "java");
    List<String> command = new ArrayList<>(List.of(java));
    if (Runtime.version().feature() >= 24) {
      command.add("--sun-misc-unsafe-memory-access=allow");
    }
    command.addAll(
        List.of("-cp", System.getProperty("java.class.path"), ArgsHashMain.class.getName(), mode));
    Process child = new ProcessBuilder(command).redirectErrorStream(true).start();
    String output = new String(child.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
    assertThat(child.waitFor(60, TimeUnit.SECONDS)).as("child JVM finished").isTrue();
    assertThat(child.exitValue()).as("child JVM exit code; output:\n" + output).isZero();

    Map<String, String> hashes = new LinkedHashMap<>();
    for (String line : output.lines().toList()) {
      int eq = line.indexOf('=');
      if (eq > 0) {
        hashes.put(line.substring(0, eq), line.substring(eq + 1));
      }
    }
    return hashes;
  }
}
