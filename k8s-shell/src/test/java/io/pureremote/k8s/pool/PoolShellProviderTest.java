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

  @Test
  void theFallbackTakesTheJobSettingsUnderItsPrefixAndRefusesThemWithoutIt() {
    Shell.Settings withJobs = Shell.Settings.builder("test [pools.calc]").put("name", "calc").put("fallback", "kubernetes")
        .put("kubernetes.image", "acme/ml:7").put("kubernetes.namespace", "ml").build();
    assertThat(PoolShellProvider.options(withJobs).pool()).isEqualTo("calc");
    assertThat(PoolShellProvider.fallbackSettings(withJobs)).get()
        .satisfies(j -> assertThat(j.values()).containsOnly(java.util.Map.entry("image", "acme/ml:7"),
            java.util.Map.entry("namespace", "ml")));
    assertThat(PoolShellProvider.fallbackSettings(Shell.Settings.builder("t").put("name", "calc").build())).isEmpty();
    assertThatThrownBy(() -> PoolShellProvider.fallbackSettings(Shell.Settings.builder("test [pools.calc]")
        .put("name", "calc").put("kubernetes.image", "acme/ml:7").build()))
        .hasMessageContaining("[kubernetes.image] in test [pools.calc] are for the fallback Job shell")
        .hasMessageContaining("add fallback = \"kubernetes\"");
    assertThatThrownBy(() -> PoolShellProvider.fallbackSettings(Shell.Settings.builder("test [pools.calc]")
        .put("name", "calc").put("fallback", "lambda").build())).hasMessageContaining("'lambda' is not kubernetes or none");
    // The Job shell's own checks, named as the fallback's.
    try (io.fabric8.kubernetes.client.KubernetesClient client = new io.fabric8.kubernetes.client.KubernetesClientBuilder()
        .withConfig(new io.fabric8.kubernetes.client.ConfigBuilder(io.fabric8.kubernetes.client.Config.empty())
            .withMasterUrl("https://127.0.0.1:1").build()).build()) {
      assertThatThrownBy(() -> PoolShellProvider.withClient(client).create(Shell.Settings.builder("test [pools.calc]")
          .put("name", "calc").put("fallback", "kubernetes").put("kubernetes.image", "acme/ml:7")
          .put("kubernetes.replicas", 3).build()))
          .isInstanceOf(IllegalArgumentException.class)
          .hasMessageContaining("fallback = \"kubernetes\": ").hasMessageContaining("replicas");
    }
  }
}
