package io.pureremote.blobstore.s3;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import java.util.stream.Collectors;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import software.amazon.awssdk.services.s3.model.S3Object;

/**
 * Exactly one execution per key with the memo on S3: eight caller JVMs race on the same 50 keys
 * through S3Proxy, where leases and results rely on {@code If-None-Match}/{@code If-Match}.
 */
class S3ExactlyOnceTest {
  @TempDir Path dir;

  @Test
  void eightCallerProcessesOnFiftyKeysRunEachKeyExactlyOnce() throws Exception {
    try (S3ProxyFixture s3 = S3ProxyFixture.start()) {
      String bucket = s3.newBucket();
      String root = "s3://" + bucket + "/memo";
      List<Process> callers = new ArrayList<>();
      for (int i = 0; i < 8; i++) {
        List<String> cmd = new ArrayList<>();
        cmd.add(ProcessHandle.current().info().command().orElseThrow());
        if (Runtime.version().feature() >= 24) {
          cmd.add("--sun-misc-unsafe-memory-access=allow");
        }
        cmd.addAll(List.of("-XX:TieredStopAtLevel=1", "-XX:+UseSerialGC", "-cp", System.getProperty("java.class.path"),
            S3CallerMain.class.getName(), s3.endpoint.toString(), root, "50", String.valueOf(i)));
        callers.add(new ProcessBuilder(cmd).redirectErrorStream(true)
            .redirectOutput(dir.resolve("caller-" + i + ".log").toFile()).start());
      }
      for (int i = 0; i < callers.size(); i++) {
        assertThat(callers.get(i).waitFor(180, TimeUnit.SECONDS)).as("caller %d finished", i).isTrue();
        String out = Files.readString(dir.resolve("caller-" + i + ".log"));
        assertThat(callers.get(i).exitValue()).as("caller %d output:%n%s", i, out).isZero();
        assertThat(out).contains("done 50");
      }
      // Every remote execution writes exactly one run record under its memo entry.
      Map<String, Long> executions = s3.admin.listObjectsV2Paginator(r -> r.bucket(bucket).prefix("memo/pureremote/v1/leases/"))
          .contents().stream().map(S3Object::key)
          .filter(k -> k.contains("/runs/") && k.endsWith(".json"))
          .collect(Collectors.groupingBy(k -> k.substring(0, k.indexOf("/runs/")), Collectors.counting()));
      System.out.printf("exactly-once on S3: 8 callers x 50 keys -> %d entries, %d executions%n",
          executions.size(), executions.values().stream().mapToLong(Long::longValue).sum());
      executions.forEach((entry, n) -> {
        if (n > 1) { // diagnostics for a failure: the run records say which runs lost their lease
          s3.admin.listObjectsV2Paginator(r -> r.bucket(bucket).prefix(entry + "/runs/")).contents()
              .forEach(o -> System.out.println(o.key() + " " + s3.admin.getObjectAsBytes(r -> r.bucket(bucket).key(o.key())).asUtf8String()));
        }
      });
      assertThat(executions).hasSize(50);
      assertThat(executions.values()).allMatch(n -> n == 1);
    }
  }
}
