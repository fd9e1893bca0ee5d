package io.pureremote.cli;

import static org.assertj.core.api.Assertions.assertThat;

import io.fabric8.kubernetes.api.model.HasMetadata;
import io.fabric8.kubernetes.api.model.Pod;
import io.fabric8.kubernetes.api.model.PodBuilder;
import io.fabric8.kubernetes.api.model.ServiceAccountBuilder;
import io.fabric8.kubernetes.api.model.batch.v1.Job;
import io.fabric8.kubernetes.api.model.batch.v1.JobBuilder;
import io.fabric8.kubernetes.api.model.batch.v1.JobConditionBuilder;
import io.fabric8.kubernetes.api.model.batch.v1.JobStatusBuilder;
import io.fabric8.kubernetes.api.model.rbac.PolicyRule;
import io.fabric8.kubernetes.api.model.rbac.Role;
import io.fabric8.kubernetes.api.model.rbac.RoleBinding;
import io.fabric8.kubernetes.client.KubernetesClient;
import io.pureremote.config.ConfigLoader;
import io.pureremote.orchestrator.OrchestratorManifests;
import io.pureremote.orchestrator.OrchestratorSpec;
import java.io.ByteArrayInputStream;
import java.io.IOException;
import java.io.PrintWriter;
import java.io.StringWriter;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.stream.Collectors;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import picocli.CommandLine;

/**
 * {@code orchestrate}, {@code attach}, {@code list} and {@code stop} against the fabric8 mock API
 * server in CRUD mode; runs that follow a driver to its end use the fake kubelet, which runs the
 * container as a local process ({@link TestDriver}) and serves its log. Set {@code
 * -Dpureremote.cli.print=true} to print each command's output (used for docs/orchestrate.md).
 */
class OrchestrateCommandTest {
  static final String CLI = "cli";
  static final String NS = "fc";
  static final String IMAGE = "fc.azurecr.io/fc/app:42";
  static final String CONFIG = """
      team = "forecasting"
      pipeline-id = "nightly"
      [kubernetes]
      image-pull-bound = "1s"
      [teams.forecasting]
      namespace = "fc"
      blob-root = "s3://fc-memo/memo"
      registry = "fc.azurecr.io"
      [teams.ranking]
      blob-root = "s3://ranking-memo/memo"
      [teams.local]
      """;

  @TempDir
  Path tmp;

  TestCluster cluster;
  KubernetesClient admin;
  Path configFile;

  @BeforeEach
  void setUp() throws IOException {
    cluster = new TestCluster();
    admin = cluster.client("admin");
    configFile = Files.writeString(tmp.resolve("pureremote.toml"), CONFIG);
  }

  @AfterEach
  void tearDown() {
    cluster.close();
  }

  record Run(int code, String out, String err) {}

  Run cli(String... args) {
    StringWriter out = new StringWriter();
    StringWriter err = new StringWriter();
    CommandLine cl = PureRemoteCli.commandLine();
    KubeAccess access = new KubeAccess(
        () -> ConfigLoader.builder().environment(Map.of(ConfigLoader.CONFIG_ENV, configFile.toString()))
            .workingDirectory(tmp).home(tmp).userName("yu"),
        config -> cluster.client(CLI), false, Duration.ofMillis(100));
    for (String sub : List.of("orchestrate", "attach", "list", "stop")) {
      Object command = cl.getSubcommands().get(sub).getCommand();
      switch (command) {
        case OrchestrateCommand c -> c.cluster.access = access;
        case AttachCommand c -> c.cluster.access = access;
        case ListCommand c -> c.cluster.access = access;
        case StopCommand c -> c.cluster.access = access;
        default -> throw new AssertionError(command);
      }
    }
    cl.setOut(new PrintWriter(out, true));
    cl.setErr(new PrintWriter(err, true));
    int code = cl.execute(args);
    if (Boolean.getBoolean("pureremote.cli.print")) {
      System.out.println("$ pureremote " + String.join(" ", args) + "\n" + out + err + "(exit " + code + ")\n");
    }
    return new Run(code, out.toString(), err.toString());
  }

