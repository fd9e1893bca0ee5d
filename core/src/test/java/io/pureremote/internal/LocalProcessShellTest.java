package io.pureremote.internal;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.example.fns.Calc;
import com.example.fns.Calc.Point;
import com.example.fns.Calc.Stats;
import com.example.fns.CalcImpl;
import io.pureremote.CallOptions;
import io.pureremote.RemoteFunctionException;
import io.pureremote.RemoteRuntime;
import io.pureremote.RemoteTimeoutException;
import io.pureremote.ShellException;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** End to end through real child JVMs started by the local shell, the embedded default. */
class LocalProcessShellTest {
  @TempDir Path dir;
  FileBlobStore store;
  RemoteRuntime runtime;
  Calc calc;

  @BeforeEach
  void setUp() {
    store = new FileBlobStore(dir);
    // The default shell: found by name, same java and class path as this JVM.
    runtime = RemoteRuntime.builder().blobRoot(store.root()).pipelineId("e2e").build();
    calc = runtime.create(Calc.class, CalcImpl.class);
  }

  @AfterEach
  void tearDown() {
    runtime.close();
  }

  /** Each remote execution leaves one run record beside the memo entry. */
  private long executions(String functionSegment) {
    return store.list("pureremote/v1/e2e/" + functionSegment + "/").stream()
        .filter(k -> k.contains("/runs/") && k.endsWith(".json")).count();
  }

  @Test
  void callRunsInAChildJvmAndTheSecondCallIsAMemoHit() {
    CalcImpl.EXECUTIONS.set(0); // other test classes in this JVM (RoutingShellTest, BatchedLaunchTest) ran Calc here
    assertThat(runtime.shell()).isInstanceOf(LocalProcessShell.class);
    Stats stats = calc.stats(List.of(new Point(1, 1), new Point(2, 2)), Map.of("k", 5L));
    assertThat(stats).isEqualTo(new Stats(2, 6.0, Map.of("k", 5L)));
    assertThat(calc.stats(List.of(new Point(1, 1), new Point(2, 2)), Map.of("k", 5L))).isEqualTo(stats);
    assertThat(executions("com.example.fns.Calc%23stats@3")).isEqualTo(1);
    String logKey = store.list("pureremote/v1/e2e/com.example.fns.Calc%23stats@3/").stream()
        .filter(k -> k.endsWith(".log")).findFirst().orElseThrow();
    assertThat(new String(store.getBytes(logKey).orElseThrow(), java.nio.charset.StandardCharsets.UTF_8))
        .as("the remote stores its own log beside the memo entry")
        .contains("running com.example.fns.Calc#stats@3")
        .contains("result committed");
    assertThat(CalcImpl.EXECUTIONS).as("nothing ran in this JVM").hasValue(0);
  }

  /** As under mvn exec:java or a fat jar: the class path holds a launcher, not the library. */
  @Test
  void aClassPathWithoutTheLibraryIsNamedWithTheFixBeforeAnyChildStarts() throws Exception {
    Path launcher = dir.resolve("launcher.jar");
    try (var jar = new java.util.jar.JarOutputStream(java.nio.file.Files.newOutputStream(launcher))) {
      jar.putNextEntry(new java.util.jar.JarEntry("org/example/Launcher.class"));
      jar.closeEntry();
    }
    LocalProcessShellOptions options = LocalProcessShellOptions.builder()
        .classpath(launcher + java.io.File.pathSeparator + dir.resolve("no-such-dir")).build();
    try (RemoteRuntime lacking = RemoteRuntime.builder().blobRoot(store.root()).pipelineId("e2e")
        .shell(new LocalProcessShell(options)).build()) {
      Calc c = lacking.create(Calc.class, CalcImpl.class);

      assertThatThrownBy(() -> c.stats(List.of(new Point(1, 1)), Map.of()))
          .isInstanceOfSatisfying(ShellException.class, e -> {
            assertThat(e.reason()).isEqualTo("ClasspathLacksLibrary");
            assertThat(e.getMessage()).contains("launcher.jar").contains("mvn exec:java")
                .contains("LocalProcessShellOptions.builder().classpath(");
          });
    }
    // The build's own class path (surefire's, with the library in target/classes) passes the check.
    assertThat(ChildClasspath.problem(System.getProperty("java.class.path"))).isEmpty();
    // A manifest-only jar that points at the library passes too, as surefire's booter jar does.
    Path booter = dir.resolve("booter.jar");
    java.util.jar.Manifest manifest = new java.util.jar.Manifest();
    manifest.getMainAttributes().put(java.util.jar.Attributes.Name.MANIFEST_VERSION, "1.0");
    manifest.getMainAttributes().put(java.util.jar.Attributes.Name.CLASS_PATH,
        io.pureremote.RemoteRuntime.class.getProtectionDomain().getCodeSource().getLocation().toString());
    try (var jar = new java.util.jar.JarOutputStream(java.nio.file.Files.newOutputStream(booter), manifest)) {
      jar.flush();
    }
    assertThat(ChildClasspath.problem(booter.toString())).isEmpty();
  }

