package io.pureremote.config;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import org.assertj.core.api.AbstractThrowableAssert;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** Every kind of bad configuration fails with the file, line:column, key and what was expected. */
class ValidationTest {
  static final String FILE = "/home/yu/.pureremote.toml";

  static AbstractThrowableAssert<?, ? extends Throwable> rejects(String toml) {
    return rejects(toml, Map.of());
  }

  static AbstractThrowableAssert<?, ? extends Throwable> rejects(String toml, Map<String, String> env) {
    return assertThatThrownBy(() -> ConfigLoader.builder().environment(env).userName("yu").build().parse(toml, FILE))
        .isInstanceOf(ConfigException.class);
  }

  static List<ConfigProblem> problems(String toml, Map<String, String> env) {
    try {
      ConfigLoader.builder().environment(env).userName("yu").build().parse(toml, FILE);
    } catch (ConfigException e) {
      return e.problems();
    }
    throw new AssertionError("expected a ConfigException");
  }

  @Test
  void tomlSyntaxErrorsNameTheirLineAndColumn() {
    rejects("pipeline-id = \"a\"\npipeline-id = \"b\"\n")
        .hasMessageContaining(FILE + ":2:1: TOML syntax error: pipeline-id previously defined at line 1, column 1");
    rejects("[kubernetes]\nttl-after-finished = 1979-13-45\n")
        .hasMessageContaining(FILE + ":2:27: TOML syntax error: Invalid month (valid range 01..12)");
    // Only the syntax errors and bad variables are reported, not follow-ups such as the team being unknown.
    assertThat(problems("[teams.fc]\nx = \n", Map.of("PUREREMOTE_TEAM", "fc", "PUREREMOTE_SHELL", "k8s")))
        .extracting(ConfigProblem::toString).containsExactly(
            FILE + ":2:5: TOML syntax error: Unexpected end of line, expected a value",
            "environment: PUREREMOTE_SHELL: expected one of \"in-process\", \"kubernetes\", \"local\", \"local-pool\", got \"k8s\"");
    // TOML 1.1 syntax is refused: the parser is pinned to 1.0.
    rejects("[kubernetes]\nresources = { cpu = \"1\", }\n")
        .hasMessageContaining("TOML syntax error: A trailing comma is not allowed in an inline table");
  }

  @Test
  void kueueNamesAreCheckedWhereverTheyAreSetWithFileAndLine() {
    rejects("[kubernetes]\nqueue = \"Team Queue\"\n").hasMessageContaining(FILE + ":2:1: kubernetes.queue: "
        + "'Team Queue' is not a LocalQueue name usable as the label kueue.x-k8s.io/queue-name (lowercase letters, digits, "
        + "'-' and '.', at most 63)");
    rejects("[teams.fc]\nqueue-priority = \"" + "p".repeat(64) + "\"\n").hasMessageContaining(FILE + ":2:1: "
        + "teams.fc.queue-priority: '" + "p".repeat(64) + "' is not a WorkloadPriorityClass name usable as the label "
        + "kueue.x-k8s.io/priority-class");
    rejects("[functions.\"com.acme.Fns#fit\"]\nqueue = \"-gpu\"\n").hasMessageContaining(FILE
        + ":2:1: functions.\"com.acme.Fns#fit\".queue: '-gpu' is not a LocalQueue name");
  }

