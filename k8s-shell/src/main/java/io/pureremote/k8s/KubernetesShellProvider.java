package io.pureremote.k8s;

import io.pureremote.spi.Shell;
import io.pureremote.spi.ShellProvider;
import java.time.Duration;
import java.time.format.DateTimeParseException;
import java.util.ArrayList;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Set;
import java.util.TreeSet;
import java.util.function.BiConsumer;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * Provides the {@code kubernetes} shell ({@link KubernetesShell}) from configuration settings; the
 * shell builds its own client from the kubeconfig ({@link KubernetesShell#fromKubeConfig}).
 *
 * <p>Settings (all optional except {@code image}): {@code namespace}, {@code context}, {@code
 * image}, {@code registry}, {@code image-pull-policy}, {@code service-account}, {@code cpu},
 * {@code cpu-limit}, {@code memory} (request and limit unless {@code memory-limit} is given),
 * {@code memory-limit}, {@code ephemeral-storage}, {@code gpus}, {@code spot} ({@code aks}, {@code
 * eks}, {@code gke}, comma-separated), {@code backoff-limit}, {@code active-deadline}, {@code
 * ttl-after-finished}, {@code workload-identity}, {@code workload-identity-namespaces}
 * (comma-separated), {@code image-pull-bound}, {@code pending-timeout}, {@code
 * max-eviction-retries}, {@code launch-concurrency}, {@code api-qps}, {@code api-burst}, {@code
 * api-retries}, {@code log-streaming}, {@code log-sample-fraction}, {@code watch-silence-bound},
 * and {@code env.<NAME>} for plain environment variables (credential-looking names are refused).
 * Durations are {@code 500ms}, {@code 90s}, {@code 10m}, {@code 2h}, {@code 1d} or ISO-8601
 * ({@code PT10M}). Unknown keys and bad values fail with the key and what was expected.
 *
 * <p>Stateless; thread-safe.
 */
public final class KubernetesShellProvider implements ShellProvider {
  /** Settings {@code env.<NAME>} are plain environment variables of every pod. */
  static final String ENV_PREFIX = "env.";
  private static final Pattern SIMPLE_DURATION = Pattern.compile("(\\d+)(ms|s|m|h|d)");

  @Override
  public String name() {
    return "kubernetes";
  }

  @Override
  public Shell create(Map<String, String> settings) {
    return KubernetesShell.fromKubeConfig(options(settings));
  }

  /**
   * The options the settings describe.
   *
   * @throws IllegalArgumentException naming each unknown key or bad value
   */
  public static KubernetesShellOptions options(Map<String, String> settings) {
    KubernetesShellOptions.Builder b = KubernetesShellOptions.builder();
    List<String> problems = new ArrayList<>();
    Map<String, BiConsumer<KubernetesShellOptions.Builder, String>> keys = keys();
    Set<String> unknown = new TreeSet<>(settings.keySet());
    unknown.removeAll(keys.keySet());
    unknown.removeIf(key -> key.startsWith(ENV_PREFIX));
    if (!unknown.isEmpty()) {
      problems.add("unknown key(s) " + unknown + "; known: " + new TreeSet<>(keys.keySet()));
    }
    String memory = settings.get("memory");
    if (memory != null) {
      String limit = settings.getOrDefault("memory-limit", memory);
      b.memory(memory.strip(), limit.strip());
    } else if (settings.containsKey("memory-limit")) {
      b.resourceLimit("memory", settings.get("memory-limit").strip());
    }
    if (settings.containsKey("api-qps") || settings.containsKey("api-burst")) {
      try {
        b.apiRate(decimal(settings.getOrDefault("api-qps", Double.toString(KubernetesShellOptions.DEFAULT_API_QPS)).strip()),
            integer(settings.getOrDefault("api-burst", Integer.toString(KubernetesShellOptions.DEFAULT_API_BURST)).strip()));
      } catch (IllegalArgumentException e) {
        problems.add("api-qps/api-burst: " + e.getMessage());
      }
    }
    settings.forEach((key, value) -> {
      if (key.startsWith(ENV_PREFIX) && value != null) {
        // Checked by the options like env(...) itself: a credential-looking name is refused.
        b.env(key.substring(ENV_PREFIX.length()), value);
        return;
      }
      BiConsumer<KubernetesShellOptions.Builder, String> setter = keys.get(key);
      if (setter == null || value == null) {
        return;
      }
      try {
        setter.accept(b, value.strip());
      } catch (IllegalArgumentException e) {
        problems.add(key + " = '" + value + "': " + e.getMessage());
      }
    });
    if (!problems.isEmpty()) {
      throw new IllegalArgumentException("Invalid kubernetes shell settings:\n  - " + String.join("\n  - ", problems));
    }
    return b.build();
  }

  private static Map<String, BiConsumer<KubernetesShellOptions.Builder, String>> keys() {
    Map<String, BiConsumer<KubernetesShellOptions.Builder, String>> k = new java.util.LinkedHashMap<>();
    k.put("namespace", KubernetesShellOptions.Builder::namespace);
    k.put("context", KubernetesShellOptions.Builder::kubeContext);
    k.put("image", KubernetesShellOptions.Builder::image);
    k.put("registry", KubernetesShellOptions.Builder::registry);
    k.put("image-pull-policy", KubernetesShellOptions.Builder::imagePullPolicy);
    k.put("service-account", KubernetesShellOptions.Builder::serviceAccount);
    k.put("cpu", (b, v) -> b.resourceRequest("cpu", v));
    k.put("cpu-limit", (b, v) -> b.resourceLimit("cpu", v));
    k.put("memory", (b, v) -> { }); // handled with memory-limit above
    k.put("memory-limit", (b, v) -> { });
    k.put("ephemeral-storage", (b, v) -> b.ephemeralStorage(v, v));
    k.put("gpus", (b, v) -> b.gpus(integer(v)));
    k.put("spot", (b, v) -> {
      for (String cloud : v.split(",")) {
        switch (cloud.strip().toLowerCase(Locale.ROOT)) {
          case "aks", "azure" -> b.toleration(Tolerations.spotAks());
          case "eks", "karpenter", "aws" -> b.toleration(Tolerations.spotEksKarpenter());
          case "gke", "gcp" -> b.toleration(Tolerations.spotGke());
          default -> throw new IllegalArgumentException("expected aks, eks or gke");
        }
      }
    });
    k.put("backoff-limit", (b, v) -> b.backoffLimit(integer(v)));
    k.put("active-deadline", (b, v) -> b.activeDeadline(duration(v)));
    k.put("ttl-after-finished", (b, v) -> b.ttlAfterFinished(duration(v)));
    k.put("workload-identity", (b, v) -> b.workloadIdentity(bool(v)));
    k.put("workload-identity-namespaces", (b, v) -> {
      Set<String> namespaces = new LinkedHashSet<>();
      for (String ns : v.split(",")) {
        if (!ns.isBlank()) {
          namespaces.add(ns.strip());
        }
      }
      b.workloadIdentityNamespaces(namespaces);
    });
    k.put("image-pull-bound", (b, v) -> b.imagePullBound(duration(v)));
    k.put("pending-timeout", (b, v) -> b.pendingTimeout(duration(v)));
    k.put("max-eviction-retries", (b, v) -> b.maxEvictionRetries(integer(v)));
    k.put("launch-concurrency", (b, v) -> b.launchConcurrency(integer(v)));
    k.put("api-qps", (b, v) -> { }); // handled with api-burst above
    k.put("api-burst", (b, v) -> { });
    k.put("api-retries", (b, v) -> b.apiRetries(integer(v)));
    k.put("log-streaming", (b, v) -> b.logStreaming(bool(v)));
    k.put("log-sample-fraction", (b, v) -> b.logSampleFraction(decimal(v)));
    k.put("watch-silence-bound", (b, v) -> b.watchSilenceBound(duration(v)));
    return k;
  }

  static int integer(String v) {
    try {
      return Integer.parseInt(v);
    } catch (NumberFormatException e) {
      throw new IllegalArgumentException("expected a whole number");
    }
  }

  static double decimal(String v) {
    try {
      return Double.parseDouble(v);
    } catch (NumberFormatException e) {
      throw new IllegalArgumentException("expected a number");
    }
  }

  static boolean bool(String v) {
    return switch (v.toLowerCase(Locale.ROOT)) {
      case "true", "yes", "on" -> true;
      case "false", "no", "off" -> false;
      default -> throw new IllegalArgumentException("expected true or false");
    };
  }

  /** {@code 500ms}, {@code 90s}, {@code 10m}, {@code 2h}, {@code 1d}, or ISO-8601 ({@code PT10M}). */
  static Duration duration(String v) {
    Matcher m = SIMPLE_DURATION.matcher(v);
    if (m.matches()) {
      long n = Long.parseLong(m.group(1));
      return switch (m.group(2)) {
        case "ms" -> Duration.ofMillis(n);
        case "s" -> Duration.ofSeconds(n);
        case "m" -> Duration.ofMinutes(n);
        case "h" -> Duration.ofHours(n);
        default -> Duration.ofDays(n);
      };
    }
    try {
      return Duration.parse(v);
    } catch (DateTimeParseException e) {
      throw new IllegalArgumentException("expected a duration like 90s, 10m, 2h or PT10M");
    }
  }
}
