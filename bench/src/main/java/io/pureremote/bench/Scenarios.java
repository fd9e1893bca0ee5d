package io.pureremote.bench;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.lang.management.ManagementFactory;
import java.nio.file.FileVisitResult;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.SimpleFileVisitor;
import java.nio.file.attribute.BasicFileAttributes;
import java.time.Duration;
import java.time.Instant;
import java.time.ZoneOffset;
import java.time.format.DateTimeFormatter;
import java.util.ArrayList;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Locale;
import java.util.Set;
import java.util.stream.Stream;

/**
 * The scenario harness: runs the benchmark scenarios of issue 8, each beside its baseline in the
 * same JVM and run, prints one Markdown table and writes it with the machine, JDK and date.
 *
 * <pre>
 * bench/run [--quick | --smoke] [--only 1,4] [--out FILE] [--scratch DIR]
 * </pre>
 *
 * <p>Nothing here asserts a timing: the numbers are for reading. The harness does fail when a
 * count that must hold does not (a memo hit that makes more than one request, a repeat call that
 * uploads bytes), because then the table would be describing a bug.
 */
public final class Scenarios {
  private Scenarios() {}

  /** One scenario of the table. */
  private record Scenario(String id, String title, Step step) {}

  @FunctionalInterface
  private interface Step {
    void run(Bench b) throws Exception;
  }

  private static final List<Scenario> ALL = List.of(
      new Scenario("1", "memo hit", MemoHitScenario::run),
      new Scenario("2", "Kubernetes API load", KubernetesScenarios::apiLoad),
      new Scenario("3", "fan-out", KubernetesScenarios::fanOut),
      new Scenario("4", "argument path", ArgumentPathScenario::run),
      new Scenario("5", "miss overhead", MissOverheadScenario::run),
      new Scenario("6", "large input", LargeInputScenario::run),
      new Scenario("7", "warm worker pool", LocalPoolScenario::run),
      new Scenario("8", "Kubernetes pool", KubernetesPoolScenario::run));

  /** Runs the harness; exits 1 when a scenario failed, 2 on bad arguments. */
  public static void main(String[] args) {
    try {
      Result result = run(args);
      System.out.print(result.markdown());
      System.exit(result.failures().isEmpty() ? 0 : 1);
    } catch (IllegalArgumentException e) {
      System.err.println(e.getMessage());
      System.err.println("usage: Scenarios [--quick | --smoke] [--only 1,4,...] [--out FILE] [--scratch DIR]");
      System.exit(2);
    } catch (Exception e) {
      e.printStackTrace();
      System.exit(1);
    }
  }

  /**
   * What a run produced.
   *
   * @param table the rows
   * @param markdown the table with its header (machine, JDK, date), as written to the output file
   * @param failures scenarios that threw, with why
   */
  public record Result(Table table, String markdown, List<String> failures) {}

  /** Runs the scenarios {@code args} select and writes the output file when one is given. */
  public static Result run(String... args) throws IOException {
    Sizes sizes = Sizes.full();
    Path out = null;
    Path scratchParent = null;
    Set<String> only = new LinkedHashSet<>();
    for (int i = 0; i < args.length; i++) {
      switch (args[i]) {
        case "--quick" -> sizes = Sizes.quick();
        case "--smoke" -> sizes = Sizes.smoke();
        case "--full" -> sizes = Sizes.full();
        case "--out" -> out = Path.of(value(args, ++i, "--out"));
        case "--scratch" -> scratchParent = Path.of(value(args, ++i, "--scratch"));
        case "--only" -> only.addAll(List.of(value(args, ++i, "--only").split(",")));
        default -> throw new IllegalArgumentException("unknown argument: " + args[i]);
      }
    }
    Instant started = Instant.now();
    String load = firstLine(Path.of("/proc/loadavg"));
    Table table = new Table();
    List<String> failures = new ArrayList<>();
    Path scratch = scratchParent == null ? Files.createTempDirectory("pureremote-bench-")
        : Files.createTempDirectory(Files.createDirectories(scratchParent), "pureremote-bench-");
    System.err.printf("Pure Remote benchmarks, %s run; scratch %s%n", sizes.name(), scratch);
    try (Bench bench = new Bench(sizes, table, scratch)) {
      if (!sizes.warmUp() && (only.isEmpty() || only.contains("2") || only.contains("3"))) {
        bench.prestartCluster();
      }
      for (Scenario s : ALL) {
        if (!only.isEmpty() && !only.contains(s.id())) {
          continue;
        }
        System.err.printf("== %s. %s%n", s.id(), s.title());
        long t0 = System.nanoTime();
        try {
          s.step().run(bench);
        } catch (Exception | Error e) {
          if (e instanceof VirtualMachineError && !(e instanceof OutOfMemoryError)) {
            throw e;
          }
          failures.add(s.id() + ". " + s.title() + ": " + e);
          System.err.printf("   FAILED: %s%n", e);
          e.printStackTrace();
          table.add(new Row(s.id() + ". " + s.title(), "FAILED: " + e.getClass().getSimpleName() + ": "
              + String.valueOf(e.getMessage()).lines().findFirst().orElse(""), Double.NaN, Double.NaN, ""));
        }
        System.err.printf("   (%d s)%n", Duration.ofNanos(System.nanoTime() - t0).toSeconds());
      }
      System.err.println("== cleaning up (stopping servers, deleting the scratch folder)");
    } catch (Exception e) {
      failures.add("harness: " + e);
    } finally {
      deleteTree(scratch);
    }
    Duration took = Duration.between(started, Instant.now());
    String markdown = header(sizes, started, took, load) + "\n" + table.toMarkdown();
    if (out != null) {
      Files.createDirectories(out.toAbsolutePath().getParent());
      Files.writeString(out, "# Pure Remote benchmark results\n\n" + markdown + notes());
      System.err.println("wrote " + out);
    }
    return new Result(table, markdown, List.copyOf(failures));
  }

