package io.pureremote.k8s;

import io.pureremote.k8s.values.KubernetesValues;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.time.Duration;
import java.util.Set;
import java.util.function.UnaryOperator;
import org.junit.jupiter.api.Test;

class KubernetesShellOptionsTest {
  static KubernetesShellOptions.Builder valid() {
    return KubernetesShellOptions.builder().namespace("dev").image("team/app:1");
  }

  @Test
  void defaults() {
    KubernetesShellOptions o = KubernetesShellOptions.builder().image("team/app:1").build();
    assertThat(KubernetesValues.isDnsLabel(o.namespace())).isTrue();
    assertThat(o.kubeContext()).isEmpty();
    assertThat(o.pod().registry()).isEmpty();
    assertThat(o.pod().imagePullPolicy()).isEqualTo("Always");
    assertThat(o.pod().resourceRequests()).isEmpty();
    assertThat(o.pod().resourceLimits()).isEmpty();
    assertThat(o.ttlAfterFinished()).isEqualTo(Duration.ofHours(1));
    assertThat(o.backoffLimit()).isZero();
    assertThat(o.activeDeadline()).isEmpty();
    assertThat(o.podFailurePolicy()).isTrue();
    assertThat(o.workloadIdentityApplies()).isFalse();
    assertThat(o.imagePullBound()).isEqualTo(Duration.ofMinutes(2));
    assertThat(o.pendingTimeout()).isEqualTo(Duration.ofMinutes(10));
    assertThat(o.maxEvictionRetries()).isEqualTo(3);
    assertThat(o.launchConcurrency()).isEqualTo(20);
    assertThat(o.apiQps()).isEqualTo(20.0);
    assertThat(o.apiBurst()).isEqualTo(40);
    assertThat(o.apiRetries()).isEqualTo(4);
    assertThat(o.logStreaming()).isTrue();
    assertThat(o.logSampleFraction()).isEqualTo(1.0);
    assertThat(o.watchSilenceBound()).isEqualTo(Duration.ofMinutes(5));
    assertThat(o.customizer()).isSameAs(UnaryOperator.identity());
  }

  @Test
  void imageIsRequired() {
    assertThatThrownBy(() -> KubernetesShellOptions.builder().build())
        .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("image is required");
  }

  @Test
  void quantitiesAreValidatedWithFieldAndValue() {
    assertThatThrownBy(() -> valid().memory("4GB").build()).hasMessageContaining("resourceRequests.memory: '4GB' is not a Kubernetes quantity")
        .hasMessageContaining("resourceLimits.memory: '4GB'");
    assertThatThrownBy(() -> valid().cpu("two", null).build()).hasMessageContaining("resourceRequests.cpu: 'two'").hasMessageContaining("500m");
    assertThatThrownBy(() -> valid().cpu("4", "2").build()).hasMessageContaining("cpu request 4 exceeds its limit 2");
    assertThatThrownBy(() -> valid().memory("8Gi", "4096Mi").build()).hasMessageContaining("memory request 8Gi exceeds its limit 4096Mi");
    assertThatThrownBy(() -> valid().extendedResource("example.com/fpga", "0.5").build())
        .hasMessageContaining("extended resources take whole numbers, got '0.5'");
    assertThatThrownBy(() -> valid().resourceRequest("bad name!", "1").build()).hasMessageContaining("'bad name!' is not a resource name");
    assertThatThrownBy(() -> valid().resourceRequest("example.com/fpga", "1").resourceLimit("example.com/fpga", "2").build())
        .hasMessageContaining("needs request == limit");
    for (String ok : new String[] {"500m", "2", "0.5", "1.5Gi", "512Mi", "1e3", "1G", "100k", ".5"}) {
      assertThat(KubernetesValues.isQuantity(ok)).as(ok).isTrue();
    }
    for (String bad : new String[] {"", "4GB", "1.2.3", "-1", "1 Gi", "Gi", "1ki", "m"}) {
      assertThat(KubernetesValues.isQuantity(bad)).as(bad).isFalse();
    }
    assertThat(valid().cpu("250m", "1").memory("1Gi").ephemeralStorage("1Gi", null).gpus(2).build().pod().resourceLimits())
        .containsEntry("nvidia.com/gpu", "2").containsEntry("memory", "1Gi").doesNotContainKey("ephemeral-storage");
  }