  @Test
  void unknownKeysNameTheKeyAndListWhatIsAllowed() {
    rejects("pipeline = \"x\"\n").hasMessageContaining(FILE + ":1:1: pipeline: unknown key (did you mean 'pipeline-id'?); "
        + "keys allowed at the top level: allow-packages, blob-root, blob-settings, call-concurrency, exception-policy, "
        + "functions, kubernetes, pipeline-id, progress, shared-folder, shell, team, teams, timeout");
    rejects("[kubernetes]\nttl = \"1h\"\n").hasMessageContaining(FILE + ":2:1: kubernetes.ttl: unknown key; "
        + "keys allowed in [kubernetes]: active-deadline, backoff-limit, batch-size, batching, cloud, image, "
        + "image-pull-policy, image-pull-timeout, kube-context, launch-concurrency, log-sample-fraction, log-streaming, "
        + "max-eviction-retries, namespace, pending-timeout, queue, queue-priority, registry, resources, service-account, "
        + "tolerations, ttl-after-finished, workload-identity");
    rejects("[kubernetes.resources]\ncpus = \"1\"\n").hasMessageContaining(FILE + ":2:1: kubernetes.resources.cpus: "
        + "unknown key (did you mean 'cpu'?); keys allowed in [kubernetes.resources]: cpu, cpu-limit, "
        + "ephemeral-storage, gpus, memory, memory-limit");
    rejects("[teams.fc]\nnamepsace = \"fc\"\n").hasMessageContaining(FILE + ":2:1: teams.fc.namepsace: unknown key "
        + "(did you mean 'namespace'?); keys allowed in a team section: azure-client-id, blob-root, blob-settings, "
        + "cloud, image, kube-context, namespace, queue, queue-priority, registry, service-account, shell, workload-identity");
    rejects("[functions.\"com.acme.Fns#fit\"]\nmemory = \"4Gi\"\n").hasMessageContaining(FILE
        + ":2:1: functions.\"com.acme.Fns#fit\".memory: unknown key; keys allowed in a function section: "
        + "batching, exception-policy, image, queue, queue-priority, resources, shell, timeout, tolerations");
    rejects("[kubernetes]\ntolerations = [{ key = \"a\", oper = \"Exists\" }]\n").hasMessageContaining(FILE
        + ":2:29: kubernetes.tolerations[0].oper: unknown key; a toleration table has key, operator, value and effect "
        + "(did you mean 'operator'?)");
  }

  @Test
  void wrongTypesSayWhatWasExpectedAndWhatWasFound() {
    rejects("max-concurrent-calls = \"20\"\n")
        .hasMessageContaining(FILE + ":1:1: max-concurrent-calls: expected an integer >= 1, got \"20\"");
    rejects("max-concurrent-calls = 0\n").hasMessageContaining("max-concurrent-calls: must be >= 1, got 0");
    rejects("timeout = 30\n").hasMessageContaining(FILE + ":1:1: timeout: expected a duration such as \"90s\", \"10m\", "
        + "\"2h\", \"1h30m\" or \"PT10M\", got 30 (integer)");
    rejects("timeout = \"10 minutes\"\n").hasMessageContaining("timeout: expected a duration such as \"90s\", \"10m\", "
        + "\"2h\", \"1h30m\" or \"PT10M\", got \"10 minutes\"");
    rejects("[kubernetes]\nactive-deadline = \"0s\"\n")
        .hasMessageContaining("kubernetes.active-deadline: must be >= 1s, got \"0s\"");
    rejects("[kubernetes]\nlog-streaming = \"yes\"\n")
        .hasMessageContaining(FILE + ":2:1: kubernetes.log-streaming: expected true or false, got \"yes\"");
    rejects("[kubernetes]\nlog-sample-fraction = 1.5\n")
        .hasMessageContaining("kubernetes.log-sample-fraction: must be between 0 and 1, got 1.5");
    rejects("allow-packages = \"com.acme\"\n")
        .hasMessageContaining(FILE + ":1:1: allow-packages: expected an array of strings, got \"com.acme\"");
    rejects("allow-packages = [\"com.acme\", 7]\n")
        .hasMessageContaining(FILE + ":1:31: allow-packages[1]: expected a string, got 7 (integer)");
    rejects("kubernetes = \"big\"\n").hasMessageContaining(FILE + ":1:1: kubernetes: expected a table with keys "
        + "[active-deadline, backoff-limit, batch-size, batching, cloud, image, image-pull-policy, image-pull-timeout, kube-context, "
        + "launch-concurrency, log-sample-fraction, log-streaming, max-eviction-retries, namespace, pending-timeout, "
        + "queue, queue-priority, registry, resources, service-account, tolerations, ttl-after-finished, workload-identity], "
        + "got \"big\"");
    rejects("teams = 1\n").hasMessageContaining("teams: expected a table of [teams.<name>] sections, got 1 (integer)");
    rejects("[teams]\nfc = \"x\"\n").hasMessageContaining(FILE + ":2:1: teams.fc: expected a table of team settings, got \"x\"");
    rejects("[kubernetes]\nimage = 7\n")
        .hasMessageContaining("kubernetes.image: expected a string (image reference), got 7 (integer)");
    rejects("[kubernetes]\ntolerations = \"spot\"\n").hasMessageContaining("kubernetes.tolerations: expected an array of "
        + "toleration names (spot, spot-aks, spot-eks, spot-gke) or tables {key, operator, value, effect}, got \"spot\"");
    rejects("progress = \"bar\"\n")
        .hasMessageContaining("progress: expected one of \"auto\", \"terminal\", \"log\", \"off\", got \"bar\"");
    rejects("exception-policy = \"retry\"\n")
        .hasMessageContaining("exception-policy: expected one of \"rerun\", \"memoize\", got \"retry\"");
    rejects("[blob-settings]\nmax-attempts = 3\n")
        .hasMessageContaining(FILE + ":2:1: blob-settings.max-attempts: expected a string, got 3 (integer)");
  }

