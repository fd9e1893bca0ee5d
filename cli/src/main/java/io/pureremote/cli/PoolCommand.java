package io.pureremote.cli;

import io.pureremote.k8s.values.Ranges;
import io.fabric8.kubernetes.client.KubernetesClient;
import io.pureremote.ShellException;
import io.pureremote.k8s.PodTemplateOptions;
import io.pureremote.k8s.Tolerations;
import io.pureremote.k8s.pool.WorkerPool;
import io.pureremote.k8s.pool.WorkerPoolSpec;
import io.pureremote.k8s.pool.WorkerPools;
import java.io.PrintWriter;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.Callable;
import java.util.function.Function;
import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;

/**
 * {@code pureremote pool create|list|scale|connect|stop}: Kubernetes worker pools ({@link
 * WorkerPools}, docs/pools.md). Exit codes as everywhere: 0 done, 1 not found or failed (one
 * {@code error:} line), 2 bad usage.
 */
@Command(name = "pool", mixinStandardHelpOptions = true,
    description = "Kubernetes worker pools: warm workers that take calls in milliseconds (docs/pools.md).",
    subcommands = {PoolCommand.Create.class, PoolCommand.ListPools.class, PoolCommand.Scale.class,
        PoolCommand.Connect.class, PoolCommand.Stop.class})
final class PoolCommand implements Runnable {
  @CommandLine.Spec CommandLine.Model.CommandSpec spec;

  @Override
  public void run() {
    spec.commandLine().usage(spec.commandLine().getOut());
  }

  /** Options every subcommand takes. */
  abstract static class Sub implements Callable<Integer> {
    @CommandLine.Spec CommandLine.Model.CommandSpec spec;

    @Option(names = "--namespace", paramLabel = "NS",
        description = "the pool's namespace (default: its own, pureremote-pool-<name>)")
    String namespace;

    @Option(names = "--kube-context", paramLabel = "CONTEXT", description = "kubeconfig context (default: the current one)")
    String kubeContext;

    /** How the command reaches the cluster (a client like kubectl's); tests replace it. */
    Function<String, KubernetesClient> connect = context -> io.pureremote.orchestrator.Orchestrators.connect(
        java.util.Optional.ofNullable(context));
    /** Whether the command closes the client it got (tests keep theirs). */
    boolean closeClient = true;

    @Override
    public final Integer call() {
      KubernetesClient client = connect.apply(kubeContext);
      try {
        return run(new WorkerPools(client), spec.commandLine().getOut());
      } catch (ShellException e) {
        PrintWriter err = spec.commandLine().getErr();
        err.println("error: " + e.getMessage());
        err.flush();
        return PureRemoteCli.NOT_FOUND;
      } finally {
        if (closeClient) {
          client.close();
        }
      }
    }

    abstract int run(WorkerPools pools, PrintWriter out);

    static String describe(WorkerPool p) {
      return p.name() + " in namespace " + p.namespace() + ": " + p.ready().size() + " of " + p.desired()
          + " workers ready, " + p.slots() + " slots each, store root " + p.storeRoot();
    }
  }

  @Command(name = "create", mixinStandardHelpOptions = true,
      description = "Create a pool and wait until --min-ready workers are ready (the failing pods' reasons and logs otherwise).")
  static final class Create extends Sub {
    @Parameters(paramLabel = "NAME", description = "the pool's name (a DNS label, at most 40 characters)")
    String name;

    @Option(names = "--root", required = true, paramLabel = "URI", description = "the blob store root the workers serve")
    String root;

    @Option(names = "--image", required = true, paramLabel = "IMAGE", description = "the workers' image (your application's)")
    String image;

    @Option(names = "--workers", paramLabel = "N", defaultValue = "2", description = "workers (default ${DEFAULT-VALUE})")
    int workers;

    @Option(names = "--min-ready", paramLabel = "N", description = "ready workers to wait for (default: all)")
    Integer minReady;

    @Option(names = "--slots", paramLabel = "K", defaultValue = "4", description = "calls per worker at once (default ${DEFAULT-VALUE})")
    int slots;

    @Option(names = "--cpu", paramLabel = "Q", description = "CPU request per worker, e.g. 2")
    String cpu;

    @Option(names = "--memory", paramLabel = "Q", description = "memory request = limit per worker, e.g. 8Gi")
    String memory;

    @Option(names = "--spot", paramLabel = "CLOUD", description = "tolerate spot nodes of aks, eks or gke")
    String spot;

    @Option(names = "--service-account", paramLabel = "SA", description = "the workers' service account (workload identity for the store)")
    String serviceAccount;

    @Option(names = "--env", paramLabel = "NAME=VALUE", description = "a plain variable for the workers (never a credential)")
    List<String> env = new ArrayList<>();

    @Option(names = "--allow-namespace", paramLabel = "NS",
        description = "another namespace whose pods labelled pureremote.io/pool-client=<name> may reach the workers")
    List<String> allowNamespaces = new ArrayList<>();

    @Option(names = "--timeout", paramLabel = "DURATION", defaultValue = "5m",
        description = "how long to wait for the ready workers (default ${DEFAULT-VALUE})")
    String timeout;

