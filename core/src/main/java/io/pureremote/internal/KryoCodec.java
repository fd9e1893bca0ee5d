package io.pureremote.internal;

import com.esotericsoftware.kryo.Kryo;
import com.esotericsoftware.kryo.KryoException;
import com.esotericsoftware.kryo.Registration;
import com.esotericsoftware.kryo.Serializer;
import com.esotericsoftware.kryo.io.Input;
import com.esotericsoftware.kryo.io.Output;
import com.esotericsoftware.kryo.serializers.CollectionSerializer;
import com.esotericsoftware.kryo.serializers.DefaultArraySerializers;
import com.esotericsoftware.kryo.serializers.DefaultSerializers;
import com.esotericsoftware.kryo.serializers.MapSerializer;
import com.esotericsoftware.kryo.util.DefaultClassResolver;
import com.esotericsoftware.kryo.util.DefaultInstantiatorStrategy;
import com.esotericsoftware.kryo.util.Pool;
import io.pureremote.BlobRef;
import io.pureremote.CorruptBlobException;
import io.pureremote.SerializationException;
import io.pureremote.spi.BlobStore;
import java.io.IOException;
import java.io.ObjectOutputStream;
import java.io.OutputStream;
import java.util.ArrayList;
import java.util.Collection;
import java.util.Collections;
import java.util.Arrays;
import java.util.EnumMap;
import java.util.HashMap;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;
import java.util.TreeSet;
import java.util.UUID;
import org.objenesis.strategy.StdInstantiatorStrategy;

/**
 * Kryo 5 payloads with a class allowlist: JDK value types and collections, Pure Remote's own
 * types, and the packages given (the function's packages plus configured ones). A class outside the
 * list is refused on both write and read with a {@link SerializationException} naming the class
 * and how to allow it, so a payload can never make the reader instantiate arbitrary classes.
 *
 * <p>Thread-safe: Kryo instances come from a pool.
 */
public final class KryoCodec {
  /** Serializer name and version recorded in blob headers. */
  public static final String NAME = "kryo";

  public static final String VERSION = "5.6.2";

  static {
    // Kryo's Util probes sun.misc.Unsafe on first use unless kryo.unsafe=false; on JDK 24+ that
    // prints four "terminally deprecated" WARNING lines in the user's JVM. The codec uses only
    // Kryo's safe streams, so turn the probe off (a value the user set wins).
    if (System.getProperty("kryo.unsafe") == null) {
      System.setProperty("kryo.unsafe", "false");
    }
  }

  /** Kryo context key of the list that collects the BlobRefs written or read, or null. */
  private static final String REFS = "pureremote.blobRefs";

  /** Kryo's buffer over a stream: small, as thousands of calls may serialize at once. */
  private static final int STREAM_BUFFER = 16 << 10;

  /** Exact JDK classes allowed besides primitives, {@code java.time} and the prefixes below. */
  private static final Set<String> JDK_CLASSES =
      Set.of(
          "java.lang.Object", "java.lang.String", "java.lang.Boolean", "java.lang.Byte",
          "java.lang.Short", "java.lang.Integer", "java.lang.Long", "java.lang.Float",
          "java.lang.Double", "java.lang.Character", "java.lang.Void",
          "java.math.BigDecimal", "java.math.BigInteger",
          "java.util.ArrayList", "java.util.LinkedList", "java.util.ArrayDeque",
          "java.util.HashMap", "java.util.LinkedHashMap", "java.util.TreeMap", "java.util.EnumMap",
          "java.util.HashSet", "java.util.LinkedHashSet", "java.util.TreeSet",
          "java.util.RegularEnumSet", "java.util.JumboEnumSet", "java.util.BitSet",
          "java.util.UUID", "java.util.Optional", "java.util.OptionalInt", "java.util.OptionalLong",
          "java.util.OptionalDouble", "java.util.Locale", "java.util.Currency", "java.util.Date",
          "java.util.Arrays$ArrayList", "java.util.Collections$ReverseComparator",
          "java.util.concurrent.ConcurrentHashMap", "java.util.concurrent.CopyOnWriteArrayList",
          "java.util.concurrent.ConcurrentSkipListMap", "java.util.concurrent.ConcurrentSkipListSet");

