package io.pureremote.blobstore.adls;

import static java.nio.charset.StandardCharsets.UTF_8;
import static org.assertj.core.api.Assertions.assertThat;

import io.pureremote.spi.BlobStore.BlobContent;
import java.net.URI;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;

/**
 * A create whose answer was lost (the connection dropped after Azurite created the blob) is sent
 * again by the SDK and meets its own blob as 409 {@code BlobAlreadyExists}. Found by {@code
 * AdlsFaultsAtScaleTest}: the store said "not created", so a caller took its own new lease for
 * another's and waited out its expiry, and a run recorded {@code lost-race} for its own commit.
 * The store now reads the blob back when the SDK retried the create: its own bytes mean created.
 */
@ExtendWith(AzuriteServer.class)
class AdlsLostAnswerTest {
  @Test
  void aRetriedCreateThatMeetsItsOwnBlobCountsAsCreated() throws Exception {
    String container = AzuriteServer.newContainer();
    try (LostAnswerProxy proxy = new LostAnswerProxy(URI.create(AzuriteServer.endpoint()).getPort(),
            line -> line.startsWith("PUT ") && line.contains("/memo%2Fa%2Flease"));
        AdlsBlobStore store = new AdlsBlobStore("adls://devstoreaccount1/" + container + "/memo",
            AzuriteServer.options().endpoint("http://127.0.0.1:" + proxy.port() + "/" + AdlsBlobStoreOptions.DEV_ACCOUNT)
                .build())) {
      BlobContent mine = BlobContent.of("{\"holder\":\"h-1\"}".getBytes(UTF_8));
      assertThat(store.putIfAbsent("a/lease", mine)).as("created, though the first answer was lost").isPresent();
      assertThat(proxy.lost).as("an answer was lost: %s", proxy.requestLines).isTrue();
      assertThat(new String(store.getBytes("a/lease").orElseThrow(), UTF_8)).isEqualTo("{\"holder\":\"h-1\"}");
      // A create sent again by the caller, not the SDK, is a second create: write-once says no.
      assertThat(store.putIfAbsent("a/lease", mine)).isEmpty();
    }
  }

  @Test
  void aRetriedCreateThatMeetsAnotherWritersBlobIsNotCreated() throws Exception {
    String container = AzuriteServer.newContainer();
    try (AdlsBlobStore clean = new AdlsBlobStore("adls://devstoreaccount1/" + container + "/memo",
            AzuriteServer.options().build());
        LostAnswerProxy proxy = new LostAnswerProxy(URI.create(AzuriteServer.endpoint()).getPort(),
            line -> line.startsWith("PUT ") && line.contains("/memo%2Fb%2Flease"));
        AdlsBlobStore store = new AdlsBlobStore("adls://devstoreaccount1/" + container + "/memo",
            AzuriteServer.options().endpoint("http://127.0.0.1:" + proxy.port() + "/" + AdlsBlobStoreOptions.DEV_ACCOUNT)
                .build())) {
      clean.putIfAbsent("b/lease", BlobContent.of("{\"holder\":\"other\"}".getBytes(UTF_8)));
      // The first create's answer (409) is lost; the retry meets the other writer's blob again.
      assertThat(store.putIfAbsent("b/lease", BlobContent.of("{\"holder\":\"h-2\"}".getBytes(UTF_8)))).isEmpty();
      assertThat(proxy.lost).isTrue();
      assertThat(new String(clean.getBytes("b/lease").orElseThrow(), UTF_8)).isEqualTo("{\"holder\":\"other\"}");
    }
  }
}
