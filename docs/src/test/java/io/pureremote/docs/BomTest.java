package io.pureremote.docs;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Set;
import java.util.TreeSet;
import javax.xml.parsers.DocumentBuilderFactory;
import org.junit.jupiter.api.Test;
import org.w3c.dom.Document;
import org.w3c.dom.Element;
import org.w3c.dom.Node;
import org.w3c.dom.NodeList;

/**
 * The BOM is a BOM: importing it manages Pure Remote's own artifacts, every published one, and
 * nothing else (no parent, so none of the build's own pins leak into a user's build).
 */
class BomTest {
  /** Modules that are part of the build but not published for users. */
  private static final Set<String> UNPUBLISHED = Set.of("pureremote-examples", "pureremote-bench", "pureremote-docs", "pureremote-bom");

  private final Path root = MarkdownSnippets.repoRoot(Path.of(System.getProperty("user.dir")));

  @Test
  void theBomHasNoParentAndManagesExactlyThePublishedModules() throws Exception {
    Document bom = parse(root.resolve("bom/pom.xml"));
    Element project = bom.getDocumentElement();
    assertThat(child(project, "parent")).as("bom/pom.xml must not inherit pureremote-parent").isNull();
    assertThat(text(project, "version")).isEqualTo(text(parse(root.resolve("pom.xml")).getDocumentElement(), "version"));

    Set<String> managed = new TreeSet<>();
    Element dm = child(project, "dependencyManagement");
    NodeList deps = child(dm, "dependencies").getElementsByTagName("dependency");
    for (int i = 0; i < deps.getLength(); i++) {
      Element d = (Element) deps.item(i);
      assertThat(text(d, "groupId")).as("a BOM entry of another group").isEqualTo("io.pureremote");
      assertThat(text(d, "version")).isEqualTo("${project.version}");
      assertThat(child(d, "scope")).as("an import or scoped entry in the BOM").isNull();
      managed.add(text(d, "artifactId"));
    }

    assertThat(managed).isEqualTo(publishedArtifacts(root));
  }

  private static Set<String> publishedArtifacts(Path dir) throws Exception {
    Set<String> artifacts = new TreeSet<>();
    Element project = parse(dir.resolve("pom.xml")).getDocumentElement();
    String packaging = text(project, "packaging");
    String artifactId = text(project, "artifactId");
    if (!"pom".equals(packaging) && !UNPUBLISHED.contains(artifactId)) {
      artifacts.add(artifactId);
    }
    Element modules = child(project, "modules");
    if (modules != null) {
      for (String module : texts(modules, "module")) {
        if (Files.isRegularFile(dir.resolve(module).resolve("pom.xml"))) {
          artifacts.addAll(publishedArtifacts(dir.resolve(module)));
        }
      }
    }
    return artifacts;
  }

  private static Document parse(Path pom) throws Exception {
    DocumentBuilderFactory f = DocumentBuilderFactory.newInstance();
    f.setFeature("http://apache.org/xml/features/disallow-doctype-decl", true);
    return f.newDocumentBuilder().parse(pom.toFile());
  }

  private static Element child(Element parent, String name) {
    for (Node n = parent.getFirstChild(); n != null; n = n.getNextSibling()) {
      if (n instanceof Element e && e.getTagName().equals(name)) {
        return e;
      }
    }
    return null;
  }

  private static String text(Element parent, String name) {
    Element e = child(parent, name);
    return e == null ? null : e.getTextContent().trim();
  }

  private static List<String> texts(Element parent, String name) {
    List<String> out = new ArrayList<>();
    for (Node n = parent.getFirstChild(); n != null; n = n.getNextSibling()) {
      if (n instanceof Element e && e.getTagName().equals(name)) {
        out.add(e.getTextContent().trim());
      }
    }
    return out;
  }
}
