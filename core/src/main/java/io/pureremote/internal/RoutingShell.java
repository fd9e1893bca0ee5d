package io.pureremote.internal;

import io.pureremote.spi.Shell;
import io.pureremote.spi.Shell.Launch;
import io.pureremote.spi.Shell.LaunchRequest;
import io.pureremote.spi.Shell.LaunchGroup;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.LinkedHashSet;
import java.util.Map;
import java.util.Objects;
import java.util.Set;

/**
 * A shell that sends each call to the shell configured for its function, and every other call to a
 * default shell: how per-function settings (another image, more memory, in-process for a cheap
 * function) reach the launch without the pipeline knowing. Closing it closes every distinct
 * delegate once.
 */
public final class RoutingShell implements Shell {
  private final Shell fallback;
  private final Map<String, Shell> byFunction;

  /**
   * @param fallback the shell for functions without an entry
   * @param byFunction shells keyed by function name ({@code com.acme.Fns#score})
   */
  public RoutingShell(Shell fallback, Map<String, Shell> byFunction) {
    this.fallback = Objects.requireNonNull(fallback, "fallback");
    this.byFunction = Map.copyOf(new LinkedHashMap<>(byFunction));
  }

  /** The shell a call of {@code functionName} goes to. */
  public Shell shellFor(String functionName) {
    return byFunction.getOrDefault(functionName, fallback);
  }

  /** The shell of functions without an entry. */
  public Shell fallback() {
    return fallback;
  }

  /** The shells of functions with an entry, by function name. */
  public Map<String, Shell> routes() {
    return byFunction;
  }

  @Override
  public String name() {
    return fallback.name();
  }

  /** True only when the fallback and every routed shell read the caller's folders. */
  @Override
  public boolean readsCallerFolders() {
    return fallback.readsCallerFolders() && byFunction.values().stream().allMatch(Shell::readsCallerFolders);
  }

  @Override
  public Launch launch(LaunchRequest request) {
    return shellFor(request.function().name()).launch(request);
  }

  @Override
  public LaunchGroup.Policy grouping(io.pureremote.FunctionId function) {
    return shellFor(function.name()).grouping(function);
  }

  /** Hands the group (one function's calls) to that function's shell. */
  @Override
  public List<Launch> launchGroup(LaunchGroup group) {
    return shellFor(group.function().name()).launchGroup(group);
  }

  @Override
  public void close() {
    Set<Shell> distinct = java.util.Collections.newSetFromMap(new java.util.IdentityHashMap<>());
    distinct.add(fallback);
    distinct.addAll(byFunction.values());
    RuntimeException first = null;
    for (Shell s : new LinkedHashSet<>(distinct)) {
      try {
        s.close();
      } catch (RuntimeException e) {
        if (first == null) {
          first = e;
        } else {
          first.addSuppressed(e);
        }
      }
    }
    if (first != null) {
      throw first;
    }
  }
}
