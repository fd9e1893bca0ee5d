package io.pureremote.cli;

import io.pureremote.config.PureRemoteConfig;
import io.pureremote.orchestrator.Orchestrators;
import java.io.PrintWriter;
import java.util.concurrent.Callable;
import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Parameters;

/** {@code pureremote attach NAME}: follows an orchestrator's log to its end; exits with the driver's code. */
@Command(name = "attach", mixinStandardHelpOptions = true,
    description = "Follow an orchestrator pod's log until it ends; exit with the driver's exit code.")
final class AttachCommand implements Callable<Integer> {
  @CommandLine.Spec CommandLine.Model.CommandSpec spec;

  @Mixin ClusterOptions cluster;

  @Parameters(paramLabel = "NAME", description = "the orchestrator's name (pureremote list shows them)")
  String name;

  @Override
  public Integer call() throws InterruptedException {
    CommandLine cl = spec.commandLine();
    PureRemoteConfig config = cluster.config(cl, null);
    try (ClusterOptions.Connection c = cluster.connect(config)) {
      if (c.orchestrators().get(name).isEmpty()) {
        cl.getErr().println("No orchestrator " + name + " in namespace " + c.orchestrators().namespace()
            + " (pureremote list shows them)");
        cl.getErr().flush();
        return PureRemoteCli.NOT_FOUND;
      }
      cl.getErr().println("following orchestrator " + name + " in namespace " + c.orchestrators().namespace()
          + "; Ctrl-C detaches, it keeps running (pureremote stop " + name + " ends it)");
      return follow(cl, c.orchestrators(), name, config);
    }
  }

  /** Follows {@code name} to its end, printing the driver's log to out and notices to err; its exit code. */
  static int follow(CommandLine cl, Orchestrators orchestrators, String name, PureRemoteConfig config)
      throws InterruptedException {
    PrintWriter out = cl.getOut();
    PrintWriter err = cl.getErr();
    err.flush();
    Orchestrators.Ending end = orchestrators.follow(name, line -> {
      out.println(line);
      out.flush();
    }, notice -> {
      err.println("[" + name + "] " + notice);
      err.flush();
    }, config.kubernetes().imagePullBound());
    if (end.exitCode() == 0) {
      err.println("orchestrator " + name + " completed");
    } else {
      err.println("orchestrator " + name + " failed: " + end.reason() + " (exit " + end.exitCode() + "): " + end.message());
    }
    err.flush();
    return end.exitCode();
  }
}
