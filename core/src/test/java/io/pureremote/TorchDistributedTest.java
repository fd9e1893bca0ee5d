package io.pureremote;

import io.pureremote.Distributed.TorchDistributed;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.util.HashMap;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

/** The three launchers' environments, read into one shape (variable sets as each operator injects them). */
class TorchDistributedTest {
  @Test
  void outsideADistributedCallItIsASingleProcess() {
    TorchDistributed t = TorchDistributed.fromEnvironment(Map.of());
    assertThat(t.convention()).isEqualTo(TorchDistributed.Convention.SINGLE);
    assertThat(t.isDistributed()).isFalse();
    assertThat(t.isCommitter()).isTrue();
    assertThat(t.nodes()).isEqualTo(1);
    assertThat(t.worldSize()).isEqualTo(1);
    assertThat(t.masterAddress()).isEmpty();
    assertThat(t).hasToString("single process");
    assertThatThrownBy(() -> t.torchrunCommand(List.of(), List.of("train.py")))
        .isInstanceOf(IllegalStateException.class).hasMessageContaining("torch shell");
  }

  /** kubeflow/trainer v1.9 envvar.go: RANK is the pod's rank, WORLD_SIZE = replicas × nprocPerNode. */
  @Test
  void aPyTorchJobWorkerReadsRankWorldSizeAndTheMaster() {
    TorchDistributed t = TorchDistributed.fromEnvironment(Map.of("MASTER_ADDR", "train-master-0", "MASTER_PORT", "23456",
        "RANK", "2", "WORLD_SIZE", "6", "PET_NNODES", "3", "PET_NODE_RANK", "2", "PET_NPROC_PER_NODE", "2",
        "PYTHONUNBUFFERED", "1"));
    assertThat(t.convention()).isEqualTo(TorchDistributed.Convention.PYTORCHJOB);
    assertThat(t.nodeRank()).isEqualTo(2);
    assertThat(t.nodes()).isEqualTo(3);
    assertThat(t.processesPerNode()).isEqualTo("2");
    assertThat(t.worldSize()).isEqualTo(6);
    assertThat(t.rank()).isEqualTo(4);
    assertThat(t.masterAddress()).contains("train-master-0");
    assertThat(t.masterPort()).isEqualTo(23456);
    assertThat(t.isCommitter()).isFalse();
    assertThat(t.backend()).isEmpty();
  }

  /** Without PET_NNODES (an older operator) the nodes come from WORLD_SIZE / processes per node. */
  @Test
  void nodesFollowFromTheWorldSizeWhenPetNnodesIsMissing() {
    TorchDistributed t = TorchDistributed.fromEnvironment(Map.of("MASTER_ADDR", "m", "RANK", "0", "WORLD_SIZE", "4"));
    assertThat(t.nodes()).isEqualTo(4);
    assertThat(t.masterPort()).isEqualTo(TorchDistributed.DEFAULT_MASTER_PORT);
    assertThat(t.isCommitter()).isTrue();
  }

  /** Trainer v2's torch runtime injects only PET_* (pkg/constants), no RANK or WORLD_SIZE. */
  @Test
  void aTrainJobNodeReadsThePetVariables() {
    TorchDistributed t = TorchDistributed.fromEnvironment(Map.of("PET_NNODES", "4", "PET_NODE_RANK", "3",
        "PET_NPROC_PER_NODE", "1", "PET_MASTER_ADDR", "tj-node-0-0.tj", "PET_MASTER_PORT", "29400"));
    assertThat(t.convention()).isEqualTo(TorchDistributed.Convention.TRAINJOB);
    assertThat(t.nodeRank()).isEqualTo(3);
    assertThat(t.worldSize()).isEqualTo(4);
    assertThat(t.rank()).isEqualTo(3);
    assertThat(t.masterAddress()).contains("tj-node-0-0.tj");
    assertThat(t.masterPort()).isEqualTo(29400);
  }

  @Test
  void anIndexedJobPodTakesItsRankFromTheCompletionIndex() {
    TorchDistributed t = TorchDistributed.fromEnvironment(Map.of("JOB_COMPLETION_INDEX", "1", "MASTER_ADDR", "fn-0.fn",
        "MASTER_PORT", "29500", "PET_NNODES", "2", TorchDistributed.ENV_BACKEND, "indexed-job"));
    assertThat(t.convention()).isEqualTo(TorchDistributed.Convention.INDEXED_JOB);
    assertThat(t.nodeRank()).isEqualTo(1);
    assertThat(t.backend()).contains("indexed-job");
    assertThat(t).hasToString("node 1 of 2 × 1 process(es), master fn-0.fn:29500 (indexed_job, backend indexed-job)");
  }

