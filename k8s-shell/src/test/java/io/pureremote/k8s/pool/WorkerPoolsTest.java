package io.pureremote.k8s.pool;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.fabric8.kubernetes.api.model.apps.Deployment;
import io.fabric8.kubernetes.client.KubernetesClient;
import io.fabric8.kubernetes.client.utils.Serialization;
import io.pureremote.ShellException;
import io.pureremote.k8s.PodTemplateOptions;
import io.pureremote.spi.BlobStore;
import io.pureremote.spi.Shell.WorkerConnection;
import io.pureremote.testing.kubernetes.FakeDeployments;
import io.pureremote.testing.kubernetes.FakeKubelet;
import io.pureremote.testing.kubernetes.MockKubernetes;
import java.net.InetSocketAddress;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import java.util.function.BooleanSupplier;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** Worker pools on the mock API server, their workers run by FakeDeployments as local JVMs. */
class WorkerPoolsTest {
  static final String IMAGE = "acme/worker:1";
  static final String NS = WorkerPoolSpec.defaultNamespace("scoring");

  @TempDir Path dir;
  MockKubernetes cluster;
  FakeDeployments deployments;
  KubernetesClient client;
  WorkerPools pools;
  BlobStore store;

  @BeforeEach
  void setUp() {
    cluster = new MockKubernetes();
    deployments = new FakeDeployments(cluster, NS).image(IMAGE, FakeKubelet.javaEntrypoint()).start();
    client = cluster.client(MockKubernetes.SHELL);
    pools = new WorkerPools(client);
    store = BlobStore.folder(dir.resolve("memo"));
  }

  @AfterEach
  void tearDown() {
    deployments.close();
    cluster.close();
  }

  WorkerPoolSpec.Builder spec() {
    return WorkerPoolSpec.builder().name("scoring").storeRoot(store.root()).workers(2).slots(3)
        .readyTimeout(Duration.ofSeconds(60)).pod(PodTemplateOptions.builder().image(IMAGE).memory("1Gi").build());
  }

  @Test
  void createWaitsForReadyWorkersAndStopDeletesExactlyWhatItMade() throws Exception {
    WorkerPool pool = pools.create(spec().build());

    assertThat(pool.ready()).hasSize(2);
    assertThat(pool.namespace()).isEqualTo(NS);
    assertThat(pool.slots()).isEqualTo(3);
    assertThat(pool.storeRoot()).isEqualTo(store.root());
    assertThat(pools.list(null)).extracting(WorkerPool::name).containsExactly("scoring");
    // Every object was created with strict field validation.
    List<MockKubernetes.Request> creates = cluster.requests().stream()
        .filter(r -> r.actor().equals(MockKubernetes.SHELL) && r.method().equals("POST")).toList();
    assertThat(creates).extracting(r -> r.kind()).containsExactly("create /api/v1/namespaces", "create serviceaccounts",
        "create secrets", "create roles", "create rolebindings", "create deployments", "create services",
        "create networkpolicies");
    assertThat(creates).allSatisfy(r -> assertThat(r.path()).contains("fieldValidation=Strict"));
    // The token is in the Secret only: the pods get it from a secretKeyRef.
    String token = new String(pools.token(pool), StandardCharsets.UTF_8);
    assertThat(token).hasSize(43);
    Deployment d = client.apps().deployments().inNamespace(NS).withName("pool-scoring").get();
    assertThat(Serialization.asYaml(d)).doesNotContain(token).contains("secretKeyRef");
    assertThat(d.getSpec().getTemplate().getSpec().getAutomountServiceAccountToken()).isFalse();
    // A worker refuses a request without the token and serves one with it.
    InetSocketAddress address = deployments.address(pool.ready().get(0).pod()).orElseThrow();
    try (WorkerConnection bad = WorkerConnection.open(address.getHostString(), address.getPort(),
        "not-the-pool-token-0123456789".getBytes(StandardCharsets.UTF_8), Duration.ofSeconds(5))) {
      CompletableFuture<Integer> run = bad.run("c1", store.root() + "/pureremote/v1/p/f@1/" + "0".repeat(64));
      assertThatThrownBy(() -> run.get(10, TimeUnit.SECONDS)).cause()
          .isInstanceOfSatisfying(WorkerConnection.Refused.class, e -> assertThat(e.reason()).isEqualTo("Unauthorized"));
    }
    try (WorkerConnection good = WorkerConnection.open(address.getHostString(), address.getPort(), pools.token(pool),
        Duration.ofSeconds(5))) {
      assertThat(good.status(Duration.ofSeconds(5))).isEqualTo(new WorkerConnection.Status(3, 0, false, store.root()));
    }
    assertThat(store.list("pureremote/v1/p/")).as("the refused request ran nothing").isEmpty();

    assertThat(pools.stop("scoring", null)).isTrue();

    assertThat(client.namespaces().withName(NS).get()).isNull();
    assertThat(client.apps().deployments().inAnyNamespace().list().getItems()).isEmpty();
    assertThat(client.services().inAnyNamespace().list().getItems()).isEmpty();
    assertThat(client.secrets().inAnyNamespace().list().getItems()).isEmpty();
    assertThat(client.serviceAccounts().inAnyNamespace().list().getItems()).isEmpty();
    assertThat(client.rbac().roles().inAnyNamespace().list().getItems()).isEmpty();
    assertThat(client.rbac().roleBindings().inAnyNamespace().list().getItems()).isEmpty();
    assertThat(client.network().v1().networkPolicies().inAnyNamespace().list().getItems()).isEmpty();
    waitUntil(() -> !deployments.anyProcessAlive(), "no worker process left");
    assertThat(client.pods().inAnyNamespace().list().getItems()).isEmpty();
    assertThat(pools.stop("scoring", null)).as("nothing left to stop").isFalse();
  }

