package io.pureremote;

import io.pureremote.internal.RemoteEntry;

/**
 * The remote side's process entry point, which images and child JVMs start by name: {@code java -cp
 * <app> io.pureremote.RemoteMain run <memo uri>} (also {@code batch <manifest uri>} and {@code
 * worker ...}; docs/architecture.md has the commands and exit codes). It reads the invocation, runs
 * the function and commits exactly one of {@code result} or {@code error}, then exits with the code
 * {@link io.pureremote.spi.Shell.Outcome} defines.
 *
 * <p>Not a Java API: the class is package-private so that the name is the whole contract. Shells
 * build the command line from {@link io.pureremote.spi.Shell.LaunchRequest#MAIN_CLASS}; code that
 * plays a pod inside its own JVM calls {@link io.pureremote.spi.Shell#runRemoteMain}.
 */
final class RemoteMain {
  private RemoteMain() {}

  /** Runs the command and exits with its code; its output is also stored beside the memo entry. */
  public static void main(String[] args) {
    System.exit(RemoteEntry.runProcess(args));
  }
}
