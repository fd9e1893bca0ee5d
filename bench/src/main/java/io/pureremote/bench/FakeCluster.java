package io.pureremote.bench;

import io.fabric8.kubernetes.client.Config;
import io.fabric8.kubernetes.client.ConfigBuilder;
import io.fabric8.kubernetes.client.KubernetesClient;
import io.fabric8.kubernetes.client.KubernetesClientBuilder;
import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStreamReader;
import java.io.OutputStreamWriter;
import java.io.Writer;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.concurrent.TimeUnit;

/**
 * The caller's handle on a {@link BenchClusterMain} child JVM: the mock API server plus the fake
 * kubelet. Hands out clients for the shell (their requests are counted as the shell's) and reads
 * the request counts back. Not thread-safe.
 */
final class FakeCluster implements AutoCloseable {
  /** The image whose containers the fake kubelet runs in its JVM (no child JVM per Job). */
  static final String IN_PROCESS_IMAGE = "inproc";

  private final Process process;
  private final BufferedReader out;
  private final Writer in;
  private final String url;
  private final Path log;
  private final List<KubernetesClient> clients = new ArrayList<>();

  private FakeCluster(Process process, Path log) throws IOException {
    this.process = process;
    this.log = log;
    this.out = new BufferedReader(new InputStreamReader(process.getInputStream(), StandardCharsets.UTF_8));
    this.in = new OutputStreamWriter(process.getOutputStream(), StandardCharsets.UTF_8);
    String ready = out.readLine();
    while (ready != null && !ready.startsWith("ready ")) {
      ready = out.readLine(); // e.g. a JVM notice from JAVA_TOOL_OPTIONS or -XX:StartFlightRecording
    }
    if (ready == null || !ready.startsWith("ready ")) {
      process.destroyForcibly();
      throw new IllegalStateException("the fake cluster did not start (" + ready + "); see " + log + ":\n"
          + tail(log));
    }
    this.url = ready.substring("ready ".length());
  }

  /**
   * Starts the cluster JVM (same java and class path as this one): the fake kubelet for Jobs in
   * {@code kubeletNamespace}, the fast Job controller for Jobs in {@code fastNamespace}. In the
   * smoke run it compiles with C1 only: it is short and nothing there is timed.
   */
  static FakeCluster start(Bench b, String kubeletNamespace, String fastNamespace, String maxHeap) throws IOException {
    List<String> cmd = new ArrayList<>();
    cmd.add(ProcessHandle.current().info().command().orElse(Path.of(System.getProperty("java.home"), "bin", "java").toString()));
    if (Runtime.version().feature() >= 24) {
      cmd.add("--sun-misc-unsafe-memory-access=allow");
    }
    if (!b.sizes.warmUp()) {
      cmd.addAll(List.of("-XX:TieredStopAtLevel=1", "-XX:+UseSerialGC"));
    }
    cmd.add("-Xmx" + maxHeap);
    cmd.addAll(List.of("-cp", System.getProperty("java.class.path"), BenchClusterMain.class.getName(),
        kubeletNamespace, fastNamespace, IN_PROCESS_IMAGE));
    Path log = b.scratch.resolve("fake-cluster-" + b.nextClusterNumber() + ".log");
    Process p = new ProcessBuilder(cmd).redirectError(log.toFile()).start();
    return new FakeCluster(p, log);
  }

  /** The API server's URL, e.g. {@code http://127.0.0.1:40123/}. */
  String url() {
    return url;
  }

  /** A client like the mock server's own (plain HTTP, HTTP/1.1), without an actor header: "the shell". */
  KubernetesClient shellClient() {
    Config config = new ConfigBuilder(Config.empty()).withMasterUrl(url).withTrustCerts(true)
        .withHttp2Disable(true).withOauthToken("secret").build();
    KubernetesClient client = new KubernetesClientBuilder().withConfig(config).build();
    clients.add(client);
    return client;
  }

  /** The shell's API requests by kind since the last {@link #clear()}, e.g. {@code create jobs} → 1000. */
  Map<String, Integer> counts() throws IOException {
    String line = command("counts");
    Map<String, Integer> counts = new TreeMap<>();
    String body = line.substring("counts ".length()).trim();
    if (!body.isEmpty()) {
      for (String kv : body.split(";")) {
        int eq = kv.lastIndexOf('=');
        counts.put(kv.substring(0, eq), Integer.parseInt(kv.substring(eq + 1)));
      }
    }
    return counts;
  }

  /** Stops watch events to everyone: call before closing the shell's watches (see MockKubernetes.quiesce). */
  void quiesce() throws IOException {
    command("quiesce");
  }

  /** Forgets the requests counted so far. */
  void clear() throws IOException {
    command("clear");
  }

  private String command(String command) throws IOException {
    in.write(command + "\n");
    in.flush();
    String line = out.readLine();
    if (line == null || line.startsWith("error")) {
      throw new IllegalStateException("fake cluster: '" + command + "' got " + line + "; see " + log + ":\n" + tail(log));
    }
    return line;
  }

  private static String tail(Path log) {
    try {
      List<String> lines = Files.readAllLines(log);
      return String.join("\n", lines.subList(Math.max(0, lines.size() - 20), lines.size()));
    } catch (IOException e) {
      return "(no log)";
    }
  }

  @Override
  public void close() throws Exception {
    clients.forEach(KubernetesClient::close);
    try {
      in.write("quit\n");
      in.flush();
    } catch (IOException e) {
      // already gone
    }
    if (!process.waitFor(20, TimeUnit.SECONDS)) {
      process.destroyForcibly();
    }
  }
}
