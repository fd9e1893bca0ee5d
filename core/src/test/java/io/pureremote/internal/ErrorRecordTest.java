package io.pureremote.internal;

import static org.assertj.core.api.Assertions.assertThat;

import io.pureremote.RemoteFunctionException;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

/** The error record through its JSON form: the whole cause chain, suppressed exceptions, stand-ins. */
class ErrorRecordTest {
  static final ClassLoader LOADER = ErrorRecordTest.class.getClassLoader();

  /** Through JSON and back, as a caller reads it from the store. */
  private static RemoteFunctionException roundTrip(Map<String, Object> record) {
    Map<String, Object> stored = Json.parseObject(Json.write(record));
    return ErrorRecord.toException(stored, "f@1", "file:///memo", LOADER);
  }

  /** Class, method, file and line of each frame (the record keeps no module names). */
  private static List<String> frames(Throwable t) {
    return java.util.Arrays.stream(t.getStackTrace())
        .map(f -> f.getClassName() + "." + f.getMethodName() + "(" + f.getFileName() + ":" + f.getLineNumber() + ")")
        .toList();
  }

  private static Throwable thrown() {
    IllegalArgumentException inner = new IllegalArgumentException("inner");
    inner.addSuppressed(new IOException("closing the reader failed"));
    IllegalStateException outer = new IllegalStateException("outer", inner);
    outer.addSuppressed(new ArithmeticException("second failure"));
    return outer;
  }

  @Test
  void theWholeChainComesBackWithClassesFramesAndSuppressed() {
    Throwable original = thrown();
    RemoteFunctionException e = roundTrip(ErrorRecord.of(original));

    Throwable top = e.getCause();
    assertThat(top).isExactlyInstanceOf(IllegalStateException.class).hasMessage("outer");
    assertThat(frames(top)).isEqualTo(frames(original));
    assertThat(top.getSuppressed()).hasSize(1);
    assertThat(top.getSuppressed()[0]).isInstanceOf(ArithmeticException.class).hasMessage("second failure");
    Throwable inner = top.getCause();
    assertThat(inner).isExactlyInstanceOf(IllegalArgumentException.class).hasMessage("inner");
    assertThat(frames(inner)).isEqualTo(frames(original.getCause()));
    assertThat(inner.getSuppressed()).hasSize(1);
    assertThat(inner.getSuppressed()[0]).isInstanceOf(IOException.class).hasMessage("closing the reader failed");
    assertThat(inner.getCause()).isNull();
  }

  @Test
  void aClassThatIsNotLoadableHereBecomesAStandInNamingIt() {
    Map<String, Object> record = ErrorRecord.of(thrown());
    @SuppressWarnings("unchecked")
    Map<String, Object> cause = (Map<String, Object>) ((List<Object>) record.get("causes")).get(0);
    cause.put("class", "com.acme.RateLimited"); // as if the remote threw a class the caller lacks
    record.put("class", "com.acme.PricingFailed");

    RemoteFunctionException e = roundTrip(record);

    assertThat(e.getCause()).isInstanceOfSatisfying(RemoteFunctionException.RemoteCause.class, c -> {
      assertThat(c.remoteClassName()).isEqualTo("com.acme.PricingFailed");
      assertThat(c).hasToString("com.acme.PricingFailed: outer");
      assertThat(c.getStackTrace()).isNotEmpty();
    });
    assertThat(e.getCause().getCause()).isInstanceOfSatisfying(RemoteFunctionException.RemoteCause.class,
        c -> assertThat(c.remoteClassName()).isEqualTo("com.acme.RateLimited"));
    assertThat(e.getCause().getCause().getSuppressed()).singleElement().isInstanceOf(IOException.class);
  }

  @Test
  void aCauseThatTakesNoFurtherCauseEndsTheRebuiltChainButNotTheText() {
    // UncheckedIOException has no (String) constructor: it becomes a stand-in; its cause follows.
    Throwable original = new IllegalStateException("top", new UncheckedIOException("io", new IOException("disk")));
    RemoteFunctionException e = roundTrip(ErrorRecord.of(original));
    assertThat(e.getCause().getCause()).isInstanceOf(RemoteFunctionException.RemoteCause.class).hasMessage("io");
    assertThat(e.getCause().getCause().getCause()).isInstanceOf(IOException.class).hasMessage("disk");
    assertThat(e.remoteStackTrace()).contains("Caused by: java.io.IOException: disk");
  }

  @Test
  void aCyclicChainIsRecordedOnce() {
    IllegalStateException a = new IllegalStateException("a");
    IllegalArgumentException b = new IllegalArgumentException("b", a);
    a.initCause(b); // a -> b -> a
    @SuppressWarnings("unchecked")
    List<Object> causes = (List<Object>) ErrorRecord.of(a).get("causes");
    assertThat(causes).hasSize(1);
  }

  @Test
  void recordsFromBeforeCausesHadFramesStillRead() {
    Map<String, Object> old = new java.util.LinkedHashMap<>(Map.of("class", "java.lang.IllegalStateException",
        "message", "old", "stack", "java.lang.IllegalStateException: old",
        "causes", List.of(Map.of("class", "java.lang.ArithmeticException", "message", "x"))));
    RemoteFunctionException e = roundTrip(old);
    assertThat(e.getCause()).isInstanceOf(IllegalStateException.class);
    assertThat(e.getCause().getCause()).isInstanceOf(ArithmeticException.class).hasMessage("x");
  }
}
