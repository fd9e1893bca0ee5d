package io.pureremote;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

class DistributedTest {
  @Test
  void outsideAnMpiCallItIsASingleProcess() {
    Distributed d = Distributed.fromEnvironment(Map.of());
    assertThat(d.role()).isEqualTo(Distributed.Role.SINGLE);
    assertThat(d.isDistributed()).isFalse();
    assertThat(d.totalSlots()).isEqualTo(1);
    assertThat(d.hostfile()).isEmpty();
    assertThat(d).hasToString("single process");
    assertThatThrownBy(() -> d.mpirunCommand(List.of(), List.of("./a")))
        .isInstanceOf(IllegalStateException.class).hasMessageContaining("single process").hasMessageContaining("MPI shell");
  }

  @Test
  void theLauncherCountsWorkerSlotsAndItsOwn() {
    Distributed d = Distributed.fromEnvironment(Map.of(Distributed.ENV_ROLE, "launcher", Distributed.ENV_WORKERS, "3",
        Distributed.ENV_SLOTS_PER_WORKER, "4", Distributed.ENV_LAUNCHER_SLOTS, "4",
        Distributed.ENV_OMPI_HOSTFILE, "/tmp/h"));
    assertThat(d.role()).isEqualTo(Distributed.Role.LAUNCHER);
    assertThat(d.totalSlots()).isEqualTo(16);
    assertThat(d.hostfile()).contains(Path.of("/tmp/h"));
    assertThat(d.mpirunCommand(List.of("--oversubscribe"), List.of("./ring", "7")))
        .containsExactly("mpirun", "-np", "16", "--hostfile", "/tmp/h", "--oversubscribe", "./ring", "7");
  }

  @Test
  void theHostfileDefaultsToTheOperatorsMount() {
    Distributed d = Distributed.fromEnvironment(Map.of(Distributed.ENV_ROLE, "worker"));
    assertThat(d.hostfile()).contains(Path.of(Distributed.DEFAULT_HOSTFILE));
    assertThat(d.totalSlots()).isEqualTo(1);
  }

  @Test
  void badValuesNameTheVariable() {
    assertThatThrownBy(() -> Distributed.fromEnvironment(Map.of(Distributed.ENV_ROLE, "boss")))
        .hasMessageContaining(Distributed.ENV_ROLE).hasMessageContaining("launcher or worker");
    assertThatThrownBy(() -> Distributed.fromEnvironment(Map.of(Distributed.ENV_ROLE, "launcher", Distributed.ENV_WORKERS, "x")))
        .hasMessageContaining(Distributed.ENV_WORKERS).hasMessageContaining("whole number");
    assertThatThrownBy(() -> Distributed.fromEnvironment(Map.of(Distributed.ENV_ROLE, "launcher", Distributed.ENV_SLOTS_PER_WORKER, "0")))
        .hasMessageContaining("must be >= 1, got 0");
  }

  @Test
  void aMissingHostfileSaysWhereItComesFrom() {
    Distributed d = Distributed.fromEnvironment(Map.of(Distributed.ENV_ROLE, "launcher", Distributed.ENV_OMPI_HOSTFILE, "/nonexistent/h"));
    assertThatThrownBy(() -> d.mpirun(List.of(), List.of("true")))
        .isInstanceOf(IllegalStateException.class).hasMessageContaining("/nonexistent/h").hasMessageContaining("<name>-config");
  }
}
