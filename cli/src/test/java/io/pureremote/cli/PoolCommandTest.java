package io.pureremote.cli;

import static org.assertj.core.api.Assertions.assertThat;

import io.fabric8.kubernetes.client.KubernetesClient;
import io.pureremote.testing.kubernetes.FakeDeployments;
import io.pureremote.testing.kubernetes.FakeKubelet;
import io.pureremote.testing.kubernetes.MockKubernetes;
import java.io.PrintWriter;
import java.io.StringWriter;
import java.nio.file.Path;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import picocli.CommandLine;

/** {@code pureremote pool ...} against the mock cluster, workers run by FakeDeployments as local JVMs. */
class PoolCommandTest {
  static final String NS = "pureremote-pool-calc";

  @TempDir Path tmp;
  MockKubernetes cluster;
  FakeDeployments deployments;
  KubernetesClient client;

  @BeforeEach
  void setUp() {
    cluster = new MockKubernetes();
    deployments = new FakeDeployments(cluster, NS).image("acme/app:1", FakeKubelet.javaEntrypoint()).start();
    client = cluster.client("cli");
  }

  @AfterEach
  void tearDown() {
    deployments.close();
    cluster.close();
  }

  record Run(int code, String out, String err) {}

  Run cli(String... args) {
    StringWriter out = new StringWriter();
    StringWriter err = new StringWriter();
    CommandLine cl = PureRemoteCli.commandLine();
    for (CommandLine sub : cl.getSubcommands().get("pool").getSubcommands().values()) {
      if (sub.getCommand() instanceof PoolCommand.Sub s) {
        s.connect = context -> client;
        s.closeClient = false;
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

  @Test
  void createListScaleConnectStop() throws Exception {
    String root = tmp.resolve("memo").toUri().toString().replaceAll("/$", "");
    Run created = cli("pool", "create", "calc", "--root", root, "--image", "acme/app:1", "--workers", "1", "--slots", "2",
        "--memory", "1Gi", "--spot", "aks", "--timeout", "60s");
    assertThat(created.code()).as(created.err()).isZero();
    assertThat(created.out()).contains("created pool calc in namespace " + NS + ": 1 of 1 workers ready, 2 slots each, store root " + root)
        .contains("use it: shell = \"pool:calc\" (docs/pools.md)");

    Run list = cli("pool", "list");
    assertThat(list.out()).contains("NAME", "calc", NS, "1/1", root).contains("1 pool");

    assertThat(cli("pool", "scale", "calc", "2").out()).contains("scaled pool calc to 2 workers");
    long until = System.nanoTime() + TimeUnit.SECONDS.toNanos(60);
    while (!cli("pool", "connect", "calc").out().contains("2 of 2 workers ready")) {
      assertThat(System.nanoTime()).as("2 workers ready").isLessThan(until);
      Thread.sleep(200);
    }
    assertThat(cli("pool", "connect", "calc").out()).contains("  worker pool-calc-");

    assertThat(cli("pool", "stop", "calc").out()).contains("stopped pool calc");
    Run again = cli("pool", "stop", "calc");
    assertThat(again.code()).isEqualTo(PureRemoteCli.NOT_FOUND);
    assertThat(again.err()).contains("No worker pool calc in namespace " + NS);
  }

  @Test
  void unknownPoolsAndBadOptionsAreNamed() {
    Run missing = cli("pool", "connect", "nosuch");
    assertThat(missing.code()).isEqualTo(PureRemoteCli.NOT_FOUND);
    assertThat(missing.err()).startsWith("error: No worker pool nosuch in namespace pureremote-pool-nosuch");
    Run bad = cli("pool", "create", "Bad_Name", "--root", "file:///tmp/x", "--image", "acme/app:1", "--spot", "azure");
    assertThat(bad.code()).isEqualTo(PureRemoteCli.USAGE);
    assertThat(bad.err()).contains("--spot: 'azure' is not aks, eks or gke");
  }
}
