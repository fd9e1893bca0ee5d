package io.pureremote.testing;

import static org.assertj.core.api.Assertions.assertThat;

import io.pureremote.spi.BlobStore;
import io.pureremote.spi.BlobStore.BlobContent;
import io.pureremote.spi.BlobStore.StoredBlob;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * A forwarding store with nothing overridden is the store it wraps: the whole contract passes
 * through it. And a decorator sees the calls it intercepts.
 */
class ForwardingBlobStoreTest extends BlobStoreContract {
  @TempDir Path dir;

  @Override
  protected BlobStore newStore() {
    return new ForwardingBlobStore(BlobStore.folder(dir.resolve("root"))) {};
  }

  @Override
  protected void unusableRootFailsClearly() {
    // Covered for the wrapped store by FileBlobStoreContractTest: a forwarding store opens nothing.
  }

  @Test
  void aDecoratorSeesTheCallsItInterceptsAndPassesThemOn() {
    List<String> calls = new ArrayList<>();
    BlobStore file = BlobStore.folder(dir.resolve("decorated"));
    BlobStore recording = new ForwardingBlobStore(file) {
      @Override
      public Optional<String> putIfAbsent(String key, BlobContent content) {
        calls.add("putIfAbsent " + key);
        return super.putIfAbsent(key, content);
      }

      @Override
      public Optional<StoredBlob> get(String key) {
        calls.add("get " + key);
        return super.get(key);
      }
    };

    assertThat(recording.putIfAbsent("a/b", text("x"))).isPresent();
    assertThat(recording.get("a/b")).isPresent().get().satisfies(StoredBlob::close);
    assertThat(file.exists("a/b")).isTrue();
    assertThat(calls).containsExactly("putIfAbsent a/b", "get a/b");
    assertThat(recording.root()).isEqualTo(file.root());
    assertThat(recording.uri("a/b")).isEqualTo(file.uri("a/b"));
    assertThat(recording.remoteSettings()).isEqualTo(Map.of());
  }
}
