package io.pureremote.k8s;

import io.fabric8.kubernetes.client.KubernetesClient;
import io.fabric8.kubernetes.client.KubernetesClientException;
import io.fabric8.kubernetes.client.dsl.LogWatch;
import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStreamReader;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.time.Instant;
import java.time.format.DateTimeParseException;
import java.util.HashSet;
import java.util.Set;
import java.util.function.BiConsumer;
import java.util.function.BooleanSupplier;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Follows one pod's container log to the caller's log, best effort. A follow stream normally
 * lasts until the container ends; when it ends earlier (API server restart, proxy timeout) the
 * follower re-attaches from the last timestamp it printed and skips lines it already printed.
 * Not thread-safe; one follower per pod, run on its own virtual thread.
 */
final class PodLogFollower implements Runnable {
  private static final Logger log = LoggerFactory.getLogger(PodLogFollower.class);
  private static final Duration FIRST_PAUSE = Duration.ofMillis(500);
  private static final Duration MAX_PAUSE = Duration.ofSeconds(5);
  private static final int MAX_ATTACHMENTS = 1000;

  private final KubernetesClient client;
  private final ApiGate gate;
  private final String namespace;
  private final java.util.function.Predicate<String> podFinished;
  private final BooleanSupplier runDone;
  private final java.util.function.Consumer<String> tail;
  private final String job;
  private final String pod;
  private final BiConsumer<String, String> sink;
  private final BooleanSupplier shellClosed;
  private final Set<LogWatch> openWatches;
  private Instant lastStamp;
  private final Set<String> linesAtLastStamp = new HashSet<>();

  /**
   * @param shellClosed whether the shell closed (stop re-attaching)
   * @param openWatches where open log streams are registered, so closing the shell can close them
   * @param podFinished whether a pod of the run has finished (or the run is over)
   * @param runDone whether the run (the call's Job, or the whole batch) is over
   * @param tail takes each line printed, for the run's own use (a failed call's log tail)
   */
  PodLogFollower(BooleanSupplier shellClosed, Set<LogWatch> openWatches, KubernetesClient client, ApiGate gate,
      String namespace, java.util.function.Predicate<String> podFinished, BooleanSupplier runDone,
      java.util.function.Consumer<String> tail, String job, String pod, BiConsumer<String, String> sink) {
    this.shellClosed = shellClosed;
    this.openWatches = openWatches;
    this.client = client;
    this.gate = gate;
    this.namespace = namespace;
    this.podFinished = podFinished;
    this.runDone = runDone;
    this.tail = tail;
    this.job = job;
    this.pod = pod;
    this.sink = sink;
  }

  @Override
  public void run() {
    String prefix = "[" + job + "/" + pod + "] ";
    Duration pause = FIRST_PAUSE;
    for (int attachment = 0; attachment < MAX_ATTACHMENTS && !shellClosed.getAsBoolean(); attachment++) {
      // If the container had ended before this attachment began, the stream returns everything
      // that is left and closes: no need for another one.
      boolean endedBefore = podFinished.test(pod);
      try {
        String since = lastStamp == null ? null : lastStamp.toString();
        try (LogWatch watch = gate.call("follow the log of pod " + namespace + "/" + pod, () -> open(since))) {
          openWatches.add(watch);
          try {
            read(watch, prefix);
          } finally {
            openWatches.remove(watch);
          }
        }
      } catch (KubernetesClientException e) {
        if (e.getCode() == 404 || e.getCode() == 400) {
          log.debug("{}log not available ({}); stop following", prefix, ApiGate.describe(e));
          return;
        }
        log.debug("{}log stream failed: {}", prefix, ApiGate.describe(e));
      } catch (IOException e) {
        log.debug("{}log stream broke: {}", prefix, e.toString());
      } catch (InterruptedException e) {
        Thread.currentThread().interrupt();
        return;
      }
      if (endedBefore || (runDone.getAsBoolean() && attachment > 0)) {
        return;
      }
      try {
        Thread.sleep(pause);
      } catch (InterruptedException e) {
        Thread.currentThread().interrupt();
        return;
      }
      pause = pause.multipliedBy(2).compareTo(MAX_PAUSE) > 0 ? MAX_PAUSE : pause.multipliedBy(2);
    }
  }

  private LogWatch open(String since) {
    var container = client.pods().inNamespace(namespace).withName(pod).inContainer(JobFactory.CONTAINER);
    return since == null ? container.usingTimestamps().watchLog() : container.usingTimestamps().sinceTime(since).watchLog();
  }

  private void read(LogWatch watch, String prefix) throws IOException {
    try (BufferedReader reader = new BufferedReader(new InputStreamReader(watch.getOutput(), StandardCharsets.UTF_8))) {
      String line;
      while ((line = reader.readLine()) != null) {
        int space = line.indexOf(' ');
        Instant stamp = null;
        String text = line;
        if (space > 0) {
          try {
            stamp = Instant.parse(line.substring(0, space));
            text = line.substring(space + 1);
          } catch (DateTimeParseException e) {
            stamp = null;
          }
        }
        if (stamp != null && lastStamp != null) {
          int cmp = stamp.compareTo(lastStamp);
          // sinceTime is inclusive: lines at the last stamp may come again; skip the ones printed.
          if (cmp < 0 || (cmp == 0 && linesAtLastStamp.contains(text))) {
            continue;
          }
        }
        if (stamp != null) {
          if (!stamp.equals(lastStamp)) {
            linesAtLastStamp.clear();
          }
          lastStamp = stamp;
          linesAtLastStamp.add(text);
        }
        sink.accept(prefix, text);
        tail.accept(text);
      }
    }
  }
}
