package io.pureremote;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.example.fns.Blobs;
import com.example.fns.BlobsImpl;
import io.pureremote.internal.ArgsEncoder;
import io.pureremote.internal.FileBlobStore;
import io.pureremote.internal.InProcessShell;
import io.pureremote.internal.LocalProcessShell;
import io.pureremote.spi.BlobStore.BlobContent;
import io.pureremote.spi.BlobStore;
import io.pureremote.spi.BlobStore.StoredBlob;
import java.io.IOException;
import java.io.InputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.FileTime;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.atomic.AtomicLong;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** Content-addressed large inputs and outputs. */
class BlobRefTest {
  @TempDir Path dir;
  CountingStore store;

  @BeforeEach
  void setUp() {
    store = new CountingStore(new FileBlobStore(dir.resolve("memo")));
    BlobsImpl.EXECUTIONS.set(0);
  }

  private Path file(String name, int size, int seed) throws IOException {
    byte[] bytes = new byte[size];
    for (int i = 0; i < size; i++) {
      bytes[i] = (byte) (i * 31 + seed);
    }
    return Files.write(dir.resolve(name), bytes);
  }

  @Test
  void keyIsTheContentNotThePath() throws IOException {
    Path a = file("a.bin", 10_000, 1);
    Path b = Files.copy(a, dir.resolve("b.bin"));
    assertThat(ArgsEncoder.hash(new Object[] {BlobRef.of(a)}))
        .isEqualTo(ArgsEncoder.hash(new Object[] {BlobRef.of(b)}))
        .isEqualTo(ArgsEncoder.hash(new Object[] {BlobRef.of(Files.readAllBytes(a))}))
        .isNotEqualTo(ArgsEncoder.hash(new Object[] {BlobRef.of(file("c.bin", 10_000, 2))}));
  }

  @Test
  void uploadedOnceOnlyOnAMissAndMaterializedRemotely() throws IOException {
    Path input = file("input.bin", 3 * 1024 * 1024, 7);
    try (InProcessShell shell = new InProcessShell(store);
        RemoteRuntime runtime = RemoteRuntime.builder().blobStore(store).shell(shell).build()) {
      Blobs blobs = runtime.create(Blobs.class, BlobsImpl.class);
      String first = blobs.describe(BlobRef.of(input));
      assertThat(first).isEqualTo((3 * 1024 * 1024) + ":7:" + (byte) ((3 * 1024 * 1024 - 1) * 31 + 7));
      long uploadedAfterFirst = store.casBytesUploaded.get();
      assertThat(uploadedAfterFirst).isEqualTo(3 * 1024 * 1024);

      // A memo hit: no upload at all.
      assertThat(blobs.describe(BlobRef.of(Files.copy(input, dir.resolve("copy.bin"))))).isEqualTo(first);
      // Another function over the same content: a miss, but the content is already stored.
      assertThat(blobs.countBytes(BlobRef.of(input))).isEqualTo(3 * 1024 * 1024);
      assertThat(store.casBytesUploaded).hasValue(uploadedAfterFirst);
      assertThat(BlobsImpl.EXECUTIONS).hasValue(2);
      assertThat(store.list(BlobRef.CAS_PREFIX)).hasSize(1);
    }
  }

  @Test
  void functionsCanReturnBlobRefsThatTheCallerReads() throws IOException {
    try (InProcessShell shell = new InProcessShell(store);
        RemoteRuntime runtime = RemoteRuntime.builder().blobStore(store).shell(shell).build()) {
      Blobs blobs = runtime.create(Blobs.class, BlobsImpl.class);
      BlobRef out = blobs.doubled(BlobRef.of(new byte[] {1, 2, 3}));
      assertThat(out.isLocal()).isFalse();
      try (InputStream in = out.open()) {
        assertThat(in.readAllBytes()).containsExactly(1, 2, 3, 1, 2, 3);
      }
      assertThat(Files.readAllBytes(out.path())).containsExactly(1, 2, 3, 1, 2, 3);
      // Passing a stored result on as an argument uploads nothing new.
      long before = store.casBytesUploaded.get();
      assertThat(blobs.countBytes(out)).isEqualTo(6);
      assertThat(store.casBytesUploaded).hasValue(before);
    }
  }

