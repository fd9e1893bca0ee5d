/**
 * TOML configuration for Pure Remote: teams sharing a cluster, namespaces, workload identity,
 * Kubernetes defaults and per-function settings.
 *
 * <p>{@link io.pureremote.config.ConfigLoader} finds and reads the file ({@code $PUREREMOTE_CONFIG},
 * {@code .pureremote.toml} upwards from the working directory, {@code ~/.pureremote.toml}), parses
 * it as strict TOML 1.0, lays {@code PUREREMOTE_*} environment variables and code overrides over it
 * and returns an immutable, validated {@link io.pureremote.config.PureRemoteConfig}, or throws one
 * {@link io.pureremote.config.ConfigException} listing every problem with its file, line and key.
 *
 * <pre>{@code
 * PureRemoteConfig config = ConfigLoader.load();
 * try (RemoteRuntime runtime = RemoteRuntime.builder().options(config.toRuntimeOptions()).build()) {
 *   ...
 * }
 * }</pre>
 *
 * <p>This module depends on the core only; the orchestrator module assembles a runtime with the
 * Kubernetes shell from a configuration ({@code ConfiguredRuntime.fromConfig()}). The keys, their types,
 * defaults and environment variables are listed in {@code docs/configuration.md}.
 */
package io.pureremote.config;
