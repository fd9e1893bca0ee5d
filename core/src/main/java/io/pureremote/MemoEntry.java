package io.pureremote;

import io.pureremote.RuntimeOptions.LeaseOptions;
import io.pureremote.internal.Aside;
import io.pureremote.internal.BlobFrame;
import io.pureremote.internal.EntryReader;
import io.pureremote.internal.Json;
import io.pureremote.internal.KryoCodec;
import io.pureremote.internal.Leases;
import io.pureremote.internal.MemoKey;
import io.pureremote.spi.BlobStore.BlobContent;
import io.pureremote.spi.BlobStore;
import java.nio.charset.StandardCharsets;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.time.format.DateTimeParseException;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;
import java.util.Set;
import java.util.TreeMap;
import java.util.TreeSet;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.regex.Pattern;

/**
 * Read access to one memo entry in a blob store: the invocation that started it, its result or
 * error, the records of each remote run and the lease, as laid out in {@code docs/memo-layout.md}.
 * Nothing here writes except {@link #repair()} and {@link #releaseStaleLease()}; every framed blob is verified (magic, format, size, SHA-256) before it is
 * decoded, and a damaged one gives a {@link CorruptBlobException}.
 *
 * <pre>{@code
 * try (BlobStore store = BlobStore.open(root)) {
 *   MemoEntry entry = MemoEntry.at(store, memoUri);
 *   entry.invocation().ifPresent(i -> System.out.println(i.invokedBy() + " at " + i.invokedAt()));
 *   entry.result(MyApp.class.getClassLoader()).ifPresent(r -> System.out.println(r.value()));
 *   entry.error().ifPresent(e -> System.out.println(e.exceptionClass() + ": " + e.message()));
 * }
 * }</pre>
 *
 * <p>See {@code docs/reading-memos.md}. Payloads (arguments, result value) are Kryo and decode only with the function's classes: pass
 * a class loader that has them. Decoding accepts the packages the invocation allowed, as the caller
 * did.
 */
public final class MemoEntry {
  private static final Pattern HASH = Pattern.compile("[0-9a-f]{64}");

  private final BlobStore store;
  private final EntryReader reader;

  private MemoEntry(BlobStore store, MemoKey key) {
    this.store = store;
    this.reader = new EntryReader(store, key);
  }

  /**
   * The entry a memo URI names ({@code <blob root>/pureremote/v1/<pipeline>/<function>@<version>/<args hash>}),
   * read from {@code store}; the URI's blob root is expected to be the store's.
   *
   * @throws IllegalArgumentException when the URI does not follow the layout
   */
  public static MemoEntry at(BlobStore store, String memoUri) {
    Address address = resolve(store, parseUri(memoUri));
    return new MemoEntry(store, new MemoKey(address.pipelineId(), address.function(), address.argsHash()));
  }

  /**
   * The entry of {@code function} called with the arguments whose canonical hash is {@code argsHash}
   * in pipeline {@code pipelineId}.
   *
   * @throws IllegalArgumentException for a pipeline id that cannot be a path, or a hash that is not
   *     64 lowercase hex digits
   */
  public static MemoEntry of(BlobStore store, String pipelineId, FunctionId function, String argsHash) {
    Objects.requireNonNull(store, "store");
    return new MemoEntry(store, new MemoKey(pipelineId, function, argsHash));
  }

  /**
   * The parts of a memo URI, without reading anything.
   *
   * @param root the blob root the entry lives under
   * @param pipelineId the pipeline id
   * @param function the function identity
   * @param argsHash the hex SHA-256 of the canonical argument encoding, or its first 8 or more
   *     digits (see {@link #abbreviated()})
   */
  public record Address(String root, String pipelineId, FunctionId function, String argsHash) {
    /** The memo URI (with the hash as given, abbreviated or not). */
    public String uri() {
      return root + "/" + MemoKey.functionPrefix(pipelineId, function) + "/" + argsHash;
    }

    /** Whether the args hash is an abbreviation ({@link MemoEntry#resolve} gives the full one). */
    public boolean abbreviated() {
      return argsHash.length() < 64;
    }
  }

  /**
   * Splits a memo URI into blob root, pipeline, function and args hash, without reading anything.
   * The args hash may be abbreviated to its first 8 or more hex digits, the form log lines print
   * ({@code .../com.acme.Scoring#score@1/df84e1cf}); {@link #resolve} finds the entry it names.
   *
   * @throws IllegalArgumentException when the URI does not follow the layout (the message shows it)
   */
  public static Address parseUri(String memoUri) {
    Optional<MemoKey.Abbreviated> abbreviated = MemoKey.parseAbbreviatedUri(Objects.requireNonNull(memoUri, "memoUri"));
    if (abbreviated.isPresent()) {
      MemoKey.Abbreviated a = abbreviated.get();
      return new Address(a.root(), a.pipelineId(), a.function(), a.hashPrefix());
    }
    MemoKey.Located located = MemoKey.parseUri(memoUri);
    MemoKey key = located.key();
    return new Address(located.root(), key.pipelineId(), key.function(), key.argsHash());
  }

