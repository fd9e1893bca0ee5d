package io.pureremote.internal;

import java.nio.file.Path;
import java.time.Clock;
import java.time.Duration;
import java.util.concurrent.Executors;

/**
 * A child JVM for {@link AbandonedLeaseTest}: takes the lease {@code args[1]} in the folder store
 * {@code args[0]} with the default 90 s expiry (or, with a third argument, joins as that holder, as
 * a remote process does), prints {@code HELD}, and holds it until killed.
 */
public final class LeaseHolderMain {
  private LeaseHolderMain() {}

  public static void main(String[] args) throws Exception {
    Leases leases = new Leases(new FileBlobStore(Path.of(args[0])), Duration.ofSeconds(90), Duration.ofSeconds(45),
        Clock.systemUTC(), Executors.newSingleThreadScheduledExecutor());
    Leases.Lease lease = (args.length > 2 ? leases.join(args[1], args[2]) : leases.tryAcquire(args[1])).orElseThrow();
    System.out.println("HELD " + lease.holder());
    System.out.flush();
    Thread.sleep(Long.MAX_VALUE);
  }
}
