package io.pureremote.k8s.pool;

import io.fabric8.kubernetes.api.model.ContainerPortBuilder;
import io.fabric8.kubernetes.api.model.ContainerStatus;
import io.fabric8.kubernetes.api.model.EnvVar;
import io.fabric8.kubernetes.api.model.EnvVarBuilder;
import io.fabric8.kubernetes.api.model.HasMetadata;
import io.fabric8.kubernetes.api.model.IntOrString;
import io.fabric8.kubernetes.api.model.Namespace;
import io.fabric8.kubernetes.api.model.NamespaceBuilder;
import io.fabric8.kubernetes.api.model.Pod;
import io.fabric8.kubernetes.api.model.PodSpec;
import io.fabric8.kubernetes.api.model.Secret;
import io.fabric8.kubernetes.api.model.SecretBuilder;
import io.fabric8.kubernetes.api.model.Service;
import io.fabric8.kubernetes.api.model.ServiceAccount;
import io.fabric8.kubernetes.api.model.ServiceAccountBuilder;
import io.fabric8.kubernetes.api.model.ServiceBuilder;
import io.fabric8.kubernetes.api.model.apps.Deployment;
import io.fabric8.kubernetes.api.model.apps.DeploymentBuilder;
import io.fabric8.kubernetes.api.model.networking.v1.NetworkPolicy;
import io.fabric8.kubernetes.api.model.networking.v1.NetworkPolicyBuilder;
import io.fabric8.kubernetes.api.model.networking.v1.NetworkPolicyPeer;
import io.fabric8.kubernetes.api.model.networking.v1.NetworkPolicyPeerBuilder;
import io.fabric8.kubernetes.api.model.rbac.PolicyRuleBuilder;
import io.fabric8.kubernetes.api.model.rbac.Role;
import io.fabric8.kubernetes.api.model.rbac.RoleBinding;
import io.fabric8.kubernetes.api.model.rbac.RoleBindingBuilder;
import io.fabric8.kubernetes.api.model.rbac.RoleBuilder;
import io.fabric8.kubernetes.client.KubernetesClient;
import io.fabric8.kubernetes.client.KubernetesClientException;
import io.fabric8.kubernetes.client.dsl.FieldValidateable.Validation;
import io.pureremote.ShellException;
import io.pureremote.k8s.PodSpecs;
import io.pureremote.k8s.PodTemplateOptions;
import java.nio.charset.StandardCharsets;
import java.security.SecureRandom;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Base64;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Kubernetes worker pools: warm {@code RemoteMain worker --listen} JVMs in a Deployment, created,
 * scaled, found and stopped by name (the Mars {@code new_cluster} shape, see docs/pools.md).
 *
 * <p>{@link #create} makes, in the pool's namespace (its own {@code pureremote-pool-<name>} unless
 * one is given), each with strict field validation and the labels {@code
 * app.kubernetes.io/managed-by=pureremote} and {@code pureremote.io/pool=<name>}:
 *
 * <ul>
 *   <li>a ServiceAccount {@code pool-<name>} for the workers, without an API token mounted (workers
 *       never call the API; a service account of the pod template, for workload identity, is used
 *       instead when set);
 *   <li>a Role and RoleBinding {@code pool-<name>-caller}: what a caller needs and no more (read
 *       the pool's Deployment and pods, scale it, port-forward to its pods, read its one Secret by
 *       name), bound to the pool's ServiceAccount for in-cluster callers;
 *   <li>a Secret {@code pool-<name>-token} with 256 random bits, given to the workers as an env
 *       var from a {@code secretKeyRef} (never inline, never logged);
 *   <li>a Deployment {@code pool-<name>} of workers from the {@link PodTemplateOptions}, with an
 *       HTTP readiness probe on the worker's {@code /ready} ("registered and able to take work");
 *   <li>a Service {@code pool-<name>} on port {@value #WORKER_PORT};
 *   <li>a NetworkPolicy {@code pool-<name>} admitting, to the workers' port only, pods labelled
 *       {@code pureremote.io/pool-client=<name>} in the pool's namespace and the namespaces of
 *       {@link WorkerPoolSpec#allowNamespaces()}; nothing else reaches the workers.
 * </ul>
 *
 * <p>It then waits for {@link WorkerPoolSpec#minReady()} ready workers within {@link
 * WorkerPoolSpec#readyTimeout()}; when they do not come, it deletes what it made and throws a
 * {@link ShellException} (reason {@code PoolNotReady}) naming each unready pod's reason and last log
 * lines. {@link #stop} deletes exactly the objects carrying the pool's label (and the namespace if
 * the pool made it).
 */
public final class WorkerPools {
  /** The port workers listen on for {@code pureremote-worker/1} frames. */
  public static final int WORKER_PORT = 7070;
  /** The port of the workers' readiness endpoint. */
  public static final int READY_PORT = 7071;
  /** The label every object of a pool carries: its name. */
  public static final String POOL_LABEL = "pureremote.io/pool";
  /** The label a client pod needs for the NetworkPolicy to admit it: the pool's name. */
  public static final String CLIENT_LABEL = "pureremote.io/pool-client";
  static final String MANAGED_BY = "app.kubernetes.io/managed-by";
  static final String ROLE_LABEL = "pureremote.io/role";
  static final String TOKEN_KEY = "token";
  static final String TOKEN_ENV = "PUREREMOTE_POOL_TOKEN";
  static final String ANNOTATION_ROOT = "pureremote.io/store-root";
  static final String ANNOTATION_SLOTS = "pureremote.io/slots";
  static final String CONTAINER = "worker";
  private static final Logger log = LoggerFactory.getLogger(WorkerPools.class);
  private static final SecureRandom RANDOM = new SecureRandom();

  private final KubernetesClient client;

  /** Pools through {@code client} (the caller's kube context). */
  public WorkerPools(KubernetesClient client) {
    this.client = client;
  }

  static String objectName(String pool) {
    return "pool-" + pool;
  }

  static String secretName(String pool) {
    return objectName(pool) + "-token";
  }

  static String roleName(String pool) {
    return objectName(pool) + "-caller";
  }

  static Map<String, String> labels(String pool) {
    Map<String, String> labels = new LinkedHashMap<>();
    labels.put(MANAGED_BY, "pureremote");
    labels.put(POOL_LABEL, pool);
    return labels;
  }

  /**
   * Creates the pool and waits for its ready workers.
   *
   * @throws ShellException {@code PoolExists} when a pool of that name is in the namespace; {@code
   *     PoolNotReady} (after deleting what it made) when too few workers became ready in time;
   *     {@code LaunchFailed} when the API server refused an object
   */
  public WorkerPool create(WorkerPoolSpec spec) {
    String ns = spec.namespace();
    String name = spec.name();
    if (client.apps().deployments().inNamespace(ns).withName(objectName(name)).get() != null) {
      throw new ShellException("PoolExists", null, "Worker pool " + name + " already exists in namespace " + ns
          + "; connect to it (pureremote pool connect " + name + ") or stop it first", false);
    }
    try {
      if (spec.ownsNamespace()) {
        Namespace existing = client.namespaces().withName(ns).get();
        if (existing != null) {
          throw new ShellException("PoolExists", null, "Namespace " + ns + " already exists but holds no pool "
              + name + "; give the pool another name or that namespace explicitly", false);
        }
        strict(client.namespaces().resource(new NamespaceBuilder().withNewMetadata().withName(ns)
            .withLabels(labels(name)).endMetadata().build()));
      }
      String token = newToken();
      strict(client.serviceAccounts().inNamespace(ns).resource(serviceAccount(spec)));
      strict(client.secrets().inNamespace(ns).resource(secret(spec, token)));
      strict(client.rbac().roles().inNamespace(ns).resource(role(spec)));
      strict(client.rbac().roleBindings().inNamespace(ns).resource(roleBinding(spec)));
      strict(client.apps().deployments().inNamespace(ns).resource(deployment(spec)));
      strict(client.services().inNamespace(ns).resource(service(spec)));
      strict(client.network().v1().networkPolicies().inNamespace(ns).resource(networkPolicy(spec)));
    } catch (KubernetesClientException e) {
      stop(name, ns);
      throw new ShellException("LaunchFailed", null, "Cannot create worker pool " + name + " in namespace " + ns + ": "
          + io.pureremote.k8s.ApiGate.describe(e) + " (what was created is deleted again)", false);
    }
    log.info("worker pool {}: created in namespace {} ({} workers x {} slots); waiting for {} ready within {}",
        name, ns, spec.workers(), spec.slots(), spec.minReady(), spec.readyTimeout());
    long deadline = System.nanoTime() + spec.readyTimeout().toNanos();
    while (true) {
      List<Pod> pods = pods(name, ns);
      long ready = pods.stream().filter(WorkerPools::isReady).count();
      if (ready >= spec.minReady()) {
        log.info("worker pool {}: {} of {} workers ready", name, ready, spec.workers());
        return connect(name, ns);
      }
      if (System.nanoTime() > deadline) {
        String why = unready(pods);
        stop(name, ns);
        throw new ShellException("PoolNotReady", null, "Worker pool " + name + " in namespace " + ns + ": " + ready
            + " of " + spec.minReady() + " required workers ready after " + spec.readyTimeout()
            + "; the pool was deleted again." + (why.isEmpty() ? " No pod was created (check the Deployment's events:"
                + " kubectl -n " + ns + " describe deployment " + objectName(name) + ")" : why), false);
      }
      sleep(Duration.ofMillis(250));
    }
  }

  /**
   * The pool {@code name} in {@code namespace} (null: the pool's own {@code pureremote-pool-<name>}).
   *
   * @throws ShellException {@code PoolNotFound} naming the pool and namespace when there is none
   */
  public WorkerPool connect(String name, String namespace) {
    String ns = namespace == null ? WorkerPoolSpec.defaultNamespace(name) : namespace;
    Deployment d = client.apps().deployments().inNamespace(ns).withName(objectName(name)).get();
    if (d == null || d.getMetadata().getLabels() == null || !name.equals(d.getMetadata().getLabels().get(POOL_LABEL))) {
      throw new ShellException("PoolNotFound", null, "No worker pool " + name + " in namespace " + ns
          + " (create it with pureremote pool create " + name + ", or name its namespace)", false);
    }
    return snapshot(d, pods(name, ns));
  }

  /** The pools in {@code namespace} (null: every namespace the caller may list). */
  public List<WorkerPool> list(String namespace) {
    var op = client.apps().deployments();
    List<Deployment> found = (namespace == null ? op.inAnyNamespace().withLabel(POOL_LABEL)
        : op.inNamespace(namespace).withLabel(POOL_LABEL)).list().getItems();
    List<WorkerPool> pools = new ArrayList<>();
    for (Deployment d : found) {
      String name = d.getMetadata().getLabels().get(POOL_LABEL);
      pools.add(snapshot(d, pods(name, d.getMetadata().getNamespace())));
    }
    return pools;
  }

  /** Sets the pool's workers through the Deployment's scale subresource. */
  public void scale(String name, String namespace, int workers) {
    if (workers < 0) {
      throw new IllegalArgumentException("workers must be >= 0, got " + workers);
    }
    WorkerPool pool = connect(name, namespace);
    client.apps().deployments().inNamespace(pool.namespace()).withName(objectName(name)).scale(workers);
    log.info("worker pool {}: scaled from {} to {} workers", name, pool.desired(), workers);
  }

  /**
   * Deletes what {@link #create} made for the pool: the objects labelled {@code
   * pureremote.io/pool=<name>} in its namespace, and the namespace when the pool made it. True when
   * something was deleted.
   */
  public boolean stop(String name, String namespace) {
    String ns = namespace == null ? WorkerPoolSpec.defaultNamespace(name) : namespace;
    boolean any = false;
    any |= !client.network().v1().networkPolicies().inNamespace(ns).withLabel(POOL_LABEL, name).delete().isEmpty();
    any |= !client.services().inNamespace(ns).withLabel(POOL_LABEL, name).delete().isEmpty();
    any |= !client.apps().deployments().inNamespace(ns).withLabel(POOL_LABEL, name).delete().isEmpty();
    any |= !client.rbac().roleBindings().inNamespace(ns).withLabel(POOL_LABEL, name).delete().isEmpty();
    any |= !client.rbac().roles().inNamespace(ns).withLabel(POOL_LABEL, name).delete().isEmpty();
    any |= !client.secrets().inNamespace(ns).withLabel(POOL_LABEL, name).delete().isEmpty();
    any |= !client.serviceAccounts().inNamespace(ns).withLabel(POOL_LABEL, name).delete().isEmpty();
    Namespace owned = client.namespaces().withName(ns).get();
    if (owned != null && owned.getMetadata().getLabels() != null && name.equals(owned.getMetadata().getLabels().get(POOL_LABEL))) {
      client.namespaces().withName(ns).delete();
      any = true;
    }
    if (any) {
      log.info("worker pool {}: stopped (namespace {})", name, ns);
    }
    return any;
  }

  /** The pool's token, read from its Secret: for the pool shell only, never shown. */
  byte[] token(WorkerPool pool) {
    Secret s = client.secrets().inNamespace(pool.namespace()).withName(secretName(pool.name())).get();
    if (s == null || s.getData() == null || s.getData().get(TOKEN_KEY) == null) {
      throw new ShellException("PoolNotFound", null, "Worker pool " + pool.name() + " in namespace " + pool.namespace()
          + " has no token Secret " + secretName(pool.name()) + " (stop and create the pool again)", false);
    }
    return Base64.getDecoder().decode(s.getData().get(TOKEN_KEY));
  }

  List<Pod> pods(String name, String ns) {
    return client.pods().inNamespace(ns).withLabel(POOL_LABEL, name).withLabel(ROLE_LABEL, CONTAINER).list().getItems();
  }

  static boolean isReady(Pod p) {
    return p.getMetadata().getDeletionTimestamp() == null && p.getStatus() != null && p.getStatus().getConditions() != null
        && p.getStatus().getConditions().stream().anyMatch(c -> "Ready".equals(c.getType()) && "True".equals(c.getStatus()));
  }

  private static WorkerPool snapshot(Deployment d, List<Pod> pods) {
    Map<String, String> a = d.getMetadata().getAnnotations() == null ? Map.of() : d.getMetadata().getAnnotations();
    List<WorkerPool.ReadyWorker> ready = pods.stream().filter(WorkerPools::isReady)
        .map(p -> new WorkerPool.ReadyWorker(p.getMetadata().getName(), p.getStatus().getPodIP())).toList();
    int slots = Integer.parseInt(a.getOrDefault(ANNOTATION_SLOTS, "1"));
    return new WorkerPool(d.getMetadata().getLabels().get(POOL_LABEL), d.getMetadata().getNamespace(),
        a.getOrDefault(ANNOTATION_ROOT, ""), slots, d.getSpec().getReplicas() == null ? 1 : d.getSpec().getReplicas(), ready);
  }

  private String unready(List<Pod> pods) {
    StringBuilder why = new StringBuilder();
    for (Pod p : pods) {
      if (isReady(p)) {
        continue;
      }
      String pod = p.getMetadata().getName();
      why.append("\n  pod ").append(pod).append(": ").append(reason(p));
      try {
        String logText = client.pods().inNamespace(p.getMetadata().getNamespace()).withName(pod).tailingLines(10).getLog();
        if (logText != null && !logText.isBlank()) {
          why.append("; last log lines:");
          logText.lines().forEach(l -> why.append("\n    ").append(l));
        }
      } catch (KubernetesClientException e) {
        why.append(" (no log: ").append(e.getCode()).append(')');
      }
    }
    return why.toString();
  }

  private static String reason(Pod p) {
    Optional<String> pending = PodSpecs.pendingReason(p);
    StringBuilder s = new StringBuilder();
    if (p.getStatus() != null && p.getStatus().getContainerStatuses() != null) {
      for (ContainerStatus cs : p.getStatus().getContainerStatuses()) {
        if (pending.isEmpty() && cs.getState() != null && cs.getState().getWaiting() != null
            && cs.getState().getWaiting().getReason() != null) {
          pending = Optional.of(cs.getState().getWaiting().getReason()
              + (cs.getState().getWaiting().getMessage() == null ? "" : " (" + cs.getState().getWaiting().getMessage() + ")"));
        }
        if (cs.getRestartCount() != null && cs.getRestartCount() > 0) {
          s.append(", restarted ").append(cs.getRestartCount()).append(" times");
        }
      }
    }
    return pending.orElse("not ready") + s;
  }

  private static <T extends HasMetadata> void strict(io.fabric8.kubernetes.client.dsl.Resource<T> resource) {
    resource.fieldValidation(Validation.STRICT).create();
  }

  private static String newToken() {
    byte[] bytes = new byte[32];
    RANDOM.nextBytes(bytes);
    return Base64.getUrlEncoder().withoutPadding().encodeToString(bytes);
  }

  static ServiceAccount serviceAccount(WorkerPoolSpec spec) {
    return new ServiceAccountBuilder().withNewMetadata().withName(objectName(spec.name())).withNamespace(spec.namespace())
        .withLabels(labels(spec.name())).endMetadata().withAutomountServiceAccountToken(false).build();
  }

  static Secret secret(WorkerPoolSpec spec, String token) {
    return new SecretBuilder().withNewMetadata().withName(secretName(spec.name())).withNamespace(spec.namespace())
        .withLabels(labels(spec.name())).endMetadata().withType("Opaque")
        .withData(Map.of(TOKEN_KEY, Base64.getEncoder().encodeToString(token.getBytes(StandardCharsets.UTF_8)))).build();
  }

  static Role role(WorkerPoolSpec spec) {
    String n = spec.name();
    return new RoleBuilder().withNewMetadata().withName(roleName(n)).withNamespace(spec.namespace()).withLabels(labels(n))
        .endMetadata()
        .addToRules(new PolicyRuleBuilder().withApiGroups("apps").withResources("deployments")
            .withResourceNames(objectName(n)).withVerbs("get").build())
        .addToRules(new PolicyRuleBuilder().withApiGroups("apps").withResources("deployments/scale")
            .withResourceNames(objectName(n)).withVerbs("get", "update", "patch").build())
        .addToRules(new PolicyRuleBuilder().withApiGroups("").withResources("pods").withVerbs("get", "list", "watch").build())
        .addToRules(new PolicyRuleBuilder().withApiGroups("").withResources("pods/portforward").withVerbs("create").build())
        .addToRules(new PolicyRuleBuilder().withApiGroups("").withResources("secrets")
            .withResourceNames(secretName(n)).withVerbs("get").build())
        .build();
  }

  static RoleBinding roleBinding(WorkerPoolSpec spec) {
    String n = spec.name();
    return new RoleBindingBuilder().withNewMetadata().withName(roleName(n)).withNamespace(spec.namespace())
        .withLabels(labels(n)).endMetadata()
        .withNewRoleRef().withApiGroup("rbac.authorization.k8s.io").withKind("Role").withName(roleName(n)).endRoleRef()
        .addNewSubject().withKind("ServiceAccount").withName(objectName(n)).withNamespace(spec.namespace()).endSubject()
        .build();
  }

  static Deployment deployment(WorkerPoolSpec spec) {
    String n = spec.name();
    PodTemplateOptions pod = spec.pod();
    Map<String, String> podLabels = new LinkedHashMap<>(pod.labels());
    podLabels.putAll(labels(n));
    podLabels.put(ROLE_LABEL, CONTAINER);
    List<String> args = List.of("worker", "--root", spec.storeRoot(), "--slots", String.valueOf(spec.slots()),
        "--drain-seconds", String.valueOf(spec.drainSeconds()), "--listen", String.valueOf(WORKER_PORT),
        "--ready-port", String.valueOf(READY_PORT), "--token-env", TOKEN_ENV);
    List<EnvVar> env = new ArrayList<>(PodSpecs.env(pod, pod.env()));
    env.add(new EnvVarBuilder().withName("PUREREMOTE_POOL").withValue(n).build());
    env.add(new EnvVarBuilder().withName(TOKEN_ENV).withNewValueFrom().withNewSecretKeyRef()
        .withName(secretName(n)).withKey(TOKEN_KEY).endSecretKeyRef().endValueFrom().build());
    PodSpec podSpec = PodSpecs.podSpec(pod, CONTAINER, List.of(), args, env)
        .editFirstContainer()
          .withPorts(new ContainerPortBuilder().withName("worker").withContainerPort(WORKER_PORT).build(),
              new ContainerPortBuilder().withName("ready").withContainerPort(READY_PORT).build())
          .withNewReadinessProbe().withNewHttpGet().withPath("/ready").withPort(new IntOrString(READY_PORT)).endHttpGet()
            .withPeriodSeconds(2).withFailureThreshold(1).endReadinessProbe()
        .endContainer()
        .withRestartPolicy("Always")
        .withAutomountServiceAccountToken(false)
        .withTerminationGracePeriodSeconds((long) spec.drainSeconds() + 5)
        .build();
    if (pod.serviceAccount().isEmpty()) {
      podSpec.setServiceAccountName(objectName(n));
    }
    Map<String, String> annotations = new LinkedHashMap<>();
    annotations.put(ANNOTATION_ROOT, spec.storeRoot());
    annotations.put(ANNOTATION_SLOTS, String.valueOf(spec.slots()));
    return new DeploymentBuilder()
        .withNewMetadata().withName(objectName(n)).withNamespace(spec.namespace()).withLabels(labels(n))
          .withAnnotations(annotations).endMetadata()
        .withNewSpec().withReplicas(spec.workers())
          .withNewSelector().addToMatchLabels(POOL_LABEL, n).addToMatchLabels(ROLE_LABEL, CONTAINER).endSelector()
          .withNewTemplate().withNewMetadata().withLabels(podLabels).withAnnotations(pod.annotations()).endMetadata()
            .withSpec(podSpec).endTemplate()
        .endSpec().build();
  }

  static Service service(WorkerPoolSpec spec) {
    String n = spec.name();
    return new ServiceBuilder().withNewMetadata().withName(objectName(n)).withNamespace(spec.namespace())
        .withLabels(labels(n)).endMetadata()
        .withNewSpec().withType("ClusterIP").addToSelector(POOL_LABEL, n).addToSelector(ROLE_LABEL, CONTAINER)
          .addNewPort().withName("worker").withProtocol("TCP").withPort(WORKER_PORT)
            .withTargetPort(new IntOrString(WORKER_PORT)).endPort()
        .endSpec().build();
  }

  static NetworkPolicy networkPolicy(WorkerPoolSpec spec) {
    String n = spec.name();
    List<NetworkPolicyPeer> from = new ArrayList<>();
    from.add(new NetworkPolicyPeerBuilder().withNewPodSelector().addToMatchLabels(CLIENT_LABEL, n).endPodSelector().build());
    for (String other : spec.allowNamespaces()) {
      from.add(new NetworkPolicyPeerBuilder()
          .withNewNamespaceSelector().addToMatchLabels("kubernetes.io/metadata.name", other).endNamespaceSelector()
          .withNewPodSelector().addToMatchLabels(CLIENT_LABEL, n).endPodSelector().build());
    }
    return new NetworkPolicyBuilder().withNewMetadata().withName(objectName(n)).withNamespace(spec.namespace())
        .withLabels(labels(n)).endMetadata()
        .withNewSpec()
          .withNewPodSelector().addToMatchLabels(POOL_LABEL, n).addToMatchLabels(ROLE_LABEL, CONTAINER).endPodSelector()
          .withPolicyTypes("Ingress")
          .addNewIngress().withFrom(from)
            .addNewPort().withProtocol("TCP").withPort(new IntOrString(WORKER_PORT)).endPort()
          .endIngress()
        .endSpec().build();
  }

  private static void sleep(Duration d) {
    try {
      Thread.sleep(d.toMillis());
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new ShellException("Interrupted", "interrupted while waiting for the worker pool", e);
    }
  }
}
