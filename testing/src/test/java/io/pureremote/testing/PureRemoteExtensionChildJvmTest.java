package io.pureremote.testing;

import static org.assertj.core.api.Assertions.assertThat;

import io.pureremote.RemoteRuntime;
import io.pureremote.spi.BlobStore;
import io.pureremote.testing.fns.Squares;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

/** The extension with the child-JVM shell: a miss runs in another process on the test's class path. */
class PureRemoteExtensionChildJvmTest {
  @RegisterExtension
  static final PureRemoteExtension pureRemote = PureRemoteExtension.childJvm();

  @Test
  void aMissRunsInAChildJvmAndTheRepeatIsAHit(RemoteRuntime runtime, BlobStore store) {
    assertThat(runtime.shell().name()).isEqualTo("local");
    Squares.RUNS.set(0);
    Squares squares = runtime.create(Squares.class, Squares.Impl.class);

    assertThat(squares.square(12)).isEqualTo(144);
    assertThat(squares.square(12)).isEqualTo(144);

    assertThat(Squares.RUNS).as("runs in this JVM").hasValue(0);
    assertThat(store.list("").stream().filter(k -> k.endsWith("/result"))).hasSize(1);
  }
}
