package io.pureremote.internal;

import static org.assertj.core.api.Assertions.assertThat;

import com.example.fns.Calc;
import com.example.fns.Calc.Point;
import com.example.fns.CalcImpl;
import io.pureremote.RemoteRuntime;
import io.pureremote.spi.Shell;
import java.io.File;
import java.io.IOException;
import java.io.OutputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.FileTime;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.jar.JarEntry;
import java.util.jar.JarOutputStream;
import java.util.stream.Stream;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The children's class-data sharing archive, through real child JVMs: written by the first child
 * on a class path of jars, mapped by the next, never stale, never a warning in a child's output.
 */
class ClassDataArchiveTest {
  @TempDir Path dir;
  Path cds;
  String jars;

  @BeforeEach
  void jarUpTheClassPath() throws IOException {
    cds = dir.resolve("cds");
    // The JVM archives classes from jar files only, so the library and the test functions go
    // into jars; the dependencies already are.
    List<String> entries = new ArrayList<>(List.of(jar(Path.of("target/classes"), dir.resolve("core.jar")),
        jar(Path.of("target/test-classes"), dir.resolve("tests.jar"))));
    String classpath = System.getProperty("surefire.test.class.path", System.getProperty("java.class.path"));
    Arrays.stream(classpath.split(File.pathSeparator))
        .filter(e -> e.endsWith(".jar") && !e.contains("surefire"))
        .forEach(entries::add);
    jars = String.join(File.pathSeparator, entries);
  }

  @Test
  void theFirstChildWritesTheArchiveAndTheNextStartsFromItWithoutAWarning() throws Exception {
    Path loads = dir.resolve("loads");
    Files.createDirectories(loads);
    List<String> output = new CopyOnWriteArrayList<>();
    try (Recording shell = new Recording(new LocalProcessShell(LocalProcessShellOptions.builder().classpath(jars)
            .classDataSharingFolder(cds).outputTailLines(1_000).streamOutput(false)
            .addJvmArgs("-Xlog:class+load:file=" + loads.resolve("%p.txt")).build()), output);
        RemoteRuntime runtime = RemoteRuntime.builder().blobStore(new FileBlobStore(dir.resolve("store")))
            .shell(shell).pipelineId("cds").build()) {
      Calc calc = runtime.create(Calc.class, CalcImpl.class);
      calc.stats(List.of(new Point(1, 1)), Map.of());
      assertThat(archives()).as("written by the first child as it exited").hasSize(1);
      assertThat(partials()).isEmpty();

      calc.stats(List.of(new Point(2, 2)), Map.of());
      assertThat(archives()).as("the same archive serves the second child").hasSize(1);
    }
    List<Path> logs;
    try (Stream<Path> files = Files.list(loads)) {
      logs = files.sorted((a, b) -> Long.compare(mtime(a), mtime(b))).toList();
    }
    assertThat(logs).hasSize(2);
    assertThat(Files.readString(logs.get(0))).doesNotContain("shared objects file (top)");
    assertThat(Files.readString(logs.get(1))).as("the second child loaded the library from the archive")
        .contains("io.pureremote.internal.RemoteExecutor source: shared objects file (top)")
        .contains("com.esotericsoftware.kryo.Kryo source: shared objects file (top)");
    assertThat(output).as("the children's whole output").isNotEmpty()
        .noneMatch(line -> line.contains("[warning]") || line.contains("[error") || line.contains("Error"));
  }

  @Test
  void aChangedJarGetsANewArchiveInsteadOfAStaleOne() throws Exception {
    List<String> output = new CopyOnWriteArrayList<>();
    try (Recording shell = new Recording(new LocalProcessShell(LocalProcessShellOptions.builder().classpath(jars)
            .classDataSharingFolder(cds).outputTailLines(1_000).streamOutput(false).build()), output);
        RemoteRuntime runtime = RemoteRuntime.builder().blobStore(new FileBlobStore(dir.resolve("store")))
            .shell(shell).pipelineId("cds").build()) {
      Calc calc = runtime.create(Calc.class, CalcImpl.class);
      calc.stats(List.of(new Point(1, 1)), Map.of());
      assertThat(archives()).hasSize(1);
      // A rebuilt jar: the JVM would refuse the old archive with warnings, so it is not used.
      Path tests = dir.resolve("tests.jar");
      Files.setLastModifiedTime(tests, FileTime.fromMillis(Files.getLastModifiedTime(tests).toMillis() + 5_000));
      calc.stats(List.of(new Point(2, 2)), Map.of());
      calc.stats(List.of(new Point(3, 3)), Map.of());
      assertThat(archives()).as("one per version of the class path").hasSize(2);
    }
    assertThat(output).isNotEmpty()
        .noneMatch(line -> line.contains("[warning]") || line.contains("[error") || line.contains("mismatch"));
  }

