package io.pureremote.k8s;

import io.fabric8.kubernetes.api.model.Quantity;
import io.fabric8.kubernetes.api.model.Toleration;
import io.fabric8.kubernetes.api.model.TolerationBuilder;
import io.pureremote.k8s.values.KubernetesSettings;
import io.pureremote.k8s.values.KubernetesValues;
import java.math.BigDecimal;
import java.util.ArrayList;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;
import java.util.Set;

/**
 * What a pod this library creates looks like: image, resources (including extended resources such
 * as {@code nvidia.com/gpu}), placement (tolerations, node selector, required node labels), service
 * account, environment (plain variables and Secret/ConfigMap references), labels and annotations.
 * The Job shell's {@link KubernetesShellOptions} holds one; shells with several pods per call hold
 * one per replica, derived from each other with {@link #toBuilder()}.
 *
 * <p>Immutable and thread-safe, and valid by construction: each setter of the {@link Builder}
 * checks its own value with {@link KubernetesValues} and throws at once; {@link Builder#build()}
 * checks what needs several values (a registry-qualified image, requests within limits).
 *
 * <pre>{@code
 * PodTemplateOptions launcher = PodTemplateOptions.builder()
 *     .image("scoring/app:42").cpu("2", null).memory("8Gi")
 *     .toleration(Tolerations.spotAks())
 *     .build();
 * PodTemplateOptions worker = launcher.toBuilder().gpus(1).build();
 * }</pre>
 */
public final class PodTemplateOptions {
  /** The GPU resource name {@link Builder#gpus(int)} sets. */
  public static final String NVIDIA_GPU = "nvidia.com/gpu";

  private static final Set<String> STANDARD_RESOURCES = Set.of("cpu", "memory", "ephemeral-storage");

  private final String image;
  private final Optional<String> registry;
  private final String imagePullPolicy;
  private final Map<String, String> resourceRequests;
  private final Map<String, String> resourceLimits;
  private final List<Toleration> tolerations;
  private final Map<String, String> nodeSelector;
  private final Map<String, List<String>> requiredNodeLabels;
  private final Optional<String> serviceAccount;
  private final Map<String, String> env;
  private final List<EnvReference> envReferences;
  private final Map<String, String> labels;
  private final Map<String, String> annotations;

  private PodTemplateOptions(Builder b) {
    image = b.image;
    registry = Optional.ofNullable(b.registry);
    imagePullPolicy = b.imagePullPolicy;
    resourceRequests = ordered(b.resourceRequests);
    resourceLimits = ordered(b.resourceLimits);
    tolerations = copies(b.tolerations);
    nodeSelector = ordered(b.nodeSelector);
    Map<String, List<String>> affinity = new LinkedHashMap<>();
    b.requiredNodeLabels.forEach((k, v) -> affinity.put(k, List.copyOf(v)));
    requiredNodeLabels = Collections.unmodifiableMap(affinity);
    serviceAccount = Optional.ofNullable(b.serviceAccount);
    env = ordered(b.env);
    envReferences = List.copyOf(b.envReferences);
    labels = ordered(b.labels);
    annotations = ordered(b.annotations);
  }

  /** A builder with the defaults; {@link Builder#image(String)} is required. */
  public static Builder builder() {
    return new Builder();
  }

  /** A builder starting from these values, e.g. to derive a worker's template from a launcher's. */
  public Builder toBuilder() {
    Builder b = new Builder();
    b.image = image;
    b.registry = registry.orElse(null);
    b.imagePullPolicy = imagePullPolicy;
    b.resourceRequests.putAll(resourceRequests);
    b.resourceLimits.putAll(resourceLimits);
    b.tolerations.addAll(tolerations());
    b.nodeSelector.putAll(nodeSelector);
    b.requiredNodeLabels.putAll(requiredNodeLabels);
    b.serviceAccount = serviceAccount.orElse(null);
    b.env.putAll(env);
    b.envReferences.addAll(envReferences);
    b.labels.putAll(labels);
    b.annotations.putAll(annotations);
    return b;
  }

  /** The application image whose entrypoint runs {@code io.pureremote.RemoteMain}. */
  public String image() {
    return image;
  }

  /** The registry unqualified images are prefixed with (see {@link Images#qualify}). */
  public Optional<String> registry() {
    return registry;
  }

  /** The image to run: {@link #image()} qualified with {@link #registry()}. */
  public String qualifiedImage() {
    return Images.qualify(registry.orElse(null), image);
  }

