/**
 * Assembly from configuration, the {@code pureremote} CLI and orchestrator pods. Filled by the orchestrator issue.
 */
package io.pureremote.orchestrator;
