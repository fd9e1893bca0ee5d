package io.pureremote.internal;

import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.HexFormat;

/**
 * SHA-256, the one hash of keys, frames, content and lock names: a new digest per use, cloned from
 * a prototype. {@code MessageDigest.getInstance} looks the algorithm up among the security
 * providers every time, which cost a small call more than hashing its bytes.
 */
final class Sha256 {
  private static final MessageDigest PROTOTYPE = lookUp();

  private Sha256() {}

  /** A fresh SHA-256 digest. */
  static MessageDigest digest() {
    try {
      return (MessageDigest) PROTOTYPE.clone();
    } catch (CloneNotSupportedException e) {
      return lookUp(); // a provider whose digest cannot be cloned
    }
  }

  /** The SHA-256 of {@code bytes}. */
  static byte[] of(byte[] bytes) {
    return digest().digest(bytes);
  }

  /** The SHA-256 of {@code bytes}, lowercase hex. */
  static String hex(byte[] bytes) {
    return HexFormat.of().formatHex(of(bytes));
  }

  private static MessageDigest lookUp() {
    try {
      return MessageDigest.getInstance("SHA-256");
    } catch (NoSuchAlgorithmException e) {
      throw new IllegalStateException("SHA-256 is required on every Java platform", e);
    }
  }
}
