package io.pureremote.internal;

import io.pureremote.FunctionId;
import io.pureremote.PureRemote;
import java.lang.reflect.Constructor;
import java.lang.reflect.Method;
import java.lang.reflect.Modifier;
import java.lang.reflect.ParameterizedType;
import java.lang.reflect.Type;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.CompletableFuture;

/**
 * One {@link PureRemote} interface method, parsed once when a proxy is created: its identity,
 * whether it is asynchronous, the implementation class the remote side instantiates, and its code
 * identity when the annotation asks for one ({@code codeHash = true}; null otherwise).
 */
public record RemoteMethod(
    FunctionId id, Class<?> iface, Method method, Class<?> implementation, boolean async, CodeIdentity code) {

  /**
   * The memo key's hash segment of a call whose arguments hash to {@code argsHash}: the args hash
   * itself, or with a code identity both mixed ({@link CodeIdentity#entryHash}).
   */
  public String entryHash(String argsHash) {
    return code == null ? argsHash : code.entryHash(argsHash);
  }

  /**
   * The class a result must be an instance of: the return type (boxed), or for a {@code
   * CompletableFuture<T>} the raw class of {@code T} ({@code Object} when it is a type variable or
   * wildcard).
   */
  public Class<?> valueType() {
    if (!async) {
      return box(method.getReturnType());
    }
    if (method.getGenericReturnType() instanceof java.lang.reflect.ParameterizedType p) {
      java.lang.reflect.Type t = p.getActualTypeArguments()[0];
      if (t instanceof Class<?> c) {
        return c;
      }
      if (t instanceof java.lang.reflect.ParameterizedType pt && pt.getRawType() instanceof Class<?> c) {
        return c;
      }
    }
    return Object.class;
  }

  /**
   * The declared type a result must have: the generic return type, or for a {@code
   * CompletableFuture<T>} its {@code T} ({@code Object} when not declared).
   */
  public java.lang.reflect.Type valueGenericType() {
    if (!async) {
      return method.getGenericReturnType();
    }
    return method.getGenericReturnType() instanceof java.lang.reflect.ParameterizedType p
        ? p.getActualTypeArguments()[0] : Object.class;
  }

  private static Class<?> box(Class<?> type) {
    if (!type.isPrimitive()) {
      return type;
    }
    return java.lang.invoke.MethodType.methodType(type).wrap().returnType();
  }

  /**
   * Parses every abstract method of {@code iface}. All problems are collected and reported
   * together, each naming its method.
   *
   * @throws IllegalArgumentException on misuse
   */
  public static Map<Method, RemoteMethod> parseAll(Class<?> iface, Class<?> implementation) {
    List<String> problems = new ArrayList<>();
    if (!iface.isInterface()) {
      throw new IllegalArgumentException(
          iface.getName() + " is not an interface: declare the @PureRemote methods on an interface and pass its implementation class.");
    }
    if (iface.getTypeParameters().length > 0) {
      problems.add("interface " + iface.getName() + " has type parameters; use a concrete interface");
    }
    checkImplementation(iface, implementation, problems);
    PureRemote typeLevel = iface.getAnnotation(PureRemote.class);
    if (typeLevel != null && !typeLevel.name().isEmpty()) {
      problems.add("@PureRemote on interface " + iface.getName()
          + " sets name=\"" + typeLevel.name() + "\"; a name on the interface would give every method the same identity. Put names on methods.");
    }
    Map<Method, RemoteMethod> methods = new LinkedHashMap<>();
    Map<FunctionId, Method> byId = new HashMap<>();
    for (Method m : iface.getMethods()) {
      if (m.isDefault() || Modifier.isStatic(m.getModifiers())) {
        continue; // default methods run locally and may call the remote ones
      }
      int before = problems.size();
      Optional<FunctionId> id = identity(m, problems);
      boolean async = false;
      Type returnType = m.getGenericReturnType();
      if (m.getReturnType() == void.class) {
        problems.add("returns void; a pure function must return its result" + forMethod(m));
      } else if (m.getReturnType() == CompletableFuture.class) {
        async = true;
        if (returnType instanceof ParameterizedType p && p.getActualTypeArguments()[0] == Void.class) {
          problems.add("returns CompletableFuture<Void>; a pure function must return a result" + forMethod(m));
        }
      } else if (m.getReturnType() == Void.class) {
        problems.add("returns Void; a pure function must return its result" + forMethod(m));
      }
      if (m.getTypeParameters().length > 0) {
        problems.add("is generic; the remote side could not tell the type arguments" + forMethod(m));
      }
      Type[] params = m.getGenericParameterTypes();
      for (int i = 0; i < params.length; i++) {
        Optional<String> problem = ArgsTypeCheck.problem(params[i]);
        if (problem.isPresent()) {
          problems.add("parameter " + i + " (" + params[i].getTypeName() + ") cannot be part of a memo key: "
              + problem.get() + forMethod(m));
        }
      }
      if (id.isPresent()) {
        Method clash = byId.putIfAbsent(id.get(), m);
        if (clash != null) {
          problems.add("has the same identity " + id.get() + " as " + clash
              + "; give overloads distinct @PureRemote(name = ...)" + forMethod(m));
        }
      }
      CodeIdentity code = null;
      if (problems.size() == before && id.isPresent() && wantsCodeHash(m)) {
        try {
          code = CodeIdentity.of(implementation, ownPackages(iface, implementation));
        } catch (IllegalArgumentException | java.io.UncheckedIOException e) {
          problems.add(e.getMessage() + forMethod(m));
        }
      }
      if (problems.size() == before && id.isPresent()) {
        methods.put(m, new RemoteMethod(id.get(), iface, m, implementation, async, code));
      }
    }
    if (!problems.isEmpty()) {
      throw new IllegalArgumentException(
          "Cannot create a Pure Remote proxy for " + iface.getName() + ":\n  - " + String.join("\n  - ", problems));
    }
    if (methods.isEmpty()) {
      throw new IllegalArgumentException(iface.getName() + " has no abstract methods to run remotely.");
    }
    return Map.copyOf(methods);
  }

  /** The identity of {@code m}, as both the caller and the remote side compute it. */
  public static Optional<FunctionId> identity(Method m, List<String> problems) {
    PureRemote annotation = m.getAnnotation(PureRemote.class);
    if (annotation == null) {
      annotation = m.getDeclaringClass().getAnnotation(PureRemote.class);
    }
    if (annotation == null) {
      problems.add("has no @PureRemote; annotate the method or its interface" + forMethod(m));
      return Optional.empty();
    }
    String name = annotation.name().isEmpty()
        ? m.getDeclaringClass().getName() + "#" + m.getName()
        : annotation.name();
    try {
      return Optional.of(new FunctionId(name, annotation.version()));
    } catch (IllegalArgumentException e) {
      problems.add(e.getMessage() + forMethod(m));
      return Optional.empty();
    }
  }

  private static void checkImplementation(Class<?> iface, Class<?> impl, List<String> problems) {
    if (impl == null) {
      problems.add("no implementation class given");
      return;
    }
    if (!iface.isAssignableFrom(impl)) {
      problems.add("implementation " + impl.getName() + " does not implement " + iface.getName());
    }
    if (impl.isInterface() || Modifier.isAbstract(impl.getModifiers())) {
      problems.add("implementation " + impl.getName() + " is abstract; pass a concrete class");
    }
    if (impl.isAnonymousClass() || impl.isLocalClass() || impl.isSynthetic() || impl.isHidden()
        || (impl.isMemberClass() && !Modifier.isStatic(impl.getModifiers()))) {
      problems.add("implementation " + impl.getName()
          + " must be a top-level or static nested class: the remote side creates it by name");
    }
    try {
      Constructor<?> c = impl.getDeclaredConstructor();
      if (c == null) {
        problems.add("implementation " + impl.getName() + " has no no-arg constructor");
      }
    } catch (NoSuchMethodException e) {
      problems.add("implementation " + impl.getName()
          + " needs a no-arg constructor: the remote side creates it by name, so pass inputs as arguments");
    }
  }

  /**
   * Whether {@code m} asks for a code identity: its own annotation's {@code codeHash}, or when it
   * has none, its interface's.
   */
  public static boolean wantsCodeHash(Method m) {
    PureRemote annotation = m.getAnnotation(PureRemote.class);
    if (annotation == null) {
      annotation = m.getDeclaringClass().getAnnotation(PureRemote.class);
    }
    return annotation != null && annotation.codeHash();
  }

  /** The package names whose classes the function's payloads may contain. */
  public List<String> ownPackages() {
    return ownPackages(iface, implementation);
  }

  /** The interface's package and, when different, the implementation's. */
  public static List<String> ownPackages(Class<?> iface, Class<?> implementation) {
    List<String> packages = new ArrayList<>();
    packages.add(iface.getPackageName());
    if (!implementation.getPackageName().equals(iface.getPackageName())) {
      packages.add(implementation.getPackageName());
    }
    return packages;
  }

  static String forMethod(Method m) {
    return "\n      for method " + m.getDeclaringClass().getSimpleName() + "." + m.getName();
  }
}
