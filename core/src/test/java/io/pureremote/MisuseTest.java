package io.pureremote;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.pureremote.internal.FileBlobStore;
import io.pureremote.internal.InProcessShell;
import java.io.InputStream;
import java.nio.file.Path;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.function.Supplier;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** Misuse fails at create(), with a message that names the method and says what to do. */
class MisuseTest {
  @TempDir Path dir;
  RemoteRuntime runtime;

  @BeforeEach
  void setUp() {
    runtime = RemoteRuntime.builder().blobStore(new FileBlobStore(dir)).shell(new InProcessShell()).build();
  }

  @AfterEach
  void tearDown() {
    runtime.close();
  }

  @PureRemote
  public interface Good {
    int f(int x);
  }

  public static final class GoodImpl implements Good {
    @Override
    public int f(int x) {
      return x;
    }
  }

  public abstract static class NotAnInterface {}

  @PureRemote
  public interface VoidReturn {
    void run(int x);
  }

  public static final class VoidReturnImpl implements VoidReturn {
    @Override
    public void run(int x) {}
  }

  @PureRemote
  public interface BadParams {
    int read(InputStream in);

    int lazy(Supplier<String> s);

    int paths(List<Path> paths);
  }

  public static final class BadParamsImpl implements BadParams {
    @Override
    public int read(InputStream in) {
      return 0;
    }

    @Override
    public int lazy(Supplier<String> s) {
      return 0;
    }

    @Override
    public int paths(List<Path> paths) {
      return 0;
    }
  }

  public interface NotAnnotated {
    int f(int x);
  }

  public static final class NotAnnotatedImpl implements NotAnnotated {
    @Override
    public int f(int x) {
      return x;
    }
  }

  @PureRemote
  public interface Overloaded {
    int f(int x);

    int f(long x);
  }

  public static final class OverloadedImpl implements Overloaded {
    @Override
    public int f(int x) {
      return x;
    }

    @Override
    public int f(long x) {
      return (int) x;
    }
  }

  @PureRemote
  public interface AsyncVoid {
    CompletableFuture<Void> f(int x);
  }

  public static final class AsyncVoidImpl implements AsyncVoid {
    @Override
    public CompletableFuture<Void> f(int x) {
      return CompletableFuture.completedFuture(null);
    }
  }

  public static final class NoDefaultConstructor implements Good {
    private final int offset;

    public NoDefaultConstructor(int offset) {
      this.offset = offset;
    }

    @Override
    public int f(int x) {
      return x + offset;
    }
  }

  @PureRemote(name = "everything")
  public interface NamedInterface {
    int f(int x);
  }

  public interface ReturnsInt {
    @PureRemote(name = "shared.fn", version = "1")
    int f(int x);
  }

  public static final class ReturnsIntImpl implements ReturnsInt {
    @Override
    public int f(int x) {
      return x;
    }
  }

  /** The same identity after its return type changed without a version bump. */
  public interface ReturnsString {
    @PureRemote(name = "shared.fn", version = "1")
    String f(int x);
  }

  public static final class ReturnsStringImpl implements ReturnsString {
    @Override
    public String f(int x) {
      return "x" + x;
    }
  }

  @Test
  void aStoredResultOfAnotherTypeIsSetAsideNamingTheEntryAndTheFix() {
    assertThat(runtime.create(ReturnsInt.class, ReturnsIntImpl.class).f(7)).isEqualTo(7);
    ReturnsString changed = runtime.create(ReturnsString.class, ReturnsStringImpl.class);

    // Before: a bare ClassCastException from the proxy, with no URI and no advice. Now the stored
    // result is a miss: set aside with a note that names the entry and the fix, and recomputed.
    assertThat(changed.f(7)).isEqualTo("x7");
    assertThat(AsideNotes.under(dir))
        .contains("\"kind\":\"wrong-type\"")
        .contains("/result is a java.lang.Integer, but shared.fn@1 returns java.lang.String")
        .contains(dir.toUri().toString().replaceAll("/$", ""))
        .contains("bump @PureRemote(version")
        .contains("pureremote invalidate --function 'shared.fn'");
  }

