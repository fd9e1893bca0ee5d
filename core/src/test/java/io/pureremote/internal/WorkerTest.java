package io.pureremote.internal;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.ByteArrayInputStream;
import java.io.ByteArrayOutputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The worker protocol, spoken to a worker in this JVM through byte streams. */
class WorkerTest {
  @TempDir Path dir;

  private List<String> serve(FileBlobStore store, String requests) {
    ByteArrayOutputStream out = new ByteArrayOutputStream();
    Worker worker = new Worker(store, getClass().getClassLoader(), 2, 1 << 16, out);
    int code = worker.serve(new ByteArrayInputStream(requests.getBytes(StandardCharsets.UTF_8)));
    assertThat(code).isZero();
    return out.toString(StandardCharsets.UTF_8).lines().toList();
  }

  @Test
  void readyFirstThenOneReplyPerRequestAndByeAfterTheDrain() {
    FileBlobStore store = new FileBlobStore(dir.resolve("mine"));
    String own = store.root() + "/pureremote/v1/p/f@1/" + "0".repeat(64);
    String other = new FileBlobStore(dir.resolve("other")).root() + "/pureremote/v1/p/f@1/" + "0".repeat(64);
    List<String> replies = serve(store, "run c1 " + other + "\nrun c2 not-a-memo-uri\nhello\nrun c3 " + own + "\ndrain\nrun c4 " + own + "\n");

    assertThat(replies.get(0)).startsWith("ready pureremote-worker/1 slots=2 pid=" + ProcessHandle.current().pid()
        + " root=" + store.root());
    assertThat(replies).contains(
        "refused c1 RootMismatch: this worker runs calls of " + store.root() + " only, not of "
            + dir.resolve("other").toUri().toString().replaceAll("/$", "") + "; start a worker (or pool) for that store root",
        "refused - BadRequest: unknown request 'hello' (pureremote-worker/1 knows run, cancel and drain)",
        "done c3 70");
    assertThat(replies).anyMatch(l -> l.startsWith("refused c2 BadUri: Not a memo URI: 'not-a-memo-uri'"));
    assertThat(replies).as("nothing is read after drain").noneMatch(l -> l.contains("c4"));
    assertThat(replies.get(replies.size() - 1)).isEqualTo("bye");
  }
}
