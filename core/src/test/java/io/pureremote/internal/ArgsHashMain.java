package io.pureremote.internal;

import java.util.Map;

/**
 * Child-JVM side of {@link ArgsEncoderCrossJvmTest}: builds {@link ArgsFixtures#crossJvmSamples}
 * the other way round ({@code reverse}) and prints one {@code name=hash} line per sample.
 */
public final class ArgsHashMain {
  private ArgsHashMain() {}

  /** Prints the hashes; the first argument ("reverse" or "forward") picks how values are built. */
  public static void main(String[] args) {
    boolean reverse = args.length == 0 || args[0].equals("reverse");
    for (Map.Entry<String, Object[]> e : ArgsFixtures.crossJvmSamples(reverse).entrySet()) {
      System.out.println(e.getKey() + "=" + ArgsEncoder.hash(e.getValue()));
    }
  }
}
