package io.pureremote.internal;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.example.fns.Calc;
import com.example.fns.CalcImpl;
import io.pureremote.RemoteRuntime;
import io.pureremote.ShellException;
import io.pureremote.Distributed.TorchDistributed;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Only node rank 0 of a torch-shell run commits: the other nodes run the function and leave
 * result and error alone, each leaving its own run record (with the backend and its rank). Real
 * child JVMs given the environment an Indexed Job pod of the torch shell gets.
 */
class TorchNodesTest {
  @TempDir Path dir;

  private RemoteRuntime runtime(FileBlobStore store, int index) {
    return RemoteRuntime.builder().blobRoot(store.root()).pipelineId("torch")
        .remoteEnvironment(TorchDistributed.ENV_BACKEND, "indexed-job")
        .remoteEnvironment("JOB_COMPLETION_INDEX", Integer.toString(index))
        .remoteEnvironment("MASTER_ADDR", "localhost")
        .remoteEnvironment("PET_NNODES", "2")
        .build();
  }

  private List<String> runRecords(FileBlobStore store) {
    return store.list("pureremote/v1/torch/").stream().filter(k -> k.contains("/runs/") && k.endsWith(".json"))
        .map(k -> new String(store.getBytes(k).orElseThrow(), StandardCharsets.UTF_8)).toList();
  }

  @Test
  void aNodeOtherThanRankZeroRunsTheFunctionButCommitsNothing() {
    FileBlobStore store = new FileBlobStore(dir);
    try (RemoteRuntime node1 = runtime(store, 1)) {
      Calc calc = node1.create(Calc.class, CalcImpl.class);
      assertThatThrownBy(() -> calc.square(7)).isInstanceOf(ShellException.class)
          .hasMessageContaining("without committing a result or an error");
    }
    assertThat(store.list("pureremote/v1/torch/")).noneMatch(k -> k.endsWith("/result") || k.endsWith("/error"));
    assertThat(runRecords(store)).singleElement().asString().contains("\"status\":\"node-succeeded\"")
        .contains("\"backend\":\"indexed-job\"").contains("\"nodeRank\":1");
    assertThat(store.list("pureremote/v1/torch/")).anyMatch(k -> k.endsWith("-node1.log"));

    try (RemoteRuntime node0 = runtime(store, 0)) {
      assertThat(node0.create(Calc.class, CalcImpl.class).square(7)).isEqualTo(49);
    }
    assertThat(runRecords(store)).anyMatch(r -> r.contains("\"status\":\"succeeded\"") && r.contains("\"nodeRank\":0"));
  }

  @Test
  void aFailingFollowerStoresNoErrorAndExitsAsTheFunctionFailed() {
    FileBlobStore store = new FileBlobStore(dir);
    try (RemoteRuntime node1 = runtime(store, 1)) {
      Calc calc = node1.create(Calc.class, CalcImpl.class);
      assertThatThrownBy(() -> calc.fail("rank one broke")).isInstanceOf(ShellException.class)
          .satisfies(e -> assertThat(((ShellException) e).exitCode()).hasValue(42));
    }
    assertThat(store.list("pureremote/v1/torch/")).noneMatch(k -> k.endsWith("/error"));
    assertThat(runRecords(store)).singleElement().asString().contains("node-failed").contains("rank one broke");
  }
}
