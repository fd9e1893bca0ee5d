package io.pureremote.internal;

import io.pureremote.RemoteFunctionException;
import java.io.PrintWriter;
import java.io.StringWriter;
import java.lang.reflect.Constructor;
import java.util.ArrayList;
import java.util.Collections;
import java.util.IdentityHashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * A user function's exception as stored in the {@code error} blob: class, message, printed stack
 * (with causes), structured frames of the top exception, the cause chain (each cause with its
 * class, message, frames and suppressed exceptions) and the top exception's suppressed ones. JSON,
 * so it is readable without the classes and by other tools.
 */
final class ErrorRecord {
  /** Causes kept per chain and suppressed kept per exception: enough for any real chain, bounded. */
  private static final int MAX_LINKS = 20;
  /** Frames kept per cause or suppressed exception (the top exception keeps all the JVM gives). */
  private static final int MAX_FRAMES = 256;

  private ErrorRecord() {}

  static Map<String, Object> of(Throwable t) {
    Map<String, Object> record = new LinkedHashMap<>();
    record.put("class", t.getClass().getName());
    record.put("message", t.getMessage());
    StringWriter printed = new StringWriter();
    t.printStackTrace(new PrintWriter(printed));
    record.put("stack", printed.toString());
    record.put("frames", frames(t, Integer.MAX_VALUE));
    Set<Throwable> seen = Collections.newSetFromMap(new IdentityHashMap<>());
    seen.add(t);
    List<Object> causes = new ArrayList<>();
    for (Throwable c = t.getCause(); c != null && causes.size() < MAX_LINKS && seen.add(c); c = c.getCause()) {
      Map<String, Object> cause = link(c);
      cause.put("suppressed", suppressed(c));
      causes.add(cause);
    }
    record.put("causes", causes);
    record.put("suppressed", suppressed(t));
    return record;
  }

  private static Map<String, Object> link(Throwable t) {
    Map<String, Object> link = new LinkedHashMap<>();
    link.put("class", t.getClass().getName());
    link.put("message", t.getMessage());
    link.put("frames", frames(t, MAX_FRAMES));
    return link;
  }

  private static List<Object> suppressed(Throwable t) {
    List<Object> suppressed = new ArrayList<>();
    for (Throwable s : t.getSuppressed()) {
      if (suppressed.size() == MAX_LINKS) {
        break;
      }
      suppressed.add(link(s));
    }
    return suppressed;
  }

  private static List<Object> frames(Throwable t, int max) {
    List<Object> frames = new ArrayList<>();
    for (StackTraceElement e : t.getStackTrace()) {
      if (frames.size() == max) {
        break;
      }
      frames.add(List.of(e.getClassName(), e.getMethodName(),
          e.getFileName() == null ? "" : e.getFileName(), (long) e.getLineNumber()));
    }
    return frames;
  }

  /** Turns a stored record into the exception the caller sees, with the remote chain as its cause. */
  static RemoteFunctionException toException(Map<String, Object> record, String function, String memoUri, ClassLoader loader) {
    String className = String.valueOf(record.get("class"));
    String message = record.get("message") instanceof String s ? s : null;
    String stack = String.valueOf(record.getOrDefault("stack", className));
    Throwable top = rebuild(record, loader);
    Throwable last = top;
    if (record.get("causes") instanceof List<?> causes) {
      for (Object c : causes) {
        if (!(c instanceof Map<?, ?> link)) {
          break;
        }
        Throwable cause = rebuild(link, loader);
        last = attach(last, cause);
        if (last == null) {
          break;
        }
      }
    }
    return new RemoteFunctionException(function, className, message, stack, memoUri, top);
  }

  /**
   * Makes {@code cause} the cause of {@code t} and returns the link the next cause attaches to;
   * null when {@code t} does not take a cause (its constructor set one already).
   */
  private static Throwable attach(Throwable t, Throwable cause) {
    try {
      t.initCause(cause);
      return cause;
    } catch (IllegalStateException | IllegalArgumentException e) {
      return null; // the chain's text is still in the record's printed stack
    }
  }

  /**
   * One exception of the chain: the original class when it is loadable and has a (String) or
   * no-arg constructor, else a stand-in naming it; with its remote frames and suppressed ones.
   */
  private static Throwable rebuild(Map<?, ?> link, ClassLoader loader) {
    String className = String.valueOf(link.get("class"));
    String message = link.get("message") instanceof String s ? s : null;
    Throwable t = instantiate(className, message, loader);
    if (t == null) {
      t = new RemoteFunctionException.RemoteCause(className, message);
    }
    t.setStackTrace(stackTrace(link.get("frames")));
    if (link.get("suppressed") instanceof List<?> suppressed) {
      for (Object s : suppressed) {
        if (s instanceof Map<?, ?> one) {
          t.addSuppressed(rebuild(one, loader));
        }
      }
    }
    return t;
  }

  private static Throwable instantiate(String className, String message, ClassLoader loader) {
    try {
      Class<?> type = Class.forName(className, false, loader);
      if (!Throwable.class.isAssignableFrom(type)) {
        return null;
      }
      try {
        Constructor<?> c = type.getConstructor(String.class);
        return (Throwable) c.newInstance(message);
      } catch (NoSuchMethodException e) {
        return (Throwable) type.getConstructor().newInstance();
      }
    } catch (ReflectiveOperationException | LinkageError | RuntimeException e) {
      return null;
    }
  }

  private static StackTraceElement[] stackTrace(Object frames) {
    List<StackTraceElement> elements = new ArrayList<>();
    if (frames instanceof List<?> list) {
      for (Object f : list) {
        if (f instanceof List<?> parts && parts.size() == 4 && parts.get(3) instanceof Number line) {
          String file = String.valueOf(parts.get(2));
          elements.add(new StackTraceElement(String.valueOf(parts.get(0)), String.valueOf(parts.get(1)),
              file.isEmpty() ? null : file, line.intValue()));
        }
      }
    }
    return elements.toArray(StackTraceElement[]::new);
  }
}