  @Test
  void aFolderOfClassesOnTheClassPathOrTheUsersOwnSharingFlagGetsNoArchive() throws IOException {
    ClassDataArchive archive = new ClassDataArchive(cds);
    Path java = LocalProcessShellOptions.currentJava();
    assertThat(archive.forChild(java, jars + File.pathSeparator + "target/classes", List.of(), Map.of()).flags())
        .as("the JVM refuses, with an error, to archive from a folder").isEmpty();
    assertThat(archive.forChild(java, jars, List.of("-Xshare:off"), Map.of()).flags()).isEmpty();
    assertThat(archive.forChild(java, jars, List.of("-XX:SharedArchiveFile=/x.jsa"), Map.of()).flags()).isEmpty();
    assertThat(archive.forChild(java, jars, List.of(), Map.of("JAVA_TOOL_OPTIONS", "-XX:AOTCache=app.aot")).flags())
        .isEmpty();
    ClassDataArchive.Use writer = archive.forChild(java, jars, List.of(), Map.of());
    assertThat(writer.flags()).anyMatch(f -> f.startsWith("-XX:ArchiveClassesAtExit=" + cds));
    assertThat(archive.forChild(java, jars, List.of(), Map.of()).flags())
        .as("one writer at a time; the others start without an archive").isEmpty();
    writer.exited(null);
    assertThat(archives()).as("a child that did not end normally publishes nothing").isEmpty();
    assertThat(partials()).isEmpty();
  }

  private List<Path> archives() throws IOException {
    return files(".jsa");
  }

  private List<Path> partials() throws IOException {
    return files(".partial");
  }

  private List<Path> files(String suffix) throws IOException {
    if (!Files.isDirectory(cds)) {
      return List.of();
    }
    try (Stream<Path> files = Files.list(cds)) {
      return files.filter(f -> f.toString().endsWith(suffix)).toList();
    }
  }

  private static long mtime(Path file) {
    try {
      return Files.getLastModifiedTime(file).toMillis();
    } catch (IOException e) {
      throw new java.io.UncheckedIOException(e);
    }
  }

  private static String jar(Path classes, Path jar) throws IOException {
    try (OutputStream file = Files.newOutputStream(jar); JarOutputStream out = new JarOutputStream(file);
        Stream<Path> all = Files.walk(classes)) {
      for (Path p : all.filter(Files::isRegularFile).sorted().toList()) {
        out.putNextEntry(new JarEntry(classes.relativize(p).toString().replace(File.separatorChar, '/')));
        Files.copy(p, out);
        out.closeEntry();
      }
    }
    return jar.toAbsolutePath().toString();
  }

  /** Passes launches on and keeps every output line the children wrote (the outcome's tail). */
  private record Recording(Shell shell, List<String> output) implements Shell {
    @Override
    public String name() {
      return shell.name();
    }

    @Override
    public Launch launch(LaunchRequest request) {
      Launch launch = shell.launch(request);
      CompletableFuture<Outcome> recorded = launch.completion().whenComplete((outcome, failure) -> {
        if (outcome != null && outcome.detail() != null) {
          output.addAll(List.of(outcome.detail().split("\n")));
        }
      });
      return new Launch() {
        @Override
        public CompletableFuture<Outcome> completion() {
          return recorded;
        }

        @Override
        public void cancel() {
          launch.cancel();
        }

        @Override
        public String description() {
          return launch.description();
        }
      };
    }

    @Override
    public void close() {
      shell.close();
    }
  }
}
