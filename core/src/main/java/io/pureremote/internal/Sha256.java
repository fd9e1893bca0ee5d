package io.pureremote.internal;

import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;

/**
 * New SHA-256 digests, cloned from one prototype: {@code MessageDigest.getInstance} looks the
 * provider up on every call, a cost a memo hit would pay for its key and again for its checksum.
 */
final class Sha256 {
  private static final MessageDigest PROTOTYPE = lookUp();

  private Sha256() {}

  /** A fresh SHA-256 digest. */
  static MessageDigest newDigest() {
    try {
      return (MessageDigest) PROTOTYPE.clone();
    } catch (CloneNotSupportedException e) {
      return lookUp(); // a provider whose digests cannot be cloned
    }
  }

  private static MessageDigest lookUp() {
    try {
      return MessageDigest.getInstance("SHA-256");
    } catch (NoSuchAlgorithmException e) {
      throw new IllegalStateException("SHA-256 is required on every Java platform", e);
    }
  }
}