  /**
   * {@code address} with its args hash in full: itself when it is already, else the one entry of
   * its function in {@code store} whose hash starts with the abbreviation (one listing request).
   *
   * @throws IllegalArgumentException when the abbreviation matches no entry or several (the
   *     message names up to five and asks for more digits)
   */
  public static Address resolve(BlobStore store, Address address) {
    Objects.requireNonNull(store, "store");
    if (!address.abbreviated()) {
      return address;
    }
    String folder = MemoKey.functionPrefix(address.pipelineId(), address.function()) + "/";
    Set<String> hashes = new TreeSet<>();
    for (String blob : store.list(folder + address.argsHash())) {
      String rest = blob.substring(folder.length());
      int slash = rest.indexOf('/');
      if (slash > 0 && HASH.matcher(rest.substring(0, slash)).matches()) {
        hashes.add(rest.substring(0, slash));
      }
    }
    if (hashes.size() == 1) {
      return new Address(address.root(), address.pipelineId(), address.function(), hashes.iterator().next());
    }
    String where = " under " + address.root() + "/" + folder;
    if (hashes.isEmpty()) {
      throw new IllegalArgumentException("No memo entry whose args hash starts with " + address.argsHash() + where
          + " (pureremote list shows the entries of a function)");
    }
    throw new IllegalArgumentException("Args hash " + address.argsHash() + " is ambiguous" + where + ": it starts "
        + hashes.size() + " entries (" + String.join(", ", hashes.stream().limit(5).toList())
        + (hashes.size() > 5 ? ", ..." : "") + "); give more digits");
  }

  /**
   * The pipelines in {@code store} that hold entries of function {@code functionName} (any
   * version), sorted: what to suggest when a pipeline has none. Lists every memo blob of the store
   * once, so it is meant for tools, not for a call path.
   */
  public static List<String> pipelines(BlobStore store, String functionName) {
    Objects.requireNonNull(store, "store");
    String segment = MemoKey.functionPrefix(RuntimeOptions.DEFAULT_PIPELINE_ID, new FunctionId(functionName, "0"));
    String encodedName = segment.substring(segment.lastIndexOf('/') + 1, segment.lastIndexOf('@') + 1);
    Set<String> pipelines = new TreeSet<>();
    String layout = MemoKey.LAYOUT + "/";
    for (String blob : store.list(layout)) {
      String[] parts = blob.substring(layout.length()).split("/");
      // <pipeline segments...>/<function>@<version>/<hash>/<blob>
      for (int i = 1; i + 2 < parts.length; i++) {
        if (parts[i].startsWith(encodedName) && HASH.matcher(parts[i + 1]).matches()) {
          pipelines.add(String.join("/", Arrays.asList(parts).subList(0, i)));
          break;
        }
      }
    }
    return List.copyOf(pipelines);
  }

  /**
   * Every entry in {@code store}, or only those of pipeline {@code pipelineId} (not of pipelines
   * nested under it), in key order. Lists every memo blob under that prefix once, so it is meant
   * for tools such as {@code pureremote gc}, not for a call path.
   *
   * @param pipelineId a pipeline id, or null for every pipeline
   * @throws IllegalArgumentException for a pipeline id that cannot be a path
   */
  public static List<MemoEntry> all(BlobStore store, String pipelineId) {
    Objects.requireNonNull(store, "store");
    String layout = MemoKey.LAYOUT + "/";
    String prefix = pipelineId == null ? layout : layout + MemoKey.checkPipelineId(pipelineId) + "/";
    Map<String, MemoEntry> entries = new LinkedHashMap<>();
    for (String blob : store.list(prefix)) {
      String[] parts = blob.substring(layout.length()).split("/");
      // <pipeline segments...>/<function>@<version>/<hash>/<blob>: pipeline ids hold no '@'.
      for (int i = 1; i + 2 < parts.length; i++) {
        if (!parts[i].contains("@")) {
          continue;
        }
        String pipeline = String.join("/", Arrays.asList(parts).subList(0, i));
        if (HASH.matcher(parts[i + 1]).matches() && (pipelineId == null || pipeline.equals(pipelineId))) {
          String entryPrefix = layout + pipeline + "/" + parts[i] + "/" + parts[i + 1];
          if (!entries.containsKey(entryPrefix)) {
            try {
              entries.put(entryPrefix, new MemoEntry(store, MemoKey.parseUri(store.root() + "/" + entryPrefix).key()));
            } catch (IllegalArgumentException e) {
              // A folder that only looks like an entry (e.g. a malformed function segment) is not one.
            }
          }
        }
        break;
      }
    }
    return List.copyOf(entries.values());
  }