    @Override
    int run(WorkerPools pools, PrintWriter out) {
      CommandLine cl = spec.commandLine();
      WorkerPoolSpec poolSpec;
      try {
        PodTemplateOptions.Builder pod = PodTemplateOptions.builder().image(image);
        if (cpu != null) {
          pod.cpu(cpu, null);
        }
        if (memory != null) {
          pod.memory(memory);
        }
        if (spot != null) {
          pod.toleration(switch (spot) {
            case "aks" -> Tolerations.spotAks();
            case "eks" -> Tolerations.spotEksKarpenter();
            case "gke" -> Tolerations.spotGke();
            default -> throw new IllegalArgumentException("--spot: '" + spot + "' is not aks, eks or gke");
          });
        }
        if (serviceAccount != null) {
          pod.serviceAccount(serviceAccount);
        }
        for (String e : env) {
          int eq = e.indexOf('=');
          if (eq <= 0) {
            throw new IllegalArgumentException("--env: '" + e + "' is not NAME=VALUE");
          }
          pod.env(e.substring(0, eq), e.substring(eq + 1));
        }
        WorkerPoolSpec.Builder b = WorkerPoolSpec.builder().name(name).storeRoot(root).pod(pod.build())
            .workers(workers).slots(slots).readyTimeout(io.pureremote.spi.Shell.Settings.parseDuration(timeout));
        if (namespace != null) {
          b.namespace(namespace);
        }
        if (minReady != null) {
          b.minReady(minReady);
        }
        allowNamespaces.forEach(b::allowNamespace);
        poolSpec = b.build();
      } catch (IllegalArgumentException e) {
        throw new CommandLine.ParameterException(cl, e.getMessage());
      }
      WorkerPool pool = pools.create(poolSpec);
      out.println("created pool " + describe(pool));
      out.println("use it: shell = \"pool:" + pool.name() + "\""
          + (poolSpec.ownsNamespace() ? "" : " with [pools." + pool.name() + "] namespace = \"" + pool.namespace() + "\"")
          + " (docs/pools.md)");
      out.flush();
      return PureRemoteCli.OK;
    }
  }

  @Command(name = "list", mixinStandardHelpOptions = true, description = "List pools (in --namespace, or every namespace you may list).")
  static final class ListPools extends Sub {
    @Override
    int run(WorkerPools pools, PrintWriter out) {
      List<WorkerPool> found = pools.list(namespace);
      out.printf("%-20s %-32s %7s %5s  %s%n", "NAME", "NAMESPACE", "READY", "SLOTS", "STORE ROOT");
      for (WorkerPool p : found) {
        out.printf("%-20s %-32s %7s %5d  %s%n", p.name(), p.namespace(), p.ready().size() + "/" + p.desired(), p.slots(),
            p.storeRoot());
      }
      out.println(found.size() + (found.size() == 1 ? " pool" : " pools"));
      out.flush();
      return PureRemoteCli.OK;
    }
  }

  @Command(name = "scale", mixinStandardHelpOptions = true, description = "Set a pool's workers (the Deployment's scale subresource).")
  static final class Scale extends Sub {
    @Parameters(index = "0", paramLabel = "NAME", description = "the pool")
    String name;

    @Parameters(index = "1", paramLabel = "WORKERS", description = "the new number of workers")
    int workers;

    @Override
    int run(WorkerPools pools, PrintWriter out) {
      Ranges.atLeastProblem(0, workers).ifPresent(p -> {
        throw new CommandLine.ParameterException(spec.commandLine(), "WORKERS " + p);
      });
      pools.scale(name, namespace, workers);
      out.println("scaled pool " + name + " to " + workers + " workers");
      out.flush();
      return PureRemoteCli.OK;
    }
  }

  @Command(name = "connect", mixinStandardHelpOptions = true,
      description = "Find a pool by name, show its workers, and how a program uses it.")
  static final class Connect extends Sub {
    @Parameters(paramLabel = "NAME", description = "the pool")
    String name;

    @Override
    int run(WorkerPools pools, PrintWriter out) {
      WorkerPool p = pools.connect(name, namespace);
      out.println("pool " + describe(p));
      p.ready().forEach(w -> out.println("  worker " + w.pod() + " " + w.ip()));
      out.println("use it: shell = \"pool:" + p.name() + "\""
          + (namespace == null ? "" : " with [pools." + p.name() + "] namespace = \"" + p.namespace() + "\""));
      out.flush();
      return PureRemoteCli.OK;
    }
  }

  @Command(name = "stop", mixinStandardHelpOptions = true,
      description = "Delete exactly what create made for the pool (and its namespace if it made one).")
  static final class Stop extends Sub {
    @Parameters(paramLabel = "NAME", description = "the pool")
    String name;

    @Override
    int run(WorkerPools pools, PrintWriter out) {
      if (!pools.stop(name, namespace)) {
        spec.commandLine().getErr().println("No worker pool " + name + " in namespace "
            + (namespace == null ? WorkerPoolSpec.defaultNamespace(name) : namespace) + " (pureremote pool list shows them)");
        spec.commandLine().getErr().flush();
        return PureRemoteCli.NOT_FOUND;
      }
      out.println("stopped pool " + name);
      out.flush();
      return PureRemoteCli.OK;
    }
  }
}
