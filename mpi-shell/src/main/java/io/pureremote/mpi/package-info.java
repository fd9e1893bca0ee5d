/**
 * The MPI shell: runs each Pure Remote call as a Kubeflow MPI Operator {@code kubeflow.org/v2beta1}
 * MPIJob. The launcher runs {@code io.pureremote.RemoteMain run <memo uri>}; the function reads its
 * place in the run from {@link io.pureremote.Distributed} and starts the ranks with {@code mpirun}.
 *
 * <p>Public API: {@link io.pureremote.mpi.MpiShell}, {@link io.pureremote.mpi.MpiShellOptions} and
 * the {@code mpi} {@link io.pureremote.mpi.MpiShellProvider}. See {@code docs/mpi.md}.
 */
package io.pureremote.mpi;
