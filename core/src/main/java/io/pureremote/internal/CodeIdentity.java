package io.pureremote.internal;

import io.pureremote.MemoEntry;
import java.io.ByteArrayOutputStream;
import java.io.DataOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Deque;
import java.util.HexFormat;
import java.util.IdentityHashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Set;
import java.util.TreeMap;
import java.util.TreeSet;
import java.util.concurrent.ConcurrentHashMap;
import org.objectweb.asm.AnnotationVisitor;
import org.objectweb.asm.ClassReader;
import org.objectweb.asm.ClassVisitor;
import org.objectweb.asm.FieldVisitor;
import org.objectweb.asm.Handle;
import org.objectweb.asm.Label;
import org.objectweb.asm.MethodVisitor;
import org.objectweb.asm.Opcodes;
import org.objectweb.asm.Type;

/**
 * The opt-in code identity of a function ({@code @PureRemote(codeHash = true)}): a hash of the
 * implementation's class file and of every class it reaches, transitively, inside its own packages
 * (the interface's and the implementation's packages and their subpackages).
 *
 * <p>Each class is hashed in a canonical form read with ASM: access flags, names, signatures,
 * fields, annotations and every instruction with its constant-pool operands resolved, methods and
 * fields sorted by name, debug attributes (line numbers, local variable names, source file) and
 * stack-map frames left out. So recompiling the same source, or editing a comment that moves
 * lines, keeps the hash; changing a helper method's body, a constant or a field changes it. Classes
 * outside the own packages (the JDK, libraries) are not covered: their changes still need a
 * {@code version} bump.
 *
 * @param hash lowercase hex SHA-256 over every covered class's name and canonical-form hash
 * @param classes each covered class's binary name and the first 16 hex digits of its canonical-form
 *     hash ({@link #ABSENT} for a class the code references but the class loader does not have),
 *     sorted by name; what {@code why-miss} compares to name the class that changed
 */
public record CodeIdentity(String hash, Map<String, String> classes) {
  /** The per-class value of a referenced class that has no class file. */
  public static final String ABSENT = "absent";

  /** The most classes one identity covers: a walk beyond it is a mistake worth stopping. */
  static final int MAX_CLASSES = 5_000;

  private static final ClassValue<Map<List<String>, CodeIdentity>> CACHE = new ClassValue<>() {
    @Override
    protected Map<List<String>, CodeIdentity> computeValue(Class<?> type) {
      return new ConcurrentHashMap<>();
    }
  };

  /** Copies the class map, keeping it sorted. */
  public CodeIdentity {
    Objects.requireNonNull(hash, "hash");
    classes = java.util.Collections.unmodifiableMap(new TreeMap<>(classes));
  }

  /**
   * The identity of {@code implementation} and what it reaches inside {@code packages}, read from
   * the class files of the implementation's class loader; computed once per class and package list.
   *
   * @throws IllegalArgumentException when the implementation's own class file cannot be read or
   *     the walk passes {@value #MAX_CLASSES} classes
   */
  public static CodeIdentity of(Class<?> implementation, List<String> packages) {
    return CACHE.get(implementation).computeIfAbsent(List.copyOf(packages), p -> compute(implementation, p));
  }

  /**
   * The memo key's hash segment for a call with this code and {@code argsHash}: the SHA-256 of
   * both, so a code change is a miss while equal arguments under equal code still hit.
   */
  public String entryHash(String argsHash) {
    return sha256Hex(("pureremote-code/1\n" + argsHash + "\n" + hash).getBytes(StandardCharsets.UTF_8));
  }

  /** What an invocation records of this code, beside the arguments' own hash. */
  public MemoEntry.Invocation.Code recorded(String argsHash) {
    return new MemoEntry.Invocation.Code(hash, argsHash, classes);
  }