  /** JDK class-name prefixes allowed wholesale (immutable and empty/singleton collections). */
  private static final List<String> JDK_PREFIXES =
      List.of(
          "java.time.", "java.util.ImmutableCollections$", "java.util.Collections$Empty",
          "java.util.Collections$Singleton", "java.util.Collections$Unmodifiable");

  private final List<String> packages;
  private final List<String> allowedPackages;
  private final boolean allowUnnamedPackage;
  private final Pool<Kryo> pool;
  private final BlobStore store;

  /**
   * A codec that also allows classes in {@code packages} and their subpackages.
   *
   * @param packages package names such as {@code com.acme.scoring}
   */
  public KryoCodec(Collection<String> packages, ClassLoader loader) {
    this(packages, loader, null);
  }

  /**
   * A codec whose {@link BlobRef} values live in {@code store}: writing one uploads its content to
   * the store's content-addressed area unless it is already there; reading one yields a reference
   * that streams from the store.
   */
  public KryoCodec(Collection<String> packages, ClassLoader loader, BlobStore store) {
    this.store = store;
    this.packages = List.copyOf(new java.util.LinkedHashSet<>(packages));
    List<String> prefixes = new ArrayList<>();
    prefixes.add("io.pureremote.");
    this.allowUnnamedPackage = packages.contains("");
    for (String p : packages) {
      String prefix = p.endsWith(".") ? p : p + ".";
      if (!p.isBlank() && !prefixes.contains(prefix)) {
        prefixes.add(prefix);
      }
    }
    this.allowedPackages = List.copyOf(prefixes);
    this.pool =
        new Pool<>(true, false, 16) {
          @Override
          protected Kryo create() {
            return newKryo(loader);
          }
        };
  }

  /** The class-name prefixes this codec allows besides the JDK classes, for diagnostics. */
  public List<String> allowedPackages() {
    return allowedPackages;
  }

  /**
   * The packages this codec was given (the empty string stands for the unnamed package), to pass
   * to the reading side so it allows exactly the same classes.
   */
  public List<String> packages() {
    return packages;
  }

  /** Serializes {@code value} (any allowed type, or null) into an array: payloads under 2 GiB. */
  public byte[] write(Object value) {
    java.io.ByteArrayOutputStream bytes = new java.io.ByteArrayOutputStream();
    write(value, bytes);
    return bytes.toByteArray();
  }

  /**
   * Serializes {@code value} into {@code out} as it goes, with no size limit (a value whose bytes
   * pass 2 GiB cannot go through {@link #write(Object)}). Does not close {@code out}.
   */
  public void write(Object value, OutputStream out) {
    write(value, out, null);
  }

  /**
   * Serializes {@code value} into {@code out}, adding every {@link BlobRef} it holds (after
   * uploading it) to {@code refs} when that is not null: what a frame header records as {@code
   * blobRefs}.
   */
  public void write(Object value, OutputStream out, List<BlobRef> refs) {
    Kryo kryo = pool.obtain();
    try {
      kryo.getContext().put(REFS, refs);
      Output output = new Output(out, STREAM_BUFFER);
      kryo.writeClassAndObject(output, value);
      output.flush();
    } catch (SerializationException e) {
      throw e;
    } catch (KryoException e) {
      if (String.valueOf(e.getMessage()).startsWith("Max depth exceeded")) {
        throw new SerializationException("The value nests objects deeper than the limit " + BoundedInput.maxDepth()
            + ". Flatten it, or raise the limit with the system property " + BoundedInput.MAX_DEPTH_PROPERTY
            + " on the calling and the remote JVM (and a larger thread stack, -Xss).", e);
      }
      throw unwrap(e, "serialize");
    } finally {
      kryo.getContext().remove(REFS);
      pool.free(kryo);
    }
  }

  /** Serializes {@code value} into a finished {@link Spool} (the caller closes it). */
  public Spool spool(Object value) {
    return spool(value, null);
  }

