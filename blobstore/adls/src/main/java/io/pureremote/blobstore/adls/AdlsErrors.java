package io.pureremote.blobstore.adls;

import com.azure.core.exception.ClientAuthenticationException;
import com.azure.core.exception.HttpResponseException;
import com.azure.core.http.HttpHeaderName;
import com.azure.storage.blob.models.BlobStorageException;
import io.pureremote.BlobStoreException;
import java.io.IOException;
import java.net.UnknownHostException;
import java.nio.channels.UnresolvedAddressException;
import java.util.concurrent.TimeoutException;

/**
 * Turns Azure SDK failures into {@link BlobStoreException}s that say what went wrong and what to
 * do. By the time one arrives here the SDK's retry policy has already spent its tries.
 */
final class AdlsErrors {
  private static final HttpHeaderName ERROR_CODE = HttpHeaderName.fromString("x-ms-error-code");

  private final AdlsLocation location;
  private final AdlsBlobStoreOptions options;
  private final String endpoint;

  AdlsErrors(AdlsLocation location, AdlsBlobStoreOptions options, String endpoint) {
    this.location = location;
    this.options = options;
    this.endpoint = endpoint;
  }

  /** The error code of a service response ({@code x-ms-error-code}, also set on HEAD responses). */
  static String code(HttpResponseException e) {
    String header = e.getResponse() == null ? null : e.getResponse().getHeaders().getValue(ERROR_CODE);
    if (header != null) {
      return header;
    }
    return e instanceof BlobStorageException b && b.getErrorCode() != null ? b.getErrorCode().toString() : "";
  }

  static int status(HttpResponseException e) {
    return e.getResponse() == null ? 0 : e.getResponse().getStatusCode();
  }

  BlobStoreException map(String uri, String operation, RuntimeException e) {
    String what = operation + " failed: ";
    ClientAuthenticationException auth = cause(e, ClientAuthenticationException.class);
    if (auth != null) {
      // Comes from the token credential (no identity found, token request refused), not storage.
      return new BlobStoreException(uri, what + "no usable Azure credential (" + firstLine(auth) + "). In a pod, "
          + "enable workload identity for its service account; on an Azure host, assign a managed identity; "
          + "on a laptop, run 'az login'; or pass a credential in AdlsBlobStoreOptions", e, false);
    }
    if (e instanceof HttpResponseException h) {
      int status = status(h);
      String code = code(h);
      if (status == 401 || status == 403) {
        return new BlobStoreException(uri, what + "access denied (" + status + " " + code + ") on account '"
            + location.account() + "'. Give the identity the 'Storage Blob Data Contributor' role on the "
            + "account or container, or check the shared key / SAS token (permissions, expiry, clock)", e, false);
      }
      if (status == 404 && "ContainerNotFound".equals(code)) {
        return new BlobStoreException(uri, what + "container '" + location.container() + "' does not exist in "
            + "account '" + location.account() + "'. Create it (az storage container create --account-name "
            + location.account() + " --name " + location.container() + " --auth-mode login) or fix the blob root",
            e, false);
      }
      if (status == 408 || status == 429 || status >= 500) {
        // The SDK's policy retries only 429, 500 and 503; the others arrive after one try.
        boolean retried = status == 429 || status == 500 || status == 503;
        return new BlobStoreException(uri, what + "the service is unavailable (" + status + " " + code
            + (retried ? ", through " + options.maxTries() + " tries" : "") + "); try again later", e, true);
      }
      return new BlobStoreException(uri, what + status + " " + code + ": " + firstLine(e), e, false);
    }
    ExactLengthInputStream.ContentException content = cause(e, ExactLengthInputStream.ContentException.class);
    if (content != null) {
      return new BlobStoreException(uri, what + content.getMessage() + "; nothing was written", e, false);
    }
    // The JDK HTTP client reports an unknown host as a ConnectException caused by this.
    if (cause(e, UnknownHostException.class) != null || cause(e, UnresolvedAddressException.class) != null) {
      return new BlobStoreException(uri, what + "cannot resolve the host of " + endpoint + ". Does the storage "
          + "account '" + location.account() + "' exist? Check the account in the blob root and the endpoint "
          + "setting", e, false);
    }
    if (cause(e, IOException.class) != null || cause(e, TimeoutException.class) != null) {
      return new BlobStoreException(uri, what + "network failure through " + options.maxTries() + " tries ("
          + rootCause(e) + "); try again later", e, true);
    }
    return new BlobStoreException(uri, what + e, e, false);
  }

  private static <T extends Throwable> T cause(Throwable e, Class<T> type) {
    for (Throwable t = e; t != null; t = t.getCause()) {
      if (type.isInstance(t)) {
        return type.cast(t);
      }
      if (t.getCause() == t) {
        break;
      }
    }
    return null;
  }

  private static String rootCause(Throwable e) {
    Throwable root = e;
    while (root.getCause() != null && root.getCause() != root) {
      root = root.getCause();
    }
    return root == e ? String.valueOf(e.getMessage()) : root.toString();
  }

  private static String firstLine(Throwable e) {
    String m = String.valueOf(e.getMessage());
    int nl = m.indexOf('\n');
    return nl < 0 ? m : m.substring(0, nl);
  }
}
