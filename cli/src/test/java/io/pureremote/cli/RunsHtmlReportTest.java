package io.pureremote.cli;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.pureremote.RemoteFunctionException;
import io.pureremote.RemoteRuntime;
import io.pureremote.spi.Shell;
import io.pureremote.spi.BlobStore.BlobContent;
import io.pureremote.spi.BlobStore;
import java.awt.image.BufferedImage;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Instant;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import javax.imageio.ImageIO;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * {@code pureremote runs --html}: the page's content, its escaping, large logs, and how it renders
 * in headless Chromium (DOM after the inline script ran, and a screenshot kept as
 * {@code target/report-screenshot.png}).
 */
class RunsHtmlReportTest {
  static final Path TARGET = Path.of("target").toAbsolutePath();
  static final Instant T0 = Instant.parse("2026-11-23T20:22:50Z");
  // The bar colors of the page's CSS (--hit, --miss, --joined, --failed).
  static final Map<String, Integer> BAR_COLORS = Map.of("hit", 0x2e9e5b, "miss", 0x3b6fd4, "joined", 0x8a56cc,
      "failed", 0xd43c3c);

  @TempDir
  Path tmp;

  String root;

  @BeforeEach
  void setUp() {
    root = tmp.resolve("memo").toUri().toString().replaceAll("/$", "");
    ScoringImpl.RUNS.set(0);
  }

  @Test
  void reportOfRealCallsRendersInChromium() throws Exception {
    try (Shell shell = Shell.inProcess();
        RemoteRuntime runtime = RemoteRuntime.builder().blobRoot(root).shell(shell).build()) {
      Scoring s = runtime.create(Scoring.class, ScoringImpl.class);
      s.score("m1", PureRemoteCliTest.F1);
      s.score("m1", PureRemoteCliTest.F1);
      assertThatThrownBy(() -> s.fail("boom")).isInstanceOf(RemoteFunctionException.class);
    }
    Path report = tmp.resolve("report.html");
    PureRemoteCliTest.Run run = PureRemoteCliTest.cli("runs", "--root", root, "--html", report.toString());
    assertThat(run.code()).as(run.err()).isZero();
    assertThat(run.out()).startsWith("wrote " + report + ": 3 calls, ").endsWith(" bytes\n");

    String html = Files.readString(report);
    assertThat(rows(html)).isEqualTo(3);
    assertThat(html)
        .contains("Scoring#score<small>@2</small>", "Scoring#fail<small>@1</small>", "java.lang.IllegalStateException")
        .contains("store <code>" + root + "</code>")
        .doesNotContain("http://", "https://", "<link", "src=");                     // self-contained
    assertThat(cardValue(html, "calls")).isEqualTo("3");
    assertThat(cardValue(html, "hits")).isEqualTo("1");
    assertThat(cardValue(html, "misses")).isEqualTo("1");
    assertThat(cardValue(html, "failed")).isEqualTo("1");
    assertThat(html).contains("<span>p50</span>", "<span>p95</span>", "<span>total call time</span>");
    try (BlobStore store = BlobStore.open(root)) {
      // The pipeline records the queue time now (0 ms here: nothing waited for a slot).
      assertThat(events(store)).allSatisfy(e -> assertThat(e).containsKey("queuedMs"));
    }

    String dom = HeadlessChromium.find(tmp).dumpDom(report);
    assertThat(dom).contains("data-js=\"ready\"").contains("showing 3 of 3 rows");
    assertThat(rows(dom)).isEqualTo(3);
  }

  @Test
  void screenshotShowsBarsInEveryOutcomeColor() throws Exception {
    writeEvents(sampleRun());
    Path report = TARGET.resolve("report.html");
    assertThat(cli("runs", "--root", root, "--last", "100", "--html", report.toString()).code()).isZero();
    String html = Files.readString(report);
    assertThat(rows(html)).isEqualTo(48);
    // Old records (no queuedMs) render as plain bars; new ones with a queue time get a hatched part.
    assertThat(html).contains("<i class=\"queued\" style=\"width:");
    assertThat(html).contains("Loader#load<small>@3</small>");

    Path png = TARGET.resolve("report-screenshot.png");
    HeadlessChromium.find(tmp).screenshot(report, png);
    BufferedImage image = ImageIO.read(png.toFile());
    assertThat(image).as("decodable PNG at %s", png).isNotNull();
    assertThat(image.getWidth()).isEqualTo(1400);
    assertThat(image.getHeight()).isEqualTo(900);
    Map<Integer, Integer> histogram = colors(image);
    assertThat(histogram.size()).as("distinct colors").isGreaterThan(20);
    BAR_COLORS.forEach((outcome, rgb) -> assertThat(near(histogram, rgb))
        .as("pixels of the %s bar color #%06x in %s", outcome, rgb, png).isGreaterThan(100));
  }

