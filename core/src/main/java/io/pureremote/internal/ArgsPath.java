package io.pureremote.internal;

import java.util.Arrays;

/**
 * Where the encoder is inside the argument array, e.g. {@code args[1].features["x"]}: a stack of
 * steps that the encoder pushes on entering a value and pops on leaving it. A step's index or name
 * is set in place while a list, array or record is walked, so walking a large value allocates
 * nothing per element or field; the text is built only when an error needs it.
 *
 * <p>The number of steps is the nesting depth of the current value ({@code args[i]} is depth 1).
 * {@link #toString(int)} renders a prefix, the path of an ancestor still being encoded. One
 * instance per encoding; not thread-safe.
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

  private Step[] steps = new Step[16];
  private Object[] details = new Object[16];
  private int[] indexes = new int[16];
  private int size;

  /** The number of steps: the depth of the current value. */
  int depth() {
    return size;
  }

  /** Enters {@code args[i]}. */
  void pushArg(int i) {
    push(Step.ARG, null, i);
  }

  /** Enters element {@code [i]} of a list or array; move on with {@link #setIndex}. */
  void pushIndex(int i) {
    push(Step.INDEX, null, i);
  }

  /** Moves the top step, an element, to {@code [i]}. */
  void setIndex(int i) {
    indexes[size - 1] = i;
  }

  /** Enters {@code .name}, a record component or field; move on with {@link #setName}. */
  void pushName(String name) {
    push(Step.NAME, name, 0);
  }

  /** Moves the top step, a component or field, to {@code .name}. */
  void setName(String name) {
    details[size - 1] = name;
  }

  /**
   * Enters the value of {@code key}: {@code ["x"]} for a string key, {@code [7]} or {@code [RED]}
   * for simple ones, else {@code [{key#i}]}.
   */
  void pushMapValue(Object key, int sortedIndex) {
    push(Step.MAP_VALUE, key, sortedIndex);
  }

  /** Enters {@code {map key}}: a key of this map. */
  void pushMapKey() {
    push(Step.MAP_KEY, null, 0);
  }

  /** Enters {@code {set element}}. */
  void pushSetElement() {
    push(Step.SET_ELEMENT, null, 0);
  }

  /** Enters {@code .value}: the contents of an Optional. */
  void pushOptionalValue() {
    push(Step.OPTIONAL_VALUE, null, 0);
  }

  /** Leaves the top step. */
  void pop() {
    details[--size] = null;
  }

  private void push(Step step, Object detail, int index) {
    if (size == steps.length) {
      int capacity = size * 2;
      steps = Arrays.copyOf(steps, capacity);
      details = Arrays.copyOf(details, capacity);
      indexes = Arrays.copyOf(indexes, capacity);
    }
    steps[size] = step;
    details[size] = detail;
    indexes[size] = index;
    size++;
  }

  /** The whole path, e.g. {@code args[1].features["x"]}. */
  @Override
  public String toString() {
    return toString(size);
  }

  /** The path of the first {@code depth} steps: where an ancestor of the current value sits. */
  String toString(int depth) {
    StringBuilder sb = new StringBuilder();
    for (int i = 0; i < depth; i++) {
      switch (steps[i]) {
        case ARG -> sb.append("args[").append(indexes[i]).append(']');
        case INDEX -> sb.append('[').append(indexes[i]).append(']');
        case NAME -> sb.append('.').append(details[i]);
        case MAP_VALUE -> appendKey(sb.append('['), details[i], indexes[i]).append(']');
        case MAP_KEY -> sb.append("{map key}");
        case SET_ELEMENT -> sb.append("{set element}");
        case OPTIONAL_VALUE -> sb.append(".value");
      }
    }
    return sb.toString();
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
