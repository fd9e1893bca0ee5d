package io.pureremote.torch.testfns;

import io.pureremote.PureRemote;

/** Functions every node of a torch-shell call runs. */
@PureRemote(version = "1")
public interface AllReduce {
  /**
   * Every node contributes {@code salt × (nodeRank + 1)²} over a real TCP rendezvous at the
   * master; node 0 sums them and returns the sum (checking it heard every other rank once).
   */
  long sumOfSquares(long salt);

  /** {@code TorchDistributed.current().toString()} of the node that commits. */
  String context();

  /** Node {@code failingRank} throws {@code message}; the others wait at the rendezvous for it. */
  long failOn(int failingRank, String message);
}
