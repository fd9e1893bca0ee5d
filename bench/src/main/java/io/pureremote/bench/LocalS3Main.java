package io.pureremote.bench;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.concurrent.CountDownLatch;

/**
 * {@code bin/local-s3}: an S3-compatible server on this machine (S3Proxy, objects kept in a
 * folder), for trying the S3 store without AWS. Prints the blob root, settings and credentials to
 * use, then serves until interrupted (Ctrl-C). See docs/blobstores.md.
 *
 * <pre>{@code
 * bin/local-s3 [--port 9000] [--dir ~/.pureremote-s3] [--bucket memo]
 * }</pre>
 */
public final class LocalS3Main {
  private LocalS3Main() {}

  /** What {@link #start} started, and how a program reaches it. */
  record Running(S3ProxyServer server, String bucket, Path folder) {
    String blobRoot() {
      return "s3://" + bucket + "/demo";
    }

    String instructions() {
      String endpoint = server.endpoint().toString();
      return String.join("\n",
          "S3Proxy serves " + endpoint + " (objects under " + folder + "), bucket '" + bucket + "' exists.",
          "",
          "In the shell that runs your program:",
          "  export AWS_ACCESS_KEY_ID=" + S3ProxyServer.ACCESS + " AWS_SECRET_ACCESS_KEY=" + S3ProxyServer.SECRET,
          "  export PUREREMOTE_BLOB_ROOT=" + blobRoot(),
          "  export PUREREMOTE_STORE_ENDPOINT=" + endpoint + " PUREREMOTE_STORE_PATH_STYLE=true"
              + " PUREREMOTE_STORE_REGION=us-east-1",
          "",
          "or in .pureremote.toml:",
          "  blob-root = \"" + blobRoot() + "\"",
          "  [blob-settings]",
          "  endpoint = \"" + endpoint + "\"",
          "  path-style = \"true\"",
          "  region = \"us-east-1\"",
          "",
          "Ctrl-C stops it; the objects stay in " + folder + ".");
    }
  }

  /** Starts the server and creates the bucket when missing. */
  static Running start(int port, Path folder, String bucket) throws Exception {
    Files.createDirectories(folder);
    S3ProxyServer server = S3ProxyServer.start(folder, port);
    if (!Files.isDirectory(folder.resolve(bucket))) {
      server.createBucket(bucket);
    }
    return new Running(server, bucket, folder);
  }

  /** Parses {@code --port}, {@code --dir}, {@code --bucket}; serves until interrupted. */
  public static void main(String[] args) throws Exception {
    int port = 9000;
    Path folder = Path.of(System.getProperty("user.home"), ".pureremote-s3");
    String bucket = "memo";
    for (int i = 0; i < args.length; i++) {
      String value = i + 1 < args.length ? args[i + 1] : null;
      switch (args[i]) {
        case "--port" -> port = Integer.parseInt(require(args[i], value));
        case "--dir" -> folder = Path.of(require(args[i], value));
        case "--bucket" -> bucket = require(args[i], value);
        default -> {
          System.err.println("usage: bin/local-s3 [--port 9000] [--dir ~/.pureremote-s3] [--bucket memo]; unknown: " + args[i]);
          System.exit(64);
        }
      }
      i++;
    }
    Running running = start(port, folder.toAbsolutePath(), bucket);
    System.out.println(running.instructions());
    CountDownLatch stop = new CountDownLatch(1);
    Runtime.getRuntime().addShutdownHook(new Thread(() -> {
      try {
        running.server().close();
      } catch (Exception e) {
        // stopping anyway
      }
      stop.countDown();
    }));
    stop.await();
  }

  private static String require(String option, String value) {
    if (value == null) {
      System.err.println(option + " needs a value");
      System.exit(64);
    }
    return value;
  }
}
