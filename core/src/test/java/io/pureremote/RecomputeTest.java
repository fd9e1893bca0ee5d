package io.pureremote;

import static org.assertj.core.api.Assertions.assertThat;

import io.pureremote.internal.FileBlobStore;
import java.nio.file.Path;
import java.util.List;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** Recompute on request: per function, per run and by system property; the old result set aside. */
class RecomputeTest {
  @TempDir Path dir;

  public interface Prices {
    @PureRemote(name = "test.price", version = "1")
    long price(long spot);
  }

  public static final class PricesImpl implements Prices {
    static final AtomicInteger RUNS = new AtomicInteger();

    @Override
    public long price(long spot) {
      return spot * 100 + RUNS.incrementAndGet(); // differs per run, so a recomputation shows
    }
  }

  @AfterEach
  void clear() {
    System.clearProperty("pureremote.recompute");
  }

  private RemoteRuntime.Builder runtime() {
    return RemoteRuntime.builder().blobStore(new FileBlobStore(dir)).shell("in-process");
  }

  private long call(RemoteRuntime.Builder builder, int times) {
    long last = 0;
    try (RemoteRuntime runtime = builder.build()) {
      Prices prices = runtime.create(Prices.class, PricesImpl.class);
      for (int i = 0; i < times; i++) {
        last = prices.price(7);
      }
    }
    return last;
  }

  private List<String> aside() {
    return new FileBlobStore(dir).list("pureremote/v1/").stream().filter(k -> k.contains("/aside/")).toList();
  }

  @Test
  void aRecomputedCallRunsOnceMoreAndKeepsTheOldResultAside() {
    PricesImpl.RUNS.set(0);
    long first = call(runtime(), 1);
    assertThat(call(runtime(), 1)).as("a plain second run is a hit").isEqualTo(first);
    assertThat(PricesImpl.RUNS.get()).isEqualTo(1);

    long recomputed = call(runtime().defaults(CallOptions.builder().recompute(true).build()), 3);
    assertThat(PricesImpl.RUNS.get()).as("recomputed once in that runtime; its later equal calls hit").isEqualTo(2);
    assertThat(recomputed).isNotEqualTo(first);
    assertThat(call(runtime(), 1)).as("the new result is the memo now").isEqualTo(recomputed);
    assertThat(aside()).anyMatch(k -> k.matches(".*/aside/result-[0-9a-f]{64}"))
        .anyMatch(k -> k.matches(".*/aside/result-[0-9a-f]{64}\\.json"));
    String note = new String(new FileBlobStore(dir).getBytes(aside().stream().filter(k -> k.endsWith(".json"))
        .findFirst().orElseThrow()).orElseThrow(), java.nio.charset.StandardCharsets.UTF_8);
    assertThat(note).contains("\"kind\":\"recomputed\"");
  }

  @Test
  void perFunctionAndBySystemProperty() {
    PricesImpl.RUNS.set(0);
    call(runtime(), 1);
    call(runtime().function("other.function", CallOptions.builder().recompute(true).build()), 1);
    assertThat(PricesImpl.RUNS.get()).as("another function's switch does not touch this one").isEqualTo(1);
    call(runtime().function("test.price", CallOptions.builder().recompute(true).build()), 1);
    assertThat(PricesImpl.RUNS.get()).isEqualTo(2);

    System.setProperty("pureremote.recompute", "test.price@1");
    call(runtime(), 2);
    assertThat(PricesImpl.RUNS.get()).isEqualTo(3);
    System.setProperty("pureremote.recompute", "all");
    call(runtime(), 1);
    assertThat(PricesImpl.RUNS.get()).isEqualTo(4);
    System.setProperty("pureremote.recompute", "test.price@2");
    call(runtime(), 1);
    assertThat(PricesImpl.RUNS.get()).as("another version's switch does not touch this one").isEqualTo(4);
  }
}
