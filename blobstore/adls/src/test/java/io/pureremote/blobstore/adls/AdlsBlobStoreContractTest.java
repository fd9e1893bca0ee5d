package io.pureremote.blobstore.adls;

import io.pureremote.spi.BlobStore;
import io.pureremote.testing.BlobStoreContract;
import org.junit.jupiter.api.extension.ExtendWith;

/**
 * The shared blob store contract on {@link AdlsBlobStore} against a real Azurite (Blob API), each
 * test in its own container; roots alternate between the two URI forms.
 */
@ExtendWith(AzuriteServer.class)
class AdlsBlobStoreContractTest extends BlobStoreContract {
  private static int stores;

  @Override
  protected BlobStore newStore() {
    String container = AzuriteServer.newContainer();
    String root = (stores++ % 2 == 0)
        ? "abfss://" + container + "@devstoreaccount1.dfs.core.windows.net/memo/root"
        : "adls://devstoreaccount1/" + container + "/memo";
    return new AdlsBlobStore(root, AzuriteServer.options().build());
  }

  @Override
  protected BlobStore newStoreOnMissingContainer() {
    return new AdlsBlobStore("adls://devstoreaccount1/" + AzuriteServer.uniqueContainerName() + "/memo",
        AzuriteServer.options().build());
  }
}
