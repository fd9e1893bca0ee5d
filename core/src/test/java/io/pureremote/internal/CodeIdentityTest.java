package io.pureremote.internal;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.pureremote.MemoEntry;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The code hash, on classes compiled by javac in the test: what changes it and what does not.
 * Each case compiles two versions of a small function into two folders and compares.
 */
class CodeIdentityTest {
  @TempDir Path dir;

  static final String PRICING = """
      package demo;
      public interface Pricing { double price(double spot); }
      """;

  static String impl(String body) {
    return """
        package demo;
        public class PricingImpl implements Pricing {
          public double price(double spot) { %s }
        }
        """.formatted(body);
  }

  static final String RATES = """
      package demo.util;
      public final class Rates {
        public static double margin() { return 1.01; }
      }
      """;

  static final String OTHER = """
      package other;
      public final class Fees {
        public static double fee() { return 2.0; }
      }
      """;

  private CodeIdentity identity(String name, Map<String, String> sources) throws Exception {
    ClassLoader loader = JavaSources.compile(dir.resolve(name), sources);
    Class<?> iface = loader.loadClass("demo.Pricing");
    Class<?> impl = loader.loadClass("demo.PricingImpl");
    return CodeIdentity.of(impl, RemoteMethod.ownPackages(iface, impl));
  }

  private Map<String, String> base(String implBody) {
    return Map.of("demo/Pricing.java", PRICING, "demo/PricingImpl.java", impl(implBody),
        "demo/util/Rates.java", RATES, "other/Fees.java", OTHER);
  }

  @Test
  void theSameSourceCompiledTwiceHasOneHash() throws Exception {
    String body = "return spot * demo.util.Rates.margin() + other.Fees.fee();";
    CodeIdentity a = identity("a", base(body));
    CodeIdentity b = identity("b", base(body));
    assertThat(a.hash()).matches("[0-9a-f]{64}").isEqualTo(b.hash());
    assertThat(a.classes()).containsOnlyKeys("demo.PricingImpl", "demo.Pricing", "demo.util.Rates");
  }

  @Test
  void commentsAndMovedLinesDoNotChangeIt() throws Exception {
    CodeIdentity a = identity("a", base("return spot * demo.util.Rates.margin();"));
    CodeIdentity b = identity("b", base("\n\n  // a comment that moves every line below\n\n return spot\n * demo.util.Rates.margin();"));
    assertThat(b.hash()).isEqualTo(a.hash());
  }

  @Test
  void aChangedHelperInASubpackageChangesItAndIsNamed() throws Exception {
    Map<String, String> v1 = base("return spot * demo.util.Rates.margin();");
    Map<String, String> v2 = new java.util.HashMap<>(v1);
    v2.put("demo/util/Rates.java", RATES.replace("1.01", "1.02"));
    CodeIdentity a = identity("a", v1);
    CodeIdentity b = identity("b", v2);
    assertThat(b.hash()).isNotEqualTo(a.hash());
    assertThat(a.recorded(null).changesTo(b.recorded(null))).containsExactly("demo.util.Rates changed");
    assertThat(a.entryHash("00".repeat(32))).isNotEqualTo(b.entryHash("00".repeat(32)));
  }

  @Test
  void classesOutsideTheOwnPackagesAreNotCovered() throws Exception {
    Map<String, String> v1 = base("return spot + other.Fees.fee();");
    Map<String, String> v2 = new java.util.HashMap<>(v1);
    v2.put("other/Fees.java", OTHER.replace("2.0", "3.0"));
    assertThat(identity("b", v2).hash()).isEqualTo(identity("a", v1).hash());
  }

  @Test
  void aClassOfTheSamePackageTheFunctionNeverReachesIsNotCovered() throws Exception {
    Map<String, String> v1 = base("return spot;");
    Map<String, String> v2 = new java.util.HashMap<>(v1);
    v2.put("demo/util/Rates.java", RATES.replace("1.01", "9.99"));
    CodeIdentity a = identity("a", v1);
    assertThat(identity("b", v2).hash()).isEqualTo(a.hash());
    assertThat(a.classes()).doesNotContainKey("demo.util.Rates");
  }

  @Test
  void lambdasNestedClassesAndConstantsAreCode() throws Exception {
    String lambda = "java.util.function.DoubleUnaryOperator f = x -> x * %s; return f.applyAsDouble(spot);";
    assertThat(identity("b", base(lambda.formatted("2"))).hash())
        .isNotEqualTo(identity("a", base(lambda.formatted("3"))).hash());

    String nested = """
        return new Object() { double twice(double v) { return v * %s; } }.twice(spot);""";
    CodeIdentity c = identity("c", base(nested.formatted("2")));
    CodeIdentity d = identity("d", base(nested.formatted("4")));
    assertThat(c.recorded(null).changesTo(d.recorded(null))).containsExactly("demo.PricingImpl$1 changed");

    assertThat(identity("e", base("return spot + \"1\".length();")).hash())
        .isNotEqualTo(identity("f", base("return spot + \"12\".length();")).hash());
  }

  @Test
  void aClassWithoutAClassFileIsRefusedWithTheReason() {
    // A proxy's own class has no class-file resource: the hash cannot cover it.
    Class<?> generated = java.lang.reflect.Proxy.getProxyClass(getClass().getClassLoader(), Runnable.class);
    assertThatThrownBy(() -> CodeIdentity.of(generated, List.of(generated.getPackageName())))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessageContaining("needs the class file of " + generated.getName())
        .hasMessageContaining("turn codeHash off");
  }

  @Test
  void theRecordedCodeSurvivesTheInvocationHeader() throws Exception {
    CodeIdentity a = identity("a", base("return spot * demo.util.Rates.margin();"));
    MemoEntry.Invocation.Code recorded = a.recorded("ab".repeat(32));
    MemoEntry.Invocation call = new MemoEntry.Invocation(new io.pureremote.FunctionId("demo.Pricing#price", "1"),
        "default", a.entryHash("ab".repeat(32)), "demo.Pricing", "price", List.of("double"), "demo.PricingImpl",
        List.of("demo"), "MEMOIZE", "u@h", null, "h", 1, null, recorded);
    MemoEntry.Invocation back = MemoEntry.Invocation.fromHeader(call.toHeader());
    assertThat(back.code()).isEqualTo(recorded);
    assertThat(back.code().changesTo(recorded)).isEmpty();
  }
}
