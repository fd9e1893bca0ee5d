package io.pureremote.cli;

import io.fabric8.kubernetes.client.KubernetesClient;
import io.pureremote.config.ConfigException;
import io.pureremote.config.ConfigLoader;
import io.pureremote.config.PureRemoteConfig;
import io.pureremote.orchestrator.Orchestrators;
import picocli.CommandLine;
import picocli.CommandLine.Option;

/** Where orchestrator commands act: {@code --namespace}, else the team's namespace from configuration. */
final class ClusterOptions {
  @Option(names = "--namespace", paramLabel = "NS",
      description = "namespace (default: the team's, from configuration: PUREREMOTE_TEAM / team = ...)")
  String namespace;

  @Option(names = "--team", paramLabel = "TEAM", description = "configuration team whose namespace and settings to use")
  String team;

  /** Replaced by tests. */
  KubeAccess access = KubeAccess.fromEnvironment();

  /** The configuration with {@code --team} and {@code --namespace} applied; problems are usage errors. */
  PureRemoteConfig config(CommandLine cl, String blobRoot) {
    ConfigLoader.Builder b = access.loader().get();
    if (team != null) {
      b.override("team", team);
    }
    if (namespace != null) {
      b.override("kubernetes.namespace", namespace);
    }
    if (blobRoot != null) {
      b.override("blob-root", blobRoot);
    }
    try {
      return b.build().read();
    } catch (ConfigException e) {
      throw new CommandLine.ParameterException(cl, e.getMessage());
    }
  }

  /** A cluster connection for {@code config}'s namespace; close it when done. */
  Connection connect(PureRemoteConfig config) {
    KubernetesClient client = access.connect().apply(config);
    return new Connection(client, new Orchestrators(client, config.kubernetes().namespace(), access.pollInterval()),
        access.closeClient());
  }

  record Connection(KubernetesClient client, Orchestrators orchestrators, boolean closeClient) implements AutoCloseable {
    @Override
    public void close() {
      if (closeClient) {
        client.close();
      }
    }
  }
}
