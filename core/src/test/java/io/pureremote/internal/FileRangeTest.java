package io.pureremote.internal;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.pureremote.spi.BlobStore.BlobContent;
import java.io.IOException;
import java.io.InputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Arrays;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** Ranges of a file's content, as S3's parallel part uploads read them. */
class FileRangeTest {
  @TempDir Path dir;

  private static byte[] bytes(int n) {
    byte[] b = new byte[n];
    for (int i = 0; i < n; i++) {
      b[i] = (byte) (i * 31 + 7);
    }
    return b;
  }

  @Test
  void rangesOfAFileAreIndependentAndExact() throws IOException {
    byte[] data = bytes(100_000);
    BlobContent content = BlobContent.of(Files.write(dir.resolve("f"), data));
    assertThat(content.randomAccess()).isTrue();
    try (InputStream first = content.open(0, 60_000); InputStream second = content.open(60_000, 40_000)) {
      byte[] a = first.readNBytes(1_000);
      byte[] b = second.readAllBytes(); // read the second while the first is half way
      byte[] rest = first.readAllBytes();
      assertThat(b).isEqualTo(Arrays.copyOfRange(data, 60_000, 100_000));
      assertThat(a).isEqualTo(Arrays.copyOfRange(data, 0, 1_000));
      assertThat(rest).isEqualTo(Arrays.copyOfRange(data, 1_000, 60_000));
    }
    try (InputStream middle = content.open(12_345, 7)) {
      assertThat(middle.skip(2)).isEqualTo(2);
      assertThat(middle.read()).isEqualTo(data[12_347] & 0xff);
      assertThat(middle.readAllBytes()).isEqualTo(Arrays.copyOfRange(data, 12_348, 12_352));
      assertThat(middle.read()).isEqualTo(-1);
    }
  }

  @Test
  void aRangePastTheEndOfTheFileEndsWhereTheFileDoes() throws IOException {
    byte[] data = bytes(1_000);
    BlobContent content = BlobContent.of(Files.write(dir.resolve("f"), data));
    try (InputStream in = content.open(900, 500)) {
      assertThat(in.readAllBytes()).isEqualTo(Arrays.copyOfRange(data, 900, 1_000));
    }
  }

  @Test
  void contentInMemoryIsNotRandomAccessAndSaysSo() {
    BlobContent content = BlobContent.of(bytes(10));
    assertThat(content.randomAccess()).isFalse();
    assertThatThrownBy(() -> content.open(2, 3)).isInstanceOf(UnsupportedOperationException.class)
        .hasMessageContaining("only be read from its start");
  }
}
