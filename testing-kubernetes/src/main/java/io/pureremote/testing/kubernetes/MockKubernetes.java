package io.pureremote.testing.kubernetes;

import io.fabric8.kubernetes.api.model.GenericKubernetesResource;
import io.fabric8.kubernetes.client.KubernetesClient;
import io.fabric8.kubernetes.client.utils.KubernetesSerialization;
import io.fabric8.kubernetes.client.http.BasicBuilder;
import io.fabric8.kubernetes.client.http.HttpRequest;
import io.fabric8.kubernetes.client.http.Interceptor;
import io.fabric8.kubernetes.client.server.mock.KubernetesMixedDispatcher;
import io.fabric8.kubernetes.client.server.mock.KubernetesMockServer;
import io.fabric8.mockwebserver.Context;
import io.fabric8.mockwebserver.MockWebServer;
import io.fabric8.mockwebserver.ServerRequest;
import io.fabric8.mockwebserver.ServerResponse;
import io.fabric8.mockwebserver.http.Buffer;
import io.fabric8.mockwebserver.http.ByteString;
import io.fabric8.mockwebserver.http.Dispatcher;
import io.fabric8.mockwebserver.http.MockResponse;
import io.fabric8.mockwebserver.http.RecordedRequest;
import io.fabric8.mockwebserver.http.Response;
import io.fabric8.mockwebserver.http.WebSocket;
import io.fabric8.mockwebserver.http.WebSocketListener;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.InetAddress;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Queue;
import java.util.Set;
import java.util.TreeMap;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicLong;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.function.Function;
import java.util.function.UnaryOperator;

/**
 * The fabric8 mock API server in CRUD mode behind a thin dispatcher that the tests control:
 *
 * <ul>
 *   <li>records every request by actor ({@code shell} unless the client sent {@value #ACTOR_HEADER})
 *       and classifies it (create, get, list, watch, update, delete, log);
 *   <li>injects HTTP faults ({@link #failNext}), {@code 410 Gone} on watches as the real server
 *       sends it ({@link #goneOnNextShellWatches}) and watch requests refused outright ({@link
 *       #refuseNextShellWatches});
 *   <li>resumes a watch from a resourceVersion as a real server may: the fabric8 mock replays
 *       only the objects that exist when a watch opens, so a watch resumed from a version older
 *       than a deletion it would have missed gets {@code 410 Gone} (the client then relists)
 *       instead of silence;
 *   <li>drops the shell's watch websockets ({@link #dropShellWatches}) or silently swallows their
 *       events ({@link #muteShellWatches}), to test reconnects and silence;
 *   <li>serves pod logs from the {@link FakeKubelet} (CRUD mode has no log endpoint);
 *   <li>answers {@code GET /version} with the Kubernetes version the test chose ({@link
 *       #kubernetesVersion}, default {@value #DEFAULT_VERSION}); the {@link FakeKubelet} plays
 *       the Job controller of that version;
 *   <li>can answer a create with the API server's strict-validation error ({@link #rejectNext});
 *   <li>runs mutating admission hooks on creates ({@link #mutateCreates}), as a webhook such as
 *       Kueue's would, before the object is stored.
 * </ul>
 *
 * <p>Like the fabric8 mock it wraps, it validates nothing: a field the real server would refuse
 * is stored. Tests check what the client asked for in {@link #requests()} (each with its query).
 */
public final class MockKubernetes implements AutoCloseable {
  /** The header a non-shell client sends to name itself in the request record. */
  public static final String ACTOR_HEADER = "X-Test-Actor";
  /** The actor of requests without {@link #ACTOR_HEADER}: the code under test. */
  public static final String SHELL = "shell";
  /** The Kubernetes version served unless a test picks another: a current 1.31+ cluster. */
  public static final String DEFAULT_VERSION = "1.34";
  // The mock logs every request at INFO through java.util.logging; keep the reference so the
  // level sticks (JUL holds loggers weakly).
  private static final java.util.logging.Logger MOCK_LOG = java.util.logging.Logger.getLogger("io.fabric8.mockwebserver");

  static {
    MOCK_LOG.setLevel(java.util.logging.Level.WARNING);
  }

