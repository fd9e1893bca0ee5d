package io.pureremote.testing;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.util.EnumMap;
import java.util.Map;
import java.util.Objects;
import java.util.Random;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Semaphore;
import java.util.concurrent.atomic.AtomicLong;

/**
 * A bounded test tool: a loopback TCP proxy in front of a real HTTP storage server (S3Proxy,
 * Azurite) that injects faults per connection, for store fault tests. It resets some connections
 * part-way through the server's answer (a TCP RST after a random number of the server's bytes, so
 * before, inside or after a header or body), answers the first request of others with a 503 or a
 * 500 (then closes), and delays every chunk it forwards. Fates come from a seeded {@link Random},
 * so a run can be repeated. At most {@code maxConnections} connections are open at once (two
 * threads each); others wait to be accepted. It is not an HTTP implementation: it reads the request
 * head only to answer an injected error and, with {@link Builder#oneRequestPerConnection}, to ask
 * the server to close after its answer, so that each request meets its own fate even from clients
 * that keep connections alive. Close it to stop.
 *
 * <pre>{@code
 * try (FaultyProxy faults = FaultyProxy.to(URI.create("http://127.0.0.1:9000")).seed(18)
 *     .resets(0.05).unavailable(0.02).errors(0.02).maxDelayMillis(3).start()) {
 *   // give the store faults.endpoint() instead of the server's endpoint
 * }
 * }</pre>
 */
public final class FaultyProxy implements AutoCloseable {
  /** What happens to one connection. */
  public enum Fate {
    /** Forwarded both ways, with the chunk delays. */
    HEALTHY,
    /** Forwarded, then reset part-way through the server's answer. */
    RESET,
    /** Answered {@code 503} without reaching the server. */
    UNAVAILABLE_503,
    /** Answered {@code 500} without reaching the server. */
    ERROR_500
  }

  /** The longest request head read when it must be read (a storage client's is a few KiB). */
  private static final int MAX_HEAD = 64 * 1024;

  private final ServerSocket server;
  private final InetSocketAddress target;
  private final ExecutorService threads = Executors.newCachedThreadPool(Thread.ofPlatform().daemon().factory());
  private final Semaphore slots;
  private final Random random;
  private final Builder settings;
  private final Map<Fate, AtomicLong> counts = new ConcurrentHashMap<>();
  private volatile boolean closed;

  private FaultyProxy(Builder settings) throws IOException {
    this.settings = settings;
    this.target = new InetSocketAddress(settings.target.getHost(), settings.target.getPort());
    this.random = new Random(settings.seed);
    this.slots = new Semaphore(settings.maxConnections);
    this.server = new ServerSocket(0, 50, InetAddress.getLoopbackAddress());
    for (Fate f : Fate.values()) {
      counts.put(f, new AtomicLong());
    }
    threads.execute(this::accept);
  }

  /**
   * A proxy to the server at {@code target} ({@code http://host:port}; a path is ignored), with no
   * faults until the builder sets some.
   */
  public static Builder to(URI target) {
    return new Builder(target);
  }

  /** Settings of a {@link FaultyProxy}; rates are fractions of connections, 0 to 1 together. */
  public static final class Builder {
    private final URI target;
    private long seed;
    private double resetRate;
    private double unavailableRate;
    private double errorRate;
    private int maxDelayMs;
    private int maxConnections = 64;
    private boolean oneRequestPerConnection;
    private String unavailableCode = "SlowDown";
    private String errorCode = "InternalError";

    private Builder(URI target) {
      this.target = Objects.requireNonNull(target, "target");
      if (target.getHost() == null || target.getPort() < 0) {
        throw new IllegalArgumentException("FaultyProxy needs a target with a host and a port, e.g."
            + " http://127.0.0.1:9000, got " + target);
      }
    }

    /** The seed of the fates and delays (default 0). */
    public Builder seed(long seed) {
      this.seed = seed;
      return this;
    }

    /** Connections reset part-way through the server's answer. */
    public Builder resets(double rate) {
      this.resetRate = rate(rate, "resets");
      return this;
    }

