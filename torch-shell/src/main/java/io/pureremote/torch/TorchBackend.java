package io.pureremote.torch;

import java.util.Arrays;
import java.util.Locale;
import java.util.Optional;

/**
 * What runs a torch call's nodes. By default the shell discovers it once, at the first launch:
 * {@link #TRAIN_JOB} when the cluster serves TrainJob and the configured runtime exists, else
 * {@link #PYTORCH_JOB} when it serves PyTorchJob, else {@link #INDEXED_JOB}, which every cluster
 * has. {@link TorchShellOptions.Builder#backend} forces one (TOML: {@code backend = "pytorchjob"}).
 * The chosen backend is logged and written into every node's run record.
 */
public enum TorchBackend {
  /** Kubeflow Trainer v2: a {@code trainer.kubeflow.org/v1alpha1} TrainJob on a ClusterTrainingRuntime. */
  TRAIN_JOB("trainjob"),
  /** The Kubeflow training operator: a {@code kubeflow.org/v1} PyTorchJob (Master + Worker). */
  PYTORCH_JOB("pytorchjob"),
  /** No operator: an Indexed {@code batch/v1} Job and a headless Service. */
  INDEXED_JOB("indexed-job");

  private final String id;

  TorchBackend(String id) {
    this.id = id;
  }

  /** The name in TOML, logs, run records and {@code PUREREMOTE_TORCH_BACKEND}: {@code trainjob}, {@code pytorchjob}, {@code indexed-job}. */
  public String id() {
    return id;
  }

  /**
   * The backend named {@code text} ({@link #id()}, any case), or empty for {@code auto} (discovery).
   *
   * @throws IllegalArgumentException for anything else, naming the choices
   */
  public static Optional<TorchBackend> parse(String text) {
    String t = text.trim().toLowerCase(Locale.ROOT);
    if (t.equals("auto")) {
      return Optional.empty();
    }
    return Optional.of(Arrays.stream(values()).filter(b -> b.id.equals(t)).findFirst().orElseThrow(() ->
        new IllegalArgumentException("backend must be auto, trainjob, pytorchjob or indexed-job, got \"" + text + "\"")));
  }

  @Override
  public String toString() {
    return id;
  }
}