  private static CodeIdentity compute(Class<?> implementation, List<String> packages) {
    ClassLoader loader = implementation.getClassLoader() != null
        ? implementation.getClassLoader() : ClassLoader.getPlatformClassLoader();
    Map<String, byte[]> digests = new TreeMap<>();
    Deque<String> todo = new ArrayDeque<>();
    Set<String> seen = new java.util.HashSet<>();
    String start = Type.getInternalName(implementation);
    todo.add(start);
    seen.add(start);
    while (!todo.isEmpty()) {
      String internalName = todo.removeFirst();
      if (digests.size() >= MAX_CLASSES) {
        throw new IllegalArgumentException("The code hash of " + implementation.getName() + " reaches more than "
            + MAX_CLASSES + " classes in " + packages + "; put the function in a package of its own, or use "
            + "@PureRemote(version = ...) instead of codeHash = true");
      }
      byte[] bytes = classFile(loader, internalName);
      String binaryName = internalName.replace('/', '.');
      if (bytes == null) {
        if (internalName.equals(start)) {
          throw new IllegalArgumentException("codeHash = true needs the class file of " + implementation.getName()
              + ", but its class loader has no " + internalName + ".class resource (a class generated at run time "
              + "cannot be hashed); turn codeHash off for it or load it from a jar or folder");
        }
        digests.put(binaryName, null);
        continue;
      }
      Canonical canonical = new Canonical(name -> inScope(name, packages));
      new ClassReader(bytes).accept(canonical, ClassReader.SKIP_DEBUG | ClassReader.SKIP_FRAMES);
      digests.put(binaryName, canonical.digest());
      for (String reached : canonical.reached) {
        if (seen.add(reached)) {
          todo.add(reached);
        }
      }
    }
    MessageDigest all = sha256();
    Map<String, String> classes = new TreeMap<>();
    digests.forEach((name, digest) -> {
      all.update(name.getBytes(StandardCharsets.UTF_8));
      all.update((byte) 0);
      all.update(digest == null ? ABSENT.getBytes(StandardCharsets.US_ASCII) : digest);
      all.update((byte) '\n');
      classes.put(name, digest == null ? ABSENT : HexFormat.of().formatHex(digest, 0, 8));
    });
    return new CodeIdentity(HexFormat.of().formatHex(all.digest()), classes);
  }

  private static byte[] classFile(ClassLoader loader, String internalName) {
    try (InputStream in = loader.getResourceAsStream(internalName + ".class")) {
      return in == null ? null : in.readAllBytes();
    } catch (IOException e) {
      throw new UncheckedIOException("Cannot read the class file of " + internalName.replace('/', '.')
          + " for its code hash", e);
    }
  }

  /** Whether a class (internal name) lies in one of the packages or their subpackages. */
  static boolean inScope(String internalName, List<String> packages) {
    int slash = internalName.lastIndexOf('/');
    String pkg = slash < 0 ? "" : internalName.substring(0, slash).replace('/', '.');
    for (String p : packages) {
      if (pkg.equals(p) || (!p.isEmpty() && pkg.startsWith(p + "."))) {
        return true;
      }
    }
    return false;
  }

  private static MessageDigest sha256() {
    return Sha256.digest();
  }

  private static String sha256Hex(byte[] bytes) {
    return HexFormat.of().formatHex(sha256().digest(bytes));
  }

  /**
   * Writes a class's canonical form: every member as its own byte string, members sorted, so the
   * constant pool's order and the order javac emits members in do not matter; and collects the
   * classes in scope that the class refers to.
   */
  private static final class Canonical extends ClassVisitor {
    private final java.util.function.Predicate<String> scope;
    final Set<String> reached = new TreeSet<>();
    private final Out header = new Out();
    private final List<byte[]> members = new ArrayList<>();

    Canonical(java.util.function.Predicate<String> scope) {
      super(Opcodes.ASM9);
      this.scope = scope;
    }

    byte[] digest() {
      MessageDigest md = sha256();
      md.update(header.bytes());
      members.sort(Arrays::compare);
      for (byte[] member : members) {
        md.update(member);
      }
      return md.digest();
    }

    void refer(String internalNameOrDescriptor) {
      if (internalNameOrDescriptor == null) {
        return;
      }
      Type type = internalNameOrDescriptor.startsWith("[") || internalNameOrDescriptor.startsWith("(")
          ? Type.getType(internalNameOrDescriptor) : Type.getObjectType(internalNameOrDescriptor);
      referType(type);
    }

    void referType(Type type) {
      switch (type.getSort()) {
        case Type.ARRAY -> referType(type.getElementType());
        case Type.OBJECT -> {
          if (scope.test(type.getInternalName())) {
            reached.add(type.getInternalName());
          }
        }
        case Type.METHOD -> {
          referType(type.getReturnType());
          for (Type arg : type.getArgumentTypes()) {
            referType(arg);
          }
        }
        default -> { }
      }
    }

