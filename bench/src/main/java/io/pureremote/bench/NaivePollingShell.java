package io.pureremote.bench;

import io.fabric8.kubernetes.api.model.batch.v1.Job;
import io.fabric8.kubernetes.api.model.batch.v1.JobStatus;
import io.fabric8.kubernetes.client.KubernetesClient;
import io.pureremote.k8s.KubernetesShell;
import io.pureremote.spi.Shell.Launch;
import io.pureremote.spi.Shell.LaunchRequest;
import io.pureremote.spi.Shell.Outcome;
import io.pureremote.spi.Shell;
import java.time.Duration;
import java.util.concurrent.CompletableFuture;

/**
 * The baseline for Kubernetes API load: what a first implementation does. It creates the very Job
 * {@link KubernetesShell} would create ({@link KubernetesShell#job}), then GETs that Job every
 * {@code pollEvery} until it has succeeded or failed: one request per Job per interval, on a
 * virtual thread per call. No watches, no rate limit, no retries.
 */
final class NaivePollingShell implements Shell {
  private final KubernetesClient client;
  private final KubernetesShell jobSpecs;
  private final Duration pollEvery;

  NaivePollingShell(KubernetesClient client, KubernetesShell jobSpecs, Duration pollEvery) {
    this.client = client;
    this.jobSpecs = jobSpecs;
    this.pollEvery = pollEvery;
  }

  @Override
  public String name() {
    return "naive-polling";
  }

  /** False: its calls run in pods, which cannot read this machine's folders. */
  @Override
  public boolean readsCallerFolders() {
    return false;
  }

  @Override
  public Launch launch(LaunchRequest request) {
    Job job = jobSpecs.job(request);
    String namespace = jobSpecs.options().namespace();
    String name = job.getMetadata().getName();
    CompletableFuture<Outcome> completion = new CompletableFuture<>();
    Thread thread = Thread.ofVirtual().name("naive-" + name).start(() -> {
      try {
        client.batch().v1().jobs().inNamespace(namespace).resource(job).create();
        while (true) {
          Thread.sleep(pollEvery);
          Job now = client.batch().v1().jobs().inNamespace(namespace).withName(name).get();
          JobStatus status = now == null ? null : now.getStatus();
          if (now == null) {
            completion.complete(new Outcome("JobDeleted", null, name));
            return;
          }
          if (status != null && status.getSucceeded() != null && status.getSucceeded() > 0) {
            completion.complete(Outcome.exited(0, ""));
            return;
          }
          if (status != null && status.getFailed() != null && status.getFailed() > 0) {
            completion.complete(new Outcome("Failed", null, name));
            return;
          }
        }
      } catch (InterruptedException e) {
        completion.complete(new Outcome("Cancelled", null, "interrupted"));
      } catch (RuntimeException e) {
        completion.completeExceptionally(e);
      }
    });
    return new Launch() {
      @Override
      public CompletableFuture<Outcome> completion() {
        return completion;
      }

      @Override
      public void cancel() {
        thread.interrupt();
      }

      @Override
      public String description() {
        return "job " + namespace + "/" + name;
      }
    };
  }
}
