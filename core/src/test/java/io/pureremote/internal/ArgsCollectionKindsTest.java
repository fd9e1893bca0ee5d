package io.pureremote.internal;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.pureremote.ArgumentKeyException;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.HashMap;
import java.util.LinkedList;
import java.util.List;
import java.util.Map;
import java.util.PriorityQueue;
import java.util.Set;
import java.util.TreeMap;
import java.util.TreeSet;
import org.junit.jupiter.api.Test;

/**
 * Issue 18 defects 3 and 4: collection subclasses with their own fields are refused, and the
 * collection kinds a function can tell apart get different keys.
 */
class ArgsCollectionKindsTest {
  /** The example: the tag was dropped from the key and arrived as null remotely. */
  static class TaggedList extends ArrayList<String> {
    String tag;

    TaggedList(String tag, List<String> items) {
      super(items);
      this.tag = tag;
    }
  }

  static class Counted extends HashMap<String, Integer> {
    int version;
  }

  /** A subclass without state of its own keeps working, keyed as any list. */
  static class Names extends ArrayList<String> {
    transient int cachedHash;

    Names(List<String> items) {
      super(items);
    }
  }

  enum ByLength implements Comparator<String> {
    INSTANCE;

    @Override
    public int compare(String a, String b) {
      return a.length() != b.length() ? Integer.compare(a.length(), b.length()) : a.compareTo(b);
    }
  }

  record Modulo(int m) implements Comparator<Integer> {
    @Override
    public int compare(Integer a, Integer b) {
      int c = Integer.compare(a % m, b % m);
      return c != 0 ? c : Integer.compare(a, b);
    }
  }

  public interface Api {
    void tagged(TaggedList items);

    void nested(Map<String, List<Counted>> byName);

    void names(Names names);
  }

  private static String key(Object... args) {
    return ArgsEncoder.hash(args);
  }

  private static ArgumentKeyException refused(Object... args) {
    return org.assertj.core.api.Assertions.catchThrowableOfType(
        () -> ArgsEncoder.hash(args), ArgumentKeyException.class);
  }

  @Test
  void aListSubclassWithItsOwnFieldIsRefusedWithThePathAndTheFix() {
    ArgumentKeyException e = refused("x", new TaggedList("red", List.of("a")));
    assertThat(e).isNotNull();
    assertThat(e.path()).isEqualTo("args[1]");
    assertThat(e.getMessage())
        .contains("a Collection subclass with its own fields (tag)")
        .contains("neither the key nor the remote copy keeps")
        .contains("record or class that holds the collection in a field");
  }

  @Test
  void aMapSubclassWithAFieldIsRefusedInsideOtherValues() {
    Map<String, List<Counted>> nested = Map.of("k", List.of(new Counted()));
    ArgumentKeyException e = refused(nested);
    assertThat(e).isNotNull();
    assertThat(e.path()).isEqualTo("args[0][\"k\"][0]");
    assertThat(e.getMessage()).contains("a Map subclass with its own fields (version)");
  }

  @Test
  void theDeclaredTypeCheckRefusesThemBeforeAnyCall() throws Exception {
    var tagged = Api.class.getMethod("tagged", TaggedList.class).getGenericParameterTypes()[0];
    assertThat(ArgsTypeCheck.problem(tagged))
        .hasValueSatisfying(p -> assertThat(p).contains("own fields (tag)"));
    var nested = Api.class.getMethod("nested", Map.class).getGenericParameterTypes()[0];
    assertThat(ArgsTypeCheck.problem(nested))
        .hasValueSatisfying(
            p -> assertThat(p).contains("java.util.List element").contains("own fields (version)"));
    var names = Api.class.getMethod("names", Names.class).getGenericParameterTypes()[0];
    assertThat(ArgsTypeCheck.problem(names)).isEmpty();
  }

  @Test
  void aSubclassWithoutStateAndADoubleBraceInitialiserKeepTheirKeys() {
    String expected = key(List.of("a", "b"));
    assertThat(key(new Names(List.of("a", "b")))).isEqualTo(expected);
    @SuppressWarnings("serial")
    List<String> doubleBrace =
        new ArrayList<>() {
          {
            add("a");
            add("b");
          }
        };
    assertThat(key(doubleBrace)).isEqualTo(expected);
  }

