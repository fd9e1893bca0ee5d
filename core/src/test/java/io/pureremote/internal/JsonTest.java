package io.pureremote.internal;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.math.BigDecimal;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

/** The small JSON used for blob headers and error records. */
class JsonTest {

  // ---------------------------------------------------------------- writing

  @Test
  void writesScalarsCompactly() {
    assertThat(Json.write(null)).isEqualTo("null");
    assertThat(Json.write(true)).isEqualTo("true");
    assertThat(Json.write(false)).isEqualTo("false");
    assertThat(Json.write(42)).isEqualTo("42");
    assertThat(Json.write(-7L)).isEqualTo("-7");
    assertThat(Json.write(Long.MIN_VALUE)).isEqualTo("-9223372036854775808");
    assertThat(Json.write(1.5)).isEqualTo("1.5");
    assertThat(Json.write(0.25f)).isEqualTo("0.25");
    assertThat(Json.write(new BigDecimal("12.50"))).isEqualTo("12.50");
    assertThat(Json.write("")).isEqualTo("\"\"");
    assertThat(Json.write("text")).isEqualTo("\"text\"");
  }

  @Test
  void writesObjectsInInsertionOrderAndArraysInOrder() {
    Map<String, Object> map = new LinkedHashMap<>();
    map.put("z", 1);
    map.put("a", List.of(true, "x", 2.5));
    map.put("m", null);
    map.put("nested", Map.of("k", List.of()));

    assertThat(Json.write(map)).isEqualTo("{\"z\":1,\"a\":[true,\"x\",2.5],\"m\":null,\"nested\":{\"k\":[]}}");
    assertThat(Json.write(Map.of())).isEqualTo("{}");
    assertThat(Json.write(List.of())).isEqualTo("[]");
    assertThat(Json.write(Arrays.asList(1, null, 3))).isEqualTo("[1,null,3]");
  }

  @Test
  void mapKeysAreWrittenAsStrings() {
    Map<Object, Object> map = new TreeMap<>();
    map.put(2, "two");
    map.put(1, "one");
    assertThat(Json.write(map)).isEqualTo("{\"1\":\"one\",\"2\":\"two\"}");
  }

  @Test
  void escapesQuotesBackslashesAndControlCharacters() {
    assertThat(Json.write("say \"hi\"")).isEqualTo("\"say \\\"hi\\\"\"");
    assertThat(Json.write("C:\\dir\\file")).isEqualTo("\"C:\\\\dir\\\\file\"");
    assertThat(Json.write("a\nb\rc\td")).isEqualTo("\"a\\nb\\rc\\td\"");
    assertThat(Json.write("\u0000\u0001\b\f\u001f")).isEqualTo("\"\\u0000\\u0001\\u0008\\u000c\\u001f\"");
    assertThat(Json.write("/ and \u007f stay")).isEqualTo("\"/ and \u007f stay\"");
    assertThat(Json.write(Map.of("k\"ey", "v"))).isEqualTo("{\"k\\\"ey\":\"v\"}");
  }

  @Test
  void writesUnicodeAsIs() {
    assertThat(Json.write("héllo ☃ 😀 日本")).isEqualTo("\"héllo ☃ 😀 日本\"");
  }

  @Test
  void refusesNonFiniteNumbersAndUnknownTypes() {
    assertThatThrownBy(() -> Json.write(Double.NaN))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessage("JSON cannot hold NaN");
    assertThatThrownBy(() -> Json.write(List.of(Double.POSITIVE_INFINITY)))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessage("JSON cannot hold Infinity");
    assertThatThrownBy(() -> Json.write(Float.NEGATIVE_INFINITY)).hasMessage("JSON cannot hold -Infinity");
    assertThatThrownBy(() -> Json.write(Map.of("when", new Object())))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessage("Not a JSON value: java.lang.Object");
    assertThatThrownBy(() -> Json.write(new int[] {1}))
        .hasMessage("Not a JSON value: [I");
  }

  // ---------------------------------------------------------------- parsing

  @Test
  void parsesScalars() {
    assertThat(Json.parse("null")).isNull();
    assertThat(Json.parse("true")).isEqualTo(Boolean.TRUE);
    assertThat(Json.parse("false")).isEqualTo(Boolean.FALSE);
    assertThat(Json.parse("\"s\"")).isEqualTo("s");
    assertThat(Json.parse("  \n\t 7 \r\n")).isEqualTo(7L);
  }