  /**
   * The entries of function {@code functionName} in pipeline {@code pipelineId}, of one {@code
   * version} or of all versions when it is null; in key order. Nested pipelines ({@code
   * pipelineId/sub}) are not included.
   *
   * @throws IllegalArgumentException for a pipeline id that cannot be a path
   */
  public static List<MemoEntry> list(BlobStore store, String pipelineId, String functionName, String version) {
    Objects.requireNonNull(store, "store");
    Objects.requireNonNull(functionName, "functionName");
    String pipelinePrefix = MemoKey.LAYOUT + "/" + MemoKey.checkPipelineId(pipelineId) + "/";
    String listPrefix = version != null
        ? MemoKey.functionPrefix(pipelineId, new FunctionId(functionName, version)) + "/"
        : pipelinePrefix;
    Map<String, MemoEntry> entries = new LinkedHashMap<>();
    for (String blob : store.list(listPrefix)) {
      String[] parts = blob.substring(pipelinePrefix.length()).split("/");
      // <function>@<version>/<hash>/...; a nested pipeline (pipeline/sub/...) does not match.
      if (parts.length < 3 || !parts[0].contains("@") || !HASH.matcher(parts[1]).matches()) {
        continue;
      }
      String entryPrefix = pipelinePrefix + parts[0] + "/" + parts[1];
      if (entries.containsKey(entryPrefix)) {
        continue;
      }
      MemoKey key;
      try {
        key = MemoKey.parseUri(store.root() + "/" + entryPrefix).key();
      } catch (IllegalArgumentException e) {
        continue;
      }
      if (key.function().name().equals(functionName) && (version == null || key.function().version().equals(version))) {
        entries.put(entryPrefix, new MemoEntry(store, key));
      }
    }
    return List.copyOf(entries.values());
  }

  /** The entry's URI (its folder in the store). */
  public String uri() {
    return reader.uri();
  }

  /** The pipeline id. */
  public String pipelineId() {
    return reader.key().pipelineId();
  }

  /** The function identity. */
  public FunctionId function() {
    return reader.key().function();
  }

  /** The args hash. */
  public String argsHash() {
    return reader.key().argsHash();
  }

  /** Every blob key of the entry (relative to the store root); empty when there is no entry. */
  public List<String> blobs() {
    return reader.blobs();
  }

  /** The invocation metadata (who called what, when, from where), without decoding the arguments. */
  public Optional<Invocation> invocation() {
    return reader.invocation();
  }

  /**
   * The call's arguments decoded with {@code loader}; empty when there is no invocation.
   *
   * @throws SerializationException (or a {@link LinkageError}) when a class is missing or refused
   */
  public Optional<Object[]> arguments(ClassLoader loader) {
    Optional<BlobFrame> frame = reader.frame(MemoKey.INVOCATION);
    if (frame.isEmpty()) {
      return Optional.empty();
    }
    Invocation invocation = Invocation.fromHeader(frame.get().section("call"));
    Object value = codec(invocation.allowedPackages(), loader).read(frame.get().payload());
    if (!(value instanceof Object[] args)) {
      throw new SerializationException("The invocation payload at " + uri() + " is not an argument array but "
          + (value == null ? "null" : value.getClass().getName()) + ": the blob was not written by Pure Remote.", null);
    }
    return Optional.of(args);
  }

  /**
   * The verified JSON header of the framed blob {@code invocation}, {@code result} or {@code error}
   * (fields as in {@code docs/memo-layout.md}: {@code library}, {@code java}, {@code call}, {@code
   * run}, ...); empty when the blob does not exist.
   *
   * @throws IllegalArgumentException for any other blob name
   */
  public Optional<Map<String, Object>> header(String blob) {
    if (!List.of(MemoKey.INVOCATION, MemoKey.RESULT, MemoKey.ERROR).contains(blob)) {
      throw new IllegalArgumentException("Not a framed blob of a memo entry: '" + blob
          + "'. Use invocation, result or error.");
    }
    return reader.frame(blob).map(f -> java.util.Collections.unmodifiableMap(f.header()));
  }

  /** Whether a result is committed (one existence check, nothing decoded). */
  public boolean hasResult() {
    return store.exists(reader.key().key(MemoKey.RESULT));
  }

  /**
   * The committed result decoded with {@code loader}, accepting the packages the invocation allowed;
   * empty when there is none yet.
   *
   * @throws SerializationException (or a {@link LinkageError}) when a class is missing or refused
   */
  public Optional<Result> result(ClassLoader loader) {
    List<String> packages = invocation().map(Invocation::allowedPackages).orElse(List.of());
    return reader.result(codec(packages, loader))
        .map(d -> new Result(d.value(), Run.fromHeader(section(d.header(), "run"), null)));
  }

  /** The committed error record, if the function threw and errors are memoized. */
  public Optional<Failure> error() {
    return reader.frame(MemoKey.ERROR).map(frame -> {
      Map<String, Object> record = EntryReader.errorRecord(frame);
      return new Failure(text(record.get("class")), text(record.get("message")), text(record.get("stack")),
          Run.fromHeader(frame.section("run"), null), Map.copyOf(withoutNulls(record)));
    });
  }

  /** One record per remote execution ({@code runs/*.json}), oldest first. */
  public List<Run> runs() {
    List<Run> runs = new ArrayList<>();
    for (Map<String, Object> r : reader.runs()) {
      runs.add(Run.fromHeader(r, text(r.get("status"))));
    }
    return runs;
  }