  @Test
  void invalidQuantitiesSayWhatAValidOneLooksLike() {
    rejects("[kubernetes.resources]\ncpu = \"2 cores\"\n").hasMessageContaining(FILE + ":2:1: kubernetes.resources.cpu: "
        + "expected a CPU quantity such as \"500m\", \"2\" or \"1.5\" (cores, or millicores with 'm'), got \"2 cores\"");
    rejects("[kubernetes.resources]\ncpu = \"0\"\n")
        .hasMessageContaining("kubernetes.resources.cpu: expected a CPU quantity above 0, got \"0\"");
    rejects("[kubernetes.resources]\ncpu = 0.0005\n")
        .hasMessageContaining("kubernetes.resources.cpu: expected a CPU quantity such as \"500m\", \"2\" or \"1.5\" "
            + "(cores, or millicores with 'm'), got \"0.0005\"");
    rejects("[kubernetes.resources]\nmemory = 4\n").hasMessageContaining(FILE + ":2:1: kubernetes.resources.memory: "
        + "expected a quantity of bytes such as \"512Mi\", \"4Gi\" or \"1e9\", got 4 (integer); write it as a string "
        + "with a unit, e.g. \"4Gi\"");
    rejects("[kubernetes.resources]\nmemory = \"4GB\"\n").hasMessageContaining("kubernetes.resources.memory: expected a "
        + "quantity of bytes such as \"512Mi\", \"4Gi\" or \"1e9\" (suffixes Ki Mi Gi Ti or k M G T), got \"4GB\"");
    rejects("[kubernetes.resources]\nmemory-limit = \"512m\"\n").hasMessageContaining("kubernetes.resources.memory-limit: "
        + "\"512m\" is a fraction of a byte ('m' means milli/micro/nano); write 512Mi or 512M");
    rejects("[kubernetes.resources]\nephemeral-storage = \"20\"\n").hasMessageContaining(
        "kubernetes.resources.ephemeral-storage: \"20\" is less than 1Mi; did you forget the unit? e.g. \"20Gi\"");
    rejects("[kubernetes.resources]\ngpus = -1\n")
        .hasMessageContaining("kubernetes.resources.gpus: must be >= 0, got -1");
    rejects("[kubernetes.resources]\ncpu = \"4\"\ncpu-limit = \"2\"\n")
        .hasMessageContaining(FILE + ":3:1: kubernetes.resources.cpu-limit: cpu 4 exceeds cpu-limit 2");
    // A function's value is checked laid over the runtime-wide ones, and reported where the function sets it.
    rejects("[kubernetes.resources]\nmemory = \"4Gi\"\nmemory-limit = \"8Gi\"\n[functions.\"a.B#c\"]\nresources.memory = \"16Gi\"\n")
        .hasMessageContaining(FILE + ":5:1: functions.\"a.B#c\".resources.memory: memory 16Gi exceeds memory-limit 8Gi");
  }

