package io.pureremote.internal;

import static org.assertj.core.api.Assertions.assertThat;

import io.pureremote.internal.ArgsFixtures.Color;
import io.pureremote.internal.ArgsFixtures.Point;
import io.pureremote.internal.ArgsFixtures.Pojo;
import java.io.File;
import java.io.InputStream;
import java.io.OutputStream;
import java.io.Reader;
import java.io.Writer;
import java.lang.reflect.Type;
import java.math.BigDecimal;
import java.nio.channels.FileChannel;
import java.nio.file.Path;
import java.time.LocalDate;
import java.time.ZoneId;
import java.time.ZonedDateTime;
import java.util.ArrayList;
import java.util.Collection;
import java.util.Comparator;
import java.util.Date;
import java.util.EnumSet;
import java.util.Iterator;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.OptionalLong;
import java.util.Set;
import java.util.SortedMap;
import java.util.UUID;
import java.util.concurrent.Callable;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.Future;
import java.util.function.Function;
import java.util.function.Supplier;
import java.util.stream.IntStream;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;

class ArgsTypeCheckTest {
  record Cohort(String name, Supplier<List<String>> loader) {}

  record Tree(String label, List<Tree> children, Map<String, Tree> byName) {}

  record Ping(String id, Pong pong) {}

  record Pong(Optional<Ping> ping, Set<Ping> more) {}

  record BadTree(List<BadTree> kids, Map<String, Thread> threads) {}

  record Outer(List<Cohort> cohorts) {}

  record Box<T>(T value) {}

  sealed interface Shape permits Circle, Square {}

  record Circle(double r) implements Shape {}

  record Square(double side) implements Shape {}

  interface Scorer {
    double score(Point p);
  }

  @FunctionalInterface
  interface Mapper {
    String map(String s);
  }

  abstract static class AbstractJob {
    String name;
  }

  abstract static class LeakyJob {
    Iterator<String> source;
  }

  static final class Settings {
    Map<String, Integer> limits;
    InputStream in;
  }

  static final class Linked {
    Linked next;
    List<Linked> others;
    String label;
  }

  /** Declared types to check, read from these fields' generic types. */
  @SuppressWarnings("unused")
  abstract static class Declared<T> {
    List<String> stringList;
    Map<String, List<Integer>> mapOfLists;
    Set<Color> colorSet;
    EnumSet<Color> enumSet;
    SortedMap<LocalDate, BigDecimal> sortedMap;
    Optional<ZonedDateTime> optionalTime;
    OptionalLong optionalLong;
    Collection<UUID> uuids;
    List<?> wildcardList;
    List<? super Runnable> superWildcard;
    List<T> typeVariableList;
    Map<String, T>[] genericArray;

    @SuppressWarnings("rawtypes")
    List rawList;

    Box<Supplier<String>> userGeneric;
    Number number;
    CharSequence chars;
    Comparable<String> comparable;
    Iterable<String> iterable;
    ZoneId zone;

    List<Supplier<String>> supplierList;
    Map<String, Function<String, String>> functionValues;
    Map<Thread, String> threadKeys;
    Optional<InputStream> optionalStream;
    Supplier<String>[] supplierArray;
    Runnable[][] runnableMatrix;
    List<? extends Runnable> runnableWildcard;
    Class<?> someClass;
    CompletableFuture<String> completable;
    Future<String> future;
    Stream<String> stream;
    IntStream intStream;
    Iterator<String> iterator;
    FileChannel channel;
    AutoCloseable closeable;
  }

  private static Type declared(String field) throws NoSuchFieldException {
    return Declared.class.getDeclaredField(field).getGenericType();
  }

  private static String problem(Type t) {
    Optional<String> problem = ArgsTypeCheck.problem(t);
    assertThat(problem).as("a problem with " + t.getTypeName()).isPresent();
    return problem.get();
  }

  @Test
  void supportedTypesPass() throws Exception {
    List<Type> ok =
        new ArrayList<>(
            List.of(
                int.class,
                double.class,
                boolean.class,
                Integer.class,
                String.class,
                Color.class,
                BigDecimal.class,
                LocalDate.class,
                ZonedDateTime.class,
                UUID.class,
                int[].class,
                String[].class,
                Point[][].class,
                Point.class,
                Pojo.class,
                Object.class,
                Shape.class,
                Circle.class,
                Scorer.class,
                AbstractJob.class,
                ArgsFixtures.Cohort.class,
                ArgsFixtures.Op.class,
                List.class,
                Map.class,
                Optional.class,
                java.time.DayOfWeek.class,
                Record.class,
                Enum.class));
    for (String f :
        List.of(
            "stringList",
            "mapOfLists",
            "colorSet",
            "enumSet",
            "sortedMap",
            "optionalTime",
            "optionalLong",
            "uuids",
            "wildcardList",
            "superWildcard",
            "typeVariableList",
            "genericArray",
            "rawList",
            "userGeneric",
            "number",
            "chars",
            "comparable",
            "iterable",
            "zone")) {
      ok.add(declared(f));
    }
    for (Type t : ok) {
      assertThat(ArgsTypeCheck.problem(t)).as(t.getTypeName()).isEmpty();
    }
  }

