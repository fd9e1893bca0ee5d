package io.pureremote;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatCode;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.example.fns.Calc;
import com.example.fns.CalcImpl;
import io.pureremote.internal.FolderRootCheck;
import io.pureremote.spi.BlobStore;
import io.pureremote.spi.Shell;
import java.nio.file.Path;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * A {@code file:} blob root with a shell whose processes run elsewhere (a pod) is refused when the
 * runtime is built, unless the folder is declared shared: the call would otherwise launch a pod
 * that cannot see the invocation and fail only after it started.
 */
class SharedFolderTest {
  @TempDir Path dir;

  /**
   * A shell that runs calls in this JVM but says what a pod shell says: its processes cannot read
   * this machine's folders (as the Kubernetes shells do; they live outside core).
   */
  static final class ElsewhereShell implements Shell {
    final Shell inProcess;

    ElsewhereShell(BlobStore store) {
      this.inProcess = Shell.inProcess(store);
    }

    @Override
    public String name() {
      return "elsewhere";
    }

    @Override
    public Launch launch(LaunchRequest request) {
      return inProcess.launch(request);
    }

    @Override
    public boolean readsCallerFolders() {
      return false;
    }
  }

  @Test
  void aFileRootWithAShellThatRunsElsewhereIsRefusedAtBuildNamingRootShellAndBothFixes() {
    BlobStore store = BlobStore.folder(dir);
    assertThatThrownBy(() -> RemoteRuntime.builder().blobStore(store).shell(new ElsewhereShell(store)).build())
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessageContaining("Blob root " + store.root() + " is a folder on this machine")
        .hasMessageContaining("the elsewhere shell")
        .hasMessageContaining("pods, which cannot read this machine's folders")
        .hasMessageContaining("Use an s3:// or abfss:// blob root")
        .hasMessageContaining("a network mount that every pod also mounts at the same path")
        .hasMessageContaining("RemoteRuntime.Builder.sharedFolder(true)")
        .hasMessageContaining("shared-folder = true")
        .hasMessageContaining("PUREREMOTE_SHARED_FOLDER=true");
  }

  @Test
  void aFunctionRoutedToSuchAShellIsNamedAndTheLocalFallbackIsNot() {
    BlobStore store = BlobStore.folder(dir);
    Shell routing = Shell.routing(Shell.inProcess(store), Map.of("com.example.Calc.square", new ElsewhereShell(store)));
    assertThat(routing.readsCallerFolders()).isFalse();

    assertThatThrownBy(() -> RemoteRuntime.builder().blobStore(store).shell(routing).build())
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessageContaining("function com.example.Calc.square on the elsewhere shell")
        .hasMessageNotContaining("the in-process shell");
  }

  @Test
  void aRootDeclaredSharedIsUsedAndCallsRun() {
    BlobStore store = BlobStore.folder(dir);
    try (RemoteRuntime runtime = RemoteRuntime.builder().blobStore(store).shell(new ElsewhereShell(store))
        .sharedFolder(true).build()) {
      assertThat(runtime.options().sharedFolder()).isTrue();
      assertThat(runtime.create(Calc.class, CalcImpl.class).square(7)).isEqualTo(49);
    }
  }

  @Test
  void theDeclarationTravelsInTheOptionsAndIsPartOfTheirEquality() {
    RuntimeOptions shared = RuntimeOptions.builder().sharedFolder(true).build();
    assertThat(shared.toBuilder().build().sharedFolder()).isTrue();
    assertThat(RuntimeOptions.builder().build().sharedFolder()).as("default").isFalse();
    assertThat(shared).isNotEqualTo(RuntimeOptions.builder().build());
    try (RemoteRuntime runtime = RemoteRuntime.builder().options(shared).blobRoot(dir.toUri().toString())
        .shell("in-process").build()) {
      assertThat(runtime.options().sharedFolder()).isTrue();
    }
  }

  @Test
  void cloudRootsAndShellsThatRunHereNeedNoDeclaration() {
    Shell elsewhere = new ElsewhereShell(BlobStore.folder(dir));
    assertThatCode(() -> FolderRootCheck.check("s3://bucket/memo", elsewhere, false)).doesNotThrowAnyException();
    assertThatCode(() -> FolderRootCheck.check("abfss://memo@acct.dfs.core.windows.net/x", elsewhere, false))
        .doesNotThrowAnyException();
    assertThatCode(() -> FolderRootCheck.check(dir.toUri().toString(), Shell.inProcess(), false))
        .doesNotThrowAnyException();
    assertThatThrownBy(() -> FolderRootCheck.check("FILE:///data/memo", elsewhere, false))
        .as("the scheme in any case").hasMessageContaining("Blob root FILE:///data/memo");
  }
}
