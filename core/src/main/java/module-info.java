/**
 * Pure Remote core: {@code @PureRemote}, the runtime and its options, the memo-entry read API
 * ({@code io.pureremote}) and the service-provider interfaces for shells, blob stores and call
 * listeners ({@code io.pureremote.spi}, one top-level type each, with what an implementer uses
 * nested in it).
 *
 * <p>{@code io.pureremote.internal} (the call pipeline, canonical keys, the payload codec, leases,
 * the embedded folder store and local shells) is not exported: it changes without notice. The
 * embedded backends are reached through {@link io.pureremote.spi.BlobStore#folder}, {@link
 * io.pureremote.spi.Shell#inProcess()} and the shell names {@code local}, {@code in-process} and
 * {@code local-pool}; tools read memo entries through {@link io.pureremote.MemoEntry} and {@link
 * io.pureremote.Keys}.
 */
module io.pureremote {
  requires com.esotericsoftware.kryo;
  requires org.objenesis;
  requires org.objectweb.asm;
  requires org.slf4j;
  requires tools.jackson.core;
  requires jdk.httpserver;

  exports io.pureremote;
  exports io.pureremote.spi;

  uses io.pureremote.spi.BlobStore.Provider;
  uses io.pureremote.spi.CallListener;
  uses io.pureremote.spi.Shell.Provider;

  provides io.pureremote.spi.BlobStore.Provider with io.pureremote.internal.FileBlobStoreProvider;
  provides io.pureremote.spi.Shell.Provider with
      io.pureremote.internal.LocalShellProvider,
      io.pureremote.internal.InProcessShellProvider,
      io.pureremote.internal.LocalPoolShellProvider;
}
