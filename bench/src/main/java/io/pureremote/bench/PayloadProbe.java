package io.pureremote.bench;

import io.pureremote.MemoEntry;
import io.pureremote.RemoteRuntime;
import io.pureremote.ShellException;
import io.pureremote.bench.fns.BenchFns;
import io.pureremote.bench.fns.BenchFnsImpl;
import io.pureremote.spi.BlobStore;
import io.pureremote.spi.BlobStore.BlobContent;
import io.pureremote.spi.BlobStore.StoredBlob;
import io.pureremote.spi.Shell;
import io.pureremote.spi.Shell.Launch;
import io.pureremote.spi.Shell.LaunchRequest;
import io.pureremote.spi.Shell.Outcome;
import io.pureremote.testing.ForwardingBlobStore;
import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.CompletableFuture;
import java.util.function.Consumer;

/**
 * A caller's miss up to its launch, seen from the store: what a user's call does with its
 * arguments, through the public API only ({@link RemoteRuntime}, a {@link BlobStore} decorator and
 * a {@link Shell}). The runtime's shell runs nothing, so a call ends right after its invocation is
 * written (with a {@link ShellException}, which {@link #call} expects).
 *
 * <p>The store times the <em>payload window</em>: from the end of the call's last store request
 * before its invocation (the lease it takes) to the moment the invocation's {@code put} arrives.
 * In between, the call serializes its arguments with Kryo, hashes them with SHA-256 and spools them
 * (in memory up to 64 MiB, then to a temporary file) so that the frame header can carry the
 * checksum. The store then reads the invocation blob to its end and counts it, outside the window;
 * it keeps it only when asked to ({@code keep}), for {@link #entry()}. The store is in memory:
 * what the probe sees is the call's own work, not a store's I/O.
 */
public final class PayloadProbe implements AutoCloseable {
  /** The pipeline id of the probe's calls. */
  public static final String PIPELINE = "bench-payload";

  private final ProbeStore store;
  private final RemoteRuntime runtime;
  private final BenchFns fns;

  /**
   * A probe over a store in memory (so the lease and lookups cost no file system or network I/O);
   * {@code keep} stores the invocations written.
   */
  public PayloadProbe(boolean keep) {
    this.store = new ProbeStore(new MemoryBlobStore(), keep);
    this.runtime = RemoteRuntime.builder().blobStore(store).shell(new NoRunShell()).pipelineId(PIPELINE).build();
    this.fns = runtime.create(BenchFns.class, BenchFnsImpl.class);
  }

  /** The functions to call: each call is a miss that ends after writing its invocation. */
  public BenchFns fns() {
    return fns;
  }

  /** What one call wrote: its payload window and the invocation blob's size. */
  public record Payload(long windowNanos, long invocationBytes) {
    /** The window in milliseconds. */
    public double windowMillis() {
      return windowNanos / 1_000_000.0;
    }
  }

  /**
   * Makes one call with {@code call} (e.g. {@code fns -> fns.length(values)}) and returns what the
   * store saw of its invocation.
   *
   * @throws IllegalStateException when the call wrote no invocation or ended otherwise than at the
   *     probe's shell
   */
  public Payload call(Consumer<BenchFns> call) {
    store.reset();
    try {
      call.accept(fns);
      throw new IllegalStateException("the probe's call returned a value: its shell runs nothing");
    } catch (ShellException expected) {
      if (!expected.getMessage().contains(NoRunShell.REASON)) {
        throw expected;
      }
    }
    Payload payload = store.payload;
    if (payload == null) {
      throw new IllegalStateException("the call wrote no invocation");
    }
    return payload;
  }

  /** The memo entry of the probe's last stored invocation (a probe made with {@code keep}). */
  public MemoEntry entry() {
    List<MemoEntry> entries = MemoEntry.all(store, PIPELINE);
    if (entries.isEmpty()) {
      throw new IllegalStateException("no stored invocation (a probe made with keep = false stores none)");
    }
    return entries.getLast();
  }

  @Override
  public void close() {
    runtime.close();
    store.close();
  }

  /** Times the payload window of each invocation write and counts (and keeps, or drops) its bytes. */
  private static final class ProbeStore extends ForwardingBlobStore {
    private final boolean keep;
    private volatile long lastRequestEnd;
    private volatile Payload payload;

    ProbeStore(BlobStore delegate, boolean keep) {
      super(delegate);
      this.keep = keep;
    }

    void reset() {
      payload = null;
      lastRequestEnd = System.nanoTime();
    }

    @Override
    public Optional<StoredBlob> get(String key) {
      try {
        return super.get(key);
      } finally {
        lastRequestEnd = System.nanoTime();
      }
    }

    @Override
    public Optional<byte[]> getBytes(String key) {
      try {
        return super.getBytes(key);
      } finally {
        lastRequestEnd = System.nanoTime();
      }
    }

    @Override
    public boolean exists(String key) {
      try {
        return super.exists(key);
      } finally {
        lastRequestEnd = System.nanoTime();
      }
    }

    @Override
    public boolean delete(String key) {
      try {
        return super.delete(key);
      } finally {
        lastRequestEnd = System.nanoTime();
      }
    }

    @Override
    public Optional<String> putIfAbsent(String key, BlobContent content) {
      try {
        return super.putIfAbsent(key, content);
      } finally {
        lastRequestEnd = System.nanoTime();
      }
    }

    @Override
    public String put(String key, BlobContent content, String expectedVersion) {
      long arrived = System.nanoTime();
      try {
        if (!key.endsWith("/invocation")) {
          return super.put(key, content, expectedVersion);
        }
        long window = arrived - lastRequestEnd;
        payload = new Payload(window, drain(content));
        return keep ? super.put(key, content, expectedVersion) : "discarded-" + arrived;
      } finally {
        lastRequestEnd = System.nanoTime();
      }
    }

    private static long drain(BlobContent content) {
      byte[] buffer = new byte[1 << 16];
      long n = 0;
      try (InputStream in = content.open()) {
        for (int r; (r = in.read(buffer)) >= 0; ) {
          n += r;
        }
      } catch (IOException e) {
        throw new UncheckedIOException(e);
      }
      return n;
    }
  }

  /** A shell that runs nothing: each launch ends at once, and the call with a {@link ShellException}. */
  private static final class NoRunShell implements Shell {
    static final String REASON = "ProbeRunsNothing";

    @Override
    public String name() {
      return "payload-probe";
    }

    @Override
    public Launch launch(LaunchRequest request) {
      CompletableFuture<Outcome> done =
          CompletableFuture.completedFuture(new Outcome(REASON, null, "the bench's payload probe runs no call"));
      return new Launch() {
        @Override
        public CompletableFuture<Outcome> completion() {
          return done;
        }

        @Override
        public void cancel() {}

        @Override
        public String description() {
          return "not run";
        }
      };
    }
  }
}