    void referConstant(Object value) {
      if (value instanceof Type t) {
        referType(t);
      } else if (value instanceof Handle h) {
        refer(h.getOwner());
        refer(h.getDesc());
      } else if (value instanceof org.objectweb.asm.ConstantDynamic c) {
        refer(c.getDescriptor());
        referConstant(c.getBootstrapMethod());
        for (int i = 0; i < c.getBootstrapMethodArgumentCount(); i++) {
          referConstant(c.getBootstrapMethodArgument(i));
        }
      }
    }

    @Override
    public void visit(int version, int access, String name, String signature, String superName, String[] interfaces) {
      // The class-file version is left out: the same source built for another release keeps its hash.
      header.text("class").number(access).text(name).text(signature).text(superName);
      refer(superName);
      for (String i : interfaces == null ? new String[0] : interfaces) {
        header.text(i);
        refer(i);
      }
    }

    @Override
    public AnnotationVisitor visitAnnotation(String descriptor, boolean visible) {
      refer(descriptor);
      return new Annotations(header.text("@").text(descriptor));
    }

    @Override
    public FieldVisitor visitField(int access, String name, String descriptor, String signature, Object value) {
      Out field = new Out().text("field").text(name).text(descriptor).number(access).text(signature).constant(value);
      refer(descriptor);
      members.add(null); // placeholder replaced at visitEnd of the field
      int slot = members.size() - 1;
      return new FieldVisitor(Opcodes.ASM9) {
        @Override
        public AnnotationVisitor visitAnnotation(String annotation, boolean visible) {
          refer(annotation);
          return new Annotations(field.text("@").text(annotation));
        }

        @Override
        public void visitEnd() {
          members.set(slot, field.bytes());
        }
      };
    }

    @Override
    public MethodVisitor visitMethod(int access, String name, String descriptor, String signature, String[] exceptions) {
      Out method = new Out().text("method").text(name).text(descriptor).number(access).text(signature);
      for (String e : exceptions == null ? new String[0] : exceptions) {
        method.text(e);
      }
      refer(descriptor);
      members.add(null);
      int slot = members.size() - 1;
      return new Instructions(method, () -> members.set(slot, method.bytes()));
    }

    /** A method's instructions, labels numbered in order of first use. */
    private final class Instructions extends MethodVisitor {
      private final Out out;
      private final Runnable end;
      private final Map<Label, Integer> labels = new IdentityHashMap<>();

      Instructions(Out out, Runnable end) {
        super(Opcodes.ASM9);
        this.out = out;
        this.end = end;
      }

      private Out label(Label label) {
        return out.number(labels.computeIfAbsent(label, l -> labels.size()));
      }

      @Override
      public AnnotationVisitor visitAnnotation(String descriptor, boolean visible) {
        refer(descriptor);
        return new Annotations(out.text("@").text(descriptor));
      }

      @Override
      public AnnotationVisitor visitAnnotationDefault() {
        return new Annotations(out.text("@default"));
      }

      @Override
      public void visitInsn(int opcode) {
        out.number(opcode);
      }

      @Override
      public void visitIntInsn(int opcode, int operand) {
        out.number(opcode).number(operand);
      }

      @Override
      public void visitVarInsn(int opcode, int varIndex) {
        out.number(opcode).number(varIndex);
      }

      @Override
      public void visitTypeInsn(int opcode, String type) {
        out.number(opcode).text(type);
        refer(type);
      }

      @Override
      public void visitFieldInsn(int opcode, String owner, String name, String descriptor) {
        out.number(opcode).text(owner).text(name).text(descriptor);
        refer(owner);
      }

      @Override
      public void visitMethodInsn(int opcode, String owner, String name, String descriptor, boolean isInterface) {
        out.number(opcode).text(owner).text(name).text(descriptor).number(isInterface ? 1 : 0);
        refer(owner);
      }

      @Override
      public void visitInvokeDynamicInsn(String name, String descriptor, Handle bootstrap, Object... arguments) {
        out.number(Opcodes.INVOKEDYNAMIC).text(name).text(descriptor).constant(bootstrap);
        referConstant(bootstrap);
        for (Object argument : arguments) {
          out.constant(argument);
          referConstant(argument);
        }
      }

      @Override
      public void visitJumpInsn(int opcode, Label label) {
        label(label).number(opcode);
      }

      @Override
      public void visitLabel(Label label) {
        out.text("L");
        label(label);
      }

      @Override
      public void visitLdcInsn(Object value) {
        out.number(Opcodes.LDC).constant(value);
        referConstant(value);
      }