  @Test
  void integersParseAsLongAndEverythingElseAsDouble() {
    assertThat(Json.parse("0")).isEqualTo(0L);
    assertThat(Json.parse("42")).isEqualTo(42L);
    assertThat(Json.parse("-42")).isEqualTo(-42L);
    assertThat(Json.parse("9223372036854775807")).isEqualTo(Long.MAX_VALUE);
    assertThat(Json.parse("-9223372036854775808")).isEqualTo(Long.MIN_VALUE);
    assertThat(Json.parse("1.5")).isEqualTo(1.5d);
    assertThat(Json.parse("-0.25")).isEqualTo(-0.25d);
    assertThat(Json.parse("1e3")).isEqualTo(1000.0d);
    assertThat(Json.parse("1E3")).isEqualTo(1000.0d);
    assertThat(Json.parse("2.5E-3")).isEqualTo(0.0025d);
    assertThat(Json.parse("1e+2")).isEqualTo(100.0d);
    assertThat(Json.parse("3.0")).isInstanceOf(Double.class);
  }

  @Test
  void parsesNestedStructuresKeepingKeyOrder() {
    Object parsed = Json.parse(" { \"z\" : [ 1 , { \"c\" : null , \"b\" : [ ] } ] , \"a\" : { } , \"y\":\"v\" } ");

    assertThat(parsed).isInstanceOf(LinkedHashMap.class);
    @SuppressWarnings("unchecked")
    Map<String, Object> map = (Map<String, Object>) parsed;
    assertThat(map.keySet()).containsExactly("z", "a", "y");
    Map<String, Object> inner = new LinkedHashMap<>();
    inner.put("c", null);
    inner.put("b", List.of());
    assertThat(map.get("z")).isEqualTo(List.of(1L, inner));
    assertThat(map.get("a")).isEqualTo(Map.of());
    assertThat(map.get("y")).isEqualTo("v");
    assertThat(new ArrayList<Object>(((Map<?, ?>) ((List<?>) map.get("z")).get(1)).keySet())).containsExactly("c", "b");
  }

  /** A repeated key is refused: two readers must never see two different values in one header. */
  @Test
  void duplicateKeysAreRefused() {
    assertThatThrownBy(() -> Json.parseObject("{\"a\":1,\"a\":2}"))
        .isExactlyInstanceOf(IllegalArgumentException.class)
        .hasMessage("Invalid JSON at offset 10: duplicate Object property \"a\"");
  }

  @Test
  void parsesEveryEscape() {
    assertThat(Json.parse("\"\\\" \\\\ \\/ \\b \\f \\n \\r \\t\"")).isEqualTo("\" \\ / \b \f \n \r \t");
    assertThat(Json.parse("\"\\u0041\\u00e9\\u00E9\\u2603\"")).isEqualTo("Aéé☃");
    assertThat(Json.parse("\"\\ud83d\\ude00\"")).isEqualTo("😀");
    assertThat(Json.parse("\"raw 😀 日本\"")).isEqualTo("raw 😀 日本");
  }

  @Test
  void parseObjectRefusesOtherValues() {
    assertThat(Json.parseObject("{\"a\":1}")).containsExactly(Map.entry("a", 1L));
    assertThatThrownBy(() -> Json.parseObject("[1]"))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessage("Expected a JSON object");
    assertThatThrownBy(() -> Json.parseObject("null")).hasMessage("Expected a JSON object");
  }

  // ---------------------------------------------------------------- round trips

  @Test
  void valuesRoundTrip() {
    Map<String, Object> value = new LinkedHashMap<>();
    value.put("format", 1L);
    value.put("name", "com.acme.Fns#score");
    value.put("ratio", 0.1);
    value.put("big", 1.0E300);
    value.put("tiny", -4.9E-324);
    value.put("flags", List.of(true, false));
    value.put("none", null);
    value.put("text", "quote \" backslash \\ newline \n tab \t nul \u0000 unicode é😀 \u2028");
    Map<String, Object> cause = new LinkedHashMap<>();
    cause.put("class", "java.lang.IllegalStateException");
    cause.put("stack", List.of("a.B.c(B.java:1)", "d.E.f(E.java:2)"));
    value.put("causes", List.of(cause, Map.of()));

    String json = Json.write(value);
    Object back = Json.parse(json);

    assertThat(back).isEqualTo(value);
    assertThat(Json.write(back)).isEqualTo(json);
  }