  /** Serializes {@code value} into a finished {@link Spool}, collecting its BlobRefs into {@code refs} (may be null). */
  public Spool spool(Object value, List<BlobRef> refs) {
    Spool spool = new Spool();
    try {
      write(value, spool, refs);
      spool.finish();
      return spool;
    } catch (RuntimeException | Error e) {
      spool.close();
      throw e;
    }
  }

  /**
   * Deserializes a payload written by {@link #write}. Every size the payload declares is checked
   * against the array's length before anything is allocated.
   */
  public Object read(byte[] payload) {
    return read(new BoundedInput(payload), null);
  }

  /**
   * Deserializes a payload written by {@link #write}, read from {@code in} as it goes; only the
   * configured caps bound the sizes it declares (use {@link #read(java.io.InputStream, long,
   * String)} when the length is known).
   */
  public Object read(java.io.InputStream in) {
    return read(new BoundedInput(in, STREAM_BUFFER, Long.MAX_VALUE), null);
  }

  /**
   * Deserializes a stored payload of {@code length} bytes read from {@code in}. A declared size
   * (string, array, collection, map) larger than the bytes left or than the cap ({@value
   * BoundedInput#MAX_LENGTH_PROPERTY}), or nesting deeper than {@value
   * BoundedInput#MAX_DEPTH_PROPERTY}, is refused before allocation with a {@link
   * CorruptBlobException} naming {@code uri}.
   */
  public Object read(java.io.InputStream in, long length, String uri) {
    return read(new BoundedInput(in, bufferFor(length), length), uri, null);
  }

  /** A read buffer no larger than the payload: most results are small, and each read allocates one. */
  private static int bufferFor(long length) {
    return (int) Math.max(256, Math.min(STREAM_BUFFER, length));
  }

  /**
   * Like {@link #read(java.io.InputStream, long, String)}, adding every {@link BlobRef} the value
   * holds to {@code refs} (when not null), so a reader can check that their content exists.
   */
  public Object read(java.io.InputStream in, long length, String uri, List<BlobRef> refs) {
    return read(new BoundedInput(in, bufferFor(length), length), uri, refs);
  }

  /**
   * Like {@link #read(java.io.InputStream, long, String, List)}, from a finished spool: a payload
   * held as one array is decoded in place, without a stream and its buffer.
   */
  public Object read(Spool payload, String uri, List<BlobRef> refs) throws java.io.IOException {
    byte[] whole = payload.wholeArray();
    if (whole != null) {
      return read(new BoundedInput(whole), uri, refs);
    }
    try (java.io.InputStream in = payload.open()) {
      return read(in, payload.length(), uri, refs);
    }
  }

  private Object read(BoundedInput input, String uri) {
    return read(input, uri, null);
  }

  private Object read(BoundedInput input, String uri, List<BlobRef> refs) {
    Kryo kryo = pool.obtain();
    try {
      kryo.getContext().put(REFS, refs);
      Object value = kryo.readClassAndObject(input);
      kryo.getContext().remove(REFS);
      pool.free(kryo);
      return value;
    } catch (SerializationException e) {
      throw e;
    } catch (KryoException e) {
      RuntimeException refused = refused(e, uri);
      throw refused != null ? refused : unwrap(e, "deserialize");
    } catch (RuntimeException e) {
      // A payload that decodes into something its serializer did not expect (a class cast, an
      // index out of range): damaged, never a crash of another type.
      throw new SerializationException("Cannot deserialize the value: the payload is damaged (" + e + ")"
          + (uri == null ? "" : " [" + uri + "]"), e);
    } catch (LinkageError e) {
      // A class the payload names is here but cannot be linked (a class it needs is gone, or it
      // changed incompatibly): the reading build lacks what the writer had, never a crash.
      throw new SerializationException("Cannot deserialize the value: this build cannot load a class it names ("
          + e + ")" + (uri == null ? "" : " [" + uri + "]"), e);
    }
    // A Kryo instance that failed mid-read may keep references and depth: it is not pooled again.
  }