  @Test
  void everyStringFromTheLogIsEscaped() throws Exception {
    String evil = "com.acme.<script>document.documentElement.setAttribute('data-pwned','1')</script>#x";
    String evilError = "\"><img src=x onerror=\"document.documentElement.setAttribute('data-pwned','2')\">";
    List<Map<String, Object>> events = new ArrayList<>();
    events.add(event(evil, "1<u>", "failed", 0, -1, 120, evilError));
    events.add(event("com.acme.Ok#run", "1", "hit", 50, -1, 5, null));
    Map<String, Object> odd = event("com.acme.Ok#run", "1", "hit", 60, -1, 5, null);
    odd.put("host", "h'\"&<>");
    events.add(odd);
    writeEvents(events);
    Path report = tmp.resolve("evil.html");
    assertThat(cli("runs", "--root", root, "--html", report.toString()).code()).isZero();

    String html = Files.readString(report);
    assertThat(html).doesNotContain("<script>document", "<img", "<u>", "h'\"&<>")
        .contains("&lt;script&gt;document.documentElement.setAttribute(&#39;data-pwned&#39;,&#39;1&#39;)&lt;/script&gt;")
        .contains("&quot;&gt;&lt;img src=x onerror=&quot;")
        .contains("h&#39;&quot;&amp;&lt;&gt;");
    assertThat(html.split("<script>", -1)).hasSize(2); // only the page's own script

    String dom = HeadlessChromium.find(tmp).dumpDom(report);
    // Neither payload ran (it would add data-pwned to <html>) nor became an element (<img src="x">);
    // a serialized DOM keeps '<' in attribute values, so the tooltips still hold the text.
    assertThat(dom).contains("<html lang=\"en\" data-js=\"ready\"><head>").doesNotContain("<img src=\"x\"")
        .contains("&lt;script&gt;document.documentElement"); // shown as text
  }

  @Test
  void tenThousandCallsCapTheTimelineAndStayUsable() throws Exception {
    Random random = new Random(7);
    List<Map<String, Object>> all = new ArrayList<>();
    long t = 0;
    for (int i = 0; i < 10_000; i++) {
      t += random.nextInt(700);
      String outcome = i % 10 == 0 ? "miss" : i % 97 == 0 ? "failed" : i % 13 == 0 ? "joined" : "hit";
      long duration = outcome.equals("miss") ? 2_000 + random.nextInt(20_000) : 1 + random.nextInt(80);
      all.add(event("com.acme.batch.Stage" + (i % 12) + "#run", "1", outcome, t, i % 2 == 0 ? -1 : random.nextInt(3),
          duration, outcome.equals("failed") ? "java.lang.IllegalStateException" : null));
    }
    for (int f = 0; f < 10; f++) {
      writeEvents(all.subList(f * 1_000, (f + 1) * 1_000));
    }
    Path report = TARGET.resolve("report-10k.html");
    PureRemoteCliTest.Run run = cli("runs", "--root", root, "--last", "10000", "--html", report.toString());
    assertThat(run.code()).as(run.err()).isZero();
    long size = Files.size(report);
    System.out.printf("report of 10,000 calls: %,d bytes%n", size);
    assertThat(size).isLessThan(1_500_000);

    String html = Files.readString(report);
    assertThat(rows(html)).isEqualTo(RunsHtmlReport.MAX_ROWS);
    assertThat(html).contains("The timeline shows the newest 1,000 of 10,000 calls")
        .contains("Calls submitted over time (all 10,000 calls");
    assertThat(cardValue(html, "calls")).isEqualTo("10,000");
    assertThat(cardValue(html, "misses")).isEqualTo("1,000");
    assertThat(html).contains("<td class=\"fn\">com.acme.batch.Stage0#run@1</td><td>834</td>");

    HeadlessChromium chromium = HeadlessChromium.find(tmp);
    String dom = chromium.dumpDom(report);
    assertThat(dom).contains("showing 1000 of 1000 rows");
    Path png = TARGET.resolve("report-10k-screenshot.png");
    chromium.screenshot(report, png);
    assertThat(colors(ImageIO.read(png.toFile())).size()).isGreaterThan(20);
  }

