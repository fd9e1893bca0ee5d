/**
 * The assembly point: {@link io.pureremote.assembly.ConfiguredRuntime} builds a {@link
 * io.pureremote.RemoteRuntime} from configuration, with the blob store for the configured root, the
 * configured shells, and one shell per distinct per-function override behind a routing shell.
 *
 * <pre>{@code
 * try (ConfiguredRuntime remote = ConfiguredRuntime.fromConfig()) {
 *   Forecasts forecasts = remote.create(Forecasts.class, ForecastsImpl.class);
 *   Forecast f = forecasts.fit(history, params);
 * }
 * }</pre>
 *
 * <p>No command line and no orchestrator pods: those are the CLI and orchestrator modules.
 */
package io.pureremote.assembly;
