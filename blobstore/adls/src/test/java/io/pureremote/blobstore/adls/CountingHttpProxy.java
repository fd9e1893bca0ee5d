package io.pureremote.blobstore.adls;

import java.io.BufferedInputStream;
import java.io.BufferedOutputStream;
import java.io.ByteArrayOutputStream;
import java.io.EOFException;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.net.URLDecoder;
import java.nio.charset.StandardCharsets;
import java.util.List;
import java.util.Locale;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.function.Predicate;

/**
 * A byte-for-byte HTTP/1.1 relay on 127.0.0.1 in front of a local server, which records every
 * request that passes: method, path, query and body length. The Azure SDK has no hook to count a
 * store's requests, and a child JVM's store cannot be hooked at all; pointing both at this relay
 * counts what really goes over the wire, from every process.
 *
 * <p>Requests are parsed only to find where each one ends ({@code Content-Length} or chunked
 * bodies); bytes are forwarded unchanged, so signatures stay valid. A request is recorded before
 * its last byte is forwarded, so once a caller has its response the request is in {@link
 * #requests()}. Responses are relayed without parsing.
 */
final class CountingHttpProxy implements AutoCloseable {
  /**
   * One relayed request: {@code path} percent-decoded, {@code query} as sent; {@code bodyBytes}
   * counts the content, without chunk framing.
   */
  record Request(String method, String path, String query, long bodyBytes) {}

  private static final int MAX_HEAD = 64 * 1024;

  private final ServerSocket server;
  private final int targetPort;
  private final ConcurrentLinkedQueue<Request> requests = new ConcurrentLinkedQueue<>();
  private final Set<Socket> sockets = ConcurrentHashMap.newKeySet();

  /** Starts relaying a free port of 127.0.0.1 to {@code targetPort} on 127.0.0.1. */
  CountingHttpProxy(int targetPort) throws IOException {
    this.targetPort = targetPort;
    this.server = new ServerSocket(0, 100, InetAddress.getLoopbackAddress());
    Thread.ofPlatform().daemon().name("counting-proxy-accept").start(this::acceptLoop);
  }

  /** The port to connect to instead of the target's. */
  int port() {
    return server.getLocalPort();
  }

  /** Requests relayed since the start or the last {@link #reset()}, in arrival order. */
  List<Request> requests() {
    return List.copyOf(requests);
  }

  /** Relayed requests matching {@code filter}. */
  List<Request> requests(Predicate<Request> filter) {
    return requests.stream().filter(filter).toList();
  }

  /** Forgets the requests recorded so far. */
  void reset() {
    requests.clear();
  }

  @Override
  public void close() throws IOException {
    server.close();
    for (Socket s : sockets) {
      closeQuietly(s);
    }
  }

  private void acceptLoop() {
    while (!server.isClosed()) {
      Socket client;
      try {
        client = server.accept();
      } catch (IOException e) {
        return; // closed
      }
      Thread.ofVirtual().name("counting-proxy-conn").start(() -> relay(client));
    }
  }

  private void relay(Socket client) {
    Socket upstream = null;
    sockets.add(client);
    try {
      upstream = new Socket(InetAddress.getLoopbackAddress(), targetPort);
      sockets.add(upstream);
      client.setTcpNoDelay(true);
      upstream.setTcpNoDelay(true);
      Socket up = upstream;
      // Responses: raw bytes back to the client; when the server closes, so does the client side.
      Thread.ofVirtual().name("counting-proxy-back").start(() -> {
        try {
          up.getInputStream().transferTo(client.getOutputStream());
        } catch (IOException ignored) {
          // Either side went away.
        } finally {
          closeQuietly(client);
          closeQuietly(up);
        }
      });
      forwardRequests(new BufferedInputStream(client.getInputStream(), 1 << 16),
          new BufferedOutputStream(upstream.getOutputStream(), 1 << 16));
    } catch (IOException ignored) {
      // Either side went away.
    } finally {
      closeQuietly(client);
      closeQuietly(upstream);
      sockets.remove(client);
      if (upstream != null) {
        sockets.remove(upstream);
      }
    }
  }