  /** A size or depth refused by the bounds, as a CorruptBlobException when the blob is known. */
  private static RuntimeException refused(KryoException e, String uri) {
    String reason = null;
    for (Throwable t = e; t != null && reason == null; t = t.getCause()) {
      if (t instanceof BoundedInput.Refused r) {
        reason = r.reason();
      } else if (t instanceof KryoException k && String.valueOf(k.getMessage()).startsWith("Max depth exceeded")) {
        reason = "The payload nests objects deeper than the limit " + BoundedInput.maxDepth() + " (system property "
            + BoundedInput.MAX_DEPTH_PROPERTY + "; raise it on both JVMs if the value is real)";
      }
    }
    if (reason == null) {
      return null;
    }
    String message = reason + ": the blob is damaged or was not written by Pure Remote. " + BlobFrame.DAMAGED;
    return uri != null ? new CorruptBlobException(uri, message) : new SerializationException(message, e);
  }

  private static SerializationException unwrap(KryoException e, String what) {
    for (Throwable t = e; t != null; t = t.getCause()) {
      if (t instanceof SerializationException s) {
        return new SerializationException(s.getMessage() + "\n    Kryo trace: " + e.getMessage(), e);
      }
    }
    return new SerializationException("Cannot " + what + " the value: " + e.getMessage(), e);
  }

  boolean isAllowed(Class<?> type) {
    while (type.isArray()) {
      type = type.getComponentType();
    }
    if (type.isPrimitive()) {
      return true;
    }
    String name = type.getName();
    if (allowUnnamedPackage && type.getPackageName().isEmpty()) {
      return true;
    }
    if (JDK_CLASSES.contains(name)) {
      return true;
    }
    for (String prefix : JDK_PREFIXES) {
      if (name.startsWith(prefix)) {
        return true;
      }
    }
    for (String prefix : allowedPackages) {
      if (name.startsWith(prefix)) {
        return true;
      }
    }
    return false;
  }

  private Kryo newKryo(ClassLoader loader) {
    Kryo kryo = new Kryo(new AllowlistResolver(), null) {
      // Every object read is counted against the bytes read (see BoundedInput.countObject).
      @Override
      public <T> T readObject(Input input, Class<T> type) {
        count(input);
        return super.readObject(input, type);
      }

      @Override
      public <T> T readObject(Input input, Class<T> type, Serializer serializer) {
        count(input);
        return super.readObject(input, type, serializer);
      }

      @Override
      public <T> T readObjectOrNull(Input input, Class<T> type) {
        count(input);
        return super.readObjectOrNull(input, type);
      }

      @Override
      public <T> T readObjectOrNull(Input input, Class<T> type, Serializer serializer) {
        count(input);
        return super.readObjectOrNull(input, type, serializer);
      }

      @Override
      public Object readClassAndObject(Input input) {
        count(input);
        return super.readClassAndObject(input);
      }

      // Kryo's plain collection and map serializers (LinkedList, ArrayDeque, LinkedHashMap,
      // ConcurrentHashMap...) loop over a declared size; bounded ones check it first.
      @Override
      @SuppressWarnings("rawtypes")
      public Serializer getDefaultSerializer(Class type) {
        Serializer serializer = super.getDefaultSerializer(type);
        if (serializer.getClass() == CollectionSerializer.class) {
          return new BoundedCollectionSerializer();
        }
        if (serializer.getClass() == MapSerializer.class) {
          return new BoundedMapSerializer();
        }
        return serializer;
      }

      private static void count(Input input) {
        if (input instanceof BoundedInput bounded) {
          bounded.countObject();
        }
      }
    };
    kryo.setClassLoader(loader);
    kryo.setRegistrationRequired(false);
    kryo.setReferences(true);
    // Records and classes without a no-arg constructor are created without calling one.
    kryo.setInstantiatorStrategy(new DefaultInstantiatorStrategy(new StdInstantiatorStrategy()));
    // A crafted payload nesting thousands of levels would end in StackOverflowError; a write that
    // deep fails at once instead of storing a value no reader could take back.
    kryo.setMaxDepth(BoundedInput.maxDepth());
    // UUID's fields are closed to reflection since JDK 16; two longs need no --add-opens.
    kryo.addDefaultSerializer(UUID.class, new UuidSerializer());
    kryo.addDefaultSerializer(BlobRef.class, new BlobRefSerializer());
    // Kryo's default map serializer creates an EnumMap without its key type, then fails to fill it.
    kryo.addDefaultSerializer(EnumMap.class, new EnumMapSerializer());
    kryo.addDefaultSerializer(
        Collections.unmodifiableList(new ArrayList<>()).getClass(), new UnmodifiableSerializer(UnmodifiableSerializer.Kind.LIST));
    kryo.addDefaultSerializer(
        Collections.unmodifiableList(new java.util.LinkedList<>()).getClass(), new UnmodifiableSerializer(UnmodifiableSerializer.Kind.LIST));
    kryo.addDefaultSerializer(
        Collections.unmodifiableSet(new java.util.HashSet<>()).getClass(), new UnmodifiableSerializer(UnmodifiableSerializer.Kind.SET));
    kryo.addDefaultSerializer(
        Collections.unmodifiableMap(new java.util.HashMap<>()).getClass(), new UnmodifiableSerializer(UnmodifiableSerializer.Kind.MAP));
    kryo.addDefaultSerializer(
        Collections.unmodifiableCollection(new ArrayList<>()).getClass(), new UnmodifiableSerializer(UnmodifiableSerializer.Kind.LIST));
    addBoundedSerializers(kryo);
    return kryo;
  }

