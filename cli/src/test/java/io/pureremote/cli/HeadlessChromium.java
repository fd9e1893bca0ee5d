package io.pureremote.cli;

import static org.assertj.core.api.Assertions.fail;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;

/**
 * Runs headless Chromium as a real process on a local file: {@code --dump-dom} (the DOM after the
 * page's scripts ran) or {@code --screenshot}. Never skips: a machine without Chromium fails the
 * test with how to install it.
 */
final class HeadlessChromium {
  static final String INSTALL_HINT = "Install the Debian package 'chromium' (sudo apt-get install -y --no-install-recommends "
      + "chromium; bin/test and .ci/run do it when run as root), or set PUREREMOTE_CHROMIUM to a Chromium binary.";

  private final Path binary;
  private final Path work;

  private HeadlessChromium(Path binary, Path work) {
    this.binary = binary;
    this.work = work;
  }

  /** Chromium from {@code PUREREMOTE_CHROMIUM}, {@code /usr/bin/chromium} or the PATH; fails the test if none. */
  static HeadlessChromium find(Path work) {
    List<Path> candidates = new ArrayList<>();
    String configured = System.getenv("PUREREMOTE_CHROMIUM");
    if (configured != null && !configured.isBlank()) {
      candidates.add(Path.of(configured));
    }
    candidates.add(Path.of("/usr/bin/chromium"));
    for (String dir : System.getenv().getOrDefault("PATH", "").split(":")) {
      if (!dir.isBlank()) {
        candidates.add(Path.of(dir, "chromium"));
        candidates.add(Path.of(dir, "chromium-browser"));
      }
    }
    for (Path p : candidates) {
      if (Files.isExecutable(p)) {
        return new HeadlessChromium(p, work);
      }
    }
    return fail("Headless Chromium is needed to test the HTML report and was not found (looked at "
        + "PUREREMOTE_CHROMIUM, /usr/bin/chromium and the PATH). " + INSTALL_HINT);
  }

  /** The serialized DOM of {@code page} after its scripts ran. */
  String dumpDom(Path page) throws IOException, InterruptedException {
    Path out = work.resolve("dom-" + System.nanoTime() + ".html");
    run(List.of("--dump-dom", page.toUri().toString()), out);
    return Files.readString(out, StandardCharsets.UTF_8);
  }

  /** Writes a PNG screenshot of {@code page} at 1400×900 to {@code png}. */
  void screenshot(Path page, Path png) throws IOException, InterruptedException {
    Files.deleteIfExists(png);
    run(List.of("--screenshot=" + png.toAbsolutePath(), "--window-size=1400,900", "--hide-scrollbars",
        page.toUri().toString()), work.resolve("screenshot-" + System.nanoTime() + ".out"));
    if (!Files.isRegularFile(png)) {
      fail("Chromium wrote no screenshot to " + png);
    }
  }

  private void run(List<String> args, Path stdout) throws IOException, InterruptedException {
    Path profile = Files.createTempDirectory(work, "chromium-profile-"); // fresh: no state shared between runs
    List<String> command = new ArrayList<>(List.of(binary.toString(), "--headless", "--no-sandbox", "--disable-gpu",
        "--disable-quic", "--no-first-run", "--disable-background-networking", "--disable-component-update",
        "--disable-sync", "--user-data-dir=" + profile));
    command.addAll(args);
    Path stderr = stdout.resolveSibling(stdout.getFileName() + ".err");
    Process p = new ProcessBuilder(command).redirectOutput(stdout.toFile()).redirectError(stderr.toFile()).start();
    if (!p.waitFor(120, TimeUnit.SECONDS)) {
      p.destroyForcibly().waitFor(10, TimeUnit.SECONDS);
      fail("Chromium did not finish within 120 s: " + command + "\n" + tail(stderr));
    }
    if (p.exitValue() != 0) {
      fail("Chromium exited with " + p.exitValue() + ": " + command + "\n" + tail(stderr));
    }
  }

  private static String tail(Path file) throws IOException {
    String text = Files.exists(file) ? Files.readString(file, StandardCharsets.UTF_8) : "";
    return text.length() > 4000 ? text.substring(text.length() - 4000) : text;
  }
}
