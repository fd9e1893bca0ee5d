package io.pureremote.bench;

import java.util.Locale;

/**
 * One line of the results table: a metric measured for Pure Remote and for its baseline in the
 * same run. The numbers stay numbers (the smoke test reads them); {@link #cells()} formats them.
 *
 * @param scenario e.g. {@code 1. memo hit · FileBlobStore}
 * @param metric what is measured, with its unit, e.g. {@code latency p50 (µs)}
 * @param pureRemote the library's value
 * @param baseline the baseline's value ({@code NaN} when there is none)
 * @param baselineLabel what the baseline is, e.g. {@code Files.readAllBytes}
 * @param note shown instead of the Pure Remote value when not empty (e.g. why it failed)
 */
public record Row(String scenario, String metric, double pureRemote, double baseline, String baselineLabel,
    String note) {

  /** A row whose Pure Remote cell is its value. */
  public Row(String scenario, String metric, double pureRemote, double baseline, String baselineLabel) {
    this(scenario, metric, pureRemote, baseline, baselineLabel, "");
  }

  /** Pure Remote ÷ baseline; {@code NaN} when there is no baseline or it is zero. */
  public double ratio() {
    return Double.isNaN(baseline) || baseline == 0 ? Double.NaN : pureRemote / baseline;
  }

  /** The five table cells: scenario, metric, Pure Remote, baseline, ratio. */
  public String[] cells() {
    String base = Double.isNaN(baseline) ? "—" : format(baseline);
    if (!baselineLabel.isEmpty()) {
      base = base + " (" + baselineLabel + ")";
    }
    double r = ratio();
    String ratio = Double.isNaN(r) ? "—" : String.format(Locale.ROOT, r >= 100 ? "%.0f×" : r >= 10 ? "%.1f×" : "%.2f×", r);
    return new String[] {scenario, metric, note.isEmpty() ? format(pureRemote) : note, base, ratio};
  }

  /** Integers plainly, others with about three significant digits. */
  static String format(double v) {
    if (Double.isNaN(v)) {
      return "—";
    }
    if (v == Math.rint(v) && Math.abs(v) < 1e15) {
      return String.format(Locale.ROOT, "%,d", (long) v);
    }
    double a = Math.abs(v);
    if (a >= 100) {
      return String.format(Locale.ROOT, "%,.0f", v);
    }
    if (a >= 10) {
      return String.format(Locale.ROOT, "%.1f", v);
    }
    if (a >= 1) {
      // Up to 3 decimals, so 1.001 requests per hit does not print as 1.00.
      return String.format(Locale.ROOT, "%.3f", v).replaceAll("0+$", "").replaceAll("\\.$", "");
    }
    return String.format(Locale.ROOT, "%.3g", v);
  }
}
