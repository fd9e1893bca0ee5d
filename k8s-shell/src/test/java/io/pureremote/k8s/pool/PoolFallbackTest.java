package io.pureremote.k8s.pool;

import static org.assertj.core.api.Assertions.assertThat;

import io.fabric8.kubernetes.api.model.Container;
import io.fabric8.kubernetes.api.model.batch.v1.Job;
import io.fabric8.kubernetes.client.KubernetesClient;
import io.pureremote.RemoteRuntime;
import io.pureremote.k8s.KubernetesShell;
import io.pureremote.k8s.KubernetesShellOptions;
import io.pureremote.k8s.PodTemplateOptions;
import io.pureremote.k8s.testfns.Work;
import io.pureremote.k8s.testfns.WorkImpl;
import io.pureremote.spi.BlobStore;
import io.pureremote.spi.Shell;
import io.pureremote.testing.kubernetes.FakeDeployments;
import io.pureremote.testing.kubernetes.FakeKubelet;
import io.pureremote.testing.kubernetes.MockKubernetes;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * A pool that cannot serve falls back to the Job shell: real Jobs on the mock cluster, run by
 * {@link FakeKubelet} as child JVMs, with the pod settings a team's {@code [kubernetes]} gives.
 */
class PoolFallbackTest {
  static final String JOBS_NS = "ml";
  static final String TEAM_IMAGE = "acme/ml:7";
  static final String POOL_IMAGE = "acme/worker:1";
  static final String POOL_NS = WorkerPoolSpec.defaultNamespace("calc");

  @TempDir Path dir;
  MockKubernetes cluster;
  KubernetesClient client;
  FakeKubelet kubelet;
  BlobStore store;

  @BeforeEach
  void setUp() {
    cluster = new MockKubernetes();
    client = cluster.client(MockKubernetes.SHELL);
    kubelet = new FakeKubelet(cluster, JOBS_NS).image(TEAM_IMAGE, FakeKubelet.javaEntrypoint()).start();
    store = BlobStore.folder(dir.resolve("memo"));
  }

  @AfterEach
  void tearDown() {
    cluster.quiesce();
    kubelet.close();
    cluster.close();
  }

  private List<Job> jobs() {
    return client.batch().v1().jobs().inNamespace(JOBS_NS).list().getItems();
  }

  @Test
  void aPoolThatIsNotThereRunsEachCallAsAJobWithTheTeamsPodSettings() {
    // What configuration hands the provider for shell = "pool:calc", [pools.calc] fallback = "kubernetes"
    // and a team whose [kubernetes] settings are namespace "ml", image acme/ml:7, 1 CPU and 1Gi.
    Shell.Settings settings = Shell.Settings.builder("test.toml [pools.calc]")
        .put("name", "calc").put("fallback", "kubernetes").put("refresh-interval", Duration.ofMillis(200))
        .put("kubernetes.namespace", JOBS_NS).put("kubernetes.image", TEAM_IMAGE)
        .put("kubernetes.resources.cpu", "1").put("kubernetes.resources.memory", "1Gi").build();
    Shell shell = PoolShellProvider.withClient(client).create(settings);
    assertThat(((PoolShell) shell).fallback()).get().isInstanceOf(KubernetesShell.class);
    try (shell; RemoteRuntime runtime = RemoteRuntime.builder().sharedFolder(true).blobRoot(store.root()).pipelineId("fb").shell(shell)
        .build()) {
      Work work = runtime.create(Work.class, WorkImpl.class);
      assertThat(work.square(6)).isEqualTo(36);
      assertThat(work.square(7)).isEqualTo(49);
      assertThat(work.square(6)).as("a memo hit").isEqualTo(36);
    }
    assertThat(jobs()).as("one Job per miss, in the team's namespace").hasSize(2);
    for (Job job : jobs()) {
      Container c = job.getSpec().getTemplate().getSpec().getContainers().getFirst();
      assertThat(c.getImage()).isEqualTo(TEAM_IMAGE);
      assertThat(c.getResources().getRequests().get("cpu").toString()).isEqualTo("1");
      assertThat(c.getResources().getRequests().get("memory").toString()).isEqualTo("1Gi");
    }
    assertThat(store.list("pureremote/v1/fb/").stream().filter(k -> k.endsWith("/result"))).hasSize(2);
  }

  @Test
  void callsGoToThePoolWhileItServesToJobsOnceItIsStoppedAndBackWhenItIsCreatedAgain() throws Exception {
    try (FakeDeployments deployments = new FakeDeployments(cluster, POOL_NS).image(POOL_IMAGE, FakeKubelet.javaEntrypoint())
        .start();
        KubernetesShell jobShell = new KubernetesShell(client, KubernetesShellOptions.builder().namespace(JOBS_NS)
            .image(TEAM_IMAGE).build())) {
      WorkerPools pools = new WorkerPools(client);
      WorkerPoolSpec spec = WorkerPoolSpec.builder().name("calc").storeRoot(store.root()).workers(1).slots(2)
          .readyTimeout(Duration.ofSeconds(60)).pod(PodTemplateOptions.builder().image(POOL_IMAGE).build()).build();
      pools.create(spec);
      PoolShellOptions options = new PoolShellOptions("calc", null, PoolShellOptions.Addressing.AUTO, 3,
          Duration.ofMillis(200), Duration.ofSeconds(5), null).withAddresses(deployments::address);
      try (PoolShell shell = new PoolShell(client, options, jobShell);
           RemoteRuntime runtime = RemoteRuntime.builder().sharedFolder(true).blobRoot(store.root()).pipelineId("fb").shell(shell).build()) {
        Work work = runtime.create(Work.class, WorkImpl.class);
        assertThat(work.square(2)).isEqualTo(4);
        assertThat(jobs()).as("the pool served it").isEmpty();

        pools.stop("calc", null);
        long until = System.nanoTime() + Duration.ofSeconds(20).toNanos();
        while (deployments.anyProcessAlive()) {
          assertThat(System.nanoTime()).as("the pool's workers ended").isLessThan(until);
          Thread.sleep(50);
        }
        assertThat(work.square(3)).isEqualTo(9);
        assertThat(work.square(4)).isEqualTo(16);
        assertThat(jobs()).as("a Job per miss while the pool is gone").hasSize(2);

        pools.create(spec);
        assertThat(work.square(5)).isEqualTo(25);
        assertThat(jobs()).as("the pool serves again").hasSize(2);
      } finally {
        pools.stop("calc", null);
      }
    }
  }
}
