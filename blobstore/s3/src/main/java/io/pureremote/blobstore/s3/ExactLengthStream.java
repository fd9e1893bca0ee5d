package io.pureremote.blobstore.s3;

import java.io.FilterInputStream;
import java.io.IOException;
import java.io.InputStream;

/**
 * Passes through exactly {@code length} bytes and fails when the underlying stream has fewer or
 * more, so a {@link io.pureremote.spi.BlobStore.BlobContent} that lies about its length fails the upload
 * instead of storing a truncated blob.
 */
final class ExactLengthStream extends FilterInputStream {
  private final long length;
  private long remaining;
  private boolean endChecked;

  ExactLengthStream(InputStream in, long length) {
    super(in);
    this.length = length;
    this.remaining = length;
  }

  @Override
  public int read() throws IOException {
    if (remaining == 0) {
      checkEnd();
      return -1;
    }
    int b = in.read();
    if (b < 0) {
      throw tooShort();
    }
    remaining--;
    if (remaining == 0) {
      checkEnd();
    }
    return b;
  }

  @Override
  public int read(byte[] b, int off, int len) throws IOException {
    if (len == 0) {
      return 0;
    }
    if (remaining == 0) {
      checkEnd();
      return -1;
    }
    int n = in.read(b, off, (int) Math.min(len, remaining));
    if (n < 0) {
      throw tooShort();
    }
    remaining -= n;
    if (remaining == 0) {
      checkEnd();
    }
    return n;
  }

  @Override
  public long skip(long n) throws IOException {
    // Through read, so the count stays right.
    byte[] buffer = new byte[(int) Math.min(8192, Math.max(n, 1))];
    long skipped = 0;
    while (skipped < n) {
      int r = read(buffer, 0, (int) Math.min(buffer.length, n - skipped));
      if (r < 0) {
        break;
      }
      skipped += r;
    }
    return skipped;
  }

  @Override
  public int available() throws IOException {
    return (int) Math.min(in.available(), remaining);
  }

  @Override
  public boolean markSupported() {
    return false;
  }

  @Override
  public synchronized void mark(int readlimit) {}

  @Override
  public synchronized void reset() throws IOException {
    throw new IOException("mark/reset not supported");
  }

  private void checkEnd() throws IOException {
    if (!endChecked) {
      endChecked = true;
      if (in.read() >= 0) {
        throw new ContentLengthMismatch("the content yielded more than its declared length of " + length + " bytes");
      }
    }
  }

  private ContentLengthMismatch tooShort() {
    return new ContentLengthMismatch(
        "the content yielded " + (length - remaining) + " bytes, less than its declared length of " + length);
  }
}
