package io.pureremote.k8s;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.pureremote.spi.Shell;
import java.time.Duration;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import org.junit.jupiter.api.Test;

/**
 * The settings every multi-pod cluster shell shares, read once: the key sorting, the pod and
 * overlaid pod, the shared keys into {@link ClusterShellOptions}, and every problem at once. The
 * MPI and torch providers' own tests cover their keys on top.
 */
class ClusterShellSettingsTest {
  private static final Set<String> OWN = Set.of("replicas");

  @Test
  void sortsTheKeysAndReadsPodOverlayAndSharedSettings() {
    Shell.Settings settings = Shell.Settings.builder("test.toml [demo]")
        .put("namespace", "hpc").put("kube-context", "prod").put("image", "acme/app:1").put("resources.memory", "1Gi")
        .put("helper.resources.memory", "4Gi").put("replicas", 3)
        .put("ttl-after-finished", Duration.ofMinutes(5)).put("active-deadline", Duration.ofHours(2))
        .put("pending-timeout", Duration.ofSeconds(90)).put("max-eviction-retries", 5).build();
    ClusterShellSettings keys = new ClusterShellSettings(settings, "demo", "demo", OWN, "helper.", Map.of());

    Optional<KubernetesShellOptions> pod = keys.pod("main pod");
    assertThat(pod).isPresent();
    assertThat(pod.get().pod().image()).isEqualTo("acme/app:1");
    assertThat(pod.get().pod().resourceLimits()).containsEntry("memory", "1Gi");
    assertThat(keys.overlaidPod("helper pods")).hasValueSatisfying(h -> {
      assertThat(h.pod().image()).as("the overlay starts from the pod keys").isEqualTo("acme/app:1");
      assertThat(h.pod().resourceLimits()).containsEntry("memory", "4Gi");
    });
    assertThat(keys.own().integer("replicas")).contains(3);
    assertThat(keys.raw("resources.memory")).as("a pod key is not the shell's own").isEmpty();

    DemoOptions.Builder b = new DemoOptions.Builder();
    keys.shared(b, pod);
    keys.check();
    DemoOptions o = new DemoOptions(b);
    assertThat(o.namespace()).isEqualTo("hpc");
    assertThat(o.kubeContext()).contains("prod");
    assertThat(o.ttlAfterFinished()).isEqualTo(Duration.ofMinutes(5));
    assertThat(o.activeDeadline()).contains(Duration.ofHours(2));
    assertThat(o.pendingTimeout()).isEqualTo(Duration.ofSeconds(90));
    assertThat(o.maxEvictionRetries()).isEqualTo(5);
  }

  @Test
  void withoutOverlayKeysThereIsNoOverlaidPodAndTheDefaultsHold() {
    Shell.Settings settings = Shell.Settings.builder("test.toml").put("image", "acme/app:1").build();
    ClusterShellSettings keys = new ClusterShellSettings(settings, "demo", "demo", OWN, "helper.", Map.of());
    assertThat(keys.overlaidPod("helper pods")).isEmpty();

    DemoOptions.Builder b = new DemoOptions.Builder();
    keys.shared(b, keys.pod("main pod"));
    keys.check();
    DemoOptions o = new DemoOptions(b);
    assertThat(o.ttlAfterFinished()).isEqualTo(Duration.ofHours(1));
    assertThat(o.activeDeadline()).isEmpty();
    assertThat(o.pendingTimeout()).isEqualTo(Duration.ofMinutes(10));
    assertThat(o.maxEvictionRetries()).isEqualTo(3);
  }

  @Test
  void everyProblemIsNamedAtOnceWithItsKey() {
    Shell.Settings settings = Shell.Settings.builder("test.toml [demo]").put("image", "acme/app:1")
        .put("resources.memory", "lots").put("log-streaming", true).put("backoff-limit", 2)
        .put("pending-timeout", Duration.ofMillis(1500)).put("max-eviction-retries", 21).build();
    ClusterShellSettings keys = new ClusterShellSettings(settings, "demo", "Demo", OWN, null,
        Map.of("backoff-limit", "use replicas"));
    DemoOptions.Builder b = new DemoOptions.Builder();
    keys.shared(b, keys.pod("main pod"));

    assertThatThrownBy(keys::check).isInstanceOf(IllegalArgumentException.class)
        .hasMessageStartingWith("Invalid demo shell settings from test.toml [demo]:\n  - ")
        .hasMessageContaining("log-streaming: a Kubernetes Job shell setting; the Demo shell has no such setting")
        .hasMessageContaining("backoff-limit: a Kubernetes Job shell setting; the Demo shell has no such setting "
            + "(use replicas)")
        .hasMessageContaining("the main pod: ").hasMessageContaining("'lots' is not a Kubernetes quantity")
        .hasMessageContaining("pending-timeout: pendingTimeout must be whole seconds between 1 s and 400 days, got PT1.5S")
        .hasMessageContaining("max-eviction-retries: maxEvictionRetries must be between 0 and 20, got 21");
  }

  @Test
  void theSharedSettersCheckTheirValue() {
    DemoOptions.Builder b = new DemoOptions.Builder();
    assertThatThrownBy(() -> b.namespace("Bad_NS")).hasMessageStartingWith("namespace: ");
    assertThatThrownBy(() -> b.ttlAfterFinished(Duration.ofDays(401))).hasMessageContaining("400 days");
    assertThatThrownBy(() -> b.activeDeadline(Duration.ZERO)).hasMessageContaining("between 1 s and 400 days");
    assertThatThrownBy(() -> b.maxEvictionRetries(-1)).hasMessageContaining("between 0 and 20");
    assertThat(new DemoOptions(b.namespace("ok").ttlAfterFinished(Duration.ZERO)).ttlAfterFinished()).isZero();
  }

  /** The smallest options that extend the shared part. */
  private static final class DemoOptions extends ClusterShellOptions {
    DemoOptions(Builder b) {
      super(b);
    }

    static final class Builder extends ClusterShellOptions.Builder<Builder> {
      Builder() {
        super("default-ns");
      }

      @Override
      protected Builder self() {
        return this;
      }
    }
  }
}
