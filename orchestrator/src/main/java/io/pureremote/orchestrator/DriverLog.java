package io.pureremote.orchestrator;

import io.fabric8.kubernetes.client.KubernetesClient;
import io.fabric8.kubernetes.client.KubernetesClientException;
import io.fabric8.kubernetes.client.dsl.LogWatch;
import io.fabric8.kubernetes.client.dsl.PodResource;
import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStreamReader;
import java.nio.charset.StandardCharsets;
import java.time.Instant;
import java.time.format.DateTimeParseException;
import java.util.HashSet;
import java.util.Set;
import java.util.function.Consumer;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The log of one driver pod, printed once. Each {@link #pump} follows the log until its stream
 * ends (the container ended, or the connection dropped); the next pump resumes from the last
 * timestamp printed and skips the lines already printed at that timestamp. Not thread-safe.
 */
final class DriverLog {
  private static final Logger log = LoggerFactory.getLogger(DriverLog.class);

  private final KubernetesClient client;
  private final String namespace;
  private final String pod;
  private final Consumer<String> sink;
  private Instant lastStamp;
  private final Set<String> linesAtLastStamp = new HashSet<>();

  DriverLog(KubernetesClient client, String namespace, String pod, Consumer<String> sink) {
    this.client = client;
    this.namespace = namespace;
    this.pod = pod;
    this.sink = sink;
  }

  String pod() {
    return pod;
  }

  /** Follows the log until the stream ends; failures are logged at debug and leave it for the next pump. */
  void pump() {
    PodResource resource = client.pods().inNamespace(namespace).withName(pod);
    var container = resource.inContainer(OrchestratorManifests.CONTAINER).usingTimestamps();
    try (LogWatch watch = lastStamp == null ? container.watchLog() : container.sinceTime(lastStamp.toString()).watchLog();
        BufferedReader reader = new BufferedReader(new InputStreamReader(watch.getOutput(), StandardCharsets.UTF_8))) {
      String line;
      while ((line = reader.readLine()) != null) {
        accept(line);
      }
    } catch (KubernetesClientException e) {
      log.debug("log of pod {}/{} not available: {}", namespace, pod, e.getMessage());
    } catch (IOException e) {
      log.debug("log stream of pod {}/{} broke: {}", namespace, pod, e.toString());
    }
  }

  private void accept(String line) {
    int space = line.indexOf(' ');
    Instant stamp;
    try {
      stamp = space > 0 ? Instant.parse(line.substring(0, space)) : null;
    } catch (DateTimeParseException e) {
      stamp = null;
    }
    if (stamp == null) {
      // With timestamps=true every log line starts with one. fabric8's watchLog hands over the
      // body of an error response (a Status: 400 "waiting to start", 404) as if it were the log.
      log.debug("not a log line of pod {}/{} (an API error?): {}", namespace, pod, line);
      return;
    }
    String text = line.substring(space + 1);
    if (lastStamp != null) {
      int cmp = stamp.compareTo(lastStamp);
      // sinceTime is inclusive (and second-granular on some servers): skip what was printed.
      if (cmp < 0 || (cmp == 0 && linesAtLastStamp.contains(text))) {
        return;
      }
    }
    if (!stamp.equals(lastStamp)) {
      linesAtLastStamp.clear();
    }
    lastStamp = stamp;
    linesAtLastStamp.add(text);
    sink.accept(text);
  }
}