  /** {@code Always}, {@code IfNotPresent} or {@code Never}. */
  public String imagePullPolicy() {
    return imagePullPolicy;
  }

  /** Container resource requests by resource name ({@code cpu}, {@code memory}, {@code nvidia.com/gpu}, ...). */
  public Map<String, String> resourceRequests() {
    return resourceRequests;
  }

  /** Container resource limits by resource name. */
  public Map<String, String> resourceLimits() {
    return resourceLimits;
  }

  /** Copies of the tolerations (fabric8 model objects are mutable). */
  public List<Toleration> tolerations() {
    return copies(tolerations);
  }

  /** The pod's node selector. */
  public Map<String, String> nodeSelector() {
    return nodeSelector;
  }

  /** Required node affinity: each label must have one of the values. */
  public Map<String, List<String>> requiredNodeLabels() {
    return requiredNodeLabels;
  }

  /** The pod's service account; empty means the namespace's default. */
  public Optional<String> serviceAccount() {
    return serviceAccount;
  }

  /** Plain environment variables (never credentials: see {@link EnvReference}). */
  public Map<String, String> env() {
    return env;
  }

  /** Variables read from Secrets and ConfigMaps. */
  public List<EnvReference> envReferences() {
    return envReferences;
  }

  /** Extra labels on the pod (and the object that owns it). */
  public Map<String, String> labels() {
    return labels;
  }

  /** Extra annotations on the pod (and the object that owns it). */
  public Map<String, String> annotations() {
    return annotations;
  }

  @Override
  public boolean equals(Object o) {
    return o instanceof PodTemplateOptions p && image.equals(p.image) && registry.equals(p.registry)
        && imagePullPolicy.equals(p.imagePullPolicy) && resourceRequests.equals(p.resourceRequests)
        && resourceLimits.equals(p.resourceLimits) && tolerations.equals(p.tolerations)
        && nodeSelector.equals(p.nodeSelector) && requiredNodeLabels.equals(p.requiredNodeLabels)
        && serviceAccount.equals(p.serviceAccount) && env.equals(p.env) && envReferences.equals(p.envReferences)
        && labels.equals(p.labels) && annotations.equals(p.annotations);
  }

  @Override
  public int hashCode() {
    return Objects.hash(image, registry, imagePullPolicy, resourceRequests, resourceLimits, tolerations, nodeSelector,
        requiredNodeLabels, serviceAccount, env, envReferences, labels, annotations);
  }

  @Override
  public String toString() {
    return "PodTemplateOptions[image=" + qualifiedImage() + ", requests=" + resourceRequests + ", limits=" + resourceLimits
        + ", tolerations=" + tolerations.size() + ", serviceAccount=" + serviceAccount.orElse("default")
        + ", env=" + env.keySet() + "]";
  }

  private static List<Toleration> copies(List<Toleration> tolerations) {
    return tolerations.stream().map(t -> new TolerationBuilder(t).build()).toList();
  }

  private static <V> Map<String, V> ordered(Map<String, V> map) {
    return Collections.unmodifiableMap(new LinkedHashMap<>(map));
  }

  /**
   * Builder for {@link PodTemplateOptions}; not thread-safe. Each setter throws {@link
   * IllegalArgumentException} naming the field and the bad value, and leaves the builder as it was.
   */
  public static final class Builder {
    private String image;
    private String registry;
    private String imagePullPolicy = KubernetesSettings.IMAGE_PULL_POLICY;
    private final Map<String, String> resourceRequests = new LinkedHashMap<>();
    private final Map<String, String> resourceLimits = new LinkedHashMap<>();
    private final List<Toleration> tolerations = new ArrayList<>();
    private final Map<String, String> nodeSelector = new LinkedHashMap<>();
    private final Map<String, List<String>> requiredNodeLabels = new LinkedHashMap<>();
    private String serviceAccount;
    private final Map<String, String> env = new LinkedHashMap<>();
    private final List<EnvReference> envReferences = new ArrayList<>();
    private final Map<String, String> labels = new LinkedHashMap<>();
    private final Map<String, String> annotations = new LinkedHashMap<>();

    private Builder() {}

    /**
     * The application image; its entrypoint must run {@code io.pureremote.RemoteMain} with the
     * container args. Required; no default.
     */
    public Builder image(String image) {
      this.image = image == null || image.isBlank() ? null : image.strip();
      return this;
    }