  void serviceAccount(String name) {
    admin.serviceAccounts().inNamespace(NS).resource(new ServiceAccountBuilder().withNewMetadata().withName(name)
        .endMetadata().build()).create();
  }

  Job job(String name) {
    return admin.batch().v1().jobs().inNamespace(NS).withName(name).get();
  }

  /** Plays the Job controller's final status write, as the fake kubelet does. */
  void finish(String name, String type, String reason) {
    Job current = job(name);
    String now = Instant.now().toString();
    Job done = new JobBuilder(current).withStatus(new JobStatusBuilder().withActive(0)
        .withConditions(new JobConditionBuilder().withType(type).withStatus("True").withReason(reason)
            .withLastTransitionTime(now).build())
        .build()).build();
    admin.batch().v1().jobs().inNamespace(NS).resource(done).updateStatus();
  }

  /** A driver pod of {@code job} that ended as {@code reason} with {@code exitCode}. */
  void terminatedPod(String job, String reason, int exitCode) {
    Pod pod = new PodBuilder().withNewMetadata().withName(job + "-abcde").withNamespace(NS)
        .withLabels(OrchestratorManifests.labels(job)).addToLabels("job-name", job).endMetadata()
        .withNewSpec().addNewContainer().withName(OrchestratorManifests.CONTAINER).withImage(IMAGE).endContainer().endSpec()
        .build();
    Pod created = admin.pods().inNamespace(NS).resource(pod).create();
    Pod ended = new PodBuilder(created).withNewStatus().withPhase("Failed").addNewContainerStatus()
        .withName(OrchestratorManifests.CONTAINER).withNewState().withNewTerminated().withExitCode(exitCode)
        .withReason(reason).endTerminated().endState().endContainerStatus().endStatus().build();
    admin.pods().inNamespace(NS).resource(ended).updateStatus();
  }

  /** The fake kubelet runs containers of {@link #IMAGE} as {@link TestDriver} in a child JVM. */
  void kubelet() {
    List<String> cmd = new ArrayList<>();
    cmd.add(ProcessHandle.current().info().command().orElse(System.getProperty("java.home") + "/bin/java"));
    cmd.addAll(List.of("-XX:TieredStopAtLevel=1", "-XX:+UseSerialGC", "-Xshare:auto"));
    cmd.addAll(List.of("-cp", System.getProperty("java.class.path"), TestDriver.class.getName()));
    cluster.kubelet(NS, IMAGE, cmd);
  }

  // ---- the Job ----