  /**
   * Kryo's serializers that allocate by a declared size, bounded by what the payload can hold (see
   * {@link BoundedInput}). Same bytes on the wire as Kryo's own, so old payloads read as before;
   * Kryo tries serializers added here before its built-in ones.
   */
  @SuppressWarnings({"rawtypes", "unchecked"})
  private static void addBoundedSerializers(Kryo kryo) {
    kryo.addDefaultSerializer(TreeSet.class, new BoundedTreeSetSerializer());
    kryo.addDefaultSerializer(TreeMap.class, new BoundedTreeMapSerializer());
    kryo.addDefaultSerializer(Arrays.asList().getClass(), new BoundedArraysAsListSerializer());
    try {
      kryo.addDefaultSerializer(Class.forName("java.util.ImmutableCollections$AbstractImmutableList"),
          new BoundedImmutableListSerializer());
      kryo.addDefaultSerializer(Class.forName("java.util.ImmutableCollections$AbstractImmutableSet"),
          new BoundedImmutableSetSerializer());
      kryo.addDefaultSerializer(Class.forName("java.util.ImmutableCollections$AbstractImmutableMap"),
          new BoundedImmutableMapSerializer());
    } catch (ClassNotFoundException e) {
      throw new IllegalStateException("This JVM lacks java.util.ImmutableCollections", e);
    }
    // Arrays: Kryo writes the length plus one first, then allocates the array.
    kryo.addDefaultSerializer(byte[].class, new SizeChecked(new DefaultArraySerializers.ByteArraySerializer()));
    kryo.addDefaultSerializer(char[].class, new SizeChecked(new DefaultArraySerializers.CharArraySerializer()));
    kryo.addDefaultSerializer(short[].class, new SizeChecked(new DefaultArraySerializers.ShortArraySerializer()));
    kryo.addDefaultSerializer(int[].class, new SizeChecked(new DefaultArraySerializers.IntArraySerializer()));
    kryo.addDefaultSerializer(long[].class, new SizeChecked(new DefaultArraySerializers.LongArraySerializer()));
    kryo.addDefaultSerializer(float[].class, new SizeChecked(new DefaultArraySerializers.FloatArraySerializer()));
    kryo.addDefaultSerializer(double[].class, new SizeChecked(new DefaultArraySerializers.DoubleArraySerializer()));
    kryo.addDefaultSerializer(boolean[].class, new SizeChecked(new DefaultArraySerializers.BooleanArraySerializer()));
    kryo.addDefaultSerializer(String[].class, new SizeChecked(new DefaultArraySerializers.StringArraySerializer()));
    kryo.addDefaultSerializer(Object[].class, new com.esotericsoftware.kryo.SerializerFactory.BaseSerializerFactory() {
      @Override
      public Serializer newSerializer(Kryo k, Class type) {
        return new SizeChecked(new DefaultArraySerializers.ObjectArraySerializer(k, type));
      }
    });
  }