    /**
     * A registry to qualify unqualified images with ({@code team/app:1} → {@code
     * <registry>/team/app:1}), a host[/path] without a scheme. Defaults to none.
     */
    public Builder registry(String registry) {
      if (registry != null && !registry.isBlank()
          && (registry.contains("://") || registry.chars().anyMatch(Character::isWhitespace))) {
        throw new IllegalArgumentException("registry '" + registry + "' must be a host[/path] without a scheme, e.g. myregistry.azurecr.io");
      }
      this.registry = registry == null || registry.isBlank() ? null : registry;
      return this;
    }

    /**
     * {@code Always}, {@code IfNotPresent} or {@code Never}. Defaults to {@code Always}, so a
     * re-pushed tag never runs stale code on a node that cached the old one.
     */
    public Builder imagePullPolicy(String imagePullPolicy) {
      if (!KubernetesSettings.IMAGE_PULL_POLICIES.contains(imagePullPolicy)) {
        throw new IllegalArgumentException("imagePullPolicy '" + imagePullPolicy + "' must be Always, IfNotPresent or Never");
      }
      this.imagePullPolicy = imagePullPolicy;
      return this;
    }

    /**
     * CPU request and limit ({@code "500m"}, {@code "2"}); a {@code null} limit means none, which
     * avoids CPU throttling. Defaults to neither (the namespace's LimitRange decides).
     */
    public Builder cpu(String request, String limit) {
      return resource("cpu", request, limit);
    }

    /**
     * Memory request and limit ({@code "512Mi"}, {@code "8Gi"}); {@code null} means unset. Defaults
     * to neither. A JVM should get request == limit: see {@link #memory(String)}.
     */
    public Builder memory(String request, String limit) {
      return resource("memory", request, limit);
    }

    /** Memory request and limit both set to {@code quantity}. Defaults to neither. */
    public Builder memory(String quantity) {
      return memory(quantity, quantity);
    }

    /** Ephemeral (node-local scratch) storage request and limit; {@code null} means unset. Defaults to neither. */
    public Builder ephemeralStorage(String request, String limit) {
      return resource("ephemeral-storage", request, limit);
    }

    /** NVIDIA GPUs ({@value #NVIDIA_GPU}), as request and limit; 0 removes them. Defaults to 0. */
    public Builder gpus(int count) {
      if (count < 0) {
        throw new IllegalArgumentException("gpus must be >= 0, got " + count);
      }
      return count == 0 ? resource(NVIDIA_GPU, null, null) : extendedResource(NVIDIA_GPU, Integer.toString(count));
    }

    /**
     * An extended resource ({@code amd.com/gpu}, {@code example.com/fpga}) as request and limit,
     * which Kubernetes requires to be equal whole numbers. Defaults to none.
     */
    public Builder extendedResource(String name, String quantity) {
      return resource(name, quantity, quantity);
    }

    /** Any resource's request; {@code null} removes it. Defaults to none. */
    public Builder resourceRequest(String name, String quantity) {
      return resource(name, quantity, resourceLimits.get(name), true, false);
    }

    /** Any resource's limit; {@code null} removes it. Defaults to none. */
    public Builder resourceLimit(String name, String quantity) {
      return resource(name, resourceRequests.get(name), quantity, false, true);
    }

    private Builder resource(String name, String request, String limit) {
      return resource(name, request, limit, true, true);
    }

    private Builder resource(String name, String request, String limit, boolean setRequest, boolean setLimit) {
      Objects.requireNonNull(name, "resource name");
      String r = request == null ? null : request.strip();
      String l = limit == null ? null : limit.strip();
      List<String> problems = new ArrayList<>();
      if (setRequest && r != null) {
        checkResource("resourceRequests", name, r, problems);
      }
      if (setLimit && l != null) {
        checkResource("resourceLimits", name, l, problems);
      }
      fail(problems);
      if (setRequest) {
        put(resourceRequests, name, r);
      }
      if (setLimit) {
        put(resourceLimits, name, l);
      }
      return this;
    }

    /** Adds a toleration, e.g. {@link Tolerations#spotAks()}. Defaults to none. */
    public Builder toleration(Toleration toleration) {
      Toleration copy = new TolerationBuilder(Objects.requireNonNull(toleration, "toleration")).build();
      fail(checkToleration(tolerations.size(), copy));
      tolerations.add(copy);
      return this;
    }

