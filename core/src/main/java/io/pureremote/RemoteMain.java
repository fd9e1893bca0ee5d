package io.pureremote;

import io.pureremote.internal.LogCapture;
import io.pureremote.internal.MemoKey;
import io.pureremote.internal.RemoteExecutor;
import io.pureremote.spi.BlobStore;
import io.pureremote.spi.BlobStores;
import io.pureremote.spi.Outcome;
import java.util.Arrays;
import java.util.Map;

/**
 * The remote entry point: {@code java -cp <app> io.pureremote.RemoteMain run <memo uri>}. Images
 * and child JVMs run it; it reads the invocation, runs the function and commits exactly one of
 * {@code result} or {@code error}.
 *
 * <p>Exit codes: {@value Outcome#EXIT_OK} done (result stored, possibly by an earlier run);
 * {@value Outcome#EXIT_FUNCTION_FAILED} the function threw and its error is stored;
 * {@value Outcome#EXIT_USAGE} bad command line; {@value Outcome#EXIT_INFRASTRUCTURE}
 * the library could not run the function (see the log).
 */
public final class RemoteMain {
  private RemoteMain() {}

  /** The last bytes of this process's output stored as {@code runs/<run>.log}. */
  private static final int LOG_LIMIT = 1 << 20;

  /** Runs the command and exits with its code; its output is also stored beside the memo entry. */
  public static void main(String[] args) {
    System.exit(run(args, LogCapture.install(LOG_LIMIT)));
  }

  /** Runs the command and returns the exit code, without exiting or capturing output. */
  public static int run(String[] args) {
    return run(args, null);
  }

  private static int run(String[] args, LogCapture logCapture) {
    if (args.length != 2 || !"run".equals(args[0])) {
      System.err.println("usage: java io.pureremote.RemoteMain run <memo uri>\n  got: " + Arrays.toString(args));
      return Outcome.EXIT_USAGE;
    }
    MemoKey.Located located;
    try {
      located = MemoKey.parseUri(args[1]);
    } catch (IllegalArgumentException e) {
      System.err.println(e.getMessage());
      return Outcome.EXIT_USAGE;
    }
    ClassLoader loader = Thread.currentThread().getContextClassLoader();
    if (loader == null) {
      loader = RemoteMain.class.getClassLoader();
    }
    Map<String, String> settings = BlobStores.fromEnvironment(System.getenv());
    try (BlobStore store = BlobStores.open(located.root(), settings, loader)) {
      return new RemoteExecutor(store, loader, logCapture).run(located.key());
    } catch (RuntimeException e) {
      System.err.println("Cannot open the blob store at " + located.root() + ": " + e.getMessage());
      return Outcome.EXIT_INFRASTRUCTURE;
    }
  }
}
