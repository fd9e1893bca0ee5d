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
  void theWidenedNameCheckCatchesKeysTokensSecretsAndConnectionStrings() {
    for (String name : new String[] {"AWS_SESSION_TOKEN", "STORAGE_KEY_1", "AZURE_STORAGE_KEY2", "KEY_2", "ACCOUNTKEY",
        "SHAREDACCESSKEY", "MASTERKEY", "SAS_URL", "AZURE_SASURL", "CLIENTSECRETS", "MYSECRETVALUE", "DB_PASSWORDS_FILE",
        "TOKEN2", "REFRESHTOKENVALUE", "DBPWD", "BEARER", "HTTP_AUTHORIZATION", "SESSION_COOKIE", "DB_CONNSTR",
        "SERVICEBUS_CONNECTIONSTRING", "EVENTHUB_SHARED_ACCESS_KEY_NAME", "SENTRY_DSN", "MY_CREDENTIALS_JSON", "SIGNING_KEY_V2"}) {
      assertThat(KubernetesValues.looksLikeCredential(name)).as(name).isTrue();
    }
    for (String name : new String[] {"MAX_TOKENS", "TOKENIZER", "KMS_KEY_ID", "KMS_KEY_ARN", "SIGNING_KEY_FILE", "KEY_PATH",
        "HOCKEY_TEAM", "TURKEY", "SORTKEYS_ENABLED", "COMPASS_HEADING", "PUREREMOTE_STORE_ENDPOINT", "AZURE_CLIENT_ID"}) {
      assertThat(KubernetesValues.looksLikeCredential(name)).as(name).isFalse();
    }
  }

  @Test
  void aValueThatLooksLikeACredentialIsRefusedWithoutShowingIt() {
    String[] secrets = {
        "DefaultEndpointsProtocol=https;AccountName=acme;AccountKey=c2VjcmV0c2VjcmV0;EndpointSuffix=core.windows.net",
        "Endpoint=sb://acme.servicebus.windows.net/;SharedAccessKeyName=root;SharedAccessKey=c2VjcmV0",
        "Server=db;Database=x;User Id=sa;Password=hunter2;",
        "https://acme.blob.core.windows.net/c?sv=2022-11-02&ss=b&sig=c2VjcmV0c2VjcmV0",
        "postgres://app:hunter2@db.internal:5432/x",
        "AKIAIOSFODNN7EXAMPLE",
        "-----BEGIN RSA PRIVATE KEY-----\nMIIE",
        "ghp_abcdefghijklmnopqrstuvwxyz0123456789",
        "eyJhbGciOiJIUzI1NiJ9.eyJzdWIiOiIxMjM0NTY3ODkwIn0.c2ln"};
    for (String value : secrets) {
      assertThat(KubernetesValues.plainEnvProblem("ENDPOINT", value, "envReference(...)")).as(value)
          .hasValueSatisfying(p -> assertThat(p).contains("the value of 'ENDPOINT' looks like a credential")
              .contains("the value is not shown").contains("envReference(...)").doesNotContain("hunter2")
              .doesNotContain("c2VjcmV0").doesNotContain("AKIAIOSFODNN7EXAMPLE").doesNotContain("ghp_").doesNotContain("eyJ"));
    }
    for (String value : new String[] {"https://s3.eu-west-1.amazonaws.com", "http://azurite:10000/devstoreaccount1", "bert-base",
        "-Xmx2g", "a=b;c=d", "https://host/path?x=1&signature_version=4", "user@example.com"}) {
      assertThat(KubernetesValues.plainEnvProblem("ENDPOINT", value, "-")).as(value).isEmpty();
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
