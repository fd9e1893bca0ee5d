package io.pureremote.cli;

import io.pureremote.BlobRef;
import io.pureremote.PureRemote;
import java.nio.charset.StandardCharsets;

/** A function whose result holds a BlobRef, for verify's missing-content case. */
public interface Attachments {
  @PureRemote(version = "1")
  BlobRef attach(String text);

  /** Stores {@code text} as content. */
  final class Impl implements Attachments {
    @Override
    public BlobRef attach(String text) {
      return BlobRef.of(text.getBytes(StandardCharsets.UTF_8));
    }
  }
}