  private static void checkSize(Input input, int size, String what) {
    if (input instanceof BoundedInput bounded) {
      bounded.checkSize(size, 1, what);
    }
  }

  /** Kryo's collection serializer, refusing a size the payload cannot hold before it preallocates. */
  @SuppressWarnings("rawtypes")
  static final class BoundedCollectionSerializer extends CollectionSerializer<Collection> {
    @Override
    protected Collection create(Kryo kryo, Input input, Class<? extends Collection> type, int size) {
      checkSize(input, size, type.getSimpleName());
      return super.create(kryo, input, type, size);
    }
  }

  /** Kryo's map serializer, refusing a size the payload cannot hold before it preallocates. */
  @SuppressWarnings("rawtypes")
  static final class BoundedMapSerializer extends MapSerializer<Map> {
    @Override
    protected Map create(Kryo kryo, Input input, Class<? extends Map> type, int size) {
      checkSize(input, size, type.getSimpleName());
      return super.create(kryo, input, type, size);
    }
  }

  /** {@code TreeSet} (with its comparator), bounded. */
  @SuppressWarnings("rawtypes")
  static final class BoundedTreeSetSerializer extends DefaultSerializers.TreeSetSerializer {
    @Override
    protected TreeSet create(Kryo kryo, Input input, Class<? extends TreeSet> type, int size) {
      checkSize(input, size, "TreeSet");
      return super.create(kryo, input, type, size);
    }
  }

  /** {@code TreeMap} (with its comparator), bounded. */
  @SuppressWarnings("rawtypes")
  static final class BoundedTreeMapSerializer extends DefaultSerializers.TreeMapSerializer {
    @Override
    protected TreeMap create(Kryo kryo, Input input, Class<? extends TreeMap> type, int size) {
      checkSize(input, size, "TreeMap");
      return super.create(kryo, input, type, size);
    }
  }

  /** {@code Set.of} and kin, as Kryo's own serializer for them writes and reads them, bounded. */
  @SuppressWarnings({"rawtypes", "unchecked"})
  static final class BoundedImmutableSetSerializer extends CollectionSerializer<Set> {
    BoundedImmutableSetSerializer() {
      setElementsCanBeNull(false);
    }

    @Override
    protected Set create(Kryo kryo, Input input, Class<? extends Set> type, int size) {
      checkSize(input, size, "Set.of");
      return new HashSet();
    }

    @Override
    public Set read(Kryo kryo, Input input, Class<? extends Set> type) {
      Set set = super.read(kryo, input, type);
      return set == null ? null : Set.of(set.toArray());
    }

    @Override
    public Set copy(Kryo kryo, Set original) {
      return Set.copyOf(original);
    }
  }

  /** {@code Map.of} and kin, as Kryo's own serializer for them writes and reads them, bounded. */
  @SuppressWarnings({"rawtypes", "unchecked"})
  static final class BoundedImmutableMapSerializer extends MapSerializer<Map> {
    BoundedImmutableMapSerializer() {
      setKeysCanBeNull(false);
      setValuesCanBeNull(false);
    }

    @Override
    protected Map create(Kryo kryo, Input input, Class<? extends Map> type, int size) {
      checkSize(input, size, "Map.of");
      return new HashMap();
    }

    @Override
    public Map read(Kryo kryo, Input input, Class<? extends Map> type) {
      Map map = super.read(kryo, input, type);
      return map == null ? null : Map.copyOf(map);
    }

    @Override
    public Map copy(Kryo kryo, Map original) {
      return Map.copyOf(original);
    }
  }

