package io.pureremote.bench.fns;

import java.io.Serializable;
import java.util.ArrayList;
import java.util.List;
import java.util.SplittableRandom;

/**
 * A small record, the element of the "1M small records" argument. Serializable so java.io
 * serialization (the baseline) can write it too.
 *
 * @param id trade id
 * @param symbol ticker, one of a few hundred
 * @param price price
 * @param quantity quantity
 * @param buy side
 */
public record Trade(long id, String symbol, double price, int quantity, boolean buy) implements Serializable {

  /** {@code n} trades, the same for the same seed. Symbols repeat, as in real data. */
  public static List<Trade> sample(int n, long seed) {
    SplittableRandom random = new SplittableRandom(seed);
    String[] symbols = new String[500];
    for (int i = 0; i < symbols.length; i++) {
      symbols[i] = "SYM" + i;
    }
    List<Trade> trades = new ArrayList<>(n);
    for (int i = 0; i < n; i++) {
      trades.add(new Trade(i, symbols[random.nextInt(symbols.length)], 100 * random.nextDouble(),
          random.nextInt(1, 10_000), random.nextBoolean()));
    }
    return trades;
  }
}
