package io.pureremote.blobstore.adls;

import static org.junit.jupiter.api.Assertions.fail;

import com.azure.storage.blob.BlobServiceClient;
import com.azure.storage.blob.BlobServiceClientBuilder;
import com.azure.storage.common.StorageSharedKeyCredential;
import java.io.IOException;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Comparator;
import java.util.List;
import java.util.UUID;
import java.util.stream.Stream;
import org.junit.jupiter.api.extension.BeforeAllCallback;
import org.junit.jupiter.api.extension.ExtensionContext;

/**
 * JUnit extension that runs one real Azurite blob server (npm {@code azurite}, pinned in the
 * repository's {@code package.json}) on a free port of 127.0.0.1 for the whole test run, in memory,
 * and kills it (with its child processes) when the run ends.
 *
 * <p>Azurite implements the Blob API only; the Data Lake (DFS) API answers 400 there, so {@link
 * AdlsBlobStore#deleteDirectory} cannot run against it. When Azurite is not installed the tests
 * fail (never skip) and say to run {@code npm ci} in the repository root.
 *
 * <p>Azurite keeps its in-memory state as long as it runs, so every store gets its own container.
 */
public final class AzuriteServer implements BeforeAllCallback {
  private static final ExtensionContext.Namespace NAMESPACE = ExtensionContext.Namespace.create(AzuriteServer.class);
  private static volatile Running running;

  static {
    // The test's own Azure clients must not be the first to read the header setting.
    AdlsBlobStore.allowContentLengthHeader();
  }

  @Override
  public void beforeAll(ExtensionContext context) {
    // The root store outlives every test class and closes its AutoCloseable values at the end.
    context.getRoot().getStore(NAMESPACE).computeIfAbsent(Running.class, k -> start(), Running.class);
  }

  /** Blob endpoint of the running server, e.g. {@code http://127.0.0.1:41234/devstoreaccount1}. */
  static String endpoint() {
    Running r = running;
    if (r == null) {
      throw new IllegalStateException("Azurite is not running: annotate the test class with @ExtendWith(AzuriteServer.class)");
    }
    return r.endpoint;
  }

  /** A service client with the emulator's well-known account key. */
  static BlobServiceClient service() {
    return new BlobServiceClientBuilder().endpoint(endpoint())
        .credential(new StorageSharedKeyCredential(AdlsBlobStoreOptions.DEV_ACCOUNT, AdlsBlobStoreOptions.DEV_ACCOUNT_KEY))
        .buildClient();
  }

  /** A unique container name that no test has used. */
  static String uniqueContainerName() {
    return "t-" + UUID.randomUUID().toString().replace("-", "");
  }

  /** Creates a new, empty, uniquely named container and returns its name. */
  static String newContainer() {
    String name = uniqueContainerName();
    service().createBlobContainer(name);
    return name;
  }

  /** Store options for the emulator: its endpoint and key, and quick retries. */
  static AdlsBlobStoreOptions.Builder options() {
    return AdlsBlobStoreOptions.builder().endpoint(endpoint()).devAccountKey()
        .maxTries(3).retryDelays(Duration.ofMillis(50), Duration.ofMillis(500));
  }

  private static Running start() {
    Path repo = repoRoot();
    Path bin = repo.resolve("node_modules/.bin/azurite-blob");
    if (!Files.isExecutable(bin)) {
      fail("Azurite is not installed (no " + bin + "). Run `npm ci` in " + repo
          + " to install the version pinned in package-lock.json; the ADLS tests need it and never skip.");
    }
    IOException last = null;
    for (int attempt = 0; attempt < 3; attempt++) {
      try {
        Running r = Running.launch(bin);
        running = r;
        return r;
      } catch (IOException e) {
        last = e;
        if (!String.valueOf(e.getMessage()).contains("EADDRINUSE")) {
          break; // only a port taken between probing and binding is worth another try
        }
      }
    }
    return fail("Azurite did not start: " + last.getMessage(), last);
  }

