package io.pureremote.blobstore.s3;

import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.util.Map;
import java.util.Random;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Semaphore;
import java.util.concurrent.atomic.AtomicLong;

/**
 * A loopback TCP proxy in front of a real server that injects faults per connection, for tests:
 * it resets some connections part-way through the server's answer, answers the first request of
 * others with a 503 or a 500 (then closes), and delays every chunk it forwards. Fates come from a
 * seeded {@link Random}, so a run can be repeated. Bounded: at most {@code maxConnections} open
 * connections (two threads each); others wait to be accepted. Close it to stop.
 */
final class FaultyProxy implements AutoCloseable {
  /** What happens to one connection. */
  enum Fate { HEALTHY, RESET, UNAVAILABLE_503, ERROR_500 }

  private final ServerSocket server;
  private final InetSocketAddress target;
  private final ExecutorService threads = Executors.newCachedThreadPool(Thread.ofPlatform().daemon().factory());
  private final Semaphore slots;
  private final Random random;
  private final double resetRate;
  private final double unavailableRate;
  private final double errorRate;
  private final int maxDelayMs;
  private final Map<Fate, AtomicLong> counts = new ConcurrentHashMap<>();
  private volatile boolean closed;

  FaultyProxy(URI target, long seed, double resetRate, double unavailableRate, double errorRate, int maxDelayMs,
      int maxConnections) throws IOException {
    this.target = new InetSocketAddress(target.getHost(), target.getPort());
    this.random = new Random(seed);
    this.resetRate = resetRate;
    this.unavailableRate = unavailableRate;
    this.errorRate = errorRate;
    this.maxDelayMs = maxDelayMs;
    this.slots = new Semaphore(maxConnections);
    this.server = new ServerSocket(0, 50, InetAddress.getLoopbackAddress());
    for (Fate f : Fate.values()) {
      counts.put(f, new AtomicLong());
    }
    threads.execute(this::accept);
  }

  /** The proxy's endpoint, to give the client instead of the server's. */
  URI endpoint() {
    return URI.create("http://127.0.0.1:" + server.getLocalPort());
  }

  /** Connections per fate so far. */
  Map<Fate, Long> counts() {
    Map<Fate, Long> out = new java.util.EnumMap<>(Fate.class);
    counts.forEach((k, v) -> out.put(k, v.get()));
    return out;
  }

  private synchronized Fate nextFate() {
    double roll = random.nextDouble();
    if (roll < resetRate) {
      return Fate.RESET;
    }
    if (roll < resetRate + unavailableRate) {
      return Fate.UNAVAILABLE_503;
    }
    if (roll < resetRate + unavailableRate + errorRate) {
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
        if (!closed) {
          continue;
        }
        return;
      }
    }
  }

  private void serve(Socket client, Fate fate) {
    try (client) {
      if (fate == Fate.UNAVAILABLE_503 || fate == Fate.ERROR_500) {
        answer(client, fate);
        return;
      }
      try (Socket upstream = new Socket()) {
        upstream.connect(target, 5_000);
        // A reset comes after a random number of the server's bytes: before, inside or after
        // the headers or the body of some answer on this connection.
        long resetAfter = fate == Fate.RESET ? nextInt(4_000) : Long.MAX_VALUE;
        threads.execute(() -> pipe(client, upstream, Long.MAX_VALUE, false));
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

  /** Reads the request's head, answers it with the fate's status, then closes. */
  private void answer(Socket client, Fate fate) throws IOException {
    InputStream in = client.getInputStream();
    int matched = 0;
    byte[] end = {'\r', '\n', '\r', '\n'};
    int b;
    while (matched < 4 && (b = in.read()) >= 0) {
      matched = b == end[matched] ? matched + 1 : (b == '\r' ? 1 : 0);
    }
    String code = fate == Fate.UNAVAILABLE_503 ? "503 Service Unavailable" : "500 Internal Server Error";
    String s3Code = fate == Fate.UNAVAILABLE_503 ? "SlowDown" : "InternalError";
    String body = "<?xml version=\"1.0\" encoding=\"UTF-8\"?><Error><Code>" + s3Code + "</Code><Message>injected by"
        + " FaultyProxy</Message></Error>";
    String answer = "HTTP/1.1 " + code + "\r\nContent-Type: application/xml\r\nContent-Length: "
        + body.getBytes(StandardCharsets.UTF_8).length + "\r\nConnection: close\r\n\r\n" + body;
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
        if (delay && maxDelayMs > 0) {
          Thread.sleep(nextInt(maxDelayMs + 1));
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

  @Override
  public void close() throws IOException {
    closed = true;
    server.close();
    threads.shutdownNow();
  }
}