    /** Connections answered {@code 503}. */
    public Builder unavailable(double rate) {
      this.unavailableRate = rate(rate, "unavailable");
      return this;
    }

    /** Connections answered {@code 500}. */
    public Builder errors(double rate) {
      this.errorRate = rate(rate, "errors");
      return this;
    }

    /** Each chunk of the server's answer waits 0 to {@code millis} ms (default 0). */
    public Builder maxDelayMillis(int millis) {
      if (millis < 0) {
        throw new IllegalArgumentException("maxDelayMillis must be >= 0, got " + millis);
      }
      this.maxDelayMs = millis;
      return this;
    }

    /** Connections open at once, 1 to 1024 (default 64). */
    public Builder maxConnections(int connections) {
      if (connections < 1 || connections > 1024) {
        throw new IllegalArgumentException("maxConnections must be between 1 and 1024, got " + connections);
      }
      this.maxConnections = connections;
      return this;
    }

    /**
     * Adds {@code Connection: close} to the first request of every connection (replacing the
     * client's own {@code Connection} header), so the server closes after its answer and a
     * client's connection pool cannot carry many requests past one fate. Default false.
     */
    public Builder oneRequestPerConnection(boolean oneEach) {
      this.oneRequestPerConnection = oneEach;
      return this;
    }

    /**
     * The error codes in the injected answers' XML body ({@code <Error><Code>...}) and {@code
     * x-ms-error-code} header: S3's {@code SlowDown}/{@code InternalError} by default, Azure's
     * {@code ServerBusy}/{@code InternalError} for Azurite.
     */
    public Builder errorCodes(String unavailable, String error) {
      this.unavailableCode = Objects.requireNonNull(unavailable, "unavailable");
      this.errorCode = Objects.requireNonNull(error, "error");
      return this;
    }

    /** Opens the proxy on a free loopback port. */
    public FaultyProxy start() throws IOException {
      if (resetRate + unavailableRate + errorRate > 1.0) {
        throw new IllegalArgumentException("The fault rates add up to more than 1: resets " + resetRate
            + ", unavailable " + unavailableRate + ", errors " + errorRate);
      }
      return new FaultyProxy(this);
    }

    private static double rate(double rate, String name) {
      if (!(rate >= 0 && rate <= 1)) {
        throw new IllegalArgumentException(name + " must be between 0 and 1, got " + rate);
      }
      return rate;
    }
  }

  /** The proxy's endpoint, {@code http://127.0.0.1:<port>}, to give the client instead of the server's. */
  public URI endpoint() {
    return URI.create("http://127.0.0.1:" + server.getLocalPort());
  }

  /** Connections per fate so far. */
  public Map<Fate, Long> counts() {
    Map<Fate, Long> out = new EnumMap<>(Fate.class);
    counts.forEach((k, v) -> out.put(k, v.get()));
    return out;
  }

  private synchronized Fate nextFate() {
    double roll = random.nextDouble();
    if (roll < settings.resetRate) {
      return Fate.RESET;
    }
    if (roll < settings.resetRate + settings.unavailableRate) {
      return Fate.UNAVAILABLE_503;
    }
    if (roll < settings.resetRate + settings.unavailableRate + settings.errorRate) {
      return Fate.ERROR_500;
    }
    return Fate.HEALTHY;
  }

  private synchronized int nextInt(int bound) {
    return bound <= 0 ? 0 : random.nextInt(bound);
  }

  private void accept() {
    while (!closed) {
      try {
        slots.acquire();
        Socket client = server.accept();
        Fate fate = nextFate();
        counts.get(fate).incrementAndGet();
        threads.execute(() -> serve(client, fate));
      } catch (IOException | InterruptedException e) {
        slots.release();
        if (closed) {
          return;
        }
      }
    }
  }

