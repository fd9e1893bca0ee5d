package io.pureremote.cli;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.FileSystemException;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.time.Instant;
import java.time.ZoneOffset;
import java.time.format.DateTimeFormatter;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.TreeMap;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The HTML page of {@code pureremote runs --html}: one self-contained file (inline CSS and JS, no
 * external resources) with summary counts, a legend, a timeline of the calls on a shared time axis
 * (one row per call, bar from submit to finish, the queued part hatched) and a per-function table.
 *
 * <p>Every string from the log is HTML-escaped: the log is written by any caller, so a function
 * name is untrusted text. Large logs stay usable: the timeline shows at most {@link #MAX_ROWS}
 * calls (the newest) with a note and an activity histogram over all of them; counts, percentiles
 * and the function table always cover every call.
 */
final class RunsHtmlReport {
  private static final Logger log = LoggerFactory.getLogger(RunsHtmlReport.class);

  /** At most this many timeline rows; more would make a page browsers lay out slowly. */
  static final int MAX_ROWS = 1_000;
  /** At most this many functions in the table. */
  static final int MAX_FUNCTIONS = 200;
  static final List<String> OUTCOMES = List.of("hit", "miss", "joined", "failed");

  private static final DateTimeFormatter TIME =
      DateTimeFormatter.ofPattern("yyyy-MM-dd HH:mm:ss.SSS").withZone(ZoneOffset.UTC);
  private static final int HISTOGRAM_BUCKETS = 120;

  /** One call as read from an event record; {@code queuedMs} is -1 in records that predate it. */
  record Call(String function, String version, String pipeline, String argsHash, String outcome,
      long startMs, long queuedMs, long durationMs, String errorClass, String host, String pid) {
    long endMs() {
      return startMs + durationMs;
    }

    String label() {
      return function + "@" + version;
    }
  }

  /** What the page says about where the calls came from. */
  record Source(String storeUri, String filters, Instant generatedAt) {}

  private final List<Call> calls;
  private final int skipped;
  private final Source source;

  private RunsHtmlReport(List<Call> calls, int skipped, Source source) {
    this.calls = calls;
    this.skipped = skipped;
    this.source = source;
  }

  /** The page for {@code events} (JSON objects of the event log, any order). */
  static String render(List<Map<String, Object>> events, Source source) {
    List<Call> calls = new ArrayList<>();
    int skipped = 0;
    for (Map<String, Object> e : events) {
      Call c = call(e);
      if (c == null) {
        skipped++;
      } else {
        calls.add(c);
      }
    }
    calls.sort(Comparator.comparingLong(Call::startMs).thenComparingLong(Call::durationMs));
    return new RunsHtmlReport(calls, skipped, source).page();
  }

  /**
   * Writes {@code page} to {@code target} (replacing it) and returns its size in bytes.
   *
   * @throws UncheckedIOException naming {@code target} and the reason when it cannot be written
   */
  static long write(Path target, String page) {
    byte[] bytes = page.getBytes(StandardCharsets.UTF_8);
    try {
      Files.write(target, bytes);
    } catch (IOException e) {
      throw new UncheckedIOException("Cannot write the HTML report to " + target + ": " + reason(target, e), e);
    }
    log.debug("wrote the runs report to {} ({} bytes)", target, bytes.length);
    return bytes.length;
  }

  private static String reason(Path target, IOException e) {
    if (e instanceof NoSuchFileException) {
      return "its folder " + target.getParent() + " does not exist";
    }
    if (e instanceof FileSystemException f && f.getReason() != null) {
      return f.getReason();
    }
    return e.toString();
  }

  /** A call from an event record, or null when it has no readable submit time. */
  static Call call(Map<String, Object> e) {
    long start;
    try {
      start = Instant.parse(String.valueOf(e.get("startedAt"))).toEpochMilli();
    } catch (RuntimeException ex) {
      return null;
    }
    long duration = Math.max(0, number(e.get("durationMs"), 0));
    long queued = number(e.get("queuedMs"), -1);
    return new Call(text(e.get("function")), text(e.get("version")), text(e.get("pipeline")), text(e.get("argsHash")),
        text(e.get("outcome")), start, queued < 0 ? -1 : Math.min(queued, duration), duration,
        e.get("errorClass") == null ? null : text(e.get("errorClass")), text(e.get("host")), text(e.get("pid")));
  }

  private static long number(Object v, long fallback) {
    return v instanceof Number n ? n.longValue() : fallback;
  }

  private static String text(Object v) {
    return v == null ? "?" : String.valueOf(v);
  }

  private String page() {
    StringBuilder h = new StringBuilder(64 * 1024 + calls.size() * 160);
    h.append("<!DOCTYPE html>\n<html lang=\"en\">\n<head>\n<meta charset=\"utf-8\">\n")
        .append("<meta name=\"viewport\" content=\"width=device-width, initial-scale=1\">\n")
        .append("<title>Pure Remote calls — ").append(calls.size()).append(calls.size() == 1 ? " call" : " calls")
        .append("</title>\n<style>\n").append(CSS).append("</style>\n</head>\n<body>\n");
    header(h);
    if (calls.isEmpty()) {
      h.append("<p class=\"note\">No calls to show.</p>\n");
    } else {
      summary(h);
      legend(h);
      timeline(h);
      functions(h);
    }
    h.append("<script>\n").append(JS).append("</script>\n</body>\n</html>\n");
    return h.toString();
  }

  private void header(StringBuilder h) {
    h.append("<header>\n<h1>Pure Remote calls</h1>\n<p class=\"meta\">store <code>").append(esc(source.storeUri()))
        .append("</code>");
    if (!calls.isEmpty()) {
      long t0 = calls.get(0).startMs();
      long t1 = calls.stream().mapToLong(Call::endMs).max().orElse(t0);
      h.append(" · ").append(TIME.format(Instant.ofEpochMilli(t0))).append(" → ")
          .append(TIME.format(Instant.ofEpochMilli(t1))).append(" UTC");
    }
    h.append(" · ").append(esc(source.filters())).append(" · generated ")
        .append(TIME.format(source.generatedAt())).append(" UTC</p>\n");
    if (skipped > 0) {
      h.append("<p class=\"note\">").append(skipped).append(skipped == 1 ? " event was" : " events were")
          .append(" left out: no readable submit time (startedAt).</p>\n");
    }
    h.append("</header>\n");
  }

  private void summary(StringBuilder h) {
    Map<String, Integer> counts = counts(calls);
    long[] durations = calls.stream().mapToLong(Call::durationMs).sorted().toArray();
    long t0 = calls.get(0).startMs();
    long t1 = calls.stream().mapToLong(Call::endMs).max().orElse(t0);
    long sum = 0;
    for (long d : durations) {
      sum += d;
    }
    h.append("<section class=\"cards\" id=\"summary\">\n");
    card(h, "calls", "calls", String.format(Locale.ROOT, "%,d", calls.size()));
    card(h, "hits", "hit", String.format(Locale.ROOT, "%,d", counts.get("hit")));
    card(h, "misses", "miss", String.format(Locale.ROOT, "%,d", counts.get("miss")));
    card(h, "joined", "joined", String.format(Locale.ROOT, "%,d", counts.get("joined")));
    card(h, "failed", "failed", String.format(Locale.ROOT, "%,d", counts.get("failed")));
    card(h, "wall time", "", duration(t1 - t0));
    card(h, "total call time", "", duration(sum));
    card(h, "p50", "", duration(percentile(durations, 50)));
    card(h, "p95", "", duration(percentile(durations, 95)));
    card(h, "max", "", duration(durations[durations.length - 1]));
    h.append("</section>\n");
  }

  private static void card(StringBuilder h, String label, String outcome, String value) {
    h.append("<div class=\"card").append(outcome.isEmpty() ? "" : " c-" + outcome).append("\"><b>").append(value)
        .append("</b><span>").append(label).append("</span></div>\n");
  }

  private void legend(StringBuilder h) {
    h.append("<section class=\"legend\">\n");
    for (String o : OUTCOMES) {
      h.append("<label><input type=\"checkbox\" value=\"").append(o).append("\" checked><i class=\"sw o-").append(o)
          .append("\"></i>").append(o).append("</label>\n");
    }
    h.append("<span class=\"key\"><i class=\"sw queued\"></i>queued (waiting for a slot)</span>\n")
        .append("<input id=\"q\" type=\"search\" placeholder=\"filter by function\" aria-label=\"filter by function\">\n")
        .append("<span id=\"shown\"></span>\n</section>\n");
  }

  private void timeline(StringBuilder h) {
    List<Call> rows = calls.size() > MAX_ROWS ? calls.subList(calls.size() - MAX_ROWS, calls.size()) : calls;
    if (rows.size() < calls.size()) {
      h.append("<p class=\"note\" id=\"capped\">The timeline shows the newest ").append(String.format(Locale.ROOT, "%,d", rows.size()))
          .append(" of ").append(String.format(Locale.ROOT, "%,d", calls.size()))
          .append(" calls; the counts above, the activity chart and the function table cover all of them. "
              + "Use <code>--last</code> to choose the calls.</p>\n");
      histogram(h, rows.get(0).startMs());
    }
    long t0 = rows.get(0).startMs();
    long t1 = rows.stream().mapToLong(Call::endMs).max().orElse(t0);
    long span = Math.max(1, t1 - t0);
    long step = tickStep(span);
    double stepPct = 100.0 * step / span;
    h.append("<section class=\"timeline\" style=\"--grid:").append(pct(stepPct)).append("%\">\n")
        .append("<div class=\"axis\"><div class=\"lbl\">function</div><div class=\"trk\">");
    for (long t = 0; t <= span; t += step) {
      double x = 100.0 * t / span;
      h.append("<span class=\"tick").append(x > 94 ? " end" : "").append("\" style=\"left:").append(pct(x)).append("%\">")
          .append(tickLabel(t)).append("</span>");
    }
    h.append("</div></div>\n<div class=\"rows\">\n");
    for (Call c : rows) {
      row(h, c, t0, span);
    }
    h.append("</div>\n</section>\n");
  }

  private static void row(StringBuilder h, Call c, long t0, long span) {
    double x = 100.0 * (c.startMs() - t0) / span;
    double w = 100.0 * c.durationMs() / span;
    String outcome = OUTCOMES.contains(c.outcome()) ? c.outcome() : "other";
    StringBuilder tip = new StringBuilder();
    tip.append(c.label()).append('\n').append(c.outcome()).append(" · ").append(duration(c.durationMs()));
    if (c.queuedMs() > 0) {
      tip.append(" (queued ").append(duration(c.queuedMs())).append(", ran ")
          .append(duration(c.durationMs() - c.queuedMs())).append(')');
    }
    tip.append("\nsubmitted ").append(TIME.format(Instant.ofEpochMilli(c.startMs()))).append(" UTC")
        .append("\npipeline ").append(c.pipeline()).append(" · args ").append(c.argsHash())
        .append("\nhost ").append(c.host()).append(" pid ").append(c.pid());
    if (c.errorClass() != null) {
      tip.append("\nerror ").append(c.errorClass());
    }
    h.append("<div class=\"row\" data-o=\"").append(outcome).append("\" data-f=\"")
        .append(esc(c.label().toLowerCase(Locale.ROOT))).append("\" title=\"").append(esc(tip.toString())).append("\">")
        .append("<div class=\"lbl\">").append(esc(shortName(c.function()))).append("<small>@").append(esc(c.version()))
        .append("</small></div><div class=\"trk\"><div class=\"bar o-").append(outcome).append("\" style=\"left:")
        .append(pct(x)).append("%;width:").append(pct(w)).append("%\">");
    if (c.queuedMs() > 0 && c.durationMs() > 0) {
      h.append("<i class=\"queued\" style=\"width:").append(pct(100.0 * c.queuedMs() / c.durationMs())).append("%\"></i>");
    }
    h.append("</div>");
    String note = duration(c.durationMs()) + (c.errorClass() == null ? "" : " · " + simpleClass(c.errorClass()));
    // Past ~80% of the axis the text would run off the right edge: put it before the bar instead.
    if (x + w > 80) {
      h.append("<span class=\"dur before\" style=\"right:").append(pct(100 - x)).append("%\">");
    } else {
      h.append("<span class=\"dur\" style=\"left:").append(pct(x + w)).append("%\">");
    }
    h.append(esc(note)).append("</span></div></div>\n");
  }

  /** Calls started per time bucket, stacked by outcome, over every call; the timeline's part shaded. */
  private void histogram(StringBuilder h, long timelineStart) {
    long t0 = calls.get(0).startMs();
    long t1 = calls.get(calls.size() - 1).startMs();
    long span = Math.max(1, t1 - t0 + 1);
    int[][] buckets = new int[HISTOGRAM_BUCKETS][OUTCOMES.size()];
    for (Call c : calls) {
      int b = (int) Math.min(HISTOGRAM_BUCKETS - 1, (c.startMs() - t0) * HISTOGRAM_BUCKETS / span);
      int o = OUTCOMES.indexOf(c.outcome());
      buckets[b][o < 0 ? 1 : o]++;
    }
    int max = 1;
    for (int[] b : buckets) {
      int total = 0;
      for (int n : b) {
        total += n;
      }
      max = Math.max(max, total);
    }
    h.append("<section class=\"activity\"><h2>Calls submitted over time (all ")
        .append(String.format(Locale.ROOT, "%,d", calls.size())).append(" calls, ").append(duration(span))
        .append(", busiest bar ").append(max).append("; shaded: the calls in the timeline below)</h2>\n")
        .append("<svg viewBox=\"0 0 ").append(HISTOGRAM_BUCKETS * 10).append(" 100\" preserveAspectRatio=\"none\" role=\"img\">");
    double windowX = 10.0 * HISTOGRAM_BUCKETS * (timelineStart - t0) / span;
    h.append("<rect class=\"window\" x=\"").append(pct(windowX)).append("\" y=\"0\" width=\"")
        .append(pct(HISTOGRAM_BUCKETS * 10 - windowX)).append("\" height=\"100\"/>");
    for (int i = 0; i < HISTOGRAM_BUCKETS; i++) {
      double y = 100;
      for (int o = 0; o < OUTCOMES.size(); o++) {
        if (buckets[i][o] == 0) {
          continue;
        }
        double hgt = 100.0 * buckets[i][o] / max;
        y -= hgt;
        h.append("<rect class=\"o-").append(OUTCOMES.get(o)).append("\" x=\"").append(i * 10 + 1).append("\" y=\"")
            .append(pct(y)).append("\" width=\"8\" height=\"").append(pct(hgt)).append("\"/>");
      }
    }
    h.append("</svg></section>\n");
  }

  private void functions(StringBuilder h) {
    Map<String, List<Call>> byFunction = new TreeMap<>();
    for (Call c : calls) {
      byFunction.computeIfAbsent(c.label(), k -> new ArrayList<>()).add(c);
    }
    List<Map.Entry<String, List<Call>>> entries = new ArrayList<>(byFunction.entrySet());
    entries.sort(Comparator.comparingInt((Map.Entry<String, List<Call>> e) -> e.getValue().size()).reversed());
    h.append("<section class=\"functions\"><h2>By function</h2>\n<table>\n<thead><tr><th>function</th><th>calls</th>"
        + "<th>hit</th><th>miss</th><th>joined</th><th>failed</th><th>p50</th><th>p95</th><th>max</th><th>errors</th>"
        + "</tr></thead>\n<tbody>\n");
    for (Map.Entry<String, List<Call>> e : entries.subList(0, Math.min(MAX_FUNCTIONS, entries.size()))) {
      List<Call> list = e.getValue();
      Map<String, Integer> counts = counts(list);
      long[] d = list.stream().mapToLong(Call::durationMs).sorted().toArray();
      Map<String, Integer> errors = new LinkedHashMap<>();
      list.stream().filter(c -> c.errorClass() != null).forEach(c -> errors.merge(c.errorClass(), 1, Integer::sum));
      StringBuilder errorText = new StringBuilder();
      errors.forEach((k, n) -> errorText.append(errorText.isEmpty() ? "" : ", ").append(k).append(" ×").append(n));
      h.append("<tr><td class=\"fn\">").append(esc(e.getKey())).append("</td><td>").append(list.size()).append("</td>");
      for (String o : OUTCOMES) {
        h.append("<td class=\"").append(counts.get(o) > 0 ? "c-" + o : "zero").append("\">").append(counts.get(o)).append("</td>");
      }
      h.append("<td>").append(duration(percentile(d, 50))).append("</td><td>").append(duration(percentile(d, 95)))
          .append("</td><td>").append(duration(d[d.length - 1])).append("</td><td class=\"err\">")
          .append(esc(errorText.toString())).append("</td></tr>\n");
    }
    h.append("</tbody>\n</table>\n");
    if (entries.size() > MAX_FUNCTIONS) {
      h.append("<p class=\"note\">").append(entries.size() - MAX_FUNCTIONS).append(" more functions with fewer calls are not listed.</p>\n");
    }
    h.append("</section>\n");
  }

  private static Map<String, Integer> counts(List<Call> list) {
    Map<String, Integer> counts = new LinkedHashMap<>();
    OUTCOMES.forEach(o -> counts.put(o, 0));
    list.forEach(c -> counts.merge(c.outcome(), 1, Integer::sum));
    return counts;
  }

  /** Nearest-rank percentile of sorted values. */
  static long percentile(long[] sorted, int p) {
    int rank = (int) Math.ceil(p / 100.0 * sorted.length);
    return sorted[Math.max(0, Math.min(sorted.length - 1, rank - 1))];
  }

  private static final long[] STEPS = {1, 2, 5, 10, 20, 50, 100, 200, 500, 1_000, 2_000, 5_000, 10_000, 15_000,
      30_000, 60_000, 120_000, 300_000, 600_000, 900_000, 1_800_000, 3_600_000, 7_200_000, 10_800_000, 21_600_000,
      43_200_000, 86_400_000};

  /** A round tick step (clock-friendly above a second) giving at most ten ticks over {@code span}. */
  static long tickStep(long span) {
    for (long step : STEPS) {
      if (span / step <= 10) {
        return step;
      }
    }
    long day = STEPS[STEPS.length - 1];
    return (span / 10 / day + 1) * day;
  }

  /** A tick's offset from the start: {@code 0}, {@code +250 ms}, {@code +1.5 s}, {@code +2 min 30 s}, {@code +1 h}. */
  static String tickLabel(long t) {
    if (t == 0) {
      return "0";
    }
    if (t < 1_000) {
      return "+" + t + " ms";
    }
    if (t % 1_000 != 0) {
      return "+" + java.math.BigDecimal.valueOf(t, 3).stripTrailingZeros().toPlainString() + " s";
    }
    long s = t / 1_000;
    StringBuilder b = new StringBuilder("+");
    if (s >= 3_600) {
      b.append(s / 3_600).append(" h ");
    }
    if (s % 3_600 >= 60) {
      b.append(s % 3_600 / 60).append(" min ");
    }
    if (s % 60 != 0) {
      b.append(s % 60).append(" s ");
    }
    return b.toString().trim();
  }

  /** Milliseconds for people: {@code 12 ms}, {@code 1.4 s}, {@code 2 min 05 s}, {@code 1 h 02 min}. */
  static String duration(long ms) {
    if (ms < 1_000) {
      return ms + " ms";
    }
    if (ms < 60_000) {
      return String.format(Locale.ROOT, ms < 10_000 ? "%.2f s" : "%.1f s", ms / 1000.0);
    }
    long s = ms / 1000;
    if (s < 3600) {
      return String.format(Locale.ROOT, "%d min %02d s", s / 60, s % 60);
    }
    return String.format(Locale.ROOT, "%d h %02d min", s / 3600, s / 60 % 60);
  }

  /** {@code com.acme.Scoring#score} → {@code Scoring#score}; the full name is in the row's tooltip. */
  static String shortName(String function) {
    int hash = function.indexOf('#');
    int dot = function.lastIndexOf('.', hash < 0 ? function.length() - 1 : hash);
    return dot < 0 ? function : function.substring(dot + 1);
  }

  private static String simpleClass(String className) {
    return className.substring(className.lastIndexOf('.') + 1);
  }

  private static String pct(double v) {
    return String.format(Locale.ROOT, "%.3f", v);
  }

  /** Text as HTML content or attribute value: escapes {@code & < > " '}, newlines as {@code &#10;}. */
  static String esc(String s) {
    StringBuilder b = new StringBuilder(s.length() + 16);
    for (int i = 0; i < s.length(); i++) {
      char c = s.charAt(i);
      switch (c) {
        case '&' -> b.append("&amp;");
        case '<' -> b.append("&lt;");
        case '>' -> b.append("&gt;");
        case '"' -> b.append("&quot;");
        case '\'' -> b.append("&#39;");
        case '\n' -> b.append("&#10;");
        default -> b.append(c);
      }
    }
    return b.toString();
  }

  private static final String CSS = """
      :root { --hit:#2e9e5b; --miss:#3b6fd4; --joined:#8a56cc; --failed:#d43c3c; --other:#888;
        --ink:#1d2330; --mute:#667085; --line:#e4e7ec; --lbl:300px; font-family:system-ui,-apple-system,"Segoe UI",
        Roboto,"DejaVu Sans",sans-serif; color:var(--ink); }
      body { margin:0 24px 40px; background:#fff; }
      h1 { font-size:22px; margin:20px 0 4px; }
      h2 { font-size:15px; margin:24px 0 8px; }
      .meta { color:var(--mute); font-size:13px; margin:0 0 12px; }
      code { font-family:"DejaVu Sans Mono",monospace; font-size:12px; }
      .note { background:#fff7e0; border:1px solid #f1d48a; border-radius:6px; padding:6px 10px; font-size:13px; }
      .cards { display:flex; flex-wrap:wrap; gap:10px; margin:12px 0; }
      .card { border:1px solid var(--line); border-radius:8px; padding:8px 14px; min-width:84px; }
      .card b { display:block; font-size:20px; }
      .card span { color:var(--mute); font-size:12px; }
      .card.c-hit { border-top:4px solid var(--hit); } .card.c-miss { border-top:4px solid var(--miss); }
      .card.c-joined { border-top:4px solid var(--joined); } .card.c-failed { border-top:4px solid var(--failed); }
      .legend { display:flex; flex-wrap:wrap; align-items:center; gap:16px; font-size:13px; margin:8px 0 10px; }
      .legend label, .legend .key { display:flex; align-items:center; gap:6px; cursor:pointer; }
      .legend input[type=search] { margin-left:auto; padding:4px 8px; width:240px; font-size:13px; }
      #shown { color:var(--mute); }
      .sw { display:inline-block; width:22px; height:12px; border-radius:3px; }
      .o-hit { background:var(--hit); fill:var(--hit); } .o-miss { background:var(--miss); fill:var(--miss); }
      .o-joined { background:var(--joined); fill:var(--joined); } .o-failed { background:var(--failed); fill:var(--failed); }
      .o-other { background:var(--other); fill:var(--other); }
      .sw.queued { background-color:#9aa4b2; }
      .activity rect.window { fill:#fff3c4; }
      .queued { background-image:repeating-linear-gradient(135deg, rgba(255,255,255,.6) 0 3px, transparent 3px 6px); }
      .timeline { border:1px solid var(--line); border-radius:8px; }
      .axis, .row { display:grid; grid-template-columns:var(--lbl) 1fr; }
      .axis { position:sticky; top:0; background:#f8f9fb; border-bottom:1px solid var(--line); height:26px; z-index:2;
        font-size:11px; color:var(--mute); border-radius:8px 8px 0 0; }
      .axis .lbl { padding:6px 10px; font-weight:600; }
      .trk { position:relative; margin-right:16px; }
      .tick { position:absolute; top:6px; transform:translateX(-50%); white-space:nowrap; }
      .tick:first-child { transform:none; } .tick.end { transform:translateX(-100%); }
      .rows { position:relative; }
      .row { height:20px; font-size:12px; }
      .row:nth-child(even) { background:#fafbfc; }
      .row:hover { background:#eef3ff; }
      .row[hidden] { display:none; }
      .row .lbl { padding:0 10px; line-height:20px; white-space:nowrap; overflow:hidden; text-overflow:ellipsis;
        border-right:1px solid var(--line); }
      .row .lbl small { color:var(--mute); }
      .row .trk { background-image:repeating-linear-gradient(to right, var(--line) 0 1px, transparent 1px var(--grid)); }
      .bar { position:absolute; top:4px; height:12px; min-width:2px; border-radius:2px; overflow:hidden; }
      .bar i { position:absolute; left:0; top:0; bottom:0; }
      .dur { position:absolute; top:0; line-height:20px; padding:0 6px; white-space:nowrap; color:var(--mute); font-size:11px; }
      .activity svg { width:100%; height:110px; border:1px solid var(--line); border-radius:8px; }
      table { border-collapse:collapse; font-size:12px; width:100%; }
      th, td { text-align:right; padding:4px 10px; border-bottom:1px solid var(--line); }
      th { background:#f8f9fb; color:var(--mute); font-weight:600; }
      td.fn, th:first-child, td.err, th:last-child { text-align:left; }
      td.fn { font-family:"DejaVu Sans Mono",monospace; word-break:break-all; }
      td.zero { color:#c0c6d0; } td.err { color:var(--failed); }
      td.c-hit { color:var(--hit); } td.c-miss { color:var(--miss); } td.c-joined { color:var(--joined); }
      td.c-failed { color:var(--failed); font-weight:600; }
      """;

  // Filters rows by outcome (legend check boxes) and function text; marks the page once it ran.
  private static final String JS = """
      (function () {
        var rows = Array.prototype.slice.call(document.querySelectorAll('.row'));
        var boxes = Array.prototype.slice.call(document.querySelectorAll('.legend input[type=checkbox]'));
        var q = document.getElementById('q');
        var shown = document.getElementById('shown');
        function apply() {
          var on = {};
          boxes.forEach(function (b) { on[b.value] = b.checked; });
          var text = q ? q.value.trim().toLowerCase() : '';
          var n = 0;
          rows.forEach(function (r) {
            var visible = on[r.getAttribute('data-o')] !== false && (!text || r.getAttribute('data-f').indexOf(text) >= 0);
            r.hidden = !visible;
            if (visible) { n++; }
          });
          if (shown) { shown.textContent = 'showing ' + n + ' of ' + rows.length + ' rows'; }
        }
        boxes.forEach(function (b) { b.addEventListener('change', apply); });
        if (q) { q.addEventListener('input', apply); }
        apply();
        document.documentElement.setAttribute('data-js', 'ready');
      })();
      """;
}
