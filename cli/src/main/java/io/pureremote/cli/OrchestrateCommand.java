package io.pureremote.cli;

import io.pureremote.config.PureRemoteConfig;
import io.pureremote.orchestrator.OrchestratorManifests;
import io.pureremote.orchestrator.OrchestratorSpec;
import io.pureremote.orchestrator.Orchestrators;
import java.io.PrintWriter;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.concurrent.Callable;
import java.util.concurrent.ThreadLocalRandom;
import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;

/**
 * {@code pureremote orchestrate}: runs the driver program in the cluster as an orchestrator pod (a
 * Job), follows its log and exits with its exit code; or prints / applies the RBAC it needs.
 */
@Command(name = "orchestrate", mixinStandardHelpOptions = true, sortOptions = false,
    description = {"Run a driver program (its main class from your application image) in the cluster as an"
        + " orchestrator pod, follow its log until it ends, and exit with its exit code.",
        "Inside the pod Pure Remote runs the driver's calls as Jobs in the same namespace."},
    footer = {"", "Examples:",
        "  pureremote orchestrate --image myregistry.azurecr.io/fc/app:42 --main com.acme.Pipeline --name backfill -- --month 2026-10",
        "  pureremote orchestrate --print-rbac --namespace fc > rbac.yaml"})
final class OrchestrateCommand implements Callable<Integer> {
  @CommandLine.Spec CommandLine.Model.CommandSpec spec;

  @Mixin ClusterOptions cluster;

  @Option(names = "--image", paramLabel = "IMAGE", description = "application image (unqualified: the configured registry is prefixed)")
  String image;

  @Option(names = "--main", paramLabel = "CLASS", description = "the driver's main class, e.g. com.acme.Pipeline")
  String mainClass;

  @Option(names = "--name", paramLabel = "NAME",
      description = "the orchestrator's name (default: from the main class plus a random suffix); a running one with this name is reattached")
  String name;

  @Option(names = "--service-account", paramLabel = "SA",
      description = "the pod's service account (default: the configured one, else " + OrchestratorSpec.DEFAULT_SERVICE_ACCOUNT + ")")
  String serviceAccount;

  @Option(names = "--detach", description = "return once the Job is created; print how to attach")
  boolean detach;

  @Option(names = "--print-rbac", description = "print the service account, Role and RoleBinding as YAML and exit (no cluster needed)")
  boolean printRbac;

  @Option(names = "--apply-rbac", description = "create or update the service account, Role and RoleBinding first")
  boolean applyRbac;

  @Option(names = "--classpath", paramLabel = "CP", defaultValue = OrchestratorSpec.JIB_CLASS_PATH,
      description = "class path inside the image (default: Jib's, ${DEFAULT-VALUE})")
  String classPath;

  @Option(names = "--jvm-flag", paramLabel = "FLAG", description = "a JVM flag before -cp (repeatable), e.g. -XX:MaxRAMPercentage=75")
  List<String> jvmFlags = new ArrayList<>();

  @Option(names = "--command", paramLabel = "CMD", split = "\\s+",
      description = "replaces 'java <flags> -cp <classpath>': words split at spaces; the main class and args follow")
  List<String> command = new ArrayList<>();

  @Option(names = "--cpu", paramLabel = "Q", description = "CPU request of the driver, e.g. 2")
  String cpu;

  @Option(names = "--memory", paramLabel = "Q", description = "memory request and limit of the driver, e.g. 4Gi")
  String memory;

  @Option(names = "--env", paramLabel = "NAME=VALUE", description = "an extra plain variable (repeatable; never credentials)")
  Map<String, String> env = new LinkedHashMap<>();

  @Option(names = "--blob-root", paramLabel = "URI", description = "memo store root (default: the team's blob-root)")
  String blobRoot;

  @Parameters(paramLabel = "ARGS", description = "the driver's arguments (after --)")
  List<String> args = new ArrayList<>();