  @Test
  void theJobRunsTheMainClassFromTheImageWithTheClusterConfigurationInItsEnvironment() {
    serviceAccount("pureremote-orchestrator");
    Run run = cli("orchestrate", "--image", "fc/app:42", "--main", "com.acme.Pipeline", "--name", "nightly",
        "--memory", "4Gi", "--cpu", "2", "--detach", "--", "--month", "2026-10");
    assertThat(run.code()).as(run.err()).isZero();
    assertThat(run.out()).isEqualTo("nightly\n");
    assertThat(run.err()).contains("created orchestrator nightly in namespace fc (" + IMAGE + ", com.acme.Pipeline)")
        .contains("pureremote attach nightly").contains("pureremote stop nightly");

    Job job = job("nightly");
    assertThat(job.getMetadata().getLabels()).containsExactlyInAnyOrderEntriesOf(Map.of(
        "app.kubernetes.io/managed-by", "pureremote", "app.kubernetes.io/component", "orchestrator",
        "pureremote.io/orchestrator", "nightly"));
    assertThat(job.getMetadata().getAnnotations()).containsEntry("pureremote.io/main", "com.acme.Pipeline")
        .containsEntry("pureremote.io/team", "forecasting");
    assertThat(job.getSpec().getBackoffLimit()).isZero();
    assertThat(job.getSpec().getCompletions()).isEqualTo(1);
    assertThat(job.getSpec().getParallelism()).isEqualTo(1);
    assertThat(job.getSpec().getTtlSecondsAfterFinished()).isEqualTo(86400);
    assertThat(job.getSpec().getPodFailurePolicy().getRules()).singleElement()
        .satisfies(r -> assertThat(r.getAction()).isEqualTo("Ignore"))
        .satisfies(r -> assertThat(r.getOnPodConditions().getFirst().getType()).isEqualTo("DisruptionTarget"));
    var pod = job.getSpec().getTemplate();
    assertThat(pod.getMetadata().getLabels()).containsAllEntriesOf(OrchestratorManifests.labels("nightly"));
    assertThat(pod.getSpec().getRestartPolicy()).isEqualTo("Never");
    assertThat(pod.getSpec().getServiceAccountName()).isEqualTo("pureremote-orchestrator");
    var c = pod.getSpec().getContainers().getFirst();
    assertThat(pod.getSpec().getContainers()).hasSize(1);
    assertThat(c.getName()).isEqualTo("driver");
    assertThat(c.getImage()).isEqualTo(IMAGE);                       // the team's registry prefixed
    assertThat(c.getImagePullPolicy()).isEqualTo("Always");
    assertThat(c.getCommand()).containsExactly("java", "-cp", "/app/resources:/app/classes:/app/libs/*", "com.acme.Pipeline");
    assertThat(c.getArgs()).containsExactly("--month", "2026-10");
    assertThat(c.getResources().getRequests()).containsOnlyKeys("cpu", "memory");
    assertThat(c.getResources().getLimits()).containsOnlyKeys("memory");
    Map<String, String> env = c.getEnv().stream().collect(Collectors.toMap(e -> e.getName(), e -> e.getValue()));
    assertThat(env).containsExactlyInAnyOrderEntriesOf(Map.of(
        "PUREREMOTE_SHELL", "kubernetes",
        "PUREREMOTE_BLOB_ROOT", "s3://fc-memo/memo",
        "PUREREMOTE_PIPELINE_ID", "nightly",
        "PUREREMOTE_KUBERNETES_NAMESPACE", "fc",
        "PUREREMOTE_KUBERNETES_REGISTRY", "fc.azurecr.io",
        "PUREREMOTE_KUBERNETES_IMAGE", IMAGE,                         // the calls' Jobs run the same image
        "PUREREMOTE_ORCHESTRATOR", "nightly"));
  }

  @Test
  void anExplicitCommandReplacesJavaAndTheClassPath() {
    serviceAccount("runner");
    Run run = cli("orchestrate", "--team", "forecasting", "--image", IMAGE, "--main", "com.acme.Pipeline",
        "--name", "custom", "--service-account", "runner", "--command", "/opt/app/bin/launch --verbose",
        "--env", "LOG_LEVEL=debug", "--detach");
    assertThat(run.code()).as(run.err()).isZero();
    var c = job("custom").getSpec().getTemplate().getSpec().getContainers().getFirst();
    assertThat(c.getCommand()).containsExactly("/opt/app/bin/launch", "--verbose", "com.acme.Pipeline");
    assertThat(c.getArgs()).isEmpty();
    assertThat(c.getEnv()).anySatisfy(e -> assertThat(e.getName() + "=" + e.getValue()).isEqualTo("LOG_LEVEL=debug"));
    assertThat(job("custom").getSpec().getTemplate().getSpec().getServiceAccountName()).isEqualTo("runner");
  }

  @Test
  void jvmFlagsGoBeforeTheClassPathAndADefaultNameComesFromTheMainClass() {
    serviceAccount("pureremote-orchestrator");
    Run run = cli("orchestrate", "--image", IMAGE, "--main", "com.acme.NightlyPipeline",
        "--jvm-flag", "-XX:MaxRAMPercentage=75", "--detach");
    assertThat(run.code()).as(run.err()).isZero();
    String name = run.out().strip();
    assertThat(name).matches("nightly-pipeline-[a-z0-9]{5}");
    assertThat(job(name).getSpec().getTemplate().getSpec().getContainers().getFirst().getCommand())
        .containsExactly("java", "-XX:MaxRAMPercentage=75", "-cp", OrchestratorSpec.JIB_CLASS_PATH, "com.acme.NightlyPipeline");
  }

  // ---- RBAC ----

