package io.pureremote.observability;

import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.core.instrument.Metrics;
import io.micrometer.core.instrument.Timer;
import io.pureremote.spi.CallListener;
import java.time.Duration;

/**
 * Calls and runs as meters in Micrometer's global registry (so a registry the application adds,
 * at any time, sees them). Tags stay low-cardinality: the function ({@code name@version}), the
 * outcome or run status, never the memo key.
 */
final class MicrometerMeters implements CallListener {
  private final MeterRegistry registry = Metrics.globalRegistry;

  @Override
  public void callEnded(Call call) {
    String function = call.function().toString();
    Counter.builder("pureremote.calls").description("Calls by outcome: hit, miss, failed, joined")
        .tag("function", function).tag("outcome", call.outcome()).register(registry).increment();
    Timer.builder("pureremote.call.duration").description("From submit until the call ended")
        .tag("function", function).tag("outcome", call.outcome()).register(registry)
        .record(Duration.ofMillis(call.durationMs()));
    if (call.queuedMs() >= 0) {
      Timer.builder("pureremote.call.queued").description("Time a call waited for a slot (maxConcurrentCalls)")
          .tag("function", function).register(registry).record(Duration.ofMillis(call.queuedMs()));
    }
  }

  @Override
  public void runEnded(Run run) {
    String function = run.function().toString();
    String status = ObservabilityListener.statusTag(run.status());
    Counter.builder("pureremote.runs").description("Remote runs by status, counted where they run")
        .tag("function", function).tag("status", status).register(registry).increment();
    Timer.builder("pureremote.run.duration").description("A remote run, from its start to its run record")
        .tag("function", function).tag("status", status).register(registry)
        .record(Duration.between(run.startedAt(), run.endedAt()));
  }
}
