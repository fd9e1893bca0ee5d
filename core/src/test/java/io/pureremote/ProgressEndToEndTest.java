package io.pureremote;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.example.fns.Calc;
import com.example.fns.CalcImpl;
import io.pureremote.internal.ProgressSink;
import io.pureremote.local.FileBlobStore;
import io.pureremote.local.InProcessShell;
import java.nio.file.Path;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.stream.IntStream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The progress counts of a real fan-out through the runtime and the in-process shell. */
class ProgressEndToEndTest {
  @TempDir Path dir;

  /** Takes every burst's closing line, short bursts included. */
  static final class Lines implements ProgressSink {
    final List<String> finished = new CopyOnWriteArrayList<>();

    @Override
    public void update(String line) {}

    @Override
    public void finish(String line) {
      finished.add(line);
    }

    @Override
    public boolean everyBurst() {
      return true;
    }
  }

  @Test
  void aFanOutReportsItsHitsMissesAndFailures() {
    Lines lines = new Lines();
    FileBlobStore store = new FileBlobStore(dir);
    try (InProcessShell shell = new InProcessShell(store);
        RemoteRuntime runtime = RemoteRuntime.builder().blobStore(store).shell(shell)
            .progress(Progress.LOG).progressSink(lines).build()) {
      Calc calc = runtime.create(Calc.class, CalcImpl.class);
      runtime.map(List.of(1L, 2L, 3L, 4L, 6L), calc::square); // memoized: hits later

      List<Long> inputs = IntStream.rangeClosed(1, 20).mapToObj(i -> (long) i).toList();
      assertThatThrownBy(() -> runtime.map(inputs, x -> x % 5 == 0 ? calc.fail("no " + x) : calc.square(x)))
          .hasMessageContaining("no 5");

      assertThat(lines.finished).hasSize(2);
      assertThat(lines.finished.get(0)).matches("pureremote: 5/5 done \\(0 cached, 0 failed\\) in \\d+s");
      // 5 hits (1, 2, 3, 4, 6), 4 failures (5, 10, 15, 20), 11 runs.
      assertThat(lines.finished.get(1)).matches("pureremote: 20/20 done \\(5 cached, 4 failed\\) in \\d+s");
    }
  }

  @Test
  void offReportsNothing() {
    Lines lines = new Lines();
    FileBlobStore store = new FileBlobStore(dir);
    try (InProcessShell shell = new InProcessShell(store);
        RemoteRuntime runtime = RemoteRuntime.builder().blobStore(store).shell(shell)
            .progress(Progress.OFF).progressSink(lines).build()) {
      Calc calc = runtime.create(Calc.class, CalcImpl.class);
      runtime.map(List.of(1L, 2L, 3L), calc::square);
    }
    assertThat(lines.finished).isEmpty();
  }
}
