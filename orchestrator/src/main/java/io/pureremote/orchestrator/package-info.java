/**
 * The assembly point: {@link io.pureremote.orchestrator.PureRemote} builds a {@link
 * io.pureremote.RemoteRuntime} from configuration, with the blob store for the configured root, the
 * local, in-process or Kubernetes shell, and one shell per distinct per-function override behind a
 * {@link io.pureremote.spi.RoutingShell}.
 *
 * <pre>{@code
 * try (PureRemote remote = PureRemote.fromConfig()) {
 *   Forecasts forecasts = remote.create(Forecasts.class, ForecastsImpl.class);
 *   Forecast f = forecasts.fit(history, params);
 * }
 * }</pre>
 *
 * <p>This is the only module that depends on the configuration, the Kubernetes shell and the blob
 * store backends together.
 */
package io.pureremote.orchestrator;