  @Test
  void invalidNamesSayWhatIsValid() {
    rejects("[kubernetes]\nnamespace = \"Team_A\"\n").hasMessageContaining(FILE + ":2:1: kubernetes.namespace: 'Team_A' "
        + "is not a valid namespace name: expected a DNS-1123 label (at most 63 lowercase letters, digits and '-', "
        + "starting and ending with a letter or digit), e.g. 'team-a'");
    rejects("[teams.fc]\nnamespace = \"" + "n".repeat(64) + "\"\n")
        .hasMessageContaining(FILE + ":2:1: teams.fc.namespace: '" + "n".repeat(64) + "' is not a valid namespace name");
    rejects("[kubernetes.workload-identity]\nnamespaces = [\"ok\", \"Not OK\"]\n").hasMessageContaining(FILE
        + ":2:21: kubernetes.workload-identity.namespaces[1]: 'Not OK' is not a valid namespace name");
    rejects("", Map.of("PUREREMOTE_KUBERNETES_NAMESPACE", "-x-"))
        .hasMessageContaining("environment: PUREREMOTE_KUBERNETES_NAMESPACE: '-x-' is not a valid namespace name");
    rejects("[kubernetes]\nservice-account = \"Runner\"\n").hasMessageContaining("kubernetes.service-account: 'Runner' is "
        + "not a valid service account name: expected lowercase letters, digits, '-' and '.'");
    rejects("[kubernetes]\nregistry = \"https://acr.io\"\n").hasMessageContaining("kubernetes.registry: expected a "
        + "registry host[/path] without a scheme, such as \"myregistry.azurecr.io\", got \"https://acr.io\"");
    rejects("[kubernetes.workload-identity]\nclient-id = \"forecasting\"\n").hasMessageContaining(
        "kubernetes.workload-identity.client-id: expected an Azure client id (a GUID such as "
            + "\"00000000-0000-0000-0000-000000000000\"), got \"forecasting\"");
    rejects("blob-root = \"/data/memo\"\n").hasMessageContaining("blob-root: expected a URI with a scheme such as "
        + "\"file:///data/memo\", \"s3://bucket/prefix\" or \"abfss://container@account.dfs.core.windows.net/path\", "
        + "got \"/data/memo\"");
    rejects("blob-root = \"abfs://memo@acct.dfs.core.windows.net/x\"\n").hasMessageContaining(FILE + ":1:1: blob-root: "
        + "no blob store for scheme \"abfs\" (in \"abfs://memo@acct.dfs.core.windows.net/x\"): expected one of \"abfss\", "
        + "\"adls\", \"file\", \"s3\" (did you mean 'abfss'?)");
    rejects("[teams.x]\nblob-root = \"gs://bucket/memo\"\n")
        .hasMessageContaining(FILE + ":2:1: teams.x.blob-root: no blob store for scheme \"gs\"");
    rejects("pipeline-id = \"../up\"\n").hasMessageContaining("pipeline-id: Invalid pipeline id '../up'");
    rejects("allow-packages = [\"com.acme.*\"]\n")
        .hasMessageContaining("allow-packages[0]: 'com.acme.*' is not a Java package name such as \"com.acme.model\"");
    rejects("[functions.\"score it\"]\ntimeout = \"1m\"\n").hasMessageContaining(FILE + ":1:1: functions.\"score it\": "
        + "'score it' is not a function name: use 1-200 of letters, digits and . _ - $ # (the @PureRemote name, e.g. "
        + "\"com.acme.Scoring#score\")");
  }

  @Test
  void anUnknownTeamNamesTheTeamsThereAre() {
    String teams = "team = \"forcasting\"\n[teams.forecasting]\n[teams.ranking]\n";
    rejects(teams).hasMessageContaining(FILE + ":1:1: team: unknown team \"forcasting\"; teams in " + FILE
        + ": forecasting, ranking (did you mean 'forecasting'?)");
    rejects("[teams.ranking]\n", Map.of("PUREREMOTE_TEAM", "search")).hasMessageContaining(
        "environment: PUREREMOTE_TEAM: unknown team \"search\"; teams in " + FILE + ": ranking");
    rejects("team = \"ranking\"\n").hasMessageContaining(
        FILE + ":1:1: team: unknown team \"ranking\"; " + FILE + " defines no [teams.<name>] sections");
  }

