package io.pureremote.internal;

import java.io.ByteArrayOutputStream;
import java.io.OutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;

/**
 * Tees this process's stdout and stderr into a bounded buffer (the last {@code limit} bytes), so
 * the remote side can store its own log beside the memo entry even when nobody follows the pod.
 */
public final class LogCapture {
  private final byte[] ring;
  private long written;

  private LogCapture(int limit) {
    this.ring = new byte[limit];
  }

  /**
   * A capture that nothing writes to until {@link #write} is called: the worker mode keeps one per
   * call and routes each thread's output to the capture of the call it runs.
   */
  public static LogCapture buffer(int limit) {
    return new LogCapture(limit);
  }

  /** Appends {@code len} bytes of {@code b} from {@code off}. */
  public void write(byte[] b, int off, int len) {
    append(b, off, len);
  }

  /** Starts capturing {@code System.out} and {@code System.err}; they still print as before. */
  public static LogCapture install(int limit) {
    LogCapture capture = new LogCapture(limit);
    System.setOut(new PrintStream(capture.tee(System.out), true, StandardCharsets.UTF_8));
    System.setErr(new PrintStream(capture.tee(System.err), true, StandardCharsets.UTF_8));
    return capture;
  }

  private OutputStream tee(PrintStream original) {
    return new OutputStream() {
      @Override
      public void write(int b) {
        original.write(b);
        append(new byte[] {(byte) b}, 0, 1);
      }

      @Override
      public void write(byte[] b, int off, int len) {
        original.write(b, off, len);
        append(b, off, len);
      }

      @Override
      public void flush() {
        original.flush();
      }
    };
  }

  private synchronized void append(byte[] b, int off, int len) {
    for (int i = 0; i < len; i++) {
      ring[(int) (written++ % ring.length)] = b[off + i];
    }
  }

  /** The captured bytes, oldest first; prefixed by a note when older output was dropped. */
  public synchronized byte[] snapshot() {
    ByteArrayOutputStream out = new ByteArrayOutputStream();
    if (written > ring.length) {
      out.writeBytes(("[... " + (written - ring.length) + " earlier bytes dropped ...]\n").getBytes(StandardCharsets.UTF_8));
      int start = (int) (written % ring.length);
      out.write(ring, start, ring.length - start);
      out.write(ring, 0, start);
    } else {
      out.write(ring, 0, (int) written);
    }
    return out.toByteArray();
  }
}
