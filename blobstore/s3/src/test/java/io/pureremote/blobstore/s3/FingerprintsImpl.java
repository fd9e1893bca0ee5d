package io.pureremote.blobstore.s3;

import static java.nio.charset.StandardCharsets.UTF_8;

import io.pureremote.BlobRef;
import java.io.ByteArrayInputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.HexFormat;

/** Runs in the child JVM; instantiated there by name. */
public class FingerprintsImpl implements Fingerprints {
  /** Created by name on the remote side. */
  public FingerprintsImpl() {}

  @Override
  public Fingerprint ofText(String text) {
    return digest(new ByteArrayInputStream(text.getBytes(UTF_8)), 1024);
  }

  @Override
  public Fingerprint viaPath(BlobRef data) {
    try {
      return digest(Files.newInputStream(data.path()), 1 << 16);
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }

  @Override
  public Fingerprint viaStream(BlobRef data, int bufferSize) {
    try {
      return digest(data.open(), bufferSize);
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }

  /** Reads {@code in} to its end and closes it. */
  static Fingerprint digest(InputStream in, int bufferSize) {
    MessageDigest md;
    try {
      md = MessageDigest.getInstance("SHA-256");
    } catch (NoSuchAlgorithmException e) {
      throw new IllegalStateException(e);
    }
    long bytes = 0;
    try (in) {
      byte[] buffer = new byte[bufferSize];
      for (int n; (n = in.read(buffer)) >= 0; ) {
        md.update(buffer, 0, n);
        bytes += n;
      }
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
    return new Fingerprint(bytes, HexFormat.of().formatHex(md.digest()));
  }
}