  private final KubernetesMockServer server;
  private final KubernetesMixedDispatcher crud;
  private final List<Request> requests = new CopyOnWriteArrayList<>();
  private final Set<TappedSocket> shellSockets = ConcurrentHashMap.newKeySet();
  private final List<Fault> faults = new CopyOnWriteArrayList<>();
  private final AtomicInteger goneWatches = new AtomicInteger();
  private final AtomicInteger refusedWatches = new AtomicInteger();
  private volatile int refusedCode;
  /** The newest resourceVersion any answer carried: the server's current version, as far as we know. */
  private final AtomicLong newestVersion = new AtomicLong();
  /** Per collection path (e.g. {@code /apis/batch/v1/namespaces/ns/jobs}), the version current at its last deletion. */
  private final Map<String, Long> lastDeletion = new ConcurrentHashMap<>();
  private final AtomicInteger expiredResumes = new AtomicInteger();
  private final List<KubernetesClient> clients = new CopyOnWriteArrayList<>();
  private volatile boolean muted;
  private volatile boolean quiet;
  private volatile Function<RecordedRequest, MockResponse> logSource;
  private volatile String version = DEFAULT_VERSION;
  private final List<Mutation> mutations = new CopyOnWriteArrayList<>();
  private final KubernetesSerialization serialization = new KubernetesSerialization();

  /** One request as the server saw it. */
  public record Request(String actor, String method, String path, String kind) {}

  private record Fault(String method, String pathPart, MockResponse response, AtomicInteger left) {}

  private record Mutation(String resource, UnaryOperator<GenericKubernetesResource> change) {}

