package io.pureremote.observability;

import io.pureremote.spi.CallListener;
import java.util.ArrayList;
import java.util.List;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The {@link CallListener} this module registers (found by {@link java.util.ServiceLoader}): it
 * feeds Micrometer's global registry when Micrometer is on the class path and OpenTelemetry's
 * global tracer when the OpenTelemetry API is; with neither it does nothing. See {@code
 * docs/observability.md} for the meter and span names.
 */
public final class ObservabilityListener implements CallListener {
  private static final Logger log = LoggerFactory.getLogger(ObservabilityListener.class);

  private final List<CallListener> sinks;

  /** Looks for Micrometer and OpenTelemetry once. */
  public ObservabilityListener() {
    List<CallListener> found = new ArrayList<>();
    if (present("io.micrometer.core.instrument.Metrics")) {
      found.add(new MicrometerMeters());
    }
    if (present("io.opentelemetry.api.GlobalOpenTelemetry")) {
      found.add(new OpenTelemetrySpans());
    }
    this.sinks = List.copyOf(found);
    log.debug("Pure Remote observability: {}", sinks.isEmpty() ? "neither Micrometer nor OpenTelemetry on the class path"
        : sinks.stream().map(s -> s.getClass().getSimpleName()).toList());
  }

  private static boolean present(String className) {
    try {
      Class.forName(className, false, ObservabilityListener.class.getClassLoader());
      return true;
    } catch (ClassNotFoundException | LinkageError e) {
      return false;
    }
  }

  /** A run status without its detail: {@code infrastructure-failure: <detail>} becomes {@code infrastructure-failure}. */
  static String statusTag(String status) {
    int colon = status.indexOf(':');
    return colon < 0 ? status : status.substring(0, colon);
  }

  @Override
  public void callEnded(Call call) {
    for (CallListener sink : sinks) {
      sink.callEnded(call);
    }
  }

  @Override
  public void runEnded(Run run) {
    for (CallListener sink : sinks) {
      sink.runEnded(run);
    }
  }
}
