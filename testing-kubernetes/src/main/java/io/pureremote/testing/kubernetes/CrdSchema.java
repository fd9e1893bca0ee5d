package io.pureremote.testing.kubernetes;

import io.fabric8.kubernetes.api.model.HasMetadata;
import io.fabric8.kubernetes.api.model.apiextensions.v1.CustomResourceDefinition;
import io.fabric8.kubernetes.api.model.apiextensions.v1.CustomResourceDefinitionVersion;
import io.fabric8.kubernetes.api.model.apiextensions.v1.JSONSchemaProps;
import io.fabric8.kubernetes.client.utils.KubernetesSerialization;
import java.io.IOException;
import java.io.InputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;

/**
 * A structural check of an object against a CRD version's {@code openAPIV3Schema}, as the API
 * server applies it: unknown fields (where the schema does not preserve them), types (object,
 * array, string, integer, number, boolean, and {@code int-or-string}), enums and required fields.
 * It returns every problem with its JSON path. Not a full OpenAPI validator: no formats, patterns,
 * bounds or CEL rules.
 *
 * <p>The fabric8 mock server validates nothing and a real API server silently prunes unknown
 * fields of a custom object sent without strict field validation, so a shell's tests check every
 * custom object it emits here, against the operator's own CRD:
 *
 * <pre>{@code
 * Path dir = SharedCrds.directory().orElseThrow();          // or any folder holding the CRD files
 * CrdSchema schema = CrdSchema.load(dir, SharedCrds.PYTORCHJOB, "v1");
 * List<String> problems = schema.problems(pytorchJob);     // e.g. ".spec.nProcPerNode: unknown field (...)"
 * }</pre>
 *
 * <p>No test framework is needed (it returns the problems; the test asserts). Immutable and
 * thread-safe.
 */
public final class CrdSchema {
  private final JSONSchemaProps root;

  private CrdSchema(JSONSchemaProps root) {
    this.root = root;
  }

  /**
   * The schema of {@code version} in the CRD file {@code crdYaml}.
   *
   * @throws IOException when the file cannot be read
   * @throws IllegalArgumentException when the CRD has no such version
   */
  public static CrdSchema load(Path crdYaml, String version) throws IOException {
    try (InputStream in = Files.newInputStream(crdYaml)) {
      CustomResourceDefinition crd = new KubernetesSerialization().unmarshal(in, CustomResourceDefinition.class);
      for (CustomResourceDefinitionVersion v : crd.getSpec().getVersions()) {
        if (v.getName().equals(version)) {
          return new CrdSchema(v.getSchema().getOpenAPIV3Schema());
        }
      }
      throw new IllegalArgumentException(crdYaml + " has no version " + version + " (it has "
          + crd.getSpec().getVersions().stream().map(CustomResourceDefinitionVersion::getName).toList() + ")");
    }
  }

  /**
   * The schema of {@code version} in the CRD file {@code fileName} of {@code crdDirectory} (e.g.
   * {@link SharedCrds#directory()}, and {@link SharedCrds#PYTORCHJOB}).
   *
   * @throws IOException when the file cannot be read (its path is in the message)
   */
  public static CrdSchema load(Path crdDirectory, String fileName, String version) throws IOException {
    return load(crdDirectory.resolve(fileName), version);
  }

  /** Every problem of {@code object} (a fabric8 model object, e.g. a {@code GenericKubernetesResource}), serialized as the client sends it. */
  public List<String> problems(HasMetadata object) {
    KubernetesSerialization json = new KubernetesSerialization();
    return problems(json.unmarshal(json.asJson(object), Map.class));
  }

  /**
   * Every problem of {@code object}, a JSON-like tree of maps, lists and scalars (as Jackson reads
   * JSON into {@code Map.class}); each names its JSON path, e.g. {@code .spec.slotsPerWorker:
   * expected an integer, got String four}. Empty: the schema accepts it. {@code metadata} is left
   * to the API server.
   */
  public List<String> problems(Object object) {
    List<String> problems = new ArrayList<>();
    walk("", object, root, problems);
    return problems;
  }

  @SuppressWarnings("unchecked")
  private static void walk(String path, Object value, JSONSchemaProps schema, List<String> problems) {
    if (value == null) {
      if (!Boolean.TRUE.equals(schema.getNullable())) {
        problems.add(path + ": null is not allowed");
      }
      return;
    }
    if (Boolean.TRUE.equals(schema.getXKubernetesIntOrString())) {
      if (!(value instanceof Number || value instanceof String)) {
        problems.add(path + ": expected an integer or a string, got " + value.getClass().getSimpleName());
      }
      return;
    }
    String type = schema.getType();
    if (schema.getEnum() != null && !schema.getEnum().isEmpty()) {
      List<String> allowed = schema.getEnum().stream().map(j -> j.isTextual() ? j.asText() : j.toString()).toList();
      if (!allowed.contains(String.valueOf(value))) {
        problems.add(path + ": '" + value + "' is not one of " + allowed);
      }
    }
    if (type == null) {
      return;
    }
    switch (type) {
      case "object" -> {
        if (!(value instanceof Map<?, ?> map)) {
          problems.add(path + ": expected an object, got " + value.getClass().getSimpleName());
          return;
        }
        Map<String, JSONSchemaProps> properties = schema.getProperties() == null ? Map.of() : schema.getProperties();
        if (schema.getRequired() != null) {
          for (String r : schema.getRequired()) {
            if (!map.containsKey(r)) {
              problems.add(path + ": required field '" + r + "' is missing");
            }
          }
        }
        boolean preserve = Boolean.TRUE.equals(schema.getXKubernetesPreserveUnknownFields());
        JSONSchemaProps additional = schema.getAdditionalProperties() == null ? null : schema.getAdditionalProperties().getSchema();
        for (Map.Entry<String, Object> e : ((Map<String, Object>) map).entrySet()) {
          String child = path + "." + e.getKey();
          JSONSchemaProps s = properties.get(e.getKey());
          if (path.isEmpty() && e.getKey().equals("metadata")) {
            continue; // ObjectMeta: the API server checks it, not the CRD schema
          }
          if (s != null) {
            walk(child, e.getValue(), s, problems);
          } else if (additional != null) {
            walk(child, e.getValue(), additional, problems);
          } else if (!preserve && !(path.isEmpty() && (e.getKey().equals("apiVersion") || e.getKey().equals("kind")))) {
            problems.add(child + ": unknown field (the API server would reject it under strict validation, or prune it)");
          }
        }
      }
      case "array" -> {
        if (!(value instanceof List<?> list)) {
          problems.add(path + ": expected an array, got " + value.getClass().getSimpleName());
          return;
        }
        JSONSchemaProps items = schema.getItems() == null ? null : schema.getItems().getSchema();
        for (int i = 0; i < list.size() && items != null; i++) {
          walk(path + "[" + i + "]", list.get(i), items, problems);
        }
      }
      case "string" -> {
        if (!(value instanceof String)) {
          problems.add(path + ": expected a string, got " + value.getClass().getSimpleName() + " " + value);
        }
      }
      case "integer" -> {
        if (!(value instanceof Integer || value instanceof Long || value instanceof Short)) {
          problems.add(path + ": expected an integer, got " + value.getClass().getSimpleName() + " " + value);
        }
      }
      case "number" -> {
        if (!(value instanceof Number)) {
          problems.add(path + ": expected a number, got " + value.getClass().getSimpleName());
        }
      }
      case "boolean" -> {
        if (!(value instanceof Boolean)) {
          problems.add(path + ": expected a boolean, got " + value.getClass().getSimpleName());
        }
      }
      default -> { }
    }
  }
}
