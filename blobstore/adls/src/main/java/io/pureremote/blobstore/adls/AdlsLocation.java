package io.pureremote.blobstore.adls;

import java.util.Locale;
import java.util.regex.Pattern;

/**
 * A parsed ADLS Gen2 blob root: {@code abfss://<container>@<account>.dfs.<suffix>/<path>} or the
 * short {@code adls://<account>/<container>/<path>} (public cloud, suffix {@code core.windows.net}).
 *
 * @param root the URI as given, normalized (lower-case scheme, no trailing slash)
 * @param account storage account name
 * @param container container (file system) name
 * @param path folder inside the container, without leading or trailing slash; may be empty
 * @param suffix endpoint suffix after {@code .blob.} / {@code .dfs.}, e.g. {@code core.windows.net}
 */
record AdlsLocation(String root, String account, String container, String path, String suffix) {
  private static final Pattern ACCOUNT = Pattern.compile("[a-z0-9]{3,24}");
  private static final Pattern CONTAINER = Pattern.compile("[a-z0-9](?:[a-z0-9]|-(?=[a-z0-9])){2,62}");
  private static final String FORMS =
      "use abfss://<container>@<account>.dfs.core.windows.net/<path> or adls://<account>/<container>/<path>";

  static AdlsLocation parse(String uri) {
    if (uri == null || uri.isBlank()) {
      throw bad(uri, "it is empty");
    }
    int sep = uri.indexOf("://");
    if (sep <= 0) {
      throw bad(uri, "it has no scheme");
    }
    String scheme = uri.substring(0, sep).toLowerCase(Locale.ROOT);
    String rest = uri.substring(sep + 3);
    if (rest.indexOf('?') >= 0 || rest.indexOf('#') >= 0) {
      // Most often a SAS token pasted into the URI: it belongs in AdlsBlobStoreOptions.
      throw bad(uri, "it has a query or fragment (pass a SAS token through AdlsBlobStoreOptions, not the URI)");
    }
    int slash = rest.indexOf('/');
    String authority = slash < 0 ? rest : rest.substring(0, slash);
    String path = slash < 0 ? "" : rest.substring(slash + 1);
    while (path.endsWith("/")) {
      path = path.substring(0, path.length() - 1);
    }
    String account;
    String container;
    String suffix;
    String prefix;
    switch (scheme) {
      case "abfss" -> {
        int at = authority.indexOf('@');
        if (at <= 0) {
          throw bad(uri, "the container is missing before '@'");
        }
        container = authority.substring(0, at);
        String host = authority.substring(at + 1).toLowerCase(Locale.ROOT);
        int dfs = host.indexOf(".dfs.");
        if (dfs <= 0 || host.endsWith(".") || host.indexOf(':') >= 0) {
          throw bad(uri, "the host '" + host + "' is not <account>.dfs.<suffix>");
        }
        account = host.substring(0, dfs);
        suffix = host.substring(dfs + ".dfs.".length());
        prefix = "abfss://" + container + "@" + host;
      }
      case "adls" -> {
        account = authority.toLowerCase(Locale.ROOT);
        int cut = path.indexOf('/');
        container = cut < 0 ? path : path.substring(0, cut);
        path = cut < 0 ? "" : path.substring(cut + 1);
        suffix = "core.windows.net";
        prefix = "adls://" + account + "/" + container;
      }
      default -> throw bad(uri, "the scheme '" + scheme + "' is neither abfss nor adls");
    }
    if (!ACCOUNT.matcher(account).matches()) {
      throw bad(uri, "the account '" + account + "' is not 3-24 lower-case letters and digits");
    }
    if (!CONTAINER.matcher(container).matches()) {
      throw bad(uri, "the container '" + container
          + "' is not 3-63 lower-case letters, digits and single hyphens, starting and ending with a letter or digit");
    }
    if (!path.isEmpty()) {
      for (String segment : path.split("/", -1)) {
        if (segment.isEmpty() || segment.equals(".") || segment.equals("..")) {
          throw bad(uri, "the path '" + path + "' has an empty, '.' or '..' segment");
        }
      }
    }
    return new AdlsLocation(path.isEmpty() ? prefix : prefix + "/" + path, account, container, path, suffix);
  }

  /** The Blob API endpoint of the account, e.g. {@code https://acct.blob.core.windows.net}. */
  String blobEndpoint() {
    return "https://" + account + ".blob." + suffix;
  }

  /** Blob name prefix of the root folder: empty or {@code path + "/"}. */
  String namePrefix() {
    return path.isEmpty() ? "" : path + "/";
  }

  private static IllegalArgumentException bad(String uri, String why) {
    return new IllegalArgumentException("Invalid ADLS Gen2 blob root '" + uri + "': " + why + "; " + FORMS);
  }
}
