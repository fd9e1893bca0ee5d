package io.pureremote.blobstore.adls;

import static org.assertj.core.api.Assertions.assertThat;

import io.pureremote.FunctionId;
import io.pureremote.Keys;
import io.pureremote.MemoEntry;
import io.pureremote.RemoteRuntime;
import io.pureremote.RuntimeOptions.LeaseOptions;
import io.pureremote.spi.Shell;
import io.pureremote.testing.FaultyProxy;
import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.TreeMap;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;

/**
 * Store faults at scale on ADLS (issue 18), the run {@code S3FaultsAtScaleTest} makes on S3: 500
 * calls (250 keys, each called twice, 8 at a time) through {@link AdlsBlobStore} to Azurite across
 * {@link FaultyProxy}, which resets 5 % of connections part-way, answers 2 % with 503 ServerBusy
 * and 2 % with 500, and delays every chunk up to 3 ms; one request per connection (the proxy asks
 * Azurite to close after each answer, so the JDK client's pool cannot carry requests past a fate).
 * A call may fail (the figures say why; printed and written to {@code
 * target/faults-at-scale.txt}); no result may be lost or corrupt, and no sound result may be
 * taken for a damaged one and set aside. A clean pass afterwards completes every key.
 */
@ExtendWith(AzuriteServer.class)
class AdlsFaultsAtScaleTest {
  static final int KEYS = 250;
  static FaultyProxy faults;

  @BeforeAll
  static void start() throws Exception {
    faults = FaultyProxy.to(URI.create(AzuriteServer.endpoint())).seed(18).resets(0.05).unavailable(0.02)
        .errors(0.02).maxDelayMillis(3).maxConnections(64).oneRequestPerConnection(true)
        .errorCodes("ServerBusy", "InternalError").start();
  }

  @AfterAll
  static void stop() throws Exception {
    if (faults != null) {
      faults.close();
    }
  }

  @Test
  void fiveHundredCallsThroughFaultsLoseAndCorruptNothing() throws Exception {
    String root = "adls://devstoreaccount1/" + AzuriteServer.newContainer() + "/faults";
    Squares.Impl.EXECUTIONS.set(0);
    // Faults can leave a lease unreleased: a short expiry keeps the calls that wait on one short.
    LeaseOptions leases = LeaseOptions.builder().expiry(Duration.ofSeconds(6)).pollMax(Duration.ofSeconds(1)).build();
    Map<String, Integer> failures = new TreeMap<>();
    List<Long> returned = new ArrayList<>();
    int ok = 0;
    // The SDK's retries as a deployment would set them, with short delays to keep the run short.
    AdlsBlobStoreOptions faulty = AzuriteServer.options().endpoint(faults.endpoint() + "/" + AdlsBlobStoreOptions.DEV_ACCOUNT)
        .maxTries(4).retryDelays(Duration.ofMillis(100), Duration.ofSeconds(2)).build();
    try (AdlsBlobStore store = new AdlsBlobStore(root, faulty);
        Shell shell = Shell.inProcess(store);
        RemoteRuntime runtime = RemoteRuntime.builder().blobStore(store).shell(shell).lease(leases)
            .progress(io.pureremote.RuntimeOptions.Progress.OFF).build()) {
      Squares squares = runtime.create(Squares.class, Squares.Impl.class);
      ExecutorService pool = Executors.newFixedThreadPool(8);
      try {
        List<Future<Long>> calls = new ArrayList<>();
        for (int round = 0; round < 2; round++) {
          for (long x = 0; x < KEYS; x++) {
            long arg = x;
            calls.add(pool.submit(() -> squares.square(arg)));
          }
        }
        for (int i = 0; i < calls.size(); i++) {
          long x = i % KEYS;
          try {
            long value = calls.get(i).get(10, TimeUnit.MINUTES);
            assertThat(value).as("square(%d)", x).isEqualTo(x * x);
            returned.add(x);
            ok++;
          } catch (java.util.concurrent.ExecutionException e) {
            failures.merge(reason(e.getCause()), 1, Integer::sum);
          }
        }
      } finally {
        pool.shutdownNow();
      }
    }

    // Read back without the proxy: every value a call returned is stored, every stored one right.
    int lost = 0;
    int corrupt = 0;
    int stored = 0;
    try (AdlsBlobStore clean = new AdlsBlobStore(root, AzuriteServer.options().build())) {
      for (long x = 0; x < KEYS; x++) {
        MemoEntry entry = MemoEntry.of(clean, "default", new FunctionId("adls-test-squares", "1"), Keys.argsHash(x));
        Optional<MemoEntry.Result> result;
        try {
          result = entry.result(getClass().getClassLoader());
        } catch (RuntimeException e) {
          corrupt++;
          continue;
        }
        if (result.isPresent()) {
          stored++;
          if (!Long.valueOf(x * x).equals(result.get().value())) {
            corrupt++;
          }
        } else if (returned.contains(x)) {
          lost++;
        }
      }
      List<String> aside = clean.list("pureremote/v1/").stream().filter(k -> k.contains("/aside/")).toList();
      String figures = "faults at scale (Azurite behind FaultyProxy, seed 18): 500 calls, " + ok + " returned the"
          + " right value, " + (500 - ok) + " failed " + failures + "; " + stored + " of " + KEYS + " keys stored, "
          + lost + " lost, " + corrupt + " corrupt, " + aside.size() + " set aside; " + Squares.Impl.EXECUTIONS.get()
          + " executions; connections by fate " + faults.counts();
      System.out.println(figures);
      Files.writeString(Path.of("target", "faults-at-scale.txt"), figures + "\n", StandardCharsets.UTF_8);
      assertThat(lost).as(figures).isZero();
      assertThat(corrupt).as(figures).isZero();
      assertThat(aside).as("a sound result taken for a damaged one: " + figures).isEmpty();
      assertThat(faults.counts().get(FaultyProxy.Fate.RESET)).as("faults were injected").isPositive();

      // Without faults every key completes, the failed ones included.
      try (Shell shell = Shell.inProcess(clean);
          RemoteRuntime runtime = RemoteRuntime.builder().blobStore(clean).shell(shell).lease(leases).build()) {
        Squares squares = runtime.create(Squares.class, Squares.Impl.class);
        for (long x = 0; x < KEYS; x++) {
          assertThat(squares.square(x)).isEqualTo(x * x);
        }
      }
    }
  }

  /** A failure's class and the first line of its message, without the URI's key. */
  private static String reason(Throwable t) {
    String message = String.valueOf(t.getMessage()).lines().findFirst().orElse("");
    message = message.replaceAll("adls://\\S+", "<uri>").replaceAll("\\d+ ms", "N ms");
    return t.getClass().getSimpleName() + ": " + (message.length() > 160 ? message.substring(0, 160) + "..." : message);
  }
}
