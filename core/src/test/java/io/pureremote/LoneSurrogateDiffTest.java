package io.pureremote;

import io.pureremote.Keys.KeyDiff;
import static org.assertj.core.api.Assertions.assertThat;

import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

/** Issue 18 defect 6: a lone surrogate anywhere in an argument prints escaped in a key diff, never as '?'. */
class LoneSurrogateDiffTest {
  public interface Texts {
    @PureRemote(name = "Texts#strings")
    int strings(String[] words);

    @PureRemote(name = "Texts#chars")
    int chars(char[] letters);

    @PureRemote(name = "Texts#list")
    int list(List<String> words);

    @PureRemote(name = "Texts#map")
    int map(Map<String, String> words);

    @PureRemote(name = "Texts#one")
    int one(String word);
  }

  private static List<String> texts(KeyDiff diff) {
    assertThat(diff.sameKey()).isFalse();
    List<String> texts = diff.differences().stream().map(KeyDiff.Difference::text).toList();
    texts.forEach(LoneSurrogateDiffTest::noLoneSurrogate);
    assertThat(diff.toString()).doesNotContain("\"?\"");
    return texts;
  }

  private static void noLoneSurrogate(String s) {
    for (int i = 0; i < s.length(); i++) {
      char c = s.charAt(i);
      if (Character.isHighSurrogate(c) && i + 1 < s.length() && Character.isLowSurrogate(s.charAt(i + 1))) {
        i++;
      } else {
        assertThat(Character.isSurrogate(c)).as("lone surrogate at %d in %s", i, s).isFalse();
      }
    }
  }

  @Test
  void inArraysListsMapsAndAtTheTruncationPoint() {
    KeyDiff strings = Keys.whyMiss(Texts.class, "strings", new Object[] {new String[] {"a\uD800"}},
        new Object[] {new String[] {"a\uDC00"}});
    assertThat(String.join("\n", texts(strings))).contains("\\uD800").contains("\\uDC00");
    noLoneSurrogate(strings.toString());

    KeyDiff chars = Keys.whyMiss(Texts.class, "chars", new Object[] {new char[] {'\uD800'}},
        new Object[] {new char[] {'\uDC00'}});
    assertThat(String.join("\n", texts(chars))).contains("\\uD800").contains("\\uDC00");
    noLoneSurrogate(chars.toString());

    KeyDiff list = Keys.whyMiss(Texts.class, "list", new Object[] {List.of("x", "\uD800")},
        new Object[] {List.of("x", "\uDBFF")});
    assertThat(String.join("\n", texts(list))).contains("\\uD800").contains("\\uDBFF");
    noLoneSurrogate(list.toString());

    KeyDiff map = Keys.whyMiss(Texts.class, "map", new Object[] {Map.of("k\uD800", "v")},
        new Object[] {Map.of("k\uDC00", "v")});
    noLoneSurrogate(map.toString());
    assertThat(map.toString()).containsIgnoringCase("\\uD800").containsIgnoringCase("\\uDC00");

    // A long text cut between the two halves of a pair must not leave half of it.
    String longA = "a".repeat(69) + "\uD83D\uDE00" + "tail";
    String longB = "b".repeat(79) + "\uD83D\uDE00" + "tail";
    for (int cut = 70; cut < 90; cut++) {
      KeyDiff d = Keys.whyMiss(Texts.class, "one", new Object[] {"x".repeat(cut - 70) + longA},
          new Object[] {longB});
      noLoneSurrogate(d.toString());
    }
  }
}