  @Test
  void recursiveTypesTerminate() {
    assertThat(ArgsTypeCheck.problem(Tree.class)).isEmpty();
    assertThat(ArgsTypeCheck.problem(Ping.class)).isEmpty();
    assertThat(ArgsTypeCheck.problem(Linked.class)).isEmpty();
    assertThat(problem(BadTree.class))
        .isEqualTo(
            "record "
                + BadTree.class.getName()
                + " component 'threads' > java.util.Map value has type java.lang.Thread, a thread,"
                + " live state rather than data");
  }

  @Test
  void functionObjectsAreReportedWithTheirPlace() {
    assertThat(problem(Function.class))
        .isEqualTo("java.util.function.Function is a function object: pass data, not code");
    assertThat(problem(Cohort.class))
        .isEqualTo(
            "record "
                + Cohort.class.getName()
                + " component 'loader' has type java.util.function.Supplier, a function object:"
                + " pass data, not code");
    assertThat(problem(Outer.class))
        .isEqualTo(
            "record "
                + Outer.class.getName()
                + " component 'cohorts' > java.util.List element > record "
                + Cohort.class.getName()
                + " component 'loader' has type java.util.function.Supplier, a function object:"
                + " pass data, not code");
    assertThat(problem(Runnable.class)).startsWith("java.lang.Runnable is a function object");
    assertThat(problem(Callable.class))
        .startsWith("java.util.concurrent.Callable is a function object");
    assertThat(problem(Supplier.class))
        .startsWith("java.util.function.Supplier is a function object");
    assertThat(problem(Comparator.class)).startsWith("java.util.Comparator is a function object");
    assertThat(problem(Mapper.class)).startsWith(Mapper.class.getName() + " is a function object");
  }

  @Test
  void problemTypesAreReportedByName() throws Exception {
    Map<Type, String> cases = new java.util.LinkedHashMap<>();
    cases.put(Thread.class, "java.lang.Thread is a thread");
    cases.put(InputStream.class, "java.io.InputStream is an I/O stream or channel");
    cases.put(OutputStream.class, "java.io.OutputStream is an I/O stream or channel");
    cases.put(Reader.class, "java.io.Reader is an I/O stream or channel");
    cases.put(Writer.class, "java.io.Writer is an I/O stream or channel");
    cases.put(
        File.class,
        "java.io.File is a local path, and a local path is not content: pass a BlobRef or the data"
            + " itself");
    cases.put(Path.class, "java.nio.file.Path is a local path");
    cases.put(Date.class, "java.util.Date is a JDK type without a canonical encoding");
    cases.put(
        StringBuilder.class, "java.lang.StringBuilder is a JDK type without a canonical encoding");
    cases.put(
        LeakyJob.class,
        "class "
            + LeakyJob.class.getName()
            + " field 'source' has type java.util.Iterator, a one-shot");
    cases.put(
        Settings.class,
        "class " + Settings.class.getName() + " field 'in' has type java.io.InputStream, an I/O");
    cases.put(
        declared("supplierList"),
        "java.util.List element has type java.util.function.Supplier, a function object");
    cases.put(
        declared("functionValues"),
        "java.util.Map value has type java.util.function.Function, a function object");
    cases.put(declared("threadKeys"), "java.util.Map key has type java.lang.Thread, a thread");
    cases.put(
        declared("optionalStream"),
        "java.util.Optional value has type java.io.InputStream, an I/O stream");
    cases.put(
        declared("supplierArray"),
        "array element has type java.util.function.Supplier, a function object");
    cases.put(
        declared("runnableMatrix"),
        "java.lang.Runnable[][] element > java.lang.Runnable[] element has type"
            + " java.lang.Runnable");
    cases.put(
        declared("runnableWildcard"),
        "java.util.List element has type java.lang.Runnable, a function object");
    cases.put(declared("someClass"), "java.lang.Class is a Class object");
    cases.put(
        declared("completable"), "java.util.concurrent.CompletableFuture is a pending computation");
    cases.put(declared("future"), "java.util.concurrent.Future is a pending computation");
    cases.put(declared("stream"), "java.util.stream.Stream is a one-shot iterator or stream");
    cases.put(declared("intStream"), "java.util.stream.IntStream is a one-shot iterator or stream");
    cases.put(declared("iterator"), "java.util.Iterator is a one-shot iterator or stream");
    cases.put(declared("channel"), "java.nio.channels.FileChannel is an I/O stream or channel");
    cases.put(
        declared("closeable"),
        "java.lang.AutoCloseable is a JDK type without a canonical encoding");
    cases.forEach(
        (type, expected) -> assertThat(problem(type)).as(type.getTypeName()).startsWith(expected));
  }
}
