package io.pureremote.k8s.values;

import static org.assertj.core.api.Assertions.assertThat;

import org.junit.jupiter.api.Test;

class KubernetesValuesTest {
  @Test
  void credentialLookingNames() {
    for (String name : new String[] {"AWS_SECRET_ACCESS_KEY", "AWS_ACCESS_KEY_ID", "DB_PASSWORD", "DB_PASS", "SMTP_PASSWD",
        "MYSQL_PWD", "GITHUB_TOKEN", "GITHUBTOKEN", "DBPASSWORD", "OPENAI_API_KEY", "SIGNING_KEY", "KEY", "AZURE_STORAGE_SAS",
        "SAS_TOKEN", "AZURE_STORAGE_CONNECTION_STRING", "client_secret", "GPG_PASSPHRASE", "GOOGLE_APPLICATION_CREDENTIALS"}) {
      assertThat(KubernetesValues.looksLikeCredential(name)).as(name).isTrue();
    }
    // PWD and OLDPWD are the shell's working directories; the others carry no secret in their name.
    for (String name : new String[] {"PWD", "OLDPWD", "PATH", "HOME", "TOKENIZER_MODEL", "KEYSPACE", "KEY_ID_HINT",
        "JAVA_TOOL_OPTIONS", "PASSENGER_COUNT", "BYPASS_CACHE", "SASL_MECHANISM", "PUREREMOTE_MEMO_URI", "MONKEY"}) {
      assertThat(KubernetesValues.looksLikeCredential(name)).as(name).isFalse();
    }
  }

  @Test
  void plainEnvProblemNamesTheVariableAndTheFix() {
    assertThat(KubernetesValues.plainEnvProblem("DB_PASS", "envReference(...)")).hasValueSatisfying(p -> assertThat(p)
        .contains("'DB_PASS' looks like a credential").contains("envReference(...)").contains("workload identity"));
    assertThat(KubernetesValues.plainEnvProblem("1X", "-")).hasValueSatisfying(p -> assertThat(p).contains("not an environment variable name"));
    assertThat(KubernetesValues.plainEnvProblem("MODEL", "-")).isEmpty();
  }

  @Test
  void namesAndQuantities() {
    assertThat(KubernetesValues.isDnsSubdomain("ml-runner.team")).isTrue();
    assertThat(KubernetesValues.isDnsSubdomain("a..b")).isFalse();
    assertThat(KubernetesValues.isQuantity("1.5Gi")).isTrue();
    assertThat(KubernetesValues.isQuantity("1.5 GB")).isFalse();
    assertThat(KubernetesValues.dnsLabel("Yu_Zhang", "x")).isEqualTo("yu-zhang");
  }
}
