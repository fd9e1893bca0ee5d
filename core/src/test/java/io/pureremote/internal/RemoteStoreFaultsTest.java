package io.pureremote.internal;

import static org.assertj.core.api.Assertions.assertThat;

import com.example.fns.Calc;
import com.example.fns.CalcImpl;
import io.pureremote.BlobStoreException;
import io.pureremote.FunctionId;
import io.pureremote.Keys;
import io.pureremote.MemoEntry;
import io.pureremote.RemoteRuntime;
import io.pureremote.spi.BlobStore;
import io.pureremote.spi.BlobStore.BlobContent;
import io.pureremote.spi.BlobStore.StoredBlob;
import io.pureremote.spi.Shell;
import io.pureremote.spi.Shell.Launch;
import io.pureremote.spi.Shell.LaunchRequest;
import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.function.Predicate;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The remote side survives transient faults of its own store requests the way the caller does
 * (issue 18): a stream of the invocation that breaks part-way is read again, a commit that failed
 * is sent again, and a commit whose answer was lost is confirmed by reading the blob back, never
 * counted blindly. Faults are injected once per blob by a decorator over a real file store; before
 * these retries each of these runs exited 70 without a run record saying it succeeded.
 */
class RemoteStoreFaultsTest {
  @TempDir Path dir;
  FileBlobStore real;

  @BeforeEach
  void setUp() {
    real = new FileBlobStore(dir);
    CalcImpl.EXECUTIONS.set(0);
  }

  private long square(BlobStore store, long x) {
    try (InProcessShell shell = new InProcessShell(store);
        RemoteRuntime runtime = RemoteRuntime.builder().blobStore(store).shell(shell).pipelineId("t").build()) {
      return runtime.create(Calc.class, CalcImpl.class).square(x);
    }
  }

  /**
   * {@link #square} through a shell the pipeline does not know to run in its JVM (a decorator of
   * the in-process shell), so the run reads the invocation from the store as a remote process does
   * instead of being handed it in memory.
   */
  private long squareReadingTheInvocation(BlobStore store, long x) {
    try (InProcessShell inProcess = new InProcessShell(store);
        RemoteRuntime runtime = RemoteRuntime.builder().blobStore(store).shell(new Shell() {
          @Override
          public String name() {
            return "remote-like";
          }

          @Override
          public Launch launch(LaunchRequest request) {
            return inProcess.launch(request);
          }
        }).pipelineId("t").build()) {
      return runtime.create(Calc.class, CalcImpl.class).square(x);
    }
  }

  private List<String> runStatuses(long x) {
    MemoEntry entry = MemoEntry.of(real, "t", new FunctionId("com.example.Calc.square", "1"), Keys.argsHash(x));
    return entry.runs().stream().map(MemoEntry.Run::status).toList();
  }

  @Test
  void anInvocationStreamThatBreaksPartWayIsReadAgain() {
    Faults store = new Faults(real, key -> key.endsWith("/invocation")) {
      @Override
      public Optional<StoredBlob> get(String key) {
        Optional<StoredBlob> blob = super.get(key);
        return blob.isPresent() && once("get", key) ? Optional.of(breakingAfter(blob.get(), 20)) : blob;
      }
    };
    assertThat(squareReadingTheInvocation(store, 6)).isEqualTo(36);
    assertThat(store.injected).containsExactly("get invocation");
    assertThat(CalcImpl.EXECUTIONS.get()).isEqualTo(1);
    assertThat(runStatuses(6)).containsExactly("succeeded");
  }

  @Test
  void aResultCommitThatFailedIsSentAgain() {
    Faults store = new Faults(real, key -> key.endsWith("/result")) {
      @Override
      public Optional<String> putIfAbsent(String key, BlobContent content) {
        if (once("putIfAbsent", key)) {
          throw new BlobStoreException(uri(key), "Connection reset (injected before the write)", null, true);
        }
        return super.putIfAbsent(key, content);
      }
    };
    assertThat(square(store, 7)).isEqualTo(49);
    assertThat(store.injected).containsExactly("putIfAbsent result");
    assertThat(CalcImpl.EXECUTIONS.get()).isEqualTo(1);
    assertThat(runStatuses(7)).containsExactly("succeeded");
  }

  @Test
  void aResultCommitWhoseAnswerWasLostIsConfirmedByReadingItBack() {
    Faults store = new Faults(real, key -> key.endsWith("/result")) {
      @Override
      public Optional<String> putIfAbsent(String key, BlobContent content) {
        Optional<String> created = super.putIfAbsent(key, content);
        if (once("putIfAbsent", key)) {
          throw new BlobStoreException(uri(key), "Connection reset (injected after the write)", null, true);
        }
        return created;
      }
    };
    assertThat(square(store, 8)).isEqualTo(64);
    assertThat(CalcImpl.EXECUTIONS.get()).isEqualTo(1);
    // Sent again, the create would have found the blob and said "lost-race": read back, it is this run's.
    assertThat(runStatuses(8)).containsExactly("succeeded");
  }