  @Test
  void printRbacIsNamespaceScopedYamlThatRoundTripsWithoutTouchingTheCluster() {
    Run run = cli("orchestrate", "--print-rbac");
    assertThat(run.code()).as(run.err()).isZero();
    List<HasMetadata> parsed = admin.load(new ByteArrayInputStream(run.out().getBytes(StandardCharsets.UTF_8))).items();
    assertThat(parsed).containsExactlyElementsOf(OrchestratorManifests.rbac(NS, "pureremote-orchestrator"));
    assertThat(parsed).extracting(HasMetadata::getKind).containsExactly("ServiceAccount", "Role", "RoleBinding");
    assertThat(parsed).allSatisfy(m -> assertThat(m.getMetadata().getNamespace()).isEqualTo(NS));

    Role role = (Role) parsed.get(1);
    assertThat(role.getRules()).hasSize(2);
    PolicyRule jobs = role.getRules().get(0);
    assertThat(jobs.getApiGroups()).containsExactly("batch");
    assertThat(jobs.getResources()).containsExactly("jobs");
    assertThat(jobs.getVerbs()).containsExactly("create", "get", "list", "watch", "delete");
    PolicyRule pods = role.getRules().get(1);
    assertThat(pods.getApiGroups()).containsExactly("");
    assertThat(pods.getResources()).containsExactly("pods", "pods/log");
    assertThat(pods.getVerbs()).containsExactly("get", "list", "watch");

    RoleBinding binding = (RoleBinding) parsed.get(2);
    assertThat(binding.getRoleRef().getKind()).isEqualTo("Role");
    assertThat(binding.getRoleRef().getName()).isEqualTo("pureremote-orchestrator");
    assertThat(binding.getSubjects()).singleElement().satisfies(s -> {
      assertThat(s.getKind()).isEqualTo("ServiceAccount");
      assertThat(s.getName()).isEqualTo("pureremote-orchestrator");
      assertThat(s.getNamespace()).isEqualTo(NS);
    });
    assertThat(cluster.count(CLI, "create jobs") + cluster.count(CLI, "get jobs")).isZero();

    Run other = cli("orchestrate", "--print-rbac", "--team", "ranking", "--service-account", "ranker");
    List<HasMetadata> ranking = admin.load(new ByteArrayInputStream(other.out().getBytes(StandardCharsets.UTF_8))).items();
    assertThat(ranking).containsExactlyElementsOf(OrchestratorManifests.rbac("ranking", "ranker"));
    assertThat(ranking.get(2).getMetadata().getName()).isEqualTo("pureremote-orchestrator-ranker");
  }

  @Test
  void applyRbacCreatesThenUpdatesAndNeverTouchesAnExistingServiceAccount() {
    Run first = cli("orchestrate", "--apply-rbac", "--image", IMAGE, "--main", "com.acme.Pipeline", "--name", "a", "--detach");
    assertThat(first.code()).as(first.err()).isZero();
    assertThat(first.err()).contains("rbac: created serviceaccount/pureremote-orchestrator",
        "rbac: created role/pureremote-orchestrator", "rbac: created rolebinding/pureremote-orchestrator");
    Role role = admin.rbac().roles().inNamespace(NS).withName("pureremote-orchestrator").get();
    assertThat(role.getRules()).isEqualTo(OrchestratorManifests.role(NS).getRules());
    assertThat(admin.rbac().roleBindings().inNamespace(NS).withName("pureremote-orchestrator").get().getSubjects())
        .isEqualTo(OrchestratorManifests.roleBinding(NS, "pureremote-orchestrator").getSubjects());

    Run second = cli("orchestrate", "--apply-rbac", "--image", IMAGE, "--main", "com.acme.Pipeline", "--name", "b", "--detach");
    assertThat(second.code()).as(second.err()).isZero();
    assertThat(second.err()).contains("rbac: kept serviceaccount/pureremote-orchestrator (exists)",
        "rbac: updated role/pureremote-orchestrator", "rbac: updated rolebinding/pureremote-orchestrator");
  }

  @Test
  void applyRbacWithoutThePermissionSaysToAskAnAdminForThePrintedManifests() {
    serviceAccount("pureremote-orchestrator");
    cluster.failNext("POST", "/roles", 403, 1);
    Run run = cli("orchestrate", "--apply-rbac", "--image", IMAGE, "--main", "com.acme.Pipeline", "--name", "a");
    assertThat(run.code()).isEqualTo(1);
    assertThat(run.err()).contains("may not manage role/pureremote-orchestrator in namespace fc (403 Forbidden")
        .contains("Ask a cluster admin to apply the manifests printed by `pureremote orchestrate --print-rbac --namespace fc");
    assertThat(job("a")).isNull();
  }

