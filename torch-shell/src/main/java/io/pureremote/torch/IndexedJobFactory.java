package io.pureremote.torch;

import io.fabric8.kubernetes.api.model.EnvVar;
import io.fabric8.kubernetes.api.model.EnvVarBuilder;
import io.fabric8.kubernetes.api.model.OwnerReferenceBuilder;
import io.fabric8.kubernetes.api.model.PodSpecBuilder;
import io.fabric8.kubernetes.api.model.Service;
import io.fabric8.kubernetes.api.model.ServiceBuilder;
import io.fabric8.kubernetes.api.model.batch.v1.Job;
import io.fabric8.kubernetes.api.model.batch.v1.JobBuilder;
import io.fabric8.kubernetes.api.model.batch.v1.JobSpecBuilder;
import io.fabric8.kubernetes.api.model.batch.v1.PodFailurePolicy;
import io.fabric8.kubernetes.api.model.batch.v1.PodFailurePolicyBuilder;
import io.pureremote.Distributed.TorchDistributed;
import io.pureremote.k8s.ClusterFeatures;
import io.pureremote.k8s.PodSpecs;
import io.pureremote.spi.Shell.LaunchRequest;
import io.pureremote.spi.Shell.Outcome;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * The no-operator backend's objects: an Indexed {@code batch/v1} Job (one pod per node, {@code
 * completions = parallelism = nodes}, node rank = completion index) and the headless Service that
 * gives each pod the DNS name {@code <job>-<index>.<service>}, so node 0 is the rendezvous master.
 * What the server supports decides two fields (see {@link ClusterFeatures}): from 1.33 {@code
 * successPolicy} (the Job is done once index 0, the only committer, succeeded) and {@code
 * backoffLimitPerIndex}/{@code maxFailedIndexes}; before, the shell itself ends the call when node
 * 0's pod succeeded and {@code backoffLimit} is the per-node budget × nodes. Stateless.
 */
final class IndexedJobFactory {
  static final String BACKEND = "indexed-job";
  /** The container every node's pod runs (TrainJob's name for it). */
  static final String CONTAINER = "node";
  /** Label on the Job and its Service: which torch backend made it (the informer selects on it). */
  static final String BACKEND_LABEL = "pureremote.io/torch-backend";
  /** Set by the Job controller on every pod of an Indexed Job (annotation GA 1.24, label 1.28+). */
  static final String COMPLETION_INDEX = "batch.kubernetes.io/job-completion-index";
  /** Set by the Job controller on every pod (1.27+); the Service selects node pods with it. */
  static final String JOB_NAME_LABEL = "batch.kubernetes.io/job-name";
  /** The pod failure policy rule that fails the Job on a disruption; the shell re-creates the run then. */
  static final int DISRUPTION_RULE = 1;

  private final TorchShellOptions options;

  IndexedJobFactory(TorchShellOptions options) {
    this.options = options;
  }

  /** Node 0's address, the rendezvous master: {@code <job>-0.<service>} (the Service is named like the Job). */
  static String masterAddress(String name) {
    return name + "-0." + name;
  }

  Job job(LaunchRequest request, String name, int attempt, ClusterFeatures features) {
    int nodes = options.nodes();
    Map<String, String> labels = callLabels(options, request, BACKEND);
    Map<String, String> annotations = callAnnotations(options, request, attempt);

    PodSpecBuilder pod = PodSpecs.podSpec(options.pod(), CONTAINER, List.of(), request.remoteMainArgs(),
        env(request, name)).withRestartPolicy("Never").withSubdomain(name);
    JobSpecBuilder spec = new JobSpecBuilder()
        .withCompletionMode("Indexed")
        .withCompletions(nodes)
        .withParallelism(nodes)
        // Never two pods of one index at once (the server requires Failed with a podFailurePolicy).
        .withPodReplacementPolicy("Failed")
        .withPodFailurePolicy(podFailurePolicy())
        .withTtlSecondsAfterFinished((int) options.ttlAfterFinished().toSeconds())
        .withNewTemplate()
          .withNewMetadata().withLabels(labels).endMetadata()
          .withSpec(pod.build())
        .endTemplate();
    if (!options.pod().annotations().isEmpty()) {
      spec.editTemplate().editMetadata().withAnnotations(new LinkedHashMap<>(options.pod().annotations())).endMetadata().endTemplate();
    }
    if (features.perIndexBackoff()) {
      spec.withBackoffLimitPerIndex(options.backoffLimitPerIndex()).withMaxFailedIndexes(0);
    } else {
      spec.withBackoffLimit(options.backoffLimitPerIndex() * nodes);
    }
    if (features.successPolicy()) {
      spec.withNewSuccessPolicy().addNewRule().withSucceededIndexes("0").endRule().endSuccessPolicy();
    }
    options.activeDeadline().ifPresent(d -> spec.withActiveDeadlineSeconds(d.toSeconds()));
    return new JobBuilder()
        .withNewMetadata().withName(name).withNamespace(options.namespace()).withLabels(labels).withAnnotations(annotations)
        .endMetadata()
        .withSpec(spec.build())
        .build();
  }

