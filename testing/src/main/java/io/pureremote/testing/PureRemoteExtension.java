package io.pureremote.testing;

import io.pureremote.RemoteRuntime;
import io.pureremote.spi.BlobStore;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.FileVisitResult;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.SimpleFileVisitor;
import java.nio.file.attribute.BasicFileAttributes;
import java.util.Objects;
import java.util.function.Consumer;
import org.junit.jupiter.api.extension.AfterEachCallback;
import org.junit.jupiter.api.extension.BeforeEachCallback;
import org.junit.jupiter.api.extension.ExtensionContext;
import org.junit.jupiter.api.extension.ParameterContext;
import org.junit.jupiter.api.extension.ParameterResolutionException;
import org.junit.jupiter.api.extension.ParameterResolver;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * A JUnit 5 extension that gives each test a {@link RemoteRuntime} on a memo store of its own: a
 * fresh temporary folder, so no test sees another's results or the user's {@code ~/.pureremote}.
 * The test declares a {@link RemoteRuntime} parameter (and a {@link BlobStore} one to look at
 * what landed in the store); the runtime is closed and the folder deleted after the test. The
 * folder of a failed test is kept for inspection and its path logged at WARN.
 *
 * <p>Two shells: {@link #inProcess()} (the default; the function runs on a thread of the test JVM,
 * fast, but a {@code System.exit} in the function ends the test JVM) and {@link #childJvm()} (each
 * miss runs in a child JVM on the test's class path, as the default {@code local} shell does).
 *
 * <pre>{@code
 * class PricingTest {
 *   @RegisterExtension
 *   static final PureRemoteExtension pureRemote = PureRemoteExtension.inProcess();
 *
 *   @Test
 *   void theSecondEqualCallIsAMemoHit(RemoteRuntime runtime) {
 *     Pricing pricing = runtime.create(Pricing.class, PricingImpl.class);
 *     assertEquals(pricing.price(quote), pricing.price(quote));
 *   }
 * }
 * }</pre>
 *
 * <p>{@code @ExtendWith(PureRemoteExtension.class)} gives the in-process default. Instances are
 * immutable and safe to share between test classes and parallel tests.
 */
public final class PureRemoteExtension implements BeforeEachCallback, AfterEachCallback, ParameterResolver {
  private static final Logger log = LoggerFactory.getLogger(PureRemoteExtension.class);
  private static final ExtensionContext.Namespace NAMESPACE = ExtensionContext.Namespace.create(PureRemoteExtension.class);

  private final String shell;
  private final Consumer<RemoteRuntime.Builder> customizer;

  /** The in-process default, for {@code @ExtendWith(PureRemoteExtension.class)}. */
  public PureRemoteExtension() {
    this("in-process", b -> {});
  }

  private PureRemoteExtension(String shell, Consumer<RemoteRuntime.Builder> customizer) {
    this.shell = shell;
    this.customizer = customizer;
  }

  /** Functions run on threads of the test JVM (shell {@code in-process}). */
  public static PureRemoteExtension inProcess() {
    return new PureRemoteExtension();
  }

  /** Each miss runs in a child JVM on the test's class path (shell {@code local}). */
  public static PureRemoteExtension childJvm() {
    return new PureRemoteExtension("local", b -> {});
  }

  /**
   * A copy that also applies {@code customizer} to each test's runtime builder, after the store
   * and shell are set: pipeline id, call options, leases, allowed packages and so on. Setting
   * another blob root or shell there replaces the extension's.
   */
  public PureRemoteExtension configure(Consumer<RemoteRuntime.Builder> customizer) {
    Objects.requireNonNull(customizer, "customizer");
    Consumer<RemoteRuntime.Builder> before = this.customizer;
    return new PureRemoteExtension(shell, before.andThen(customizer));
  }

  @Override
  public void beforeEach(ExtensionContext context) throws IOException {
    Path folder = Files.createTempDirectory("pureremote-test-");
    RemoteRuntime.Builder builder = RemoteRuntime.builder().blobRoot(folder.toUri().toString()).shell(shell);
    customizer.accept(builder);
    RemoteRuntime runtime;
    try {
      runtime = builder.build();
    } catch (RuntimeException e) {
      deleteTree(folder);
      throw e;
    }
    context.getStore(NAMESPACE).put(TestRuntime.class, new TestRuntime(folder, runtime));
  }

  @Override
  public void afterEach(ExtensionContext context) {
    TestRuntime test = context.getStore(NAMESPACE).remove(TestRuntime.class, TestRuntime.class);
    if (test == null) {
      return;
    }
    test.runtime().close();
    if (context.getExecutionException().isPresent()) {
      log.warn("{} failed; its memo store is kept for inspection: {}", context.getDisplayName(), test.folder().toUri());
    } else {
      deleteTree(test.folder());
    }
  }

  @Override
  public boolean supportsParameter(ParameterContext parameter, ExtensionContext context) {
    Class<?> type = parameter.getParameter().getType();
    return type == RemoteRuntime.class || type == BlobStore.class;
  }

  @Override
  public Object resolveParameter(ParameterContext parameter, ExtensionContext context) {
    TestRuntime test = context.getStore(NAMESPACE).get(TestRuntime.class, TestRuntime.class);
    if (test == null) {
      throw new ParameterResolutionException("PureRemoteExtension gives a " + parameter.getParameter().getType().getSimpleName()
          + " to test methods only (not to constructors or @BeforeAll methods): declare it as a parameter of the @Test"
          + " or @BeforeEach method.");
    }
    return parameter.getParameter().getType() == RemoteRuntime.class ? test.runtime() : test.runtime().blobStore();
  }

  /** One test's runtime and the folder its store lives in. */
  private record TestRuntime(Path folder, RemoteRuntime runtime) {}

  private static void deleteTree(Path folder) {
    try {
      Files.walkFileTree(folder, new SimpleFileVisitor<>() {
        @Override
        public FileVisitResult visitFile(Path file, BasicFileAttributes attrs) throws IOException {
          Files.delete(file);
          return FileVisitResult.CONTINUE;
        }

        @Override
        public FileVisitResult postVisitDirectory(Path dir, IOException e) throws IOException {
          Files.delete(dir);
          return FileVisitResult.CONTINUE;
        }
      });
    } catch (IOException e) {
      throw new UncheckedIOException("Cannot delete the test's memo store " + folder + ": " + e.getMessage(), e);
    }
  }
}