  /**
   * Records a run that could not record itself: a shell saw it end from outside (a pod evicted,
   * preempted or lost with its node, killed before it could write anything) and writes its run
   * record ({@code runs/*.json}) with {@code status}, so {@link #runs()} and {@code pureremote
   * runs} show it beside the runs that recorded themselves. A record of the same run (same start
   * and host) already there is kept.
   *
   * @param host where it ran (a node, or a pod name when the node is unknown)
   * @param startedAt when it started
   * @param endedAt when it ended
   * @param status what happened, e.g. {@code disrupted: Evicted (EvictionByEvictionAPI: ...)}
   * @param details further fields of the record (e.g. {@code pod}, {@code job}); may be empty
   * @return the record's URI
   */
  public String recordRun(String host, Instant startedAt, Instant endedAt, String status, Map<String, String> details) {
    Objects.requireNonNull(host, "host");
    Objects.requireNonNull(startedAt, "startedAt");
    Objects.requireNonNull(endedAt, "endedAt");
    Objects.requireNonNull(status, "status");
    Map<String, Object> record = new LinkedHashMap<>();
    record.put("host", host);
    record.put("startedAt", startedAt.toString());
    record.put("endedAt", endedAt.toString());
    record.put("durationMs", Math.max(0, Duration.between(startedAt, endedAt).toMillis()));
    record.put("status", status);
    new TreeMap<>(details).forEach((k, v) -> record.putIfAbsent(k, v));
    // Named like the records runs write (start instant first), so they sort among them by start.
    String name = startedAt.toString().replace(":", "").replace(".", "") + "-"
        + host.replaceAll("[^A-Za-z0-9.-]", "_").substring(0, Math.min(host.length(), 100));
    String key = reader.key().key(MemoKey.RUNS + "/" + name + ".json");
    store.putIfAbsent(key, BlobContent.of(Json.write(record).getBytes(StandardCharsets.UTF_8)));
    return store.uri(key);
  }

  /** The call's lease record, if one was ever taken. */
  public Optional<LeaseState> lease() {
    return reader.lease().map(LeaseState::of);
  }

  /**
   * A framed blob of the entry that cannot be used, as judged without decoding its payload.
   *
   * @param blob {@code invocation}, {@code result} or {@code error}
   * @param kind {@code corrupt} (damaged frame: magic, format, size, checksum, truncation) or
   *     {@code missing-content} (a {@code BlobRef} its header records names content that is gone)
   * @param detail what is wrong, naming the URI
   */
  public record Problem(String blob, String kind, String detail) {}

  /**
   * What {@link #check()} found.
   *
   * @param problems the unusable blobs, in blob order ({@code invocation}, {@code result}, {@code
   *     error}); empty when the entry is sound as far as a check without decoding can tell
   * @param contentRefs the SHA-256 of every content-addressed blob the invocation's and result's
   *     headers record ({@code blobRefs}), distinct
   * @param refsRecorded false when a present invocation or result was written before headers
   *     recorded their refs (then {@code contentRefs} may miss some)
   */
  public record Check(List<Problem> problems, List<String> contentRefs, boolean refsRecorded) {
    /** Copies the lists. */
    public Check {
      problems = List.copyOf(problems);
      contentRefs = List.copyOf(contentRefs);
    }
  }

  /**
   * Checks the entry's framed blobs ({@code invocation}, {@code result}, {@code error}) without
   * decoding a payload, so it needs none of the function's classes: each frame's magic, format,
   * size and SHA-256, and that the content of every {@code BlobRef} its header records exists (one
   * request per distinct ref). A payload that names a class this build lacks, or a result of the
   * wrong type, is found only by decoding: {@link #judgeResult}, and {@link #repair(ClassLoader)}
   * or a call, which heal it the same way ({@code docs/memo-layout.md}).
   */
  public Check check() {
    List<Problem> problems = new ArrayList<>();
    Set<String> refs = new java.util.LinkedHashSet<>();
    boolean recorded = true;
    for (String blob : List.of(MemoKey.INVOCATION, MemoKey.RESULT, MemoKey.ERROR)) {
      Aside.Inspected seen = Aside.inspect(store, reader.key(), blob);
      seen.problem().ifPresent(p -> problems.add(new Problem(p.blob(), p.kind().label(), p.detail())));
      if (seen.header() != null && !blob.equals(MemoKey.ERROR)) {
        refs.addAll(Aside.recordedRefs(seen.header()));
        recorded &= seen.header().containsKey("blobRefs");
      }
    }
    return new Check(problems, new ArrayList<>(refs), recorded);
  }