  @Test
  void anUnknownTeamWithoutAnyFileSaysWhereFilesWereLookedFor(@TempDir Path dir) {
    assertThatThrownBy(() -> Fixtures.loader(dir, Map.of("PUREREMOTE_TEAM", "ranking")).build().read())
        .isInstanceOf(ConfigException.class)
        .hasMessageContaining("environment: PUREREMOTE_TEAM: unknown team \"ranking\"; no configuration file was found, "
            + "so no teams are defined (looked for $PUREREMOTE_CONFIG, .pureremote.toml in " + dir.resolve("work")
            + " and its parents, and " + dir.resolve("home/.pureremote.toml") + ")");
  }

  @Test
  void anUnknownShellListsTheShellsThereAre() {
    rejects("shell = \"k8s\"\n")
        .hasMessageContaining(FILE + ":1:1: shell: expected one of \"in-process\", \"kubernetes\", \"local\", \"local-pool\", got \"k8s\"");
    rejects("[functions.\"a.B#c\"]\nshell = \"inprocess\"\n").hasMessageContaining(FILE + ":2:1: functions.\"a.B#c\".shell: "
        + "expected one of \"in-process\", \"kubernetes\", \"local\", \"local-pool\", got \"inprocess\" (did you mean 'in-process'?)");
    rejects("", Map.of("PUREREMOTE_SHELL", "docker")).hasMessageContaining(
        "environment: PUREREMOTE_SHELL: expected one of \"in-process\", \"kubernetes\", \"local\", \"local-pool\", got \"docker\"");
  }

  @Test
  void tolerationsAreNamesOrValidTaints() {
    rejects("[kubernetes]\ntolerations = [\"spto-aks\"]\n").hasMessageContaining(FILE + ":2:16: kubernetes.tolerations[0]: "
        + "unknown toleration \"spto-aks\": expected one of \"spot\", \"spot-aks\", \"spot-eks\", \"spot-gke\" or a table "
        + "{key, operator, value, effect} (did you mean 'spot-aks'?)");
    rejects("[kubernetes]\ntolerations = [{ key = \"gpu\", operator = \"In\" }]\n").hasMessageContaining(
        FILE + ":2:16: kubernetes.tolerations[0]: toleration operator must be Equal or Exists, got 'In'");
    rejects("[kubernetes]\ntolerations = [\"spot\"]\n").hasMessageContaining(FILE + ":2:16: kubernetes.tolerations[0]: "
        + "toleration \"spot\" needs the cluster's cloud: set cloud = \"aks\", \"eks\" or \"gke\" in [kubernetes] "
        + "(or PUREREMOTE_KUBERNETES_CLOUD), or write \"spot-aks\", \"spot-eks\" or \"spot-gke\"");
    rejects("", Map.of("PUREREMOTE_KUBERNETES_TOLERATIONS", "spot,gpu")).hasMessageContaining(
        "environment: PUREREMOTE_KUBERNETES_TOLERATIONS: unknown toleration \"gpu\"");
  }

  @Test
  void theKubernetesShellNeedsAnImage() {
    rejects("shell = \"kubernetes\"\n").hasMessageContaining(FILE + ":1:1: shell: the kubernetes shell needs an application "
        + "image: set image in [kubernetes], or PUREREMOTE_KUBERNETES_IMAGE");
    rejects("", Map.of("PUREREMOTE_SHELL", "kubernetes")).hasMessageContaining(
        "environment: PUREREMOTE_SHELL: the kubernetes shell needs an application image");
    rejects("team = \"fc\"\n[teams.fc]\n[functions.\"a.B#c\"]\nshell = \"kubernetes\"\n").hasMessageContaining(FILE
        + ":4:1: functions.\"a.B#c\".shell: the kubernetes shell needs an application image: set image in this "
        + "section, or set image in [teams.fc] or [kubernetes], or PUREREMOTE_KUBERNETES_IMAGE");
    // Not needed when nothing runs on Kubernetes, or each function that does brings its own.
    Fixtures.parse("[functions.\"a.B#c\"]\nshell = \"kubernetes\"\nimage = \"x/y:1\"\n");
  }

