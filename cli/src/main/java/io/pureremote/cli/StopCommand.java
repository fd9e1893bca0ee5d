package io.pureremote.cli;

import java.util.concurrent.Callable;
import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Parameters;

/** {@code pureremote stop NAME}: deletes an orchestrator's Job, its pod first. */
@Command(name = "stop", mixinStandardHelpOptions = true,
    description = "Stop an orchestrator pod: delete its Job with foreground propagation (the pod goes first).")
final class StopCommand implements Callable<Integer> {
  @CommandLine.Spec CommandLine.Model.CommandSpec spec;

  @Mixin ClusterOptions cluster;

  @Parameters(paramLabel = "NAME", description = "the orchestrator's name")
  String name;

  @Override
  public Integer call() {
    CommandLine cl = spec.commandLine();
    try (ClusterOptions.Connection c = cluster.connect(cluster.config(cl, null))) {
      String ns = c.orchestrators().namespace();
      if (!c.orchestrators().stop(name)) {
        cl.getErr().println("No orchestrator " + name + " in namespace " + ns + " (pureremote list shows them)");
        cl.getErr().flush();
        return PureRemoteCli.NOT_FOUND;
      }
      cl.getOut().println("deleted orchestrator " + name + " in namespace " + ns
          + " (foreground: its pod goes first; Jobs of calls it started end or expire on their own)");
      cl.getOut().flush();
      return PureRemoteCli.OK;
    }
  }
}
