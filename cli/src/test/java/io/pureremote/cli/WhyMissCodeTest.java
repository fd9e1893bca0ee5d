package io.pureremote.cli;

import static org.assertj.core.api.Assertions.assertThat;

import io.pureremote.MemoEntry;
import io.pureremote.RemoteRuntime;
import io.pureremote.spi.BlobStore;
import io.pureremote.testing.JavaSources;
import java.lang.reflect.Method;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** {@code why-miss} on two calls of a code-hashed function whose helper changed between them. */
class WhyMissCodeTest {
  @TempDir Path tmp;

  static final String PRICING = """
      package demo;
      @io.pureremote.PureRemote(codeHash = true)
      public interface Pricing { double price(double spot); }
      """;
  static final String IMPL = """
      package demo;
      public class PricingImpl implements Pricing {
        public double price(double spot) { return spot * demo.util.Rates.margin(); }
      }
      """;
  static final String RATES = """
      package demo.util;
      public final class Rates {
        public static double margin() { return %s; }
      }
      """;

  @SuppressWarnings({"unchecked", "rawtypes"})
  private void callOnce(String root, String build, String margin) throws Exception {
    ClassLoader loader = JavaSources.compile(tmp.resolve(build), Map.of("demo/Pricing.java", PRICING,
        "demo/PricingImpl.java", IMPL, "demo/util/Rates.java", RATES.formatted(margin)));
    Thread thread = Thread.currentThread();
    ClassLoader before = thread.getContextClassLoader();
    thread.setContextClassLoader(loader); // the in-process shell resolves the call with it
    try (RemoteRuntime runtime = RemoteRuntime.builder().blobRoot(root).shell("in-process").build()) {
      Class iface = loader.loadClass("demo.Pricing");
      Object pricing = runtime.create(iface, loader.loadClass("demo.PricingImpl"));
      Method price = iface.getMethod("price", double.class);
      price.invoke(pricing, 100.0);
    } finally {
      thread.setContextClassLoader(before);
    }
  }

  @Test
  void saysTheCodeChangedAndNamesTheClass() throws Exception {
    String root = tmp.resolve("memo").toUri().toString().replaceAll("/$", "");
    callOnce(root, "v1", "1.01");
    callOnce(root, "v2", "1.02");
    List<String> uris;
    try (BlobStore store = BlobStore.open(root)) {
      uris = MemoEntry.list(store, "default", "demo.Pricing#price", "1").stream()
          .sorted(java.util.Comparator.comparing(e -> e.invocation().orElseThrow().invokedAt()))
          .map(MemoEntry::uri).toList();
    }
    assertThat(uris).hasSize(2);

    PureRemoteCliTest.Run run = PureRemoteCliTest.cli("why-miss", uris.get(0), uris.get(1));

    assertThat(run.code()).isZero();
    assertThat(run.out())
        .contains("version     same (1)")
        .contains("code        changed: 1 class (A → B)")
        .contains("  demo.util.Rates changed")
        .contains("arguments   identical (same canonical encoding); only the code differs");

    PureRemoteCliTest.Run runs = PureRemoteCliTest.cli("runs", "--root", root, "--why");
    assertThat(runs.out()).contains("    why: code changed: demo.util.Rates changed")
        .contains("    why: new arguments: no earlier entry of demo.Pricing#price has them");
  }
}
