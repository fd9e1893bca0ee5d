package io.pureremote.cli;

import io.pureremote.Keys.KeyDiff;
import io.pureremote.Keys;
import java.io.File;
import java.io.IOException;
import java.io.PrintWriter;
import java.io.UncheckedIOException;
import java.lang.reflect.Method;
import java.lang.reflect.Modifier;
import java.net.MalformedURLException;
import java.net.URL;
import java.net.URLClassLoader;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Objects;
import java.util.stream.Collectors;
import java.util.stream.Stream;
import picocli.CommandLine;

/**
 * {@code pureremote why-miss --function com.acme.Scoring#score --classpath app.jar:libs/* --args
 * '[...]' --args '[...]'}: loads the interface, reads each JSON array as the method's arguments
 * ({@link JsonArgs}) and prints {@link Keys#whyMiss}'s report. Every mistake is a usage error
 * (exit 2) that says what was expected.
 */
final class WhyMissByArgs {
  static final String USE_THE_API = "compare such calls from Java with io.pureremote.Keys.whyMiss(iface, method, argsA, argsB)";

  private WhyMissByArgs() {}

  static int run(CommandLine cl, String function, String classpath, List<String> args) {
    if (function == null) {
      throw usage(cl, "--args needs --function <interface>#<method>");
    }
    if (args.size() != 2) {
      throw usage(cl, "--function needs --args exactly twice (call A, then call B), got " + args.size());
    }
    int hash = function.indexOf('#');
    if (hash <= 0 || hash == function.length() - 1 || function.indexOf('#', hash + 1) >= 0) {
      throw usage(cl, "--function '" + function + "' should be <interface>#<method>, e.g. com.acme.Scoring#score");
    }
    String className = function.substring(0, hash);
    String methodName = function.substring(hash + 1);
    ClassLoader parent = Objects.requireNonNullElse(Thread.currentThread().getContextClassLoader(),
        WhyMissByArgs.class.getClassLoader());
    try (URLClassLoader loader = new URLClassLoader(urls(cl, classpath), parent)) {
      Class<?> iface = load(cl, className, loader, classpath);
      Method method = method(cl, iface, methodName, args.getFirst());
      KeyDiff diff;
      try {
        JsonArgs.checkMappable(method);
        Object[] a = JsonArgs.parse(method, args.get(0), "--args #1");
        Object[] b = JsonArgs.parse(method, args.get(1), "--args #2");
        diff = Keys.whyMiss(method, a, b);
      } catch (JsonArgs.Unmappable e) {
        throw usage(cl, e.getMessage() + ". The CLI reads JSON only; " + USE_THE_API);
      } catch (IllegalArgumentException e) {
        throw usage(cl, e.getMessage());
      }
      PrintWriter out = cl.getOut();
      out.print("A           " + args.get(0) + "\nB           " + args.get(1) + "\n" + diff);
      out.flush();
      return PureRemoteCli.OK;
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }

  /** The entries of {@code classpath}, with {@code dir/*} expanded to the jars in {@code dir}. */
  static URL[] urls(CommandLine cl, String classpath) {
    if (classpath == null || classpath.isBlank()) {
      return new URL[0];
    }
    List<URL> urls = new ArrayList<>();
    for (String entry : classpath.split(File.pathSeparator)) {
      if (entry.isBlank()) {
        continue;
      }
      try {
        if (entry.equals("*") || entry.endsWith(File.separator + "*") || entry.endsWith("/*")) {
          Path dir = Path.of(entry.substring(0, entry.length() - 1).isEmpty() ? "." : entry.substring(0, entry.length() - 1));
          if (!Files.isDirectory(dir)) {
            throw usage(cl, "--classpath entry '" + entry + "': no folder " + dir.toAbsolutePath());
          }
          try (Stream<Path> jars = Files.list(dir)) {
            for (Path jar : jars.filter(p -> p.getFileName().toString().toLowerCase(java.util.Locale.ROOT).endsWith(".jar"))
                .sorted().toList()) {
              urls.add(jar.toUri().toURL());
            }
          }
        } else {
          Path path = Path.of(entry);
          if (!Files.exists(path)) {
            throw usage(cl, "--classpath entry '" + entry + "' does not exist (" + path.toAbsolutePath() + ")");
          }
          urls.add(path.toUri().toURL());
        }
      } catch (MalformedURLException e) {
        throw usage(cl, "--classpath entry '" + entry + "': " + e.getMessage());
      } catch (IOException e) {
        throw new UncheckedIOException(e);
      }
    }
    return urls.toArray(URL[]::new);
  }

  /** Loads {@code name}, also as a nested type written with dots ({@code com.acme.Outer.Inner}). */
  private static Class<?> load(CommandLine cl, String name, ClassLoader loader, String classpath) {
    String candidate = name;
    while (true) {
      try {
        Class<?> c = Class.forName(candidate, false, loader);
        if (!c.isInterface()) {
          throw usage(cl, name + " is a class, not an interface: name the interface that declares the @PureRemote method");
        }
        return c;
      } catch (ClassNotFoundException | LinkageError e) {
        int dot = candidate.lastIndexOf('.');
        if (dot < 0) {
          throw usage(cl, "Interface " + name + " not found on "
              + (classpath == null ? "the CLI's class path; add the application's jars with --classpath" : "--classpath " + classpath));
        }
        candidate = candidate.substring(0, dot) + "$" + candidate.substring(dot + 1);
      }
    }
  }

  private static Method method(CommandLine cl, Class<?> iface, String name, String firstArgs) {
    List<Method> named = Arrays.stream(iface.getMethods())
        .filter(m -> m.getName().equals(name) && !Modifier.isStatic(m.getModifiers()) && !m.isDefault())
        .toList();
    if (named.isEmpty()) {
      String names = Arrays.stream(iface.getMethods())
          .filter(m -> !Modifier.isStatic(m.getModifiers()) && !m.isDefault())
          .map(Method::getName).distinct().sorted().collect(Collectors.joining(", "));
      throw usage(cl, iface.getName() + " has no method '" + name + "'" + (names.isEmpty() ? "" : "; its methods: " + names));
    }
    if (named.size() == 1) {
      return named.getFirst();
    }
    // Overloads: pick by the number of values in the first --args.
    int arity;
    try {
      arity = JsonText.parse(firstArgs) instanceof List<?> l ? l.size() : -1;
    } catch (IllegalArgumentException e) {
      arity = -1;
    }
    if (arity < 0) {
      try {
        JsonArgs.parse(named.getFirst(), firstArgs, "--args #1"); // says what is wrong with the JSON
      } catch (IllegalArgumentException e) {
        throw usage(cl, e.getMessage());
      }
    }
    int n = arity;
    List<Method> fitting = named.stream().filter(m -> m.getParameterCount() == n).toList();
    if (fitting.size() == 1) {
      return fitting.getFirst();
    }
    throw usage(cl, iface.getName() + "#" + name + " is overloaded ("
        + named.stream().map(m -> name + "(" + Arrays.stream(m.getParameterTypes()).map(Class::getSimpleName)
            .collect(Collectors.joining(", ")) + ")").collect(Collectors.joining(", "))
        + ") and the first --args does not pick one by its number of values; " + USE_THE_API);
  }

  private static CommandLine.ParameterException usage(CommandLine cl, String message) {
    return new CommandLine.ParameterException(cl, message);
  }
}
