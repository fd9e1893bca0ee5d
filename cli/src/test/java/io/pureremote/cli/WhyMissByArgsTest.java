package io.pureremote.cli;

import static io.pureremote.cli.PureRemoteCliTest.cli;
import static org.assertj.core.api.Assertions.assertThat;

import io.pureremote.Keys;
import io.pureremote.cli.PureRemoteCliTest.Run;
import java.time.LocalDate;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import org.junit.jupiter.api.Test;

/** {@code why-miss --function ... --args ... --args ...}: keys of calls that never ran. */
class WhyMissByArgsTest {
  static final String RANK = Catalog.class.getName() + "#rank";
  static final String FILTERS = "{\"order\":[\"a\",\"b\"],\"tags\":[\"x\",\"y\"],\"limits\":{\"eu\":3},"
      + "\"mode\":\"FAST\",\"since\":\"2026-01-31\"}";
  static final String WINDOW = "{\"from\":0.5,\"to\":1}";

  static String args(String query, String filters, String window) {
    return "[\"" + query + "\"," + filters + "," + window + "]";
  }

  static Run whyMiss(String a, String b) {
    return cli("why-miss", "--function", RANK, "--args", a, "--args", b);
  }

  @Test
  void identicalArgumentsHaveTheSameKey() {
    String a = args("shoes", FILTERS, WINDOW);
    Run run = whyMiss(a, a.replace("\"to\":1", "\"to\":1.0"));
    assertThat(run.code()).as(run.err()).isZero();
    // The JSON maps onto the same values a Java caller would pass, so the hash is the runtime's.
    Catalog.Window w = new Catalog.Window();
    w.from = 0.5;
    w.to = 1.0;
    String hash = Keys.argsHash(new Object[] {"shoes", new Catalog.Filters(List.of("a", "b"), Set.of("x", "y"),
        Map.of("eu", 3), Catalog.Mode.FAST, Optional.of(LocalDate.of(2026, 1, 31))), w});
    assertThat(run.out()).isEqualTo("A           " + a + "\n"
        + "B           " + a.replace("\"to\":1", "\"to\":1.0") + "\n"
        + "function    " + RANK + "@4\n"
        + "args hash   same (" + hash + ")\n"
        + "same key: both calls share one memo entry, so the second one is a hit.\n");
  }

  @Test
  void aLoneSurrogateIsPrintedEscapedNeverAsAQuestionMark() {
    // Issue 18 defect 6: the diff printed "?" ≠ "?" for two different lone surrogates.
    Run run = whyMiss(args("q\\ud800", FILTERS, WINDOW), args("q\\udc00", FILTERS, WINDOW));
    assertThat(run.code()).as(run.err()).isZero();
    assertThat(run.out()).contains("\"q\\uD800\" ≠ \"q\\uDC00\"").doesNotContain("\"q?\"");
    assertThat(run.out().chars().noneMatch(c -> Character.isSurrogate((char) c))).as(run.out()).isTrue();
  }

  @Test
  void oneDifferingNestedFieldIsNamedAlone() {
    Run run = whyMiss(args("shoes", FILTERS, WINDOW), args("shoes", FILTERS.replace("\"eu\":3", "\"eu\":4"), WINDOW));
    assertThat(run.code()).isZero();
    assertThat(run.out())
        .contains("args hash   differs: ")
        .contains("arguments   1 difference (A ≠ B)\n  args[1].limits[\"eu\"]: 3 ≠ 4\n")
        .doesNotContain("args[0]").doesNotContain("args[2]");
  }

  @Test
  void listOrderCountsSetOrderDoesNot() {
    Run lists = whyMiss(args("q", FILTERS, WINDOW), args("q", FILTERS.replace("[\"a\",\"b\"]", "[\"b\",\"a\"]"), WINDOW));
    assertThat(lists.out()).contains("arguments   2 differences (A ≠ B)\n"
        + "  args[1].order[0]: \"a\" ≠ \"b\"\n"
        + "  args[1].order[1]: \"b\" ≠ \"a\"\n");
    Run sets = whyMiss(args("q", FILTERS, WINDOW), args("q", FILTERS.replace("[\"x\",\"y\"]", "[\"y\",\"x\"]"), WINDOW));
    assertThat(sets.out()).contains("same key");
  }

  @Test
  void overloadsArePickedByTheNumberOfValues() {
    Run run = cli("why-miss", "--function", RANK, "--args", "[\"q\", 10]", "--args", "[\"q\", 20]");
    assertThat(run.code()).as(run.err()).isZero();
    assertThat(run.out()).contains("function    Catalog#rankTop@1").contains("  args[1]: 10 ≠ 20\n");
  }

  @Test
  void badJsonIsAUsageErrorThatSaysWhere() {
    Run run = whyMiss(args("q", FILTERS, WINDOW), "[\"q\", {\"order\": [}]");
    assertThat(run.code()).isEqualTo(2);
    assertThat(run.err()).startsWith("--args #2 is not valid JSON: Invalid JSON at offset 17: unexpected close marker '}': expected ']'\n");

    Run notArray = whyMiss("{\"query\": \"q\"}", args("q", FILTERS, WINDOW));
    assertThat(notArray.err()).startsWith("--args #1 must be a JSON array with one value per parameter, got an object\n");
  }

