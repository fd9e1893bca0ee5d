package io.pureremote.testing.kubernetes;

import io.fabric8.kubernetes.api.model.Container;
import io.fabric8.kubernetes.api.model.ContainerStatusBuilder;
import io.fabric8.kubernetes.api.model.EnvVar;
import io.fabric8.kubernetes.api.model.OwnerReferenceBuilder;
import io.fabric8.kubernetes.api.model.Pod;
import io.fabric8.kubernetes.api.model.PodBuilder;
import io.fabric8.kubernetes.api.model.PodConditionBuilder;
import io.fabric8.kubernetes.api.model.PodStatus;
import io.fabric8.kubernetes.api.model.PodStatusBuilder;
import io.fabric8.kubernetes.api.model.Secret;
import io.fabric8.kubernetes.api.model.apps.Deployment;
import io.fabric8.kubernetes.api.model.apps.DeploymentBuilder;
import io.fabric8.kubernetes.api.model.apps.DeploymentStatusBuilder;
import io.fabric8.kubernetes.client.KubernetesClient;
import io.fabric8.kubernetes.client.KubernetesClientException;
import io.fabric8.mockwebserver.http.MockResponse;
import io.fabric8.mockwebserver.http.RecordedRequest;
import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStreamReader;
import java.net.HttpURLConnection;
import java.net.InetSocketAddress;
import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Base64;
import java.util.Comparator;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.ThreadLocalRandom;
import java.util.concurrent.TimeUnit;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The Deployment controller, ReplicaSet controller and kubelet for the Deployments of one
 * namespace of a {@link MockKubernetes}, as far as a worker pool needs them: {@code spec.replicas}
 * pods per Deployment (labels of the pod template, an owner reference to the Deployment; no
 * ReplicaSet object, no rollout), each running its first container as a <b>local process</b>
 * (the image → entrypoint map, as {@link FakeKubelet#image}) with the container's env resolved
 * (values, {@code metadata.name}/{@code metadata.namespace} field refs, Secret key refs).
 *
 * <ul>
 *   <li><b>Ports.</b> Pods of a real cluster all listen on the same port at their own IP; local
 *       processes cannot. A container's {@code --listen <port>} and {@code --ready-port <port>}
 *       arguments are replaced by {@code 0}, and the ports the worker announces on its {@code
 *       listening} line are the pod's; {@link #address(String)} says where a pod's worker listens
 *       on this machine (the test seam a pool shell's address resolver uses instead of pod IPs or
 *       port-forwarding).
 *   <li><b>Readiness.</b> The container's {@code readinessProbe.httpGet} path is asked on the
 *       announced ready port every tick; the pod's {@code Ready} condition and the Deployment's
 *       {@code readyReplicas} follow it, through the status subresources.
 *   <li><b>Crashes.</b> A container that exits is restarted ({@code restartPolicy: Always}) with
 *       {@code restartCount} counted and the waiting reason {@code CrashLoopBackOff}; an image
 *       without an entrypoint stays waiting in {@code ImagePullBackOff}.
 *   <li><b>Deletion.</b> A deleted pod's process is killed at once (SIGKILL, as with a node lost
 *       with it) and the controller creates a replacement; a deleted Deployment's pods go with it.
 *       Scaling down deletes the newest pods.
 * </ul>
 *
 * <p>It serves pod logs through the mock (replacing a {@link FakeKubelet}'s: use one of the two
 * per cluster). It is a fixture, not a controller: no rollouts, surge, scheduling or probes other
 * than the readiness httpGet.
 */
public final class FakeDeployments implements AutoCloseable {
  private static final Logger log = LoggerFactory.getLogger(FakeDeployments.class);
  private static final Pattern LISTENING = Pattern.compile("listening \\S+ port=(\\d+) ready-port=(-?\\d+)");
  private static final String OWNER_LABEL = "fake.pureremote.io/deployment-uid";

  private final KubernetesClient client;
  private final String namespace;
  private final Map<String, List<String>> commands = new ConcurrentHashMap<>();
  private final Map<String, FakePod> pods = new ConcurrentHashMap<>();
  private final Map<String, List<String>> logs = new ConcurrentHashMap<>();
  private final ScheduledExecutorService ticker = Executors.newSingleThreadScheduledExecutor(
      Thread.ofPlatform().name("fake-deployments").daemon(true).factory());
  private volatile boolean closed;

  /** A controller for Deployments in {@code namespace}; {@link #start()} starts it. */
  public FakeDeployments(MockKubernetes cluster, String namespace) {
    this.client = cluster.client("deployment-controller");
    this.namespace = namespace;
    cluster.logSource(this::serveLog);
  }

  /** The command a container of {@code image} runs before its args. */
  public FakeDeployments image(String image, List<String> entrypoint) {
    commands.put(image, List.copyOf(entrypoint));
    return this;
  }

  /** Starts reconciling (every 100 ms); returns this. */
  public FakeDeployments start() {
    ticker.scheduleWithFixedDelay(this::tickSafely, 0, 100, TimeUnit.MILLISECONDS);
    return this;
  }

  /** Where the worker of pod {@code pod} listens on this machine, once it announced it. */
  public Optional<InetSocketAddress> address(String pod) {
    FakePod p = pods.get(pod);
    return p == null || p.port <= 0 ? Optional.empty() : Optional.of(new InetSocketAddress("127.0.0.1", p.port));
  }

  /** Names of the pods this controller runs now. */
  public Set<String> pods() {
    return Set.copyOf(pods.keySet());
  }

  /** Whether any container process this controller started still runs. */
  public boolean anyProcessAlive() {
    return pods.values().stream().anyMatch(p -> p.process != null && p.process.isAlive());
  }

  @Override
  public void close() {
    closed = true;
    ticker.shutdownNow();
    pods.values().forEach(FakePod::kill);
    pods.clear();
  }

  private void tickSafely() {
    if (closed) {
      return;
    }
    try {
      tick();
    } catch (KubernetesClientException e) {
      log.debug("fake deployments: tick failed: {}", e.toString());
    } catch (RuntimeException e) {
      log.warn("fake deployments: tick failed", e);
    }
  }

  private void tick() {
    List<Deployment> deployments = client.apps().deployments().inNamespace(namespace).list().getItems();
    Set<String> podsInApi = new HashSet<>();
    for (Pod p : client.pods().inNamespace(namespace).withLabel(OWNER_LABEL).list().getItems()) {
      podsInApi.add(p.getMetadata().getName());
    }
    // Pods deleted through the API: their processes die at once.
    for (FakePod p : List.copyOf(pods.values())) {
      if (!podsInApi.contains(p.name) && p.created) {
        log.info("fake deployments: pod {} was deleted; killing its container", p.name);
        p.kill();
        pods.remove(p.name);
      }
    }
    Set<String> uids = new HashSet<>();
    for (Deployment d : deployments) {
      String uid = d.getMetadata().getUid();
      uids.add(uid);
      List<FakePod> mine = new ArrayList<>(pods.values().stream().filter(p -> p.deploymentUid.equals(uid)).toList());
      int desired = d.getSpec().getReplicas() == null ? 1 : d.getSpec().getReplicas();
      while (mine.size() < desired) {
        mine.add(createPod(d));
      }
      if (mine.size() > desired) {
        mine.sort(Comparator.comparingLong((FakePod p) -> p.createdAt).reversed());
        for (FakePod extra : List.copyOf(mine.subList(0, mine.size() - desired))) {
          log.info("fake deployments: scaling {} down: deleting pod {}", d.getMetadata().getName(), extra.name);
          extra.kill();
          pods.remove(extra.name);
          mine.remove(extra);
          deletePod(extra.name);
        }
      }
      int ready = 0;
      for (FakePod p : mine) {
        p.probe();
        if (p.ready) {
          ready++;
        }
      }
      writeDeploymentStatus(d, mine.size(), ready);
    }
    for (FakePod p : List.copyOf(pods.values())) {
      if (!uids.contains(p.deploymentUid)) {
        p.kill();
        pods.remove(p.name);
        deletePod(p.name);
      }
    }
  }

  private void deletePod(String name) {
    try {
      client.pods().inNamespace(namespace).withName(name).delete();
    } catch (KubernetesClientException e) {
      // already gone
    }
  }

  private void writeDeploymentStatus(Deployment d, int replicas, int ready) {
    var s = d.getStatus();
    if (s != null && Integer.valueOf(replicas).equals(s.getReplicas()) && Integer.valueOf(ready).equals(s.getReadyReplicas())) {
      return;
    }
    Deployment next = new DeploymentBuilder(d).withStatus(new DeploymentStatusBuilder()
        .withObservedGeneration(d.getMetadata().getGeneration()).withReplicas(replicas).withUpdatedReplicas(replicas)
        .withReadyReplicas(ready).withAvailableReplicas(ready).withUnavailableReplicas(replicas - ready).build()).build();
    client.apps().deployments().inNamespace(namespace).resource(next).updateStatus();
  }

  private FakePod createPod(Deployment d) {
    String name = d.getMetadata().getName() + "-" + Long.toString(ThreadLocalRandom.current().nextLong(1L << 30, 1L << 35), 36);
    Map<String, String> labels = new LinkedHashMap<>();
    if (d.getSpec().getTemplate().getMetadata() != null && d.getSpec().getTemplate().getMetadata().getLabels() != null) {
      labels.putAll(d.getSpec().getTemplate().getMetadata().getLabels());
    }
    labels.put(OWNER_LABEL, d.getMetadata().getUid());
    Pod pod = new PodBuilder()
        .withNewMetadata().withName(name).withNamespace(namespace).withLabels(labels)
          .withAnnotations(d.getSpec().getTemplate().getMetadata() == null ? null
              : d.getSpec().getTemplate().getMetadata().getAnnotations())
          .withOwnerReferences(new OwnerReferenceBuilder().withApiVersion("apps/v1").withKind("Deployment")
              .withName(d.getMetadata().getName()).withUid(d.getMetadata().getUid()).withController(true).build())
        .endMetadata()
        .withSpec(d.getSpec().getTemplate().getSpec())
        .withNewStatus().withPhase("Pending").endStatus()
        .build();
    FakePod p = new FakePod(name, d.getMetadata().getUid(), pod);
    pods.put(name, p);
    logs.put(name, new CopyOnWriteArrayList<>());
    p.current = client.pods().inNamespace(namespace).resource(pod).create();
    p.created = true;
    p.startContainer();
    return p;
  }

  private MockResponse serveLog(RecordedRequest request) {
    String path = request.getPath();
    String bare = path.contains("?") ? path.substring(0, path.indexOf('?')) : path;
    String[] seg = bare.split("/");
    String pod = seg[seg.length - 2];
    List<String> lines = logs.get(pod);
    if (lines == null) {
      return MockKubernetes.status(404, "NotFound", "pods \\\"" + pod + "\\\" not found");
    }
    int tail = Integer.MAX_VALUE;
    Matcher m = Pattern.compile("[?&]tailLines=(\\d+)").matcher(path);
    if (m.find()) {
      tail = Integer.parseInt(m.group(1));
    }
    List<String> copy = List.copyOf(lines);
    StringBuilder body = new StringBuilder();
    for (String line : copy.subList(Math.max(0, copy.size() - tail), copy.size())) {
      body.append(line).append('\n');
    }
    return new MockResponse().setResponseCode(200).setHeader("Content-Type", "text/plain").setBody(body.toString());
  }

  /** One pod and its container process. */
  private final class FakePod {
    final String name;
    final String deploymentUid;
    final Pod spec;
    final long createdAt = System.nanoTime();
    volatile boolean created;
    volatile Pod current;
    volatile Process process;
    volatile int port;
    volatile int readyPort;
    volatile boolean ready;
    volatile int restarts;
    volatile String waiting;
    volatile boolean dead;
    volatile Instant started;
    volatile long restartAt;
    String lastStatus = "";

    FakePod(String name, String deploymentUid, Pod spec) {
      this.name = name;
      this.deploymentUid = deploymentUid;
      this.spec = spec;
    }

    void startContainer() {
      Container container = spec.getSpec().getContainers().get(0);
      List<String> entrypoint = commands.get(container.getImage());
      if (entrypoint == null) {
        waiting = "ImagePullBackOff";
        logs.get(name).add("(fake deployments: no entrypoint for image " + container.getImage() + ")");
        return;
      }
      List<String> cmd = new ArrayList<>(entrypoint);
      List<String> args = container.getArgs() == null ? List.of() : container.getArgs();
      for (int i = 0; i < args.size(); i++) {
        String a = args.get(i);
        cmd.add(a);
        if ((a.equals("--listen") || a.equals("--ready-port")) && i + 1 < args.size()) {
          cmd.add("0");
          i++;
        }
      }
      ProcessBuilder pb = new ProcessBuilder(cmd).redirectErrorStream(true);
      pb.environment().putAll(env(container));
      try {
        Process p = pb.start();
        process = p;
        started = Instant.now();
        waiting = null;
        List<String> sink = logs.get(name);
        Thread.ofVirtual().name("fake-pod-" + name).start(() -> {
          try (BufferedReader r = new BufferedReader(new InputStreamReader(p.getInputStream(), StandardCharsets.UTF_8))) {
            String line;
            while ((line = r.readLine()) != null) {
              sink.add(line);
              Matcher m = LISTENING.matcher(line);
              if (m.find()) {
                port = Integer.parseInt(m.group(1));
                readyPort = Integer.parseInt(m.group(2));
              }
            }
          } catch (IOException e) {
            // killed
          }
        });
      } catch (IOException e) {
        waiting = "RunContainerError";
        logs.get(name).add("(fake deployments: cannot start " + cmd.get(0) + ": " + e.getMessage() + ")");
      }
    }

    /** Restarts a dead container, asks its readiness endpoint, writes the pod status if it changed. */
    void probe() {
      Process p = process;
      if (p != null && !p.isAlive() && !dead && restartAt == 0) {
        // Back off as the kubelet does (here 0.5 s, 1 s, 2 s, ... at most 5 s).
        restartAt = System.nanoTime() + TimeUnit.MILLISECONDS.toNanos(Math.min(5000, 500L << Math.min(restarts, 4)));
        ready = false;
        waiting = "CrashLoopBackOff";
      }
      if (p != null && !p.isAlive() && !dead && restartAt != 0 && System.nanoTime() >= restartAt) {
        restartAt = 0;
        restarts++;
        port = 0;
        readyPort = 0;
        ready = false;
        waiting = "CrashLoopBackOff";
        log.info("fake deployments: container of {} exited {}; restarting", name, p.exitValue());
        if (restarts < 50) {
          startContainer();
          waiting = "CrashLoopBackOff";
        }
      }
      if (p != null && p.isAlive() && readyPort > 0) {
        ready = httpOk(readyPath());
        if (ready) {
          waiting = null;
        }
      }
      writeStatus();
    }

    private String readyPath() {
      Container c = spec.getSpec().getContainers().get(0);
      if (c.getReadinessProbe() != null && c.getReadinessProbe().getHttpGet() != null
          && c.getReadinessProbe().getHttpGet().getPath() != null) {
        return c.getReadinessProbe().getHttpGet().getPath();
      }
      return "/ready";
    }

    private boolean httpOk(String path) {
      try {
        HttpURLConnection c = (HttpURLConnection) URI.create("http://127.0.0.1:" + readyPort + path).toURL().openConnection();
        c.setConnectTimeout(500);
        c.setReadTimeout(500);
        try {
          return c.getResponseCode() == 200;
        } finally {
          c.disconnect();
        }
      } catch (IOException e) {
        return false;
      }
    }

    private void writeStatus() {
      String key = ready + "/" + waiting + "/" + restarts;
      if (key.equals(lastStatus) || dead) {
        return;
      }
      Container c = spec.getSpec().getContainers().get(0);
      ContainerStatusBuilder cs = new ContainerStatusBuilder().withName(c.getName()).withImage(c.getImage())
          .withReady(ready).withRestartCount(restarts).withStarted(process != null && process.isAlive());
      if (waiting != null) {
        cs.withNewState().withNewWaiting().withReason(waiting)
            .withMessage(waiting.equals("CrashLoopBackOff") ? "back-off restarting failed container " + c.getName()
                : "image " + c.getImage() + " cannot be pulled").endWaiting().endState();
      } else {
        cs.withNewState().withNewRunning().withStartedAt(String.valueOf(started)).endRunning().endState();
      }
      PodStatus status = new PodStatusBuilder().withPhase(waiting != null && process == null ? "Pending" : "Running")
          .withPodIP("127.0.0.1").withHostIP("127.0.0.1")
          .addToConditions(new PodConditionBuilder().withType("Ready").withStatus(ready ? "True" : "False")
              .withLastTransitionTime(Instant.now().toString()).build())
          .addToContainerStatuses(cs.build()).build();
      try {
        Pod base = client.pods().inNamespace(namespace).withName(name).get();
        if (base == null) {
          return;
        }
        current = client.pods().inNamespace(namespace).resource(new PodBuilder(base).withStatus(status).build()).updateStatus();
        lastStatus = key;
      } catch (KubernetesClientException e) {
        // deleted meanwhile
      }
    }

    void kill() {
      dead = true;
      Process p = process;
      if (p != null) {
        p.destroyForcibly();
      }
    }

    private Map<String, String> env(Container container) {
      Map<String, String> env = new LinkedHashMap<>();
      for (EnvVar var : container.getEnv() == null ? List.<EnvVar>of() : container.getEnv()) {
        if (var.getValue() != null) {
          env.put(var.getName(), var.getValue());
        } else if (var.getValueFrom() != null && var.getValueFrom().getFieldRef() != null) {
          String path = var.getValueFrom().getFieldRef().getFieldPath();
          if ("metadata.name".equals(path)) {
            env.put(var.getName(), name);
          } else if ("metadata.namespace".equals(path)) {
            env.put(var.getName(), namespace);
          }
        } else if (var.getValueFrom() != null && var.getValueFrom().getSecretKeyRef() != null) {
          var ref = var.getValueFrom().getSecretKeyRef();
          Secret secret = client.secrets().inNamespace(namespace).withName(ref.getName()).get();
          if (secret != null && secret.getData() != null && secret.getData().get(ref.getKey()) != null) {
            env.put(var.getName(), new String(Base64.getDecoder().decode(secret.getData().get(ref.getKey())), StandardCharsets.UTF_8));
          }
        }
      }
      return env;
    }
  }
}
