package io.pureremote.modules;

import static org.assertj.core.api.Assertions.assertThat;

import io.pureremote.RemoteRuntime;
import java.io.File;
import java.io.IOException;
import java.lang.module.ModuleDescriptor;
import java.lang.module.ModuleFinder;
import java.lang.reflect.Modifier;
import java.net.URISyntaxException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Set;
import java.util.TreeSet;
import java.util.concurrent.TimeUnit;
import java.util.stream.Collectors;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Core as a named module ({@code module-info.java}): what it exports, the public types a user can
 * reach, and a user's own named module that calls it in a JVM of its own (module path, default
 * flags). Adding a public type to an exported package fails {@link #theExportedPublicTypesAreExactlyTheApi}
 * on purpose: the list below is the public API, and growing it is a decision.
 */
class CoreModuleTest {
  /**
   * The public top-level types of the exported packages: the user API ({@code io.pureremote}) and
   * the SPI ({@code io.pureremote.spi}, one type per extension point).
   */
  static final List<String> PUBLIC_API = List.of(
      "io.pureremote.ArgumentKeyException",
      "io.pureremote.BlobRef",
      "io.pureremote.BlobStoreException",
      "io.pureremote.CallOptions",
      "io.pureremote.CorruptBlobException",
      "io.pureremote.Distributed",
      "io.pureremote.FunctionId",
      "io.pureremote.Keys",
      "io.pureremote.MemoEntry",
      "io.pureremote.PureRemote",
      "io.pureremote.PureRemoteException",
      "io.pureremote.RemoteFunctionException",
      "io.pureremote.RemoteRuntime",
      "io.pureremote.RemoteTimeoutException",
      "io.pureremote.RuntimeOptions",
      "io.pureremote.SerializationException",
      "io.pureremote.ShellException",
      "io.pureremote.spi.BlobStore",
      "io.pureremote.spi.CallListener",
      "io.pureremote.spi.Shell");

  /**
   * The public member types of {@link #PUBLIC_API}, one level down: builders, the types an
   * extension point's implementer uses (Retrofit's {@code Converter.Factory} idiom), enums of an
   * option. Also the API, and also pinned.
   */
  static final List<String> PUBLIC_MEMBER_TYPES = List.of(
      "io.pureremote.CallOptions$Builder",
      "io.pureremote.CallOptions$ExceptionPolicy",
      "io.pureremote.Distributed$Role",
      "io.pureremote.Distributed$TorchDistributed",
      "io.pureremote.Keys$KeyDiff",
      "io.pureremote.MemoEntry$Address",
      "io.pureremote.MemoEntry$Check",
      "io.pureremote.MemoEntry$Failure",
      "io.pureremote.MemoEntry$Invocation",
      "io.pureremote.MemoEntry$LeaseState",
      "io.pureremote.MemoEntry$Problem",
      "io.pureremote.MemoEntry$Repair",
      "io.pureremote.MemoEntry$Result",
      "io.pureremote.MemoEntry$Run",
      "io.pureremote.RemoteFunctionException$RemoteCause",
      "io.pureremote.RemoteRuntime$Builder",
      "io.pureremote.RuntimeOptions$Builder",
      "io.pureremote.RuntimeOptions$LeaseOptions",
      "io.pureremote.RuntimeOptions$Progress",
      "io.pureremote.spi.BlobStore$BlobContent",
      "io.pureremote.spi.BlobStore$Provider",
      "io.pureremote.spi.BlobStore$StoredBlob",
      "io.pureremote.spi.BlobStore$VersionConflictException",
      "io.pureremote.spi.CallListener$Call",
      "io.pureremote.spi.CallListener$Run",
      "io.pureremote.spi.Shell$Launch",
      "io.pureremote.spi.Shell$LaunchGroup",
      "io.pureremote.spi.Shell$LaunchRequest",
      "io.pureremote.spi.Shell$Outcome",
      "io.pureremote.spi.Shell$Provider",
      "io.pureremote.spi.Shell$Settings",
      "io.pureremote.spi.Shell$WorkerConnection");

  @TempDir Path dir;

  @Test
  void theModuleExportsTheApiAndTheSpiOnly() throws Exception {
    ModuleDescriptor core = coreDescriptor();

    assertThat(core.name()).isEqualTo("io.pureremote");
    assertThat(core.exports()).allSatisfy(e -> assertThat(e.isQualified()).as(e.toString()).isFalse());
    assertThat(core.exports().stream().map(ModuleDescriptor.Exports::source).collect(Collectors.toSet()))
        .containsExactlyInAnyOrder("io.pureremote", "io.pureremote.spi");
    assertThat(core.packages()).contains("io.pureremote.internal");
    assertThat(core.provides().stream().flatMap(p -> p.providers().stream()).toList()).containsExactlyInAnyOrder(
        "io.pureremote.internal.FileBlobStoreProvider", "io.pureremote.internal.LocalShellProvider",
        "io.pureremote.internal.InProcessShellProvider", "io.pureremote.internal.LocalPoolShellProvider");
    assertThat(core.uses()).containsExactlyInAnyOrder("io.pureremote.spi.BlobStore$Provider",
        "io.pureremote.spi.CallListener", "io.pureremote.spi.Shell$Provider");
  }

  @Test
  void theExportedPublicTypesAreExactlyTheApi() throws Exception {
    Path classes = coreClasses();
    Set<String> found = new TreeSet<>();
    for (ModuleDescriptor.Exports export : coreDescriptor().exports()) {
      Path folder = classes.resolve(export.source().replace('.', File.separatorChar));
      try (Stream<Path> files = Files.list(folder)) {
        for (Path file : files.filter(f -> f.toString().endsWith(".class")).toList()) {
          String simple = file.getFileName().toString().replace(".class", "");
          if (simple.contains("$") || simple.equals("package-info")) {
            continue;
          }
          Class<?> type = Class.forName(export.source() + "." + simple, false, RemoteRuntime.class.getClassLoader());
          if (Modifier.isPublic(type.getModifiers())) {
            found.add(type.getName());
          }
        }
      }
    }
    assertThat(found).as("public top-level types in exported packages (%s)", found.size())
        .containsExactlyElementsOf(PUBLIC_API);
    Set<String> members = new TreeSet<>();
    for (String name : found) {
      for (Class<?> member : Class.forName(name, false, RemoteRuntime.class.getClassLoader()).getDeclaredClasses()) {
        if (Modifier.isPublic(member.getModifiers())) {
          members.add(member.getName());
        }
      }
    }
    assertThat(members).as("public member types of the API (%s)", members.size())
        .containsExactlyElementsOf(PUBLIC_MEMBER_TYPES);
  }

  @Test
  void aUsersNamedModuleRunsACallOnTheModulePathWithoutWarnings() throws Exception {
    Path app = writeApp("app", """
        package app;

        import io.pureremote.PureRemote;
        import io.pureremote.RemoteRuntime;
        import java.nio.file.Path;
        import java.util.List;

        public final class Main {
          public interface Lengths {
            @PureRemote(version = "1")
            int total(List<String> words);
          }

          public static final class LengthsImpl implements Lengths {
            @Override
            public int total(List<String> words) {
              return words.stream().mapToInt(String::length).sum();
            }
          }

          public static void main(String[] args) {
            try (RemoteRuntime runtime = RemoteRuntime.builder().blobRoot(Path.of(args[0]).toUri().toString())
                .shell("in-process").build()) {
              Lengths lengths = runtime.create(Lengths.class, LengthsImpl.class);
              System.out.println("total " + lengths.total(List.of("ab", "cde")) + " " + lengths.total(List.of("ab", "cde")));
            }
          }
        }
        """);
    assertThat(compile(app)).isEmpty();

    String java = Path.of(System.getProperty("java.home"), "bin", "java").toString();
    Process child = new ProcessBuilder(List.of(java, "--module-path", modulePath() + File.pathSeparator + app.resolve("out"),
        "-m", "app/app.Main", dir.resolve("memo").toString())).redirectErrorStream(true).start();
    String output = new String(child.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
    assertThat(child.waitFor(60, TimeUnit.SECONDS)).isTrue();

    assertThat(child.exitValue()).as(output).isZero();
    assertThat(output).contains("total 5 5");
    assertThat(output.lines().filter(l -> l.startsWith("WARNING:")).toList()).as(output).isEmpty();
  }

  @Test
  void aNamedModuleCannotCompileAgainstTheInternals() throws Exception {
    Path app = writeApp("tool", """
        package tool;

        public final class Main {
          public static void main(String[] args) {
            System.out.println(io.pureremote.internal.ArgsEncoder.hash(args));
          }
        }
        """);

    assertThat(compile(app)).contains("io.pureremote.internal").contains("not visible");
  }

  /** A module {@code name} with one class {@code name.Main}, requiring core and opening itself to it. */
  private Path writeApp(String name, String main) throws IOException {
    Path src = dir.resolve(name).resolve("src");
    Files.createDirectories(src.resolve(name));
    Files.writeString(src.resolve("module-info.java"),
        "module " + name + " { requires io.pureremote; exports " + name + "; }\n");
    Files.writeString(src.resolve(name).resolve("Main.java"), main);
    return dir.resolve(name);
  }

  /** Compiles {@code app/src} into {@code app/out}; the compiler's diagnostics, empty when it compiled. */
  private static String compile(Path app) throws IOException, InterruptedException {
    String javac = Path.of(System.getProperty("java.home"), "bin", "javac").toString();
    List<String> args = new ArrayList<>(List.of(javac, "-d", app.resolve("out").toString(), "--module-path", modulePath()));
    try (Stream<Path> sources = Files.walk(app.resolve("src"))) {
      sources.filter(p -> p.toString().endsWith(".java")).forEach(p -> args.add(p.toString()));
    }
    Process process = new ProcessBuilder(args).redirectErrorStream(true).start();
    String diagnostics = new String(process.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
    assertThat(process.waitFor(120, TimeUnit.SECONDS)).as("javac finished").isTrue();
    return process.exitValue() == 0 ? "" : diagnostics;
  }

  /** Core's classes and its runtime dependencies (Kryo and its own, Jackson's core, SLF4J with the simple provider). */
  private static String modulePath() {
    List<String> path = new ArrayList<>(List.of(coreClasses().toString()));
    Arrays.stream(System.getProperty("java.class.path").split(File.pathSeparator))
        .filter(p -> p.matches(".*(kryo|objenesis|minlog|reflectasm|asm|slf4j-api|slf4j-simple|jackson-core)-[^" + File.separator + "]*\\.jar"))
        .forEach(path::add);
    return String.join(File.pathSeparator, path);
  }

  private static ModuleDescriptor coreDescriptor() {
    return ModuleFinder.of(coreClasses()).findAll().iterator().next().descriptor();
  }

  private static Path coreClasses() {
    try {
      return Path.of(RemoteRuntime.class.getProtectionDomain().getCodeSource().getLocation().toURI());
    } catch (URISyntaxException e) {
      throw new IllegalStateException(e);
    }
  }
}
