package io.pureremote.internal;

import static org.assertj.core.api.Assertions.assertThat;

import com.example.fns.Calc;
import com.example.fns.CalcImpl;
import io.pureremote.RemoteRuntime;
import java.nio.file.Path;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class RoutingShellTest {
  @TempDir Path dir;

  @Test
  void callsGoToTheirFunctionsShellAndOthersToTheFallback() {
    FileBlobStore store = new FileBlobStore(dir);
    CalcImpl.EXECUTIONS.set(0);
    InProcessShell inProcess = new InProcessShell(store);
    try (RoutingShell routing = new RoutingShell(new LocalProcessShell(), Map.of("com.example.Calc.square", inProcess));
        RemoteRuntime runtime = RemoteRuntime.builder().blobStore(store).shell(routing).build()) {
      Calc calc = runtime.create(Calc.class, CalcImpl.class);
      assertThat(calc.square(3)).isEqualTo(9);
      assertThat(CalcImpl.EXECUTIONS).as("square ran in this JVM").hasValue(1);
      assertThat(calc.nullResult(1)).isNull();
      assertThat(CalcImpl.EXECUTIONS).as("nullResult ran in a child JVM").hasValue(1);
      assertThat(routing.shellFor("com.example.Calc.square")).isSameAs(inProcess);
      assertThat(routing.shellFor("other")).isInstanceOf(LocalProcessShell.class);
    }
  }
}