  /**
   * Judges the committed result as a call would: decodes it with {@code loader} (the packages the
   * invocation allowed) and checks the value against the function's declared return type, which
   * {@link #check()} cannot. A call meeting such a result sets it aside and recomputes.
   *
   * @param loader a class loader with the application's classes (the CLI's class path)
   * @return {@code undecodable} (a class this build lacks or refuses, a payload that does not
   *     decode), {@code wrong-type} (a value of another type than the function returns), {@code
   *     corrupt} or {@code missing-content} as {@link #check()} says them; {@code unjudged} when
   *     the function's interface is not on {@code loader}'s class path; empty when the result is
   *     sound or absent
   */
  public Optional<Problem> judgeResult(ClassLoader loader) {
    Optional<Invocation> call = invocation();
    if (call.isEmpty() || !hasResult()) {
      return Optional.empty();
    }
    String resultUri = uri() + "/" + MemoKey.RESULT;
    java.lang.reflect.Method method;
    try {
      method = declared(call.get(), loader);
    } catch (ClassNotFoundException | NoSuchMethodException | LinkageError e) {
      return Optional.of(new Problem(MemoKey.RESULT, "unjudged", "cannot judge " + resultUri + ": "
          + call.get().interfaceName() + "." + call.get().methodName() + " is not on this class path (" + e
          + "). Run verify with the application's classes on the class path (CLASSPATH or -cp)"));
    }
    EntryReader.Read read;
    try {
      read = reader.checkedResult(codec(call.get().allowedPackages(), loader));
    } catch (LinkageError e) {
      return Optional.of(new Problem(MemoKey.RESULT, Aside.Kind.UNDECODABLE.label(), e + " [" + resultUri + "]"));
    }
    if (read.problem() != null) {
      return Optional.of(new Problem(MemoKey.RESULT, read.problem().kind().label(), read.problem().detail()));
    }
    if (!read.hit()) {
      return Optional.empty();
    }
    Object value = read.decoded().value();
    Class<?> returns = method.getReturnType();
    String wrong = value == null ? (returns.isPrimitive() ? "is null" : null)
        : boxed(returns).isInstance(value) ? null : "is a " + value.getClass().getName();
    if (wrong == null) {
      return Optional.empty();
    }
    return Optional.of(new Problem(MemoKey.RESULT, Aside.Kind.WRONG_TYPE.label(), "The stored result " + resultUri + " "
        + wrong + ", but " + function() + " returns " + method.getGenericReturnType().getTypeName() + ". The function's"
        + " return type changed without a new version: bump @PureRemote(version = ...) so new calls get new entries,"
        + " or delete it (pureremote invalidate); a call sets it aside and recomputes."));
  }

  private static java.lang.reflect.Method declared(Invocation call, ClassLoader loader)
      throws ClassNotFoundException, NoSuchMethodException {
    Class<?> iface = Class.forName(String.valueOf(call.interfaceName()), false, loader);
    for (java.lang.reflect.Method m : iface.getMethods()) {
      if (m.getName().equals(call.methodName()) && java.util.Arrays.stream(m.getParameterTypes()).map(Class::getName)
          .toList().equals(call.parameterTypes())) {
        return m;
      }
    }
    throw new NoSuchMethodException(iface.getName() + "." + call.methodName() + call.parameterTypes());
  }

  private static Class<?> boxed(Class<?> type) {
    if (!type.isPrimitive()) {
      return type;
    }
    return java.lang.invoke.MethodType.methodType(type).wrap().returnType();
  }

  /**
   * What {@link #repair} did with one unusable blob.
   *
   * @param problem what was wrong
   * @param asideUri where its bytes are kept ({@code <entry>/aside/<blob>-<sha256>}), or null when
   *     it was not set aside
   * @param outcome {@code set aside}, or why not (a call holds the entry's lease, or the blob changed)
   */
  public record Repair(Problem problem, String asideUri, String outcome) {}

  /**
   * Sets aside every blob {@link #check()} finds unusable, exactly as a call does before it
   * recomputes ({@code docs/memo-layout.md}, "A memo that heals itself"): under the entry's lease,
   * taken for the moment of the repair, the blob is copied to {@code aside/<blob>-<sha256>} (never
   * overwriting anything), a note saying why is written beside it, and the blob is deleted, so the
   * next call recomputes it. An entry whose lease a live call holds is left to that call.
   *
   * @return one repair per problem found, in blob order
   */
  public List<Repair> repair() {
    return repair(check().problems(), null);
  }

  /**
   * {@link #repair()}, and also sets aside a result that {@link #judgeResult judged} with {@code
   * loader} does not decode (a class this build lacks or refuses) or is of another type than the
   * function returns, exactly as a call meeting it does before it recomputes: judged again under
   * the entry's lease, copied to {@code aside/result-<sha256>} with a note, then deleted. A result
   * that cannot be judged here (the function's classes are not on {@code loader}'s class path) is
   * left alone.
   *
   * @return one repair per problem found, in blob order
   */
  public List<Repair> repair(ClassLoader loader) {
    java.util.Objects.requireNonNull(loader, "loader");
    List<Problem> found = new ArrayList<>(check().problems());
    if (found.stream().noneMatch(p -> p.blob().equals(MemoKey.RESULT))) {
      judgeResult(loader).filter(MemoEntry::decodeProblem).ifPresent(found::add);
    }
    return repair(found, loader);
  }

  private static boolean decodeProblem(Problem p) {
    return p.kind().equals(Aside.Kind.UNDECODABLE.label()) || p.kind().equals(Aside.Kind.WRONG_TYPE.label());
  }

