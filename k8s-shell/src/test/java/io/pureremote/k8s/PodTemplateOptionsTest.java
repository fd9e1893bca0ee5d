package io.pureremote.k8s;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import org.junit.jupiter.api.Test;

class PodTemplateOptionsTest {
  @Test
  void eachSetterRefusesItsOwnBadValueAtOnceAndKeepsTheBuilderAsItWas() {
    PodTemplateOptions.Builder b = PodTemplateOptions.builder().image("team/app:1").memory("1Gi");
    assertThatThrownBy(() -> b.memory("4GB")).isInstanceOf(IllegalArgumentException.class)
        .hasMessageContaining("resourceRequests.memory: '4GB' is not a Kubernetes quantity").hasMessageContaining("resourceLimits.memory");
    assertThatThrownBy(() -> b.env("DB_PASS", "x")).hasMessageContaining("'DB_PASS' looks like a credential");
    assertThatThrownBy(() -> b.imagePullPolicy("Sometimes")).hasMessageContaining("must be Always, IfNotPresent or Never");
    assertThatThrownBy(() -> b.label("pureremote.io/x", "y")).hasMessageContaining("is reserved");
    assertThatThrownBy(() -> b.serviceAccount("Bad_SA")).hasMessageContaining("serviceAccount 'Bad_SA'");
    assertThatThrownBy(() -> b.toleration(Tolerations.equal("k", "v", "Sometimes"))).hasMessageContaining("tolerations[0]: effect");
    PodTemplateOptions built = b.build();
    assertThat(built.resourceLimits()).containsEntry("memory", "1Gi");
    assertThat(built.env()).isEmpty();
    assertThat(built.tolerations()).isEmpty();
  }

  @Test
  void crossFieldProblemsAreCollectedAtBuild() {
    assertThatThrownBy(() -> PodTemplateOptions.builder().cpu("4", "2").resourceRequest("example.com/fpga", "1")
        .resourceLimit("example.com/fpga", "2").build())
        .hasMessageContaining("Invalid pod template")
        .hasMessageContaining("image is required")
        .hasMessageContaining("cpu request 4 exceeds its limit 2")
        .hasMessageContaining("needs request == limit");
  }

  @Test
  void aWorkerTemplateDerivesFromALaunchersWithoutChangingIt() {
    PodTemplateOptions launcher = PodTemplateOptions.builder().registry("myregistry.azurecr.io").image("scoring/app:42")
        .cpu("1", null).memory("2Gi").toleration(Tolerations.spotAks()).env("MODE", "launcher").build();
    PodTemplateOptions worker = launcher.toBuilder().gpus(1).memory("16Gi").env("MODE", "worker").build();
    assertThat(worker.qualifiedImage()).isEqualTo("myregistry.azurecr.io/scoring/app:42");
    assertThat(worker.resourceLimits()).containsEntry(PodTemplateOptions.NVIDIA_GPU, "1").containsEntry("memory", "16Gi");
    assertThat(worker.tolerations()).isEqualTo(launcher.tolerations());
    assertThat(launcher.resourceLimits()).doesNotContainKey(PodTemplateOptions.NVIDIA_GPU).containsEntry("memory", "2Gi");
    assertThat(launcher.env()).containsEntry("MODE", "launcher");
    assertThat(launcher.toBuilder().build()).isEqualTo(launcher).hasSameHashCodeAs(launcher);
    assertThat(KubernetesShellOptions.builder().namespace("dev").pod(worker).build().pod()).isEqualTo(worker);
  }
}
