package io.pureremote.testing.kubernetes;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Optional;

/**
 * Where the operators' CRDs are for this project's tests: the reference folder {@code
 * ../shared/crds/} next to the repository (unmodified copies of the operators' CRD files, never
 * copied into the project; see its README). A test looks the file up with {@link #find} and skips
 * with {@link #absence} where it is absent (a user's own clone); under CI ({@code CI=true}, as
 * {@code .ci/run} sets) the absence is an error instead, so a check never silently stops running.
 *
 * <pre>{@code
 * Path crd = SharedCrds.find(SharedCrds.PYTORCHJOB).orElse(null);   // throws under CI=true when absent
 * Assumptions.assumeTrue(crd != null, SharedCrds.absence(SharedCrds.PYTORCHJOB));
 * CrdSchema schema = CrdSchema.load(crd, "v1");
 * }</pre>
 *
 * <p>Free of any test framework: it returns or throws; the test decides how to skip.
 */
public final class SharedCrds {
  /** The MPI Operator's MPIJob CRD ({@code kubeflow.org/v2beta1}). */
  public static final String MPIJOB = "kubeflow.org_mpijobs.v2beta1.yaml";
  /** The training-operator's PyTorchJob CRD ({@code kubeflow.org/v1}). */
  public static final String PYTORCHJOB = "kubeflow.org_pytorchjobs.v1.yaml";
  /** Trainer v2's TrainJob CRD ({@code trainer.kubeflow.org/v1alpha1}). */
  public static final String TRAINJOB = "trainer.kubeflow.org_trainjobs.v1alpha1.yaml";
  /** Trainer v2's ClusterTrainingRuntime CRD ({@code trainer.kubeflow.org/v1alpha1}). */
  public static final String CLUSTER_TRAINING_RUNTIME = "trainer.kubeflow.org_clustertrainingruntimes.v1alpha1.yaml";
  /** JobSet's CRD ({@code jobset.x-k8s.io/v1alpha2}). */
  public static final String JOBSET = "jobset.x-k8s.io_jobsets.v1alpha2.yaml";

  private SharedCrds() {}

  /**
   * The folder {@code ../shared/crds} relative to the repository root, which is taken to be the
   * parent of the working directory (Surefire runs a module's tests in the module's directory);
   * empty when it is not there.
   */
  public static Optional<Path> directory() {
    Path dir = Path.of("").toAbsolutePath().getParent().resolve("../shared/crds").normalize();
    return Files.isDirectory(dir) ? Optional.of(dir) : Optional.empty();
  }

  /**
   * The readable CRD file {@code fileName} in {@link #directory()}, or empty: the caller skips
   * with {@link #absence(String)}.
   *
   * @throws IllegalStateException under CI ({@code CI=true}) when the file is absent: there the
   *     folder must be present, and a skip would hide that the check no longer runs
   */
  public static Optional<Path> find(String fileName) {
    Path file = Path.of("").toAbsolutePath().getParent().resolve("../shared/crds").resolve(fileName).normalize();
    if (Files.isReadable(file)) {
      return Optional.of(file);
    }
    if ("true".equalsIgnoreCase(System.getenv("CI"))) {
      throw new IllegalStateException(absence(fileName) + " Under CI (CI=true) the folder must be there: check out "
          + "the shared reference folder next to the repository.");
    }
    return Optional.empty();
  }

  /** Why a test that needs {@code fileName} is skipped: which file is absent, and where it should be. */
  public static String absence(String fileName) {
    Path file = Path.of("").toAbsolutePath().getParent().resolve("../shared/crds").resolve(fileName).normalize();
    return "The operator's CRD " + file + " is absent (the ../shared/crds/ reference folder next to the repository); "
        + "the tests that need it are skipped. See shared/crds/README.md.";
  }
}
