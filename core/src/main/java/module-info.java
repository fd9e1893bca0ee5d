/**
 * Pure Remote core: {@code @PureRemote}, the runtime and its options, the memo-entry read API
 * ({@code io.pureremote}), the service-provider interfaces for shells and blob stores
 * ({@code io.pureremote.spi}) and the embedded local store and shells ({@code io.pureremote.local}).
 *
 * <p>{@code io.pureremote.internal} (the call pipeline, canonical keys, the payload codec, leases)
 * is not exported: it changes without notice. Tools read memo entries through
 * {@link io.pureremote.MemoEntry} and {@link io.pureremote.Keys} instead.
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
  exports io.pureremote.local;

  uses io.pureremote.spi.BlobStoreProvider;
  uses io.pureremote.spi.CallListener;
  uses io.pureremote.spi.ShellProvider;

  provides io.pureremote.spi.BlobStoreProvider with io.pureremote.internal.FileBlobStoreProvider;
  provides io.pureremote.spi.ShellProvider with
      io.pureremote.internal.LocalShellProvider,
      io.pureremote.internal.InProcessShellProvider,
      io.pureremote.internal.LocalPoolShellProvider;
}
