package io.pureremote.orchestrator;

import io.fabric8.kubernetes.api.model.DeletionPropagation;
import io.fabric8.kubernetes.api.model.HasMetadata;
import io.fabric8.kubernetes.api.model.Pod;
import io.fabric8.kubernetes.api.model.ServiceAccount;
import io.fabric8.kubernetes.api.model.batch.v1.Job;
import io.fabric8.kubernetes.client.KubernetesClient;
import io.fabric8.kubernetes.client.KubernetesClientBuilder;
import io.fabric8.kubernetes.client.KubernetesClientException;
import io.fabric8.kubernetes.client.dsl.NonDeletingOperation;
import io.pureremote.PureRemoteException;
import io.pureremote.config.ConfigException;
import io.pureremote.config.ConfigProblem;
import io.pureremote.k8s.KubeConfigs;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;
import java.util.function.Consumer;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Orchestrator pods in one namespace: start one ({@link #launch}), follow it to its end ({@link
 * #follow}), list and stop them, and apply the RBAC they need. Each orchestrator is a {@code
 * batch/v1} Job made by {@link OrchestratorManifests#job}.
 *
 * <pre>{@code
 * try (KubernetesClient client = Orchestrators.connect(Optional.empty())) {
 *   Orchestrators orchestrators = new Orchestrators(client, "ml-team");
 *   orchestrators.launch(spec);                                    // or reattaches to a running one
 *   Orchestrators.Ending end = orchestrators.follow(spec.name(), System.out::println, System.err::println,
 *       Duration.ofMinutes(2));
 *   System.exit(end.exitCode());
 * }
 * }</pre>
 *
 * <p>Thread-safe as far as the client is; does not close the client.
 */
public final class Orchestrators {
  private static final Logger log = LoggerFactory.getLogger(Orchestrators.class);

  private final KubernetesClient client;
  private final String namespace;
  private final Duration pollInterval;

  /** How a launch went: a new Job, or an existing running one with the same name. */
  public record Launch(String name, boolean reattached) {}

  /** One orchestrator, as {@code pureremote list} shows it. */
  public record Summary(String name, String status, Instant created, String image, String mainClass) {}

  /**
   * How an orchestrator ended.
   *
   * @param exitCode the driver's exit code when the pod tells it, else 0 for success and 1 otherwise
   * @param reason {@code Completed}, the container's reason ({@code Error}, {@code OOMKilled}), the
   *     Job's ({@code DeadlineExceeded}), {@code ImagePullBackOff}, {@code Stopped} or {@code JobDeleted}
   * @param message what happened, and what to do about it
   */
  public record Ending(int exitCode, String reason, String message) {}

  /** Orchestrators in {@code namespace}, through {@code client}. */
  public Orchestrators(KubernetesClient client, String namespace) {
    this(client, namespace, Duration.ofSeconds(1));
  }

  /**
   * @param pollInterval pause between status checks while following (only while no log stream is
   *     open: a real follow stream blocks until the container ends)
   */
  public Orchestrators(KubernetesClient client, String namespace, Duration pollInterval) {
    this.client = Objects.requireNonNull(client, "client");
    this.namespace = Objects.requireNonNull(namespace, "namespace");
    this.pollInterval = Objects.requireNonNull(pollInterval, "pollInterval");
  }

  /**
   * A client like {@code kubectl}'s: the kubeconfig with {@code kubeContext} (or the current
   * context), else the in-cluster service account.
   *
   * @throws ConfigException when the kubeconfig has contexts but not {@code kubeContext}
   */
  public static KubernetesClient connect(Optional<String> kubeContext) {
    try {
      return new KubernetesClientBuilder().withConfig(KubeConfigs.forContext(kubeContext)).build();
    } catch (IllegalArgumentException e) {
      throw new ConfigException(List.of(new ConfigProblem("configuration", "kube-context", 0, 0, e.getMessage())));
    }
  }

  /** The namespace. */
  public String namespace() {
    return namespace;
  }

  /**
   * Creates the orchestrator's Job, or reattaches when a Job of that name runs already.
   *
   * @throws OrchestratorException when a finished orchestrator (or another Job) has the name, the
   *     service account is missing, or the API refuses (403, 404)
   */
  public Launch launch(OrchestratorSpec spec) {
    if (!spec.namespace().equals(namespace)) {
      throw new IllegalArgumentException("spec is for namespace " + spec.namespace() + ", not " + namespace);
    }
    Optional<Launch> existing = reattach(spec.name());
    if (existing.isPresent()) {
      return existing.get();
    }
    checkServiceAccount(spec.serviceAccount());
    try {
      client.batch().v1().jobs().inNamespace(namespace).resource(OrchestratorManifests.job(spec)).create();
      log.info("created orchestrator Job {}/{}", namespace, spec.name());
      return new Launch(spec.name(), false);
    } catch (KubernetesClientException e) {
      if (e.getCode() == 409) {
        // Another `orchestrate` with this name won the race: attach to its Job.
        return reattach(spec.name()).orElseThrow(() -> new OrchestratorException(
            "Job " + namespace + "/" + spec.name() + " appeared and vanished while creating it; run again", e));
      }
      throw apiError("create Job " + namespace + "/" + spec.name(), e);
    }
  }

  private Optional<Launch> reattach(String name) {
    Job job = job(name);
    if (job == null) {
      return Optional.empty();
    }
    if (!isOrchestrator(job)) {
      throw new OrchestratorException("A Job named " + name + " exists in namespace " + namespace
          + " and is not a Pure Remote orchestrator; choose another --name");
    }
    Optional<Ending> end = OrchestratorStatus.ending(name, job, driverPod(name).orElse(null));
    if (end.isPresent()) {
      throw new OrchestratorException("Orchestrator " + name + " in namespace " + namespace + " has already ended ("
          + end.get().reason() + "); see its log with `pureremote attach " + name + "`, delete it with `pureremote stop "
          + name + "`, or choose another --name");
    }
    return Optional.of(new Launch(name, true));
  }

  private void checkServiceAccount(String serviceAccount) {
    ServiceAccount sa;
    try {
      sa = client.serviceAccounts().inNamespace(namespace).withName(serviceAccount).get();
    } catch (KubernetesClientException e) {
      if (e.getCode() == 403) {
        return; // may not read service accounts: the Job controller will tell if it is missing
      }
      throw apiError("get service account " + namespace + "/" + serviceAccount, e);
    }
    if (sa == null) {
      throw new OrchestratorException("Service account " + serviceAccount + " does not exist in namespace " + namespace
          + ", so the orchestrator pod could not start; run with --apply-rbac, or ask an admin to apply the manifests"
          + " printed by `pureremote orchestrate --print-rbac --namespace " + namespace + " --service-account "
          + serviceAccount + " ...`");
    }
  }

  /** The orchestrator named {@code name}, if there is one. */
  public Optional<Summary> get(String name) {
    Job job = job(name);
    if (job == null || !isOrchestrator(job)) {
      return Optional.empty();
    }
    return Optional.of(summary(job, driverPod(name).orElse(null)));
  }

  /** Every orchestrator in the namespace, newest first. */
  public List<Summary> list() {
    try {
      List<Job> jobs = client.batch().v1().jobs().inNamespace(namespace)
          .withLabel(OrchestratorManifests.MANAGED_BY, OrchestratorManifests.MANAGER)
          .withLabel(OrchestratorManifests.COMPONENT, OrchestratorManifests.ORCHESTRATOR).list().getItems();
      Map<String, List<Pod>> podsByJob = new HashMap<>();
      for (Pod p : client.pods().inNamespace(namespace)
          .withLabel(OrchestratorManifests.COMPONENT, OrchestratorManifests.ORCHESTRATOR).list().getItems()) {
        String job = p.getMetadata().getLabels() == null ? null : p.getMetadata().getLabels().get(OrchestratorManifests.NAME_LABEL);
        if (job != null) {
          podsByJob.computeIfAbsent(job, k -> new ArrayList<>()).add(p);
        }
      }
      List<Summary> out = new ArrayList<>();
      for (Job j : jobs) {
        String name = j.getMetadata().getName();
        out.add(summary(j, OrchestratorStatus.newest(podsByJob.getOrDefault(name, List.of())).orElse(null)));
      }
      out.sort(Comparator.comparing(Summary::created, Comparator.nullsLast(Comparator.reverseOrder()))
          .thenComparing(Summary::name));
      return out;
    } catch (KubernetesClientException e) {
      throw apiError("list Jobs in namespace " + namespace, e);
    }
  }

  /**
   * Deletes the orchestrator's Job with foreground propagation (its pod goes first; the Jobs of
   * calls the driver started are deleted by nobody here, but a driver that is killed leaves them
   * to their TTL).
   *
   * @return false when there is no such orchestrator
   * @throws OrchestratorException when a Job of that name is not an orchestrator, or the API refuses
   */
  public boolean stop(String name) {
    Job job = job(name);
    if (job == null) {
      return false;
    }
    if (!isOrchestrator(job)) {
      throw new OrchestratorException("Job " + namespace + "/" + name + " is not a Pure Remote orchestrator; not deleting it");
    }
    try {
      client.batch().v1().jobs().inNamespace(namespace).withName(name)
          .withPropagationPolicy(DeletionPropagation.FOREGROUND).delete();
      log.info("deleted orchestrator Job {}/{}", namespace, name);
      return true;
    } catch (KubernetesClientException e) {
      throw apiError("delete Job " + namespace + "/" + name, e);
    }
  }

  /**
   * Follows the orchestrator to its end: the driver's log lines go to {@code lines} (each once,
   * across reconnects and pod replacements), changes of its waiting state to {@code notices}.
   * An image that keeps failing to pull for {@code imagePullBound} ends it (and its Job is
   * deleted, so the same name can be used again once the image is fixed).
   *
   * @throws OrchestratorException when the API refuses
   */
  public Ending follow(String name, Consumer<String> lines, Consumer<String> notices, Duration imagePullBound)
      throws InterruptedException {
    DriverLog driverLog = null;
    Instant pullFailingSince = null;
    String lastNotice = null;
    while (true) {
      Job job = job(name);
      Pod pod = job == null ? null : driverPod(name).orElse(null);
      Optional<Ending> end = OrchestratorStatus.ending(name, job, pod);
      if (OrchestratorStatus.started(pod)) {
        String podName = pod.getMetadata().getName();
        if (driverLog == null || !driverLog.pod().equals(podName)) {
          if (driverLog != null) {
            notices.accept("driver pod " + driverLog.pod() + " was replaced by " + podName + " (evicted or preempted)");
          }
          driverLog = new DriverLog(client, namespace, podName, lines);
        }
        driverLog.pump();
      }
      if (end.isPresent()) {
        return end.get();   // the pump above ran after the end was seen: nothing is left unprinted
      }
      Optional<String> waiting = OrchestratorStatus.waiting(pod).map(OrchestratorStatus::describe);
      String reason = OrchestratorStatus.waiting(pod).map(w -> w.getReason()).orElse(null);
      if (reason != null && OrchestratorStatus.HOPELESS.contains(reason)) {
        return deleteAfter(name, new Ending(1, reason, waiting.orElse(reason)));
      }
      if (reason != null && OrchestratorStatus.IMAGE_PULL.contains(reason)) {
        pullFailingSince = pullFailingSince == null ? Instant.now() : pullFailingSince;
        if (!Instant.now().isBefore(pullFailingSince.plus(imagePullBound))) {
          return deleteAfter(name, new Ending(1, "ImagePullBackOff", "the image " + image(job)
              + " could not be pulled for " + imagePullBound.toSeconds() + " s (" + waiting.orElse(reason)
              + "); check its name and tag, and that the cluster may pull from its registry"));
        }
      } else {
        pullFailingSince = null;
      }
      String notice = pod == null ? "waiting for the driver pod" : waiting.map(w -> "waiting: " + w).orElse(null);
      if (notice != null && !notice.equals(lastNotice)) {
        notices.accept(notice);
      }
      lastNotice = notice;
      Thread.sleep(pollInterval);
    }
  }

  private Ending deleteAfter(String name, Ending ending) {
    stop(name);
    return new Ending(ending.exitCode(), ending.reason(), ending.message() + "; the Job was deleted");
  }

  /**
   * Applies the service account (created only when missing: an existing one may carry a workload
   * identity), the Role and the RoleBinding, create-or-update.
   *
   * @return what was done, one line per object ({@code created role/pureremote-orchestrator})
   * @throws OrchestratorException on 403 (ask an admin to apply the printed manifests) or another refusal
   */
  public List<String> applyRbac(String serviceAccount) {
    List<String> done = new ArrayList<>();
    List<HasMetadata> manifests = OrchestratorManifests.rbac(namespace, serviceAccount);
    for (HasMetadata m : manifests) {
      String what = m.getKind().toLowerCase(java.util.Locale.ROOT) + "/" + m.getMetadata().getName();
      try {
        if (m instanceof ServiceAccount sa) {
          if (client.serviceAccounts().inNamespace(namespace).withName(sa.getMetadata().getName()).get() != null) {
            done.add("kept " + what + " (exists)");
            continue;
          }
          client.serviceAccounts().inNamespace(namespace).resource(sa).create();
          done.add("created " + what);
          continue;
        }
        boolean existed = client.resource(m).inNamespace(namespace).get() != null;
        client.resource(m).inNamespace(namespace).createOr(NonDeletingOperation::update);
        done.add((existed ? "updated " : "created ") + what);
      } catch (KubernetesClientException e) {
        if (e.getCode() == 403) {
          throw new OrchestratorException("Your credentials may not manage " + what + " in namespace " + namespace
              + " (403 Forbidden: " + e.getStatus().getMessage() + "). Ask a cluster admin to apply the manifests"
              + " printed by `pureremote orchestrate --print-rbac --namespace " + namespace + " --service-account "
              + serviceAccount + " ...`" + (done.isEmpty() ? "" : "; done so far: " + String.join(", ", done)), e);
        }
        throw apiError("apply " + what + " in namespace " + namespace, e);
      }
    }
    return done;
  }

  private Job job(String name) {
    try {
      return client.batch().v1().jobs().inNamespace(namespace).withName(name).get();
    } catch (KubernetesClientException e) {
      throw apiError("get Job " + namespace + "/" + name, e);
    }
  }

  private Optional<Pod> driverPod(String name) {
    try {
      return OrchestratorStatus.newest(client.pods().inNamespace(namespace)
          .withLabel(OrchestratorManifests.NAME_LABEL, name).list().getItems());
    } catch (KubernetesClientException e) {
      throw apiError("list the pods of Job " + namespace + "/" + name, e);
    }
  }

  private static boolean isOrchestrator(Job job) {
    Map<String, String> labels = job.getMetadata().getLabels();
    return labels != null && OrchestratorManifests.ORCHESTRATOR.equals(labels.get(OrchestratorManifests.COMPONENT))
        && OrchestratorManifests.MANAGER.equals(labels.get(OrchestratorManifests.MANAGED_BY));
  }

  private static Summary summary(Job job, Pod pod) {
    String created = job.getMetadata().getCreationTimestamp();
    Map<String, String> annotations = job.getMetadata().getAnnotations();
    return new Summary(job.getMetadata().getName(), OrchestratorStatus.summary(job, pod),
        created == null ? null : Instant.parse(created), image(job),
        annotations == null ? "" : annotations.getOrDefault(OrchestratorManifests.MAIN_ANNOTATION, ""));
  }

  private static String image(Job job) {
    try {
      return job.getSpec().getTemplate().getSpec().getContainers().getFirst().getImage();
    } catch (RuntimeException e) {
      return "";
    }
  }

  private OrchestratorException apiError(String what, KubernetesClientException e) {
    String why = e.getStatus() != null && e.getStatus().getMessage() != null ? e.getStatus().getMessage() : e.getMessage();
    String hint = switch (e.getCode()) {
      case 401 -> ": your credentials were refused; log in again (e.g. az aks get-credentials, aws eks update-kubeconfig)";
      case 403 -> ": your credentials may not do this in namespace " + namespace + "; ask an admin for a Role allowing"
          + " create/get/list/watch/delete on jobs and get/list/watch on pods and pods/log there";
      case 404 -> ": does namespace " + namespace + " exist? Create it, or choose another with --namespace or --team";
      default -> "";
    };
    return new OrchestratorException("Cannot " + what + " (" + (e.getCode() > 0 ? e.getCode() + " " : "") + why + ")" + hint, e);
  }

  /** An orchestrator operation failed; the message says why and what to do. */
  public static final class OrchestratorException extends PureRemoteException {
    OrchestratorException(String message) {
      super(message);
    }

    OrchestratorException(String message, Throwable cause) {
      super(message, cause);
    }
  }
}
