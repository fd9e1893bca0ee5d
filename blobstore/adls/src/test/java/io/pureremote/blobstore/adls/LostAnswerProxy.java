package io.pureremote.blobstore.adls;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.function.Predicate;

/**
 * A loopback relay in front of Azurite that loses one answer: the first request whose request
 * line matches reaches the server and takes effect, but its client gets a reset instead of the
 * answer, as when a connection drops after the server acted. Every connection carries one request
 * (the relay asks the server to close after answering). For tests; close it to stop.
 */
final class LostAnswerProxy implements AutoCloseable {
  private final ServerSocket server;
  private final int targetPort;
  private final Predicate<String> lose;
  /** Whether the one answer was lost yet. */
  final AtomicBoolean lost = new AtomicBoolean();
  /** The request lines relayed, for messages. */
  final java.util.List<String> requestLines = new java.util.concurrent.CopyOnWriteArrayList<>();

  LostAnswerProxy(int targetPort, Predicate<String> lose) throws IOException {
    this.targetPort = targetPort;
    this.lose = lose;
    this.server = new ServerSocket(0, 50, InetAddress.getLoopbackAddress());
    Thread.ofPlatform().daemon().name("lost-answer-accept").start(this::accept);
  }

  int port() {
    return server.getLocalPort();
  }

  private void accept() {
    while (!server.isClosed()) {
      try {
        Socket client = server.accept();
        Thread.ofPlatform().daemon().start(() -> serve(client));
      } catch (IOException e) {
        return;
      }
    }
  }

  private void serve(Socket client) {
    try (client; Socket upstream = new Socket(InetAddress.getLoopbackAddress(), targetPort)) {
      InputStream in = client.getInputStream();
      ByteArrayOutputStream head = new ByteArrayOutputStream();
      byte[] end = {'\r', '\n', '\r', '\n'};
      int seen = 0;
      int b;
      while (seen < 4 && (b = in.read()) >= 0) {
        head.write(b);
        seen = b == end[seen] ? seen + 1 : (b == '\r' ? 1 : 0);
      }
      String text = head.toString(StandardCharsets.ISO_8859_1);
      String requestLine = text.substring(0, Math.max(0, text.indexOf("\r\n")));
      StringBuilder rewritten = new StringBuilder();
      for (String line : text.split("\r\n")) {
        if (!line.isEmpty() && !line.regionMatches(true, 0, "connection:", 0, 11)) {
          rewritten.append(line).append("\r\n");
        }
      }
      rewritten.append("Connection: close\r\n\r\n");
      OutputStream up = upstream.getOutputStream();
      up.write(rewritten.toString().getBytes(StandardCharsets.ISO_8859_1));
      up.flush();
      Thread body = Thread.ofPlatform().daemon().start(() -> {
        try {
          in.transferTo(up);
        } catch (IOException ignored) {
          // The client closed: the request is complete or abandoned.
        }
      });
      requestLines.add(requestLine);
      boolean loseThis = lose.test(requestLine) && lost.compareAndSet(false, true);
      if (loseThis) {
        upstream.getInputStream().readAllBytes(); // the server acted and answered; the client never hears
        client.setSoLinger(true, 0);
        return;
      }
      upstream.getInputStream().transferTo(client.getOutputStream());
      client.getOutputStream().flush();
      body.interrupt();
    } catch (IOException e) {
      // One side went away.
    }
  }

  @Override
  public void close() throws IOException {
    server.close();
  }
}