  /** {@code Arrays.asList}, bounded. */
  @SuppressWarnings("rawtypes")
  static final class BoundedArraysAsListSerializer extends DefaultSerializers.ArraysAsListSerializer {
    @Override
    protected List create(Kryo kryo, Input input, Class type, int size) {
      checkSize(input, size, "Arrays.asList");
      return super.create(kryo, input, type, size);
    }
  }

  /**
   * {@code List.of} and its kin, as Kryo's own serializer for them (whose constructor is private)
   * writes and reads them, bounded.
   */
  @SuppressWarnings({"rawtypes", "unchecked"})
  static final class BoundedImmutableListSerializer extends CollectionSerializer<List> {
    BoundedImmutableListSerializer() {
      setElementsCanBeNull(false);
    }

    @Override
    protected List create(Kryo kryo, Input input, Class<? extends List> type, int size) {
      checkSize(input, size, "List.of");
      return new ArrayList(size);
    }

    @Override
    public List read(Kryo kryo, Input input, Class<? extends List> type) {
      List list = super.read(kryo, input, type);
      return list == null ? null : List.of(list.toArray());
    }

    @Override
    public List copy(Kryo kryo, List original) {
      return List.copyOf(original);
    }
  }

  /** An array serializer whose length (written first, plus one) is checked before it allocates. */
  @SuppressWarnings({"rawtypes", "unchecked"})
  private static final class SizeChecked extends Serializer {
    private final Serializer delegate;

    SizeChecked(Serializer delegate) {
      super(delegate.getAcceptsNull(), delegate.isImmutable());
      this.delegate = delegate;
    }

    @Override
    public void write(Kryo kryo, Output output, Object value) {
      delegate.write(kryo, output, value);
    }

    @Override
    public Object read(Kryo kryo, Input input, Class type) {
      if (input instanceof BoundedInput bounded) {
        int declared = bounded.peekVarInt();
        if (declared > 1) {
          bounded.checkSize(declared - 1, 1, "array");
        }
      }
      return delegate.read(kryo, input, type);
    }

    @Override
    public Object copy(Kryo kryo, Object original) {
      return delegate.copy(kryo, original);
    }
  }

  /** Checks every class Kryo meets for the first time, when writing and when reading. */
  private final class AllowlistResolver extends DefaultClassResolver {
    @Override
    public Registration registerImplicit(Class type) {
      if (!isAllowed(type)) {
        throw new SerializationException(
            "Class " + type.getTypeName() + " is not allowed in Pure Remote payloads. Allowed: JDK value "
                + "types and collections, and classes under " + allowedPackages
                + (allowUnnamedPackage ? " and the unnamed package" : "")
                + ". Add its package with RemoteRuntime.Builder.allowPackages(\""
                + (type.getPackageName().isEmpty() ? type.getName() : type.getPackageName()) + "\").",
            null);
      }
      return super.registerImplicit(type);
    }
  }

  /** A BlobRef travels as its hash and size; its bytes go to the store's content-addressed area. */
  private final class BlobRefSerializer extends Serializer<BlobRef> {
    BlobRefSerializer() {
      setImmutable(true);
    }

    @Override
    public void write(Kryo kryo, Output output, BlobRef ref) {
      if (store == null) {
        throw new SerializationException("A BlobRef can only be written where a blob store is known", null);
      }
      ref.uploadTo(store);
      collect(kryo, ref);
      output.writeString(ref.sha256());
      output.writeVarLong(ref.size(), true);
    }

    @Override
    public BlobRef read(Kryo kryo, Input input, Class<? extends BlobRef> type) {
      String sha256 = input.readString();
      long size = input.readVarLong(true);
      if (store == null) {
        throw new SerializationException("A BlobRef can only be read where a blob store is known", null);
      }
      BlobRef ref = BlobRef.stored(sha256, size, store);
      collect(kryo, ref);
      return ref;
    }

    @SuppressWarnings("unchecked")
    private static void collect(Kryo kryo, BlobRef ref) {
      if (kryo.getContext().get(REFS) instanceof List<?> refs) {
        ((List<BlobRef>) refs).add(ref);
      }
    }
  }

