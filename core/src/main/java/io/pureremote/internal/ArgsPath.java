package io.pureremote.internal;

/**
 * Where a value sits inside the argument array, e.g. {@code args[1].features["x"]}. A linked list
 * of steps, rendered only when an error needs it, so walking a large value costs no string
 * building.
 */
final class ArgsPath {
  private enum Step {
    ARG,
    INDEX,
    NAME,
    MAP_VALUE,
    MAP_KEY,
    SET_ELEMENT,
    OPTIONAL_VALUE
  }

  private static final int MAX_KEY_CHARS = 80;

  private final ArgsPath parent;
  private final Step step;
  private final Object detail;
  private final int index;

  private ArgsPath(ArgsPath parent, Step step, Object detail, int index) {
    this.parent = parent;
    this.step = step;
    this.detail = detail;
    this.index = index;
  }

  /** {@code args[i]}. */
  static ArgsPath arg(int i) {
    return new ArgsPath(null, Step.ARG, null, i);
  }

  /** {@code [i]}: a list or array element. */
  ArgsPath index(int i) {
    return new ArgsPath(this, Step.INDEX, null, i);
  }

  /** {@code .name}: a record component or field. */
  ArgsPath name(String name) {
    return new ArgsPath(this, Step.NAME, name, 0);
  }

  /**
   * {@code ["x"]} for a string key, {@code [7]} or {@code [RED]} for simple ones, else {@code
   * [{key#i}]}.
   */
  ArgsPath mapValue(Object key, int sortedIndex) {
    return new ArgsPath(this, Step.MAP_VALUE, key, sortedIndex);
  }

  /** {@code {map key}}: a key of this map. */
  ArgsPath mapKey() {
    return new ArgsPath(this, Step.MAP_KEY, null, 0);
  }

  /** {@code {set element}}. */
  ArgsPath setElement() {
    return new ArgsPath(this, Step.SET_ELEMENT, null, 0);
  }

  /** {@code .value}: the contents of an Optional. */
  ArgsPath optionalValue() {
    return new ArgsPath(this, Step.OPTIONAL_VALUE, null, 0);
  }

  @Override
  public String toString() {
    StringBuilder sb = new StringBuilder();
    appendTo(sb);
    return sb.toString();
  }

  private void appendTo(StringBuilder sb) {
    if (parent != null) {
      parent.appendTo(sb);
    }
    switch (step) {
      case ARG -> sb.append("args[").append(index).append(']');
      case INDEX -> sb.append('[').append(index).append(']');
      case NAME -> sb.append('.').append(detail);
      case MAP_VALUE -> appendKey(sb.append('['), detail, index).append(']');
      case MAP_KEY -> sb.append("{map key}");
      case SET_ELEMENT -> sb.append("{set element}");
      case OPTIONAL_VALUE -> sb.append(".value");
    }
  }

  private static StringBuilder appendKey(StringBuilder sb, Object key, int sortedIndex) {
    if (key instanceof String s) {
      sb.append('"');
      int end = Math.min(s.length(), MAX_KEY_CHARS);
      for (int i = 0; i < end; i++) {
        char c = s.charAt(i);
        switch (c) {
          case '"' -> sb.append("\\\"");
          case '\\' -> sb.append("\\\\");
          case '\n' -> sb.append("\\n");
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
      return sb.append(s.length() > end ? "...\"" : "\"");
    }
    if (key instanceof Integer
        || key instanceof Long
        || key instanceof Short
        || key instanceof Byte
        || key instanceof Boolean) {
      return sb.append(key);
    }
    if (key instanceof Enum<?> e) {
      return sb.append(e.name());
    }
    return sb.append("{key#").append(sortedIndex).append('}');
  }
}
