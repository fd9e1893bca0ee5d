package io.pureremote.internal;

import java.io.DataInputStream;
import java.io.DataOutputStream;
import java.io.EOFException;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.util.zip.CRC32;

/**
 * The frame format of {@code pureremote-worker/1} over TCP (a worker in a pod, see docs/pools.md).
 *
 * <pre>
 * frame   = magic:int32 ("PRW1") length:int32 payload:byte[length] crc32(payload):int32   (big-endian)
 * request = &lt;pool token&gt; "\n" &lt;message&gt;     (UTF-8; the token on every request)
 * reply   = &lt;message&gt;
 * </pre>
 *
 * <p>A payload is at most {@value #MAX_PAYLOAD} bytes; a frame with another magic, a length outside
 * 1..{@value #MAX_PAYLOAD} or a wrong checksum is refused before its payload is looked at, so a
 * stray client (an HTTP probe, a port scanner) costs at most one small read. Messages are the
 * pipe protocol's lines ({@link Worker}) and never hold a line break.
 */
public final class WorkerFrames {
  /** "PRW1". */
  public static final int MAGIC = 0x50525731;

  /** Largest payload in bytes, either way: a memo URI and a token fit many times over. */
  public static final int MAX_PAYLOAD = 16 * 1024;

  /** Shortest token a worker accepts: 128 bits as base64url are 22 characters. */
  public static final int MIN_TOKEN_LENGTH = 22;

  private WorkerFrames() {}

  /** A frame that is not one: bad magic, length or checksum. The connection is not usable after it. */
  public static final class BadFrame extends IOException {
    private static final long serialVersionUID = 1L;

    BadFrame(String message) {
      super(message);
    }
  }

  /** Writes one frame (the caller synchronizes writers of one stream). */
  public static void write(DataOutputStream out, byte[] payload) throws IOException {
    if (payload.length < 1 || payload.length > MAX_PAYLOAD) {
      throw new IllegalArgumentException("a frame payload is 1.." + MAX_PAYLOAD + " bytes, got " + payload.length);
    }
    CRC32 crc = new CRC32();
    crc.update(payload);
    out.writeInt(MAGIC);
    out.writeInt(payload.length);
    out.write(payload);
    out.writeInt((int) crc.getValue());
    out.flush();
  }

  /** Writes a text message as one frame. */
  public static void writeText(DataOutputStream out, String message) throws IOException {
    write(out, message.getBytes(StandardCharsets.UTF_8));
  }

  /**
   * Reads one frame's payload; null at a clean end of the stream (before a frame starts).
   *
   * @throws BadFrame when the bytes are not a frame of this protocol
   */
  public static byte[] read(DataInputStream in) throws IOException {
    int magic;
    try {
      magic = in.readInt();
    } catch (EOFException e) {
      return null;
    }
    if (magic != MAGIC) {
      throw new BadFrame("not a " + Worker.PROTOCOL + " frame (magic 0x" + Integer.toHexString(magic) + ")");
    }
    int length = in.readInt();
    if (length < 1 || length > MAX_PAYLOAD) {
      throw new BadFrame("frame length " + length + " outside 1.." + MAX_PAYLOAD);
    }
    byte[] payload = in.readNBytes(length);
    if (payload.length != length) {
      throw new EOFException("the stream ended inside a frame");
    }
    int sum = in.readInt();
    CRC32 crc = new CRC32();
    crc.update(payload);
    if ((int) crc.getValue() != sum) {
      throw new BadFrame("frame checksum mismatch");
    }
    return payload;
  }

  /** The payload of a request: the token, a line break, the message. */
  public static byte[] request(byte[] token, String message) {
    byte[] text = message.getBytes(StandardCharsets.UTF_8);
    byte[] payload = new byte[token.length + 1 + text.length];
    System.arraycopy(token, 0, payload, 0, token.length);
    payload[token.length] = '\n';
    System.arraycopy(text, 0, payload, token.length + 1, text.length);
    return payload;
  }

  /** Why {@code token} cannot be a pool token, or null. Never quotes the token. */
  public static String tokenProblem(byte[] token) {
    if (token.length < MIN_TOKEN_LENGTH) {
      return "the pool token is " + token.length + " bytes; at least " + MIN_TOKEN_LENGTH + " are required";
    }
    if (token.length > 1024) {
      return "the pool token is " + token.length + " bytes; at most 1024 are allowed";
    }
    for (byte b : token) {
      if (b <= ' ' || b == 127) {
        return "the pool token holds a space, line break or control character";
      }
    }
    return null;
  }

  /**
   * Compares two tokens in time independent of where they differ and of their lengths (both are
   * hashed first, then compared with {@link MessageDigest#isEqual}).
   */
  public static boolean sameToken(byte[] expected, byte[] given) {
    return MessageDigest.isEqual(sha256(expected), sha256(given));
  }

  private static byte[] sha256(byte[] bytes) {
    return Sha256.of(bytes);
  }
}
