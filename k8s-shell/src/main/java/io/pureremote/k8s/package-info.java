/**
 * Kubernetes Job shell: runs each call as a {@code batch/v1} Job. Filled by the Kubernetes shell issue.
 */
package io.pureremote.k8s;
