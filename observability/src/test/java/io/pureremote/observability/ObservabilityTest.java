package io.pureremote.observability;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.micrometer.core.instrument.Metrics;
import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import io.opentelemetry.api.GlobalOpenTelemetry;
import io.opentelemetry.sdk.OpenTelemetrySdk;
import io.opentelemetry.sdk.testing.exporter.InMemorySpanExporter;
import io.opentelemetry.sdk.trace.SdkTracerProvider;
import io.opentelemetry.sdk.trace.data.SpanData;
import io.opentelemetry.sdk.trace.export.SimpleSpanProcessor;
import io.pureremote.PureRemote;
import io.pureremote.RemoteFunctionException;
import io.pureremote.RemoteRuntime;
import java.nio.file.Path;
import java.util.List;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Calls through a real runtime (file store, in-process shell): the listener this module registers
 * is found on the class path and feeds Micrometer's global registry and OpenTelemetry's global
 * tracer.
 */
class ObservabilityTest {
  @TempDir Path tmp;

  public interface Pricing {
    @PureRemote(version = "3")
    double price(double spot);
  }

  public static final class PricingImpl implements Pricing {
    @Override
    public double price(double spot) {
      if (spot < 0) {
        throw new IllegalArgumentException("negative spot");
      }
      return spot * 1.01;
    }
  }

  SimpleMeterRegistry meters = new SimpleMeterRegistry();
  InMemorySpanExporter spans = InMemorySpanExporter.create();

  @BeforeEach
  void install() {
    Metrics.addRegistry(meters);
    GlobalOpenTelemetry.resetForTest();
    GlobalOpenTelemetry.set(OpenTelemetrySdk.builder()
        .setTracerProvider(SdkTracerProvider.builder().addSpanProcessor(SimpleSpanProcessor.create(spans)).build())
        .build());
  }

  @AfterEach
  void remove() {
    Metrics.removeRegistry(meters);
    GlobalOpenTelemetry.resetForTest();
  }

  private void calls() {
    try (RemoteRuntime runtime = RemoteRuntime.builder().blobRoot(tmp.toUri().toString()).shell("in-process").build()) {
      Pricing pricing = runtime.create(Pricing.class, PricingImpl.class);
      pricing.price(100);          // miss
      pricing.price(100);          // hit
      assertThatThrownBy(() -> pricing.price(-1)).isInstanceOf(RemoteFunctionException.class);
    }
  }

  @Test
  void callsAndRunsAreMeters() {
    calls();
    String fn = Pricing.class.getName() + "#price@3";
    assertThat(meters.get("pureremote.calls").tags("function", fn, "outcome", "miss").counter().count()).isEqualTo(1);
    assertThat(meters.get("pureremote.calls").tags("function", fn, "outcome", "hit").counter().count()).isEqualTo(1);
    assertThat(meters.get("pureremote.calls").tags("function", fn, "outcome", "failed").counter().count()).isEqualTo(1);
    assertThat(meters.get("pureremote.call.duration").tags("function", fn).timers())
        .extracting(t -> t.count()).containsOnly(1L);
    assertThat(meters.get("pureremote.runs").tags("function", fn, "status", "succeeded").counter().count()).isEqualTo(1);
    assertThat(meters.get("pureremote.runs").tags("function", fn, "status", "function-failed").counter().count())
        .isEqualTo(1);
    assertThat(meters.get("pureremote.run.duration").tags("function", fn).timers()).hasSize(2);
  }

  @Test
  void eachCallAndEachRunIsASpanLinkedByTheMemoUri() {
    calls();
    List<SpanData> all = spans.getFinishedSpanItems();
    List<SpanData> callSpans = all.stream().filter(s -> s.getName().startsWith("pureremote.call ")).toList();
    List<SpanData> runSpans = all.stream().filter(s -> s.getName().startsWith("pureremote.run ")).toList();
    assertThat(callSpans).hasSize(3);
    assertThat(runSpans).hasSize(2);
    assertThat(callSpans).extracting(s -> s.getAttributes().get(OpenTelemetrySpans.OUTCOME))
        .containsExactlyInAnyOrder("miss", "hit", "failed");
    SpanData miss = callSpans.stream().filter(s -> "miss".equals(s.getAttributes().get(OpenTelemetrySpans.OUTCOME)))
        .findFirst().orElseThrow();
    String memoUri = miss.getAttributes().get(OpenTelemetrySpans.MEMO_URI);
    assertThat(memoUri).startsWith(tmp.toUri().toString().replaceAll("/$", "")).contains("/pureremote/v1/");
    SpanData run = runSpans.stream().filter(s -> memoUri.equals(s.getAttributes().get(OpenTelemetrySpans.MEMO_URI)))
        .findFirst().orElseThrow();
    assertThat(run.getAttributes().get(OpenTelemetrySpans.STATUS)).isEqualTo("succeeded");
    // The run lies inside its call.
    assertThat(run.getStartEpochNanos()).isGreaterThanOrEqualTo(miss.getStartEpochNanos() - 1_000_000);
    assertThat(run.getEndEpochNanos()).isLessThanOrEqualTo(miss.getEndEpochNanos() + 1_000_000);
    SpanData failed = callSpans.stream().filter(s -> "failed".equals(s.getAttributes().get(OpenTelemetrySpans.OUTCOME)))
        .findFirst().orElseThrow();
    assertThat(failed.getStatus().getStatusCode()).isEqualTo(io.opentelemetry.api.trace.StatusCode.ERROR);
    assertThat(failed.getAttributes().get(OpenTelemetrySpans.ERROR_CLASS)).isEqualTo(IllegalArgumentException.class.getName()); // the remote exception class
  }
}
