package io.pureremote.spi;

import io.pureremote.FunctionId;
import java.time.Duration;
import java.util.List;
import java.util.Objects;
import java.util.function.Function;

/**
 * Misses of one function that the pipeline collected over a short window and hands to a shell
 * together ({@link Shell#launchGroup}), so a shell that can run many calls as one unit (a
 * Kubernetes Indexed Job) does so. Every request in it is a call this process holds the lease
 * of, with its invocation already written: hits and calls leased by another process never get
 * here.
 *
 * <p>A shell that runs several requests as one unit asks for a <em>batch manifest</em> ({@link
 * #writeManifest}): a small blob in the store listing the members' memo URIs by index, which the
 * remote side reads with {@code RemoteMain batch <manifest uri>}, picking its member by the
 * {@code JOB_COMPLETION_INDEX} environment variable. The pipeline owns the manifest's format and
 * where it lives; shells only pass its URI on.
 */
public final class LaunchGroup {
  private final FunctionId function;
  private final List<LaunchRequest> requests;
  private final Function<List<LaunchRequest>, String> manifestWriter;

  /**
   * A group (the pipeline makes these; tests of a shell may too).
   *
   * @param requests the members, all of one function, at least one
   * @param manifestWriter writes a manifest of the given members (in that order) to the store and
   *     returns its URI
   */
  public LaunchGroup(List<LaunchRequest> requests, Function<List<LaunchRequest>, String> manifestWriter) {
    this.requests = List.copyOf(requests);
    if (this.requests.isEmpty()) {
      throw new IllegalArgumentException("A launch group needs at least one request");
    }
    this.function = this.requests.getFirst().function();
    for (LaunchRequest r : this.requests) {
      if (!r.function().equals(function)) {
        throw new IllegalArgumentException("A launch group holds calls of one function; got " + function + " and "
            + r.function());
      }
    }
    this.manifestWriter = Objects.requireNonNull(manifestWriter, "manifestWriter");
  }

  /** The function every member calls. */
  public FunctionId function() {
    return function;
  }

  /** The members, in the order they were collected. */
  public List<LaunchRequest> requests() {
    return requests;
  }

  /**
   * Writes a batch manifest listing {@code members} (a sub-list of {@link #requests()}) by index,
   * 0 to {@code members.size() - 1}, and returns its URI. Blocks for one store write.
   *
   * @throws IllegalArgumentException when a member is not in this group
   */
  public String writeManifest(List<LaunchRequest> members) {
    if (members.isEmpty() || !requests.containsAll(members)) {
      throw new IllegalArgumentException("A batch manifest lists members of its group, at least one");
    }
    return manifestWriter.apply(List.copyOf(members));
  }

  /** Arguments for {@code io.pureremote.RemoteMain} running one member of a manifest: {@code batch <manifestUri>}. */
  public static List<String> remoteMainArgs(String manifestUri) {
    return List.of("batch", Objects.requireNonNull(manifestUri, "manifestUri"));
  }

  /** The environment variable a batch member's process reads its index from (an Indexed Job sets it). */
  public static final String INDEX_VARIABLE = "JOB_COMPLETION_INDEX";

  /**
   * How a shell wants misses of one function collected: a group is handed over once no miss has
   * joined it for {@code window}, when {@code maxCalls} are waiting, or 8 windows after its first
   * miss, whichever comes first.
   *
   * @param window how long a group waits for one more miss; zero: no grouping
   * @param maxCalls the most calls in one group (the shell's batch size)
   */
  public record Policy(Duration window, int maxCalls) {
    /** No grouping: every miss is launched on its own with {@link Shell#launch}. */
    public static final Policy NONE = new Policy(Duration.ZERO, 1);

    /** Validates. */
    public Policy {
      Objects.requireNonNull(window, "window");
      if (window.isNegative() || maxCalls < 1) {
        throw new IllegalArgumentException("A launch group policy needs a window >= 0 and maxCalls >= 1, got "
            + window + " and " + maxCalls);
      }
    }

    /** Whether misses are grouped at all. */
    public boolean groups() {
      return !window.isZero() && maxCalls > 1;
    }
  }
}
