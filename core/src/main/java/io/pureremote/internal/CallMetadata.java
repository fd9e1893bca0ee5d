package io.pureremote.internal;

import java.net.InetAddress;
import java.util.Optional;

/** Facts about this process recorded in blob headers: who, where, which versions. */
final class CallMetadata {
  private CallMetadata() {}

  static final String LIBRARY_VERSION = io.pureremote.RemoteRuntime.VERSION;
  static final String JAVA_VERSION = Runtime.version().toString();
  private static volatile String host;

  /** The host name, looked up once (the lookup can be slow on misconfigured DNS). */
  static String host() {
    String h = host;
    if (h == null) {
      h = Optional.ofNullable(System.getenv("HOSTNAME")).filter(s -> !s.isBlank()).orElseGet(() -> {
        try {
          return InetAddress.getLocalHost().getHostName();
        } catch (Exception e) {
          return "unknown-host";
        }
      });
      host = h;
    }
    return h;
  }

  static String user() {
    return System.getProperty("user.name", "unknown");
  }

  static long pid() {
    return ProcessHandle.current().pid();
  }
}
