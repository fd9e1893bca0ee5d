package io.pureremote;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.example.fns.Calc;
import com.example.fns.CalcImpl;
import io.pureremote.internal.BlobFrame;
import io.pureremote.internal.KryoCodec;
import io.pureremote.internal.FileBlobStore;
import io.pureremote.internal.InProcessShell;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** A result blob written by someone hostile to the store must not crash the reader (issue 18, defect 1). */
class HostilePayloadTest {
  @TempDir Path dir;
  FileBlobStore store;
  InProcessShell shell;
  RemoteRuntime runtime;
  Calc calc;

  @BeforeEach
  void setUp() {
    store = new FileBlobStore(dir);
    shell = new InProcessShell(store);
    runtime = RemoteRuntime.builder().blobStore(store).shell(shell).pipelineId("test").build();
    calc = runtime.create(Calc.class, CalcImpl.class);
  }

  @AfterEach
  void tearDown() {
    runtime.close();
    shell.close();
  }

  /**
   * The Kryo bytes of an {@code ArrayList} holding one string, with its size field rewritten to
   * declare 2^31-2 elements: a few bytes that made Kryo allocate an array of 2^31-2 references.
   */
  static byte[] hugeArrayList() {
    KryoCodec codec = new KryoCodec(List.of(), HostilePayloadTest.class.getClassLoader());
    byte[] one = codec.write(new ArrayList<>(List.of("x")));
    byte[] two = codec.write(new ArrayList<>(List.of("x", "x")));
    int at = 0;
    while (one[at] == two[at]) {
      at++;
    }
    // Kryo writes the size plus one as a flagged varint (bit 7 a flag it keeps, bit 6 "more", six
    // bits of value, then 7-bit groups); 0x7FFFFFFF declares 2^31-2 elements.
    byte[] crafted = new byte[one.length + 4];
    System.arraycopy(one, 0, crafted, 0, at);
    byte[] size = {(byte) ((one[at] & 0x80) | 0x7F), (byte) 0xFF, (byte) 0xFF, (byte) 0xFF, 0x0F};
    System.arraycopy(size, 0, crafted, at, size.length);
    System.arraycopy(one, at + 1, crafted, at + size.length, one.length - at - 1);
    return crafted;
  }

  @Test
  void aResultDeclaringTwoBillionElementsIsRefusedNamingTheBlob() throws Exception {
    calc.echo("x");
    String resultKey = store.list("pureremote/v1/test/").stream()
        .filter(k -> k.endsWith("/result")).findFirst().orElseThrow();
    byte[] payload = hugeArrayList();
    byte[] frame = BlobFrame.of(BlobFrame.KRYO, Map.of(), payload).toBytes();
    assertThat(frame.length - payload.length).as("frame overhead").isPositive();
    assertThat(payload.length).isLessThanOrEqualTo(40);
    Files.write(dir.resolve(resultKey), frame);

    // Refused before allocating, and then healed like any damaged result: set aside with its
    // reason, recomputed (issue 18).
    assertThat(calc.echo("x")).isEqualTo("x");
    assertThat(AsideNotes.under(dir)).contains(resultKey).contains("2147483646").contains("bytes remain")
        .contains("\"kind\":\"corrupt\"");
  }
}