  @Test
  void lastLimitsTheReportAndOldRecordsStillRead() throws IOException {
    List<Map<String, Object>> events = new ArrayList<>();
    for (int i = 0; i < 5; i++) {
      events.add(event("com.acme.Old#f", "1", "miss", i * 1_000L, -1, 500, null)); // written before queuedMs
    }
    writeEvents(events);
    Path report = tmp.resolve("r.html");
    assertThat(cli("runs", "--root", root, "--last", "2", "--html", report.toString()).code()).isZero();
    String html = Files.readString(report);
    assertThat(rows(html)).isEqualTo(2);
    assertThat(html).doesNotContain("class=\"queued\" style").contains("--last 2");

    Map<String, Object> broken = event("com.acme.Old#f", "1", "miss", 0, -1, 500, null);
    broken.put("startedAt", "not a time");
    writeEvents(List.of(broken));
    assertThat(cli("runs", "--root", root, "--last", "10", "--html", report.toString()).code()).isZero();
    assertThat(rows(Files.readString(report))).isEqualTo(5);
    assertThat(Files.readString(report)).contains("1 event was left out: no readable submit time");
    // The text output is unchanged by the new field.
    assertThat(cli("runs", "--root", root, "--last", "3").out()).contains("3 calls: 0 hit, 3 miss");
  }

  @Test
  void unwritableOutputPathIsAnErrorNamingIt() throws IOException {
    writeEvents(List.of(event("com.acme.A#f", "1", "hit", 0, -1, 3, null)));
    Path file = Files.writeString(tmp.resolve("plain-file"), "x");
    Path underFile = file.resolve("report.html");
    PureRemoteCliTest.Run run = cli("runs", "--root", root, "--html", underFile.toString());
    assertThat(run.code()).isEqualTo(1);
    assertThat(run.err()).startsWith("error: Cannot write the HTML report to " + underFile + ": ");

    Path missing = tmp.resolve("no/such/folder/report.html");
    run = cli("runs", "--root", root, "--html", missing.toString());
    assertThat(run.code()).isEqualTo(1);
    assertThat(run.err()).contains("Cannot write the HTML report to " + missing + ": its folder "
        + missing.getParent() + " does not exist");

    Path folder = Files.createDirectory(tmp.resolve("a-folder"));
    run = cli("runs", "--root", root, "--html", folder.toString());
    assertThat(run.code()).isEqualTo(1);
    assertThat(run.err()).contains("Cannot write the HTML report to " + folder);
  }

  @Test
  void helpers() {
    assertThat(RunsHtmlReport.tickStep(30_000)).isEqualTo(5_000);
    assertThat(RunsHtmlReport.tickStep(7)).isEqualTo(1);
    assertThat(RunsHtmlReport.tickStep(3_600_000)).isEqualTo(600_000);
    assertThat(RunsHtmlReport.tickStep(40L * 86_400_000)).isEqualTo(5L * 86_400_000);
    assertThat(RunsHtmlReport.tickLabel(0)).isEqualTo("0");
    assertThat(RunsHtmlReport.tickLabel(250)).isEqualTo("+250 ms");
    assertThat(RunsHtmlReport.tickLabel(1_500)).isEqualTo("+1.5 s");
    assertThat(RunsHtmlReport.tickLabel(150_000)).isEqualTo("+2 min 30 s");
    assertThat(RunsHtmlReport.tickLabel(3_600_000)).isEqualTo("+1 h");
    assertThat(RunsHtmlReport.tickLabel(5_400_000)).isEqualTo("+1 h 30 min");
    assertThat(RunsHtmlReport.percentile(new long[] {1, 2, 3, 4, 5, 6, 7, 8, 9, 10}, 50)).isEqualTo(5);
    assertThat(RunsHtmlReport.percentile(new long[] {1, 2, 3, 4, 5, 6, 7, 8, 9, 10}, 95)).isEqualTo(10);
    assertThat(RunsHtmlReport.percentile(new long[] {42}, 95)).isEqualTo(42);
    assertThat(RunsHtmlReport.duration(999)).isEqualTo("999 ms");
    assertThat(RunsHtmlReport.duration(1_444)).isEqualTo("1.44 s");
    assertThat(RunsHtmlReport.duration(125_000)).isEqualTo("2 min 05 s");
    assertThat(RunsHtmlReport.shortName("io.x.WordStats#summarize")).isEqualTo("WordStats#summarize");
    assertThat(RunsHtmlReport.shortName("plain")).isEqualTo("plain");
    assertThat(RunsHtmlReport.esc("<a href='x'>\"&\"</a>"))
        .isEqualTo("&lt;a href=&#39;x&#39;&gt;&quot;&amp;&quot;&lt;/a&gt;");
  }

  // ---------------------------------------------------------------------------------------------

  PureRemoteCliTest.Run cli(String... args) {
    return PureRemoteCliTest.cli(args);
  }

