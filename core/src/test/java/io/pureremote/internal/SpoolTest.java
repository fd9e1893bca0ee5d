package io.pureremote.internal;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.io.IOException;
import java.io.InputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.MessageDigest;
import java.util.HexFormat;
import java.util.Random;
import org.junit.jupiter.api.Test;

/** The payload spool: same bytes and checksum back, in memory or spilled to a file, never lost. */
class SpoolTest {
  private static byte[] random(int size) {
    byte[] bytes = new byte[size];
    new Random(size).nextBytes(bytes);
    return bytes;
  }

  private static String sha256(byte[] bytes) throws Exception {
    return HexFormat.of().formatHex(MessageDigest.getInstance("SHA-256").digest(bytes));
  }

  private static byte[] read(Spool spool) throws IOException {
    try (InputStream in = spool.open()) {
      return in.readAllBytes();
    }
  }

  /** Writes in uneven slices, single bytes included, so chunk boundaries fall mid-write. */
  private static void writeInSlices(Spool spool, byte[] bytes) {
    int at = 0;
    int slice = 1;
    while (at < bytes.length) {
      int n = Math.min(slice, bytes.length - at);
      if (n == 1) {
        spool.write(bytes[at]);
      } else {
        spool.write(bytes, at, n);
      }
      at += n;
      slice = slice * 3 + 7;
    }
  }

  @Test
  void keepsSmallPayloadsInMemoryAcrossChunkBoundaries() throws Exception {
    byte[] bytes = random((5 << 20) / 2); // through the growing chunks into several 1 MiB ones
    try (Spool spool = new Spool(64L << 20)) {
      writeInSlices(spool, bytes);
      spool.finish();
      assertThat(spool.spilled()).isFalse();
      assertThat(spool.length()).isEqualTo(bytes.length);
      assertThat(spool.sha256Hex()).isEqualTo(sha256(bytes));
      assertThat(read(spool)).isEqualTo(bytes);
      assertThat(read(spool)).as("readable again, for store retries").isEqualTo(bytes);
    }
  }

  @Test
  void spillsToATemporaryFilePastTheLimitAndDeletesItOnClose() throws Exception {
    byte[] bytes = random(300_000);
    Path file;
    try (Spool spool = new Spool(100_000)) {
      writeInSlices(spool, bytes);
      spool.finish();
      assertThat(spool.spilled()).isTrue();
      file = spool.file();
      assertThat(file).exists().hasSize(bytes.length);
      assertThat(spool.sha256Hex()).isEqualTo(sha256(bytes));
      assertThat(read(spool)).isEqualTo(bytes);
      assertThat(spool.toByteArray()).isEqualTo(bytes);
    }
    assertThat(Files.exists(file)).isFalse();
  }

  @Test
  void anEmptySpoolHasTheEmptyChecksum() throws Exception {
    try (Spool spool = new Spool()) {
      spool.finish();
      assertThat(spool.length()).isZero();
      assertThat(spool.sha256Hex()).isEqualTo(sha256(new byte[0]));
      assertThat(read(spool)).isEmpty();
    }
  }

  @Test
  void contentPutsThePrefixFirstAndCountsIt() throws Exception {
    byte[] bytes = random(5000);
    try (Spool spool = Spool.of(bytes)) {
      var content = spool.content(new byte[] {1, 2, 3});
      assertThat(content.length()).isEqualTo(5003);
      try (InputStream in = content.open()) {
        byte[] all = in.readAllBytes();
        assertThat(all).startsWith(1, 2, 3).hasSize(5003);
        assertThat(java.util.Arrays.copyOfRange(all, 3, all.length)).isEqualTo(bytes);
      }
    }
  }

  @Test
  void misuseIsRefused() {
    try (Spool spool = new Spool()) {
      assertThatThrownBy(spool::sha256Hex).isInstanceOf(IllegalStateException.class).hasMessage("spool not finished");
      assertThatThrownBy(spool::open).isInstanceOf(IllegalStateException.class).hasMessage("spool not finished");
      spool.finish();
      assertThatThrownBy(() -> spool.write(1)).isInstanceOf(IllegalStateException.class).hasMessage("spool already finished");
    }
  }
}