  @Test
  void workloadIdentityNeedsAServiceAccount() {
    rejects("""
        shell = "kubernetes"
        team = "fc"
        [kubernetes]
        image = "fc/app:1"
        [teams.fc]
        workload-identity = true
        """).hasMessageContaining(FILE + ":6:1: teams.fc.workload-identity: workload identity applies in namespace \"fc\" "
        + "but no service account is set: set service-account in [teams.fc] or [kubernetes] (one annotated with "
        + "azure.workload.identity/client-id)");
    rejects("shell = \"kubernetes\"\n[kubernetes]\nimage = \"a/b:1\"\n[kubernetes.workload-identity]\nnamespaces = [\"yu\"]\n")
        .hasMessageContaining(FILE + ":5:1: kubernetes.workload-identity.namespaces: workload identity applies in "
            + "namespace \"yu\" but no service account is set");
  }

  @Test
  void environmentVariablesWithBadValuesNameTheVariable() {
    rejects("", Map.of("PUREREMOTE_MAX_CONCURRENT_CALLS", "many")).hasMessageContaining(
        "environment: PUREREMOTE_MAX_CONCURRENT_CALLS: expected an integer >= 1, got \"many\"");
    rejects("", Map.of("PUREREMOTE_KUBERNETES_LOG_STREAMING", "on")).hasMessageContaining(
        "environment: PUREREMOTE_KUBERNETES_LOG_STREAMING: expected true or false, got \"on\"");
    rejects("", Map.of("PUREREMOTE_KUBERNETES_RESOURCES_MEMORY", "4g")).hasMessageContaining(
        "environment: PUREREMOTE_KUBERNETES_RESOURCES_MEMORY: expected a quantity of bytes");
  }

  @Test
  void everyProblemIsReportedTogetherInFileOrderThenTheEnvironment() {
    List<ConfigProblem> problems = problems("""
        shell = "k8s"
        max-concurrent-calls = 0
        [kubernetes]
        namespace = "Team_A"
        [kubernetes.resources]
        memory = "4GB"
        [functions."a.B#c"]
        timeout = "soon"
        """, Map.of("PUREREMOTE_TEAM", "nobody", "PUREREMOTE_KUBERNETES_LAUNCH_CONCURRENCY", "0"));

    assertThat(problems).extracting(ConfigProblem::key).containsExactly(
        "shell", "max-concurrent-calls", "kubernetes.namespace", "kubernetes.resources.memory",
        "functions.\"a.B#c\".timeout", "PUREREMOTE_KUBERNETES_LAUNCH_CONCURRENCY", "PUREREMOTE_TEAM");
    assertThat(problems).extracting(ConfigProblem::line).containsExactly(1, 2, 4, 6, 8, 0, 0);
    assertThat(problems.getFirst().toString()).isEqualTo(FILE + ":1:1: shell: expected one of \"in-process\", "
        + "\"kubernetes\", \"local\", \"local-pool\", got \"k8s\"");
    rejects("shell = \"k8s\"\nmax-concurrent-calls = 0\n").hasMessageStartingWith("Invalid Pure Remote configuration "
        + "(2 problems):\n  - " + FILE + ":1:1: shell:");
  }

  @Test
  void recordsBuiltInCodeRefuseInvalidValuesToo() {
    assertThatThrownBy(() -> KubernetesConfig.builder().namespace("Bad_NS").launchConcurrency(0).build())
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessageContaining("namespace: 'Bad_NS' is not a valid namespace name")
        .hasMessageContaining("launch-concurrency: must be >= 1, got 0");
    assertThatThrownBy(() -> Resources.builder().cpu("4").cpuLimit("2").build())
        .hasMessage("Invalid resources: cpu 4 exceeds cpu-limit 2");
    assertThatThrownBy(() -> PureRemoteConfig.builder().team("ghost").build())
        .hasMessageContaining("team: unknown team 'ghost'; teams: []");
    assertThatThrownBy(() -> TeamConfig.builder("fc").azureClientId("x").build())
        .hasMessageContaining("Invalid team 'fc': azure-client-id: expected an Azure client id");
    assertThatThrownBy(() -> FunctionConfig.builder("a b").build()).hasMessageContaining("'a b' is not a function name");
    assertThatThrownBy(() -> TolerationConfig.exists("", "Sometimes"))
        .hasMessageContaining("toleration effect must be NoSchedule, PreferNoSchedule or NoExecute, got 'Sometimes'");
  }
}