  /**
   * The headless Service {@code name} for the pods of Job {@code name}, owned by the Job (uid
   * {@code jobUid}) so deleting the Job deletes it. Not-ready addresses are published: the nodes
   * have no readiness probe and must find the master while it starts.
   */
  Service service(String name, String jobUid, Map<String, String> jobLabels) {
    return new ServiceBuilder()
        .withNewMetadata().withName(name).withNamespace(options.namespace()).withLabels(new LinkedHashMap<>(jobLabels))
          .withOwnerReferences(new OwnerReferenceBuilder().withApiVersion("batch/v1").withKind("Job").withName(name)
              .withUid(jobUid).withController(true).withBlockOwnerDeletion(true).build())
        .endMetadata()
        .withNewSpec()
          .withClusterIP("None")
          .withPublishNotReadyAddresses(true)
          .withSelector(Map.of(JOB_NAME_LABEL, name))
          .addNewPort().withName("rendezvous").withProtocol("TCP").withPort(options.masterPort())
            .withNewTargetPort(options.masterPort()).endPort()
        .endSpec()
        .build();
  }

  static PodFailurePolicy podFailurePolicy() {
    return new PodFailurePolicyBuilder()
        // The function threw: another run gives the same error.
        .addNewRule()
          .withAction("FailJob")
          .withNewOnExitCodes().withContainerName(CONTAINER).withOperator("In").withValues(Outcome.EXIT_FUNCTION_FAILED)
          .endOnExitCodes()
        .endRule()
        // A static rendezvous cannot take a replaced node back: fail the Job so the shell re-creates
        // the whole run (without spending the caller's retries) instead of a lone replacement pod.
        .addNewRule()
          .withAction("FailJob")
          .addNewOnPodCondition().withType("DisruptionTarget").withStatus("True").endOnPodCondition()
        .endRule()
        .build();
  }

  /**
   * Every backend's plain container variables: the runtime's first, the user's may override them,
   * then the call identity and {@value TorchDistributed#ENV_BACKEND} = {@code backend} (the
   * rendezvous variables come after, from the shell or the operator).
   */
  static Map<String, String> callEnv(TorchShellOptions options, LaunchRequest request, String backend) {
    PodSpecs.environmentProblem(request, "PodTemplateOptions").ifPresent(p -> {
      throw new IllegalArgumentException(p);
    });
    Map<String, String> plain = new LinkedHashMap<>(request.environment());
    plain.putAll(options.pod().env());
    plain.put("PUREREMOTE_FUNCTION", request.function().name());
    plain.put("PUREREMOTE_FUNCTION_VERSION", request.function().version());
    plain.put("PUREREMOTE_ARGS_HASH", request.argsHash());
    plain.put("PUREREMOTE_MEMO_URI", request.memoUri());
    plain.put("PUREREMOTE_K8S_NAMESPACE", options.namespace());
    plain.put(TorchDistributed.ENV_BACKEND, backend);
    return plain;
  }

  /** The labels and annotations every backend's top object and pods carry. */
  static Map<String, String> callLabels(TorchShellOptions options, LaunchRequest request, String backend) {
    Map<String, String> labels = new LinkedHashMap<>(PodSpecs.callLabels(options.pod(), request));
    labels.put(BACKEND_LABEL, backend);
    return labels;
  }

  static Map<String, String> callAnnotations(TorchShellOptions options, LaunchRequest request, int attempt) {
    Map<String, String> annotations = new LinkedHashMap<>(options.pod().annotations());
    annotations.put(PodSpecs.memoUriAnnotation(), request.memoUri());
    annotations.put("pureremote.io/function", request.function().toString());
    annotations.put("pureremote.io/attempt", Integer.toString(attempt));
    return annotations;
  }

  private List<EnvVar> env(LaunchRequest request, String name) {
    // The call's variables first (the user's may override the runtime's); the rendezvous last (a
    // user's MASTER_ADDR would break it).
    Map<String, String> plain = callEnv(options, request, BACKEND);
    String master = masterAddress(name);
    String port = Integer.toString(options.masterPort());
    plain.put("MASTER_ADDR", master);
    plain.put("MASTER_PORT", port);
    plain.put("PET_MASTER_ADDR", master);
    plain.put("PET_MASTER_PORT", port);
    plain.put("PET_NNODES", Integer.toString(options.nodes()));
    plain.put("PET_NPROC_PER_NODE", options.processesPerNode());
    if (options.processesPerNode().chars().allMatch(Character::isDigit)) {
      plain.put("WORLD_SIZE", Integer.toString(options.nodes() * Integer.parseInt(options.processesPerNode())));
    }
    List<EnvVar> env = new ArrayList<>(PodSpecs.env(options.pod(), plain));
    // The node rank is the pod's completion index (the controller also sets JOB_COMPLETION_INDEX).
    for (String var : List.of("RANK", "PET_NODE_RANK")) {
      env.add(new EnvVarBuilder().withName(var).withNewValueFrom().withNewFieldRef()
          .withFieldPath("metadata.annotations['" + COMPLETION_INDEX + "']").endFieldRef().endValueFrom().build());
    }
    return env;
  }
}