  @Test
  void aMissingServiceAccountIsReportedBeforeCreatingTheJob() {
    Run run = cli("orchestrate", "--image", IMAGE, "--main", "com.acme.Pipeline", "--name", "a", "--detach");
    assertThat(run.code()).isEqualTo(1);
    assertThat(run.err()).contains("Service account pureremote-orchestrator does not exist in namespace fc")
        .contains("--apply-rbac").contains("--print-rbac");
    assertThat(job("a")).isNull();
  }

  // ---- same name: reattach, or refuse ----

  @Test
  void runningAgainWithTheSameNameReattachesInsteadOfCreatingADuplicate() {
    serviceAccount("pureremote-orchestrator");
    assertThat(cli("orchestrate", "--image", IMAGE, "--main", "com.acme.Pipeline", "--name", "nightly", "--detach").code()).isZero();
    Run again = cli("orchestrate", "--image", IMAGE, "--main", "com.acme.Pipeline", "--name", "nightly", "--detach");
    assertThat(again.code()).as(again.err()).isZero();
    assertThat(again.err()).contains("orchestrator nightly is already running in namespace fc: attaching to it instead of starting another");
    assertThat(cluster.count(CLI, "create jobs")).isEqualTo(1);
  }

  @Test
  void aFinishedOrchestratorWithTheSameNameIsAClearError() {
    serviceAccount("pureremote-orchestrator");
    assertThat(cli("orchestrate", "--image", IMAGE, "--main", "com.acme.Pipeline", "--name", "nightly", "--detach").code()).isZero();
    finish("nightly", "Complete", "CompletionsReached");
    Run again = cli("orchestrate", "--image", IMAGE, "--main", "com.acme.Pipeline", "--name", "nightly");
    assertThat(again.code()).isEqualTo(1);
    assertThat(again.err()).contains("Orchestrator nightly in namespace fc has already ended (Completed)")
        .contains("pureremote stop nightly").contains("choose another --name");
    assertThat(cluster.count(CLI, "create jobs")).isEqualTo(1);
  }

  @Test
  void aJobThatIsNoOrchestratorIsNeitherReusedNorStopped() {
    admin.batch().v1().jobs().inNamespace(NS).resource(new JobBuilder().withNewMetadata().withName("etl")
        .addToLabels("app", "etl").endMetadata().withNewSpec().withNewTemplate().withNewSpec()
        .addNewContainer().withName("etl").withImage("etl:1").endContainer().endSpec().endTemplate().endSpec().build()).create();
    serviceAccount("pureremote-orchestrator");
    Run run = cli("orchestrate", "--image", IMAGE, "--main", "com.acme.Pipeline", "--name", "etl");
    assertThat(run.code()).isEqualTo(1);
    assertThat(run.err()).contains("A Job named etl exists in namespace fc and is not a Pure Remote orchestrator; choose another --name");
    Run stop = cli("stop", "etl");
    assertThat(stop.code()).isEqualTo(1);
    assertThat(stop.err()).contains("is not a Pure Remote orchestrator; not deleting it");
    assertThat(job("etl")).isNotNull();
  }

  // ---- list, stop, attach ----