  private static String value(String[] args, int i, String flag) {
    if (i >= args.length) {
      throw new IllegalArgumentException(flag + " needs a value");
    }
    return args[i];
  }

  private static String header(Sizes sizes, Instant started, Duration took, String load) {
    Runtime rt = Runtime.getRuntime();
    String memory = Stream.ofNullable(grep(Path.of("/proc/meminfo"), "MemTotal:"))
        .map(l -> l.replaceAll("\\D+", "")).filter(s -> !s.isEmpty())
        .map(kb -> String.format(Locale.ROOT, "%.1f GiB", Long.parseLong(kb) / 1024.0 / 1024.0))
        .findFirst().orElse("unknown");
    String cpu = Stream.ofNullable(grep(Path.of("/proc/cpuinfo"), "model name"))
        .map(l -> l.substring(l.indexOf(':') + 1).trim()).findFirst().orElse(System.getProperty("os.arch"));
    String gc = ManagementFactory.getGarbageCollectorMXBeans().stream().map(g -> g.getName())
        .findFirst().orElse("?");
    return String.format(Locale.ROOT, """
        - **Run:** `%s` on %s, took %d min %02d s
        - **Machine:** %d cores (nproc), %s memory, CPU %s; load average at start %s
        - **JDK:** %s %s (%s), max heap %d MiB, %s
        - **Ratio** = Pure Remote ÷ baseline, both measured in this run. For times and counts lower is better; for throughput higher is better.
        """,
        "bench/run" + (sizes.name().equals("full") ? "" : " --" + sizes.name()),
        DateTimeFormatter.ISO_LOCAL_DATE_TIME.format(started.atOffset(ZoneOffset.UTC).withNano(0)) + "Z",
        took.toMinutes(), took.toSecondsPart(),
        rt.availableProcessors(), memory, cpu, load,
        System.getProperty("java.vm.vendor"), System.getProperty("java.runtime.version"),
        System.getProperty("java.vm.name"), rt.maxMemory() >> 20, gc);
  }

  private static String notes() {
    return """

        See [docs/benchmarks.md](../docs/benchmarks.md) for what each row measures. Rerun with
        `bench/run` (full) or `bench/run --quick`.
        """;
  }

  private static String firstLine(Path file) {
    try {
      return Files.readAllLines(file).stream().findFirst().map(l -> String.join(" ", List.of(l.split(" ")).subList(0, 3)))
          .orElse("?");
    } catch (IOException | RuntimeException e) {
      return "?";
    }
  }

  private static String grep(Path file, String prefix) {
    try (Stream<String> lines = Files.lines(file)) {
      return lines.filter(l -> l.startsWith(prefix)).findFirst().orElse(null);
    } catch (IOException | UncheckedIOException e) {
      return null;
    }
  }

  private static void deleteTree(Path root) {
    try {
      Files.walkFileTree(root, new SimpleFileVisitor<>() {
        @Override
        public FileVisitResult visitFile(Path file, BasicFileAttributes attrs) throws IOException {
          Files.deleteIfExists(file);
          return FileVisitResult.CONTINUE;
        }

        @Override
        public FileVisitResult postVisitDirectory(Path dir, IOException e) throws IOException {
          Files.deleteIfExists(dir);
          return FileVisitResult.CONTINUE;
        }
      });
    } catch (IOException e) {
      System.err.println("could not delete the scratch folder " + root + ": " + e);
    }
  }
}
