package io.pureremote.k8s;

import io.fabric8.kubernetes.client.VersionInfo;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * What the API server offers the Job shell, read once from its version ({@code GET /version}) and
 * cached by the shell: which batch/v1 behaviours it may rely on, and whether the server is new
 * enough at all. Immutable.
 *
 * <p>Stages (GA or beta-on-by-default) are those of the Kubernetes enhancement proposals: pod
 * replacement policy beta 1.29 (KEP-3939), strict field validation GA 1.27, terminal conditions only
 * after the pods ended with {@code SuccessCriteriaMet}/{@code FailureTarget} first 1.31 (KEP-4368),
 * per-index backoff GA 1.33 (KEP-3850), Job success policy GA 1.33 (KEP-3998). Found by {@link
 * ClusterProbe}; public so every cluster shell (Job, MPI, torch's Indexed Job) gates on the same versions.
 *
 * @param major the server's major version
 * @param minor the server's minor version (leading digits; managed clusters append to it)
 * @param gitVersion the version as the server names it, for messages
 */
public record ClusterFeatures(int major, int minor, String gitVersion) {
  /** The oldest minor version of Kubernetes 1.x the shell runs Jobs on (see docs/kubernetes.md). */
  public static final int OLDEST_MINOR = 29;
  /** The newest minor version the shell was checked against; newer ones run, with a note in the log. */
  public static final int NEWEST_CHECKED_MINOR = 35;

  // Managed clusters append to the minor version: "31+" (EKS, GKE), or "31-gke.1200".
  private static final Pattern LEADING_DIGITS = Pattern.compile("^(\\d+)");

  /** From the server's version answer; a part it cannot read counts as 0 (refused as too old). */
  public static ClusterFeatures of(VersionInfo info) {
    return new ClusterFeatures(leadingNumber(info.getMajor()), leadingNumber(info.getMinor()),
        info.getGitVersion() == null ? info.getMajor() + "." + info.getMinor() : info.getGitVersion());
  }

  private static int leadingNumber(String s) {
    Matcher m = LEADING_DIGITS.matcher(s == null ? "" : s.strip());
    return m.find() ? Integer.parseInt(m.group(1)) : 0;
  }

  private boolean atLeast(int wantedMinor) {
    return major > 1 || (major == 1 && minor >= wantedMinor);
  }

  /** Whether {@code SuccessCriteriaMet}/{@code FailureTarget} precede {@code Complete}/{@code Failed} (1.31+). */
  public boolean interimConditions() {
    return atLeast(31);
  }

  /** Whether {@code backoffLimitPerIndex}/{@code maxFailedIndexes} are served (1.33+). */
  public boolean perIndexBackoff() {
    return atLeast(33);
  }

  /** Whether an Indexed Job's {@code successPolicy} is served (GA 1.33; beta from 1.31). */
  public boolean successPolicy() {
    return atLeast(33);
  }

  /**
   * Why the shell refuses this server, or empty when it is supported: older than 1.{@value
   * #OLDEST_MINOR} lacks the pod replacement policy that keeps one call from running twice at once.
   */
  public Optional<String> refusal(String context) {
    if (atLeast(OLDEST_MINOR)) {
      return Optional.empty();
    }
    return Optional.of("The Kubernetes API server " + context + " runs " + gitVersion + ", older than 1." + OLDEST_MINOR
        + ", the oldest version the Kubernetes shell supports (1." + OLDEST_MINOR + " to 1." + NEWEST_CHECKED_MINOR
        + ", see docs/kubernetes.md): before 1." + OLDEST_MINOR + " a replacement pod may run beside a terminating one "
        + "(podReplacementPolicy). Upgrade the cluster or point the shell at a newer one (kubeContext).");
  }

  /** One line for the log: the version and the behaviours the shell uses on it. */
  public String describe() {
    List<String> used = new ArrayList<>(List.of("podReplacementPolicy=Failed", "fieldValidation=Strict"));
    used.add(interimConditions() ? "SuccessCriteriaMet/FailureTarget as the outcome" : "Complete/Failed as the outcome (no interim conditions before 1.31)");
    used.add(perIndexBackoff() ? "backoffLimitPerIndex available" : "no backoffLimitPerIndex (before 1.33)");
    String note = atLeast(NEWEST_CHECKED_MINOR + 1) ? " (newer than 1." + NEWEST_CHECKED_MINOR + ", the newest checked)" : "";
    return "Kubernetes " + gitVersion + note + ": " + String.join(", ", used);
  }
}
