package io.pureremote;

import io.pureremote.internal.InProcessShell;
import java.nio.file.Path;
import java.util.List;

/** A user's program in a JVM of its own with default flags: one miss and one hit, in process. */
public final class NoJdkWarningsMain {
  private NoJdkWarningsMain() {}

  /** The function. */
  public interface Lengths {
    @PureRemote(version = "1")
    int total(List<String> words);
  }

  /** Its implementation. */
  public static final class LengthsImpl implements Lengths {
    @Override
    public int total(List<String> words) {
      return words.stream().mapToInt(String::length).sum();
    }
  }

  /** {@code args[0]}: the blob root folder. */
  public static void main(String[] args) {
    try (RemoteRuntime runtime = RemoteRuntime.builder().blobRoot(Path.of(args[0]).toUri().toString())
        .shell(new InProcessShell()).build()) {
      Lengths lengths = runtime.create(Lengths.class, LengthsImpl.class);
      System.out.println("total " + lengths.total(List.of("ab", "cde")) + " " + lengths.total(List.of("ab", "cde")));
    }
  }
}