  @Test
  void listShowsOrchestratorsOnlyWithStatusAgeImageAndMain() {
    serviceAccount("pureremote-orchestrator");
    cli("orchestrate", "--image", IMAGE, "--main", "com.acme.Pipeline", "--name", "nightly", "--detach");
    cli("orchestrate", "--image", "fc/app:41", "--main", "com.acme.Backfill", "--name", "backfill", "--detach");
    terminatedPod("backfill", "OOMKilled", 137);
    finish("backfill", "Failed", "BackoffLimitExceeded");
    // A Job of a call: managed by Pure Remote, but not an orchestrator.
    admin.batch().v1().jobs().inNamespace(NS).resource(new JobBuilder().withNewMetadata().withName("scoring-score-4a7d42d2de")
        .addToLabels("app.kubernetes.io/managed-by", "pureremote").endMetadata().withNewSpec().withNewTemplate().withNewSpec()
        .addNewContainer().withName("fn").withImage(IMAGE).endContainer().endSpec().endTemplate().endSpec().build()).create();

    Run run = cli("list");
    assertThat(run.code()).as(run.err()).isZero();
    List<String> lines = run.out().lines().toList();
    assertThat(lines).hasSize(3);
    assertThat(lines.get(0)).matches("NAME +STATUS +AGE +IMAGE +MAIN");
    assertThat(lines.subList(1, 3)).anySatisfy(l -> assertThat(l)
        .matches("nightly +Pending +\\d+[smhd] +fc\\.azurecr\\.io/fc/app:42 +com\\.acme\\.Pipeline"));
    assertThat(lines.subList(1, 3)).anySatisfy(l -> assertThat(l)
        .matches("backfill +Failed \\(OOMKilled, exit 137\\) +\\d+[smhd] +fc\\.azurecr\\.io/fc/app:41 +com\\.acme\\.Backfill"));
    assertThat(run.out()).doesNotContain("scoring-score");

    Run empty = cli("list", "--team", "ranking");
    assertThat(empty.code()).isZero();
    assertThat(empty.err()).contains("No orchestrators in namespace ranking");
  }

  @Test
  void stopDeletesTheJobWithForegroundPropagation() {
    serviceAccount("pureremote-orchestrator");
    cli("orchestrate", "--image", IMAGE, "--main", "com.acme.Pipeline", "--name", "nightly", "--detach");
    Run run = cli("stop", "nightly");
    assertThat(run.code()).as(run.err()).isZero();
    assertThat(run.out()).contains("deleted orchestrator nightly in namespace fc (foreground: its pod goes first");
    Job after = job("nightly");
    // The mock keeps a foreground-deleted object until its dependents are gone, as a real server does.
    assertThat(after == null || after.getMetadata().getDeletionTimestamp() != null).isTrue();
    assertThat(cluster.count(CLI, "delete jobs")).isEqualTo(1);

    Run missing = cli("stop", "nope");
    assertThat(missing.code()).isEqualTo(1);
    assertThat(missing.err()).contains("No orchestrator nope in namespace fc (pureremote list shows them)");
  }

  @Test
  void attachToAFinishedOrchestratorWithoutALogEndpointReportsHowItEnded() {
    serviceAccount("pureremote-orchestrator");
    cli("orchestrate", "--image", IMAGE, "--main", "com.acme.Pipeline", "--name", "oom", "--memory", "4Gi", "--detach");
    terminatedPod("oom", "OOMKilled", 137);
    finish("oom", "Failed", "BackoffLimitExceeded");
    Run run = cli("attach", "oom");
    assertThat(run.code()).isEqualTo(137);
    assertThat(run.out()).isEmpty();                                   // no log to show, and no garbage
    assertThat(run.err()).contains("orchestrator oom failed: OOMKilled (exit 137): the driver was killed for exceeding its memory limit");

    Run missing = cli("attach", "nope");
    assertThat(missing.code()).isEqualTo(1);
    assertThat(missing.err()).contains("No orchestrator nope in namespace fc");
  }

  // ---- following a driver to its end (fake kubelet) ----

  @Test
  void orchestrateFollowsTheDriversLogAndExitsWithItsExitCode() {
    kubelet();
    serviceAccount("pureremote-orchestrator");
    Run ok = cli("orchestrate", "--image", IMAGE, "--main", "com.acme.Pipeline", "--name", "good", "--", "0", "--month", "10");
    assertThat(ok.code()).as(ok.err()).isZero();
    assertThat(ok.out().lines().toList()).containsExactly(
        "driver started with 0 --month 10", "shell=kubernetes namespace=fc", "step 1 of 3", "step 2 of 3", "step 3 of 3");
    assertThat(ok.err()).contains("following its log").contains("orchestrator good completed");

    Run bad = cli("orchestrate", "--image", IMAGE, "--main", "com.acme.Pipeline", "--name", "bad", "--", "3");
    assertThat(bad.code()).isEqualTo(3);
    assertThat(bad.out().lines().filter(l -> l.startsWith("step "))).hasSize(3);   // each line once
    assertThat(bad.err()).contains("orchestrator bad failed: Error (exit 3): the driver exited with 3");
  }

