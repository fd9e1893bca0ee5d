/**
 * Orchestrator pods: a caller's driver run in the cluster as a Job of its own ({@link
 * io.pureremote.orchestrator.OrchestratorSpec} describes it, {@link
 * io.pureremote.orchestrator.Orchestrators} creates, follows, lists and stops them). The driver
 * itself usually assembles its runtime with {@code io.pureremote.assembly.ConfiguredRuntime}; the
 * {@code pureremote orchestrate|attach|list|stop} commands of the CLI module use this package.
 */
package io.pureremote.orchestrator;