  /** Starts a mock API server in CRUD mode on a free loopback port (plain HTTP). */
  public MockKubernetes() {
    Map<ServerRequest, Queue<ServerResponse>> expectations = new HashMap<>();
    crud = new KubernetesMixedDispatcher(expectations);
    // Plain HTTP: TLS (and the mock's RSA key generation per server) would only cost test time.
    server = new KubernetesMockServer(new Context(), new MockWebServer(), expectations, new Tap(), false);
    try {
      server.init(InetAddress.getByName("127.0.0.1"), 0);
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }

  /** A client for {@code actor}; the shell's client sends no actor header. */
  public KubernetesClient client(String actor) {
    KubernetesClient client = actor == null || actor.equals(SHELL) ? server.createClient() : actorClient(actor);
    clients.add(client);
    return client;
  }

  /**
   * A client for the code under test (no actor header) that reaches this server through {@code
   * endpoint}, e.g. an {@link ApiServerRestarts} proxy's.
   */
  public KubernetesClient shellClientThrough(java.net.URI endpoint) {
    io.fabric8.kubernetes.client.Config config;
    try (KubernetesClient direct = server.createClient()) {
      config = new io.fabric8.kubernetes.client.ConfigBuilder(direct.getConfiguration()).build();
    }
    config.setMasterUrl(endpoint.toString());
    KubernetesClient client = server.createClient(b -> b.withConfig(config));
    clients.add(client);
    return client;
  }

  private KubernetesClient actorClient(String actor) {
    return server.createClient(b -> b.withHttpClientBuilderConsumer(h -> h.addOrReplaceInterceptor("test-actor",
        new Interceptor() {
          @Override
          public void before(BasicBuilder builder, HttpRequest request, Interceptor.RequestTags tags) {
            builder.header(ACTOR_HEADER, actor);
          }
        })));
  }

  /** The underlying fabric8 mock server (its URL, extra expectations). */
  public KubernetesMockServer server() {
    return server;
  }

  /**
   * Answers pod log requests (CRUD mode has none); a {@link FakeKubelet} sets itself here. A source
   * set later is asked first; when it answers 404 (not its pod) the one set before it is asked, so
   * several fixtures that run pods (a kubelet, a {@link FakeTrainingOperator}) serve their own.
   */
  public synchronized void logSource(Function<RecordedRequest, MockResponse> source) {
    Function<RecordedRequest, MockResponse> before = this.logSource;
    this.logSource = before == null ? source : r -> {
      MockResponse answer = source.apply(r);
      return answer.code() == 404 ? before.apply(r) : answer;
    };
  }

  /** The next {@code times} requests with {@code method} whose path contains {@code pathPart} get {@code code}. */
  public void failNext(String method, String pathPart, int code, int times) {
    faults.add(new Fault(method, pathPart, status(code, "InternalError", "injected by the test"), new AtomicInteger(times)));
  }

  /**
   * The next request with {@code method} whose path contains {@code pathPart} gets {@code code}
   * with the Status {@code reason} and {@code message}, as the real server would send them (e.g.
   * 400 BadRequest {@code strict decoding error: unknown field "spec.foo"}).
   */
  public void rejectNext(String method, String pathPart, int code, String reason, String message) {
    faults.add(new Fault(method, pathPart, status(code, reason, message), new AtomicInteger(1)));
  }

  /**
   * The Kubernetes version this server reports, {@code "1.<minor>"} (e.g. {@code "1.30"} for a
   * server before the 1.31 Job conditions); set it before the first client request.
   */
  public MockKubernetes kubernetesVersion(String version) {
    if (!version.matches("1\\.\\d+")) {
      throw new IllegalArgumentException("version must look like 1.34, got " + version);
    }
    this.version = version;
    return this;
  }

  /** The minor version this server reports (34 for 1.34). */
  public int kubernetesMinor() {
    return Integer.parseInt(version.substring(2));
  }

  /**
   * A mutating admission hook: every create of {@code resource} (a plural such as {@code jobs})
   * passes through {@code change} before it is stored, as through a mutating webhook (the object
   * the client gets back, and every watcher sees, is the changed one).
   */
  public void mutateCreates(String resource, UnaryOperator<GenericKubernetesResource> change) {
    mutations.add(new Mutation(resource, change));
  }

  /**
   * The shell's next {@code n} watch requests get {@code 410 Gone} the way a real API server sends
   * it for an expired resourceVersion: the watch is accepted, its first event is an {@code ERROR}
   * with a {@code 410 Expired} Status, and the server closes it. A client must relist.
   */
  public void goneOnNextShellWatches(int n) {
    goneWatches.set(n);
  }

  /**
   * The shell's next {@code n} watch requests are answered with HTTP {@code code} instead of being
   * upgraded, as a proxy or a restarting server in front of the API may answer (e.g. 503, or a
   * bare 410 on the request itself, which fabric8 treats as a connection error and retries from
   * the same resourceVersion). {@code n = 0} stops refusing.
   */
  public void refuseNextShellWatches(int n, int code) {
    refusedCode = code;
    refusedWatches.set(n);
  }

  /** How many watches resumed from a version older than a deletion they would have missed got 410. */
  public int expiredResumes() {
    return expiredResumes.get();
  }

  /** Closes the shell's open watch websockets from the server side; returns how many. */
  public int dropShellWatches() {
    int n = 0;
    for (TappedSocket s : List.copyOf(shellSockets)) {
      s.socket.close(1000, "dropped by the test");
      shellSockets.remove(s);
      n++;
    }
    return n;
  }

  /** While muted, events for the shell's watches are swallowed: the connections stay open but silent. */
  public void muteShellWatches(boolean muted) {
    this.muted = muted;
  }

  /** Every request so far, in order. */
  public List<Request> requests() {
    return List.copyOf(requests);
  }

  /** Forgets the requests recorded so far. */
  public void clearRequests() {
    requests.clear();
  }

  /** Request counts of {@code actor} by kind and resource, e.g. {@code create jobs} → 200. */
  public Map<String, Integer> counts(String actor) {
    Map<String, Integer> counts = new TreeMap<>();
    for (Request r : requests) {
      if (r.actor().equals(actor)) {
        counts.merge(r.kind(), 1, Integer::sum);
      }
    }
    return counts;
  }

  /** How many requests of {@code kind} (e.g. {@code create jobs}) {@code actor} made. */
  public int count(String actor, String kind) {
    return counts(actor).getOrDefault(kind, 0);
  }

  /** Stops the server, then closes the clients it made (they answer the server's closing websockets). */
  @Override
  public void close() {
    quiesce();
    try {
      server.destroy();
    } catch (IllegalStateException e) {
      // The mock server's event loop can stall for ~30 s after watch connections close (a mock
      // server quirk seen on a loaded machine) and then gives up shutting down within its own
      // bound. Each test has its own server on its own port, so a late shutdown harms nothing.
      System.err.println("mock server did not shut down in time: " + e.getMessage());
    } finally {
      clients.forEach(KubernetesClient::close);
    }
  }

  /** create/get/list/watch/update/delete/log + the resource plural, from the method and path. */
  static String classify(String method, String path) {
    String bare = path.contains("?") ? path.substring(0, path.indexOf('?')) : path;
    if (bare.equals("/version")) {
      return "get version";
    }
    List<String> seg = new ArrayList<>(List.of(bare.split("/")));
    seg.removeIf(String::isEmpty);
    int ns = seg.indexOf("namespaces");
    List<String> rest = ns >= 0 && seg.size() > ns + 2 ? seg.subList(ns + 2, seg.size()) : List.of();
    String resource = rest.isEmpty() ? bare : rest.get(0);
    boolean named = rest.size() >= 2;
    String sub = rest.size() >= 3 ? "/" + rest.get(2) : "";
    String kind = switch (method) {
      case "POST" -> "create";
      case "DELETE" -> "delete";
      case "PATCH", "PUT" -> "update";
      case "GET" -> path.contains("watch=true") ? "watch" : sub.equals("/log") ? "log" : named ? "get" : "list";
      default -> method.toLowerCase();
    };
    return kind + " " + resource + (sub.equals("/log") ? "" : sub);
  }

  private final class Tap extends Dispatcher {
    @Override
    public MockResponse dispatch(RecordedRequest r) {
      String actor = r.getHeader(ACTOR_HEADER) == null ? SHELL : r.getHeader(ACTOR_HEADER);
      String kind = classify(r.getMethod(), r.getPath());
      requests.add(new Request(actor, r.getMethod(), r.getPath(), kind));
      for (Fault f : faults) {
        if (f.method().equals(r.getMethod()) && r.getPath().contains(f.pathPart()) && f.left().getAndDecrement() > 0) {
          return f.response();
        }
      }
      if (r.getMethod().equals("GET") && r.getPath().equals("/version")) {
        return versionResponse();
      }
      if (kind.startsWith("log ") && logSource != null) {
        return logSource.apply(r);
      }
      boolean shellWatch = actor.equals(SHELL) && kind.startsWith("watch ");
      if (shellWatch && refusedWatches.getAndUpdate(n -> Math.max(0, n - 1)) > 0) {
        return status(refusedCode, refusedCode == 410 ? "Expired" : "ServiceUnavailable", "refused by the test");
      }
      if (shellWatch && goneWatches.getAndUpdate(n -> Math.max(0, n - 1)) > 0) {
        return expired(r, "too old resource version: " + watchVersion(r.getPath()) + " (" + newestVersion.get() + ")");
      }
      if (kind.startsWith("watch ") && missedDeletion(r.getPath())) {
        expiredResumes.incrementAndGet();
        return expired(r, "too old resource version: " + watchVersion(r.getPath()) + " (" + newestVersion.get() + ")");
      }
      MockResponse response = crud.dispatch(admit(r, kind));
      noteVersions(r, response);
      if (response.getWebSocketListener() != null) {
        response.withWebSocketUpgrade(new TappedListener(response.getWebSocketListener(), actor));
      }
      return response;
    }

    @Override
    public void shutdown() {
      crud.shutdown();
    }

    @Override
    public void releaseResources() {
      crud.releaseResources();
    }
  }

  /** The request with its body changed by the mutating hooks for its resource, if any apply. */
  private RecordedRequest admit(RecordedRequest r, String kind) {
    if (!r.getMethod().equals("POST") || mutations.isEmpty()) {
      return r;
    }
    GenericKubernetesResource object = null;
    for (Mutation m : mutations) {
      if (kind.equals("create " + m.resource())) {
        if (object == null) {
          object = serialization.unmarshal(r.getUtf8Body(), GenericKubernetesResource.class);
        }
        object = m.change().apply(object);
      }
    }
    if (object == null) {
      return r;
    }
    return new RecordedRequest(r.getRequestLine(), r.method(), r.getPath(), r.getHeaders(),
        new Buffer(serialization.asJson(object).getBytes(java.nio.charset.StandardCharsets.UTF_8)));
  }

  private static final Pattern RESOURCE_VERSION = Pattern.compile("\"resourceVersion\"\\s*:\\s*\"(\\d+)\"");
  private static final Pattern WATCH_VERSION = Pattern.compile("[?&]resourceVersion=(\\d+)");

  /**
   * Keeps the newest resourceVersion answered, and for a deletion the version current at that
   * moment per collection, so a later watch resumed from before it can be told it expired.
   */
  private void noteVersions(RecordedRequest r, MockResponse response) {
    // Writes answer with the object they wrote, its new resourceVersion first.
    boolean write = !r.getMethod().equals("GET");
    String body = !write || response.getBody() == null ? null
        : new String(response.getBody().getBytes(), java.nio.charset.StandardCharsets.UTF_8);
    if (body != null) {
      Matcher m = RESOURCE_VERSION.matcher(body);
      if (m.find()) {
        long v = Long.parseLong(m.group(1));
        newestVersion.accumulateAndGet(v, Math::max);
      }
    }
    if (r.getMethod().equals("DELETE") && response.code() == 200) {
      String collection = collectionOf(r.getPath());
      lastDeletion.merge(collection, newestVersion.get(), Math::max);
    }
  }

  /**
   * Whether a watch resumes ({@code resourceVersion} > 0) from before a deletion in its collection:
   * the fabric8 mock would replay only the objects that still exist, so the client would never hear
   * of the deletion. A real server sends the DELETED event from its watch window or, past the
   * window, 410; this answers 410.
   */
  private boolean missedDeletion(String path) {
    long from = watchVersion(path);
    if (from <= 0) {
      return false;
    }
    Long deletedAt = lastDeletion.get(collectionOf(path));
    return deletedAt != null && deletedAt >= from;
  }

  private static long watchVersion(String path) {
    Matcher m = WATCH_VERSION.matcher(path);
    return m.find() ? Long.parseLong(m.group(1)) : 0;
  }

  /** {@code /apis/batch/v1/namespaces/ns/jobs/name?x} → {@code /apis/batch/v1/namespaces/ns/jobs}. */
  static String collectionOf(String path) {
    String bare = path.contains("?") ? path.substring(0, path.indexOf('?')) : path;
    List<String> seg = new ArrayList<>(List.of(bare.split("/")));
    seg.removeIf(String::isEmpty);
    int ns = seg.indexOf("namespaces");
    int end = ns >= 0 && seg.size() > ns + 2 ? ns + 3 : seg.size();
    return "/" + String.join("/", seg.subList(0, end));
  }

  /**
   * A watch answered as the real server answers an expired resourceVersion: upgraded, one {@code
   * ERROR} event carrying a {@code 410 Expired} Status, then closed.
   */
  private MockResponse expired(RecordedRequest r, String message) {
    String event = "{\"type\":\"ERROR\",\"object\":{\"kind\":\"Status\",\"apiVersion\":\"v1\",\"metadata\":{},"
        + "\"status\":\"Failure\",\"message\":\"" + message + "\",\"reason\":\"Expired\",\"code\":410}}";
    return new MockResponse().withWebSocketUpgrade(new WebSocketListener() {
      @Override
      public void onOpen(WebSocket ws, Response response) {
        // Not on the event loop: a send waits for the loop to write it.
        Thread.ofVirtual().name("mock-watch-expired").start(() -> {
          ws.send(event);
          ws.close(1000, "expired");
        });
      }
    });
  }

  private MockResponse versionResponse() {
    String minor = version.substring(2);
    return new MockResponse().setResponseCode(200).setHeader("Content-Type", "application/json")
        .setBody("{\"major\":\"1\",\"minor\":\"" + minor + "\",\"gitVersion\":\"v" + version + ".2\","
            + "\"gitCommit\":\"0\",\"gitTreeState\":\"clean\",\"buildDate\":\"2026-10-01T00:00:00Z\","
            + "\"goVersion\":\"go1.24\",\"compiler\":\"gc\",\"platform\":\"linux/amd64\"}");
  }

  /** A Kubernetes {@code Status} response, as the API server sends for errors. */
  public static MockResponse status(int code, String reason, String message) {
    return new MockResponse().setResponseCode(code).setHeader("Content-Type", "application/json")
        .setBody("{\"kind\":\"Status\",\"apiVersion\":\"v1\",\"metadata\":{},\"status\":\"Failure\",\"message\":\""
            + message + "\",\"reason\":\"" + reason + "\",\"code\":" + code + "}");
  }

  /**
   * Stops sending watch events to anyone, before the clients close their watches: the mock's
   * websocket writes can block its event loop when they race with a closing connection.
   */
  public void quiesce() {
    quiet = true;
  }

  /** A watch socket whose sends can be swallowed. */
  private final class TappedSocket implements WebSocket {
    final WebSocket socket;
    final boolean shell;

    TappedSocket(WebSocket socket, boolean shell) {
      this.socket = socket;
      this.shell = shell;
    }

    private boolean swallow() {
      return quiet || (shell && muted);
    }

    @Override
    public RecordedRequest request() {
      return socket.request();
    }

    @Override
    public boolean send(String text) {
      return swallow() || socket.send(text);
    }

    @Override
    public boolean send(byte[] bytes) {
      return swallow() || socket.send(bytes);
    }

    @Override
    public boolean close(int code, String reason) {
      return socket.close(code, reason);
    }
  }

  private final class TappedListener extends WebSocketListener {
    private final WebSocketListener delegate;
    private final boolean shell;
    private volatile TappedSocket tapped;

    TappedListener(WebSocketListener delegate, String actor) {
      this.delegate = delegate;
      this.shell = actor.equals(SHELL);
    }

    private TappedSocket tap(WebSocket ws) {
      TappedSocket t = tapped;
      if (t == null || t.socket != ws) {
        t = new TappedSocket(ws, shell);
        tapped = t;
      }
      return t;
    }

    @Override
    public void onBeforeAccept(WebSocket ws, Response response) {
      delegate.onBeforeAccept(tap(ws), response);
    }

    @Override
    public void onOpen(WebSocket ws, Response response) {
      TappedSocket t = tap(ws);
      if (shell) {
        shellSockets.add(t);
      }
      delegate.onOpen(t, response);
    }

    @Override
    public void onMessage(WebSocket ws, String text) {
      delegate.onMessage(tap(ws), text);
    }

    @Override
    public void onMessage(WebSocket ws, ByteString bytes) {
      delegate.onMessage(tap(ws), bytes);
    }

    @Override
    public void onMessage(WebSocket ws, byte[] bytes) {
      delegate.onMessage(tap(ws), bytes);
    }

    @Override
    public void onPing(WebSocket ws, byte[] bytes) {
      delegate.onPing(tap(ws), bytes);
    }

    @Override
    public void onClosing(WebSocket ws, int code, String reason) {
      shellSockets.remove(tapped);
      delegate.onClosing(tap(ws), code, reason);
    }

    // The mock's watch listener sends events from its own executor thread, where each send waits
    // (up to 30 s) for the event loop to write it; its onClosed/onFailure, called on that event
    // loop, wait for the executor to finish. A close racing a send so blocked every request of the
    // server for the 30 s (seen as 10 s client timeouts in CI). Ending the listener off the event
    // loop lets the pending write complete.
    @Override
    public void onClosed(WebSocket ws, int code, String reason) {
      shellSockets.remove(tapped);
      TappedSocket socket = tap(ws);
      offEventLoop(() -> delegate.onClosed(socket, code, reason));
    }

    @Override
    public void onFailure(WebSocket ws, Throwable t, Response response) {
      shellSockets.remove(tapped);
      TappedSocket socket = tap(ws);
      offEventLoop(() -> delegate.onFailure(socket, t, response));
    }

    private static void offEventLoop(Runnable end) {
      Thread.ofVirtual().name("mock-watch-end").start(end);
    }
  }
}