  /** A pipeline-like run: loads (misses), queued feature computations, hits, joins and failures. */
  static List<Map<String, Object>> sampleRun() {
    Random r = new Random(42);
    List<Map<String, Object>> events = new ArrayList<>();
    for (int i = 0; i < 8; i++) {
      events.add(event("com.acme.etl.Loader#load", "3", i < 5 ? "miss" : "hit", i * 150L, -1,
          i < 5 ? 3_000 + r.nextInt(4_000) : 15 + r.nextInt(30), null)); // older records: no queuedMs
    }
    for (int i = 0; i < 16; i++) {
      long start = 6_500 + i * 120L;
      String outcome = i % 7 == 3 ? "failed" : i % 5 == 4 ? "joined" : "miss";
      events.add(event("com.acme.features.FeatureBuilder#compute", "2", outcome, start,
          outcome.equals("joined") ? -1 : (i / 4) * 2_500L, 3_500 + r.nextInt(6_000),
          outcome.equals("failed") ? "java.lang.OutOfMemoryError" : null));
    }
    for (int i = 0; i < 18; i++) {
      String outcome = i % 3 == 0 ? "miss" : "hit";
      events.add(event("com.acme.model.Scoring#score", "7", outcome, 17_000 + i * 350L, 0,
          outcome.equals("miss") ? 1_500 + r.nextInt(2_500) : 20 + r.nextInt(200), null));
    }
    for (int i = 0; i < 6; i++) {
      String outcome = i == 5 ? "failed" : i % 2 == 0 ? "miss" : "joined";
      events.add(event("com.acme.report.Reports#render", "1", outcome, 24_000 + i * 400L, 0, 2_000 + r.nextInt(3_000),
          outcome.equals("failed") ? "io.pureremote.RemoteFunctionException" : null));
    }
    return events;
  }

  /** An event record as EventLog writes it; {@code queuedMs < 0} leaves the field out, as older records do. */
  static Map<String, Object> event(String function, String version, String outcome, long offsetMs, long queuedMs,
      long durationMs, String errorClass) {
    Map<String, Object> e = new LinkedHashMap<>();
    e.put("function", function);
    e.put("version", version);
    e.put("pipeline", "default");
    e.put("argsHash", Integer.toHexString(function.hashCode()) + "0".repeat(56));
    e.put("outcome", outcome);
    e.put("startedAt", T0.plusMillis(offsetMs).toString());
    if (queuedMs >= 0) {
      e.put("queuedMs", queuedMs);
    }
    e.put("durationMs", durationMs);
    if (errorClass != null) {
      e.put("errorClass", errorClass);
    }
    e.put("host", "vm");
    e.put("pid", 4242);
    return e;
  }

  private int files;

  /** Writes {@code events} as one event-log blob, as a runtime does when it closes. */
  void writeEvents(List<Map<String, Object>> events) {
    StringBuilder lines = new StringBuilder();
    events.forEach(e -> lines.append(JsonText.write(e)).append('\n'));
    try (BlobStore store = BlobStore.open(root)) {
      store.putIfAbsent(RemoteRuntime.EVENT_LOG_PREFIX + "/2026-11-23/20261123T202250000Z-vm-" + (++files) + ".jsonl",
          BlobContent.of(lines.toString().getBytes(StandardCharsets.UTF_8)));
    }
  }

  static List<Map<String, Object>> events(BlobStore store) {
    List<Map<String, Object>> events = new ArrayList<>();
    for (String key : store.list(RemoteRuntime.EVENT_LOG_PREFIX + "/")) {
      for (String line : new String(store.getBytes(key).orElseThrow(), StandardCharsets.UTF_8).split("\n")) {
        events.add(JsonText.parseObject(line));
      }
    }
    return events;
  }

  static int rows(String html) {
    return html.split("<div class=\"row\"", -1).length - 1;
  }

  static String cardValue(String html, String label) {
    Matcher m = Pattern.compile("<b>([^<]*)</b><span>" + Pattern.quote(label) + "</span>").matcher(html);
    assertThat(m.find()).as("card %s", label).isTrue();
    return m.group(1);
  }

  static Map<Integer, Integer> colors(BufferedImage image) {
    Map<Integer, Integer> counts = new java.util.HashMap<>();
    for (int y = 0; y < image.getHeight(); y++) {
      for (int x = 0; x < image.getWidth(); x++) {
        counts.merge(image.getRGB(x, y) & 0xffffff, 1, Integer::sum);
      }
    }
    return counts;
  }

  /** Pixels within a small distance of {@code rgb} (color management may shift a channel slightly). */
  static int near(Map<Integer, Integer> histogram, int rgb) {
    int n = 0;
    for (Map.Entry<Integer, Integer> e : histogram.entrySet()) {
      int c = e.getKey();
      if (Math.abs((c >> 16 & 255) - (rgb >> 16 & 255)) <= 6 && Math.abs((c >> 8 & 255) - (rgb >> 8 & 255)) <= 6
          && Math.abs((c & 255) - (rgb & 255)) <= 6) {
        n += e.getValue();
      }
    }
    return n;
  }
}
