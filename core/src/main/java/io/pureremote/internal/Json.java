package io.pureremote.internal;

import java.util.ArrayList;
import tools.jackson.core.JacksonException;
import tools.jackson.core.JsonParser;
import tools.jackson.core.JsonToken;
import tools.jackson.core.ObjectReadContext;
import tools.jackson.core.StreamReadFeature;
import tools.jackson.core.TokenStreamLocation;
import tools.jackson.core.json.JsonFactory;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * JSON for blob headers, run records, leases and error records: objects ({@code Map<String, ?>},
 * insertion order kept), arrays ({@code List}), strings, numbers ({@code Long} or {@code Double}
 * when read), booleans and null. Reading uses Jackson's streaming parser, since the text comes
 * from a shared store that anyone with write access can fill: its limits bound nesting, string
 * and number sizes, and a repeated key is refused rather than silently taking the last value.
 * Writing stays here (a few lines, and it fixes the bytes of the header format).
 */
public final class Json {
  private static final JsonFactory JSON = JsonFactory.builder()
      .enable(StreamReadFeature.STRICT_DUPLICATE_DETECTION)
      .build();

  private Json() {}

  /** Writes {@code value} as compact JSON. */
  public static String write(Object value) {
    StringBuilder sb = new StringBuilder();
    write(value, sb);
    return sb.toString();
  }

  /** Appends {@code value} as compact JSON to {@code sb}. */
  static void write(Object value, StringBuilder sb) {
    if (value == null) {
      sb.append("null");
    } else if (value instanceof String s) {
      quote(s, sb);
    } else if (value instanceof Boolean || value instanceof Integer || value instanceof Long) {
      sb.append(value);
    } else if (value instanceof Number n) {
      double d = n.doubleValue();
      if (Double.isNaN(d) || Double.isInfinite(d)) {
        throw new IllegalArgumentException("JSON cannot hold " + d);
      }
      sb.append(n);
    } else if (value instanceof Map<?, ?> map) {
      sb.append('{');
      boolean first = true;
      for (Map.Entry<?, ?> e : map.entrySet()) {
        if (!first) {
          sb.append(',');
        }
        first = false;
        quote(String.valueOf(e.getKey()), sb);
        sb.append(':');
        write(e.getValue(), sb);
      }
      sb.append('}');
    } else if (value instanceof List<?> list) {
      sb.append('[');
      for (int i = 0; i < list.size(); i++) {
        if (i > 0) {
          sb.append(',');
        }
        write(list.get(i), sb);
      }
      sb.append(']');
    } else {
      throw new IllegalArgumentException("Not a JSON value: " + value.getClass().getName());
    }
  }

  private static void quote(String s, StringBuilder sb) {
    sb.append('"');
    if (plain(s)) {
      // Most strings (keys, names, hashes, times) need no escape: append them whole.
      sb.append(s).append('"');
      return;
    }
    for (int i = 0; i < s.length(); i++) {
      char c = s.charAt(i);
      switch (c) {
        case '"' -> sb.append("\\\"");
        case '\\' -> sb.append("\\\\");
        case '\n' -> sb.append("\\n");
        case '\r' -> sb.append("\\r");
        case '\t' -> sb.append("\\t");
        default -> {
          if (c < 0x20) {
            sb.append(String.format("\\u%04x", (int) c));
          } else {
            sb.append(c);
          }
        }
      }
    }
    sb.append('"');
  }

  /** Whether {@code s} holds no character that JSON escapes. */
  private static boolean plain(String s) {
    for (int i = 0; i < s.length(); i++) {
      char c = s.charAt(i);
      if (c < 0x20 || c == '"' || c == '\\') {
        return false;
      }
    }
    return true;
  }

  /**
   * Parses one JSON document.
   *
   * @throws IllegalArgumentException with the offset of the first error ({@code Invalid JSON at
   *     offset N: reason})
   */
  public static Object parse(String text) {
    try (JsonParser p = JSON.createParser(ObjectReadContext.empty(), text)) {
      JsonToken first = p.nextToken();
      if (first == null) {
        throw invalid(p.currentLocation(), "unexpected end");
      }
      Object value = value(p, first);
      if (p.nextToken() != null) {
        throw invalid(p.currentTokenLocation(), "trailing characters");
      }
      return value;
    } catch (JacksonException e) {
      throw invalid(e.getLocation(), reason(e));
    }
  }

  /** Parses a JSON object. */
  @SuppressWarnings("unchecked")
  public static Map<String, Object> parseObject(String text) {
    Object value = parse(text);
    if (!(value instanceof Map)) {
      throw new IllegalArgumentException("Expected a JSON object");
    }
    return (Map<String, Object>) value;
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
          throw invalid(p.currentTokenLocation(), "bad number " + p.getText() + " (it does not fit a long)");
        }
        yield p.getLongValue();
      }
      case VALUE_NUMBER_FLOAT -> p.getDoubleValue();
      case VALUE_TRUE -> Boolean.TRUE;
      case VALUE_FALSE -> Boolean.FALSE;
      case VALUE_NULL -> null;
      default -> throw invalid(p.currentTokenLocation(), "unexpected " + token);
    };
  }

  private static IllegalArgumentException invalid(TokenStreamLocation location, String reason) {
    long offset = location == null ? -1 : location.getCharOffset();
    return new IllegalArgumentException("Invalid JSON" + (offset < 0 ? "" : " at offset " + offset) + ": " + reason);
  }

  /** Jackson's reason, lower-cased and without the notes that only repeat the grammar. */
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