  @Test
  void allowPackagesTakesOnlyPackageNames() {
    for (String bad : new String[] {"com.acme.*", "com.acme.", "com acme", "", "com..acme", "1com"}) {
      assertThatThrownBy(() -> RemoteRuntime.builder().allowPackages("com.ok", bad))
          .as(bad)
          .isInstanceOf(IllegalArgumentException.class)
          .hasMessageContaining("allowPackages: '" + bad + "' is not a Java package name");
    }
    RemoteRuntime.builder().allowPackages("com.acme.model", "org.example_2", "$gen");
  }

  @Test
  void aCallAfterCloseSaysTheRuntimeIsClosed() {
    Good good = runtime.create(Good.class, GoodImpl.class);
    assertThat(good.f(1)).isEqualTo(1);
    runtime.close();

    // Before: RejectedExecutionException with message null.
    assertThatThrownBy(() -> good.f(2))
        .isInstanceOf(IllegalStateException.class)
        .hasMessageContaining("Good#f")
        .hasMessageContaining("this RemoteRuntime is closed")
        .hasMessageContaining("RemoteRuntime.builder()");
    assertThatThrownBy(() -> runtime.map(List.of(1, 2), good::f))
        .isInstanceOf(IllegalStateException.class)
        .hasMessageContaining("Cannot run map: this RemoteRuntime is closed");
  }

  @Test
  void notAnInterface() {
    assertThatThrownBy(() -> runtime.create(NotAnInterface.class, null))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessageContaining(NotAnInterface.class.getName() + " is not an interface");
  }

  @Test
  void voidReturnNamesTheMethod() {
    assertThatThrownBy(() -> runtime.create(VoidReturn.class, VoidReturnImpl.class))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessageContaining("returns void")
        .hasMessageContaining("for method VoidReturn.run");
  }

  @Test
  void everyUnencodableParameterIsReportedWithItsMethod() {
    assertThatThrownBy(() -> runtime.create(BadParams.class, BadParamsImpl.class))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessageContaining("java.io.InputStream")
        .hasMessageContaining("for method BadParams.read")
        .hasMessageContaining("java.util.function.Supplier")
        .hasMessageContaining("for method BadParams.lazy")
        .hasMessageContaining("java.nio.file.Path")
        .hasMessageContaining("for method BadParams.paths");
  }

  @Test
  void missingAnnotation() {
    assertThatThrownBy(() -> runtime.create(NotAnnotated.class, NotAnnotatedImpl.class))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessageContaining("has no @PureRemote")
        .hasMessageContaining("for method NotAnnotated.f");
  }

  @Test
  void overloadsNeedDistinctNames() {
    assertThatThrownBy(() -> runtime.create(Overloaded.class, OverloadedImpl.class))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessageContaining("give overloads distinct @PureRemote(name = ...)");
  }

  @Test
  void futureOfVoid() {
    assertThatThrownBy(() -> runtime.create(AsyncVoid.class, AsyncVoidImpl.class))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessageContaining("CompletableFuture<Void>")
        .hasMessageContaining("for method AsyncVoid.f");
  }

  @Test
  void implementationNeedsANoArgConstructor() {
    assertThatThrownBy(() -> runtime.create(Good.class, NoDefaultConstructor.class))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessageContaining("needs a no-arg constructor");
  }

  @Test
  void anonymousImplementationIsRefused() {
    Good anonymous = new Good() {
      @Override
      public int f(int x) {
        return x;
      }
    };
    @SuppressWarnings("unchecked")
    Class<? extends Good> type = (Class<? extends Good>) anonymous.getClass();
    assertThatThrownBy(() -> runtime.create(Good.class, type))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessageContaining("must be a top-level or static nested class");
  }

  @Test
  void interfaceLevelNameIsRefused() {
    assertThatThrownBy(() -> runtime.create(NamedInterface.class, null))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessageContaining("sets name=\"everything\"")
        .hasMessageContaining("no implementation class given");
  }
}
