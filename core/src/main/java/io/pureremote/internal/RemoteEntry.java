package io.pureremote.internal;

import io.pureremote.BlobStoreException;
import io.pureremote.spi.BlobStore;
import io.pureremote.spi.Shell.LaunchGroup;
import io.pureremote.spi.Shell.Outcome;
import java.time.Duration;
import java.util.Arrays;
import java.util.Map;

/**
 * What the remote entry point {@code java -cp <app> io.pureremote.RemoteMain run <memo uri>} does. Images
 * and child JVMs run it; it reads the invocation, runs the function and commits exactly one of
 * {@code result} or {@code error}.
 *
 * <p>{@code RemoteMain worker --root <store root> [--slots <K>] [--drain-seconds <S>]} keeps the
 * JVM warm instead: it reads {@code run <id> <memo uri>} requests on stdin, runs up to K (default
 * 4) at once, each exactly as {@code run} would, and answers on stdout (protocol {@code
 * pureremote-worker/1}, see docs/pools.md). It refuses memo URIs of any other store root. On end
 * of input or {@code drain} it finishes what runs and exits 0; on SIGTERM it waits up to S seconds
 * (default 10) and hands back the calls still running. The {@code local-pool} shell starts it.
 * With {@code --listen <port>} (a worker in a pod) the same worker serves TCP instead of its stdin:
 * framed requests that each carry the pool token, read from {@code --token-file} (a mounted Secret)
 * or {@code --token-env} (a {@code secretKeyRef}), never from the command line, and an HTTP
 * readiness endpoint on {@code --ready-port}.
 *
 * <p>{@code RemoteMain batch <manifest uri>} runs one member of a batch (a Kubernetes Indexed Job):
 * the call at index {@code $JOB_COMPLETION_INDEX} of the batch manifest, exactly as {@code run}
 * would; a member whose caller cancelled it is skipped with {@value Outcome#EXIT_LEASE_LOST}.
 *
 * <p>Exit codes: {@value Outcome#EXIT_OK} done (result stored, possibly by an earlier run);
 * {@value Outcome#EXIT_FUNCTION_FAILED} the function threw and its error is stored;
 * {@value Outcome#EXIT_USAGE} bad command line; {@value Outcome#EXIT_INFRASTRUCTURE}
 * the library could not run the function (see the log); {@value Outcome#EXIT_LEASE_LOST} the call
 * is another holder's now (taken over, or cancelled in a batch), nothing committed.
 */
public final class RemoteEntry {
  private RemoteEntry() {}

  /** The last bytes of this process's output stored as {@code runs/<run>.log}. */
  private static final int LOG_LIMIT = 1 << 20;

  private static final String USAGE = "usage: java io.pureremote.RemoteMain run <memo uri> [--holder <lease holder id>]\n"
      + "       java io.pureremote.RemoteMain batch <manifest uri>   (with JOB_COMPLETION_INDEX set)\n"
      + "       java io.pureremote.RemoteMain worker --root <store root> [--slots <K>] [--drain-seconds <S>]\n"
      + "                  [--listen <port> (--token-file <path> | --token-env <NAME>) [--ready-port <port>]]";

  /**
   * Runs the command as this process's whole job (what {@code io.pureremote.RemoteMain} starts) and
   * returns the exit code; its output is also stored beside the memo entry.
   */
  public static int runProcess(String[] args) {
    boolean worker = args.length > 0 && "worker".equals(args[0]);
    // A worker captures per call (calls run side by side), never the whole process.
    return run(args, worker ? null : LogCapture.install(LOG_LIMIT), System.getenv());
  }

  /** Runs the command and returns the exit code, without exiting or capturing output. */
  public static int run(String[] args) {
    return run(args, null, System.getenv());
  }

  /**
   * {@link #run(String[])} with {@code environment} in place of this process's environment (the
   * blob store settings, {@code JOB_COMPLETION_INDEX}): for hosts that play a pod inside this JVM,
   * such as a test kubelet.
   */
  public static int run(String[] args, Map<String, String> environment) {
    return run(args, null, Map.copyOf(environment));
  }

