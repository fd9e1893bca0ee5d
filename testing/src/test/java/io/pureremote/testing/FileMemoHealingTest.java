package io.pureremote.testing;

import io.pureremote.spi.BlobStore;
import java.nio.file.Path;
import org.junit.jupiter.api.io.TempDir;

/** A memo that heals itself on {@link FileBlobStore}, each test in its own folder. */
class FileMemoHealingTest extends MemoHealingContract {
  @TempDir Path dir;

  @Override
  protected BlobStore newStore() {
    return BlobStore.folder(dir.resolve("root"));
  }
}
