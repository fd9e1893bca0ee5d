package io.pureremote.blobstore.adls;

import io.pureremote.spi.BlobStore;
import io.pureremote.testing.MemoHealingContract;
import org.junit.jupiter.api.extension.ExtendWith;

/** A memo that heals itself on {@link AdlsBlobStore} against a real Azurite, each test in its own container. */
@ExtendWith(AzuriteServer.class)
class AdlsMemoHealingTest extends MemoHealingContract {
  @Override
  protected BlobStore newStore() {
    return new AdlsBlobStore("adls://devstoreaccount1/" + AzuriteServer.newContainer() + "/memo",
        AzuriteServer.options().build());
  }
}
