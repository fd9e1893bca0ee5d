package io.pureremote.internal;

import java.io.PrintStream;
import org.slf4j.Logger;

/**
 * Where progress lines go. {@link #terminal} redraws one line in place; {@link #log} writes SLF4J
 * INFO lines. How often lines come is the tracker's business, not the sink's.
 */
public interface ProgressSink {
  /** A new state of the burst in progress. */
  void update(String line);

  /** The closing line of a burst that was shown (or of every burst, see {@link #everyBurst()}). */
  void finish(String line);

  /** Whether {@link #finish} also gets bursts too short to have been shown; for tests and tools. */
  default boolean everyBurst() {
    return false;
  }

  /**
   * One line on {@code out}, redrawn with {@code \r} and padded over the previous one; {@code
   * finish} ends it with a newline. Lines are cut to {@code columns - 1} characters when the
   * terminal width is known ({@code columns > 0}), since a wrapped line cannot be redrawn.
   */
  static ProgressSink terminal(PrintStream out, int columns) {
    return new ProgressSink() {
      private int previous;

      @Override
      public synchronized void update(String line) {
        draw(line, "");
      }

      @Override
      public synchronized void finish(String line) {
        draw(line, System.lineSeparator());
        previous = 0;
      }

      private void draw(String line, String end) {
        String text = ProgressLine.fit(line, columns - 1);
        String pad = previous > text.length() ? " ".repeat(previous - text.length()) : "";
        out.print("\r" + text + pad + end);
        out.flush();
        previous = text.length();
      }
    };
  }

  /** INFO lines on {@code log}. */
  static ProgressSink log(Logger log) {
    return new ProgressSink() {
      @Override
      public void update(String line) {
        log.info("{}", line);
      }

      @Override
      public void finish(String line) {
        log.info("{}", line);
      }
    };
  }
}
