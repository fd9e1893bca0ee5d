package io.pureremote.k8s.pool;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.pureremote.spi.Shell;
import java.time.Duration;
import org.junit.jupiter.api.Test;

class PoolShellProviderTest {
  @Test
  void settingsMapToOptionsAndTheProviderIsRegistered() {
    PoolShellOptions o = PoolShellProvider.options(Shell.Settings.builder("test [pool]").put("name", "calc")
        .put("namespace", "ml-team").put("addressing", "port-forward").put("max-dispatches", 5)
        .put("refresh-interval", Duration.ofMillis(500)).build());
    assertThat(o).isEqualTo(new PoolShellOptions("calc", "ml-team", PoolShellOptions.Addressing.PORT_FORWARD, 5,
        Duration.ofMillis(500), Duration.ofSeconds(10), null));
    assertThat(Shell.providers(getClass().getClassLoader())).containsKey("pool");
  }

  @Test
  void aMissingNameOrAnUnknownKeyIsNamed() {
    assertThatThrownBy(() -> PoolShellProvider.options(Shell.Settings.builder("test [pool]").build()))
        .hasMessageContaining("name: the pool's name is required (test [pool])");
    assertThatThrownBy(() -> PoolShellProvider.options(Shell.Settings.builder("test [pool]").put("name", "x")
        .put("addressing", "carrier-pigeon").build())).hasMessageContaining("not auto, pod-ip or port-forward");
    assertThatThrownBy(() -> PoolShellProvider.options(Shell.Settings.builder("test [pool]").put("name", "x")
        .put("workers", 3).build())).isInstanceOf(IllegalArgumentException.class).hasMessageContaining("workers");
  }
}
