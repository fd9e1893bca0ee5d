package io.pureremote;

import io.pureremote.Keys.KeyDiff;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.pureremote.internal.ArgsEncoder;
import java.util.ArrayList;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;
import org.junit.jupiter.api.Test;

/** {@link Keys#whyMiss}: the canonical encoding decides, the diff names the paths. */
class KeysTest {
  public interface Shop {
    record Basket(String owner, List<String> items, Set<String> tags, Map<String, Double> prices) {}

    @PureRemote(version = "2")
    double total(String currency, Basket basket);

    @PureRemote(name = "Shop#totalOf")
    double total(String currency, int count);

    @PureRemote
    long count(long x);

    String notRemote(String x);
  }

  static Shop.Basket basket(List<String> items, Set<String> tags, Map<String, Double> prices) {
    return new Shop.Basket("ann", items, tags, prices);
  }

  @Test
  void identicalArgumentsHaveTheSameKey() {
    KeyDiff diff = Keys.whyMiss(Shop.class, "total",
        new Object[] {"EUR", basket(List.of("a"), Set.of("x"), Map.of("a", 1.0))},
        new Object[] {"EUR", basket(new ArrayList<>(List.of("a")), new LinkedHashSet<>(Set.of("x")), new TreeMap<>(Map.of("a", 1.0)))});
    assertThat(diff.sameKey()).isTrue();
    assertThat(diff.function()).isEqualTo(new FunctionId(Shop.class.getName() + "#total", "2"));
    assertThat(diff.hashA()).isEqualTo(ArgsEncoder.hash(new Object[] {"EUR", basket(List.of("a"), Set.of("x"), Map.of("a", 1.0))}));
    assertThat(diff.differences()).isEmpty();
    assertThat(diff.toString()).isEqualTo("function    " + Shop.class.getName() + "#total@2\n"
        + "args hash   same (" + diff.hashA() + ")\n"
        + "same key: both calls share one memo entry, so the second one is a hit.\n");
  }

  @Test
  void storedArgumentsCompareWithoutAMethodAndHashAsTheRuntimeDoes() {
    FunctionId id = new FunctionId("Shop#totalOf", "1");
    Object[] a = {"EUR", basket(List.of("a"), Set.of("x"), Map.of("a", 1.0))};
    Object[] b = {"EUR", basket(List.of("a"), Set.of("x"), Map.of("a", 1.5))};

    KeyDiff diff = Keys.diff(id, a, b);

    assertThat(diff.function()).isEqualTo(id);
    assertThat(diff.hashA()).isEqualTo(Keys.argsHash(a)).isEqualTo(ArgsEncoder.hash(a));
    assertThat(diff.hashB()).isEqualTo(Keys.argsHash(b));
    assertThat(diff.differences()).extracting(KeyDiff.Difference::text).containsExactly("args[1].prices[\"a\"]: 1.0 ≠ 1.5");
    assertThat(Keys.diff(id, a, a.clone()).sameKey()).isTrue();
    assertThat(KeyDiff.render("abc", 100)).isEqualTo("\"abc\"");
  }

  @Test
  void oneNestedFieldIsNamedByItsPath() {
    KeyDiff diff = Keys.whyMiss(Shop.class, "total",
        new Object[] {"EUR", basket(List.of("a", "b"), Set.of("x"), Map.of("a", 1.0, "b", 2.0))},
        new Object[] {"EUR", basket(List.of("a", "b"), Set.of("x"), Map.of("a", 1.0, "b", 2.5))});
    assertThat(diff.sameKey()).isFalse();
    assertThat(diff.differences()).containsExactly(
        new KeyDiff.Difference("args[1].prices[\"b\"]", "2.0", "2.5", "args[1].prices[\"b\"]: 2.0 ≠ 2.5"));
    assertThat(diff.toString()).isEqualTo("function    " + Shop.class.getName() + "#total@2\n"
        + "args hash   differs: " + diff.hashA() + " ≠ " + diff.hashB() + "\n"
        + "arguments   1 difference (A ≠ B)\n"
        + "  args[1].prices[\"b\"]: 2.0 ≠ 2.5\n");
  }

