package io.pureremote.internal;

import java.io.File;
import java.io.InputStream;
import java.io.OutputStream;
import java.io.Reader;
import java.io.Writer;
import java.net.DatagramSocket;
import java.net.ServerSocket;
import java.net.Socket;
import java.nio.channels.Channel;
import java.nio.file.Path;
import java.util.Enumeration;
import java.util.Iterator;
import java.util.List;
import java.util.Map;
import java.util.Spliterator;
import java.util.concurrent.Callable;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.Future;
import java.util.stream.BaseStream;

/**
 * The types that can never be part of a memo key and why, shared by the runtime encoder and the
 * static parameter check so both say the same thing. Reasons are noun phrases: callers write "X is
 * &lt;reason&gt;" or "... has type X, &lt;reason&gt;".
 */
final class ArgsRefusals {
  static final String FUNCTION = "a function object: pass data, not code";
  static final String LAMBDA =
      "a lambda or other hidden class, a function object: pass data, not code";
  static final String PROXY = "a dynamic proxy, a function object: pass data, not code";
  static final String ANONYMOUS =
      "an anonymous class, whose name is not stable: use a named class or a record";
  static final String BARE_OBJECT = "a bare java.lang.Object, which has no state to key on";
  static final String OTHER_JDK =
      "a JDK type without a canonical encoding: convert it to a supported value"
          + " (a record, String, number, List, Set, Map, java.time value, ...)";
  static final String LOCAL_PATH =
      "a local path, and a local path is not content: pass a BlobRef or the data itself";

  private static final String IO =
      "an I/O stream or channel, not content: pass the data itself or a BlobRef";
  private static final String ONE_SHOT =
      "a one-shot iterator or stream: collect it into a List or Set first";

  // Checked in order with isAssignableFrom, so subclasses in user code are refused too.
  private static final List<Map.Entry<Class<?>, String>> REFUSED =
      List.of(
          Map.entry(File.class, LOCAL_PATH),
          Map.entry(Path.class, LOCAL_PATH),
          Map.entry(Thread.class, "a thread, live state rather than data"),
          Map.entry(InputStream.class, IO),
          Map.entry(OutputStream.class, IO),
          Map.entry(Reader.class, IO),
          Map.entry(Writer.class, IO),
          Map.entry(Channel.class, IO),
          Map.entry(Socket.class, IO),
          Map.entry(ServerSocket.class, IO),
          Map.entry(DatagramSocket.class, IO),
          Map.entry(Iterator.class, ONE_SHOT),
          Map.entry(Spliterator.class, ONE_SHOT),
          Map.entry(Enumeration.class, ONE_SHOT),
          Map.entry(BaseStream.class, ONE_SHOT),
          Map.entry(
              Class.class, "a Class object, code rather than data: pass an enum or the class name"),
          Map.entry(ClassLoader.class, "a class loader, runtime machinery rather than data"),
          Map.entry(Future.class, "a pending computation: pass its result instead"),
          Map.entry(CompletionStage.class, "a pending computation: pass its result instead"));

  private ArgsRefusals() {}

  /** Why values of {@code c} (or its subtypes) can never be keyed, or null. */
  static String refusal(Class<?> c) {
    for (Map.Entry<Class<?>, String> e : REFUSED) {
      if (e.getKey().isAssignableFrom(c)) {
        return e.getValue();
      }
    }
    return null;
  }

  /** A declared interface that is a function type: {@code java.util.function.*}, Runnable, ... */
  static boolean isFunctionInterface(Class<?> c) {
    return c.isInterface()
        && (c.getPackageName().equals("java.util.function")
            || c == Runnable.class
            || c == Callable.class
            || c.isAnnotationPresent(FunctionalInterface.class));
  }

  /**
   * Whether {@code c} belongs to the JDK (by package), whose internals the key must not depend on.
   */
  static boolean isJdk(Class<?> c) {
    String n = c.getName();
    return n.startsWith("java.")
        || n.startsWith("javax.")
        || n.startsWith("jdk.")
        || n.startsWith("sun.")
        || n.startsWith("com.sun.");
  }
}