    /** Adds a node selector label. Defaults to none. */
    public Builder nodeSelector(String key, String value) {
      fail(checkLabel("nodeSelector", Objects.requireNonNull(key, "key"), Objects.requireNonNull(value, "value")));
      nodeSelector.put(key, value);
      return this;
    }

    /**
     * Requires nodes whose label {@code key} has one of {@code values} (required node affinity,
     * operator In). Defaults to none.
     */
    public Builder requireNodeLabel(String key, String... values) {
      Objects.requireNonNull(key, "key");
      List<String> problems = new ArrayList<>();
      if (values.length == 0) {
        problems.add("requiredNodeLabels." + key + " needs at least one value");
      }
      for (String v : values) {
        problems.addAll(checkLabel("requiredNodeLabels", key, v));
      }
      fail(problems);
      requiredNodeLabels.put(key, List.of(values));
      return this;
    }

    /** The pod's service account, a DNS-1123 subdomain. Defaults to the namespace's default service account. */
    public Builder serviceAccount(String serviceAccount) {
      if (serviceAccount != null && !serviceAccount.isBlank() && !KubernetesValues.isDnsSubdomain(serviceAccount)) {
        throw new IllegalArgumentException("serviceAccount '" + serviceAccount
            + "' is not a valid name (lowercase letters, digits, '-' and '.')");
      }
      this.serviceAccount = serviceAccount == null || serviceAccount.isBlank() ? null : serviceAccount;
      return this;
    }

    /**
     * A plain environment variable. Defaults to none. These override same-named variables from
     * the runtime (e.g. an in-cluster {@code PUREREMOTE_STORE_ENDPOINT}). Names that look like
     * credentials, and values that look like one (a connection string with a key, a SAS URL, a
     * URL with a password, a private key, a token), are refused with the name and never the value
     * ({@link KubernetesValues#plainEnvProblem(String, String, String)}): use {@link #envReference}.
     */
    public Builder env(String name, String value) {
      Objects.requireNonNull(name, "name");
      List<String> problems = new ArrayList<>();
      KubernetesValues.plainEnvProblem(name, value, "envReference(EnvReference.secretKey(\"" + name + "\", <secret>, <key>))")
          .ifPresent(p -> problems.add("env: " + p));
      if (value == null) {
        problems.add("env: '" + name + "' has no value");
      }
      fail(problems);
      env.put(name, value);
      return this;
    }

    /** Variables from a Secret or ConfigMap (see {@link EnvReference}). Defaults to none. */
    public Builder envReference(EnvReference reference) {
      envReferences.add(Objects.requireNonNull(reference, "reference"));
      return this;
    }

    /** A label on the pod and the object that owns it. Defaults to none beyond the shell's own. */
    public Builder label(String key, String value) {
      List<String> problems = checkLabel("labels", Objects.requireNonNull(key, "key"), Objects.requireNonNull(value, "value"));
      problems.addAll(checkNotReserved("labels", key));
      fail(problems);
      labels.put(key, value);
      return this;
    }

    /** An annotation on the pod and the object that owns it. Defaults to none beyond the shell's own. */
    public Builder annotation(String key, String value) {
      List<String> problems = new ArrayList<>();
      if (!KubernetesValues.isQualifiedKey(Objects.requireNonNull(key, "key"))) {
        problems.add("annotations: key '" + key + "' is not a valid annotation key");
      }
      problems.addAll(checkNotReserved("annotations", key));
      // An annotation is as readable as a plain variable: no credential goes in, and the value is never shown.
      KubernetesValues.credentialValueKind(value).ifPresent(kind -> problems.add("annotations: the value of '" + key
          + "' looks like a credential (" + kind + "; the value is not shown); annotations are readable by anyone who "
          + "can read Jobs: put it in a Secret and read it with envReference(EnvReference.secretKey(...))"));
      fail(problems);
      annotations.put(key, Objects.requireNonNull(value, "value"));
      return this;
    }

    /**
     * Builds the template.
     *
     * @throws IllegalArgumentException listing what the values say together: a missing image, an
     *     image the registry cannot qualify, a request above its limit, unequal extended resources
     */
    public PodTemplateOptions build() {
      List<String> problems = problems();
      if (!problems.isEmpty()) {
        throw new IllegalArgumentException("Invalid pod template:\n  - " + String.join("\n  - ", problems));
      }
      return new PodTemplateOptions(this);
    }

