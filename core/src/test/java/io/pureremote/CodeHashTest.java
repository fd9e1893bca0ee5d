package io.pureremote;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.pureremote.internal.JavaSources;
import java.lang.reflect.Method;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * {@code @PureRemote(codeHash = true)} end to end: a changed helper is a miss without a version
 * bump, the same source rebuilt is a hit, and a remote running other code refuses the call.
 */
class CodeHashTest {
  @TempDir Path dir;

  static final String PRICING = """
      package demo;
      @io.pureremote.PureRemote(codeHash = true)
      public interface Pricing { double price(double spot); }
      """;
  static final String IMPL = """
      package demo;
      public class PricingImpl implements Pricing {
        public double price(double spot) {
          try {
            java.nio.file.Files.writeString(java.nio.file.Path.of(System.getProperty("codehash.runs")), "run\\n",
                java.nio.file.StandardOpenOption.CREATE, java.nio.file.StandardOpenOption.APPEND);
          } catch (java.io.IOException e) {
            throw new java.io.UncheckedIOException(e);
          }
          return spot * demo.util.Rates.margin();
        }
      }
      """;
  static final String RATES = """
      package demo.util;
      public final class Rates {
        public static double margin() { return %s; }
      }
      """;

  private ClassLoader build(String name, String margin) throws Exception {
    Map<String, String> sources = new HashMap<>();
    sources.put("demo/Pricing.java", PRICING);
    sources.put("demo/PricingImpl.java", IMPL);
    sources.put("demo/util/Rates.java", RATES.formatted(margin));
    return JavaSources.compile(dir.resolve(name), sources);
  }

  /** One call of price(100) with the classes of {@code caller}, run remotely with those of {@code remote}. */
  @SuppressWarnings({"unchecked", "rawtypes"})
  private double price(ClassLoader caller, ClassLoader remote) throws Throwable {
    Thread thread = Thread.currentThread();
    ClassLoader before = thread.getContextClassLoader();
    thread.setContextClassLoader(remote); // the in-process shell resolves the call with it
    try (RemoteRuntime runtime = RemoteRuntime.builder().blobRoot(dir.resolve("store").toUri().toString())
        .shell("in-process").build()) {
      Class iface = caller.loadClass("demo.Pricing");
      Object pricing = runtime.create(iface, caller.loadClass("demo.PricingImpl"));
      Method price = iface.getMethod("price", double.class);
      try {
        return (double) price.invoke(pricing, 100.0);
      } catch (java.lang.reflect.InvocationTargetException e) {
        throw e.getCause();
      }
    } finally {
      thread.setContextClassLoader(before);
    }
  }

  private long runs() throws Exception {
    Path runs = Path.of(System.getProperty("codehash.runs"));
    return Files.exists(runs) ? Files.readAllLines(runs).size() : 0;
  }

  @Test
  void aChangedHelperIsAMissTheSameSourceRebuiltIsAHit() throws Throwable {
    System.setProperty("codehash.runs", dir.resolve("runs.txt").toString());
    ClassLoader v1 = build("v1", "1.01");
    assertThat(price(v1, v1)).isEqualTo(101.0);
    assertThat(runs()).isEqualTo(1);

    ClassLoader v1again = build("v1-rebuilt", "1.01");
    assertThat(price(v1again, v1again)).isEqualTo(101.0);
    assertThat(runs()).as("the same source rebuilt keys the same entry: a hit").isEqualTo(1);

    ClassLoader v2 = build("v2", "1.02");
    assertThat(price(v2, v2)).isEqualTo(102.0);
    assertThat(runs()).as("a changed helper is a miss, without a version bump").isEqualTo(2);

    try (var store = new io.pureremote.internal.FileBlobStore(dir.resolve("store"))) {
      List<MemoEntry> entries = MemoEntry.list(store, "default", "demo.Pricing#price", "1");
      assertThat(entries).hasSize(2);
      List<MemoEntry.Invocation.Code> codes = entries.stream().map(e -> e.invocation().orElseThrow().code()).toList();
      assertThat(codes.get(0).argsHash()).as("the arguments are the same").isEqualTo(codes.get(1).argsHash());
      assertThat(codes.get(0).changesTo(codes.get(1))).containsExactly("demo.util.Rates changed");
    }
  }

  @Test
  void aRemoteRunningOtherCodeRefusesTheCallAndNamesTheClass() throws Throwable {
    System.setProperty("codehash.runs", dir.resolve("runs.txt").toString());
    ClassLoader caller = build("caller", "1.01");
    ClassLoader remote = build("remote", "1.05");
    assertThatThrownBy(() -> price(caller, remote))
        .hasStackTraceContaining("differs from the code the caller keyed demo.Pricing#price@1")
        .hasStackTraceContaining("demo.util.Rates changed");
    assertThat(runs()).as("the function never ran with the wrong code").isZero();
  }
}
