package io.pureremote.k8s.testfns;

/** Runs in the pod (a child JVM); prints to stdout, which becomes the pod log. */
public final class WorkImpl implements Work {
  @Override
  public long square(long x) {
    System.out.println("squaring " + x);
    return x * x;
  }

  @Override
  public String fail(String message) {
    System.out.println("about to fail: " + message);
    throw new WorkException(message);
  }

  @Override
  public String slow(String tag, long millis) {
    System.out.println("working on " + tag);
    System.out.flush();
    try {
      Thread.sleep(millis);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new IllegalStateException("interrupted");
    }
    return "done " + tag;
  }

  @Override
  public long checkedSquare(long x) {
    if (x < 0) {
      throw new WorkException("negative: " + x);
    }
    System.out.println("squaring " + x);
    return x * x;
  }

  @Override
  public String crash(int exitCode) {
    System.out.println("about to halt with " + exitCode);
    System.out.flush();
    Runtime.getRuntime().halt(exitCode);
    return "unreachable";
  }

  /** The user exception {@link Work#fail} throws. */
  public static final class WorkException extends RuntimeException {
    private static final long serialVersionUID = 1L;

    public WorkException(String message) {
      super(message);
    }
  }
}