  /** The folder holding package.json, walking up from the working directory. */
  private static Path repoRoot() {
    Path start = Path.of(System.getProperty("user.dir")).toAbsolutePath();
    for (Path p = start; p != null; p = p.getParent()) {
      if (Files.isRegularFile(p.resolve("package.json"))) {
        return p;
      }
    }
    return fail("No package.json in " + start + " or its parents: run the tests inside the Pure Remote repository");
  }

  /** A started Azurite process; closing it kills the process tree and removes its folder. */
  static final class Running implements AutoCloseable {
    final Process process;
    final String endpoint;
    final Path dir;
    final Thread shutdownHook;

    private Running(Process process, String endpoint, Path dir) {
      this.process = process;
      this.endpoint = endpoint;
      this.dir = dir;
      // Also on Ctrl-C: never leave an orphaned server holding a port.
      this.shutdownHook = new Thread(this::kill, "azurite-stop");
      Runtime.getRuntime().addShutdownHook(shutdownHook);
    }

    static Running launch(Path bin) throws IOException {
      int port;
      try (ServerSocket s = new ServerSocket(0, 1, java.net.InetAddress.getLoopbackAddress())) {
        port = s.getLocalPort();
      }
      Path dir = Files.createTempDirectory("azurite-");
      Path log = dir.resolve("azurite.log");
      Process p = new ProcessBuilder(List.of(bin.toString(), "--blobHost", "127.0.0.1", "--blobPort",
          Integer.toString(port), "--inMemoryPersistence", "--skipApiVersionCheck", "--disableTelemetry",
          "--silent"))
          .directory(dir.toFile()).redirectErrorStream(true).redirectOutput(log.toFile()).start();
      long deadline = System.nanoTime() + Duration.ofSeconds(30).toNanos();
      while (System.nanoTime() < deadline) {
        if (!p.isAlive()) {
          String out = Files.readString(log);
          deleteTree(dir);
          throw new IOException("azurite-blob exited with code " + p.exitValue() + " on port " + port + ":\n" + out);
        }
        try (Socket s = new Socket()) {
          s.connect(new InetSocketAddress("127.0.0.1", port), 200);
          return new Running(p, "http://127.0.0.1:" + port + "/" + AdlsBlobStoreOptions.DEV_ACCOUNT, dir);
        } catch (IOException notYet) {
          sleep(100);
        }
      }
      p.descendants().forEach(ProcessHandle::destroyForcibly);
      p.destroyForcibly();
      throw new IOException("azurite-blob did not listen on 127.0.0.1:" + port + " within 30 s:\n" + Files.readString(log));
    }

    @Override
    public void close() {
      kill();
      try {
        Runtime.getRuntime().removeShutdownHook(shutdownHook);
      } catch (IllegalStateException shuttingDown) {
        // The hook is running or has run: nothing left to remove.
      }
    }

    private void kill() {
      List<ProcessHandle> tree = process.descendants().toList();
      tree.forEach(ProcessHandle::destroy);
      process.destroy();
      try {
        if (!process.waitFor(5, java.util.concurrent.TimeUnit.SECONDS)) {
          process.destroyForcibly();
        }
      } catch (InterruptedException e) {
        Thread.currentThread().interrupt();
        process.destroyForcibly();
      }
      tree.forEach(ProcessHandle::destroyForcibly);
      deleteTree(dir);
    }
  }

  private static void deleteTree(Path dir) {
    try (Stream<Path> s = Files.walk(dir)) {
      s.sorted(Comparator.reverseOrder()).forEach(p -> p.toFile().delete());
    } catch (IOException ignored) {
      // A leftover temp folder is harmless.
    }
  }

  private static void sleep(long millis) {
    try {
      Thread.sleep(millis);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new IllegalStateException("interrupted while waiting for Azurite", e);
    }
  }
}
