package io.pureremote.k8s.testfns;

import io.pureremote.PureRemote;

/** Functions the Kubernetes tests run in Jobs (child JVMs started by the fake kubelet). */
@PureRemote(version = "1")
public interface Work {
  /** Prints a line, returns x². */
  long square(long x);

  /** Throws {@link WorkImpl.WorkException} with {@code message}. */
  String fail(String message);

  /** Prints {@code working on <tag>}, sleeps, returns {@code done <tag>}. */
  String slow(String tag, long millis);

  /** Returns x², or throws {@link WorkImpl.WorkException} for a negative x. */
  long checkedSquare(long x);

  /** Prints a line, then halts the JVM with {@code exitCode} without committing anything. */
  String crash(int exitCode);
}
