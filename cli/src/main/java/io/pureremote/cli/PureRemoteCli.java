package io.pureremote.cli;

import io.pureremote.MemoEntry;
import io.pureremote.RemoteRuntime;
import io.pureremote.spi.BlobStore;
import java.io.PrintWriter;
import java.util.Map;
import java.util.Objects;
import picocli.CommandLine;
import picocli.CommandLine.Command;

/**
 * The {@code pureremote} command line over a memo store.
 *
 * <p>Exit codes: 0 ok, 1 not found or nothing to do (and failures such as an unreachable store,
 * reported as one {@code error:} line), 2 bad usage (including a malformed memo URI).
 *
 * <pre>{@code
 * pureremote inspect file:///data/memo/pureremote/v1/default/com.acme.Scoring%23score@2/0f1e…
 * pureremote why-miss <memo uri A> <memo uri B>
 * pureremote invalidate --function com.acme.Scoring#score --version 2 --root file:///data/memo --dry-run
 * pureremote gc --root file:///data/memo --older-than 30d --dry-run
 * pureremote verify file:///data/memo --repair
 * pureremote runs --root file:///data/memo --last 20
 * pureremote orchestrate --image myregistry.azurecr.io/fc/app:42 --main com.acme.Pipeline --name backfill -- --month 2026-10
 * pureremote attach backfill | list | stop backfill
 * }</pre>
 *
 * <p>{@code orchestrate} runs a driver program in the cluster as an orchestrator pod and exits with
 * the driver's exit code once it runs; {@code attach}, {@code list} and {@code stop} manage such
 * pods (docs/orchestrate.md).
 *
 * <p>Stores are opened by URI scheme; backend settings come from {@code PUREREMOTE_STORE_*}
 * environment variables (e.g. {@code PUREREMOTE_STORE_ENDPOINT}), as for remote processes.
 */
@Command(
    name = "pureremote",
    mixinStandardHelpOptions = true,
    versionProvider = PureRemoteCli.Version.class,
    description = "Inspect and manage a Pure Remote memo store.",
    subcommands = {InspectCommand.class, WhyMissCommand.class, InvalidateCommand.class, GcCommand.class, VerifyCommand.class, RunsCommand.class, ConfigCommand.class,
        OrchestrateCommand.class, AttachCommand.class, ListCommand.class, StopCommand.class, PoolCommand.class,
        CommandLine.HelpCommand.class})
public final class PureRemoteCli implements Runnable {
  /** Exit code: done. */
  public static final int OK = 0;
  /** Exit code: the entry (or anything to act on) was not found. */
  public static final int NOT_FOUND = 1;
  /** Exit code: bad command line (picocli's default for usage errors). */
  public static final int USAGE = 2;

  @CommandLine.Spec CommandLine.Model.CommandSpec spec;

  /** Without a subcommand: print usage. */
  @Override
  public void run() {
    spec.commandLine().usage(spec.commandLine().getOut());
  }

  /** Runs the command line and exits with its code. */
  public static void main(String[] args) {
    System.exit(commandLine().execute(args));
  }

  /**
   * The configured command line: uncaught failures print one {@code error:} line to the error
   * stream (stack traces only with {@code PUREREMOTE_DEBUG=1}) and exit 1. Tests call {@link
   * CommandLine#setOut} and {@link CommandLine#setErr} on it to capture output.
   */
  public static CommandLine commandLine() {
    CommandLine cl = new CommandLine(new PureRemoteCli());
    cl.setExecutionExceptionHandler((e, commandLine, parseResult) -> {
      PrintWriter err = commandLine.getErr();
      err.println("error: " + Objects.requireNonNullElse(e.getMessage(), e.toString()));
      if ("1".equals(System.getenv("PUREREMOTE_DEBUG"))) {
        e.printStackTrace(err);
      }
      err.flush();
      return NOT_FOUND;
    });
    CommandLine.IParameterExceptionHandler usage = cl.getParameterExceptionHandler();
    cl.setParameterExceptionHandler((e, args) -> {
      rootHint(e, args).ifPresent(hint -> e.getCommandLine().getErr().println(hint));
      return usage.handleParseException(e, args);
    });
    return cl;
  }

  /**
   * A URI given where no positional argument is taken, to a command that has {@code --root}: the
   * user meant the blob root (e.g. {@code runs file:///x}), so say how to give it. Picocli reports
   * it as an unmatched argument, or, where {@code --root} is required, as a missing option.
   */
  private static java.util.Optional<String> rootHint(CommandLine.ParameterException e, String[] args) {
    CommandLine.Model.OptionSpec rootOption = e.getCommandLine().getCommandSpec().findOption("--root");
    boolean missingRoot = e instanceof CommandLine.MissingParameterException missing
        && missing.getMissing().contains(rootOption);
    if (rootOption == null || !(e instanceof CommandLine.UnmatchedArgumentException || missingRoot)) {
      return java.util.Optional.empty();
    }
    for (int i = 0; i < args.length; i++) {
      if (args[i].contains("://") && (i == 0 || !args[i - 1].startsWith("-"))) {
        return java.util.Optional.of("hint: give the blob root with --root: pureremote "
            + e.getCommandLine().getCommandName() + " --root " + args[i]);
      }
    }
    return java.util.Optional.empty();
  }

  /** Parses a memo URI, turning a malformed one into a usage error that says what is expected. */
  static MemoEntry.Address parseMemoUri(CommandLine commandLine, String uri) {
    try {
      return MemoEntry.parseUri(uri);
    } catch (IllegalArgumentException e) {
      throw new CommandLine.ParameterException(commandLine, e.getMessage());
    }
  }

  /**
   * {@code address} with its args hash in full, looking an abbreviated one (as log lines print it)
   * up in {@code store}; no match or several is a usage error that says which.
   */
  static MemoEntry.Address resolve(CommandLine commandLine, BlobStore store, MemoEntry.Address address) {
    try {
      return MemoEntry.resolve(store, address);
    } catch (IllegalArgumentException e) {
      throw new CommandLine.ParameterException(commandLine, e.getMessage());
    }
  }

  /** Opens the store at {@code root} with {@code PUREREMOTE_STORE_*} settings from the environment. */
  static BlobStore openStore(CommandLine commandLine, String root) {
    Map<String, String> settings = BlobStore.fromEnvironment(System.getenv());
    ClassLoader loader = Objects.requireNonNullElse(Thread.currentThread().getContextClassLoader(),
        PureRemoteCli.class.getClassLoader());
    try {
      return BlobStore.open(root, settings, loader);
    } catch (IllegalArgumentException e) {
      throw new CommandLine.ParameterException(commandLine, e.getMessage());
    }
  }

  /** The library version (the one blob headers record) and the JVM's. */
  static final class Version implements CommandLine.IVersionProvider {
    @Override
    public String[] getVersion() {
      return new String[] {"pureremote " + RemoteRuntime.VERSION + " (Java " + Runtime.version() + ")"};
    }
  }
}
