package io.pureremote.internal;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.pureremote.FunctionId;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/** Where memo entries live and how memo URIs are read back. */
class MemoKeyTest {
  private static final String HASH = "0123456789abcdef".repeat(4);
  private static final FunctionId SCORE = new FunctionId("com.acme.Fns#score", "1");

  // ---------------------------------------------------------------- layout

  @Test
  void prefixFollowsTheLayout() {
    MemoKey key = new MemoKey("default", SCORE, HASH);

    assertThat(key.prefix()).isEqualTo("pureremote/v1/default/com.acme.Fns%23score@1/" + HASH);
    assertThat(MemoKey.LAYOUT).isEqualTo("pureremote/v1");
  }

  @Test
  void entryFilesLiveUnderThePrefix() {
    MemoKey key = new MemoKey("default", SCORE, HASH);

    assertThat(key.key(MemoKey.INVOCATION)).isEqualTo(key.prefix() + "/invocation");
    assertThat(key.key(MemoKey.RESULT)).isEqualTo(key.prefix() + "/result");
    assertThat(key.key(MemoKey.ERROR)).isEqualTo(key.prefix() + "/error");
    assertThat(key.key(MemoKey.RUNS)).isEqualTo(key.prefix() + "/runs");
  }

  @Test
  void functionNamesArePercentEncodedIntoOneReadableSegment() {
    assertThat(MemoKey.functionSegment(new FunctionId("com.acme.Outer$Inner#f", "2.0-rc_1")))
        .isEqualTo("com.acme.Outer%24Inner%23f@2.0-rc_1");
    assertThat(MemoKey.functionSegment(new FunctionId("plain-name_1.x", "v")))
        .isEqualTo("plain-name_1.x@v");
    assertThat(MemoKey.functionSegment(new FunctionId("a#b", "1")))
        .as("distinct names never share a folder")
        .isNotEqualTo(MemoKey.functionSegment(new FunctionId("a$b", "1")));
  }

  @Test
  void multiSegmentPipelinesNestFolders() {
    MemoKey key = new MemoKey("forecasting/2026-q4", SCORE, HASH);
    assertThat(key.prefix()).isEqualTo("pureremote/v1/forecasting/2026-q4/com.acme.Fns%23score@1/" + HASH);
  }

  @Test
  void functionPrefixIsTheParentOfEveryEntryOfThatVersion() {
    String prefix = MemoKey.functionPrefix("team.a", SCORE);

    assertThat(prefix).isEqualTo("pureremote/v1/team.a/com.acme.Fns%23score@1");
    assertThat(new MemoKey("team.a", SCORE, HASH).prefix()).startsWith(prefix + "/");
    assertThat(new MemoKey("team.a", new FunctionId("com.acme.Fns#score", "10"), HASH).prefix())
        .as("another version is not under this prefix")
        .doesNotStartWith(prefix + "/");
    assertThatThrownBy(() -> MemoKey.functionPrefix("bad id", SCORE))
        .hasMessageStartingWith("Invalid pipeline id 'bad id'");
  }

  // ---------------------------------------------------------------- validation

  @ParameterizedTest
  @ValueSource(strings = {"default", "a", "A-Z_0.9", "forecasting/2026-q4", "a/b/c", "x.y", "a..b", "a/b.", "-"})
  void validPipelineIdsAreAccepted(String id) {
    assertThat(MemoKey.checkPipelineId(id)).isEqualTo(id);
    assertThat(new MemoKey(id, SCORE, HASH).prefix()).startsWith("pureremote/v1/" + id + "/");
  }

  @ParameterizedTest
  @ValueSource(strings = {"", "/a", "a/", "a//b", ".", "..", ".hidden", "a/.b", "a/..", "a/../b", "a/./b",
      "a b", "a#b", "a%23", "a\\b", "ä", "a:b", "a@b"})
  void invalidPipelineIdsAreRejected(String id) {
    assertThatThrownBy(() -> new MemoKey(id, SCORE, HASH))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessage("Invalid pipeline id '" + id + "': use letters, digits and . _ - in '/'-separated "
            + "segments that do not start with '.' (at most 200 characters)");
  }

  @Test
  void pipelineIdsAreLimitedTo200Characters() {
    assertThat(MemoKey.checkPipelineId("p".repeat(200))).hasSize(200);
    assertThatThrownBy(() -> MemoKey.checkPipelineId("p".repeat(201)))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessageContaining("(at most 200 characters)");
    assertThatThrownBy(() -> MemoKey.checkPipelineId(null)).isInstanceOf(NullPointerException.class).hasMessage("pipelineId");
  }

  @ParameterizedTest
  @ValueSource(strings = {"", "abc", "0123456789ABCDEF0123456789abcdef0123456789abcdef0123456789abcdef",
      "0123456789abcdef0123456789abcdef0123456789abcdef0123456789abcde",
      "0123456789abcdef0123456789abcdef0123456789abcdef0123456789abcdef0",
      "g123456789abcdef0123456789abcdef0123456789abcdef0123456789abcdef"})
  void argsHashMustBe64LowercaseHexDigits(String hash) {
    assertThatThrownBy(() -> new MemoKey("default", SCORE, hash))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessage("Invalid args hash '" + hash + "': expected 64 lowercase hex digits");
  }

  @Test
  void functionIsRequired() {
    assertThatThrownBy(() -> new MemoKey("default", null, HASH))
        .isInstanceOf(NullPointerException.class)
        .hasMessage("function");
  }

  // ---------------------------------------------------------------- memo URIs

