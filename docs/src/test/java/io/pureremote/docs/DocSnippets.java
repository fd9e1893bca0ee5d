package io.pureremote.docs;

import io.pureremote.docs.MarkdownSnippets.FencedBlock;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;

/**
 * The {@code java} blocks of one Markdown file and how to check each: compile it into its own
 * folder and, when it has a {@code main} and no {@code // docs:compile-only} marker, run it.
 *
 * <p>A block sees the classes of the <em>earlier</em> blocks of the same file (later ones first, so
 * a block may redeclare a type an earlier block showed), which lets a guide declare an interface in
 * one block and use it in the next. Blocks of different files never see each other. Compilation is
 * memoized, so checking block {@code i} alone (e.g. re-running one test from an IDE) first compiles
 * the blocks before it.
 */
final class DocSnippets {
  private final String docName;
  private final List<FencedBlock> blocks;
  private final Path scratch;
  private final Duration runTimeout;
  private final Compiled[] compiled;

  /** The outcome of compiling one block; {@code classes} is {@code null} when it failed. */
  private record Compiled(JavaSnippet snippet, Path classes, String report) {}

  /**
   * @param docName how the file is named in test names and messages, e.g. {@code docs/x.md}
   * @param blocks the file's {@code java} blocks, in order
   * @param scratch a folder for this file's sources, classes and run sandboxes
   * @param runTimeout how long a block's {@code main} may run
   */
  DocSnippets(String docName, List<FencedBlock> blocks, Path scratch, Duration runTimeout) {
    this.docName = docName;
    this.blocks = List.copyOf(blocks);
    this.scratch = scratch;
    this.runTimeout = runTimeout;
    this.compiled = new Compiled[blocks.size()];
  }

  /** The blocks, in order. */
  List<FencedBlock> blocks() {
    return blocks;
  }

  /** {@code <file>:<line>} of block {@code index}, the name of its test. */
  String testName(int index) {
    return docName + ":" + blocks.get(index).line();
  }

  /**
   * Compiles block {@code index} and, when it is runnable, runs it.
   *
   * @throws AssertionError describing every compiler diagnostic or the run's exit code and output
   */
  void check(int index) {
    Compiled c = compile(index);
    if (c.classes() == null) {
      StringBuilder message = new StringBuilder(testName(index)).append(": the java block does not compile");
      if (c.snippet() != null) {
        message.append(" (as ").append(c.snippet().sourcePath()).append(", --release ")
            .append(SnippetCompiler.RELEASE).append(')');
      }
      message.append(":\n").append(c.report());
      List<String> failedBefore = new ArrayList<>();
      for (int j = 0; j < index; j++) {
        if (compile(j).classes() == null) {
          failedBefore.add(testName(j));
        }
      }
      if (!failedBefore.isEmpty()) {
        message.append("\nEarlier java blocks of this file do not compile either, so their types are")
            .append(" missing here: ").append(String.join(", ", failedBefore));
      }
      throw new AssertionError(message.toString());
    }
    JavaSnippet snippet = c.snippet();
    if (!snippet.runnable()) {
      return;
    }
    SnippetRunner.Result run = SnippetRunner.run(snippet.mainClass(), classpath(index, true),
        sandbox(index).resolve("run"), runTimeout);
    if (run.ok()) {
      return;
    }
    String how = run.timedOut()
        ? "did not finish within " + runTimeout.toSeconds() + " s; killed it and its child processes ("
            + run.killed() + " in all)"
        : "exited with code " + run.exitCode() + " after " + seconds(run.elapsed());
    throw new AssertionError(testName(index) + ": " + snippet.mainClass() + ".main " + how
        + ". Add " + JavaSnippet.COMPILE_ONLY_MARKER + " to the block if it is not meant to run here."
        + "\nOutput (stdout and stderr):\n----\n" + run.output().stripTrailing() + "\n----");
  }

  private Compiled compile(int index) {
    if (compiled[index] == null) {
      List<Path> earlier = classpath(index, false);
      FencedBlock block = blocks.get(index);
      JavaSnippet snippet;
      try {
        snippet = JavaSnippet.analyze(block.code());
      } catch (IllegalArgumentException e) {
        compiled[index] = new Compiled(null, null, testName(index) + ": " + e.getMessage());
        return compiled[index];
      }
      Path dir = sandbox(index);
      Path classes = dir.resolve("classes");
      SnippetCompiler.Result javac =
          SnippetCompiler.compile(docName, block, snippet, dir.resolve("src"), classes, earlier);
      compiled[index] = new Compiled(snippet, javac.ok() ? classes : null, javac.report());
    }
    return compiled[index];
  }

  /** The compiled folders of the blocks before {@code index} (nearest first), and its own if asked. */
  private List<Path> classpath(int index, boolean includeOwn) {
    List<Path> dirs = new ArrayList<>();
    if (includeOwn) {
      dirs.add(compiled[index].classes());
    }
    for (int j = index - 1; j >= 0; j--) {
      Path classes = compile(j).classes();
      if (classes != null) {
        dirs.add(classes);
      }
    }
    return dirs;
  }

  private Path sandbox(int index) {
    String safe = docName.replaceAll("[^A-Za-z0-9._-]", "_");
    return scratch.resolve(safe + "-" + blocks.get(index).line());
  }

  private static String seconds(Duration d) {
    return String.format(Locale.ROOT, "%.1f s", d.toMillis() / 1000.0);
  }
}