  @Test
  void allProblemsAreListedAtOnce() {
    assertThatThrownBy(() -> KubernetesShellOptions.builder().namespace("Bad_NS").image("team/app:1").imagePullPolicy("Sometimes")
        .backoffLimit(-1).launchConcurrency(0).apiRate(0, 0).logSampleFraction(2).imagePullBound(Duration.ZERO)
        .label("app.kubernetes.io/managed-by", "me").build())
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessageContaining("namespace 'Bad_NS' is not a valid namespace name: expected a DNS-1123 label").hasMessageContaining("e.g. 'bad-ns'")
        .hasMessageContaining("imagePullPolicy 'Sometimes'")
        .hasMessageContaining("backoffLimit must be >= 0")
        .hasMessageContaining("launchConcurrency must be >= 1")
        .hasMessageContaining("apiQps must be > 0")
        .hasMessageContaining("apiBurst must be >= 1")
        .hasMessageContaining("logSampleFraction must be between 0 and 1")
        .hasMessageContaining("imagePullBound must be > 0")
        .hasMessageContaining("is reserved");
  }

  @Test
  void credentialsAreRefusedAsPlainEnv() {
    for (String name : new String[] {"AWS_SECRET_ACCESS_KEY", "AZURE_STORAGE_ACCOUNT_KEY", "DB_PASSWORD", "GITHUB_TOKEN", "MY_API_KEY",
        "AZURE_STORAGE_CONNECTION_STRING", "SAS_TOKEN", "client_secret"}) {
      assertThatThrownBy(() -> valid().env(name, "x").build()).as(name)
          .hasMessageContaining("'" + name + "' looks like a credential").hasMessageContaining("EnvReference.secretKey");
    }
    assertThat(valid().env("TOKENIZER_MODEL", "bpe").env("KEYSPACE", "k").env("JAVA_TOOL_OPTIONS", "-Xss1m").build().pod().env())
        .containsKeys("TOKENIZER_MODEL", "KEYSPACE", "JAVA_TOOL_OPTIONS");
    assertThatThrownBy(() -> valid().env("1BAD", "x").build()).hasMessageContaining("'1BAD' is not an environment variable name");
    assertThatThrownBy(() -> EnvReference.secretKey("1X", "s", "k")).hasMessageContaining("Invalid environment variable name");
    assertThatThrownBy(() -> EnvReference.secret("Bad_Secret")).hasMessageContaining("Invalid SECRET name 'Bad_Secret'");
  }

  @Test
  void workloadIdentityNeedsAServiceAccount() {
    assertThatThrownBy(() -> valid().workloadIdentity(true).build())
        .hasMessageContaining("workload identity is enabled for namespace 'dev' but no serviceAccount is set");
    assertThatThrownBy(() -> valid().workloadIdentityNamespaces(Set.of("dev")).build()).hasMessageContaining("no serviceAccount");
    assertThat(valid().workloadIdentityNamespaces(Set.of("prod")).build().workloadIdentityApplies()).isFalse();
    assertThat(valid().serviceAccount("runner").workloadIdentityNamespaces(Set.of("dev")).build().workloadIdentityApplies()).isTrue();
  }

  @Test
  void tolerationsAndPlacementAreValidated() {
    assertThatThrownBy(() -> valid().toleration(Tolerations.equal("k", "v", "Sometimes")).build())
        .hasMessageContaining("tolerations[0]: effect 'Sometimes'");
    assertThatThrownBy(() -> valid().toleration(new io.fabric8.kubernetes.api.model.TolerationBuilder().withOperator("Exists")
        .withKey("k").withValue("v").build()).build()).hasMessageContaining("operator Exists takes no value");
    assertThatThrownBy(() -> valid().nodeSelector("pool", "not valid!").build()).hasMessageContaining("nodeSelector.pool: value 'not valid!'");
    assertThatThrownBy(() -> valid().requireNodeLabel("zone").build()).hasMessageContaining("requiredNodeLabels.zone needs at least one value");
  }

  @Test
  void spotTolerations() {
    assertThat(Tolerations.spotAks().getKey()).isEqualTo("kubernetes.azure.com/scalesetpriority");
    assertThat(Tolerations.spotAks().getValue()).isEqualTo("spot");
    assertThat(Tolerations.spotAks().getEffect()).isEqualTo("NoSchedule");
    assertThat(Tolerations.spotEksKarpenter().getKey()).isEqualTo("karpenter.sh/capacity-type");
    assertThat(Tolerations.spotEksKarpenter().getValue()).isEqualTo("spot");
    assertThat(Tolerations.spotGke().getKey()).isEqualTo("cloud.google.com/gke-spot");
    assertThat(Tolerations.spotGke().getValue()).isEqualTo("true");
  }

  @Test
  void isImmutableAndRoundTripsThroughItsBuilder() {
    KubernetesShellOptions o = JobFactoryTest.full().build();
    assertThat(o.toBuilder().build()).isEqualTo(o);
    o.pod().tolerations().getFirst().setValue("changed");
    assertThat(o.pod().tolerations().getFirst().getValue()).isEqualTo("spot");
    assertThatThrownBy(() -> o.pod().env().put("X", "y")).isInstanceOf(UnsupportedOperationException.class);
    assertThat(o.pod().qualifiedImage()).isEqualTo("myregistry.azurecr.io/scoring/app:42");
  }
}
