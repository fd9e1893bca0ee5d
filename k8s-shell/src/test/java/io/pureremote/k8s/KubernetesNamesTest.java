package io.pureremote.k8s;

import io.pureremote.k8s.values.KubernetesValues;
import static org.assertj.core.api.Assertions.assertThat;

import io.pureremote.FunctionId;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Random;
import java.util.Set;
import org.junit.jupiter.api.Test;

/** Names and labels derived from calls are always valid, readable where possible, and distinct. */
class KubernetesNamesTest {
  private static final String FN_CHARS = "abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789._$#-";

  static List<String> weirdNames() {
    List<String> names = new ArrayList<>(List.of(
        "a", "A", "0", "#", "$", ".", "-", "_", "$#.-_", "com.acme.WordStats#count", "com.acme.Outer$Inner#run",
        "com.example.Calc.square", "UPPER#CASE", "x".repeat(200), "-leading.and.trailing-", "9to5#run",
        "com.acme.VeryLongInterfaceNameThatGoesOnAndOnAndOnForeverAndEverAndEvenLonger#andAnEquallyLongMethodNameHere",
        "__init__", "..", "a#b#c", "ÄÖÜ".replaceAll("[^A-Za-z]", "a")));
    Random random = new Random(42);
    for (int i = 0; i < 2000; i++) {
      int len = 1 + random.nextInt(200);
      StringBuilder sb = new StringBuilder();
      for (int j = 0; j < len; j++) {
        sb.append(FN_CHARS.charAt(random.nextInt(FN_CHARS.length())));
      }
      names.add(sb.toString());
    }
    return names;
  }

  @Test
  void jobNamesAndLabelValuesAreValidForAnyFunctionName() {
    Set<String> labels = new HashSet<>();
    for (String name : weirdNames()) {
      FunctionId fn = new FunctionId(name, "1");
      String hash = KubernetesNames.sha256Hex(name);
      for (String suffix : List.of("", "-r1", "-r99", "-x0a9z")) {
        String job = KubernetesNames.jobName(fn, hash, suffix);
        assertThat(KubernetesValues.isDnsLabel(job)).as("job name '%s' for '%s'", job, name).isTrue();
        assertThat(job.length()).isLessThanOrEqualTo(63);
        assertThat(job).endsWith(hash.substring(0, 10) + suffix);
        // The pods the Job controller names <job>-<5 chars> must stay valid DNS subdomains.
        assertThat(job.length() + 6).isLessThanOrEqualTo(253);
      }
      String label = KubernetesNames.labelValue(name);
      assertThat(KubernetesValues.isLabelValue(label)).as("label value '%s' for '%s'", label, name).isTrue();
      assertThat(KubernetesNames.labelValue(name)).as("deterministic").isEqualTo(label);
      labels.add(name + "=" + label);
    }
    assertThat(labels).hasSizeGreaterThan(1000);
  }

  @Test
  void readablePrefixes() {
    assertThat(KubernetesNames.jobPrefix(new FunctionId("com.acme.WordStats#count", "1"))).isEqualTo("word-stats-count");
    assertThat(KubernetesNames.jobPrefix(new FunctionId("com.acme.Outer$Inner#run", "1"))).isEqualTo("inner-run");
    assertThat(KubernetesNames.jobPrefix(new FunctionId("com.example.Calc.square", "1"))).isEqualTo("calc-square");
    assertThat(KubernetesNames.jobPrefix(new FunctionId("$#", "1"))).isEqualTo("fn");
    assertThat(KubernetesNames.jobPrefix(new FunctionId("x".repeat(200), "1"))).hasSize(KubernetesNames.JOB_PREFIX_MAX);
  }

  @Test
  void longLabelValuesKeepTheTailAndStayDistinct() {
    String a = "com.acme." + "a".repeat(80) + ".Scoring#score";
    String b = "com.acme." + "b".repeat(80) + ".Scoring#score";
    assertThat(KubernetesNames.labelValue(a)).hasSizeLessThanOrEqualTo(63).contains("Scoring_score")
        .isNotEqualTo(KubernetesNames.labelValue(b));
    assertThat(KubernetesNames.labelValue("com.acme.Scoring#score")).isEqualTo("com.acme.Scoring_score");
  }

  @Test
  void dnsLabels() {
    assertThat(KubernetesValues.dnsLabel("Yu_Zhang", "x")).isEqualTo("yu-zhang");
    assertThat(KubernetesValues.dnsLabel("  --CICD Runner!!", "x")).isEqualTo("cicd-runner");
    assertThat(KubernetesValues.dnsLabel("___", "pureremote")).isEqualTo("pureremote");
    assertThat(KubernetesValues.dnsLabel("a".repeat(100), "x")).hasSize(63);
    assertThat(KubernetesValues.isDnsLabel(KubernetesNames.defaultNamespace())).isTrue();
    assertThat(KubernetesValues.isDnsLabel("-a")).isFalse();
    assertThat(KubernetesValues.isDnsLabel("a".repeat(64))).isFalse();
    assertThat(KubernetesValues.isQualifiedKey("nvidia.com/gpu")).isTrue();
    assertThat(KubernetesValues.isQualifiedKey("app.kubernetes.io/managed-by")).isTrue();
    assertThat(KubernetesValues.isQualifiedKey("/x")).isFalse();
    assertThat(KubernetesValues.isQualifiedKey("Bad_Prefix/x")).isFalse();
  }
}
