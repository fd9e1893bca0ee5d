package io.pureremote.testing.kubernetes;

import io.fabric8.kubernetes.api.model.Container;
import io.fabric8.kubernetes.api.model.EnvVar;
import io.fabric8.kubernetes.api.model.Pod;
import io.fabric8.mockwebserver.http.MockResponse;
import io.fabric8.mockwebserver.http.RecordedRequest;
import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStreamReader;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Collection;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * The kubelet's part for bare pods that an operator fixture creates itself (the training operator
 * creates pods, not Jobs): each container runs as a local process of its image's entrypoint, with
 * the pod's env (plain values and the downward API's name, labels and annotations), a hosts file
 * standing in for cluster DNS, and its output kept as the pod's log. Thread-safe.
 */
final class LocalContainers {
  private static final Pattern FIELD = Pattern.compile("metadata\\.(annotations|labels)\\['([^']+)'\\]");

  private final Map<String, List<String>> commands = new ConcurrentHashMap<>();
  private final Map<String, List<String>> logs = new ConcurrentHashMap<>();
  private final Map<String, Process> processes = new ConcurrentHashMap<>();

  void image(String image, List<String> entrypoint) {
    commands.put(image, List.copyOf(entrypoint));
  }

  /** Starts {@code pod}'s first container; the future completes with its exit code. */
  CompletableFuture<Integer> start(Pod pod, Path hostsFile) {
    Container container = pod.getSpec().getContainers().getFirst();
    String name = pod.getMetadata().getName();
    CompletableFuture<Integer> done = new CompletableFuture<>();
    List<String> entrypoint = container.getCommand() != null && !container.getCommand().isEmpty() ? container.getCommand()
        : commands.get(container.getImage());
    if (entrypoint == null) {
      done.completeExceptionally(new IllegalStateException("no command for image " + container.getImage()
          + " (give it with image(name, FakeKubelet.javaEntrypoint()))"));
      return done;
    }
    List<String> cmd = new ArrayList<>(entrypoint);
    cmd.addAll(container.getArgs() == null ? List.of() : container.getArgs());
    ProcessBuilder pb = new ProcessBuilder(cmd).redirectErrorStream(true);
    pb.environment().putAll(env(container, pod));
    if (hostsFile != null) {
      pb.environment().merge("JDK_JAVA_OPTIONS", "-Djdk.net.hosts.file=" + hostsFile, (a, b) -> a + " " + b);
    }
    List<String> sink = new CopyOnWriteArrayList<>();
    logs.put(name, sink);
    try {
      Process p = pb.start();
      processes.put(name, p);
      Thread.ofVirtual().name("local-container-" + name).start(() -> {
        try (BufferedReader r = new BufferedReader(new InputStreamReader(p.getInputStream(), StandardCharsets.UTF_8))) {
          String line;
          while ((line = r.readLine()) != null) {
            sink.add(line);
          }
        } catch (IOException e) {
          // the process was killed
        }
      });
      p.onExit().thenAccept(ph -> done.complete(ph.exitValue()));
    } catch (IOException e) {
      done.completeExceptionally(e);
    }
    return done;
  }

  /** Kills the process of {@code pod} (SIGKILL), if it runs. */
  void kill(String pod) {
    Process p = processes.remove(pod);
    if (p != null) {
      p.destroyForcibly();
    }
  }

  void killAll() {
    List.copyOf(processes.keySet()).forEach(this::kill);
  }

  /** A hosts file mapping each of {@code names} (and its {@code .<ns>.svc[.cluster.local]} forms) to loopback. */
  static Path hostsFile(String prefix, String namespace, Collection<String> names) {
    StringBuilder hosts = new StringBuilder("127.0.0.1 localhost\n");
    try {
      hosts.append("127.0.0.1 ").append(java.net.InetAddress.getLocalHost().getHostName()).append('\n');
    } catch (java.net.UnknownHostException e) {
      // this machine's own name does not resolve; nothing to copy
    }
    for (String n : names) {
      hosts.append("127.0.0.1 ").append(n).append(' ').append(n).append('.').append(namespace).append(".svc ")
          .append(n).append('.').append(namespace).append(".svc.cluster.local\n");
    }
    try {
      Path file = Files.createTempFile(prefix, ".hosts");
      Files.writeString(file, hosts);
      file.toFile().deleteOnExit();
      return file;
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }

  /** The log of one of these pods, or 404 (another fixture's pod). */
  MockResponse serveLog(RecordedRequest request) {
    String path = request.getPath();
    String bare = path.contains("?") ? path.substring(0, path.indexOf('?')) : path;
    String[] seg = bare.split("/");
    List<String> lines = logs.get(seg[seg.length - 2]);
    if (lines == null) {
      return MockKubernetes.status(404, "NotFound", "pods \\\"" + seg[seg.length - 2] + "\\\" not found");
    }
    StringBuilder body = new StringBuilder();
    lines.forEach(l -> body.append(l).append('\n'));
    return new MockResponse().setResponseCode(200).setHeader("Content-Type", "text/plain").setBody(body.toString());
  }

  private static Map<String, String> env(Container container, Pod pod) {
    Map<String, String> env = new LinkedHashMap<>();
    for (EnvVar var : container.getEnv() == null ? List.<EnvVar>of() : container.getEnv()) {
      if (var.getValue() != null) {
        env.put(var.getName(), var.getValue());
      } else if (var.getValueFrom() != null && var.getValueFrom().getFieldRef() != null) {
        String path = var.getValueFrom().getFieldRef().getFieldPath();
        if ("metadata.name".equals(path)) {
          env.put(var.getName(), pod.getMetadata().getName());
          continue;
        }
        Matcher m = FIELD.matcher(path);
        if (m.matches()) {
          Map<String, String> values = m.group(1).equals("labels") ? pod.getMetadata().getLabels()
              : pod.getMetadata().getAnnotations();
          if (values != null && values.get(m.group(2)) != null) {
            env.put(var.getName(), values.get(m.group(2)));
          }
        }
      }
    }
    return env;
  }
}