  @Test
  void aCommitWhoseAnswerWasLostToAnotherWriterKeepsTheirsAndSaysSo() {
    Faults store = new Faults(real, key -> key.endsWith("/other")) {
      @Override
      public Optional<String> putIfAbsent(String key, BlobContent content) {
        if (once("putIfAbsent", key)) {
          // Another writer's create lands while ours fails: ours was never written.
          super.putIfAbsent(key, BlobContent.of("theirs".getBytes(StandardCharsets.UTF_8)));
          throw new BlobStoreException(uri(key), "Connection reset (injected)", null, true);
        }
        return super.putIfAbsent(key, content);
      }
    };
    BlobContent ours = BlobContent.of("ours".getBytes(StandardCharsets.UTF_8));
    assertThat(RemoteStoreRetries.commit(store, "a/other", ours)).isEqualTo(RemoteStoreRetries.Commit.LOST);
    assertThat(new String(real.getBytes("a/other").orElseThrow(), StandardCharsets.UTF_8)).isEqualTo("theirs");
    assertThat(RemoteStoreRetries.commit(store, "a/other", ours)).isEqualTo(RemoteStoreRetries.Commit.LOST);
  }

  @Test
  void aFailureThatIsNotTransientIsNotTriedAgain() {
    Faults store = new Faults(real, key -> true) {
      @Override
      public Optional<String> putIfAbsent(String key, BlobContent content) {
        injected.add("putIfAbsent " + key);
        throw new BlobStoreException(uri(key), "Access denied (injected)", null, false);
      }
    };
    BlobContent ours = BlobContent.of(new byte[] {1});
    org.assertj.core.api.Assertions.assertThatThrownBy(() -> RemoteStoreRetries.commit(store, "b/x", ours))
        .isInstanceOf(BlobStoreException.class).hasMessageContaining("Access denied");
    assertThat(store.injected).hasSize(1);
  }

  @Test
  void aRunRecordThatCannotBeWrittenAfterTheCommitLeavesTheRunSucceeded() {
    Faults store = new Faults(real, key -> key.contains("/runs/")) {
      @Override
      public Optional<String> putIfAbsent(String key, BlobContent content) {
        if (key.contains("/runs/")) {
          injected.add("putIfAbsent run record");
          throw new BlobStoreException(uri(key), "Service unavailable (injected, every time)", null, true);
        }
        return super.putIfAbsent(key, content);
      }
    };
    MemoKey key = new MemoKey("t", new FunctionId("com.example.Calc.square", "1"), Keys.argsHash(9L));
    // The remote alone: the caller's part (invocation, lease) done by a clean run first.
    assertThat(square(real, 9)).isEqualTo(81);
    real.delete(key.key(MemoKey.RESULT));
    real.delete(key.key(Leases.LEASE));
    for (String run : real.list(key.key(MemoKey.RUNS) + "/")) {
      real.delete(run);
    }
    int exit = new RemoteExecutor(store, getClass().getClassLoader()).run(key);
    assertThat(exit).isEqualTo(RemoteExecutor.EXIT_OK);
    assertThat(real.exists(key.key(MemoKey.RESULT))).isTrue();
    assertThat(store.injected).hasSize(RemoteStoreRetries.ATTEMPTS);
  }

  /** A real store whose chosen requests fail once per key; {@link #injected} lists what was broken. */
  private abstract static class Faults implements BlobStore {
    final BlobStore delegate;
    final Predicate<String> target;
    final Set<String> broken = ConcurrentHashMap.newKeySet();
    final List<String> injected = new java.util.concurrent.CopyOnWriteArrayList<>();

    Faults(BlobStore delegate, Predicate<String> target) {
      this.delegate = delegate;
      this.target = target;
    }

    /** True the first time {@code request} meets a targeted key: break this request. */
    boolean once(String request, String key) {
      if (!target.test(key) || !broken.add(request + " " + key)) {
        return false;
      }
      injected.add(request + " " + key.substring(key.lastIndexOf('/') + 1));
      return true;
    }

    /** {@code blob} whose stream fails with a connection reset after {@code bytes} bytes. */
    static StoredBlob breakingAfter(StoredBlob blob, int bytes) {
      InputStream in = blob.stream();
      InputStream breaking = new InputStream() {
        int read;

        @Override
        public int read() throws IOException {
          if (read >= bytes) {
            throw new java.net.SocketException("Connection reset (injected)");
          }
          read++;
          return in.read();
        }
      };
      return new StoredBlob() {
        @Override
        public InputStream stream() {
          return breaking;
        }

        @Override
        public long size() {
          return blob.size();
        }

        @Override
        public String version() {
          return blob.version();
        }

        @Override
        public void close() {
          blob.close();
        }
      };
    }

    @Override
    public String root() {
      return delegate.root();
    }

    @Override
    public String uri(String key) {
      return delegate.uri(key);
    }

    @Override
    public Optional<StoredBlob> get(String key) {
      return delegate.get(key);
    }

    @Override
    public Optional<String> putIfAbsent(String key, BlobContent content) {
      return delegate.putIfAbsent(key, content);
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