  @Test
  void parseUriRoundTripsFileUris() {
    MemoKey key = new MemoKey("default", SCORE, HASH);
    String uri = "file:///var/data/memo/" + key.prefix();

    MemoKey.Located located = MemoKey.parseUri(uri);

    assertThat(located.root()).isEqualTo("file:///var/data/memo");
    assertThat(located.key()).isEqualTo(key);
    assertThat(located.key().function().name()).isEqualTo("com.acme.Fns#score");
    assertThat(located.uri()).isEqualTo(uri);
  }

  @Test
  void parseUriRoundTripsS3Uris() {
    MemoKey key = new MemoKey("forecasting/2026-q4", new FunctionId("com.acme.Outer$Inner#f", "7"), HASH);
    String uri = "s3://bucket/prefix/deeper/" + key.prefix();

    MemoKey.Located located = MemoKey.parseUri(uri);

    assertThat(located.root()).isEqualTo("s3://bucket/prefix/deeper");
    assertThat(located.key()).isEqualTo(key);
    assertThat(located.key().pipelineId()).isEqualTo("forecasting/2026-q4");
    assertThat(located.key().function()).isEqualTo(new FunctionId("com.acme.Outer$Inner#f", "7"));
    assertThat(located.uri()).isEqualTo(uri);
  }

  @Test
  void parseUriRoundTripsAdlsUris() {
    MemoKey key = new MemoKey("default", SCORE, HASH);
    String root = "abfss://container@account.dfs.core.windows.net/p";
    String uri = root + "/" + key.prefix();

    MemoKey.Located located = MemoKey.parseUri(uri);

    assertThat(located.root()).isEqualTo(root);
    assertThat(located.key()).isEqualTo(key);
    assertThat(located.uri()).isEqualTo(uri);
  }

  @Test
  void parseUriAcceptsATrailingSlashAndBucketRoots() {
    MemoKey key = new MemoKey("default", SCORE, HASH);

    assertThat(MemoKey.parseUri("s3://bucket/" + key.prefix() + "/").key()).isEqualTo(key);
    assertThat(MemoKey.parseUri("s3://bucket/" + key.prefix()).root()).isEqualTo("s3://bucket");
    assertThat(MemoKey.parseUri(new MemoKey.Located("file:///m", key).uri()))
        .isEqualTo(new MemoKey.Located("file:///m", key));
  }

  @Test
  void uriWithoutTheLayoutIsRejected() {
    for (String uri : new String[] {"file:///tmp/memo", "s3://bucket/pureremote/v2/default/f@1/" + HASH, ""}) {
      assertThatThrownBy(() -> MemoKey.parseUri(uri))
          .isInstanceOf(IllegalArgumentException.class)
          .hasMessage("Not a memo URI: '" + uri + "'. Expected <blob root>/pureremote/v1/<pipeline>/<function>@<version>/<args hash>");
    }
  }

  @Test
  void uriWithoutABlobRootIsRejected() {
    String relative = "pureremote/v1/default/f@1/" + HASH;
    assertThatThrownBy(() -> MemoKey.parseUri(relative))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessageStartingWith("Not a memo URI: '" + relative + "'. Expected <blob root>/pureremote/v1/");
    assertThatThrownBy(() -> MemoKey.parseUri("/" + relative))
        .hasMessageStartingWith("Not a memo URI: '/" + relative + "'");
  }

  @Test
  void uriWithMissingPartsIsRejected() {
    for (String uri : new String[] {
        "file:///m/pureremote/v1/f@1/" + HASH,
        "file:///m/pureremote/v1/default/f@1",
        "file:///m/pureremote/v1/default/f@1/",
        "file:///m/pureremote/v1/" + HASH}) {
      assertThatThrownBy(() -> MemoKey.parseUri(uri))
          .as(uri)
          .isInstanceOf(IllegalArgumentException.class)
          .hasMessage("Not a memo URI: '" + uri + "'. Expected .../pureremote/v1/<pipeline>/<function>@<version>/<args hash>");
    }
  }

  @Test
  void uriWhoseFunctionLacksAVersionIsRejected() {
    String uri = "file:///m/pureremote/v1/default/com.acme.Fns%23score/" + HASH;
    assertThatThrownBy(() -> MemoKey.parseUri(uri))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessage("Not a memo URI: '" + uri + "': function segment 'com.acme.Fns%23score' lacks @<version>");
    assertThatThrownBy(() -> MemoKey.parseUri("file:///m/pureremote/v1/default/@1/" + HASH))
        .hasMessageContaining("Not a memo URI")
        .hasMessageContaining("function segment '@1'");
  }

  @Test
  void uriWithInvalidPartsIsRejectedNamingThePart() {
    assertThatThrownBy(() -> MemoKey.parseUri("file:///m/pureremote/v1/default/f@1/" + HASH.toUpperCase()))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessage("Invalid args hash '" + HASH.toUpperCase() + "': expected 64 lowercase hex digits");
    assertThatThrownBy(() -> MemoKey.parseUri("file:///m/pureremote/v1/.hidden/f@1/" + HASH))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessageStartingWith("Invalid pipeline id '.hidden'");
    assertThatThrownBy(() -> MemoKey.parseUri("file:///m/pureremote/v1/default/f@1.0+build/" + HASH))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessageStartingWith("Invalid function version '1.0+build'");
    assertThatThrownBy(() -> MemoKey.parseUri("file:///m/pureremote/v1/default/a%20b@1/" + HASH))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessageStartingWith("Invalid function name 'a b'");
  }

  @Test
  void uriWithABadPercentEscapeIsRejectedClearly() {
    String uri = "file:///m/pureremote/v1/default/com.acme.Fns%zzscore@1/" + HASH;
    assertThatThrownBy(() -> MemoKey.parseUri(uri))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessageContaining("Not a memo URI: '" + uri + "'")
        .hasMessageContaining("'com.acme.Fns%zzscore@1'");
  }
}