  @Test
  void worksAcrossProcessesWithTheLocalShell() throws IOException {
    Path input = file("big.bin", 1024 * 1024, 3);
    try (RemoteRuntime runtime = RemoteRuntime.builder().blobStore(store).shell(new LocalProcessShell()).build()) {
      Blobs blobs = runtime.create(Blobs.class, BlobsImpl.class);
      assertThat(blobs.describe(BlobRef.of(input))).startsWith("1048576:3:");
      assertThat(blobs.countBytes(BlobRef.of(input))).isEqualTo(1024 * 1024);
    }
    assertThat(BlobsImpl.EXECUTIONS).as("ran in child JVMs").hasValue(0);
    assertThat(store.casBytesUploaded).hasValue(1024 * 1024);
  }

  @Test
  void aFileChangedAfterHashingIsRefused() throws IOException {
    Path input = file("moving.bin", 1000, 1);
    BlobRef ref = BlobRef.of(input);
    Files.write(input, new byte[1001]);
    Files.setLastModifiedTime(input, FileTime.fromMillis(0));
    try (InProcessShell shell = new InProcessShell(store);
        RemoteRuntime runtime = RemoteRuntime.builder().blobStore(store).shell(shell).build()) {
      Blobs blobs = runtime.create(Blobs.class, BlobsImpl.class);
      assertThatThrownBy(() -> blobs.describe(ref))
          .hasMessageContaining("changed after it was hashed");
    }
    assertThat(BlobsImpl.EXECUTIONS).hasValue(0);
  }

  @Test
  void corruptStoredContentIsDetectedOnMaterialization() throws IOException {
    BlobRef local = BlobRef.of(new byte[] {9, 9, 9});
    local.uploadTo(store);
    store.put(local.casKey(), BlobContent.of(new byte[] {6, 6, 6}), null);
    BlobRef remote = BlobRef.stored(local.sha256(), 3, store);
    assertThatThrownBy(remote::path)
        .isInstanceOf(CorruptBlobException.class)
        .hasMessageContaining("does not match its address");
  }

  @Test
  void invalidInputsGiveClearErrors() {
    assertThatThrownBy(() -> BlobRef.of(dir)).hasMessageContaining("not a readable regular file");
    assertThatThrownBy(() -> BlobRef.stored("xyz", 1, store)).hasMessageContaining("Invalid SHA-256 'xyz'");
  }

  /** A real file store that counts the bytes written to the content-addressed area. */
  static final class CountingStore implements BlobStore {
    private final BlobStore delegate;
    final AtomicLong casBytesUploaded = new AtomicLong();

    CountingStore(BlobStore delegate) {
      this.delegate = delegate;
    }

    @Override
    public String root() {
      return delegate.root();
    }

    @Override
    public Optional<StoredBlob> get(String key) {
      return delegate.get(key);
    }

    @Override
    public Optional<String> putIfAbsent(String key, BlobContent content) {
      Optional<String> v = delegate.putIfAbsent(key, content);
      if (v.isPresent() && key.startsWith(BlobRef.CAS_PREFIX)) {
        casBytesUploaded.addAndGet(content.length());
      }
      return v;
    }

    @Override
    public String put(String key, BlobContent content, String expectedVersion) {
      return delegate.put(key, content, expectedVersion);
    }

    @Override
    public boolean exists(String key) {
      return delegate.exists(key);
    }

    @Override
    public List<String> list(String prefix) {
      return delegate.list(prefix);
    }

    @Override
    public boolean delete(String key) {
      return delegate.delete(key);
    }

    @Override
    public Map<String, String> remoteSettings() {
      return delegate.remoteSettings();
    }
  }
}
