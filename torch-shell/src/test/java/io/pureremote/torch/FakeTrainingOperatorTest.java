package io.pureremote.torch;

import static org.assertj.core.api.Assertions.assertThat;

import io.fabric8.kubernetes.api.model.EnvVar;
import io.fabric8.kubernetes.api.model.GenericKubernetesResource;
import io.fabric8.kubernetes.api.model.Pod;
import io.fabric8.kubernetes.client.KubernetesClient;
import io.fabric8.kubernetes.client.informers.ResourceEventHandler;
import io.fabric8.kubernetes.client.utils.KubernetesSerialization;
import io.pureremote.testing.kubernetes.FakeTrainingOperator;
import io.pureremote.testing.kubernetes.MockKubernetes;
import io.pureremote.testing.kubernetes.SharedCrds;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.stream.Collectors;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The PyTorchJob fixture itself, on a job the shell would not emit ({@code restartPolicy:
 * OnFailure}): the operator's env per replica, a failed container restarted in place with the job
 * {@code Restarting} meanwhile, then {@code Succeeded} with {@code Running} turned False.
 */
class FakeTrainingOperatorTest {
  @TempDir Path dir;

  static String job(Path marker) {
    return """
        apiVersion: kubeflow.org/v1
        kind: PyTorchJob
        metadata:
          name: flaky
          namespace: ml
        spec:
          nprocPerNode: "2"
          runPolicy:
            backoffLimit: 2
          pytorchReplicaSpecs:
            Master:
              replicas: 1
              restartPolicy: OnFailure
              template:
                spec:
                  containers:
                    - name: pytorch
                      image: busybox
                      command: ["sh", "-c", "if [ -f %1$s ]; then exit 0; fi; touch %1$s; exit 3"]
                      ports:
                        - name: pytorchjob-port
                          containerPort: 23999
            Worker:
              replicas: 2
              restartPolicy: OnFailure
              template:
                spec:
                  containers:
                    - name: pytorch
                      image: busybox
                      command: ["sh", "-c", "sleep 30"]
        """.formatted(marker);
  }

  @Test
  @SuppressWarnings("unchecked")
  void itSetsTheOperatorsEnvRestartsInPlaceAndSucceedsWithTheMaster() throws Exception {
    Path crd = OperatorBackendsTest.crd(SharedCrds.PYTORCHJOB);
    KubernetesSerialization json = new KubernetesSerialization();
    try (MockKubernetes cluster = new MockKubernetes()) {
      FakeTrainingOperator.installCrd(cluster, crd);
      try (FakeTrainingOperator operator = new FakeTrainingOperator(cluster, "ml").start()) {
        KubernetesClient client = cluster.client("test");
        List<String> history = new CopyOnWriteArrayList<>();
        var informer = client.genericKubernetesResources(OperatorJobFactory.PYTORCHJOBS).inNamespace("ml")
            .inform(new ResourceEventHandler<GenericKubernetesResource>() {
              @Override
              public void onAdd(GenericKubernetesResource o) {
                record(o);
              }

              @Override
              public void onUpdate(GenericKubernetesResource old, GenericKubernetesResource o) {
                record(o);
              }

              @Override
              public void onDelete(GenericKubernetesResource o, boolean unknown) { }

              void record(GenericKubernetesResource o) {
                Object status = o.getAdditionalProperties().get("status");
                if (status instanceof Map<?, ?> s && s.get("conditions") instanceof List<?> cs) {
                  history.add(cs.stream().map(c -> ((Map<String, Object>) c).get("type") + "=" + ((Map<String, Object>) c)
                      .get("status")).collect(Collectors.joining(",")));
                }
              }
            }, 0);
        client.genericKubernetesResources(OperatorJobFactory.PYTORCHJOBS).inNamespace("ml")
            .resource(json.unmarshal(job(dir.resolve("ran-once")), GenericKubernetesResource.class)).create();
        for (int i = 0; i < 300 && history.stream().noneMatch(h -> h.contains("Succeeded=True")); i++) {
          Thread.sleep(50);
        }
        informer.close();
        assertThat(history).anyMatch(h -> h.contains("Restarting=True"));
        assertThat(history.getLast()).contains("Created=True").contains("Running=False").contains("Succeeded=True");
        GenericKubernetesResource done = client.genericKubernetesResources(OperatorJobFactory.PYTORCHJOBS).inNamespace("ml")
            .withName("flaky").get();
        List<Map<String, Object>> conditions = (List<Map<String, Object>>) ((Map<String, Object>) done.getAdditionalProperties()
            .get("status")).get("conditions");
        assertThat(conditions).anySatisfy(c -> assertThat(c).containsEntry("type", "Succeeded")
            .containsEntry("reason", "PyTorchJobSucceeded").containsEntry("message", "PyTorchJob flaky is successfully completed."));
        // The worker pods had the operator's env; cleanPodPolicy None (the default) keeps them.
        Pod worker = client.pods().inNamespace("ml").withName("flaky-worker-1").get();
        Map<String, String> env = worker.getSpec().getContainers().getFirst().getEnv().stream()
            .collect(Collectors.toMap(EnvVar::getName, EnvVar::getValue));
        assertThat(env).containsEntry("MASTER_ADDR", "flaky-master-0").containsEntry("PET_MASTER_ADDR", "flaky-master-0")
            .containsEntry("MASTER_PORT", "23999").containsEntry("WORLD_SIZE", "6").containsEntry("RANK", "2")
            .containsEntry("PET_NODE_RANK", "2").containsEntry("PET_NPROC_PER_NODE", "2").containsEntry("PET_NNODES", "3");
        assertThat(worker.getMetadata().getLabels()).containsEntry("training.kubeflow.org/replica-type", "worker")
            .containsEntry("training.kubeflow.org/replica-index", "1");
        assertThat(client.services().inNamespace("ml").withName("flaky-master-0").get().getSpec().getClusterIP()).isEqualTo("None");
        assertThat(operator.pytorchJobsSeen()).containsExactly("flaky");
      }
    }
  }
}
