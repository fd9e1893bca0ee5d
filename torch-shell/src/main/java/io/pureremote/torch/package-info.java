/**
 * The torch shell ({@code torch}): one call on several pods at once, the way distributed PyTorch
 * runs, with node rank 0 committing the result. This version runs an Indexed Job with a headless
 * Service (no operator); see docs/torch.md.
 */
package io.pureremote.torch;
