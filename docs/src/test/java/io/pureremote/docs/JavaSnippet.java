package io.pureremote.docs;

import java.util.ArrayList;
import java.util.List;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * What the docs test needs to know about a {@code java} block, read from its source text: the
 * package, the file name javac wants, whether and which type to run, and whether running is
 * switched off.
 *
 * <p>Comments, string and character literals and text blocks are blanked before looking, and only
 * declarations outside any braces count as top-level types, so a nested {@code public static
 * class} or a Javadoc mentioning {@code public class Foo} cannot mislead it.
 *
 * @param packageName the declared package, or {@code ""}
 * @param typeName the public top-level type, or the first top-level type when none is public;
 *     decides the file name
 * @param mainType the top-level type declaring {@code public static void main(String[])}
 *     directly in its body (the public type when several do), or {@code null}
 * @param compileOnly whether the block holds the marker comment {@code // docs:compile-only}
 */
record JavaSnippet(String packageName, String typeName, String mainType, boolean compileOnly) {
  /** The marker comment that keeps a block with a {@code main} from being run. */
  static final String COMPILE_ONLY_MARKER = "// docs:compile-only";

  private static final Pattern COMPILE_ONLY = Pattern.compile("//\\s*docs:compile-only\\b");
  private static final Pattern PACKAGE = Pattern.compile("(?<![\\w$.])package\\s+([\\w$.\\s]+?)\\s*;");
  private static final Pattern TYPE = Pattern.compile(
      "(?<![\\w$.-])(class|interface|record|enum)\\s+([A-Za-z_$][\\w$]*)");
  private static final Pattern PUBLIC = Pattern.compile("(?<![\\w$.-])public(?![\\w$-])");
  private static final Pattern MAIN = Pattern.compile(
      "(?<![\\w$])(?:public\\s+static|static\\s+public)\\s+(?:final\\s+)?void\\s+main\\s*\\(\\s*"
          + "(?:final\\s+)?(?:java\\.lang\\.)?String\\s*"
          + "(?:\\[\\s*]\\s*[\\w$]+|\\.\\.\\.\\s*[\\w$]+|[\\w$]+\\s*\\[\\s*])\\s*\\)");

  /** A top-level type declaration: its name, visibility and the extent of its body. */
  private record TopLevelType(String name, boolean isPublic, int bodyStart, int bodyEnd) {}

  /** The file name javac requires for this block, e.g. {@code Quickstart.java}. */
  String fileName() {
    return typeName + ".java";
  }

  /** The block's source path under a source root, e.g. {@code guide/scoring/ScoringMain.java}. */
  String sourcePath() {
    return packageName.isEmpty() ? fileName() : packageName.replace('.', '/') + "/" + fileName();
  }

  /** Whether the docs test runs this block: it has a {@code main} and no compile-only marker. */
  boolean runnable() {
    return mainType != null && !compileOnly;
  }

  /** The binary name of the type to run, with its package; {@code null} without a main. */
  String mainClass() {
    if (mainType == null) {
      return null;
    }
    return packageName.isEmpty() ? mainType : packageName + "." + mainType;
  }

  /**
   * Reads {@code code}, a complete compilation unit.
   *
   * @throws IllegalArgumentException when it declares no top-level type (a fragment)
   */
  static JavaSnippet analyze(String code) {
    String text = blankCommentsAndLiterals(code);
    int[] depth = braceDepths(text);

    String packageName = "";
    Matcher pkg = PACKAGE.matcher(text);
    while (pkg.find()) {
      if (depth[pkg.start()] == 0) {
        packageName = pkg.group(1).replaceAll("\\s+", "");
        break;
      }
    }

    List<TopLevelType> types = new ArrayList<>();
    Matcher type = TYPE.matcher(text);
    int searchFrom = 0;
    while (type.find(searchFrom)) {
      searchFrom = type.end();
      if (depth[type.start()] != 0) {
        continue;
      }
      int open = text.indexOf('{', type.end());
      if (open < 0) {
        break;
      }
      int close = matchingBrace(text, open);
      boolean isPublic = PUBLIC.matcher(modifiersBefore(text, depth, type.start())).find();
      types.add(new TopLevelType(type.group(2), isPublic, open, close));
      searchFrom = close;
    }
    if (types.isEmpty()) {
      throw new IllegalArgumentException("the block declares no top-level type; a ```java block must"
          + " be a complete compilation unit (imports and a class, interface, record or enum)."
          + " Mark partial code ```java-fragment instead");
    }
    TopLevelType named = types.stream().filter(TopLevelType::isPublic).findFirst().orElse(types.getFirst());

    List<TopLevelType> withMain = new ArrayList<>();
    Matcher main = MAIN.matcher(text);
    while (main.find()) {
      if (depth[main.start()] != 1) {
        continue;
      }
      int at = main.start();
      types.stream()
          .filter(t -> t.bodyStart() < at && at < t.bodyEnd() && !withMain.contains(t))
          .findFirst()
          .ifPresent(withMain::add);
    }
    String mainType = withMain.isEmpty() ? null
        : (withMain.contains(named) ? named : withMain.getFirst()).name();

    return new JavaSnippet(packageName, named.name(), mainType, COMPILE_ONLY.matcher(code).find());
  }

  /**
   * {@code code} with every comment, string literal, text block and character literal replaced by
   * spaces (line breaks kept), so offsets and line numbers stay as they were.
   */
  static String blankCommentsAndLiterals(String code) {
    StringBuilder out = new StringBuilder(code);
    int n = code.length();
    int i = 0;
    while (i < n) {
      char c = code.charAt(i);
      int end;
      if (code.startsWith("//", i)) {
        end = code.indexOf('\n', i);
        end = end < 0 ? n : end;
      } else if (code.startsWith("/*", i)) {
        end = code.indexOf("*/", i + 2);
        end = end < 0 ? n : end + 2;
      } else if (code.startsWith("\"\"\"", i)) {
        end = literalEnd(code, i + 3, "\"\"\"", false);
      } else if (c == '"' || c == '\'') {
        end = literalEnd(code, i + 1, String.valueOf(c), true);
      } else {
        i++;
        continue;
      }
      for (int k = i; k < end; k++) {
        if (out.charAt(k) != '\n' && out.charAt(k) != '\r') {
          out.setCharAt(k, ' ');
        }
      }
      i = end;
    }
    return out.toString();
  }

  private static int literalEnd(String code, int from, String close, boolean stopAtLineEnd) {
    int n = code.length();
    int j = from;
    while (j < n) {
      char c = code.charAt(j);
      if (c == '\\') {
        j += 2;
      } else if (code.startsWith(close, j)) {
        return j + close.length();
      } else if (stopAtLineEnd && c == '\n') {
        return j;
      } else {
        j++;
      }
    }
    return n;
  }

  /** For each offset, the number of braces open before it. */
  private static int[] braceDepths(String text) {
    int[] depth = new int[text.length() + 1];
    int d = 0;
    for (int i = 0; i < text.length(); i++) {
      depth[i] = d;
      char c = text.charAt(i);
      if (c == '{') {
        d++;
      } else if (c == '}') {
        d = Math.max(0, d - 1);
      }
    }
    depth[text.length()] = d;
    return depth;
  }

  private static int matchingBrace(String text, int open) {
    int d = 0;
    for (int i = open; i < text.length(); i++) {
      char c = text.charAt(i);
      if (c == '{') {
        d++;
      } else if (c == '}' && --d == 0) {
        return i;
      }
    }
    return text.length();
  }

  /** The top-level text just before a type keyword: its modifiers and annotations. */
  private static String modifiersBefore(String text, int[] depth, int keyword) {
    int i = keyword;
    while (i > 0) {
      char c = text.charAt(i - 1);
      if ((c == ';' || c == '}') && depth[i - 1] <= 1) {
        break;
      }
      i--;
    }
    return text.substring(i, keyword);
  }
}
