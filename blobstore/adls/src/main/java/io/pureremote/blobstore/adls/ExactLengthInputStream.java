package io.pureremote.blobstore.adls;

import java.io.IOException;
import java.io.InputStream;

/**
 * Passes on exactly {@code length} bytes and fails when the underlying stream yields fewer or more,
 * so content that does not match its declared length aborts the upload instead of committing a
 * truncated blob. Every failure of the content itself surfaces as {@link ContentException}, which
 * tells it from network errors once the SDK has wrapped it.
 */
final class ExactLengthInputStream extends InputStream {
  private final InputStream in;
  private final long length;
  private long remaining;

  ExactLengthInputStream(InputStream in, long length) {
    this.in = in;
    this.length = length;
    this.remaining = length;
  }

  @Override
  public int read() throws IOException {
    byte[] one = new byte[1];
    return read(one, 0, 1) < 0 ? -1 : one[0] & 0xFF;
  }

  @Override
  public int read(byte[] b, int off, int len) throws IOException {
    if (len == 0) {
      return 0;
    }
    try {
      if (remaining == 0) {
        if (in.read() >= 0) {
          throw new ContentException("content yielded more bytes than declared, expected " + length, null);
        }
        return -1;
      }
      int n = in.read(b, off, (int) Math.min(len, remaining));
      if (n < 0) {
        throw new ContentException("content yielded " + (length - remaining) + " bytes, expected " + length, null);
      }
      remaining -= n;
      return n;
    } catch (ContentException e) {
      throw e;
    } catch (IOException e) {
      throw new ContentException("reading the content failed: " + e, e);
    }
  }

  /** The content to upload could not be read or did not match its length: not retryable. */
  static final class ContentException extends IOException {
    private static final long serialVersionUID = 1L;

    ContentException(String message, Throwable cause) {
      super(message, cause);
    }
  }

  @Override
  public void close() throws IOException {
    in.close();
  }
}
