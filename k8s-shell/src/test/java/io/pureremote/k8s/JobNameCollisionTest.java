package io.pureremote.k8s;

import static io.pureremote.testing.kubernetes.MockKubernetes.SHELL;
import static org.assertj.core.api.Assertions.assertThat;

import io.fabric8.kubernetes.api.model.batch.v1.Job;
import io.fabric8.kubernetes.api.model.batch.v1.JobBuilder;
import io.fabric8.kubernetes.client.KubernetesClient;
import io.pureremote.FunctionId;
import io.pureremote.spi.Shell.Launch;
import io.pureremote.spi.Shell.LaunchRequest;
import io.pureremote.spi.Shell.Outcome;
import io.pureremote.testing.kubernetes.MockKubernetes;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/**
 * A create answered {@code 409 AlreadyExists}: the Job holding the name is adopted only when its
 * annotations prove it is this invocation's (same memo URI, same lease holder), on the mock API
 * server with no kubelet (the test plays the Job's end).
 */
class JobNameCollisionTest {
  static final String NS = "collide";
  static final String MEMO = "file:///store/pureremote/v1/p/fn@1/" + "ab".repeat(32);
  static final FunctionId FUNCTION = new FunctionId("io.acme.Fn#run", "1");

  MockKubernetes cluster;
  KubernetesClient other;
  KubernetesShell shell;

  @BeforeEach
  void start() {
    cluster = new MockKubernetes();
    other = cluster.client("someone-else");
    shell = new KubernetesShell(cluster.client(SHELL), KubernetesShellOptions.builder().namespace(NS).image("acme/app:1")
        .batching(false).logStreaming(false).build());
  }

  @AfterEach
  void stop() {
    cluster.quiesce();
    shell.close();
    cluster.close();
  }

  static LaunchRequest request(String holder) {
    return new LaunchRequest(MEMO, FUNCTION, "ab".repeat(32), Map.of(), holder);
  }

  List<Job> jobs() {
    return other.batch().v1().jobs().inNamespace(NS).list().getItems();
  }

  @Test
  void aCreateWhoseAnswerWasLostAdoptsItsOwnJob() throws Exception {
    // The first create went through but its answer was lost: the Job exists, named and annotated
    // as this call's, and has already finished.
    Job own = other.batch().v1().jobs().inNamespace(NS).resource(shell.job(request("caller-a"))).create();
    other.batch().v1().jobs().inNamespace(NS).withName(own.getMetadata().getName()).editStatus(j -> new JobBuilder(j)
        .withNewStatus().withSucceeded(1).addNewCondition().withType("SuccessCriteriaMet").withStatus("True").endCondition()
        .endStatus().build());

    Launch launch = shell.launch(request("caller-a"));
    Outcome outcome = launch.completion().get(60, TimeUnit.SECONDS);

    assertThat(outcome.exitCode()).isZero();
    assertThat(cluster.count(SHELL, "create jobs")).as("one create, refused with 409").isEqualTo(1);
    assertThat(jobs()).extracting(j -> j.getMetadata().getName()).containsExactly(own.getMetadata().getName());
  }

  @Test
  void anEarlierHoldersJobForTheSameEntryIsNotAdopted() throws Exception {
    // An earlier caller's Job for the same memo entry still runs; this caller took the lease over.
    Job earlier = other.batch().v1().jobs().inNamespace(NS).resource(shell.job(request("caller-old"))).create();

    Launch launch = shell.launch(request("caller-new"));
    KubernetesShellTest.await("a Job of its own", java.time.Duration.ofSeconds(60), () -> jobs().size() == 2);

    Job mine = jobs().stream().filter(j -> !j.getMetadata().getName().equals(earlier.getMetadata().getName()))
        .findFirst().orElseThrow();
    assertThat(mine.getMetadata().getName()).startsWith(earlier.getMetadata().getName() + "-x");
    assertThat(mine.getMetadata().getAnnotations()).containsEntry(JobFactory.ANNOTATION_LEASE_HOLDER, "caller-new")
        .containsEntry(JobFactory.ANNOTATION_MEMO_URI, MEMO);
    assertThat(mine.getSpec().getTemplate().getSpec().getContainers().getFirst().getArgs()).containsSubsequence("--holder", "caller-new");
    assertThat(launch.completion()).isNotDone();
    launch.cancel();
  }

  @Test
  void aRunningJobOfTheSameCallWithoutALeaseIsAdopted() throws Exception {
    Job running = other.batch().v1().jobs().inNamespace(NS).resource(shell.job(request(null))).create();

    Launch launch = shell.launch(request(null));
    KubernetesShellTest.await("the create was refused", java.time.Duration.ofSeconds(60),
        () -> cluster.count(SHELL, "get jobs") >= 1 && launch.description().equals("job " + NS + "/" + running.getMetadata().getName()));
    other.batch().v1().jobs().inNamespace(NS).withName(running.getMetadata().getName()).editStatus(j -> new JobBuilder(j)
        .withNewStatus().withSucceeded(1).addNewCondition().withType("SuccessCriteriaMet").withStatus("True").endCondition()
        .endStatus().build());

    assertThat(launch.completion().get(60, TimeUnit.SECONDS).exitCode()).isZero();
    assertThat(jobs()).hasSize(1);
  }
}
