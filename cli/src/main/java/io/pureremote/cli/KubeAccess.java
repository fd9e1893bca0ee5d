package io.pureremote.cli;

import io.fabric8.kubernetes.client.KubernetesClient;
import io.pureremote.config.ConfigLoader;
import io.pureremote.config.PureRemoteConfig;
import io.pureremote.orchestrator.Orchestrators;
import io.pureremote.assembly.ConfiguredRuntime;
import java.time.Duration;
import java.util.function.Function;
import java.util.function.Supplier;

/**
 * How the orchestrator commands reach configuration and the cluster. By default: this process's
 * configuration ({@link ConfiguredRuntime#configLoader()}) and a client like {@code kubectl}'s for the
 * configured kube context; tests give a loader over a test environment and a mock server's client.
 *
 * @param loader a fresh configuration loader builder (commands add their overrides)
 * @param connect the client for a configuration
 * @param closeClient whether commands close the client they got
 * @param pollInterval pause between status checks while following an orchestrator
 */
record KubeAccess(Supplier<ConfigLoader.Builder> loader, Function<PureRemoteConfig, KubernetesClient> connect,
    boolean closeClient, Duration pollInterval) {
  static KubeAccess fromEnvironment() {
    return new KubeAccess(ConfiguredRuntime::configLoader, c -> Orchestrators.connect(c.kubernetes().kubeContext()), true,
        Duration.ofSeconds(1));
  }
}
