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
 * @param holder the id of the call's lease the caller holds for this launch, or {@code null} when
 *     it holds none. The remote side refuses to run (exit {@value Outcome#EXIT_LEASE_LOST}, nothing
 *     committed) when the entry's invocation or lease names another holder by then: the call was
 *     taken over, and this launch is an orphan of the caller that made it. A shell passes it on
 *     with {@link #remoteMainArgs()}.
 */
public record LaunchRequest(
    String memoUri, FunctionId function, String argsHash, Map<String, String> environment, String holder) {

  /** Validates and copies. */
  public LaunchRequest {
    Objects.requireNonNull(memoUri, "memoUri");
    Objects.requireNonNull(function, "function");
    Objects.requireNonNull(argsHash, "argsHash");
    environment = Map.copyOf(environment);
    if (holder != null && !holder.matches("[A-Za-z0-9._-]{1,128}")) {
      throw new IllegalArgumentException("A lease holder id is 1 to 128 letters, digits, '.', '_' or '-'; got '"
          + holder + "'");
    }
  }

  /** A request launched outside a lease (no holder for the remote side to check). */
  public LaunchRequest(String memoUri, FunctionId function, String argsHash, Map<String, String> environment) {
    this(memoUri, function, argsHash, environment, null);
  }

  /**
   * Arguments for {@code io.pureremote.RemoteMain}: {@code run <memoUri>}, followed by {@code
   * --holder <holder>} when the request has a holder.
   */
  public List<String> remoteMainArgs() {
    return holder == null ? List.of("run", memoUri) : List.of("run", memoUri, "--holder", holder);
  }

  /** A short label for logs: function name and the first 8 hex digits of the hash. */
  public String shortLabel() {
    return function.name() + "@" + function.version() + "/" + argsHash.substring(0, Math.min(8, argsHash.length()));
  }
}