  private static int run(String[] args, LogCapture logCapture, Map<String, String> environment) {
    if (args.length > 0 && "worker".equals(args[0])) {
      return worker(args);
    }
    if (args.length == 2 && "batch".equals(args[0])) {
      return batch(args[1], environment.get(LaunchGroup.INDEX_VARIABLE), logCapture, environment);
    }
    boolean withHolder = args.length == 4 && "--holder".equals(args[2]) && !args[3].isBlank();
    if (args.length != 2 && !withHolder || !"run".equals(args[0])) {
      System.err.println(USAGE + "\n  got: " + Arrays.toString(args));
      return Outcome.EXIT_USAGE;
    }
    String holder = withHolder ? args[3] : null;
    MemoKey.Located located;
    try {
      located = MemoKey.parseUri(args[1]);
    } catch (IllegalArgumentException e) {
      System.err.println(e.getMessage());
      return Outcome.EXIT_USAGE;
    }
    ClassLoader loader = Thread.currentThread().getContextClassLoader();
    if (loader == null) {
      loader = RemoteEntry.class.getClassLoader();
    }
    Map<String, String> settings = BlobStore.fromEnvironment(environment);
    try (BlobStore store = BlobStore.open(located.root(), settings, loader)) {
      return new RemoteExecutor(store, loader, logCapture).run(located.key(), holder);
    } catch (RuntimeException e) {
      System.err.println("Cannot open the blob store at " + located.root() + ": " + e.getMessage());
      return Outcome.EXIT_INFRASTRUCTURE;
    }
  }

  /**
   * One member of a batch: the call at index {@code indexText} of the manifest, run as {@code run}
   * runs it (a cancelled member is skipped with {@link Outcome#EXIT_LEASE_LOST}).
   */
  public static int batch(String manifestUri, String indexText, LogCapture logCapture) {
    return batch(manifestUri, indexText, logCapture, System.getenv());
  }

  private static int batch(String manifestUri, String indexText, LogCapture logCapture, Map<String, String> environment) {
    String root;
    try {
      root = BatchManifest.rootOf(manifestUri);
    } catch (IllegalArgumentException e) {
      System.err.println(e.getMessage());
      return Outcome.EXIT_USAGE;
    }
    int index;
    try {
      index = Integer.parseInt(indexText == null ? "" : indexText.strip());
    } catch (NumberFormatException e) {
      System.err.println("RemoteMain batch needs " + LaunchGroup.INDEX_VARIABLE + " set to this member's index (an"
          + " Indexed Job sets it in every pod), got " + (indexText == null ? "nothing" : "'" + indexText + "'"));
      return Outcome.EXIT_USAGE;
    }
    ClassLoader loader = Thread.currentThread().getContextClassLoader();
    if (loader == null) {
      loader = RemoteEntry.class.getClassLoader();
    }
    Map<String, String> settings = BlobStore.fromEnvironment(environment);
    BlobStore store;
    try {
      store = BlobStore.open(root, settings, loader);
    } catch (RuntimeException e) {
      System.err.println("Cannot open the blob store at " + root + ": " + e.getMessage());
      return Outcome.EXIT_INFRASTRUCTURE;
    }
    try (store) {
      BatchManifest.Member member;
      try {
        member = RemoteStoreRetries.idempotent("reading " + manifestUri,
            () -> BatchManifest.memberAt(store, manifestUri, index));
      } catch (IllegalArgumentException | java.io.UncheckedIOException | BlobStoreException e) {
        System.err.println("Cannot run member " + index + " of batch " + manifestUri + ": " + e.getMessage());
        return Outcome.EXIT_INFRASTRUCTURE;
      }
      System.err.println("batch " + manifestUri + " member " + index + ": " + member.memoUri());
      return new RemoteExecutor(store, loader, logCapture).runBatchMember(MemoKey.parseUri(member.memoUri()).key(),
          member.holder());
    }
  }