  @Override
  public Integer call() throws InterruptedException {
    CommandLine cl = spec.commandLine();
    PureRemoteConfig config = cluster.config(cl, blobRoot);
    String namespace = config.kubernetes().namespace();
    if (printRbac) {
      String sa = serviceAccount != null ? serviceAccount
          : config.kubernetes().serviceAccount().orElse(OrchestratorSpec.DEFAULT_SERVICE_ACCOUNT);
      cl.getOut().print(OrchestratorManifests.yaml(OrchestratorManifests.rbac(namespace, sa)));
      cl.getOut().flush();
      return PureRemoteCli.OK;
    }
    OrchestratorSpec orchestrator = spec(cl, config);
    PrintWriter err = cl.getErr();
    try (ClusterOptions.Connection c = cluster.connect(config)) {
      Orchestrators orchestrators = c.orchestrators();
      if (applyRbac) {
        for (String done : orchestrators.applyRbac(orchestrator.serviceAccount())) {
          err.println("rbac: " + done);
        }
      }
      Orchestrators.Launch launch = orchestrators.launch(orchestrator);
      String n = launch.name();
      if (launch.reattached()) {
        err.println("orchestrator " + n + " is already running in namespace " + namespace
            + ": attaching to it instead of starting another");
      } else {
        err.println("created orchestrator " + n + " in namespace " + namespace + " (" + orchestrator.image() + ", "
            + orchestrator.mainClass() + ")");
      }
      String ns = cluster.namespace != null ? " --namespace " + namespace : cluster.team != null ? " --team " + cluster.team : "";
      if (detach) {
        err.flush();
        cl.getOut().println(n);
        cl.getOut().flush();
        err.println("detached; follow it with: pureremote attach " + n + ns + "; stop it with: pureremote stop " + n + ns);
        err.flush();
        return PureRemoteCli.OK;
      }
      err.println("following its log; Ctrl-C detaches and it keeps running (pureremote attach " + n + ns
          + " / pureremote stop " + n + ns + ")");
      return AttachCommand.follow(cl, orchestrators, n, config);
    }
  }

  private OrchestratorSpec spec(CommandLine cl, PureRemoteConfig config) {
    List<String> missing = new ArrayList<>();
    if (image == null) {
      missing.add("--image (your application image, e.g. myregistry.azurecr.io/team/app:42; docs/orchestrate.md shows how to build it with Jib)");
    }
    if (mainClass == null) {
      missing.add("--main (the driver's main class, e.g. com.acme.Pipeline)");
    }
    if (!missing.isEmpty()) {
      throw new CommandLine.ParameterException(cl, "Missing " + String.join(" and ", missing));
    }
    try {
      OrchestratorSpec.Builder b = OrchestratorSpec.builder().configuration(config)
          .name(name != null ? name : defaultName(mainClass))
          .image(image).mainClass(mainClass).args(args)
          .classPath(classPath).jvmFlags(jvmFlags).command(command)
          .cpu(cpu).memory(memory);
      if (serviceAccount != null) {
        b.serviceAccount(serviceAccount);
      }
      env.forEach(b::env);
      return b.build();
    } catch (IllegalArgumentException e) {
      throw new CommandLine.ParameterException(cl, e.getMessage());
    }
  }

  /** {@code com.acme.NightlyPipeline} → {@code nightly-pipeline-x7k2q}. */
  static String defaultName(String mainClass) {
    String simple = mainClass.substring(mainClass.lastIndexOf('.') + 1).replace('$', '-');
    String kebab = simple.replaceAll("([a-z0-9])([A-Z])", "$1-$2").toLowerCase(Locale.ROOT)
        .replaceAll("[^a-z0-9]+", "-").replaceAll("^-+|-+$", "");
    if (kebab.length() > 50) {
      kebab = kebab.substring(0, 50).replaceAll("-+$", "");
    }
    String alphabet = "bcdfghjklmnpqrstvwxz2456789";
    StringBuilder suffix = new StringBuilder();
    for (int i = 0; i < 5; i++) {
      suffix.append(alphabet.charAt(ThreadLocalRandom.current().nextInt(alphabet.length())));
    }
    return (kebab.isEmpty() ? "orchestrator" : kebab) + "-" + suffix;
  }
}
