package io.pureremote.testing;

import io.pureremote.spi.BlobStore.BlobContent;
import io.pureremote.spi.BlobStore;
import io.pureremote.spi.BlobStore.StoredBlob;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;

/**
 * A {@link BlobStore} that sends every call to another store: the base for decorators that count
 * requests, inject faults or add latency in tests. Override the methods to intercept and call
 * {@code super} to pass the call on.
 *
 * <p>Every method forwards, the {@code default} ones of {@link BlobStore} included ({@link
 * #uri(String)}, {@link #getBytes(String)}, {@link #remoteSettings()}, {@link #close()}), so a
 * decorator sees the store exactly as the pipeline uses it. Note that {@link #getBytes(String)}
 * forwards to the delegate's {@code getBytes}, not to this store's {@link #get(String)}: a
 * decorator that intercepts reads overrides both.
 *
 * <pre>{@code
 * final class SlowStore extends ForwardingBlobStore {
 *   SlowStore(BlobStore delegate) { super(delegate); }
 *
 *   @Override public Optional<StoredBlob> get(String key) {
 *     sleep(50);
 *     return super.get(key);
 *   }
 * }
 * }</pre>
 */
public abstract class ForwardingBlobStore implements BlobStore {
  private final BlobStore delegate;

  /** Forwards to {@code delegate}; closing this store closes it. */
  protected ForwardingBlobStore(BlobStore delegate) {
    this.delegate = Objects.requireNonNull(delegate, "delegate");
  }

  /** The store calls are forwarded to. */
  protected final BlobStore delegate() {
    return delegate;
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
  public Optional<byte[]> getBytes(String key) {
    return delegate.getBytes(key);
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
  public List<String> listPage(String prefix, String startAfter, int limit) {
    return delegate.listPage(prefix, startAfter, limit);
  }

  @Override
  public boolean delete(String key) {
    return delegate.delete(key);
  }

  @Override
  public Map<String, String> remoteSettings() {
    return delegate.remoteSettings();
  }

  @Override
  public void close() {
    delegate.close();
  }

  @Override
  public String toString() {
    return getClass().getSimpleName() + "[" + delegate + "]";
  }
}