  @Test
  void scaleGoesThroughTheScaleSubresourceUpAndDown() throws Exception {
    pools.create(spec().workers(1).build());
    pools.scale("scoring", null, 3);
    waitUntil(() -> pools.connect("scoring", null).ready().size() == 3, "3 ready workers");
    assertThat(cluster.requests()).anyMatch(r -> r.actor().equals(MockKubernetes.SHELL) && r.path().contains("/deployments/pool-scoring/scale"));
    pools.scale("scoring", null, 1);
    waitUntil(() -> deployments.pods().size() == 1 && pools.connect("scoring", null).ready().size() == 1, "1 worker");
    assertThat(pools.connect("scoring", null).desired()).isEqualTo(1);
    pools.stop("scoring", null);
  }

  @Test
  void connectReusesAPoolByNameAndAMissingOneIsNamed() {
    pools.create(spec().workers(1).build());
    WorkerPool again = new WorkerPools(cluster.client("other-caller")).connect("scoring", null);
    assertThat(again.name()).isEqualTo("scoring");
    assertThat(again.ready()).hasSize(1);
    assertThatThrownBy(() -> pools.create(spec().workers(1).build())).isInstanceOfSatisfying(ShellException.class,
        e -> assertThat(e.reason()).isEqualTo("PoolExists"));
    assertThatThrownBy(() -> pools.connect("nosuch", null)).isInstanceOfSatisfying(ShellException.class, e -> {
      assertThat(e.reason()).isEqualTo("PoolNotFound");
      assertThat(e.getMessage()).contains("No worker pool nosuch in namespace pureremote-pool-nosuch");
    });
    pools.stop("scoring", null);
  }

  @Test
  void workersThatNeverBecomeReadyFailCreateWithTheirReasonAndLogAndLeaveNothing() throws Exception {
    WorkerPoolSpec bad = spec().workers(1).storeRoot("nosuch://bucket/memo").readyTimeout(Duration.ofSeconds(8)).build();

    assertThatThrownBy(() -> pools.create(bad)).isInstanceOfSatisfying(ShellException.class, e -> {
      assertThat(e.reason()).isEqualTo("PoolNotReady");
      assertThat(e.getMessage()).contains("0 of 1 required workers ready", "the pool was deleted again", "CrashLoopBackOff",
          "last log lines", "Cannot open the blob store at nosuch://bucket/memo");
    });
    assertThat(client.namespaces().withName(NS).get()).isNull();
    assertThat(client.apps().deployments().inAnyNamespace().list().getItems()).isEmpty();
    waitUntil(() -> !deployments.anyProcessAlive(), "no worker process left");
  }

  @Test
  void badSpecsNameEveryProblem() {
    assertThatThrownBy(() -> WorkerPoolSpec.builder().name("Bad_Name").workers(1).minReady(2).slots(0).build())
        .hasMessageContaining("name: 'Bad_Name' must be a DNS label")
        .hasMessageContaining("storeRoot: required").hasMessageContaining("pod: required")
        .hasMessageContaining("minReady: 2 is more than workers 1").hasMessageContaining("slots: must be >= 1");
  }

  static void waitUntil(BooleanSupplier condition, String what) throws InterruptedException {
    long until = System.nanoTime() + TimeUnit.SECONDS.toNanos(60);
    while (!condition.getAsBoolean()) {
      assertThat(System.nanoTime()).as(what).isLessThan(until);
      Thread.sleep(100);
    }
  }
}
