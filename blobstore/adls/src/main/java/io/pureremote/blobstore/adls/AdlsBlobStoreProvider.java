package io.pureremote.blobstore.adls;

import io.pureremote.spi.BlobStore;
import java.net.URI;
import java.util.Map;
import java.util.Set;
import java.util.TreeSet;

/**
 * Opens {@link AdlsBlobStore}s for {@code abfss://<container>@<account>.dfs.core.windows.net/<path>}
 * and {@code adls://<account>/<container>/<path>}.
 *
 * <p>Settings (never secrets; credentials come from the environment through {@code
 * DefaultAzureCredential}: workload identity, managed identity, Azure CLI):
 *
 * <ul>
 *   <li>{@code endpoint}: Blob API endpoint override, e.g. {@code http://127.0.0.1:10000/devstoreaccount1}
 *   <li>{@code account}: the storage account the root must name; a guard against a root pointing
 *       at another account than the configuration expects
 *   <li>{@code credential}: {@code default} (the default) or {@code dev-account-key}, Azurite's
 *       published key, accepted only with an {@code http} endpoint on the loopback interface
 * </ul>
 */
public final class AdlsBlobStoreProvider implements BlobStore.Provider {
  /** Setting: Blob API endpoint override. */
  public static final String ENDPOINT = "endpoint";
  /** Setting: expected storage account. */
  public static final String ACCOUNT = "account";
  /** Setting: credential kind, {@code default} or {@code dev-account-key}. */
  public static final String CREDENTIAL = "credential";
  /** {@link #CREDENTIAL} value for Azurite's well-known account key. */
  public static final String DEV_ACCOUNT_KEY = "dev-account-key";

  private static final Set<String> KNOWN = Set.of(ENDPOINT, ACCOUNT, CREDENTIAL);

  @Override
  public Set<String> schemes() {
    return Set.of("abfss", "adls");
  }

  @Override
  public BlobStore open(String rootUri, Map<String, String> settings) {
    return new AdlsBlobStore(rootUri, options(rootUri, settings));
  }

  @Override
  public Set<String> settingNames() {
    return KNOWN;
  }

  @Override
  public void checkSetting(String rootUri, String name, String value) {
    switch (name) {
      case ACCOUNT -> checkAccount(rootUri, value);
      case CREDENTIAL -> checkCredential(rootUri, value);
      case ENDPOINT -> AdlsBlobStoreOptions.builder().endpoint(value).build(); // the options own the URL rules
      default -> throw new IllegalArgumentException("Unknown ADLS blob store setting '" + name + "' for " + rootUri
          + "; known: " + new TreeSet<>(KNOWN) + " (credentials never go in settings)");
    }
  }

  @Override
  public void checkSettings(String rootUri, Map<String, String> settings) {
    options(rootUri, settings);
  }

  /** The options {@code settings} describe; every check of {@link #checkSetting} and the rules across settings. */
  private AdlsBlobStoreOptions options(String rootUri, Map<String, String> settings) {
    Set<String> unknown = new TreeSet<>(settings.keySet());
    unknown.removeAll(KNOWN);
    if (!unknown.isEmpty()) {
      throw new IllegalArgumentException("Unknown ADLS blob store settings " + unknown + " for " + rootUri
          + "; known: " + new TreeSet<>(KNOWN) + " (credentials never go in settings)");
    }
    settings.forEach((name, value) -> checkSetting(rootUri, name, value));
    AdlsBlobStoreOptions.Builder options = AdlsBlobStoreOptions.builder().endpoint(settings.get(ENDPOINT));
    if (DEV_ACCOUNT_KEY.equals(settings.get(CREDENTIAL))) {
      String endpoint = settings.get(ENDPOINT);
      if (endpoint == null || !isLoopbackHttp(endpoint)) {
        throw new IllegalArgumentException("credential=" + DEV_ACCOUNT_KEY + " is for the local emulator only: "
            + "set endpoint to an http URL on 127.0.0.1 or localhost (got " + endpoint + ")");
      }
      options.devAccountKey();
    }
    return options.build();
  }

  private static void checkAccount(String rootUri, String account) {
    AdlsLocation location = AdlsLocation.parse(rootUri);
    if (account != null && !account.equals(location.account())) {
      throw new IllegalArgumentException("Blob root " + rootUri + " names account '" + location.account()
          + "' but the setting account is '" + account + "': make them agree, or drop the account setting");
    }
  }

  private static void checkCredential(String rootUri, String credential) {
    if (!"default".equals(credential) && !DEV_ACCOUNT_KEY.equals(credential)) {
      throw new IllegalArgumentException("Unknown credential '" + credential + "' for " + rootUri
          + ": use default or " + DEV_ACCOUNT_KEY);
    }
  }

  private static boolean isLoopbackHttp(String endpoint) {
    try {
      URI u = URI.create(endpoint);
      return "http".equals(u.getScheme())
          && ("127.0.0.1".equals(u.getHost()) || "localhost".equals(u.getHost()) || "[::1]".equals(u.getHost()));
    } catch (IllegalArgumentException e) {
      return false;
    }
  }
}