  private List<Repair> repair(List<Problem> found, ClassLoader loader) {
    if (found.isEmpty()) {
      return List.of();
    }
    ScheduledExecutorService renewals = Executors.newSingleThreadScheduledExecutor(
        Thread.ofPlatform().daemon().name("pureremote-repair-lease").factory());
    try {
      LeaseOptions timing = LeaseOptions.builder().build();
      Leases leases = new Leases(store, timing.expiry(), timing.renewEvery(), Clock.systemUTC(), renewals);
      Optional<Leases.Lease> lease = leases.tryAcquire(reader.key().key(Leases.LEASE));
      if (lease.isEmpty()) {
        return found.stream().map(p -> new Repair(p, null,
            "left alone: a live call holds the entry's lease and heals it itself")).toList();
      }
      try {
        List<Repair> repairs = new ArrayList<>();
        for (Problem p : found) {
          // Judged again under the lease: it may have been set aside or recomputed meanwhile.
          Optional<Aside.Problem> now = loader != null && decodeProblem(p)
              ? judgeResult(loader).filter(MemoEntry::decodeProblem).map(j -> new Aside.Problem(j.blob(),
                  j.kind().equals(Aside.Kind.WRONG_TYPE.label()) ? Aside.Kind.WRONG_TYPE : Aside.Kind.UNDECODABLE,
                  j.detail(), null))
              : Aside.checkFrame(store, reader.key(), p.blob());
          if (now.isEmpty()) {
            repairs.add(new Repair(p, null, "left alone: it is sound now"));
            continue;
          }
          Optional<Aside.Moved> moved = Aside.setAside(store, reader.key(), now.get());
          repairs.add(moved.filter(m -> m.asideKey() != null)
              .map(m -> new Repair(p, store.uri(m.asideKey()), m.deleted() ? "set aside" : "copied aside; it changed meanwhile, so it was not deleted"))
              .orElse(new Repair(p, null, "left alone: it is gone or changed")));
        }
        return repairs;
      } finally {
        lease.get().release();
      }
    } finally {
      renewals.shutdownNow();
    }
  }

  /**
   * Whether the entry's lease is stale: not released, yet expired, or held by processes that ran
   * on this machine and are gone. The next equal call takes such a lease over at once.
   */
  public boolean leaseStale(Instant now) {
    return reader.lease().map(s -> !s.released() && (s.expiresAtMillis() <= now.toEpochMilli() || s.abandoned()))
        .orElse(false);
  }

  /**
   * Takes a stale lease over and releases it, as the next equal call would take it over, so
   * tools leave a root without stale leases.
   *
   * @return whether it was released; false when it is not stale, or another process took it first
   */
  public boolean releaseStaleLease() {
    if (!leaseStale(Instant.now())) {
      return false;
    }
    ScheduledExecutorService renewals = Executors.newSingleThreadScheduledExecutor(
        Thread.ofPlatform().daemon().name("pureremote-repair-lease").factory());
    try {
      LeaseOptions timing = LeaseOptions.builder().build();
      Optional<Leases.Lease> lease = new Leases(store, timing.expiry(), timing.renewEvery(), Clock.systemUTC(), renewals)
          .tryAcquire(reader.key().key(Leases.LEASE));
      lease.ifPresent(Leases.Lease::release);
      return lease.isPresent();
    } finally {
      renewals.shutdownNow();
    }
  }

  private KryoCodec codec(List<String> packages, ClassLoader loader) {
    return new KryoCodec(packages, Objects.requireNonNull(loader, "loader"), store);
  }

