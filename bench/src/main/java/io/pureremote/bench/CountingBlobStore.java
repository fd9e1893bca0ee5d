package io.pureremote.bench;

import io.pureremote.BlobRef;
import io.pureremote.spi.BlobStore.BlobContent;
import io.pureremote.spi.BlobStore;
import io.pureremote.spi.BlobStore.StoredBlob;
import io.pureremote.testing.ForwardingBlobStore;
import java.io.FilterInputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.TreeMap;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.LongAdder;

/**
 * A {@link BlobStore} decorator that delegates every method and counts requests by operation
 * ({@code get}, {@code putIfAbsent}, …) and the bytes written and read through it. {@code root}
 * and {@code uri} are not requests and are not counted. Thread-safe.
 */
public final class CountingBlobStore extends ForwardingBlobStore {
  private final ConcurrentHashMap<String, LongAdder> requests = new ConcurrentHashMap<>();
  private final LongAdder bytesWritten = new LongAdder();
  private final LongAdder casBytesWritten = new LongAdder();
  private final LongAdder bytesRead = new LongAdder();

  /** Counts the requests made to {@code delegate}; closing this store closes it. */
  public CountingBlobStore(BlobStore delegate) {
    super(delegate);
  }

  /** Requests of all operations since the last {@link #reset()}. */
  public long requests() {
    return requests.values().stream().mapToLong(LongAdder::sum).sum();
  }

  /** Requests of one operation, e.g. {@code get}. */
  public long requests(String operation) {
    LongAdder n = requests.get(operation);
    return n == null ? 0 : n.sum();
  }

  /** Requests by operation, sorted by name. */
  public Map<String, Long> snapshot() {
    Map<String, Long> m = new TreeMap<>();
    requests.forEach((k, v) -> m.put(k, v.sum()));
    return m;
  }

  /** Content bytes handed to the store by writes (every attempt a store makes is counted). */
  public long bytesWritten() {
    return bytesWritten.sum();
  }

  /** The part of {@link #bytesWritten()} that went to the content-addressed area (BlobRef uploads). */
  public long casBytesWritten() {
    return casBytesWritten.sum();
  }

  /** Bytes read from streams of blobs opened through this store. */
  public long bytesRead() {
    return bytesRead.sum();
  }

  /** Zeroes all counters. */
  public void reset() {
    requests.clear();
    bytesWritten.reset();
    casBytesWritten.reset();
    bytesRead.reset();
  }

  private void count(String operation) {
    requests.computeIfAbsent(operation, k -> new LongAdder()).increment();
  }

  @Override
  public Optional<StoredBlob> get(String key) {
    count("get");
    return super.get(key).map(CountedBlob::new);
  }

  @Override
  public Optional<byte[]> getBytes(String key) {
    count("getBytes");
    Optional<byte[]> bytes = super.getBytes(key);
    bytes.ifPresent(b -> bytesRead.add(b.length));
    return bytes;
  }

  @Override
  public Optional<String> putIfAbsent(String key, BlobContent content) {
    count("putIfAbsent");
    return super.putIfAbsent(key, counted(key, content));
  }

  @Override
  public String put(String key, BlobContent content, String expectedVersion) {
    count("put");
    return super.put(key, counted(key, content), expectedVersion);
  }

  @Override
  public boolean exists(String key) {
    count("exists");
    return super.exists(key);
  }

  @Override
  public List<String> list(String prefix) {
    count("list");
    return super.list(prefix);
  }

  @Override
  public boolean delete(String key) {
    count("delete");
    return super.delete(key);
  }

  @Override
  public String toString() {
    return "Counting(" + delegate() + ")";
  }

  private BlobContent counted(String key, BlobContent content) {
    LongAdder extra = key.startsWith(BlobRef.CAS_PREFIX) ? casBytesWritten : null;
    return new BlobContent() {
      @Override
      public long length() {
        return content.length();
      }

      @Override
      public InputStream open() throws IOException {
        return new CountingStream(content.open(), bytesWritten, extra);
      }

      @Override
      public boolean randomAccess() {
        return content.randomAccess();
      }

      @Override
      public InputStream open(long offset, long length) throws IOException {
        return new CountingStream(content.open(offset, length), bytesWritten, extra);
      }
    };
  }

  /** Counts what passes through; {@code also} may be null. */
  private static final class CountingStream extends FilterInputStream {
    private final LongAdder total;
    private final LongAdder also;

    CountingStream(InputStream in, LongAdder total, LongAdder also) {
      super(in);
      this.total = total;
      this.also = also;
    }

    private void add(long n) {
      if (n > 0) {
        total.add(n);
        if (also != null) {
          also.add(n);
        }
      }
    }

    @Override
    public int read() throws IOException {
      int b = super.read();
      add(b < 0 ? 0 : 1);
      return b;
    }

    @Override
    public int read(byte[] b, int off, int len) throws IOException {
      int n = super.read(b, off, len);
      add(n);
      return n;
    }

    /**
     * Passed on whole, so the store's copy keeps its fast path: a file stream's transferTo into a
     * file copies in the kernel, while FilterInputStream's default would copy through a 16 KiB
     * buffer on the heap, and the bench would time this counter instead of the store.
     */
    @Override
    public long transferTo(OutputStream out) throws IOException {
      long n = in.transferTo(out);
      add(n);
      return n;
    }

    @Override
    public long skip(long n) throws IOException {
      long skipped = super.skip(n);
      add(skipped);
      return skipped;
    }
  }

  private final class CountedBlob implements StoredBlob {
    private final StoredBlob blob;
    private InputStream stream;

    CountedBlob(StoredBlob blob) {
      this.blob = blob;
    }

    @Override
    public synchronized InputStream stream() {
      if (stream == null) {
        stream = new CountingStream(blob.stream(), bytesRead, null);
      }
      return stream;
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
  }
}
