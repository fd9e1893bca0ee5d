package io.pureremote.observability;

import io.opentelemetry.api.GlobalOpenTelemetry;
import io.opentelemetry.api.common.AttributeKey;
import io.opentelemetry.api.trace.Span;
import io.opentelemetry.api.trace.SpanKind;
import io.opentelemetry.api.trace.StatusCode;
import io.opentelemetry.api.trace.Tracer;
import io.pureremote.spi.CallListener;
import java.util.concurrent.TimeUnit;

/**
 * One span per call on the caller's side ({@code pureremote.call}) and one per remote run
 * ({@code pureremote.run}), from the global OpenTelemetry. Both carry the memo URI, which links a
 * run to its call(s); spans are built when the call or run has ended, with its real start and end.
 */
final class OpenTelemetrySpans implements CallListener {
  static final AttributeKey<String> FUNCTION = AttributeKey.stringKey("pureremote.function");
  static final AttributeKey<String> MEMO_URI = AttributeKey.stringKey("pureremote.memo_uri");
  static final AttributeKey<String> PIPELINE = AttributeKey.stringKey("pureremote.pipeline");
  static final AttributeKey<String> OUTCOME = AttributeKey.stringKey("pureremote.outcome");
  static final AttributeKey<String> STATUS = AttributeKey.stringKey("pureremote.run.status");
  static final AttributeKey<Long> QUEUED_MS = AttributeKey.longKey("pureremote.queued_ms");
  static final AttributeKey<String> ERROR_CLASS = AttributeKey.stringKey("exception.type");

  private Tracer tracer() {
    // Looked up per span: an application may install its SDK after the first call.
    return GlobalOpenTelemetry.getTracer("io.pureremote");
  }

  @Override
  public void callEnded(Call call) {
    Span span = tracer().spanBuilder("pureremote.call " + call.function())
        .setSpanKind(SpanKind.CLIENT)
        .setStartTimestamp(call.startedAt().toEpochMilli(), TimeUnit.MILLISECONDS)
        .setAttribute(FUNCTION, call.function().toString())
        .setAttribute(MEMO_URI, call.memoUri())
        .setAttribute(PIPELINE, String.valueOf(call.pipelineId()))
        .setAttribute(OUTCOME, call.outcome())
        .startSpan();
    if (call.queuedMs() >= 0) {
      span.setAttribute(QUEUED_MS, call.queuedMs());
    }
    if (call.errorClass() != null) {
      span.setAttribute(ERROR_CLASS, call.errorClass());
      span.setStatus(StatusCode.ERROR, call.errorClass());
    }
    span.end(call.startedAt().toEpochMilli() + call.durationMs(), TimeUnit.MILLISECONDS);
  }

  @Override
  public void runEnded(Run run) {
    Span span = tracer().spanBuilder("pureremote.run " + run.function())
        .setSpanKind(SpanKind.SERVER)
        .setStartTimestamp(run.startedAt())
        .setAttribute(FUNCTION, run.function().toString())
        .setAttribute(MEMO_URI, run.memoUri())
        .setAttribute(STATUS, run.status())
        .startSpan();
    if (!run.status().equals("succeeded") && !run.status().equals("node-succeeded")) {
      span.setStatus(StatusCode.ERROR, ObservabilityListener.statusTag(run.status()));
    }
    span.end(run.endedAt());
  }
}
