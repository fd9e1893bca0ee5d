package io.pureremote.cli;

import java.io.StringWriter;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import tools.jackson.core.JacksonException;
import tools.jackson.core.JsonGenerator;
import tools.jackson.core.JsonParser;
import tools.jackson.core.JsonToken;
import tools.jackson.core.ObjectReadContext;
import tools.jackson.core.ObjectWriteContext;
import tools.jackson.core.StreamReadFeature;
import tools.jackson.core.TokenStreamLocation;
import tools.jackson.core.json.JsonFactory;

/**
 * JSON text to and from plain Java values: objects as {@code Map} (order kept), arrays as
 * {@code List}, strings, {@code Long} or {@code Double} numbers, booleans and null. Parsing is
 * Jackson's streaming parser with its default size limits and duplicate-key detection, since the
 * text comes from the command line and from event logs other processes wrote.
 */
final class JsonText {
  private static final JsonFactory JSON = JsonFactory.builder()
      .enable(StreamReadFeature.STRICT_DUPLICATE_DETECTION)
      .build();

  private JsonText() {}

  /**
   * Parses one JSON document.
   *
   * @throws IllegalArgumentException naming the line and column of the first error
   */
  static Object parse(String text) {
    try (JsonParser p = JSON.createParser(ObjectReadContext.empty(), text)) {
      JsonToken first = p.nextToken();
      if (first == null) {
        throw new IllegalArgumentException("no JSON value (the text is empty)");
      }
      Object value = value(p, first);
      if (p.nextToken() != null) {
        throw new IllegalArgumentException("Invalid JSON" + at(p.currentTokenLocation()) + ": trailing characters after the value");
      }
      return value;
    } catch (JacksonException e) {
      throw new IllegalArgumentException("Invalid JSON" + at(e.getLocation()) + ": " + reason(e), e);
    }
  }

  /** Parses a JSON object. */
  @SuppressWarnings("unchecked")
  static Map<String, Object> parseObject(String text) {
    if (!(parse(text) instanceof Map<?, ?> map)) {
      throw new IllegalArgumentException("expected a JSON object");
    }
    return (Map<String, Object>) map;
  }

  /** {@code value} (a value {@link #parse} returns, or an {@code Integer}) as compact JSON. */
  static String write(Object value) {
    StringWriter out = new StringWriter();
    try (JsonGenerator g = JSON.createGenerator(ObjectWriteContext.empty(), out)) {
      write(g, value);
    }
    return out.toString();
  }

  private static Object value(JsonParser p, JsonToken token) {
    return switch (token) {
      case START_OBJECT -> {
        Map<String, Object> map = new LinkedHashMap<>();
        for (JsonToken t = p.nextToken(); t != JsonToken.END_OBJECT; t = p.nextToken()) {
          String name = p.currentName();
          map.put(name, value(p, p.nextToken()));
        }
        yield map;
      }
      case START_ARRAY -> {
        List<Object> list = new ArrayList<>();
        for (JsonToken t = p.nextToken(); t != JsonToken.END_ARRAY; t = p.nextToken()) {
          list.add(value(p, t));
        }
        yield list;
      }
      case VALUE_STRING -> p.getString();
      case VALUE_NUMBER_INT -> {
        if (p.getNumberType() == JsonParser.NumberType.BIG_INTEGER) {
          throw new IllegalArgumentException("Invalid JSON" + at(p.currentTokenLocation()) + ": number " + p.getText()
              + " does not fit a long");
        }
        yield p.getLongValue();
      }
      case VALUE_NUMBER_FLOAT -> p.getDoubleValue();
      case VALUE_TRUE -> Boolean.TRUE;
      case VALUE_FALSE -> Boolean.FALSE;
      case VALUE_NULL -> null;
      default -> throw new IllegalArgumentException("Invalid JSON" + at(p.currentTokenLocation()) + ": unexpected " + token);
    };
  }

  private static void write(JsonGenerator g, Object value) {
    switch (value) {
      case null -> g.writeNull();
      case String s -> g.writeString(s);
      case Boolean b -> g.writeBoolean(b);
      case Integer i -> g.writeNumber(i.longValue());
      case Long l -> g.writeNumber(l);
      case Number n -> {
        double d = n.doubleValue();
        if (Double.isNaN(d) || Double.isInfinite(d)) {
          throw new IllegalArgumentException("JSON cannot hold " + d);
        }
        g.writeNumber(d);
      }
      case Map<?, ?> map -> {
        g.writeStartObject();
        for (Map.Entry<?, ?> e : map.entrySet()) {
          g.writeName(String.valueOf(e.getKey()));
          write(g, e.getValue());
        }
        g.writeEndObject();
      }
      case List<?> list -> {
        g.writeStartArray();
        for (Object item : list) {
          write(g, item);
        }
        g.writeEndArray();
      }
      default -> throw new IllegalArgumentException("not a JSON value: " + value.getClass().getName());
    }
  }

  /** Where, as the 0-based character offset into the text (the text is one line, usually). */
  private static String at(TokenStreamLocation location) {
    return location == null || location.getCharOffset() < 0 ? "" : " at offset " + location.getCharOffset();
  }

  /** Jackson's reason, lower-cased, without its note on where an enclosing array began. */
  private static String reason(JacksonException e) {
    String message = String.valueOf(e.getOriginalMessage());
    // Drop Jackson's notes on where an enclosing value began and its list of what may start a value.
    for (String note : new String[] {" (for ", " (start marker", ": was expecting (JSON String", ": expected a valid value (JSON String"}) {
      int at = message.indexOf(note);
      message = at > 0 ? message.substring(0, at) : message;
    }
    return message.isEmpty() ? message : Character.toLowerCase(message.charAt(0)) + message.substring(1);
  }
}
