package io.pureremote.k8s;

import static org.assertj.core.api.Assertions.assertThat;

import io.fabric8.kubernetes.api.model.Pod;
import io.fabric8.kubernetes.api.model.PodBuilder;
import io.fabric8.kubernetes.api.model.batch.v1.Job;
import io.fabric8.kubernetes.api.model.batch.v1.JobBuilder;
import org.junit.jupiter.api.Test;

/** Reading Job and Pod status the way real clusters report it. */
class KubeStatusTest {
  @Test
  void jobConditions() {
    Job complete = new JobBuilder().withNewStatus().addNewCondition().withType("Complete").withStatus("True").endCondition()
        .endStatus().build();
    Job failed = new JobBuilder().withNewStatus().withFailed(1).addNewCondition().withType("Failed").withStatus("True")
        .withReason("PodFailurePolicy").endCondition().endStatus().build();
    Job running = new JobBuilder().withNewStatus().withActive(1).endStatus().build();
    assertThat(KubeStatus.isComplete(complete)).isTrue();
    assertThat(KubeStatus.isComplete(failed)).isFalse();
    assertThat(KubeStatus.failure(failed)).hasValueSatisfying(c -> assertThat(c.getReason()).isEqualTo("PodFailurePolicy"));
    assertThat(KubeStatus.failure(running)).isEmpty();
    assertThat(KubeStatus.isComplete(new JobBuilder().build())).isFalse();
  }

  @Test
  void disruptions() {
    Pod preempted = new PodBuilder().withNewStatus().withPhase("Running").addNewCondition().withType("DisruptionTarget")
        .withStatus("True").withReason("PreemptionByScheduler").withMessage("preempted by a higher priority pod.").endCondition()
        .endStatus().build();
    Pod evictedOldStyle = new PodBuilder().withNewStatus().withPhase("Failed").withReason("Evicted")
        .withMessage("The node was low on resource: memory.").endStatus().build();
    Pod nodeLost = new PodBuilder().withNewStatus().withPhase("Failed").addNewCondition().withType("DisruptionTarget")
        .withStatus("True").withReason("DeletionByTaintManager").endCondition().endStatus().build();
    Pod crashed = new PodBuilder().withNewStatus().withPhase("Failed").withReason("Error").endStatus().build();
    assertThat(KubeStatus.disruption(preempted)).contains("PreemptionByScheduler: preempted by a higher priority pod");
    assertThat(KubeStatus.disruption(evictedOldStyle)).contains("Evicted: The node was low on resource: memory");
    assertThat(KubeStatus.disruption(nodeLost)).contains("DeletionByTaintManager");
    assertThat(KubeStatus.disruption(crashed)).isEmpty();
  }

  @Test
  void containerStates() {
    Pod oom = new PodBuilder().withNewStatus().withPhase("Failed").addNewContainerStatus().withName("fn").withNewState()
        .withNewTerminated().withExitCode(137).withReason("OOMKilled").endTerminated().endState().endContainerStatus()
        .endStatus().build();
    Pod pulling = new PodBuilder().withNewStatus().withPhase("Pending").addNewContainerStatus().withName("fn").withNewState()
        .withNewWaiting().withReason("ImagePullBackOff").endWaiting().endState().endContainerStatus().endStatus().build();
    Pod unschedulable = new PodBuilder().withNewStatus().withPhase("Pending").addNewCondition().withType("PodScheduled")
        .withStatus("False").withReason("Unschedulable").withMessage("0/3 nodes are available").endCondition().endStatus().build();
    assertThat(KubeStatus.terminated(oom)).hasValueSatisfying(t -> assertThat(t.getReason()).isEqualTo("OOMKilled"));
    assertThat(KubeStatus.isFinished(oom)).isTrue();
    assertThat(KubeStatus.waiting(pulling)).hasValueSatisfying(w -> assertThat(w.getReason()).isEqualTo("ImagePullBackOff"));
    assertThat(KubeStatus.isRunning(pulling)).isFalse();
    assertThat(KubeStatus.unschedulable(unschedulable)).contains("0/3 nodes are available");
    assertThat(JobRun.biggerMemory("512Mi")).isEqualTo("1024Mi");
    assertThat(JobRun.biggerMemory(null)).isEqualTo("2Gi");
    assertThat(JobRun.biggerMemory("1.5G")).isEqualTo("more than 1.5G");
  }
}
