package io.pureremote.cli;

/**
 * A driver program for the orchestrator tests, run by the fake kubelet as the container's process:
 * prints a few lines (and what it was given), then exits with {@code args[0]}, or sleeps when
 * {@code args[0]} is {@code sleep}.
 */
public final class TestDriver {
  private TestDriver() {}

  public static void main(String[] args) throws InterruptedException {
    System.out.println("driver started with " + String.join(" ", args));
    System.out.println("shell=" + System.getenv("PUREREMOTE_SHELL") + " namespace=" + System.getenv("PUREREMOTE_KUBERNETES_NAMESPACE"));
    for (int i = 1; i <= 3; i++) {
      System.out.println("step " + i + " of 3");
    }
    System.out.flush();
    if (args.length > 0 && args[0].equals("sleep")) {
      Thread.sleep(120_000);
    }
    System.exit(args.length == 0 ? 0 : Integer.parseInt(args[0]));
  }
}
