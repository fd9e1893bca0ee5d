package io.pureremote.cli;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

class JsonTextTest {
  @Test
  void valuesComeBackAsPlainJavaTypesInOrder() {
    Object parsed = JsonText.parse("{\"b\": [1, 2.5, \"x\", true, null], \"a\": {\"n\": -7}}");

    assertThat(parsed).isEqualTo(Map.of("b", Arrays.asList(1L, 2.5, "x", true, null), "a", Map.of("n", -7L)));
    assertThat(List.copyOf(((Map<?, ?>) parsed).keySet())).isEqualTo(List.of("b", "a"));
  }

  @Test
  void writeAndParseRoundTrip() {
    Map<String, Object> value = new LinkedHashMap<>();
    value.put("s", "quote \" and \u00e9");
    value.put("i", 3);
    value.put("l", Long.MAX_VALUE);
    value.put("d", 0.25);
    value.put("list", List.of(List.of(), Map.of()));
    value.put("none", null);

    String text = JsonText.write(value);

    assertThat(text).startsWith("{\"s\":\"quote \\\" and \u00e9\",\"i\":3,");
    Map<String, Object> expected = new LinkedHashMap<>(value);
    expected.put("i", 3L);
    assertThat(JsonText.parseObject(text)).isEqualTo(expected);
  }

  @Test
  void badTextNamesWhereAndWhy() {
    assertThatThrownBy(() -> JsonText.parse("{\"a\": 1, \"a\": 2}"))
        .isInstanceOf(IllegalArgumentException.class).hasMessage("Invalid JSON at offset 12: duplicate Object property \"a\"");
    assertThatThrownBy(() -> JsonText.parse("[1] [2]")).hasMessage("Invalid JSON at offset 4: trailing characters after the value");
    assertThatThrownBy(() -> JsonText.parse("[123456789012345678901234567890]")).hasMessageContaining("does not fit a long");
    assertThatThrownBy(() -> JsonText.parse("   ")).hasMessageContaining("empty");
    assertThatThrownBy(() -> JsonText.parseObject("[1]")).hasMessage("expected a JSON object");
    assertThatThrownBy(() -> JsonText.write(Double.NaN)).hasMessage("JSON cannot hold NaN");
  }
}
