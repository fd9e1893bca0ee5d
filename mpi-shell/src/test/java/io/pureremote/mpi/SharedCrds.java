package io.pureremote.mpi;

import static org.junit.jupiter.api.Assertions.fail;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import java.nio.file.Files;
import java.nio.file.Path;

/**
 * The operators' CRDs in {@code ../shared/crds/} relative to the repository root (reference data,
 * never copied into the project). Where the folder is absent a test skips with a message; under
 * CI ({@code CI=true}, as {@code .ci/run} sets) the absence is a failure.
 */
final class SharedCrds {
  static final String MPIJOB = "kubeflow.org_mpijobs.v2beta1.yaml";

  private SharedCrds() {}

  /** The CRD file {@code name}, or the test is skipped (failed under CI). */
  static Path require(String name) {
    // Surefire runs in the module directory, one below the repository root.
    Path root = Path.of("").toAbsolutePath().getParent();
    Path file = root.resolve("../shared/crds").resolve(name).normalize();
    if (!Files.isReadable(file)) {
      String message = "The MPI Operator's CRD " + file + " is absent (the ../shared/crds/ reference folder next to the "
          + "repository); the tests that need it are skipped. See shared/crds/README.md.";
      if ("true".equalsIgnoreCase(System.getenv("CI"))) {
        fail(message + " Under CI the folder must be there.");
      }
      assumeTrue(false, message);
    }
    return file;
  }
}