  @Test
  void listOrderMattersSetOrderDoesNot() {
    KeyDiff lists = Keys.whyMiss(Shop.class, "total",
        new Object[] {"EUR", basket(List.of("a", "b"), Set.of(), Map.of())},
        new Object[] {"EUR", basket(List.of("b", "a"), Set.of(), Map.of())});
    assertThat(lists.differences()).extracting(KeyDiff.Difference::text)
        .containsExactly("args[1].items[0]: \"a\" ≠ \"b\"", "args[1].items[1]: \"b\" ≠ \"a\"");

    Set<String> ab = new LinkedHashSet<>(List.of("a", "b"));
    Set<String> ba = new LinkedHashSet<>(List.of("b", "a"));
    KeyDiff sets = Keys.whyMiss(Shop.class, "total",
        new Object[] {"EUR", basket(List.of(), ab, Map.of())}, new Object[] {"EUR", basket(List.of(), ba, Map.of())});
    assertThat(sets.sameKey()).isTrue();

    KeyDiff moreTags = Keys.whyMiss(Shop.class, "total",
        new Object[] {"EUR", basket(List.of(), ab, Map.of())}, new Object[] {"EUR", basket(List.of(), Set.of("a"), Map.of())});
    assertThat(moreTags.differences()).extracting(KeyDiff.Difference::text)
        .containsExactly("args[1].tags: element \"b\" only in A");
    assertThat(moreTags.differences().getFirst().b()).isEqualTo("(absent)");
  }

  @Test
  void typesThatPrintAlikeStillDiffer() {
    KeyDiff diff = Keys.whyMiss(Shop.class, "count", new Object[] {1L}, new Object[] {2L});
    assertThat(diff.differences()).extracting(KeyDiff.Difference::text).containsExactly("args[0]: 1 (Long) ≠ 2 (Long)");
  }

  @Test
  void loneSurrogatesAreShownEscapedNotAsQuestionMarks() {
    KeyDiff diff = Keys.whyMiss(Shop.class, "total",
        new Object[] {"a\uD800", 1}, new Object[] {"a\uDC00", 1});
    assertThat(diff.sameKey()).isFalse();
    assertThat(diff.differences()).extracting(KeyDiff.Difference::text)
        .containsExactly("args[0]: \"a\\uD800\" ≠ \"a\\uDC00\"");
    KeyDiff pair = Keys.whyMiss(Shop.class, "total",
        new Object[] {"\uD83D\uDE00", 1}, new Object[] {"x", 1});
    assertThat(pair.differences()).extracting(KeyDiff.Difference::text)
        .containsExactly("args[0]: \"\uD83D\uDE00\" ≠ \"x\"");
  }

  @Test
  void overloadsArePickedByTheArguments() {
    KeyDiff diff = Keys.whyMiss(Shop.class, "total", new Object[] {"EUR", 3}, new Object[] {"EUR", 4});
    assertThat(diff.function().name()).isEqualTo("Shop#totalOf");
    assertThat(diff.differences()).extracting(KeyDiff.Difference::text).containsExactly("args[1]: 3 ≠ 4");
  }

  @Test
  void mistakesSayWhatIsWrong() {
    assertThatThrownBy(() -> Keys.whyMiss(Shop.class, "totl", new Object[0], new Object[0]))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessage(Shop.class.getName() + " has no abstract method 'totl'; its methods: count, notRemote, total");
    assertThatThrownBy(() -> Keys.whyMiss(Shop.class, "count", new Object[] {1L}, new Object[] {1L, 2L}))
        .hasMessage("Cannot compare calls of " + Shop.class.getName() + "#count(long):\n"
            + "  - argsB has 2 values but " + Shop.class.getName() + "#count(long) takes 1");
    assertThatThrownBy(() -> Keys.whyMiss(Shop.class, "count", new Object[] {1L}, new Object[] {"1"}))
        .hasMessageContaining("argsB[0] is a java.lang.String but parameter 0 of count is long");
    assertThatThrownBy(() -> Keys.whyMiss(Shop.class, "count", new Object[] {null}, new Object[] {1L}))
        .hasMessageContaining("argsA[0] is null but parameter 0 of count is long");
    assertThatThrownBy(() -> Keys.whyMiss(Shop.class, "notRemote", new Object[] {"a"}, new Object[] {"b"}))
        .hasMessageContaining("has no @PureRemote; annotate the method or its interface for method Shop.notRemote");
    assertThatThrownBy(() -> Keys.whyMiss(Shop.class, "total", new Object[] {"EUR", 1L}, new Object[] {"EUR", 1L}))
        .hasMessageStartingWith(Shop.class.getName() + "#total is overloaded and no overload fits the first arguments: ")
        .hasMessageEndingWith("; pass the java.lang.reflect.Method to Keys.whyMiss(Method, Object[], Object[])");
  }
}
