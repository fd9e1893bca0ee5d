package io.pureremote.blobstore.s3;

import com.sun.net.httpserver.HttpExchange;
import com.sun.net.httpserver.HttpServer;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.InetSocketAddress;
import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.util.Map;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * A scripted HTTP server on 127.0.0.1 standing in for S3 where S3Proxy cannot misbehave on demand:
 * answers each request through {@link Script} and counts them.
 */
final class FakeS3Server implements AutoCloseable {
  /** One scripted answer. */
  record Answer(int status, Map<String, String> headers, String body) {
    static Answer error(int status, String code) {
      return new Answer(status, Map.of("Content-Type", "application/xml"),
          "<?xml version=\"1.0\" encoding=\"UTF-8\"?><Error><Code>" + code + "</Code><Message>scripted " + code
              + "</Message><RequestId>fake</RequestId></Error>");
    }

    static Answer ok(String body, String etag) {
      return new Answer(200, Map.of("ETag", etag, "Content-Type", "application/octet-stream"), body);
    }

    /** A 200 that declares all of {@code body} but sends only its first {@code sent} bytes, then drops the connection. */
    static Answer brokenOff(String body, String etag, int sent) {
      return new Answer(200, Map.of("ETag", etag, "Content-Type", "application/octet-stream", BROKEN_OFF_AT,
          Integer.toString(sent)), body);
    }
  }

  /** The header (not sent) that makes an answer break off its body after that many bytes. */
  private static final String BROKEN_OFF_AT = "X-Fake-Broken-Off-At";

  /** Chooses the answer to the {@code n}-th request (1-based). */
  interface Script {
    Answer answer(int n, String method, String path);
  }

  private final HttpServer server;
  private final AtomicInteger requests = new AtomicInteger();

  FakeS3Server(Script script) throws IOException {
    server = HttpServer.create(new InetSocketAddress("127.0.0.1", 0), 0);
    server.createContext("/", exchange -> handle(exchange, script));
    server.start();
  }

  private void handle(HttpExchange exchange, Script script) throws IOException {
    try (exchange; InputStream in = exchange.getRequestBody()) {
      in.transferTo(OutputStream.nullOutputStream());
      int n = requests.incrementAndGet();
      Answer a = script.answer(n, exchange.getRequestMethod(), exchange.getRequestURI().getPath());
      a.headers().forEach((k, v) -> {
        if (!k.equals(BROKEN_OFF_AT)) {
          exchange.getResponseHeaders().add(k, v);
        }
      });
      byte[] body = a.body() == null ? new byte[0] : a.body().getBytes(StandardCharsets.UTF_8);
      boolean head = exchange.getRequestMethod().equals("HEAD");
      if (head || body.length == 0) {
        exchange.sendResponseHeaders(a.status(), -1);
      } else {
        exchange.sendResponseHeaders(a.status(), body.length);
        String brokenOffAt = a.headers().get(BROKEN_OFF_AT);
        if (brokenOffAt != null) {
          exchange.getResponseBody().write(body, 0, Integer.parseInt(brokenOffAt));
          exchange.getResponseBody().flush();
          throw new IOException("scripted: the body breaks off"); // closes the connection mid-body
        }
        exchange.getResponseBody().write(body);
      }
    }
  }

  URI endpoint() {
    return URI.create("http://127.0.0.1:" + server.getAddress().getPort());
  }

  int requests() {
    return requests.get();
  }

  @Override
  public void close() {
    server.stop(0);
  }
}