  @Test
  void torchrunGetsTheStaticRendezvousAndProgramsGetTheEnvironment() {
    TorchDistributed t = TorchDistributed.fromEnvironment(Map.of("PET_NNODES", "2", "PET_NODE_RANK", "1",
        "PET_NPROC_PER_NODE", "gpu", "PET_MASTER_ADDR", "m0", "PET_MASTER_PORT", "29400"));
    assertThat(t.torchrunCommand(List.of("--max-restarts=0"), List.of("/app/train.py", "--epochs", "3"))).containsExactly(
        "torchrun", "--nnodes=2", "--node-rank=1", "--nproc-per-node=gpu", "--master-addr=m0", "--master-port=29400",
        "--max-restarts=0", "/app/train.py", "--epochs", "3");
    assertThat(t.environment()).containsEntry("MASTER_ADDR", "m0").containsEntry("PET_NODE_RANK", "1")
        .containsEntry("NODE_RANK", "1").doesNotContainKey("WORLD_SIZE");
    assertThatThrownBy(t::worldSize).isInstanceOf(IllegalStateException.class).hasMessageContaining("gpu");
    assertThatThrownBy(t::rank).isInstanceOf(IllegalStateException.class).hasMessageContaining("torchrun");
  }

  @Test
  void runStartsAProgramWithTheValuesFilledIn() {
    TorchDistributed t = TorchDistributed.fromEnvironment(Map.of("JOB_COMPLETION_INDEX", "1", "MASTER_ADDR", "fn-0.fn",
        "MASTER_PORT", "29501", "PET_NNODES", "3", TorchDistributed.ENV_BACKEND, "indexed-job"));
    assertThat(t.run(List.of("sh", "-c", "echo $MASTER_ADDR:$MASTER_PORT rank=$RANK of $WORLD_SIZE node=$PET_NODE_RANK")))
        .containsExactly("fn-0.fn:29501 rank=1 of 3 node=1");
    assertThatThrownBy(() -> t.run(List.of("sh", "-c", "echo boom; exit 3")))
        .isInstanceOf(IllegalStateException.class).hasMessageContaining("exited with 3").hasMessageContaining("boom");
    Map<String, String> env = new HashMap<>(Map.of("PET_NNODES", "1", "PET_NODE_RANK", "0", "PET_MASTER_ADDR", "m"));
    env.put(TorchDistributed.ENV_TORCHRUN, "/nonexistent/torchrun");
    assertThatThrownBy(() -> TorchDistributed.fromEnvironment(env).torchrun(List.of(), List.of("t.py")))
        .hasMessageContaining("/nonexistent/torchrun").hasMessageContaining("pip install torch");
  }

  @Test
  void badValuesNameTheVariable() {
    assertThatThrownBy(() -> TorchDistributed.fromEnvironment(Map.of("MASTER_ADDR", "m", "RANK", "x", "PET_NNODES", "2")))
        .hasMessageContaining("RANK").hasMessageContaining("whole number");
    assertThatThrownBy(() -> TorchDistributed.fromEnvironment(Map.of("MASTER_ADDR", "m", "RANK", "2", "PET_NNODES", "2")))
        .hasMessageContaining("RANK=2 is not below the 2 node(s)");
    assertThatThrownBy(() -> TorchDistributed.fromEnvironment(Map.of("MASTER_ADDR", "m", "RANK", "0")))
        .hasMessageContaining("PET_NNODES is not set");
    assertThatThrownBy(() -> TorchDistributed.fromEnvironment(Map.of("PET_MASTER_ADDR", "m", "PET_NODE_RANK", "0",
        "PET_NNODES", "1", "PET_NPROC_PER_NODE", "many"))).hasMessageContaining("auto, cpu or gpu");
    assertThatThrownBy(() -> TorchDistributed.fromEnvironment(Map.of("MASTER_ADDR", "m", "RANK", "0", "PET_NNODES", "1",
        "MASTER_PORT", "70000"))).hasMessageContaining("not a TCP port");
    assertThatThrownBy(() -> TorchDistributed.fromEnvironment(Map.of(TorchDistributed.ENV_BACKEND, "indexed-job")))
        .hasMessageContaining("neither PET_MASTER_ADDR nor MASTER_ADDR");
  }
}
