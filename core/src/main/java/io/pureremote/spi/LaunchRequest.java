package io.pureremote.spi;

import io.pureremote.FunctionId;
import java.util.List;
import java.util.Map;
import java.util.Objects;

/**
 * What a {@link Shell} needs to start one invocation.
 *
 * @param memoUri the memo entry URI; the remote side runs {@code RemoteMain run <memoUri>}
 * @param function the function's identity, for names and labels
 * @param argsHash the canonical arguments hash (hex), for names and labels
 * @param environment extra environment variables the remote process must see (e.g. blob store
 *     settings); never credentials
 */
public record LaunchRequest(
    String memoUri, FunctionId function, String argsHash, Map<String, String> environment) {

  /** Validates and copies. */
  public LaunchRequest {
    Objects.requireNonNull(memoUri, "memoUri");
    Objects.requireNonNull(function, "function");
    Objects.requireNonNull(argsHash, "argsHash");
    environment = Map.copyOf(environment);
  }

  /** Arguments for {@code io.pureremote.RemoteMain}: {@code run <memoUri>}. */
  public List<String> remoteMainArgs() {
    return List.of("run", memoUri);
  }

  /** A short label for logs: function name and the first 8 hex digits of the hash. */
  public String shortLabel() {
    return function.name() + "@" + function.version() + "/" + argsHash.substring(0, Math.min(8, argsHash.length()));
  }
}
