package io.pureremote.cli;

import static org.assertj.core.api.Assertions.assertThat;

import io.pureremote.FunctionId;
import io.pureremote.Keys;
import io.pureremote.MemoEntry;
import io.pureremote.PureRemote;
import io.pureremote.RemoteRuntime;
import io.pureremote.spi.BlobStore.BlobContent;
import io.pureremote.spi.BlobStore;
import java.nio.file.Path;
import java.util.List;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.function.Consumer;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** {@code runs --why}: each miss says why it missed, judged from the store. */
class RunsWhyTest {
  @TempDir Path tmp;

  public interface QuoteV1 {
    @PureRemote(name = "demo.quote", version = "1")
    double quote(String instrument);
  }

  public interface QuoteV2 {
    @PureRemote(name = "demo.quote", version = "2")
    double quote(String instrument);
  }

  public static final class QuoteV1Impl implements QuoteV1 {
    @Override
    public double quote(String instrument) {
      return instrument.length();
    }
  }

  public static final class QuoteV2Impl implements QuoteV2 {
    static final AtomicInteger CALLS = new AtomicInteger();

    @Override
    public double quote(String instrument) {
      if (instrument.equals("FLAKY") && CALLS.incrementAndGet() == 1) {
        throw new IllegalStateException("first try fails");
      }
      return instrument.length() * 2.0;
    }
  }

  private String root() {
    return tmp.resolve("memo").toUri().toString().replaceAll("/$", "");
  }

  private <T> void call(Class<T> iface, Class<? extends T> impl, Consumer<T> calls) {
    try (RemoteRuntime runtime = RemoteRuntime.builder().blobRoot(root()).shell("in-process").build()) {
      calls.accept(runtime.create(iface, impl));
    } catch (RuntimeException expected) {
      // the flaky first call fails; its event is still written when the runtime closes
    }
  }

  @Test
  void eachMissSaysWhy() {
    call(QuoteV1.class, QuoteV1Impl.class, q -> q.quote("EURUSD"));   // new arguments
    call(QuoteV2.class, QuoteV2Impl.class, q -> q.quote("EURUSD"));   // new version
    call(QuoteV2.class, QuoteV2Impl.class, q -> q.quote("FLAKY"));    // fails (not memoized)
    call(QuoteV2.class, QuoteV2Impl.class, q -> q.quote("FLAKY"));    // an earlier run threw
    try (BlobStore store = BlobStore.open(root())) {                 // damage a result
      String entry = MemoEntry.of(store, "default", new FunctionId("demo.quote", "2"), Keys.argsHash("EURUSD")).uri();
      store.put(entry.substring(store.root().length() + 1) + "/result", BlobContent.of(new byte[] {1, 2, 3}), null);
    }
    call(QuoteV2.class, QuoteV2Impl.class, q -> q.quote("EURUSD"));   // unusable result set aside

    PureRemoteCliTest.Run run = PureRemoteCliTest.cli("runs", "--root", root(), "--why");

    assertThat(run.code()).isZero();
    List<String> why = run.out().lines().filter(l -> l.startsWith("    why: ")).map(l -> l.substring(9)).toList();
    // Newest first.
    assertThat(why).containsExactly(
        "the stored result was unusable (corrupt): set aside and recomputed",
        "an earlier run threw, and errors are not memoized (ExceptionPolicy.RERUN): ran again",
        "new version: 1 had these arguments, 2 never ran them",
        "new arguments: no earlier entry of demo.quote has them (or it was invalidated or collected)");
    assertThat(run.out()).contains("5 calls: 0 hit, 4 miss, 1 failed, 0 joined");
  }

  @Test
  void whyWithHtmlIsRefused() {
    PureRemoteCliTest.Run run = PureRemoteCliTest.cli("runs", "--root", root(), "--why", "--html", tmp.resolve("r.html").toString());
    assertThat(run.code()).isNotZero();
    assertThat(run.err()).contains("--why explains the printed list; leave it out with --html");
  }
}
