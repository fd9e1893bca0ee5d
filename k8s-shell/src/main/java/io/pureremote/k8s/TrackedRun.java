package io.pureremote.k8s;

import io.fabric8.kubernetes.api.model.Pod;
import io.fabric8.kubernetes.api.model.batch.v1.Job;
import io.pureremote.ShellException;

/**
 * What a {@link NamespaceWatch} feeds: the state machine of one Job, a single call's ({@link
 * JobRun}) or a batch's ({@link BatchRun}). Events arrive on informer threads; implementations
 * are thread-safe.
 */
interface TrackedRun {
  /** A Job event from the informer (or a GET). */
  void onJob(Job job);

  /** A Pod event for a pod labelled {@code job-name=<the Job>}. */
  void onPod(Pod pod);

  /** The Job disappeared; {@code uid} is the deleted object's, or null when a GET found nothing. */
  void onVanished(String name, String uid, String how);

  /** Whether Job {@code name} is the one this run waits for and was created before {@code nanos}. */
  boolean createdBefore(String name, long nanos);

  /** One GET of Job {@code name} (after a relist did not show it). */
  void verify(String name);

  /** A failure to watch: the run ends with it. */
  void fail(ShellException e);
}
