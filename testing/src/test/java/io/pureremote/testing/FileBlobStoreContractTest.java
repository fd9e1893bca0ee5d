package io.pureremote.testing;

import io.pureremote.spi.BlobStore;
import java.nio.file.Path;
import org.junit.jupiter.api.io.TempDir;

/** The shared blob store contract on {@link FileBlobStore}, each test in its own folder. */
class FileBlobStoreContractTest extends BlobStoreContract {
  @TempDir Path dir;

  @Override
  protected BlobStore newStore() {
    return BlobStore.folder(dir.resolve("root"));
  }

  /** Folders have no container to miss; a root that is a regular file is the unusable case. */
  @Override
  protected void unusableRootFailsClearly() throws Exception {
    Path notAFolder = java.nio.file.Files.writeString(dir.resolve("plain-file"), "x");
    org.assertj.core.api.Assertions.assertThatThrownBy(() -> BlobStore.folder(notAFolder))
        .isInstanceOf(io.pureremote.BlobStoreException.class)
        .hasMessageContaining("Cannot create the blob root folder")
        .hasMessageContaining(notAFolder + " is a file, not a folder. Choose another blob root")
        .satisfies(e -> org.assertj.core.api.Assertions.assertThat(((io.pureremote.BlobStoreException) e).uri())
            .isEqualTo(notAFolder.toUri().toString()));
    // A root below a file names the file that is in the way.
    org.assertj.core.api.Assertions.assertThatThrownBy(() -> BlobStore.folder(notAFolder.resolve("memo")))
        .isInstanceOf(io.pureremote.BlobStoreException.class)
        .hasMessageContaining(notAFolder + " is a file, not a folder");
  }
}
