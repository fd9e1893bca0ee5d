package com.example.fns;

import io.pureremote.BlobRef;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.concurrent.atomic.AtomicInteger;

public final class BlobsImpl implements Blobs {
  public static final AtomicInteger EXECUTIONS = new AtomicInteger();

  @Override
  public String describe(BlobRef data) {
    EXECUTIONS.incrementAndGet();
    try {
      Path p = data.path();
      byte[] all = Files.readAllBytes(p);
      return all.length + ":" + all[0] + ":" + all[all.length - 1];
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }

  @Override
  public long countBytes(BlobRef data) {
    EXECUTIONS.incrementAndGet();
    try (InputStream in = data.open()) {
      return in.transferTo(OutputStream.nullOutputStream());
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }

  @Override
  public BlobRef doubled(BlobRef data) {
    EXECUTIONS.incrementAndGet();
    try (InputStream in = data.open()) {
      byte[] once = in.readAllBytes();
      byte[] twice = new byte[once.length * 2];
      System.arraycopy(once, 0, twice, 0, once.length);
      System.arraycopy(once, 0, twice, once.length, once.length);
      return BlobRef.of(twice);
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }
}
