package io.pureremote.internal;

import io.pureremote.spi.Shell;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.TreeMap;

/**
 * Refuses, when a runtime is built, a {@code file:} blob root combined with a shell whose processes
 * run elsewhere (a pod): such a call would launch, find no invocation in a folder the pod cannot
 * see, and fail only after its pod started. A folder declared shared (a network mount every pod
 * mounts at the same path) passes.
 */
public final class FolderRootCheck {
  private FolderRootCheck() {}

  /**
   * @param root the blob store's root URI
   * @param shell the runtime's shell; a routing shell is checked per function
   * @param declaredShared whether the caller declared the folder shared
   * @throws IllegalArgumentException naming the root, each shell (and routed function) that cannot
   *     read it, and the two fixes
   */
  public static void check(String root, Shell shell, boolean declaredShared) {
    if (declaredShared || !root.toLowerCase(Locale.ROOT).startsWith("file:")) {
      return;
    }
    List<String> remote = new ArrayList<>();
    if (shell instanceof RoutingShell routing) {
      if (!routing.fallback().readsCallerFolders()) {
        remote.add("the " + routing.fallback().name() + " shell");
      }
      new TreeMap<>(routing.routes()).forEach((function, routed) -> {
        if (!routed.readsCallerFolders()) {
          remote.add("function " + function + " on the " + routed.name() + " shell");
        }
      });
    } else if (!shell.readsCallerFolders()) {
      remote.add("the " + shell.name() + " shell");
    }
    if (remote.isEmpty()) {
      return;
    }
    throw new IllegalArgumentException("Blob root " + root + " is a folder on this machine, but calls run"
        + " in pods, which cannot read this machine's folders: " + String.join("; ", remote) + "."
        + " Use an s3:// or abfss:// blob root, or, if the folder is shared (a network mount that every pod"
        + " also mounts at the same path), declare it: RemoteRuntime.Builder.sharedFolder(true),"
        + " shared-folder = true in the configuration file, or PUREREMOTE_SHARED_FOLDER=true.");
  }
}
