package io.pureremote.cli;

import io.pureremote.orchestrator.Orchestrators;
import java.io.PrintWriter;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.concurrent.Callable;
import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;

/** {@code pureremote list}: the orchestrator pods of a namespace. */
@Command(name = "list", mixinStandardHelpOptions = true,
    description = "List orchestrator pods in the namespace: name, status, age, image, main class.")
final class ListCommand implements Callable<Integer> {
  @CommandLine.Spec CommandLine.Model.CommandSpec spec;

  @Mixin ClusterOptions cluster;

  @Override
  public Integer call() {
    CommandLine cl = spec.commandLine();
    try (ClusterOptions.Connection c = cluster.connect(cluster.config(cl, null))) {
      List<Orchestrators.Summary> all = c.orchestrators().list();
      if (all.isEmpty()) {
        cl.getErr().println("No orchestrators in namespace " + c.orchestrators().namespace());
        cl.getErr().flush();
        return PureRemoteCli.OK;
      }
      int name = Math.max(4, all.stream().mapToInt(s -> s.name().length()).max().orElse(0));
      int status = Math.max(6, all.stream().mapToInt(s -> s.status().length()).max().orElse(0));
      int image = Math.max(5, all.stream().mapToInt(s -> s.image().length()).max().orElse(0));
      String row = "%-" + name + "s  %-" + status + "s  %-4s  %-" + image + "s  %s%n";
      PrintWriter out = cl.getOut();
      out.printf(row, "NAME", "STATUS", "AGE", "IMAGE", "MAIN");
      Instant now = Instant.now();
      for (Orchestrators.Summary s : all) {
        out.printf(row, s.name(), s.status(), age(s.created(), now), s.image(), s.mainClass());
      }
      out.flush();
      return PureRemoteCli.OK;
    }
  }

  /** Like kubectl: 42s, 7m, 5h, 3d. */
  static String age(Instant created, Instant now) {
    if (created == null) {
      return "?";
    }
    Duration d = Duration.between(created, now);
    if (d.isNegative() || d.toSeconds() < 120) {
      return Math.max(0, d.toSeconds()) + "s";
    }
    if (d.toMinutes() < 120) {
      return d.toMinutes() + "m";
    }
    return d.toHours() < 48 ? d.toHours() + "h" : d.toDays() + "d";
  }
}
