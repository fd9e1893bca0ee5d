package io.pureremote.docs;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;
import java.util.TreeSet;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Stream;

/**
 * Finds Java sources that reach into another module's {@code internal} package: an import (plain,
 * static or on demand), a fully qualified name in code, or a {@code package} declaration in it (a
 * split package). A module is a folder with a {@code pom.xml} and a {@code src} folder; it owns
 * the {@code internal} packages (a package with a segment {@code internal}, and those below it)
 * that its own {@code src/main/java} declares, and may use them from its main and test sources.
 * Comments and string literals are not code and are skipped.
 */
final class InternalImports {
  private static final Pattern PACKAGE = Pattern.compile("^\\s*package\\s+([\\w.]+)\\s*;", Pattern.MULTILINE);
  private static final Set<String> SKIPPED = Set.of("target", "node_modules", ".git", ".mvn");

  private InternalImports() {}

  /** One use of an internal package from outside its module. */
  record Violation(String file, int line, String owner, String what) {
    @Override
    public String toString() {
      return file + ":" + line + ": " + what + " (internal to " + owner + ")";
    }
  }

  /** Every violation below {@code root}, in file and line order. */
  static List<Violation> scan(Path root) {
    Map<Path, List<Path>> sources = new TreeMap<>();
    for (Path module : modules(root)) {
      sources.put(module, javaFiles(module.resolve("src")));
    }
    // package -> the modules whose main sources declare it
    Map<String, Set<String>> owners = new TreeMap<>();
    sources.forEach((module, files) -> {
      Path main = module.resolve("src/main");
      for (Path f : files) {
        if (f.startsWith(main)) {
          declaredPackage(code(read(f))).filter(InternalImports::isInternal)
              .ifPresent(p -> owners.computeIfAbsent(p, k -> new TreeSet<>()).add(name(root, module)));
        }
      }
    });
    List<Violation> found = new ArrayList<>();
    sources.forEach((module, files) -> {
      String self = name(root, module);
      for (Path f : files) {
        String code = code(read(f));
        String file = MarkdownSnippets.displayName(root, f);
        declaredPackage(code).filter(InternalImports::isInternal).ifPresent(p -> {
          Set<String> own = owners.getOrDefault(p, Set.of());
          if (!own.contains(self) && !own.isEmpty()) {
            found.add(new Violation(file, lineOf(code, code.indexOf("package")), String.join(", ", own),
                "declares package " + p));
          }
        });
        owners.forEach((pkg, own) -> {
          if (own.contains(self)) {
            return;
          }
          Matcher m = Pattern.compile("(?<![\\w.])" + Pattern.quote(pkg) + "\\s*\\.\\s*([\\w*]+)").matcher(code);
          while (m.find()) {
            String rest = m.group(1);
            // a deeper package of another owner is reported for that one (or this module's own)
            if (Character.isLowerCase(rest.charAt(0)) && owners.containsKey(pkg + "." + rest)) {
              continue;
            }
            int line = lineOf(code, m.start());
            String text = lineText(code, m.start());
            String what = text.startsWith("package ") ? null
                : text.startsWith("import ") ? "imports " + pkg + "." + rest : "uses " + pkg + "." + rest;
            if (what != null) {
              found.add(new Violation(file, line, String.join(", ", own), what));
            }
          }
        });
      }
    });
    found.sort(java.util.Comparator.comparing(Violation::file).thenComparingInt(Violation::line));
    return found;
  }

  /** Whether {@code pkg} is an internal package: one of its segments is {@code internal}. */
  static boolean isInternal(String pkg) {
    return List.of(pkg.split("\\.")).contains("internal");
  }

  /** Folders below {@code root} (itself included) with a {@code pom.xml} and a {@code src} folder. */
  private static List<Path> modules(Path root) {
    List<Path> modules = new ArrayList<>();
    collect(root, modules);
    return modules;
  }

  private static void collect(Path dir, List<Path> modules) {
    if (Files.isRegularFile(dir.resolve("pom.xml")) && Files.isDirectory(dir.resolve("src"))) {
      modules.add(dir);
    }
    try (Stream<Path> children = Files.list(dir)) {
      for (Path child : children.sorted().toList()) {
        String n = child.getFileName().toString();
        if (Files.isDirectory(child) && !SKIPPED.contains(n) && !n.equals("src")) {
          collect(child, modules);
        }
      }
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }

  private static List<Path> javaFiles(Path src) {
    if (!Files.isDirectory(src)) {
      return List.of();
    }
    try (Stream<Path> files = Files.walk(src)) {
      return files.filter(f -> f.toString().endsWith(".java") && Files.isRegularFile(f)).sorted().toList();
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }

  private static String name(Path root, Path module) {
    String n = MarkdownSnippets.displayName(root, module);
    return n.isEmpty() ? "." : n;
  }

  private static String read(Path f) {
    try {
      return Files.readString(f, StandardCharsets.UTF_8);
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }

  private static java.util.Optional<String> declaredPackage(String code) {
    Matcher m = PACKAGE.matcher(code);
    return m.find() ? java.util.Optional.of(m.group(1)) : java.util.Optional.empty();
  }

  private static int lineOf(String text, int index) {
    int line = 1;
    for (int i = 0; i < index && i < text.length(); i++) {
      if (text.charAt(i) == '\n') {
        line++;
      }
    }
    return line;
  }

  private static String lineText(String text, int index) {
    int start = text.lastIndexOf('\n', index - 1) + 1;
    int end = text.indexOf('\n', index);
    return text.substring(start, end < 0 ? text.length() : end).strip();
  }

  /**
   * {@code source} with comments, string and text-block literals and char literals blanked out
   * (newlines kept, so line numbers hold).
   */
  static String code(String source) {
    StringBuilder out = new StringBuilder(source.length());
    int n = source.length();
    int i = 0;
    while (i < n) {
      char c = source.charAt(i);
      if (c == '/' && i + 1 < n && source.charAt(i + 1) == '/') {
        while (i < n && source.charAt(i) != '\n') {
          out.append(' ');
          i++;
        }
      } else if (c == '/' && i + 1 < n && source.charAt(i + 1) == '*') {
        int end = source.indexOf("*/", i + 2);
        end = end < 0 ? n : end + 2;
        blank(source, i, end, out);
        i = end;
      } else if (source.startsWith("\"\"\"", i)) {
        int end = i + 3;
        while (end < n && !source.startsWith("\"\"\"", end)) {
          end += source.charAt(end) == '\\' ? 2 : 1;
        }
        end = Math.min(n, end + 3);
        blank(source, i, end, out);
        i = end;
      } else if (c == '"' || c == '\'') {
        int end = i + 1;
        while (end < n && source.charAt(end) != c && source.charAt(end) != '\n') {
          end += source.charAt(end) == '\\' ? 2 : 1;
        }
        end = Math.min(n, end + 1);
        blank(source, i, end, out);
        i = end;
      } else {
        out.append(c);
        i++;
      }
    }
    return out.toString();
  }

  private static void blank(String source, int from, int to, StringBuilder out) {
    for (int j = from; j < to; j++) {
      out.append(source.charAt(j) == '\n' ? '\n' : ' ');
    }
  }
}
