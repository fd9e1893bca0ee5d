package io.pureremote.k8s;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.fabric8.kubernetes.client.KubernetesClientException;
import java.io.IOException;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.Test;

class ApiGateTest {
  @Test
  void retriesTransientFailuresOnly() throws Exception {
    ApiGate gate = new ApiGate(1000, 100, 3);
    AtomicInteger calls = new AtomicInteger();
    String result = gate.call("test", () -> {
      if (calls.incrementAndGet() < 3) {
        throw new KubernetesClientException("throttled", 429, null);
      }
      return "ok";
    });
    assertThat(result).isEqualTo("ok");
    assertThat(calls).hasValue(3);

    calls.set(0);
    assertThatThrownBy(() -> gate.call("test", () -> {
      calls.incrementAndGet();
      throw new KubernetesClientException("forbidden", 403, null);
    })).isInstanceOf(KubernetesClientException.class);
    assertThat(calls).as("a 403 is not retried").hasValue(1);

    calls.set(0);
    assertThatThrownBy(() -> gate.call("test", () -> {
      calls.incrementAndGet();
      throw new KubernetesClientException("down", 503, null);
    })).isInstanceOf(KubernetesClientException.class);
    assertThat(calls).as("1 try + 3 retries").hasValue(4);
  }

  @Test
  void classifiesErrors() {
    assertThat(ApiGate.isTransient(new KubernetesClientException("x", 500, null))).isTrue();
    assertThat(ApiGate.isTransient(new KubernetesClientException("x", 504, null))).isTrue();
    assertThat(ApiGate.isTransient(new KubernetesClientException("x", 409, null))).isFalse();
    assertThat(ApiGate.isTransient(new KubernetesClientException("x", 422, null))).isFalse();
    assertThat(ApiGate.isTransient(new KubernetesClientException("refused", new IOException("Connection refused")))).isTrue();
    assertThat(ApiGate.isTransient(new KubernetesClientException("bug", new IllegalStateException()))).isFalse();
  }

  @Test
  void boundsTheRate() throws Exception {
    ApiGate gate = new ApiGate(50, 5, 0);
    long start = System.nanoTime();
    for (int i = 0; i < 30; i++) {
      gate.acquire();
    }
    double seconds = (System.nanoTime() - start) / 1e9;
    // 5 at once, then 25 at 50 per second: about half a second.
    assertThat(seconds).isBetween(0.4, 2.0);
  }
}