  @Test
  void attachFollowsADetachedOrchestrator() {
    kubelet();
    serviceAccount("pureremote-orchestrator");
    Run detached = cli("orchestrate", "--image", IMAGE, "--main", "com.acme.Pipeline", "--name", "later", "--detach", "--", "5");
    assertThat(detached.code()).isZero();
    Run attached = cli("attach", "later");
    assertThat(attached.code()).isEqualTo(5);
    assertThat(attached.out()).contains("driver started with 5", "step 3 of 3");
    assertThat(attached.out().lines().filter(l -> l.equals("step 1 of 3"))).hasSize(1);
  }

  @Test
  void anOomKilledDriverExitsWith137AndSaysToGiveItMoreMemory() {
    kubelet();
    cluster.nextOomKilled();
    serviceAccount("pureremote-orchestrator");
    Run run = cli("orchestrate", "--image", IMAGE, "--main", "com.acme.Pipeline", "--name", "hungry", "--memory", "2Gi", "--", "sleep");
    assertThat(run.code()).isEqualTo(137);
    assertThat(run.err()).contains("failed: OOMKilled (exit 137): the driver was killed for exceeding its memory limit (2Gi);"
        + " give it more with --memory");
    assertThat(run.out()).contains("driver started with sleep");
  }

  @Test
  void anImageThatNeverPullsEndsTheRunAndDeletesTheJob() {
    kubelet();
    cluster.nextImagePullFailure();
    serviceAccount("pureremote-orchestrator");
    Run run = cli("orchestrate", "--image", IMAGE, "--main", "com.acme.Pipeline", "--name", "nopull");
    assertThat(run.code()).isEqualTo(1);
    assertThat(run.err()).contains("failed: ImagePullBackOff (exit 1): the image " + IMAGE + " could not be pulled")
        .contains("the Job was deleted");
    Job after = job("nopull");
    assertThat(after == null || after.getMetadata().getDeletionTimestamp() != null).isTrue();
  }

  // ---- bad input ----

  @Test
  void badInputIsAUsageErrorNamingTheCause() {
    Run noImage = cli("orchestrate", "--main", "com.acme.Pipeline");
    assertThat(noImage.code()).isEqualTo(2);
    assertThat(noImage.err()).contains("Missing --image (your application image");

    Run noMain = cli("orchestrate", "--image", IMAGE);
    assertThat(noMain.code()).isEqualTo(2);
    assertThat(noMain.err()).contains("Missing --main");

    Run badName = cli("orchestrate", "--image", IMAGE, "--main", "com.acme.Pipeline", "--name", "Bad_Name");
    assertThat(badName.code()).isEqualTo(2);
    assertThat(badName.err()).contains("name 'Bad_Name' is not a DNS-1123 label");

    Run badMain = cli("orchestrate", "--image", IMAGE, "--main", "com.acme.", "--name", "x");
    assertThat(badMain.code()).isEqualTo(2);
    assertThat(badMain.err()).contains("main class 'com.acme.' is not a Java class name");

    Run unknownTeam = cli("orchestrate", "--team", "forcasting", "--image", IMAGE, "--main", "com.acme.Pipeline");
    assertThat(unknownTeam.code()).isEqualTo(2);
    assertThat(unknownTeam.err()).contains("unknown team \"forcasting\"").contains("did you mean 'forecasting'");

    Run localStore = cli("orchestrate", "--team", "local", "--image", IMAGE, "--main", "com.acme.Pipeline");
    assertThat(localStore.code()).isEqualTo(2);
    assertThat(localStore.err()).contains("is a local folder, which an orchestrator pod and its Jobs cannot share");

    Run secret = cli("orchestrate", "--image", IMAGE, "--main", "com.acme.Pipeline", "--env", "DB_PASSWORD=hunter2");
    assertThat(secret.code()).isEqualTo(2);
    assertThat(secret.err()).contains("env: DB_PASSWORD looks like a credential");

    assertThat(cluster.count(CLI, "create jobs")).isZero();
  }
}
