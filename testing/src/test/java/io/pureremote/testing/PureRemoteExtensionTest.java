package io.pureremote.testing;

import static org.assertj.core.api.Assertions.assertThat;
import static org.junit.platform.engine.discovery.DiscoverySelectors.selectClass;

import io.pureremote.RemoteRuntime;
import io.pureremote.spi.BlobStore;
import io.pureremote.testing.fns.Squares;
import java.io.IOException;
import java.net.URI;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Comparator;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.stream.Stream;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ConditionEvaluationResult;
import org.junit.jupiter.api.extension.ExecutionCondition;
import org.junit.jupiter.api.extension.ExtendWith;
import org.junit.jupiter.api.extension.ExtensionContext;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.junit.platform.testkit.engine.EngineTestKit;
import org.junit.platform.testkit.engine.Events;

/** The extension as a user's test meets it: a runtime per test, on a store of its own. */
class PureRemoteExtensionTest {
  @RegisterExtension
  static final PureRemoteExtension pureRemote = PureRemoteExtension.inProcess();

  @BeforeEach
  void resetRuns() {
    Squares.RUNS.set(0);
  }

  @Test
  void theSecondEqualCallIsAMemoHit(RemoteRuntime runtime, BlobStore store) {
    Squares squares = runtime.create(Squares.class, Squares.Impl.class);

    assertThat(squares.square(7)).isEqualTo(49);
    assertThat(squares.square(7)).isEqualTo(49);

    assertThat(Squares.RUNS).hasValue(1);
    assertThat(store.list("").stream().filter(k -> k.endsWith("/result"))).hasSize(1);
    assertThat(store).isSameAs(runtime.blobStore());
  }

  @Test
  void eachTestStartsWithAnEmptyStoreOutsideTheUsersHome(BlobStore store) {
    assertThat(store.list("")).isEmpty();
    assertThat(store.root()).startsWith("file:").doesNotContain(".pureremote");
  }

  @Test
  void configureAppliesToEachRuntime() throws Exception {
    Events events = run(Configured.class);
    events.assertStatistics(s -> s.succeeded(1).failed(0));
  }

  @Test
  void aPassingTestsStoreIsDeletedAndAFailingTestsStoreIsKept() throws IOException {
    Roots.SEEN.clear();
    Events events = run(PassAndFail.class);
    events.assertStatistics(s -> s.succeeded(1).failed(1));

    assertThat(Roots.SEEN).hasSize(2);
    Path passed = Path.of(URI.create(Roots.SEEN.get(0)));
    Path failed = Path.of(URI.create(Roots.SEEN.get(1)));
    assertThat(passed).doesNotExist();
    assertThat(failed).isDirectory();
    try (Stream<Path> kept = Files.walk(failed)) {
      assertThat(kept.anyMatch(p -> p.endsWith("result"))).as("the failed test's result is still there").isTrue();
    }
    deleteTree(failed);
  }

  private static void deleteTree(Path root) throws IOException {
    try (Stream<Path> paths = Files.walk(root)) {
      for (Path p : paths.sorted(Comparator.reverseOrder()).toList()) {
        Files.delete(p);
      }
    }
  }

  @Test
  void aRuntimeParameterOutsideATestIsAClearError() {
    Events events = run(ConstructorParameter.class);
    events.assertStatistics(s -> s.failed(1));
    assertThat(events.failed().stream().findFirst().orElseThrow().getPayload(org.junit.platform.engine.TestExecutionResult.class)
            .orElseThrow().getThrowable().orElseThrow())
        .hasMessageContaining("declare it as a parameter of the @Test or @BeforeEach method");
  }

  @Test
  void extendWithGivesTheInProcessDefault() {
    run(Default.class).assertStatistics(s -> s.succeeded(1).failed(0));
  }

  private static Events run(Class<?> testClass) {
    return EngineTestKit.engine("junit-jupiter").configurationParameter(OnlyInTestKit.PARAMETER, "true")
        .selectors(selectClass(testClass)).execute().testEvents();
  }

  /**
   * Keeps the fixture classes below from running on their own (e.g. under a {@code -Dtest}
   * pattern that includes nested classes): they run only when {@link #run} starts them.
   */
  static final class OnlyInTestKit implements ExecutionCondition {
    static final String PARAMETER = "pureremote.testing.fixtures";

    @Override
    public ConditionEvaluationResult evaluateExecutionCondition(ExtensionContext context) {
      return context.getConfigurationParameter(PARAMETER).isPresent()
          ? ConditionEvaluationResult.enabled("started by EngineTestKit")
          : ConditionEvaluationResult.disabled("a fixture of PureRemoteExtensionTest, run only through EngineTestKit");
    }
  }

  /** Roots seen by {@link PassAndFail}, in test order. */
  static final class Roots {
    static final List<String> SEEN = new CopyOnWriteArrayList<>();
  }

  // The classes below are run by EngineTestKit from the tests above, never on their own.

  @org.junit.jupiter.api.TestMethodOrder(org.junit.jupiter.api.MethodOrderer.OrderAnnotation.class)
  @ExtendWith(OnlyInTestKit.class)
  static class PassAndFail {
    @RegisterExtension
    static final PureRemoteExtension pureRemote = PureRemoteExtension.inProcess();

    @Test
    @org.junit.jupiter.api.Order(1)
    void passes(RemoteRuntime runtime) {
      Roots.SEEN.add(runtime.blobStore().root());
      runtime.create(Squares.class, Squares.Impl.class).square(3);
    }

    @Test
    @org.junit.jupiter.api.Order(2)
    void fails(RemoteRuntime runtime) {
      Roots.SEEN.add(runtime.blobStore().root());
      runtime.create(Squares.class, Squares.Impl.class).square(4);
      throw new AssertionError("deliberately failing");
    }
  }

  @ExtendWith(OnlyInTestKit.class)
  static class Configured {
    @RegisterExtension
    static final PureRemoteExtension pureRemote = PureRemoteExtension.inProcess().configure(b -> b.pipelineId("team-a"));

    @Test
    void usesThePipeline(RemoteRuntime runtime, BlobStore store) {
      assertThat(runtime.options().pipelineId()).isEqualTo("team-a");
      runtime.create(Squares.class, Squares.Impl.class).square(5);
      assertThat(store.list("")).anyMatch(k -> k.contains("/team-a/"));
    }
  }

  @ExtendWith(PureRemoteExtension.class)
  @ExtendWith(OnlyInTestKit.class)
  static class Default {
    @Test
    void runs(RemoteRuntime runtime) {
      assertThat(runtime.shell().name()).isEqualTo("in-process");
    }
  }

  @ExtendWith(PureRemoteExtension.class)
  @ExtendWith(OnlyInTestKit.class)
  static class ConstructorParameter {
    ConstructorParameter(RemoteRuntime runtime) {}

    @Test
    void neverRuns() {}
  }
}