    /** The cross-field problems {@link #build()} would throw for; empty when it would build. */
    List<String> problems() {
      List<String> problems = new ArrayList<>();
      if (image == null) {
        problems.add("image is required: the application image whose entrypoint runs io.pureremote.RemoteMain "
            + "(build one with Jib; see docs/kubernetes.md)");
      } else {
        try {
          Images.qualify(registry, image);
        } catch (IllegalArgumentException e) {
          problems.add("image: " + e.getMessage());
        }
      }
      resourceRequests.forEach((name, request) -> {
        String limit = resourceLimits.get(name);
        if (limit == null) {
          return;
        }
        BigDecimal r = Quantity.getAmountInBytes(new Quantity(request));
        BigDecimal l = Quantity.getAmountInBytes(new Quantity(limit));
        if (r.compareTo(l) > 0) {
          problems.add("resources: " + name + " request " + request + " exceeds its limit " + limit);
        } else if (!STANDARD_RESOURCES.contains(name) && r.compareTo(l) != 0) {
          problems.add("resources: extended resource " + name + " needs request == limit, got " + request + " and " + limit);
        }
      });
      return problems;
    }

    /** The service account set so far, for checks of the object that owns the pod. */
    Optional<String> serviceAccount() {
      return Optional.ofNullable(serviceAccount);
    }

    private static void put(Map<String, String> map, String key, String value) {
      if (value == null) {
        map.remove(key);
      } else {
        map.put(key, value);
      }
    }

    private static void fail(List<String> problems) {
      if (!problems.isEmpty()) {
        throw new IllegalArgumentException(String.join("; ", problems));
      }
    }

    private static void checkResource(String field, String name, String value, List<String> problems) {
      if (!STANDARD_RESOURCES.contains(name) && !KubernetesValues.isQualifiedKey(name)) {
        problems.add(field + ": '" + name + "' is not a resource name (cpu, memory, ephemeral-storage, or e.g. nvidia.com/gpu)");
      }
      if (!KubernetesValues.isQuantity(value)) {
        problems.add(field + "." + name + ": '" + value + "' is not a Kubernetes quantity (e.g. "
            + (name.equals("cpu") ? "500m, 2" : "512Mi, 4Gi, 1G") + ")");
      } else if (!STANDARD_RESOURCES.contains(name) && !name.startsWith("hugepages-") && !value.matches("\\d+")) {
        problems.add(field + "." + name + ": extended resources take whole numbers, got '" + value + "'");
      }
    }

    private static List<String> checkToleration(int i, Toleration t) {
      List<String> problems = new ArrayList<>();
      String op = t.getOperator() == null ? "Equal" : t.getOperator();
      String where = "tolerations[" + i + "]";
      if (!op.equals("Equal") && !op.equals("Exists")) {
        problems.add(where + ": operator '" + op + "' must be Equal or Exists");
      }
      if (op.equals("Exists") && t.getValue() != null && !t.getValue().isEmpty()) {
        problems.add(where + ": operator Exists takes no value, got '" + t.getValue() + "'");
      }
      if ((t.getKey() == null || t.getKey().isEmpty()) && !op.equals("Exists")) {
        problems.add(where + ": an empty key needs operator Exists");
      }
      String effect = t.getEffect() == null ? "" : t.getEffect();
      if (!Set.of("", "NoSchedule", "PreferNoSchedule", "NoExecute").contains(effect)) {
        problems.add(where + ": effect '" + effect + "' must be NoSchedule, PreferNoSchedule or NoExecute");
      }
      return problems;
    }

    private static List<String> checkLabel(String field, String key, String value) {
      List<String> problems = new ArrayList<>();
      if (!KubernetesValues.isQualifiedKey(key)) {
        problems.add(field + ": key '" + key + "' is not a valid label key");
      }
      if (!KubernetesValues.isLabelValue(value)) {
        problems.add(field + "." + key + ": value '" + value + "' is not a valid label value "
            + "(at most 63 of letters, digits, '-', '_', '.', starting and ending alphanumeric)");
      }
      return problems;
    }

    private static List<String> checkNotReserved(String field, String key) {
      return key.startsWith(JobFactory.LABEL_PREFIX) || key.equals(JobFactory.MANAGED_BY)
          ? List.of(field + ": key '" + key + "' is reserved for the shell's own bookkeeping")
          : List.of();
    }
  }
}