  @Test
  void aListAndADequeWithEqualElementsDiffer() {
    String list = key(List.of("a", "b"));
    assertThat(key(new ArrayDeque<>(List.of("a", "b")))).isNotEqualTo(list);
    assertThat(key(new LinkedList<>(List.of("a", "b")))).isEqualTo(list); // a List first
    assertThat(key(new ArrayDeque<>(List.of("a", "b"))))
        .isEqualTo(key(new java.util.concurrent.ConcurrentLinkedDeque<>(List.of("a", "b"))));
    assertThat(key(new ArrayDeque<>(List.of("a", "b"))))
        .isNotEqualTo(key(new ArrayDeque<>(List.of("b", "a"))));
    assertThat(key(new PriorityQueue<>(List.of(1)))).isNotEqualTo(key(List.of(1)));
  }

  @Test
  void aSortedSetOrMapDiffersByItsComparatorButNaturalOrderIsAnySet() {
    String set = key(Set.of(1, 2, 3));
    assertThat(key(new TreeSet<>(Set.of(1, 2, 3)))).isEqualTo(set);
    TreeSet<Integer> natural = new TreeSet<>(Comparator.naturalOrder());
    natural.addAll(Set.of(1, 2, 3));
    assertThat(key(natural)).isEqualTo(set);
    TreeSet<Integer> reverse = new TreeSet<>(Comparator.reverseOrder());
    reverse.addAll(Set.of(1, 2, 3));
    assertThat(key(reverse)).isNotEqualTo(set);

    String map = key(Map.of("a", 1, "b", 2));
    assertThat(key(new TreeMap<>(Map.of("a", 1, "b", 2)))).isEqualTo(map);
    TreeMap<String, Integer> ci = new TreeMap<>(String.CASE_INSENSITIVE_ORDER);
    ci.putAll(Map.of("a", 1, "b", 2));
    TreeMap<String, Integer> byLength = new TreeMap<>(ByLength.INSTANCE);
    byLength.putAll(Map.of("a", 1, "b", 2));
    assertThat(Set.of(map, key(ci), key(byLength))).hasSize(3);

    TreeSet<Integer> mod3 = new TreeSet<>(new Modulo(3));
    mod3.addAll(Set.of(1, 2, 3));
    TreeSet<Integer> mod3Again = new TreeSet<>(new Modulo(3));
    mod3Again.addAll(Set.of(3, 2, 1));
    TreeSet<Integer> mod4 = new TreeSet<>(new Modulo(4));
    mod4.addAll(Set.of(1, 2, 3));
    assertThat(key(mod3)).isEqualTo(key(mod3Again)).isNotEqualTo(key(mod4)).isNotEqualTo(set);
  }

  @Test
  void aLambdaComparatorIsRefusedWithThePathAndTheFix() {
    TreeSet<String> byLength = new TreeSet<>((a, b) -> a.length() - b.length());
    byLength.add("x");
    ArgumentKeyException e = refused(Map.of("k", byLength));
    assertThat(e).isNotNull();
    assertThat(e.path()).isEqualTo("args[0][\"k\"]");
    assertThat(e.getMessage())
        .contains("has a comparator")
        .contains("cannot be identified stably")
        .contains("Comparator.naturalOrder(), Comparator.reverseOrder()");
    assertThatThrownBy(() -> key(new TreeMap<>(Comparator.comparing(String::length))))
        .isInstanceOf(ArgumentKeyException.class)
        .hasMessageContaining("cannot be identified stably");
  }

  @Test
  void theKeyDiffNamesTheKindOrComparatorThatDiffers() {
    TreeSet<Integer> reverse = new TreeSet<>(Comparator.reverseOrder());
    reverse.addAll(Set.of(1, 2));
    assertThat(
            ArgsDiff.diff(
                    new Object[] {List.of("a"), new TreeSet<>(Set.of(1, 2))},
                    new Object[] {new ArrayDeque<>(List.of("a")), reverse})
                .lines())
        .satisfiesExactly(
            l -> assertThat(l).startsWith("args[0]: list vs deque/queue"),
            l ->
                assertThat(l)
                    .startsWith(
                        "args[1]: comparator differs: natural order ≠ Comparator.reverseOrder()"));
    assertThat(
            ArgsDiff.diff(new Object[] {new TreeMap<>(Map.of("a", 1))}, new Object[] {Map.of("a", 1)})
                .listed())
        .isEmpty();
  }
}
