package io.pureremote.config;

import static org.assertj.core.api.Assertions.assertThat;

import io.pureremote.spi.BlobStore;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.ServiceLoader;
import java.util.Set;
import java.util.TreeSet;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;

/**
 * The store settings the guides name are the ones the stores accept: the settings tables of
 * docs/blobstores.md list exactly each provider's {@link BlobStore.Provider#settingNames()}, and
 * every {@code PUREREMOTE_STORE_<NAME>} variable in the docs is some store's setting.
 */
class StoreSettingsDocsTest {
  private static final Path DOCS = Path.of("..", "docs");

  @Test
  void theSettingsTableOfEachStoreSectionListsExactlyTheProvidersSettings() throws IOException {
    String guide = Files.readString(DOCS.resolve("blobstores.md"));
    assertThat(tableNames(section(guide, "## S3"))).isEqualTo(new TreeSet<>(provider("s3").settingNames()));
    assertThat(tableNames(section(guide, "## ADLS Gen2"))).isEqualTo(new TreeSet<>(provider("abfss").settingNames()));
  }

  @Test
  void everyStoreVariableTheDocsNameIsAStoreSetting() throws IOException {
    Set<String> known = new TreeSet<>();
    ServiceLoader.load(BlobStore.Provider.class).forEach(p -> known.addAll(p.settingNames()));
    List<String> unknown = new ArrayList<>();
    Pattern variable = Pattern.compile("PUREREMOTE_STORE_([A-Z0-9_]+)");
    List<Path> pages;
    try (Stream<Path> files = Files.list(DOCS)) {
      pages = new ArrayList<>(files.filter(f -> f.toString().endsWith(".md")).toList());
    }
    pages.add(Path.of("..", "README.md"));
    for (Path page : pages) {
      Matcher m = variable.matcher(Files.readString(page));
      while (m.find()) {
        String setting = m.group(1).toLowerCase(Locale.ROOT).replace('_', '-');
        if (!known.contains(setting) && !m.group(1).equals("NAME")) { // PUREREMOTE_STORE_<NAME> is the pattern itself
          unknown.add(page.getFileName() + ": " + m.group());
        }
      }
    }
    assertThat(known).contains("endpoint", "region", "account");
    assertThat(unknown).as("store variables in the docs that no store accepts (known: %s)", known).isEmpty();
  }

  private static BlobStore.Provider provider(String scheme) {
    return ServiceLoader.load(BlobStore.Provider.class).stream().map(ServiceLoader.Provider::get)
        .filter(p -> p.schemes().contains(scheme)).findFirst().orElseThrow();
  }

  /** The text from {@code heading} to the next heading of the same level. */
  private static String section(String guide, String heading) {
    int start = guide.indexOf("\n" + heading + "\n");
    assertThat(start).as("heading %s in docs/blobstores.md", heading).isNotNegative();
    int end = guide.indexOf("\n## ", start + heading.length() + 2);
    return guide.substring(start, end < 0 ? guide.length() : end);
  }

  /** The names in the first column of the section's {@code | setting | meaning |} table. */
  private static Set<String> tableNames(String section) {
    int table = section.indexOf("| setting | meaning |");
    assertThat(table).as("a '| setting | meaning |' table").isNotNegative();
    Set<String> names = new TreeSet<>();
    for (String line : section.substring(table).lines().skip(2).toList()) {
      if (!line.startsWith("|")) {
        break;
      }
      Matcher m = Pattern.compile("`([a-z-]+)`").matcher(line.split("\\|")[1]);
      while (m.find()) {
        names.add(m.group(1));
      }
    }
    return names;
  }
}
