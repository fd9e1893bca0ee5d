package io.pureremote.orchestrator.cli;

import io.pureremote.internal.BlobFrame;
import io.pureremote.internal.Json;
import io.pureremote.internal.KryoCodec;
import io.pureremote.internal.Leases;
import io.pureremote.internal.MemoKey;
import io.pureremote.spi.BlobStore;
import io.pureremote.spi.StoredBlob;
import java.nio.charset.StandardCharsets;
import java.time.Clock;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;

/** Read access to one memo entry's blobs, decoding payloads with the current class path. */
final class MemoEntry {
  final BlobStore store;
  final MemoKey key;

  MemoEntry(BlobStore store, MemoKey key) {
    this.store = store;
    this.key = key;
  }

  String uri() {
    return store.uri(key.prefix());
  }

  /** A framed blob of the entry ({@code invocation}, {@code result} or {@code error}). */
  Optional<BlobFrame> frame(String name) {
    String blobKey = key.key(name);
    Optional<StoredBlob> blob = store.get(blobKey);
    if (blob.isEmpty()) {
      return Optional.empty();
    }
    try (StoredBlob b = blob.get()) {
      return Optional.of(BlobFrame.read(b.stream(), store.uri(blobKey)));
    }
  }

  /** A payload decoded with the current class path, or why it could not be. */
  record Decoded(Object value, String problem) {
    boolean ok() {
      return problem == null;
    }
  }

  /** The codec the caller used: the invocation header's allowed packages, this class path. */
  KryoCodec codec(Optional<BlobFrame> invocation) {
    List<String> packages = new ArrayList<>();
    if (invocation.isPresent() && invocation.get().section("call").get("allowedPackages") instanceof List<?> list) {
      list.forEach(p -> packages.add(String.valueOf(p)));
    }
    ClassLoader loader = Objects.requireNonNullElse(Thread.currentThread().getContextClassLoader(),
        MemoEntry.class.getClassLoader());
    return new KryoCodec(packages, loader, store);
  }

  /** Decodes a Kryo payload; a missing class or refused type becomes a problem message. */
  static Decoded decode(KryoCodec codec, BlobFrame frame) {
    try {
      return new Decoded(codec.read(frame.payload()), null);
    } catch (RuntimeException | LinkageError e) {
      return new Decoded(null, "cannot decode with this class path (" + e.getMessage()
          + "). Run the CLI with the application's classes on the class path (CLASSPATH or -cp) to see the values.");
    }
  }

  /** The invocation's arguments, decoded. */
  Decoded arguments(BlobFrame invocation) {
    Decoded d = decode(codec(Optional.of(invocation)), invocation);
    if (d.ok() && !(d.value() instanceof Object[])) {
      return new Decoded(null, "the invocation payload is not an argument array but " + d.value());
    }
    return d;
  }

  /** The error record JSON of the {@code error} blob. */
  static Map<String, Object> errorRecord(BlobFrame error) {
    return Json.parseObject(new String(error.payload(), StandardCharsets.UTF_8));
  }

  /** Run records ({@code runs/*.json}), oldest first. */
  List<Map<String, Object>> runs() {
    List<Map<String, Object>> runs = new ArrayList<>();
    for (String k : store.list(key.key(MemoKey.RUNS) + "/")) {
      if (k.endsWith(".json")) {
        store.getBytes(k).ifPresent(bytes -> {
          try {
            runs.add(Json.parseObject(new String(bytes, StandardCharsets.UTF_8)));
          } catch (IllegalArgumentException e) {
            runs.add(Map.of("status", "unreadable run record " + k + ": " + e.getMessage()));
          }
        });
      }
    }
    return runs;
  }

  /** The lease record, if any. */
  Optional<Leases.State> lease() {
    // Reading needs neither timing nor a scheduler.
    return new Leases(store, Duration.ZERO, Duration.ofSeconds(1), Clock.systemUTC(), null).read(key.key(Leases.LEASE));
  }

  /** Every blob key of the entry. */
  List<String> blobs() {
    return store.list(key.prefix() + "/");
  }
}