  @Test
  void wrongArityNamesTheParameters() {
    Run run = whyMiss(args("q", FILTERS, WINDOW), "[\"q\", " + FILTERS + "]");
    assertThat(run.code()).isEqualTo(2);
    assertThat(run.err()).startsWith("--args #2 has 2 values but " + RANK + " takes 3: (query: java.lang.String, "
        + "filters: " + Catalog.Filters.class.getName() + ", window: " + Catalog.Window.class.getName() + ")\n");
  }

  @Test
  void valuesThatDoNotFitNameTheirPath() {
    Run enumValue = whyMiss(args("q", FILTERS, WINDOW), args("q", FILTERS.replace("FAST", "SLOW"), WINDOW));
    assertThat(enumValue.err()).startsWith("--args #2: args[1].mode: expected one of \"FAST\", \"EXACT\" for "
        + Catalog.Mode.class.getName() + ", got \"SLOW\"\n");
    Run number = whyMiss(args("q", FILTERS, WINDOW), args("q", FILTERS.replace("\"eu\":3", "\"eu\":\"3\""), WINDOW));
    assertThat(number.err()).startsWith(
        "--args #2: args[1].limits[\"eu\"]: expected an integer for java.lang.Integer, got a string \"3\"\n");
    Run unknown = whyMiss(args("q", FILTERS, WINDOW), args("q", FILTERS, "{\"from\":0,\"until\":1}"));
    assertThat(unknown.err()).startsWith("--args #2: args[2]: Window has no field 'until'; its fields: from, to\n");
    Run missing = whyMiss(args("q", FILTERS, WINDOW), args("q", "{\"order\":[]}", WINDOW));
    assertThat(missing.err()).startsWith("--args #2: args[1].tags: missing; Filters needs every component "
        + "(limits, mode, order, since, tags); write null for an absent value\n");
  }

  @Test
  void unknownInterfaceOrMethodIsAUsageError() {
    Run method = cli("why-miss", "--function", Catalog.class.getName() + "#rnk", "--args", "[]", "--args", "[]");
    assertThat(method.code()).isEqualTo(2);
    assertThat(method.err()).startsWith(Catalog.class.getName() + " has no method 'rnk'; its methods: open, rank\n");

    Run type = cli("why-miss", "--function", "com.acme.Nope#score", "--args", "[]", "--args", "[]");
    assertThat(type.err()).startsWith("Interface com.acme.Nope not found on the CLI's class path; "
        + "add the application's jars with --classpath\n");

    Run shape = cli("why-miss", "--function", "com.acme.Nope", "--args", "[]", "--args", "[]");
    assertThat(shape.err()).startsWith("--function 'com.acme.Nope' should be <interface>#<method>, e.g. com.acme.Scoring#score\n");

    Run once = cli("why-miss", "--function", RANK, "--args", "[]");
    assertThat(once.err()).startsWith("--function needs --args exactly twice (call A, then call B), got 1\n");

    Run both = cli("why-miss", "file:///m/pureremote/v1/default/f@1/" + "0".repeat(64), "--function", RANK,
        "--args", "[]", "--args", "[]");
    assertThat(both.err()).startsWith("Give either two memo URIs or --function with two --args, not both\n");

    Run none = cli("why-miss");
    assertThat(none.code()).isEqualTo(2);
    assertThat(none.err()).startsWith("Give two memo URIs, or --function <interface>#<method> with two --args '<json array>'\n");
  }

  @Test
  void aParameterJsonCannotDescribeIsNamedWithTheApiToUseInstead() {
    Run open = cli("why-miss", "--function", Catalog.class.getName() + "#open", "--args", "[{}]", "--args", "[{}]");
    assertThat(open.code()).isEqualTo(2);
    assertThat(open.err()).startsWith("parameter 0 (handle: " + Catalog.Handle.class.getTypeName() + ") of open cannot be given as JSON: "
        + Catalog.Handle.class.getName() + " has no no-arg constructor, so it cannot be filled from a JSON object. "
        + "The CLI reads JSON only; compare such calls from Java with "
        + "io.pureremote.Keys.whyMiss(iface, method, argsA, argsB)\n");
  }

  @Test
  void theInterfaceLoadsFromClasspathEntriesAndNestedNamesWithDots() {
    String classes = Catalog.class.getProtectionDomain().getCodeSource().getLocation().getPath();
    Run run = cli("why-miss", "--function", Catalog.class.getCanonicalName() + "#rank", "--classpath", classes,
        "--args", "[\"q\", 1]", "--args", "[\"q\", 1]");
    assertThat(run.code()).as(run.err()).isZero();
    assertThat(run.out()).contains("same key");

    Run bad = cli("why-miss", "--function", RANK, "--classpath", "/no/such.jar", "--args", "[]", "--args", "[]");
    assertThat(bad.err()).startsWith("--classpath entry '/no/such.jar' does not exist (/no/such.jar)\n");
  }
}