  private static final class UuidSerializer extends Serializer<UUID> {
    UuidSerializer() {
      setImmutable(true);
    }

    @Override
    public void write(Kryo kryo, Output output, UUID uuid) {
      output.writeLong(uuid.getMostSignificantBits());
      output.writeLong(uuid.getLeastSignificantBits());
    }

    @Override
    public UUID read(Kryo kryo, Input input, Class<? extends UUID> type) {
      return new UUID(input.readLong(), input.readLong());
    }
  }

  /** Writes an EnumMap as its key type, then (ordinal, value) pairs. */
  @SuppressWarnings({"rawtypes", "unchecked"})
  private static final class EnumMapSerializer extends Serializer<EnumMap> {
    @Override
    public void write(Kryo kryo, Output output, EnumMap map) {
      kryo.writeClass(output, keyType(map));
      output.writeVarInt(map.size(), true);
      for (Map.Entry<?, ?> e : ((Map<?, ?>) map).entrySet()) {
        output.writeVarInt(((Enum<?>) e.getKey()).ordinal(), true);
        kryo.writeClassAndObject(output, e.getValue());
      }
    }

    @Override
    public EnumMap read(Kryo kryo, Input input, Class<? extends EnumMap> type) {
      Class keyType = kryo.readClass(input).getType();
      EnumMap map = new EnumMap(keyType);
      kryo.reference(map);
      Object[] constants = keyType.getEnumConstants();
      for (int i = input.readVarInt(true); i > 0; i--) {
        int ordinal = input.readVarInt(true);
        if (ordinal >= constants.length) {
          throw new BoundedInput.Refused("The payload names constant " + ordinal + " of " + keyType.getName()
              + ", which has " + constants.length);
        }
        Object key = constants[ordinal];
        map.put(key, kryo.readClassAndObject(input));
      }
      return map;
    }

    private static Class<?> keyType(EnumMap<?, ?> map) {
      if (!map.isEmpty()) {
        return ((Enum<?>) map.keySet().iterator().next()).getDeclaringClass();
      }
      // An empty EnumMap shows its key type only to Java serialization, which writes its class
      // descriptor: catch it there (nothing is deserialized, nothing needs --add-opens).
      try (KeyTypeCatcher out = new KeyTypeCatcher()) {
        out.writeObject(map);
        return out.keyType;
      } catch (IOException e) {
        throw new SerializationException("Cannot find the key type of an empty EnumMap: " + e, e);
      }
    }

    private static final class KeyTypeCatcher extends ObjectOutputStream {
      Class<?> keyType;

      KeyTypeCatcher() throws IOException {
        super(OutputStream.nullOutputStream());
      }

      @Override
      protected void annotateClass(Class<?> cl) {
        if (keyType == null && cl.isEnum()) {
          keyType = cl;
        }
      }
    }
  }

  /** Writes unmodifiable views as their contents and reads them back as unmodifiable views. */
  @SuppressWarnings({"rawtypes", "unchecked"})
  private static final class UnmodifiableSerializer extends Serializer<Object> {
    enum Kind { LIST, SET, MAP }

    private final Kind kind;

    UnmodifiableSerializer(Kind kind) {
      this.kind = kind;
      setImmutable(true);
    }

    @Override
    public void write(Kryo kryo, Output output, Object value) {
      Object copy = switch (kind) {
        case LIST -> new ArrayList<>((Collection) value);
        case SET -> new LinkedHashSet<>((Set) value);
        case MAP -> new LinkedHashMap<>((Map) value);
      };
      kryo.writeClassAndObject(output, copy);
    }

    @Override
    public Object read(Kryo kryo, Input input, Class<?> type) {
      Object copy = kryo.readClassAndObject(input);
      return switch (kind) {
        case LIST -> Collections.unmodifiableList((List) copy);
        case SET -> Collections.unmodifiableSet((Set) copy);
        case MAP -> Collections.unmodifiableMap((Map) copy);
      };
    }
  }
}
