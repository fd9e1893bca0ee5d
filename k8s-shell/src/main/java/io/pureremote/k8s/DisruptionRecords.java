package io.pureremote.k8s;

import io.fabric8.kubernetes.api.model.Pod;
import io.fabric8.kubernetes.api.model.PodCondition;
import io.pureremote.MemoEntry;
import io.pureremote.spi.BlobStore;
import io.pureremote.spi.Shell.LaunchRequest;
import java.time.Instant;
import java.time.format.DateTimeParseException;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Writes the run record of a disrupted pod into its call's {@code runs/}: a pod that is evicted,
 * preempted or loses its node, or whose Job the queue (Kueue) suspends again, is killed before it
 * can write one, and the reason (the pod's {@code DisruptionTarget} condition, Kueue's Workload) is
 * known only to the cluster, so the shell that watched it go records it ({@link MemoEntry#recordRun}). Stores are opened from the call's memo URI with the
 * settings the pod gets ({@code PUREREMOTE_STORE_*}), once per root, and closed with the shell.
 * Best effort: a record that cannot be written is logged, and the call goes on. Thread-safe.
 */
final class DisruptionRecords implements AutoCloseable {
  private static final Logger log = LoggerFactory.getLogger(DisruptionRecords.class);

  private final Map<String, BlobStore> stores = new ConcurrentHashMap<>();
  private volatile boolean closed;

  /**
   * Records that {@code pod} (of Job {@code job}; {@code index} of a batch, or null) of the call
   * {@code request} was disrupted for {@code reason}.
   */
  void record(LaunchRequest request, String job, Integer index, Pod pod, String reason) {
    write(request, job, index, pod, disruptedAt(pod), "disrupted: " + reason, Map.of());
  }

  /**
   * Records that {@code pod} of the call {@code request} was stopped because the queue suspended
   * its Job again after admitting it (a Kueue preemption or eviction), which requeues the call
   * without spending its retries: status {@code requeued: <why>}, with {@code details} (the queue,
   * Kueue's reason) among the record's fields.
   */
  void recordRequeued(LaunchRequest request, String job, Integer index, Pod pod, String why, Map<String, String> details) {
    write(request, job, index, pod, Instant.now(), "requeued: " + why, details);
  }

  private void write(LaunchRequest request, String job, Integer index, Pod pod, Instant ended, String status,
      Map<String, String> extra) {
    if (closed) {
      return;
    }
    try {
      MemoEntry.Address address = MemoEntry.parseUri(request.memoUri());
      Map<String, String> settings = BlobStore.fromEnvironment(request.environment());
      BlobStore store = stores.computeIfAbsent(address.root() + " " + settings, k -> BlobStore.open(address.root(), settings,
          loader()));
      String podName = pod.getMetadata().getName();
      String node = pod.getSpec() == null ? null : pod.getSpec().getNodeName();
      Map<String, String> details = new LinkedHashMap<>();
      details.put("pod", podName);
      details.put("job", job);
      if (index != null) {
        details.put("index", index.toString());
      }
      details.putAll(extra);
      details.put("recordedBy", "kubernetes shell (the pod was killed before it could record its run)");
      Instant started = instant(pod.getStatus() == null ? null : pod.getStatus().getStartTime(), ended);
      String uri = MemoEntry.at(store, request.memoUri()).recordRun(node == null ? podName : node, started, ended,
          status, details);
      log.debug("{}: recorded the end of pod {} ({}) at {}", request.shortLabel(), podName, status, uri);
    } catch (RuntimeException e) {
      log.warn("{}: cannot record the end of pod {} in the call's runs/ ({}); the call goes on",
          request.shortLabel(), pod.getMetadata().getName(), e.toString());
    }
  }

  @Override
  public void close() {
    closed = true;
    for (BlobStore store : stores.values()) {
      try {
        store.close();
      } catch (RuntimeException e) {
        log.debug("closing a store opened for disruption records failed: {}", e.toString());
      }
    }
    stores.clear();
  }

  private static ClassLoader loader() {
    ClassLoader context = Thread.currentThread().getContextClassLoader();
    return context != null ? context : DisruptionRecords.class.getClassLoader();
  }

  /** When the pod got its {@code DisruptionTarget} condition; now when unknown. */
  private static Instant disruptedAt(Pod pod) {
    Instant now = Instant.now();
    if (pod.getStatus() == null || pod.getStatus().getConditions() == null) {
      return now;
    }
    for (PodCondition c : pod.getStatus().getConditions()) {
      if ("DisruptionTarget".equals(c.getType())) {
        return instant(c.getLastTransitionTime(), now);
      }
    }
    return now;
  }

  private static Instant instant(String text, Instant otherwise) {
    if (text == null) {
      return otherwise;
    }
    try {
      return Instant.parse(text);
    } catch (DateTimeParseException e) {
      return otherwise;
    }
  }
}
