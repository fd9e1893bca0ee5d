package io.pureremote;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.junit.jupiter.api.Assumptions.assumeFalse;

import io.pureremote.internal.InProcessShell;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** Issue 18 defect 6: a blob root that is a file or cannot be written names the path, the reason and the fix. */
class BlobRootProblemTest {
  @TempDir Path dir;

  @PureRemote
  public interface Echo {
    int f(int x);
  }

  public static final class EchoImpl implements Echo {
    @Override
    public int f(int x) {
      return x;
    }
  }

  private static boolean runningAsRoot() {
    return "root".equals(System.getProperty("user.name")) || Files.isWritable(Path.of("/root"));
  }

  @Test
  void aRootThatIsAFileFailsAtBuild() throws Exception {
    Path file = Files.writeString(dir.resolve("memo"), "not a folder");
    assertThatThrownBy(() -> RemoteRuntime.builder().blobRoot(file.toUri().toString()).shell(new InProcessShell()).build())
        .isInstanceOf(BlobStoreException.class)
        .hasMessageContaining(file + " is a file, not a folder")
        .hasMessageContaining("Choose another blob root, or move the file away");
    assertThat(Files.readString(file)).isEqualTo("not a folder"); // nothing lost
  }

  @Test
  void aRootFolderThatCannotBeWrittenFailsAtBuild() throws Exception {
    assumeFalse(runningAsRoot(), "permissions are not enforced for root");
    Path root = Files.createDirectory(dir.resolve("memo"));
    Files.setPosixFilePermissions(root, PosixFilePermissions.fromString("r-x------"));
    try {
      assertThatThrownBy(() -> RemoteRuntime.builder().blobRoot(root.toUri().toString()).shell(new InProcessShell()).build())
          .isInstanceOf(BlobStoreException.class)
          .hasMessageContaining("The blob root folder " + root + " cannot be written by this user (permission denied)")
          .hasMessageContaining("grant write access to that folder");
    } finally {
      Files.setPosixFilePermissions(root, PosixFilePermissions.fromString("rwx------"));
    }
  }

  @Test
  void aRootFolderThatBecomesUnwritableFailsAtTheFirstCall() throws Exception {
    assumeFalse(runningAsRoot(), "permissions are not enforced for root");
    Path root = Files.createDirectory(dir.resolve("memo"));
    try (RemoteRuntime runtime = RemoteRuntime.builder().blobRoot(root.toUri().toString()).shell(new InProcessShell()).build()) {
      Echo echo = runtime.create(Echo.class, EchoImpl.class);
      Files.setPosixFilePermissions(root, PosixFilePermissions.fromString("r-x------"));
      try {
        assertThatThrownBy(() -> echo.f(1))
            .hasStackTraceContaining("permission denied at " + root)
            .hasStackTraceContaining("grant write access to that folder");
      } finally {
        Files.setPosixFilePermissions(root, PosixFilePermissions.fromString("rwx------"));
      }
    }
  }
}