  private void serve(Socket client, Fate fate) {
    try (client) {
      if (fate == Fate.UNAVAILABLE_503 || fate == Fate.ERROR_500) {
        readHead(client.getInputStream());
        answer(client, fate);
        return;
      }
      try (Socket upstream = new Socket()) {
        upstream.connect(target, 5_000);
        long resetAfter = fate == Fate.RESET ? nextInt(4_000) : Long.MAX_VALUE;
        threads.execute(() -> {
          if (settings.oneRequestPerConnection && !forwardHeadClosing(client, upstream)) {
            return;
          }
          pipe(client, upstream, Long.MAX_VALUE, false);
        });
        pipe(upstream, client, resetAfter, true);
        if (fate == Fate.RESET) {
          client.setSoLinger(true, 0); // RST, not FIN
        }
      }
    } catch (IOException e) {
      // The client or the server went away: nothing to inject any more.
    } finally {
      slots.release();
    }
  }

  /** Forwards the first request head with {@code Connection: close}; false when the client went away. */
  private boolean forwardHeadClosing(Socket client, Socket upstream) {
    try {
      byte[] head = readHead(client.getInputStream());
      String text = new String(head, StandardCharsets.ISO_8859_1);
      StringBuilder rewritten = new StringBuilder();
      for (String line : text.split("\r\n", -1)) {
        if (line.isEmpty()) {
          continue;
        }
        if (!line.regionMatches(true, 0, "connection:", 0, "connection:".length())) {
          rewritten.append(line).append("\r\n");
        }
      }
      rewritten.append("Connection: close\r\n\r\n");
      OutputStream out = upstream.getOutputStream();
      out.write(rewritten.toString().getBytes(StandardCharsets.ISO_8859_1));
      out.flush();
      return true;
    } catch (IOException e) {
      return false;
    }
  }

  /** Reads a request head up to and including its blank line (at most {@link #MAX_HEAD} bytes). */
  private static byte[] readHead(InputStream in) throws IOException {
    ByteArrayOutputStream head = new ByteArrayOutputStream();
    int matched = 0;
    byte[] end = {'\r', '\n', '\r', '\n'};
    int b;
    while (matched < 4 && head.size() < MAX_HEAD && (b = in.read()) >= 0) {
      head.write(b);
      matched = b == end[matched] ? matched + 1 : (b == '\r' ? 1 : 0);
    }
    if (matched < 4) {
      throw new IOException("no complete request head in the first " + head.size() + " bytes");
    }
    return head.toByteArray();
  }

  /** Answers with the fate's status and an XML error body, then closes. */
  private void answer(Socket client, Fate fate) throws IOException {
    String status = fate == Fate.UNAVAILABLE_503 ? "503 Service Unavailable" : "500 Internal Server Error";
    String code = fate == Fate.UNAVAILABLE_503 ? settings.unavailableCode : settings.errorCode;
    String body = "<?xml version=\"1.0\" encoding=\"UTF-8\"?><Error><Code>" + code + "</Code><Message>injected by"
        + " FaultyProxy</Message></Error>";
    String answer = "HTTP/1.1 " + status + "\r\nContent-Type: application/xml\r\nx-ms-error-code: " + code
        + "\r\nContent-Length: " + body.getBytes(StandardCharsets.UTF_8).length + "\r\nConnection: close\r\n\r\n" + body;
    OutputStream out = client.getOutputStream();
    out.write(answer.getBytes(StandardCharsets.UTF_8));
    out.flush();
    client.shutdownOutput();
  }

  /** Copies {@code from} to {@code to} until EOF or {@code limit} bytes, delaying chunks when asked. */
  private void pipe(Socket from, Socket to, long limit, boolean delay) {
    byte[] buffer = new byte[8192];
    long copied = 0;
    try {
      InputStream in = from.getInputStream();
      OutputStream out = to.getOutputStream();
      int n;
      while (copied < limit && (n = in.read(buffer, 0, (int) Math.min(buffer.length, limit - copied))) >= 0) {
        if (delay && settings.maxDelayMs > 0) {
          Thread.sleep(nextInt(settings.maxDelayMs + 1));
        }
        out.write(buffer, 0, n);
        out.flush();
        copied += n;
      }
      if (limit == Long.MAX_VALUE) {
        to.shutdownOutput();
      }
    } catch (IOException e) {
      // One side closed: the other copy ends with it.
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
    }
  }

  /** Stops accepting and ends every open connection. */
  @Override
  public void close() throws IOException {
    closed = true;
    server.close();
    threads.shutdownNow();
  }
}