      @Override
      public void visitIincInsn(int varIndex, int increment) {
        out.number(Opcodes.IINC).number(varIndex).number(increment);
      }

      @Override
      public void visitTableSwitchInsn(int min, int max, Label dflt, Label... targets) {
        out.number(Opcodes.TABLESWITCH).number(min).number(max);
        label(dflt);
        for (Label target : targets) {
          label(target);
        }
      }

      @Override
      public void visitLookupSwitchInsn(Label dflt, int[] keys, Label[] targets) {
        out.number(Opcodes.LOOKUPSWITCH);
        label(dflt);
        for (int i = 0; i < keys.length; i++) {
          out.number(keys[i]);
          label(targets[i]);
        }
      }

      @Override
      public void visitMultiANewArrayInsn(String descriptor, int dimensions) {
        out.number(Opcodes.MULTIANEWARRAY).text(descriptor).number(dimensions);
        refer(descriptor);
      }

      @Override
      public void visitTryCatchBlock(Label start, Label stop, Label handler, String type) {
        out.text("try");
        label(start);
        label(stop);
        label(handler);
        out.text(type);
        refer(type);
      }

      @Override
      public void visitEnd() {
        end.run();
      }
    }

    /** Annotation values, in the order the class file gives them. */
    private final class Annotations extends AnnotationVisitor {
      private final Out out;

      Annotations(Out out) {
        super(Opcodes.ASM9);
        this.out = out;
      }

      @Override
      public void visit(String name, Object value) {
        out.text(name).constant(value instanceof Object[] ? Arrays.deepToString((Object[]) value)
            : value != null && value.getClass().isArray() ? arrayText(value) : value);
        referConstant(value);
      }

      @Override
      public void visitEnum(String name, String descriptor, String value) {
        out.text(name).text(descriptor).text(value);
        refer(descriptor);
      }

      @Override
      public AnnotationVisitor visitAnnotation(String name, String descriptor) {
        refer(descriptor);
        return new Annotations(out.text(name).text("@").text(descriptor));
      }

      @Override
      public AnnotationVisitor visitArray(String name) {
        return new Annotations(out.text(name).text("[]"));
      }

      private static String arrayText(Object array) {
        int length = java.lang.reflect.Array.getLength(array);
        StringBuilder sb = new StringBuilder("[");
        for (int i = 0; i < length; i++) {
          sb.append(java.lang.reflect.Array.get(array, i)).append(',');
        }
        return sb.append(']').toString();
      }
    }
  }

  /** A length-prefixed byte string: texts and numbers can never run into each other. */
  private static final class Out {
    private final ByteArrayOutputStream bytes = new ByteArrayOutputStream();
    private final DataOutputStream data = new DataOutputStream(bytes);

    Out text(String s) {
      try {
        if (s == null) {
          data.writeInt(-1);
        } else {
          byte[] b = s.getBytes(StandardCharsets.UTF_8);
          data.writeInt(b.length);
          data.write(b);
        }
      } catch (IOException e) {
        throw new UncheckedIOException(e); // a ByteArrayOutputStream does not fail
      }
      return this;
    }

    Out number(long n) {
      try {
        data.writeLong(n);
      } catch (IOException e) {
        throw new UncheckedIOException(e);
      }
      return this;
    }

    /** A constant as its type and value: {@code 1} the int and {@code "1"} the string differ. */
    Out constant(Object value) {
      if (value == null) {
        return text(null);
      }
      if (value instanceof Handle h) {
        return text("handle").number(h.getTag()).text(h.getOwner()).text(h.getName()).text(h.getDesc())
            .number(h.isInterface() ? 1 : 0);
      }
      if (value instanceof org.objectweb.asm.ConstantDynamic c) {
        text("condy").text(c.getName()).text(c.getDescriptor()).constant(c.getBootstrapMethod());
        for (int i = 0; i < c.getBootstrapMethodArgumentCount(); i++) {
          constant(c.getBootstrapMethodArgument(i));
        }
        return this;
      }
      if (value instanceof Float f) {
        return text("F").number(Float.floatToRawIntBits(f));
      }
      if (value instanceof Double d) {
        return text("D").number(Double.doubleToRawLongBits(d));
      }
      return text(value.getClass().getSimpleName()).text(value.toString());
    }

    byte[] bytes() {
      return bytes.toByteArray();
    }
  }
}
