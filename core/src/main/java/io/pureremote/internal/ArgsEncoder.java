package io.pureremote.internal;

import io.pureremote.ArgumentKeyException;
import java.io.IOException;
import java.io.OutputStream;
import java.io.UncheckedIOException;
import java.security.MessageDigest;
import java.util.HexFormat;
import java.util.Objects;

/**
 * The arguments part of a memo key: a canonical, versioned binary encoding of the argument values,
 * hashed with SHA-256.
 *
 * <p>Equal values give equal keys on any JVM, whatever their insertion order or identity: every
 * {@code List} is one kind, every {@code Set} and {@code Map} is written in the order of its
 * elements' (keys') encodings, records by component, plain classes by field name, floating-point
 * numbers by their {@code equals} bits. Different values give different encodings: every value is
 * tagged and every sequence is length-prefixed; the class name is part of records, plain objects,
 * enums and object arrays. The format is described in {@link ArgsTag}.
 *
 * <p>A value that has no canonical encoding (a lambda, a stream, a thread, a local path, a JDK type
 * outside the supported set, a cycle, nesting deeper than 256) raises {@link ArgumentKeyException}
 * naming its type and its path, e.g. {@code args[1].features["x"]}. There is no fallback.
 *
 * <p>The encoding is streamed into the digest through a 64 KiB buffer, so hashing never holds the
 * whole encoding; only set elements and map keys are buffered, to be sorted. Thread-safe.
 */
public final class ArgsEncoder {
  /** Version of the encoding, written in its header. Bump it on any change to the bytes. */
  public static final int ENCODING_VERSION = 1;

  static final String MAGIC = "pureremote-args";

  private ArgsEncoder() {}

  /**
   * Lowercase hex SHA-256 of the canonical encoding of {@code args}: the memo key of a call.
   *
   * @param args the call's arguments; null is the empty array (what a proxy gets for no arguments)
   * @throws ArgumentKeyException if a value cannot be encoded
   */
  public static String hash(Object[] args) {
    MessageDigest digest = Sha256.digest();
    ArgsWriter w = ArgsWriter.draining(digest::update);
    try {
      new ArgsValueEncoder().writeArgs(w, args);
      w.flush();
    } catch (IOException e) {
      throw new UncheckedIOException(e); // a digest does not throw
    }
    return HexFormat.of().formatHex(digest.digest());
  }

  /**
   * Writes the canonical encoding of {@code args} to {@code out}, for tests and diagnostics; {@link
   * #hash} is the SHA-256 of these bytes. Does not close {@code out}.
   *
   * @throws ArgumentKeyException if a value cannot be encoded
   * @throws IOException if {@code out} fails
   */
  public static void encode(Object[] args, OutputStream out) throws IOException {
    Objects.requireNonNull(out, "out");
    ArgsWriter w = ArgsWriter.draining(out::write);
    new ArgsValueEncoder().writeArgs(w, args);
    w.flush();
  }
}