  @Test
  void everyCharBelow256RoundTrips() {
    StringBuilder sb = new StringBuilder();
    for (char c = 0; c < 256; c++) {
      sb.append(c);
    }
    String all = sb.toString();
    assertThat(Json.parse(Json.write(all))).isEqualTo(all);
    assertThat(Json.write(all)).doesNotContain("\n", "\r", "\t", "\u0000");
  }

  @Test
  void intsComeBackAsLongs() {
    Map<String, Object> parsed = Json.parseObject(Json.write(Map.of("n", 5)));
    assertThat(parsed.get("n")).isEqualTo(5L).isInstanceOf(Long.class);
  }

  @Test
  void largeArraysRoundTrip() {
    List<Object> list = new ArrayList<>();
    for (long i = 0; i < 10_000; i++) {
      list.add(i % 3 == 0 ? (Object) ("s" + i) : (Object) i);
    }
    assertThat(Json.parse(Json.write(list))).isEqualTo(list);
  }

  // ---------------------------------------------------------------- errors

  @ParameterizedTest(name = "[{0}] -> {1}")
  @CsvSource(
      delimiter = '|',
      quoteCharacter = '`',
      value = {
        "``                     | Invalid JSON at offset 0: unexpected end",
        "`   `                  | Invalid JSON at offset 3: unexpected end",
        "{                      | Invalid JSON at offset 1: unexpected end-of-input: expected close marker for Object",
        "[                      | Invalid JSON at offset 1: unexpected end-of-input: expected close marker for Array",
        "[1,2                   | Invalid JSON at offset 4: unexpected end-of-input: expected close marker for Array",
        "{\"a\":1               | Invalid JSON at offset 6: unexpected end-of-input: expected close marker for Object",
        "\"abc                  | Invalid JSON at offset 4: unexpected end-of-input: was expecting closing quote",
        "tru                    | Invalid JSON at offset 0: unrecognized token 'tru'",
        "nul                    | Invalid JSON at offset 0: unrecognized token 'nul'",
        "[1, fals]              | Invalid JSON at offset 4: unrecognized token 'fals'",
        "1 2                    | Invalid JSON at offset 2: trailing characters",
        "{} x                   | Invalid JSON at offset 3: unrecognized token 'x'",
        "{1:2}                  | Invalid JSON at offset 1: unexpected character ('1' (code 49)): was expecting double-quote",
        "{\"a\":1,}             | Invalid JSON at offset 7: unexpected character ('}' (code 125)): was expecting double-quote",
        "@                      | Invalid JSON at offset 0: unexpected character ('@' (code 64))",
        "[1,]                   | Invalid JSON at offset 3: unexpected character (']' (code 93))",
        "\"\\x\"                | Invalid JSON at offset 2: unrecognized character escape 'x'",
        "\"\\u12\"              | Invalid JSON at offset 5: unexpected character ('\"' (code 34)): expected a hex-digit",
        "\"\\uzzzz\"            | Invalid JSON at offset 3: unexpected character ('z' (code 122)): expected a hex-digit",
        "9223372036854775808    | Invalid JSON at offset 0: bad number 9223372036854775808 (it does not fit a long)",
        "1.2.3                  | Invalid JSON at offset 1: unexpected character ('.' (code 46)) in numeric value",
        "-                      | Invalid JSON at offset 1: unexpected end-of-input",
      })
  void malformedJsonFailsWithTheOffset(String text, String message) {
    assertThatThrownBy(() -> Json.parse(text))
        .isExactlyInstanceOf(IllegalArgumentException.class)
        .hasMessageStartingWith(message)
        .hasMessageNotContaining("Source:");
  }

  @Test
  void missingSeparatorsAreNamed() {
    assertThatThrownBy(() -> Json.parse("{\"a\" 1}"))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessageStartingWith("Invalid JSON at offset ")
        .hasMessageEndingWith("was expecting a colon to separate property name and value");
    assertThatThrownBy(() -> Json.parse("[1 2]")).hasMessageContaining("was expecting comma to separate Array entries");
    assertThatThrownBy(() -> Json.parse("{\"a\":1 \"b\":2}")).hasMessageContaining("was expecting comma to separate Object entries");
  }
}