  /**
   * What the caller wrote when it started the call: the {@code call} section of the {@code
   * invocation} header. {@code RemoteMain} runs the function from it.
   *
   * @param function the function identity
   * @param pipelineId the pipeline id
   * @param argsHash the args hash
   * @param interfaceName the {@link PureRemote} interface's class name
   * @param methodName the method name
   * @param parameterTypes the method's parameter type names ({@code int}, {@code java.lang.String}, ...)
   * @param implementation the implementing class name
   * @param allowedPackages the packages whose classes the payloads may hold
   * @param exceptionPolicy whether the caller memoizes errors, as its name; null if absent
   * @param invokedBy {@code user@host} of the caller
   * @param invokedAt when the caller started the call; null if absent or unreadable
   * @param host the caller's host
   * @param pid the caller's process id, or -1 if absent
   * @param lease the lease the caller took for the run to join, or null (entries from before leases)
   * @param code the function's code identity when it hashes its code ({@code @PureRemote(codeHash =
   *     true)}), else null
   */
  public record Invocation(FunctionId function, String pipelineId, String argsHash, String interfaceName,
      String methodName, List<String> parameterTypes, String implementation, List<String> allowedPackages,
      String exceptionPolicy, String invokedBy, Instant invokedAt, String host, long pid, LeaseTerms lease,
      Code code) {

    /** Validates and copies the lists. */
    public Invocation {
      Objects.requireNonNull(function, "function");
      parameterTypes = List.copyOf(parameterTypes);
      allowedPackages = List.copyOf(allowedPackages);
    }

    /**
     * The lease terms handed to the run.
     *
     * @param holder the holder id the run joins as
     * @param expiry how long a lease lives without renewal
     * @param renewEvery how often the holder renews it
     */
    public record LeaseTerms(String holder, Duration expiry, Duration renewEvery) {}

    /**
     * The code identity a call was keyed with ({@code @PureRemote(codeHash = true)}): the memo
     * key's hash segment is then the SHA-256 of {@code argsHash} and {@code hash}, so equal
     * arguments under changed code are a miss.
     *
     * @param hash lowercase hex SHA-256 over every covered class
     * @param argsHash the arguments' own hash (the canonical encoding's SHA-256)
     * @param classes each covered class's binary name and the first 16 hex digits of its
     *     canonical-form hash ({@code absent} for a class referenced but not found), sorted by name
     */
    public record Code(String hash, String argsHash, Map<String, String> classes) {
      /** Copies the class map, keeping it sorted. */
      public Code {
        Objects.requireNonNull(hash, "hash");
        classes = Collections.unmodifiableMap(new TreeMap<>(classes));
      }

      /**
       * What differs from {@code other}, one line per class ({@code com.acme.Rates changed},
       * {@code com.acme.Fees added}, {@code ... removed}); empty when the hashes are equal.
       */
      public List<String> changesTo(Code other) {
        List<String> lines = new ArrayList<>();
        if (hash.equals(other.hash)) {
          return lines;
        }
        Set<String> names = new TreeSet<>(classes.keySet());
        names.addAll(other.classes.keySet());
        for (String name : names) {
          String mine = classes.get(name);
          String theirs = other.classes.get(name);
          if (mine == null) {
            lines.add(name + " added");
          } else if (theirs == null) {
            lines.add(name + " removed");
          } else if (!mine.equals(theirs)) {
            lines.add(name + " changed");
          }
        }
        if (lines.isEmpty()) {
          lines.add("the code hashes differ, yet no class listed in either entry does (written by another library version?)");
        }
        return lines;
      }

      Map<String, Object> toHeader() {
        Map<String, Object> field = new LinkedHashMap<>();
        field.put("hash", hash);
        field.put("argsHash", argsHash);
        field.put("classes", new LinkedHashMap<String, Object>(classes));
        return field;
      }

      static Code fromHeader(Object field) {
        if (field == null) {
          return null;
        }
        if (!(field instanceof Map<?, ?> map) || !(map.get("hash") instanceof String hash)
            || !(map.get("classes") instanceof Map<?, ?> classes)) {
          throw new IllegalArgumentException("The invocation's 'code' field is malformed; it was not written by "
              + "Pure Remote or is damaged. Invalidate the entry and call again.");
        }
        Map<String, String> copy = new TreeMap<>();
        classes.forEach((k, v) -> copy.put(String.valueOf(k), String.valueOf(v)));
        return new Code(hash, map.get("argsHash") instanceof String a ? a : null, copy);
      }
    }

    /** The {@code call} header section, in the stored field order (the on-disk format). */
    public Map<String, Object> toHeader() {
      Map<String, Object> call = new LinkedHashMap<>();
      call.put("function", function.name());
      call.put("version", function.version());
      call.put("pipeline", pipelineId);
      call.put("argsHash", argsHash);
      call.put("interface", interfaceName);
      call.put("method", methodName);
      call.put("parameterTypes", new ArrayList<Object>(parameterTypes));
      call.put("implementation", implementation);
      call.put("allowedPackages", new ArrayList<Object>(allowedPackages));
      call.put("exceptionPolicy", exceptionPolicy);
      call.put("invokedBy", invokedBy);
      call.put("invokedAt", invokedAt == null ? null : invokedAt.toString());
      call.put("host", host);
      call.put("pid", pid);
      if (lease != null) {
        Map<String, Object> terms = new LinkedHashMap<>();
        terms.put("holder", lease.holder());
        terms.put("expiryMs", lease.expiry().toMillis());
        terms.put("renewMs", lease.renewEvery().toMillis());
        call.put("lease", terms);
      }
      if (code != null) {
        call.put("code", code.toHeader());
      }
      return call;
    }

    /**
     * Reads a {@code call} header section as written by any version of the library: absent fields
     * become null, empty lists or -1.
     *
     * @throws IllegalArgumentException when the function name or version is missing
     */
    public static Invocation fromHeader(Map<String, ?> call) {
      if (!(call.get("function") instanceof String name) || !(call.get("version") instanceof String version)) {
        throw new IllegalArgumentException("The invocation header has no function name and version (call section: "
            + call + "); it was not written by Pure Remote or is damaged. Invalidate the entry and call again.");
      }
      LeaseTerms lease = null;
      if (call.get("lease") instanceof Map<?, ?> terms && terms.get("holder") instanceof String holder) {
        long expiry = terms.get("expiryMs") instanceof Long l ? l : 90_000;
        long renew = terms.get("renewMs") instanceof Long r ? r : expiry / 2;
        lease = new LeaseTerms(holder, Duration.ofMillis(expiry), Duration.ofMillis(renew));
      }
      return new Invocation(new FunctionId(name, version), text(call.get("pipeline")), text(call.get("argsHash")),
          text(call.get("interface")), text(call.get("method")), strings(call.get("parameterTypes")),
          text(call.get("implementation")), strings(call.get("allowedPackages")), text(call.get("exceptionPolicy")),
          text(call.get("invokedBy")), instant(call.get("invokedAt")), text(call.get("host")), number(call.get("pid")),
          lease, Code.fromHeader(call.get("code")));
    }
  }