  private void forwardRequests(InputStream in, OutputStream out) throws IOException {
    while (true) {
      byte[] head = readHead(in);
      if (head == null) {
        return; // the client closed the connection between requests
      }
      String[] lines = new String(head, StandardCharsets.ISO_8859_1).split("\r\n");
      String[] requestLine = lines[0].split(" ");
      String target = requestLine.length > 1 ? requestLine[1] : "";
      int q = target.indexOf('?');
      String method = requestLine[0];
      // The SDK percent-encodes blob names, '/' included.
      String path = URLDecoder.decode((q < 0 ? target : target.substring(0, q)).replace("+", "%2B"),
          StandardCharsets.UTF_8);
      String query = q < 0 ? "" : target.substring(q + 1);
      long length = 0;
      boolean chunked = false;
      for (int i = 1; i < lines.length; i++) {
        int colon = lines[i].indexOf(':');
        if (colon < 0) {
          continue;
        }
        String name = lines[i].substring(0, colon).trim().toLowerCase(Locale.ROOT);
        String value = lines[i].substring(colon + 1).trim();
        if (name.equals("content-length")) {
          length = Long.parseLong(value);
        } else if (name.equals("transfer-encoding") && value.toLowerCase(Locale.ROOT).contains("chunked")) {
          chunked = true;
        }
      }
      out.write(head);
      if (chunked) {
        out.flush(); // the client may wait for "100 Continue"
        long body = forwardChunks(in, out);
        requests.add(new Request(method, path, query, body));
        out.write("0\r\n\r\n".getBytes(StandardCharsets.ISO_8859_1));
      } else {
        requests.add(new Request(method, path, query, length));
        out.flush();
        copy(in, out, length);
      }
      out.flush();
    }
  }

  /** Forwards chunks up to, not including, the last (empty) chunk and trailers; returns the content length. */
  private static long forwardChunks(InputStream in, OutputStream out) throws IOException {
    long total = 0;
    while (true) {
      String sizeLine = readLine(in);
      int semicolon = sizeLine.indexOf(';');
      long size = Long.parseLong((semicolon < 0 ? sizeLine : sizeLine.substring(0, semicolon)).trim(), 16);
      if (size == 0) {
        while (!readLine(in).isEmpty()) {
          // Trailers are dropped; the SDK sends none.
        }
        return total;
      }
      out.write((sizeLine + "\r\n").getBytes(StandardCharsets.ISO_8859_1));
      copy(in, out, size);
      out.write(("\r\n").getBytes(StandardCharsets.ISO_8859_1));
      if (!readLine(in).isEmpty()) {
        throw new IOException("malformed chunk");
      }
      total += size;
    }
  }

  /** The request line and headers up to the empty line, inclusive; null on a clean end of stream. */
  private static byte[] readHead(InputStream in) throws IOException {
    ByteArrayOutputStream head = new ByteArrayOutputStream(1024);
    int matched = 0;
    while (matched < 4) {
      int b = in.read();
      if (b < 0) {
        if (head.size() == 0) {
          return null;
        }
        throw new EOFException("connection closed inside a request head");
      }
      head.write(b);
      matched = (b == '\r' && (matched == 0 || matched == 2)) || (b == '\n' && (matched == 1 || matched == 3))
          ? matched + 1 : (b == '\r' ? 1 : 0);
      if (head.size() > MAX_HEAD) {
        throw new IOException("request head over " + MAX_HEAD + " bytes");
      }
    }
    return head.toByteArray();
  }

  private static String readLine(InputStream in) throws IOException {
    StringBuilder line = new StringBuilder();
    for (int b; (b = in.read()) != '\n'; ) {
      if (b < 0) {
        throw new EOFException("connection closed inside a chunked body");
      }
      if (b != '\r') {
        line.append((char) b);
      }
    }
    return line.toString();
  }

  private static void copy(InputStream in, OutputStream out, long length) throws IOException {
    byte[] buffer = new byte[1 << 16];
    for (long left = length; left > 0; ) {
      int n = in.read(buffer, 0, (int) Math.min(buffer.length, left));
      if (n < 0) {
        throw new EOFException("connection closed inside a request body");
      }
      out.write(buffer, 0, n);
      left -= n;
    }
  }

  private static void closeQuietly(Socket s) {
    if (s != null) {
      try {
        s.close();
      } catch (IOException ignored) {
        // Nothing to release beyond the socket.
      }
    }
  }
}
