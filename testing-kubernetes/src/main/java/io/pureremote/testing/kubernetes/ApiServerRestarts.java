package io.pureremote.testing.kubernetes;

import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.io.UncheckedIOException;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.net.SocketException;
import java.net.URI;
import java.time.Duration;
import java.util.List;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.atomic.AtomicLong;

/**
 * A bounded test tool: a loopback TCP proxy in front of a {@link MockKubernetes} API server that
 * plays the network and server failures a client of a real cluster meets. {@link
 * #dropConnections()} closes every open connection at once (watches and requests in flight alike,
 * as a load balancer or an API server that is replaced does); {@link #restart(Duration)} does that
 * and then refuses new connections for a while (the server is down) before it accepts them
 * again. Bytes are forwarded unchanged; it does not read HTTP. Watch-level faults ({@code 410
 * Gone}, refused watches) are {@link MockKubernetes}'s.
 *
 * <pre>{@code
 * try (MockKubernetes cluster = new MockKubernetes();
 *      ApiServerRestarts network = ApiServerRestarts.to(cluster)) {
 *   KubernetesClient client = cluster.shellClientThrough(network.endpoint());
 *   network.restart(Duration.ofSeconds(3));   // every connection drops; 3 s of refused connects
 * }
 * }</pre>
 *
 * <p>Each connection costs two virtual threads; close it to stop.
 */
public final class ApiServerRestarts implements AutoCloseable {
  private final InetSocketAddress target;
  private final int port;
  private final ExecutorService threads = Executors.newThreadPerTaskExecutor(Thread.ofVirtual().name("api-proxy-", 0).factory());
  private final Set<Socket> open = ConcurrentHashMap.newKeySet();
  private final AtomicLong connections = new AtomicLong();
  private final AtomicLong dropped = new AtomicLong();
  private final AtomicLong restarts = new AtomicLong();
  // Guarded by this.
  private ServerSocket listening;
  private boolean closed;

  private ApiServerRestarts(InetSocketAddress target) throws IOException {
    this.target = target;
    this.listening = listen(0);
    this.port = listening.getLocalPort();
    accept(listening);
  }

  /** A proxy to {@code cluster}'s API server, listening on a free loopback port. */
  public static ApiServerRestarts to(MockKubernetes cluster) {
    URI url = URI.create(cluster.server().url("/"));
    try {
      return new ApiServerRestarts(new InetSocketAddress(url.getHost(), url.getPort()));
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }

  /** Where clients connect: {@code http://127.0.0.1:<port>/}. */
  public URI endpoint() {
    return URI.create("http://127.0.0.1:" + port + "/");
  }

  /** Closes every open connection, both ways; returns how many client connections there were. */
  public int dropConnections() {
    int n = 0;
    for (Socket s : List.copyOf(open)) {
      if (open.remove(s)) {
        closeQuietly(s);
        n++;
      }
    }
    // Two sockets per client connection (the client's and the one to the server).
    dropped.addAndGet(n / 2);
    return n / 2;
  }

  /**
   * A restart of the API server: every connection drops, new connections are refused for {@code
   * down}, then accepted again on the same port. Blocks for {@code down}.
   */
  public void restart(Duration down) throws InterruptedException {
    synchronized (this) {
      if (closed) {
        return;
      }
      closeQuietly(listening);
      listening = null;
    }
    dropConnections();
    restarts.incrementAndGet();
    Thread.sleep(down.toMillis());
    synchronized (this) {
      if (closed) {
        return;
      }
      try {
        listening = listen(port);
      } catch (IOException e) {
        throw new UncheckedIOException("Cannot listen on port " + port + " again after the restart", e);
      }
      accept(listening);
    }
  }

  /** Client connections accepted so far. */
  public long connections() {
    return connections.get();
  }

  /** Client connections closed by {@link #dropConnections} or a restart. */
  public long dropped() {
    return dropped.get();
  }

  /** Restarts played so far. */
  public long restarts() {
    return restarts.get();
  }

  @Override
  public void close() {
    synchronized (this) {
      closed = true;
      if (listening != null) {
        closeQuietly(listening);
      }
    }
    List.copyOf(open).forEach(ApiServerRestarts::closeQuietly);
    threads.shutdownNow();
  }

  private static ServerSocket listen(int port) throws IOException {
    ServerSocket s = new ServerSocket();
    s.setReuseAddress(true);
    s.bind(new InetSocketAddress(InetAddress.getLoopbackAddress(), port), 200);
    return s;
  }

  private void accept(ServerSocket server) {
    threads.execute(() -> {
      while (!server.isClosed()) {
        Socket client;
        try {
          client = server.accept();
        } catch (IOException e) {
          return; // closed by a restart or close()
        }
        connections.incrementAndGet();
        threads.execute(() -> connect(client));
      }
    });
  }

  private void connect(Socket client) {
    Socket upstream = new Socket();
    open.add(client);
    open.add(upstream);
    try {
      upstream.connect(target, 10_000);
      client.setTcpNoDelay(true);
      upstream.setTcpNoDelay(true);
    } catch (IOException e) {
      end(client, upstream);
      return;
    }
    threads.execute(() -> pipe(upstream, client));
    pipe(client, upstream);
  }

  /** Copies {@code from} to {@code to} until either side closes, then closes both. */
  private void pipe(Socket from, Socket to) {
    byte[] buffer = new byte[16 * 1024];
    try (InputStream in = from.getInputStream()) {
      OutputStream out = to.getOutputStream();
      for (int n; (n = in.read(buffer)) >= 0; ) {
        out.write(buffer, 0, n);
        out.flush();
      }
    } catch (SocketException e) {
      // dropped, or the other side closed
    } catch (IOException e) {
      // the same, from a stream
    } finally {
      end(from, to);
    }
  }

  private void end(Socket a, Socket b) {
    open.remove(a);
    open.remove(b);
    closeQuietly(a);
    closeQuietly(b);
  }

  private static void closeQuietly(AutoCloseable c) {
    try {
      c.close();
    } catch (Exception e) {
      // closing only
    }
  }
}
