package io.pureremote.internal;

import io.pureremote.RemoteFunctionException;
import java.io.PrintWriter;
import java.io.StringWriter;
import java.lang.reflect.Constructor;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * A user function's exception as stored in the {@code error} blob: class, message, printed stack
 * (with causes), structured frames of the top exception and the cause chain. JSON, so it is
 * readable without the classes and by other tools.
 */
final class ErrorRecord {
  private ErrorRecord() {}

  static Map<String, Object> of(Throwable t) {
    Map<String, Object> record = new LinkedHashMap<>();
    record.put("class", t.getClass().getName());
    record.put("message", t.getMessage());
    StringWriter printed = new StringWriter();
    t.printStackTrace(new PrintWriter(printed));
    record.put("stack", printed.toString());
    List<Object> frames = new ArrayList<>();
    for (StackTraceElement e : t.getStackTrace()) {
      frames.add(List.of(e.getClassName(), e.getMethodName(),
          e.getFileName() == null ? "" : e.getFileName(), (long) e.getLineNumber()));
    }
    record.put("frames", frames);
    List<Object> causes = new ArrayList<>();
    for (Throwable c = t.getCause(); c != null && causes.size() < 20; c = c.getCause()) {
      Map<String, Object> cause = new LinkedHashMap<>();
      cause.put("class", c.getClass().getName());
      cause.put("message", c.getMessage());
      causes.add(cause);
    }
    record.put("causes", causes);
    return record;
  }

  /** Turns a stored record into the exception the caller sees. */
  static RemoteFunctionException toException(Map<String, Object> record, String function, String memoUri, ClassLoader loader) {
    String className = String.valueOf(record.get("class"));
    String message = record.get("message") instanceof String s ? s : null;
    String stack = String.valueOf(record.getOrDefault("stack", className));
    return new RemoteFunctionException(function, className, message, stack, memoUri,
        rebuild(className, message, record.get("frames"), loader));
  }

  /**
   * Rebuilds the original exception when its class is loadable and has a (String) or no-arg
   * constructor; its stack trace is the remote one. Otherwise null: the text is still there.
   */
  private static Throwable rebuild(String className, String message, Object frames, ClassLoader loader) {
    try {
      Class<?> type = Class.forName(className, false, loader);
      if (!Throwable.class.isAssignableFrom(type)) {
        return null;
      }
      Throwable t;
      try {
        Constructor<?> c = type.getConstructor(String.class);
        t = (Throwable) c.newInstance(message);
      } catch (NoSuchMethodException e) {
        t = (Throwable) type.getConstructor().newInstance();
      }
      if (frames instanceof List<?> list) {
        List<StackTraceElement> elements = new ArrayList<>();
        for (Object f : list) {
          if (f instanceof List<?> parts && parts.size() == 4) {
            String file = String.valueOf(parts.get(2));
            elements.add(new StackTraceElement(String.valueOf(parts.get(0)), String.valueOf(parts.get(1)),
                file.isEmpty() ? null : file, ((Number) parts.get(3)).intValue()));
          }
        }
        t.setStackTrace(elements.toArray(StackTraceElement[]::new));
      }
      return t;
    } catch (ReflectiveOperationException | LinkageError | RuntimeException e) {
      return null;
    }
  }
}
