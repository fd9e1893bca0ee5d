package io.pureremote.lease;

import com.example.fns.Work;
import com.example.fns.WorkImpl;
import io.pureremote.RuntimeOptions.LeaseOptions;
import io.pureremote.RemoteRuntime;
import io.pureremote.internal.FileBlobStore;
import io.pureremote.internal.InProcessShell;
import io.pureremote.internal.LocalProcessShell;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.Random;
import java.util.stream.LongStream;

/** A caller process for the multi-process lease tests. */
public final class CallerMain {
  private CallerMain() {}

  /** Short expiry so takeovers after a kill happen within a test. */
  static final LeaseOptions FAST_LEASES = LeaseOptions.builder().expiry(Duration.ofSeconds(3))
      .pollInitial(Duration.ofMillis(50)).pollMax(Duration.ofMillis(400)).build();

  /**
   * For the contention test: eight JVMs starting at once on two cores can starve a renewal thread
   * for seconds, and an expired lease is rightly taken over (a duplicate run that then does not
   * commit). Liveness is not what that test measures, so its leases outlive the test.
   */
  static final LeaseOptions CONTENTION_LEASES = LeaseOptions.builder().expiry(Duration.ofSeconds(30))
      .pollInitial(Duration.ofMillis(50)).pollMax(Duration.ofMillis(400)).build();

  /** Child JVM flags that halve start-up CPU, so crash tests with many JVMs stay quick. */
  static LocalProcessShell quickShell() {
    return new LocalProcessShell(io.pureremote.internal.LocalProcessShellOptions.builder()
        .addJvmArgs("-XX:TieredStopAtLevel=1", "-XX:+UseSerialGC", "-Xshare:auto").build());
  }

  /**
   * {@code fanout <root> <keys> <seed>}: all keys, in a shuffled order, through the in-process
   * shell. {@code single <root> <x> <sleepMs>}: one slow call through the local (child JVM) shell.
   */
  public static void main(String[] args) throws Exception {
    FileBlobStore store = new FileBlobStore(Path.of(args[1]));
    switch (args[0]) {
      case "fanout" -> {
        List<Long> keys = new ArrayList<>(LongStream.range(0, Long.parseLong(args[2])).boxed().toList());
        Collections.shuffle(keys, new Random(Long.parseLong(args[3])));
        try (InProcessShell shell = new InProcessShell(store);
            RemoteRuntime runtime = RemoteRuntime.builder().blobStore(store).shell(shell).pipelineId("leases")
                .lease(CONTENTION_LEASES).build()) {
          Work work = runtime.create(Work.class, WorkImpl.class);
          List<Long> squares = runtime.map(keys, k -> work.slowSquare(k, 150));
          for (int i = 0; i < keys.size(); i++) {
            if (squares.get(i) != keys.get(i) * keys.get(i)) {
              throw new AssertionError("wrong square for " + keys.get(i) + ": " + squares.get(i));
            }
          }
          System.out.println("done " + keys.size());
        }
      }
      case "single" -> {
        try (RemoteRuntime runtime = RemoteRuntime.builder().blobStore(store).shell(quickShell())
            .pipelineId("leases").lease(FAST_LEASES).build()) {
          Work work = runtime.create(Work.class, WorkImpl.class);
          System.out.println("waiting");
          long value = work.slowSquare(Long.parseLong(args[2]), Integer.parseInt(args[3]));
          System.out.println("result " + value);
        }
      }
      default -> throw new IllegalArgumentException("unknown mode " + args[0]);
    }
  }
}
