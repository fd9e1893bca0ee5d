package io.pureremote.internal;

import java.io.IOException;
import java.io.InputStream;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;

/**
 * Up to {@code length} bytes of a file from {@code offset}, read with positional reads on a
 * channel of its own, so several ranges of one file can be read at once. It ends early where the
 * file does; readers that expect the whole range check the count (S3's uploads do).
 */
public final class FileRange extends InputStream {
  private final FileChannel channel;
  private final long end;
  private long position;

  private FileRange(FileChannel channel, long offset, long length) {
    this.channel = channel;
    this.position = offset;
    this.end = offset + length;
  }

  /** Opens {@code length} bytes of {@code file} from {@code offset}. */
  public static InputStream open(Path file, long offset, long length) throws IOException {
    if (offset < 0 || length < 0) {
      throw new IllegalArgumentException("offset and length must be >= 0, got " + offset + " and " + length);
    }
    return new FileRange(FileChannel.open(file, StandardOpenOption.READ), offset, length);
  }

  @Override
  public int read() throws IOException {
    byte[] one = new byte[1];
    return read(one, 0, 1) < 0 ? -1 : one[0] & 0xff;
  }

  @Override
  public int read(byte[] b, int off, int len) throws IOException {
    if (len == 0) {
      return 0;
    }
    if (position >= end) {
      return -1;
    }
    int n = channel.read(ByteBuffer.wrap(b, off, (int) Math.min(len, end - position)), position);
    if (n > 0) {
      position += n;
    }
    return n;
  }

  @Override
  public long skip(long n) {
    long skipped = Math.max(0, Math.min(n, end - position));
    position += skipped;
    return skipped;
  }

  @Override
  public int available() {
    return (int) Math.min(Integer.MAX_VALUE, end - position);
  }

  @Override
  public void close() throws IOException {
    channel.close();
  }
}