  /**
   * One remote execution: a {@code runs/*.json} record, or the {@code run} section of a result or
   * error header (where {@code status} is null).
   *
   * @param host the host it ran on
   * @param pid its process id, or -1 if absent
   * @param startedAt when it started; null if absent or unreadable
   * @param endedAt when it ended; null if absent or unreadable
   * @param durationMs how long it ran, or -1 if absent
   * @param status {@code succeeded}, {@code function-failed}, {@code lost-race}, {@code lease-lost},
   *     {@code infrastructure-failure: ...}, {@code disrupted: ...} (a pod evicted or preempted) and
   *     {@code requeued: ...} (a pod stopped because the queue suspended its Job again), both recorded
   *     by the shell that saw it go, see {@link MemoEntry#recordRun}; null in a result or error header
   */
  public record Run(String host, long pid, Instant startedAt, Instant endedAt, long durationMs, String status) {
    static Run fromHeader(Map<String, ?> run, String status) {
      if (run.isEmpty()) {
        return null;
      }
      return new Run(text(run.get("host")), number(run.get("pid")), instant(run.get("startedAt")),
          instant(run.get("endedAt")), number(run.get("durationMs")), status);
    }
  }

  /**
   * A committed result.
   *
   * @param value the decoded value (may be null)
   * @param run the run that computed it, or null for results stored without one
   */
  public record Result(Object value, Run run) {}

  /**
   * A committed error record (JSON, readable without the function's classes).
   *
   * @param exceptionClass the thrown exception's class name
   * @param message its message, or null
   * @param stack the printed stack trace with causes
   * @param run the run that threw, or null
   * @param record the whole record as stored (also {@code frames} and {@code causes})
   */
  public record Failure(String exceptionClass, String message, String stack, Run run, Map<String, Object> record) {}

  /**
   * The call's lease record.
   *
   * @param holder the holder id
   * @param host the holder's host
   * @param pid the holder's process id
   * @param expiresAt when it expires unless renewed
   * @param released whether the holder let it go
   */
  public record LeaseState(String holder, String host, long pid, Instant expiresAt, boolean released) {
    static LeaseState of(Leases.State s) {
      return new LeaseState(s.holder(), s.host(), s.pid(), Instant.ofEpochMilli(s.expiresAtMillis()), s.released());
    }

    /** Whether someone holds it at {@code now}. */
    public boolean live(Instant now) {
      return !released && expiresAt.isAfter(now);
    }
  }

  private static Map<String, Object> section(Map<String, Object> header, String name) {
    if (header.get(name) instanceof Map<?, ?> m) {
      Map<String, Object> out = new LinkedHashMap<>();
      m.forEach((k, v) -> out.put(String.valueOf(k), v));
      return out;
    }
    return Map.of();
  }

  private static Map<String, Object> withoutNulls(Map<String, Object> record) {
    Map<String, Object> out = new LinkedHashMap<>();
    record.forEach((k, v) -> {
      if (v != null) {
        out.put(k, v);
      }
    });
    return out;
  }

  private static String text(Object value) {
    return value == null ? null : String.valueOf(value);
  }

  private static long number(Object value) {
    return value instanceof Number n ? n.longValue() : -1;
  }

  private static Instant instant(Object value) {
    if (!(value instanceof String s)) {
      return null;
    }
    try {
      Instant quick = quickInstant(s);
      return quick != null ? quick : Instant.parse(s);
    } catch (DateTimeParseException e) {
      return null;
    }
  }

  /**
   * What {@code Instant.toString} writes for years 1000 to 9999 ({@code 2026-12-08T01:17:23.365123Z},
   * fraction optional), parsed directly; null for anything else, which {@code Instant.parse}
   * then reads. The formatter cost a pool worker's run about 5% of its CPU.
   */
  static Instant quickInstant(String s) {
    int n = s.length();
    if (n < 20 || n > 30 || s.charAt(4) != '-' || s.charAt(7) != '-' || s.charAt(10) != 'T' || s.charAt(13) != ':'
        || s.charAt(16) != ':' || s.charAt(n - 1) != 'Z' || (n > 20 && (s.charAt(19) != '.' || n == 21))) {
      return null;
    }
    int year = digits(s, 0, 4);
    int month = digits(s, 5, 7);
    int day = digits(s, 8, 10);
    int hour = digits(s, 11, 13);
    int minute = digits(s, 14, 16);
    int second = digits(s, 17, 19);
    int fraction = n > 20 ? digits(s, 20, n - 1) : 0;
    if (year < 1000 || month < 1 || day < 1 || hour < 0 || hour > 23 || minute < 0 || minute > 59 || second < 0
        || second > 59 || fraction < 0) {
      return null;
    }
    long epochDay;
    try {
      epochDay = java.time.LocalDate.of(year, month, day).toEpochDay();
    } catch (java.time.DateTimeException e) {
      return null;
    }
    int nanos = fraction;
    for (int i = n > 20 ? n - 21 : 9; i < 9; i++) {
      nanos *= 10;
    }
    return Instant.ofEpochSecond(epochDay * 86_400 + hour * 3_600L + minute * 60L + second, nanos);
  }

  /** The decimal number in {@code s[from, to)}, or -1 when a character is not a digit. */
  private static int digits(String s, int from, int to) {
    int value = 0;
    for (int i = from; i < to; i++) {
      char c = s.charAt(i);
      if (c < '0' || c > '9') {
        return -1;
      }
      value = value * 10 + (c - '0');
    }
    return value;
  }

  private static List<String> strings(Object value) {
    List<String> out = new ArrayList<>();
    if (value instanceof List<?> list) {
      list.forEach(o -> out.add(String.valueOf(o)));
    }
    return out;
  }
}