  private static int worker(String[] args) {
    String root = null;
    int slots = 4;
    int drainSeconds = 10;
    Integer listen = null;
    int readyPort = -1;
    String tokenFile = null;
    String tokenEnv = null;
    try {
      for (int i = 1; i < args.length; i += 2) {
        if (i + 1 >= args.length) {
          throw new IllegalArgumentException(args[i] + " needs a value");
        }
        String value = args[i + 1];
        switch (args[i]) {
          case "--root" -> root = value;
          case "--slots" -> slots = positive("--slots", value);
          case "--drain-seconds" -> drainSeconds = positive("--drain-seconds", value);
          case "--listen" -> listen = port("--listen", value);
          case "--ready-port" -> readyPort = port("--ready-port", value);
          case "--token-file" -> tokenFile = value;
          case "--token-env" -> tokenEnv = value;
          default -> throw new IllegalArgumentException("unknown option " + args[i]);
        }
      }
      if (root == null) {
        throw new IllegalArgumentException("--root <store root> is required");
      }
      if (listen == null && (tokenFile != null || tokenEnv != null || readyPort >= 0)) {
        throw new IllegalArgumentException("--token-file, --token-env and --ready-port need --listen <port>");
      }
    } catch (IllegalArgumentException e) {
      System.err.println(e.getMessage() + "\n" + USAGE + "\n  got: " + Arrays.toString(args));
      return Outcome.EXIT_USAGE;
    }
    // stdout carries the protocol only: user code's System.out goes to stderr, per call captured.
    java.io.OutputStream protocol = new java.io.FileOutputStream(java.io.FileDescriptor.out);
    Worker.routeOutput(new java.io.PrintStream(new java.io.FileOutputStream(java.io.FileDescriptor.err), true,
        java.nio.charset.StandardCharsets.UTF_8));
    ClassLoader loader = RemoteEntry.class.getClassLoader();
    Map<String, String> settings = BlobStore.fromEnvironment(System.getenv());
    BlobStore store;
    try {
      store = BlobStore.open(root, settings, loader);
    } catch (RuntimeException e) {
      System.err.println("Cannot open the blob store at " + root + ": " + e.getMessage());
      return Outcome.EXIT_INFRASTRUCTURE;
    }
    if (listen != null) {
      return listening(store, loader, slots, drainSeconds, listen, readyPort, tokenFile, tokenEnv);
    }
    try (store) {
      Worker worker = new Worker(store, loader, slots, LOG_LIMIT, protocol);
      Duration grace = Duration.ofSeconds(drainSeconds);
      Thread hook = new Thread(() -> worker.shutdown(grace), "pureremote-worker-drain");
      Runtime.getRuntime().addShutdownHook(hook);
      int code = worker.serve(System.in);
      try {
        Runtime.getRuntime().removeShutdownHook(hook);
      } catch (IllegalStateException e) {
        // Already shutting down: the hook drains.
      }
      return code;
    } catch (RuntimeException e) {
      System.err.println("The worker for " + root + " failed: " + e);
      return Outcome.EXIT_INFRASTRUCTURE;
    }
  }

  /** A worker in a pod: the same worker behind {@link WorkerListener} (token, frames) on a TCP port. */
  private static int listening(BlobStore store, ClassLoader loader, int slots, int drainSeconds, int port,
      int readyPort, String tokenFile, String tokenEnv) {
    try (store) {
      WorkerListener listener = new WorkerListener(store, loader, slots, LOG_LIMIT,
          WorkerListener.readToken(tokenFile, tokenEnv));
      listener.start(port, readyPort, Duration.ofMinutes(2));
      Runtime.getRuntime().addShutdownHook(new Thread(() -> listener.shutdown(Duration.ofSeconds(drainSeconds)),
          "pureremote-worker-drain"));
      listener.announce(new java.io.PrintStream(new java.io.FileOutputStream(java.io.FileDescriptor.out), true,
          java.nio.charset.StandardCharsets.UTF_8));
      return listener.awaitEnd();
    } catch (IllegalArgumentException e) {
      System.err.println(e.getMessage());
      return Outcome.EXIT_USAGE;
    } catch (java.io.IOException | RuntimeException e) {
      System.err.println("The worker for " + store.root() + " failed: " + e.getMessage());
      return Outcome.EXIT_INFRASTRUCTURE;
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      return Outcome.EXIT_INFRASTRUCTURE;
    }
  }

  private static int port(String option, String value) {
    try {
      int n = Integer.parseInt(value);
      if (n >= 0 && n <= 65535) {
        return n;
      }
    } catch (NumberFormatException e) {
      // Reported below.
    }
    throw new IllegalArgumentException(option + " must be a port between 0 and 65535, got '" + value + "'");
  }

  private static int positive(String option, String value) {
    try {
      int n = Integer.parseInt(value);
      if (n >= 1) {
        return n;
      }
    } catch (NumberFormatException e) {
      // Reported below.
    }
    throw new IllegalArgumentException(option + " must be a whole number >= 1, got '" + value + "'");
  }
}