  @Test
  void exceptionCrossesTheProcessBoundary() {
    assertThatThrownBy(() -> calc.fail("remote boom"))
        .isInstanceOfSatisfying(RemoteFunctionException.class, e -> {
          assertThat(e.remoteClassName()).isEqualTo(CalcImpl.CalcException.class.getName());
          assertThat(e.getCause()).isInstanceOf(CalcImpl.CalcException.class).hasMessage("remote boom");
          assertThat(e.remoteStackTrace()).contains("root cause");
        });
  }

  @Test
  void aCrashWithoutAResultIsAShellExceptionWithExitCodeAndOutput() {
    assertThatThrownBy(() -> calc.crash(7))
        .isInstanceOfSatisfying(ShellException.class, e -> {
          assertThat(e.reason()).isEqualTo("Exited");
          assertThat(e.exitCode()).hasValue(7);
          assertThat(e.getMessage())
              .contains("without committing a result or an error")
              .contains("about to halt with 7")
              .contains("most likely the function or a library it calls ran System.exit(7) or Runtime.halt");
        });
  }

  @Test
  void anExitZeroInsideTheFunctionIsNamedAsTheLikelyCause() {
    assertThatThrownBy(() -> calc.crash(0))
        .isInstanceOfSatisfying(ShellException.class, e -> {
          assertThat(e.exitCode()).hasValue(0);
          assertThat(e.getMessage())
              .contains("exited with code 0 before Pure Remote could commit anything")
              .contains("System.exit(0)");
        });
  }

  @Test
  void timeoutKillsTheChild() {
    try (RemoteRuntime quick = RemoteRuntime.builder().blobRoot(store.root()).pipelineId("e2e")
        .defaults(CallOptions.builder().timeout(Duration.ofSeconds(3)).build()).build()) {
      Calc c = quick.create(Calc.class, CalcImpl.class);
      long start = System.nanoTime();
      assertThatThrownBy(() -> c.sleep(Duration.ofMinutes(5))).isInstanceOf(RemoteTimeoutException.class);
      assertThat(Duration.ofNanos(System.nanoTime() - start)).isLessThan(Duration.ofMinutes(1));
    }
    assertThat(ProcessHandle.current().descendants().filter(p -> p.info().commandLine().orElse("").contains("RemoteMain")))
        .as("no child JVM left running").isEmpty();
  }

  @Test
  void cancellingTheFutureKillsTheChild() throws Exception {
    java.util.concurrent.CompletableFuture<String> call = calc.sleepAsync(Duration.ofMinutes(5));
    long until = System.nanoTime() + java.util.concurrent.TimeUnit.SECONDS.toNanos(30);
    while (remoteChildren().isEmpty()) {
      assertThat(System.nanoTime()).as("the child JVM started").isLessThan(until);
      Thread.sleep(50);
    }
    call.cancel(true);
    until = System.nanoTime() + java.util.concurrent.TimeUnit.SECONDS.toNanos(20);
    while (!remoteChildren().isEmpty()) {
      assertThat(System.nanoTime()).as("the child JVM was killed").isLessThan(until);
      Thread.sleep(50);
    }
    assertThat(call).isCancelled();
  }

  private static List<ProcessHandle> remoteChildren() {
    return ProcessHandle.current().descendants()
        .filter(p -> p.isAlive() && p.info().commandLine().orElse("").contains("RemoteMain")).toList();
  }

  @Test
  void commandLineUsesTheSameJavaAndClassPath() {
    LocalProcessShell shell = new LocalProcessShell();
    List<String> cmd = shell.command(new io.pureremote.spi.Shell.LaunchRequest(
        store.root() + "/pureremote/v1/p/f@1/" + "0".repeat(64), new io.pureremote.FunctionId("f", "1"), "0".repeat(64), Map.of()));
    assertThat(cmd.get(0)).isEqualTo(ProcessHandle.current().info().command().orElseThrow());
    assertThat(cmd).contains("-cp", System.getProperty("java.class.path"), "io.pureremote.RemoteMain", "run");
  }

  @Test
  void childOutputIsRelayedAtDebugExceptTheChildsWarningsAndErrors() {
    assertThat(LocalProcessShell.relayLevel("[main] INFO io.pureremote.internal.RemoteExecutor - running f")).isEqualTo(org.slf4j.event.Level.DEBUG);
    assertThat(LocalProcessShell.relayLevel("computed 42 rows")).isEqualTo(org.slf4j.event.Level.DEBUG);
    assertThat(LocalProcessShell.relayLevel("WARNINGS: none")).isEqualTo(org.slf4j.event.Level.DEBUG);
    assertThat(LocalProcessShell.relayLevel("[main] WARN io.pureremote.internal.RemoteExecutor - lease lost")).isEqualTo(org.slf4j.event.Level.WARN);
    assertThat(LocalProcessShell.relayLevel("12:00:01.123 [main] ERROR com.acme.Job -- failed")).isEqualTo(org.slf4j.event.Level.WARN);
    assertThat(LocalProcessShell.relayLevel("WARNING: A terminally deprecated method in sun.misc.Unsafe")).isEqualTo(org.slf4j.event.Level.WARN);
  }
}
