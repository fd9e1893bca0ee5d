package io.pureremote;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.File;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * A user's JVM with default flags prints no JDK warning caused by the library. On JDK 24+ Kryo's
 * Unsafe probe printed four {@code WARNING: sun.misc.Unsafe::...} lines (the build's own JVMs hide
 * them with {@code --sun-misc-unsafe-memory-access=allow}, so this test starts one without it).
 */
class NoJdkWarningsTest {
  @TempDir Path dir;

  @Test
  void aCallInAJvmWithDefaultFlagsPrintsNoWarning() throws Exception {
    String java = System.getProperty("java.home") + File.separator + "bin" + File.separator + "java";
    Process child = new ProcessBuilder(List.of(java, "-cp", System.getProperty("java.class.path"),
        NoJdkWarningsMain.class.getName(), dir.resolve("memo").toString())).redirectErrorStream(true).start();
    String output = new String(child.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
    assertThat(child.waitFor(60, TimeUnit.SECONDS)).isTrue();

    assertThat(child.exitValue()).as(output).isZero();
    assertThat(output).contains("total 5 5");
    assertThat(output.lines().filter(l -> l.startsWith("WARNING:")).toList())
        .as("JDK %s, output:%n%s", Runtime.version(), output).isEmpty();
  }
}
